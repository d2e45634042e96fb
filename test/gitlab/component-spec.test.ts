/**
 * The component's `spec:inputs` against the public inputs table (src/inputs/spec.ts), the job it
 * expands to, and how gitlab-ci-local (GitLab's input rules, offline) treats good and bad inputs.
 * Also the component project's own pipeline (gitlab/.gitlab-ci.yml): the self-include and the
 * release job's tag rule.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { inputEnvName, parseCliArgs } from '../../src/cli/args.js';
import { INPUT_SPECS } from '../../src/inputs/spec.js';
import { GITLAB_NETRC_SHELL_SNIPPET } from '../../src/private/credentials.js';
import { VERSION } from '../../src/version.js';
import {
  COMPONENT_TEMPLATE,
  type ComponentProject,
  GITLAB_DIR,
  createComponentProject,
  runGitlabCiLocal,
} from './harness.js';

/** Action inputs that mean nothing in a GitLab job (its own cache template and log replace them). */
const GITHUB_ONLY = ['write-go-env', 'cache', 'cache-dependency-path', 'summary', 'token'];
/** Inputs only the component has. */
const GITLAB_ONLY = [
  'stage',
  'job_name',
  'image',
  'command',
  'cache_prefix',
  'cache_policy',
  'netrc',
];

const snake = (name: string) => name.replaceAll('-', '_');
const ACTION_INPUTS = INPUT_SPECS.filter((spec) => !GITHUB_ONLY.includes(spec.name));

interface SpecInput {
  readonly type?: 'string' | 'number' | 'boolean' | 'array';
  readonly default?: unknown;
  readonly description?: string;
  readonly options?: readonly unknown[];
  readonly regex?: string;
}

type Job = Record<string, unknown> & {
  variables?: Record<string, string>;
  script?: string[];
  before_script?: string[];
  artifacts?: { paths?: string[]; reports?: Record<string, string> };
  cache?: unknown;
};

let inputs: Record<string, SpecInput>;
let jobs: Record<string, Job>;

beforeAll(async () => {
  const docs = parseAllDocuments(await readFile(COMPONENT_TEMPLATE, 'utf8'));
  expect(docs.map((doc) => doc.errors)).toEqual([[], []]);
  inputs = (docs[0]!.toJS() as { spec: { inputs: Record<string, SpecInput> } }).spec.inputs;
  jobs = docs[1]!.toJS() as Record<string, Job>;
});

const probeJob = () => jobs['$[[ inputs.job_name ]]']!;
const cacheJob = () => jobs['.go-proxy-setup:cache']!;

describe('the component spec', () => {
  it('has the action inputs in snake_case minus the GitHub-only ones, plus the GitLab ones', () => {
    const expected = [...ACTION_INPUTS.map((spec) => snake(spec.name)), ...GITLAB_ONLY];
    expect(Object.keys(inputs).sort()).toEqual([...expected].sort());
  });

  it.each(ACTION_INPUTS.map((spec) => [spec.name, spec] as const))(
    'input %s has the default of the inputs table, typed',
    (_name, spec) => {
      const input = inputs[snake(spec.name)]!;
      switch (spec.gitlabType) {
        case 'number':
          expect(input.type).toBe('number');
          expect(input.default).toBe(Number(spec.default));
          break;
        case 'boolean':
          expect(input.type).toBe('boolean');
          expect(input.default).toBe(spec.default === 'true');
          break;
        default:
          expect(input.type ?? 'string').toBe('string');
          expect(input.default).toBe(spec.default);
      }
    },
  );

  it('describes every input; options contain the default, regexes compile and accept it', () => {
    for (const [name, input] of Object.entries(inputs)) {
      expect(input.description?.trim(), name).toBeTruthy();
      expect(input, `${name} needs a default (else it is mandatory)`).toHaveProperty('default');
      if (input.options) expect(input.options, name).toContain(input.default);
      if (input.regex) expect(String(input.default), name).toMatch(new RegExp(input.regex));
    }
  });

  it('runs the npm package of this very release by default, in a Node 24 image', () => {
    expect(inputs.command!.default).toBe(`npx --yes go-proxy-setup@${VERSION}`);
    expect(String(inputs.image!.default)).toMatch(/^node:24(\b|-)/);
  });

  it('hands every action input to the CLI as GO_PROXY_SETUP_<NAME>, never on the command line', () => {
    const job = probeJob();
    const script = job.script!.join('\n');
    expect(script.startsWith('$[[ inputs.command ]] ')).toBe(true);
    for (const spec of ACTION_INPUTS) {
      const variable = inputEnvName(spec.name);
      expect(job.variables![variable], variable).toBe(`$[[ inputs.${snake(spec.name)} ]]`);
      // No input on the command line: a private proxy's password must not show in `ps`.
      expect(script).not.toContain(`--${spec.name}`);
      expect(script).not.toContain(`$[[ inputs.${snake(spec.name)} ]]`);
    }
    // The command line parses as the CLI's: only output options, every value given.
    const argv = script.slice('$[[ inputs.command ]] '.length).split(/\s+/);
    const options = parseCliArgs(argv);
    expect([...options.inputs.keys()]).toEqual([]);
    expect(options.dotenv).toBe(job.artifacts!.reports!.dotenv);
    expect(job.artifacts!.paths).toContain(options.reportFile);
    expect(options.metricsFile).toBe(job.artifacts!.reports!.metrics);
  });

  it('the cache template writes the netrc with the tested snippet of src/private/credentials.ts', () => {
    const block = cacheJob().before_script!.join('\n');
    const lines = block.trimEnd().split('\n');
    expect(lines[0]).toBe('if [ "$GPS_NETRC" = "true" ]; then');
    expect(lines.at(-1)).toBe('fi');
    const inner = lines
      .slice(1, -1)
      .map((line) => line.replace(/^ {2}/, ''))
      .join('\n');
    expect(`${inner}\n`).toBe(GITLAB_NETRC_SHELL_SNIPPET);
    expect(cacheJob().variables).toMatchObject({
      GOMODCACHE: '$CI_PROJECT_DIR/.go/pkg/mod',
      GOFLAGS: '-modcacherw',
      GPS_NETRC: '$[[ inputs.netrc ]]',
    });
  });
});

