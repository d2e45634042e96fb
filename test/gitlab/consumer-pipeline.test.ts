/**
 * The component in a consumer pipeline, run twice by gitlab-ci-local: the probe job (our CLI)
 * measures the mirror simulator and hands GOPROXY/GOSUMDB/GOPRIVATE on as a dotenv report; a Go
 * job that needs it and extends `.go-proxy-setup:cache` runs the real `go mod download` through
 * the chosen mirror; the second run restores the module cache and downloads nothing. The origin
 * remote carries a job token, as GitLab runners before 18.6 write it; it must show up nowhere.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/types.js';
import { validateDotenv } from '../../src/writers/dotenv.js';
import {
  BIG,
  type CorpusModule,
  HELLO,
  PRERELEASE,
  type RequestRecord,
  type Simulator,
  UPPER,
  startSimulator,
} from '../simulator/index.js';
import {
  CLI_PATH,
  COMPONENT_HOST,
  COMPONENT_PROJECT_PATH,
  type ComponentProject,
  type GclResult,
  artifactsDir,
  assertCliBuilt,
  createComponentProject,
  jobLines,
  listFiles,
  parseDotenvLines,
  readDotenvReport,
  runGitlabCiLocal,
} from './harness.js';

const PROBE_JOB = 'go-proxy';
const GO_JOB = 'go-build';
const DOTENV_FILE = 'go-proxy-setup.env';
const REPORT_FILE = 'go-proxy-setup-report.json';

/** What a runner puts in the checkout's remote URL (ci-platforms.md §13) and in CI_JOB_TOKEN. */
const JOB_TOKEN = 'glcbt-64_SECRETjobTOKEN9f3a1c';
const TOKEN_REMOTE = `https://gitlab-ci-token:${JOB_TOKEN}@${COMPONENT_HOST}/${COMPONENT_PROJECT_PATH}.git`;

const PIPELINE_TIMEOUT_MS = 150_000;

let sim: Simulator;
let project: ComponentProject;
let consumerModules: CorpusModule[];
const runs: { result: GclResult; requests: readonly RequestRecord[]; dotenv: Buffer }[] = [];

beforeAll(
  async () => {
    await assertCliBuilt();
    sim = await startSimulator({
      mirrors: [
        { name: 'fast', latencyMs: 0 },
        { name: 'slow', latencyMs: 150 },
        { name: 'forbidden', status: 403 },
      ],
    });
    // The probe uses example.com/hello (the probe_modules input); the consumer requires only other
    // modules, so every request for them in the log comes from the go command.
    consumerModules = [
      sim.corpus.get(UPPER, 'v1.0.0')!,
      sim.corpus.get(PRERELEASE, 'v0.9.0')!,
      sim.corpus.get(BIG, 'v1.0.0')!,
    ];
    const requires = consumerModules.map((m) => `\t${m.path} ${m.version}\n`).join('');
    project = await createComponentProject({
      remote: TOKEN_REMOTE,
      files: {
        '.gitlab-ci.yml': await readFile(
          join(import.meta.dirname, 'consumer', '.gitlab-ci.yml'),
          'utf8',
        ),
        'go.mod': `module ${COMPONENT_HOST}/acme/consumer\n\ngo 1.19\n\nrequire (\n${requires})\n`,
        'go.sum': sim.corpus.goSum(consumerModules),
      },
    });
    const variables = {
      GPS_CLI: CLI_PATH,
      GPS_TEST_MIRRORS: ['slow', 'forbidden', 'fast'].map((name) => sim.url(name)).join(','),
      GOSUMDB: sim.sumdb.gosumdb,
      SSL_CERT_FILE: sim.caFile,
      NODE_EXTRA_CA_CERTS: sim.caFile,
      // What GitLab sets and gitlab-ci-local does not (it says GITLAB_CI=false).
      GITLAB_CI: 'true',
      CI_JOB_TOKEN: JOB_TOKEN,
      CI_REPOSITORY_URL: TOKEN_REMOTE,
    };
    for (let i = 0; i < 2; i++) {
      sim.reset();
      const result = await runGitlabCiLocal(project, ['--ignore-predefined-vars', 'GITLAB_CI'], {
        variables,
        timeoutMs: PIPELINE_TIMEOUT_MS,
      });
      const dotenv = await readDotenvReport(project, PROBE_JOB, DOTENV_FILE).catch(() =>
        Buffer.alloc(0),
      );
      runs.push({ result, requests: sim.requests, dotenv });
      if (result.code !== 0) break;
    }
  },
  2 * PIPELINE_TIMEOUT_MS + 60_000,
);

afterAll(async () => {
  await project?.cleanup();
  await sim?.close();
});

