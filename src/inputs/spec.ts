/**
 * The public inputs, in one table. action.yml, the README's inputs table, the GitLab component's
 * spec and the CLI options are checked against this list by tests, so they cannot drift apart.
 */
export interface InputSpec {
  /** kebab-case name used by the action and the CLI (`--name`); GitLab uses the snake_case form. */
  readonly name: string;
  readonly default: string;
  readonly description: string;
  /** How the GitLab component types it. */
  readonly gitlabType: 'string' | 'number' | 'boolean';
}

export const INPUT_SPECS = [
  {
    name: 'mirrors',
    default: 'auto',
    gitlabType: 'string',
    description:
      '`auto`: the built-in catalog of public mirrors plus the entries of the GOPROXY already in the environment. Otherwise a list (newline or comma separated) of proxy base URLs: exactly these are considered.',
  },
  {
    name: 'private-proxy',
    default: '',
    gitlabType: 'string',
    description:
      'Base URL of a private module proxy (Athens, goproxy, Nexus…). Goes first in the chain, followed by `,`, so its errors never send private paths to public mirrors (only a 404/410 falls through, and the probe warns when it answers that for a private path). Credentials in its URL are masked everywhere.',
  },
  {
    name: 'fallback',
    default: 'direct',
    gitlabType: 'string',
    description: 'What ends the chain: `direct` or `off`.',
  },
  {
    name: 'max-mirrors',
    default: '2',
    gitlabType: 'number',
    description: 'How many public mirrors enter the chain (1 to 10).',
  },
  {
    name: 'probe-modules',
    default: 'auto',
    gitlabType: 'string',
    description:
      'Modules (`path` or `path@version`, newline or comma separated) used to probe. `auto`: public requirements of go.mod (never one that matches the private patterns), else a small built-in stable module.',
  },
  {
    name: 'timeout',
    default: '10',
    gitlabType: 'number',
    description: 'Overall probe deadline in seconds (1 to 300). Probing never takes longer.',
  },
  {
    name: 'gosumdb',
    default: 'auto',
    gitlabType: 'string',
    description:
      "`auto`: keep the default checksum database when it is reachable (directly or through the chosen chain), otherwise choose a route that works (`sum.golang.google.cn`, or a mirror's sumdb proxy). Any other value is validated and used as given; `off` only when the user writes it.",
  },
  {
    name: 'goprivate',
    default: '',
    gitlabType: 'string',
    description:
      "Extra private patterns (comma or newline separated), merged with the environment's and the derived ones.",
  },
  {
    name: 'goprivate-from-remote',
    default: 'auto',
    gitlabType: 'string',
    description:
      'Derive private patterns from the git remote and CI variables: `auto` (only when the repository is not public), `true`, `false`.',
  },
  {
    name: 'write-go-env',
    default: 'false',
    gitlabType: 'boolean',
    description:
      'Also persist the settings with `go env -w` (self-hosted runners, tools that start clean environments).',
  },
  {
    name: 'cache',
    default: 'true',
    gitlabType: 'boolean',
    description: 'Restore GOMODCACHE in the main step and save it in the post step.',
  },
  {
    name: 'cache-dependency-path',
    default: '',
    gitlabType: 'string',
    description:
      'Globs of files whose hash keys the cache, one per line, relative to `working-directory` (a `!` line excludes). Empty: the go.sum and go.work.sum files under `working-directory`, and go.mod files where a module has no go.sum (so a module without dependencies is still cached).',
  },
  {
    name: 'summary',
    default: 'true',
    gitlabType: 'string',
    description:
      '`true`: write the job summary with its latency chart; `no-chart`: the summary without the Mermaid chart; `false`: no summary.',
  },
  {
    name: 'working-directory',
    default: '.',
    gitlabType: 'string',
    description: 'Where go.mod and the git checkout are.',
  },
  {
    name: 'token',
    default: '',
    gitlabType: 'string',
    description:
      'Opt-in credentials for direct fetches of private modules: a token written as a git `insteadOf` rule scoped to the derived private owners (e.g. `https://github.com/acme/`), removed again in the post step. Empty: nothing is written.',
  },
] as const satisfies readonly InputSpec[];

export type InputName = (typeof INPUT_SPECS)[number]['name'];