describe('the component in gitlab-ci-local (GitLab input rules, offline)', () => {
  let project: ComponentProject;
  const include = (inputLines: readonly string[], extra: readonly string[] = []) =>
    [
      ...extra,
      'include:',
      '  - component: $CI_SERVER_FQDN/acme/go-proxy-setup/go-proxy-setup@$CI_COMMIT_SHA',
      ...(inputLines.length > 0 ? ['    inputs:', ...inputLines.map((l) => `      ${l}`)] : []),
      'go-build:',
      '  stage: build',
      '  extends: .go-proxy-setup:cache',
      '  script: [go build ./...]',
      '',
    ].join('\n');
  const BAD_INPUTS: readonly (readonly [string, RegExp])[] = [
    [
      'fallback: bogus',
      /`fallback` input: `bogus` cannot be used because it is not in the list of allowed options/,
    ],
    ['max_mirrors: two', /`max_mirrors` input: provided value is not a number/],
    ['netrc: "yes"', /`netrc` input: provided value is not a boolean/],
    ['job_name: Probe Job', /`job_name` input: `Probe Job` does not match required regex/],
    ['cache_policy: always', /`cache_policy` input: `always` cannot be used/],
  ];

  beforeAll(async () => {
    const files: Record<string, string> = {
      'cases/defaults.yml': include([]),
      'cases/custom.yml': include(
        [
          'job_name: mirrors',
          'stage: prepare',
          'image: registry.example.com/node:24',
          'command: node /opt/go-proxy-setup/index.js',
          "mirrors: 'https://goproxy.example.com,https://proxy.golang.org'",
          'private_proxy: https://athens.example.com',
          "fallback: 'off'",
          'max_mirrors: 3',
          'probe_modules: golang.org/x/text@v0.3.7',
          'timeout: 20',
          'gosumdb: sum.golang.google.cn',
          'goprivate: git.corp.example',
          "goprivate_from_remote: 'false'",
          'working_directory: services/api',
          'cache_prefix: api',
          'cache_policy: pull',
          'netrc: true',
        ],
        ['stages: [prepare, build]'],
      ),
    };
    BAD_INPUTS.forEach(([line], i) => {
      files[`cases/bad-${i}.yml`] = include([line]);
    });
    project = await createComponentProject({ files });
  });

  afterAll(async () => {
    await project?.cleanup();
  });

  async function preview(file: string): Promise<Record<string, Job>> {
    const result = await runGitlabCiLocal(project, ['--preview', '--file', file], {
      timeoutMs: 60_000,
    });
    expect(result.code, result.output).toBe(0);
    return parse(result.stdout.slice(result.stdout.indexOf('---'))) as Record<string, Job>;
  }

  it('expands with the defaults: the pinned npm package, and a cache for the Go job', async () => {
    const expanded = await preview('cases/defaults.yml');
    const job = expanded['go-proxy-setup']!;
    expect(job).toMatchObject({ stage: '.pre', image: { name: 'node:24-alpine' }, needs: [] });
    expect(job.script![0]).toMatch(
      new RegExp(
        `^npx --yes go-proxy-setup@${VERSION.replaceAll('.', '\\.')} --dotenv go-proxy-setup\\.env`,
      ),
    );
    expect(job.variables).toMatchObject({
      GO_PROXY_SETUP_MIRRORS: 'auto',
      GO_PROXY_SETUP_MAX_MIRRORS: '2',
      GO_PROXY_SETUP_TIMEOUT: '10',
      GO_PROXY_SETUP_FALLBACK: 'direct',
    });
    expect(job.artifacts!.reports).toEqual({
      dotenv: 'go-proxy-setup.env',
      metrics: 'metrics.txt',
    });
    const build = expanded['go-build']!;
    expect(build.variables).toMatchObject({
      GOMODCACHE: '$CI_PROJECT_DIR/.go/pkg/mod',
      GPS_NETRC: 'false',
    });
    expect(build.cache).toEqual([
      expect.objectContaining({
        key: { prefix: 'go-proxy-setup', files: ['go.sum'] },
        paths: ['.go/pkg/mod/'],
        policy: 'pull-push',
      }),
    ]);
  });

  it('expands every input given', async () => {
    const expanded = await preview('cases/custom.yml');
    expect(expanded['go-proxy-setup']).toBeUndefined();
    const job = expanded.mirrors!;
    expect(job).toMatchObject({
      stage: 'prepare',
      image: { name: 'registry.example.com/node:24' },
    });
    expect(job.script![0]).toMatch(/^node \/opt\/go-proxy-setup\/index\.js --dotenv /);
    expect(job.variables).toMatchObject({
      GO_PROXY_SETUP_MIRRORS: 'https://goproxy.example.com,https://proxy.golang.org',
      GO_PROXY_SETUP_PRIVATE_PROXY: 'https://athens.example.com',
      GO_PROXY_SETUP_FALLBACK: 'off',
      GO_PROXY_SETUP_MAX_MIRRORS: '3',
      GO_PROXY_SETUP_PROBE_MODULES: 'golang.org/x/text@v0.3.7',
      GO_PROXY_SETUP_TIMEOUT: '20',
      GO_PROXY_SETUP_GOSUMDB: 'sum.golang.google.cn',
      GO_PROXY_SETUP_GOPRIVATE: 'git.corp.example',
      GO_PROXY_SETUP_GOPRIVATE_FROM_REMOTE: 'false',
      GO_PROXY_SETUP_WORKING_DIRECTORY: 'services/api',
    });
    const build = expanded['go-build']!;
    expect(build.variables).toMatchObject({ GPS_NETRC: 'true' });
    expect(build.cache).toEqual([
      expect.objectContaining({ key: { prefix: 'api', files: ['go.sum'] }, policy: 'pull' }),
    ]);
  });

  it.each(BAD_INPUTS.map(([line, message], i) => [line, message, i] as const))(
    'rejects %s',
    async (_line, message, i) => {
      const result = await runGitlabCiLocal(
        project,
        ['--preview', '--file', `cases/bad-${i}.yml`],
        {
          timeoutMs: 60_000,
        },
      );
      expect(result.code, result.output).not.toBe(0);
      expect(result.output).toMatch(message);
    },
  );
});