/** The run's log, for failure messages. */
function logOf(run: number): string {
  const result = runs[run]?.result;
  return result
    ? `exit ${result.code}${result.timedOut ? ' (timed out)' : ''}\n${result.output}`
    : 'did not run';
}

function dotenvOf(run: number): Map<string, string> {
  return parseDotenvLines(runs[run]!.dotenv.toString('utf8'));
}

/** The simulated mirror a URL points at (its name in the request log). */
function mirrorNamed(url: string): string {
  const name = sim.mirrorNames.find((n) => sim.url(n) === url.replace(/\/$/, ''));
  if (!name) throw new Error(`${url} is none of the simulated mirrors`);
  return name;
}

const isConsumerRequest = (record: RequestRecord) =>
  consumerModules.some((m) => record.path.startsWith(`/${m.escapedPath}/@v/`));

describe('a consumer pipeline with the component (gitlab-ci-local, shell executor)', () => {
  it('passes twice: the probe job, then the Go job that needs it', () => {
    expect(runs.length, logOf(0)).toBe(2);
    for (const run of [0, 1]) {
      const { result } = runs[run]!;
      expect(result.code, logOf(run)).toBe(0);
      expect(result.output).toMatch(new RegExp(`^ PASS +${PROBE_JOB}$`, 'm'));
      expect(result.output).toMatch(new RegExp(`^ PASS +${GO_JOB}$`, 'm'));
    }
  });

  it('the probe job measures the simulated mirrors and keeps the JSON report as an artifact', async () => {
    // The artifact of the last run: compare with that run's dotenv report and request log.
    const report = JSON.parse(
      await readFile(join(artifactsDir(project, PROBE_JOB), REPORT_FILE), 'utf8'),
    ) as Report;
    expect(report.tool.name).toBe('go-proxy-setup');
    expect(report.settings.GOPROXY).toBe(dotenvOf(1).get('GOPROXY'));
    expect(report.mirrors.map((m) => mirrorNamed(m.url)).sort()).toEqual([
      'fast',
      'forbidden',
      'slow',
    ]);
    const verdict = (name: string) =>
      report.mirrors.find((m) => mirrorNamed(m.url) === name)?.verdict;
    // 403 on every request: left out (failed, or skipped if the probe stopped early before it answered).
    expect(['failed', 'skipped']).toContain(verdict('forbidden'));
    const chosen = report.mirrors
      .filter((m) => m.verdict === 'chosen')
      .map((m) => mirrorNamed(m.url));
    expect(chosen).toEqual([mirrorNamed(dotenvOf(1).get('GOPROXY')!.split(/[,|]/)[0]!)]);
    // The OpenMetrics report (GitLab shows it on Premium; gitlab-ci-local ignores the report).
    const metrics = await readFile(
      join(project.dir, '.gitlab-ci-local', 'builds', PROBE_JOB, 'metrics.txt'),
      'utf8',
    );
    expect(metrics).toMatch(/# EOF\n?$/);
    // Every mirror the report calls probed was really asked for the probe module.
    const asked = new Set(
      runs[1]!.requests.filter((r) => r.path.startsWith(`/${HELLO}/@v/`)).map((r) => r.server),
    );
    for (const mirror of report.mirrors.filter((m) => m.verdict !== 'skipped')) {
      expect([...asked]).toContain(mirrorNamed(mirror.url));
    }
  });

  it('prints the findings in a collapsible GitLab log section', () => {
    const output = runs[0]!.result.output;
    const started = output.match(new RegExp(`^${PROBE_JOB} (\\S+)_started$`, 'm'));
    expect(started, logOf(0)).not.toBeNull();
    expect(output).toMatch(new RegExp(`^${PROBE_JOB} ${started![1]} took \\d+ms$`, 'm'));
  });

  it('hands GOPROXY, GOSUMDB and GOPRIVATE to the Go job, and the cache template sets GOMODCACHE', () => {
    const dotenv = dotenvOf(0);
    const goproxy = dotenv.get('GOPROXY') ?? '';
    expect(goproxy).toMatch(/^https:\/\/127\.0\.0\.1:\d+[,|]off$/);
    expect(dotenv.get('GOSUMDB')).toBe(sim.sumdb.gosumdb);
    // The goprivate input, and the project's own host (derived; the token URL stripped).
    const goprivate = dotenv.get('GOPRIVATE')?.split(',') ?? [];
    expect(goprivate).toContain('git.corp.example');
    expect(goprivate.some((p) => p === COMPONENT_HOST || p.startsWith(`${COMPONENT_HOST}/`))).toBe(
      true,
    );
    // Set by `.go-proxy-setup:cache`, never by the dotenv (which outranks job variables).
    expect(dotenv.has('GOMODCACHE')).toBe(false);

    const goEnv = jobLines(runs[0]!.result.output, GO_JOB);
    const at = goEnv.findIndex((line) => line === goproxy);
    expect(at, logOf(0)).toBeGreaterThanOrEqual(0);
    expect(goEnv.slice(at, at + 5)).toEqual([
      goproxy,
      dotenv.get('GOSUMDB'),
      dotenv.get('GOPRIVATE'),
      join(project.dir, '.gitlab-ci-local', 'builds', GO_JOB, '.go', 'pkg', 'mod'),
      '-modcacherw',
    ]);
  });

  it('the Go job runs the real `go mod download` through the chosen mirror, and only through it', () => {
    const chosen = mirrorNamed(dotenvOf(0).get('GOPROXY')!.split(/[,|]/)[0]!);
    expect(chosen).not.toBe('forbidden');
    const goRequests = runs[0]!.requests.filter(isConsumerRequest);
    const zips = goRequests.filter((r) => r.path.endsWith('.zip'));
    expect(zips.map((r) => r.path).sort()).toEqual(
      consumerModules.map((m) => `/${m.escapedPath}/@v/${m.escapedVersion}.zip`).sort(),
    );
    expect(new Set(goRequests.map((r) => r.server))).toEqual(new Set([chosen]));
    expect(jobLines(runs[0]!.result.output, GO_JOB)).toContain('all modules verified');
  });

  it('the second run restores the module cache: the go command downloads nothing', () => {
    expect(runs[1]?.result.output, logOf(1)).toMatch(
      new RegExp(`^${GO_JOB} imported cache '0_gomod-[0-9a-f]+'`, 'm'),
    );
    expect(runs[0]!.result.output).not.toMatch(new RegExp(`^${GO_JOB} imported cache`, 'm'));
    expect(runs[1]!.requests.filter(isConsumerRequest)).toEqual([]);
    // The probe still measured the mirrors: the log was not simply empty.
    expect(runs[1]!.requests.some((r) => r.path.startsWith(`/${HELLO}/@v/`))).toBe(true);
    expect(jobLines(runs[1]!.result.output, GO_JOB)).toContain('all modules verified');
  });

  it('writes a dotenv report that GitLab accepts unchanged (gitlab-ci-local would accept more)', () => {
    for (const run of [0, 1]) {
      const { dotenv } = runs[run]!;
      expect(dotenv.length, logOf(run)).toBeGreaterThan(0);
      expect(validateDotenv(dotenv)).toEqual([]);
      expect(
        [...dotenvOf(run).keys()].every((key) => /^(GO|GO_PROXY_SETUP_)[A-Z_]+$/.test(key)),
      ).toBe(true);
    }
  });

  it('gives the Go job one job-token netrc entry (mode 600), replaced rather than repeated on the next run', async () => {
    for (const run of [0, 1])
      expect(jobLines(runs[run]!.result.output, GO_JOB)).toContain('netrc 600 1');
    // Shell executors keep HOME: after two pipelines the file still has a single entry.
    const netrc = await readFile(join(project.home, '.netrc'), 'utf8');
    expect(netrc).toBe(`machine ${COMPONENT_HOST} login gitlab-ci-token password ${JOB_TOKEN}\n`);
    expect((await stat(join(project.home, '.netrc'))).mode & 0o777).toBe(0o600);
  });

  it('the job token in the origin URL appears in no log line, artifact, cache or file the jobs wrote', async () => {
    const forms = [
      JOB_TOKEN,
      encodeURIComponent(JOB_TOKEN),
      Buffer.from(`gitlab-ci-token:${JOB_TOKEN}`).toString('base64'),
    ];
    for (const run of [0, 1]) {
      for (const form of forms) expect(runs[run]!.result.output).not.toContain(form);
    }
    // Where the token belongs: the .git directories hold the runner's checkout (and with it the
    // token URL), ~/.netrc the entry the cache template writes on purpose (checked above).
    // Everything else under the project and HOME is what the pipeline produced.
    const expected = (file: string) => file.split('/').includes('.git') || file === '.netrc';
    const roots = [project.dir, project.home];
    let scanned = 0;
    for (const root of roots) {
      for (const file of await listFiles(root)) {
        if (expected(file)) continue;
        const content = await readFile(join(root, file));
        for (const form of forms) {
          expect(content.includes(form), `${join(root, file)} contains the job token`).toBe(false);
        }
        scanned++;
      }
    }
    const artifacts = await listFiles(artifactsDir(project, PROBE_JOB));
    expect(artifacts).toEqual(
      expect.arrayContaining([REPORT_FILE, `.gitlab-ci-reports/dotenv/${DOTENV_FILE}`]),
    );
    expect(scanned).toBeGreaterThan(artifacts.length);
  });
});
