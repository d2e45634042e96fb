/**
 * CLI argument parsing, pure. Every action input is an option of the same name (`--max-mirrors 3`,
 * `--max-mirrors=3`); CLI-only options control output. Bad usage throws InputError (exit 2).
 */
import { InputError } from '../errors.js';
import { INPUT_SPECS, type InputName } from '../inputs/spec.js';

export type OutputFormat = 'text' | 'json' | 'markdown';

export interface CliOptions {
  /** Raw values of action inputs given on the command line (validated later by parseInputs). */
  readonly inputs: ReadonlyMap<InputName, string>;
  readonly format: OutputFormat;
  /** Write a GitLab dotenv report of the settings to this file. */
  readonly dotenv: string | null;
  /** Write the JSON report to this file (whatever --format says). */
  readonly reportFile: string | null;
  /** Write an OpenMetrics report (GitLab metrics.txt) to this file. */
  readonly metricsFile: string | null;
  /** Persist the settings with `go env -w`. */
  readonly apply: boolean;
  /** null = colour when stdout is a terminal. */
  readonly color: boolean | null;
  readonly verbose: boolean;
  readonly help: boolean;
  readonly version: boolean;
}

const FORMATS: readonly OutputFormat[] = ['text', 'json', 'markdown'];
const INPUT_NAMES = new Set<string>(INPUT_SPECS.map((spec) => spec.name));
const VALUE_OPTIONS = new Set(['format', 'dotenv', 'report-file', 'metrics-file']);
const FLAG_OPTIONS = new Set(['apply', 'color', 'no-color', 'verbose', 'help', 'version']);

export function parseCliArgs(argv: readonly string[]): CliOptions {
  const inputs = new Map<InputName, string>();
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') {
      flags.add('help');
      continue;
    }
    if (arg === '-V') {
      flags.add('version');
      continue;
    }
    if (!arg.startsWith('--')) {
      throw new InputError(`Unexpected argument "${arg}": options start with -- (see --help).`);
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    if (FLAG_OPTIONS.has(name)) {
      if (inline !== undefined) throw new InputError(`Option --${name} takes no value.`);
      flags.add(name);
      continue;
    }
    if (!INPUT_NAMES.has(name) && !VALUE_OPTIONS.has(name)) {
      throw new InputError(`Unknown option --${name} (see --help for the list).`);
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new InputError(`Option --${name} needs a value.`);
    const target = INPUT_NAMES.has(name) ? inputs : values;
    if (target.has(name as InputName)) throw new InputError(`Option --${name} is given twice.`);
    target.set(name as InputName, value);
  }
  return {
    inputs,
    format: parseFormat(values.get('format')),
    dotenv: values.get('dotenv') ?? null,
    reportFile: values.get('report-file') ?? null,
    metricsFile: values.get('metrics-file') ?? null,
    apply: flags.has('apply'),
    color: flags.has('no-color') ? false : flags.has('color') ? true : null,
    verbose: flags.has('verbose'),
    help: flags.has('help'),
    version: flags.has('version'),
  };
}

function parseFormat(raw: string | undefined): OutputFormat {
  if (raw === undefined) return 'text';
  if ((FORMATS as readonly string[]).includes(raw)) return raw as OutputFormat;
  throw new InputError(`Invalid option --format: "${raw}" (allowed: ${FORMATS.join(', ')}).`);
}

/** The environment variable that carries an input when the option is not given: GO_PROXY_SETUP_MAX_MIRRORS. */
export function inputEnvName(name: InputName): string {
  return `GO_PROXY_SETUP_${name.toUpperCase().replaceAll('-', '_')}`;
}

/** Inputs that only the GitHub Action acts on; the CLI accepts them and warns that they do nothing. */
export const ACTION_ONLY_INPUTS: readonly InputName[] = [
  'cache',
  'cache-dependency-path',
  'summary',
  'token',
];

/** One line per option for --help: the spec's descriptions are written for action.yml and run long. */
const CLI_HELP: Readonly<Record<InputName, string>> = {
  mirrors: '`auto` (built-in catalog + your GOPROXY) or proxy URLs, comma separated',
  'private-proxy': 'private module proxy URL, first in the chain (credentials are masked)',
  fallback: 'what ends the chain: direct or off',
  'max-mirrors': 'public mirrors in the chain, 1 to 10',
  'probe-modules': '`auto` (from go.mod) or a path[@version] list to probe with',
  timeout: 'overall probe deadline in seconds, 1 to 300',
  gosumdb: '`auto` or a GOSUMDB value to use as given',
  goprivate: 'extra private patterns, comma separated',
  'goprivate-from-remote': 'derive private patterns from the git remote: auto, true, false',
  'write-go-env': 'true: the same as --apply',
  cache: 'GitHub Action only (ignored here)',
  'cache-dependency-path': 'GitHub Action only (ignored here)',
  summary: 'GitHub Action only (ignored here)',
  'working-directory': 'where go.mod and the git checkout are',
  token: 'GitHub Action only (ignored here)',
};

export function helpText(): string {
  const inputLines = INPUT_SPECS.map((spec) => {
    const shown = spec.default === '' ? "''" : spec.default;
    return `  --${spec.name.padEnd(24)} ${CLI_HELP[spec.name]} (default: ${shown})`;
  });
  return [
    'Usage: go-proxy-setup [options]',
    '',
    'Probes Go module mirrors from this machine over the module-proxy protocol, chooses the fastest',
    'correct GOPROXY chain and a working GOSUMDB, derives GOPRIVATE from the git remote, and prints',
    'what it measured, what it chose and why. Nothing is written unless --apply (or --write-go-env true),',
    '--dotenv, --report-file or --metrics-file is given.',
    '',
    'Settings (the GitHub Action inputs, same names; each can also come from the environment as',
    'GO_PROXY_SETUP_<NAME>, e.g. GO_PROXY_SETUP_PRIVATE_PROXY, which keeps secrets off the command line):',
    ...inputLines,
    '',
    'Output:',
    '  --format text|json|markdown  Report format on stdout (default: text; colours only on a terminal).',
    '  --dotenv FILE                Write GOPROXY, GOSUMDB, GOPRIVATE… as a GitLab dotenv report.',
    '  --report-file FILE           Also write the JSON report to FILE.',
    '  --metrics-file FILE          Write an OpenMetrics report (GitLab metrics.txt).',
    '  --apply                      Persist the settings with `go env -w` (idempotent).',
    '  --color / --no-color         Force colours on or off.',
    '  --verbose                    Debug logging on stderr.',
    '  -h, --help / -V, --version',
    '',
    'Examples:',
    '  npx go-proxy-setup                                  # measure and show, change nothing',
    '  npx go-proxy-setup --apply                          # measure and persist with go env -w',
    '  eval "$(npx go-proxy-setup --format json | jq -r \'"export GOPROXY=\\(.settings.GOPROXY|@sh)"\')"',
    '  npx go-proxy-setup --mirrors https://goproxy.cn,https://proxy.golang.org --max-mirrors 1',
    '  npx go-proxy-setup --dotenv go-proxy.env --format markdown > report.md',
    '',
    'Exit status: 0 settings produced; 1 no route to modules (or an unexpected failure); 2 bad input.',
  ].join('\n');
}