describe("the component project's pipeline (gitlab/.gitlab-ci.yml)", () => {
  let project: ComponentProject;

  beforeAll(async () => {
    project = await createComponentProject();
  });

  afterAll(async () => {
    await project?.cleanup();
  });

  /** The jobs gitlab-ci-local would run (`--list` evaluates `rules:`; `--list-json` does not). */
  async function jobNames(tag?: string): Promise<string[]> {
    const variables: Record<string, string> = tag === undefined ? {} : { CI_COMMIT_TAG: tag };
    const result = await runGitlabCiLocal(project, ['--list'], { variables, timeoutMs: 60_000 });
    expect(result.code, result.output).toBe(0);
    const lines = result.stdout.split('\n');
    const header = lines.findIndex((line) => /^name\s+description\s+stage\b/.test(line));
    expect(header, result.output).toBeGreaterThanOrEqual(0);
    return lines
      .slice(header + 1)
      .map((line) => line.split(/\s+/)[0]!)
      .filter((name) => name !== '');
  }

  it('tests the component at this commit: the probe job and assertion jobs that need it', async () => {
    const pipeline = parse(await readFile(join(GITLAB_DIR, '.gitlab-ci.yml'), 'utf8')) as {
      include: { component: string }[];
    } & Record<string, { needs?: string[]; extends?: string }>;
    expect(pipeline.include).toEqual([
      expect.objectContaining({
        component: '$CI_SERVER_FQDN/$CI_PROJECT_PATH/go-proxy-setup@$CI_COMMIT_SHA',
      }),
    ]);
    expect(pipeline['go-download']).toMatchObject({
      extends: '.go-proxy-setup:cache',
      needs: ['go-proxy-setup'],
    });
    expect(pipeline['dotenv-variables']).toMatchObject({ needs: ['go-proxy-setup'] });
    expect(await jobNames()).toEqual(['go-proxy-setup', 'dotenv-variables', 'go-download']);
  });

  it('releases from plain semver tags only, with the GitLab CLI image and the release keyword', async () => {
    expect(await jobNames('1.2.3')).toContain('release');
    for (const tag of ['1.2.3-rc.1', 'v1.2.3', '1.2'])
      expect(await jobNames(tag)).not.toContain('release');
    const pipeline = parse(await readFile(join(GITLAB_DIR, '.gitlab-ci.yml'), 'utf8')) as Record<
      string,
      { image?: string; release?: { tag_name?: string; description?: string } }
    >;
    expect(pipeline.release!.image).toMatch(/^registry\.gitlab\.com\/gitlab-org\/cli:/);
    expect(pipeline.release!.release).toMatchObject({ tag_name: '$CI_COMMIT_TAG' });
    expect(pipeline.release!.release!.description?.trim()).toBeTruthy();
  });
});
