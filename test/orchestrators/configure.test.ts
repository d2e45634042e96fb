/**
 * The shared configure phase through the real pipeline (go.mod → private patterns → probe →
 * selection → report) against the mirror simulator, with the request log as the witness of what
 * reached which server. Where it matters, the real go command then uses the settings chosen.
 *
 * Covers the review findings: the go env file (`go env -w`), a private proxy heading the
 * environment's GOPROXY, the user's GONOPROXY/GONOSUMDB, the repository's own owner while its
 * visibility is unknown, GOSUMDB=off, `replace` directives, and a probe module no mirror serves.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readEffectiveGoEnv } from '../../src/goenv/effective-env.js';
import { parseInputs } from '../../src/inputs/inputs.js';
import type { InputName } from '../../src/inputs/spec.js';
import { type Configured, configure } from '../../src/orchestrators/configure.js';
import { goVariables } from '../../src/orchestrators/variables.js';
import { createConsolePlatform } from '../../src/platform/console.js';
import { Redactor } from '../../src/redact.js';
import {
  BIG,
  DEFAULT_PRIVATE_AUTH,
  HELLO,
  PRIVATE_MODULE,
  type RequestRecord,
  type Simulator,
  isolatedGoEnv,
  removeGoTree,
  runGo,
  startSimulator,
} from '../simulator/index.js';

const PRIVATE_HOST = 'git.corp.example';

let sim: Simulator;
let root: string;
let counter = 0;

beforeAll(async () => {
  sim = await startSimulator({
    mirrors: [
      { name: 'pub', latencyMs: 5 },
      { name: 'pub2', latencyMs: 15 },
      { name: 'corp', serves: 'all', auth: DEFAULT_PRIVATE_AUTH, sumdb: 404, latencyMs: 60 },
    ],
  });
  root = await mkdtemp(join(tmpdir(), 'gps-configure-'));
});
afterAll(async () => {
  await sim?.close();
  if (root) await removeGoTree(root);
});
beforeEach(() => sim.reset());

interface Run {
  readonly configured: Configured;
  readonly log: string[];
  readonly home: string;
  readonly project: string;
}

/**
 * configure() as the CLI calls it: a project directory with `goMod`, a HOME with an optional go env
 * file, the simulator's CA and checksum database, and the given inputs and environment.
 */
async function runConfigure(options: {
  inputs: Partial<Record<InputName, string>>;
  env?: Record<string, string>;
  goMod?: string;
  goEnvFile?: string;
  /** Read the env file first and hand it over, as the action's main step does. */
  readFirst?: boolean;
}): Promise<Run> {
  const dir = join(root, `case-${++counter}`);
  const home = join(dir, 'home');
  const project = join(dir, 'project');
  await mkdir(join(home, '.config', 'go'), { recursive: true });
  await mkdir(project, { recursive: true });
  if (options.goEnvFile !== undefined)
    await writeFile(join(home, '.config', 'go', 'env'), options.goEnvFile);
  if (options.goMod !== undefined) await writeFile(join(project, 'go.mod'), options.goMod);
  const osEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    ...sim.env(),
    ...options.env,
  };
  const inputs = { 'goprivate-from-remote': 'auto', timeout: '5', ...options.inputs };
  const redactor = new Redactor();
  const log: string[] = [];
  const platform = createConsolePlatform(redactor, {
    name: 'cli',
    write: (line) => log.push(line),
    verbose: true,
  });
  const goEnv = options.readFirst ? await readEffectiveGoEnv(osEnv, process.platform) : undefined;
  const parsed = parseInputs((name) => inputs[name], goEnv?.env ?? osEnv, redactor);
  const configured = await configure({
    inputs: parsed,
    platform,
    redactor,
    env: goEnv?.env ?? osEnv,
    ...(goEnv ? { goEnv } : {}),
    cwd: project,
  });
  return { configured, log, home, project };
}

const naming = (text: string) => (records: readonly RequestRecord[]) =>
  records.filter((r) => r.path.includes(text)).map((r) => `${r.server} ${r.path}`);

describe('GOPRIVATE & co. set with `go env -w` (the go env file)', () => {
  const goMod = `module example.com/consumer\n\ngo 1.19\n\nrequire (\n\t${PRIVATE_MODULE} v1.0.0\n\t${HELLO} v1.1.0\n)\n`;

  for (const readFirst of [false, true]) {
    it(`no private path reaches a public mirror or the checksum database (${readFirst ? 'read by the caller' : 'read by configure'})`, async () => {
      const { configured, log } = await runConfigure({
        inputs: { mirrors: sim.url('pub') },
        goMod,
        goEnvFile: `GOPRIVATE=${PRIVATE_HOST}\n`,
        // An empty OS variable counts as unset: the file's value applies.
        env: { GOPRIVATE: '' },
        readFirst,
      });
      expect(naming(PRIVATE_HOST)(sim.requests)).toEqual([]);
      // Still probed with the public requirement.
      expect(configured.report.probeModules.map((m) => m.path)).toContain(HELLO);
      // The file's pattern is part of what is written.
      expect(configured.goprivate.split(',')).toContain(PRIVATE_HOST);
      expect(
        goVariables(configured)
          .find((v) => v.name === 'GOPRIVATE')
          ?.value.split(','),
      ).toContain(PRIVATE_HOST);
      expect(log.join('\n')).toMatch(/GOPRIVATE from the go env file .*go[/\\]env/);
    }, 30_000);
  }

  it('GONOSUMDB from the file keeps a module away from the checksum database (and the probe)', async () => {
    const { configured } = await runConfigure({
      inputs: { mirrors: sim.url('pub'), 'probe-modules': `${HELLO}@v1.1.0,${BIG}@v1.0.0` },
      goEnvFile: `GONOSUMDB=${HELLO}\n`,
    });
    expect(naming(HELLO)(sim.requests)).toEqual([]);
    expect(configured.report.probeModules.map((m) => m.path)).toEqual([BIG]);
    // The other module was probed and looked up as usual.
    expect(naming(BIG)(sim.requestsFor('sumdb')).length).toBeGreaterThan(0);
  }, 30_000);

  it('the OS environment wins over the file, as in Go', async () => {
    const { configured } = await runConfigure({
      inputs: { mirrors: sim.url('pub'), 'probe-modules': `${HELLO}@v1.1.0` },
      goEnvFile: `GOPRIVATE=${PRIVATE_HOST}\nGOSUMDB=off\n`,
      env: { GOPRIVATE: 'other.example' },
    });
    expect(configured.goprivate).toBe('other.example');
    // The OS GOSUMDB (the simulator's database) hides the file's `off`.
    expect(configured.selection.settings.GOSUMDB).toBe(sim.sumdb.gosumdb);
  }, 30_000);
});

describe('a private proxy heading the GOPROXY of the environment', () => {
  it('stays first followed by `,`; go then never asks the public mirror for a private path', async () => {
    const corp = sim.url('corp', { credentials: true });
    const { configured } = await runConfigure({
      inputs: { mirrors: sim.url('pub'), 'probe-modules': `${HELLO}@v1.1.0` },
      env: { GOPROXY: `${corp},${sim.url('pub')},direct`, GONOSUMDB: PRIVATE_HOST },
    });
    const { settings, display } = configured.selection;
    expect(settings.GOPROXY).toBe(`${corp},${sim.url('pub')}|direct`);
    expect(display.GOPROXY).toBe(`${sim.url('corp')},${sim.url('pub')}|direct`);
    expect(configured.report.findings.map((f) => f.code)).toContain('env-private-proxy');
    expect(JSON.stringify(configured.report)).not.toContain(DEFAULT_PRIVATE_AUTH.password);

    sim.reset();
    const goRoot = join(root, `go-${++counter}`);
    const work = join(goRoot, 'work');
    await mkdir(work, { recursive: true });
    await writeFile(join(work, 'go.mod'), 'module example.com/consumer\n\ngo 1.19\n');
    const go = await runGo(['mod', 'download', '-json', `${PRIVATE_MODULE}@v1.0.0`], {
      cwd: work,
      env: isolatedGoEnv(goRoot, {
        ...sim.env(),
        GOPROXY: settings.GOPROXY,
        GONOSUMDB: PRIVATE_HOST,
      }),
    });
    expect(go.code, go.stderr).toBe(0);
    expect(naming(PRIVATE_HOST)(sim.requestsFor('pub'))).toEqual([]);
    expect(naming(PRIVATE_HOST)(sim.requestsFor('corp')).length).toBeGreaterThan(0);
  }, 60_000);

  it('private modules keep their route (GONOPROXY defaults to GOPRIVATE): the proxy is not asked about them', async () => {
    const corp = sim.url('corp', { credentials: true });
    const { configured } = await runConfigure({
      inputs: { mirrors: sim.url('pub') },
      goMod: `module example.com/consumer\n\ngo 1.19\n\nrequire (\n\t${PRIVATE_MODULE} v1.0.0\n\t${HELLO} v1.1.0\n)\n`,
      env: { GOPROXY: `${corp},${sim.url('pub')},direct`, GOPRIVATE: PRIVATE_HOST },
    });
    expect(naming(PRIVATE_HOST)(sim.requests)).toEqual([]);
    const written = Object.fromEntries(goVariables(configured).map((v) => [v.name, v.display]));
    expect(written.GONOPROXY).toBeUndefined();
    expect(written.GOPRIVATE).toBe(PRIVATE_HOST);
    expect(configured.selection.settings.GOPROXY.startsWith(`${corp},`)).toBe(true);
    expect(configured.report.findings.map((f) => f.code)).not.toContain('private-proxy-not-found');
  }, 30_000);

  it('with the private-proxy input, the input wins and says what became of the env head', async () => {
    const corp = sim.url('corp', { credentials: true });
    const { configured } = await runConfigure({
      inputs: {
        mirrors: sim.url('pub'),
        'private-proxy': corp,
        'probe-modules': `${HELLO}@v1.1.0`,
      },
      env: { GOPROXY: 'https://ci-bot:other@old-proxy.corp.example,direct' },
    });
    expect(configured.selection.display.GOPROXY).toBe(
      `${sim.url('corp')},${sim.url('pub')}|direct`,
    );
    const notice = configured.report.findings.find((f) => f.code === 'env-private-proxy-replaced');
    expect(notice?.message).toMatch(/https:\/\/old-proxy\.corp\.example.*not probed/);
    expect(JSON.stringify(configured.report)).not.toContain('other@');
  }, 30_000);
});

describe("the user's GONOPROXY/GONOSUMDB with a private proxy", () => {
  it('GONOPROXY is kept with a notice; GONOSUMDB is the union of theirs and the private patterns', async () => {
    const { configured } = await runConfigure({
      inputs: {
        mirrors: sim.url('pub'),
        'private-proxy': sim.url('corp', { credentials: true }),
        'probe-modules': `${HELLO}@v1.1.0`,
      },
      env: {
        GOPRIVATE: PRIVATE_HOST,
        GONOPROXY: 'vcs.other.example',
        GONOSUMDB: 'vcs.other.example',
      },
    });
    const written = Object.fromEntries(goVariables(configured).map((v) => [v.name, v.display]));
    expect(written.GONOPROXY).toBeUndefined();
    expect(written.GONOSUMDB).toBe(`vcs.other.example,${PRIVATE_HOST}`);
    expect(configured.report.findings.map((f) => f.code)).toContain('gonoproxy-kept');
  }, 30_000);
});

describe('probe modules', () => {
  it("the repository's own owner is kept off public services while its visibility is unknown", async () => {
    await runConfigure({
      inputs: { mirrors: sim.url('pub') },
      goMod: `module github.com/acme/app\n\ngo 1.19\n\nrequire (\n\tgithub.com/acme/billing-internal v1.4.0\n\t${HELLO} v1.1.0\n)\n`,
    });
    expect(naming('billing-internal')(sim.requests)).toEqual([]);
    expect(naming(HELLO)(sim.requestsFor('pub')).length).toBeGreaterThan(0);
  }, 30_000);

  it('GOSUMDB=off: no go.mod requirement is looked up in the checksum database', async () => {
    const { configured } = await runConfigure({
      inputs: { mirrors: sim.url('pub') },
      env: { GOSUMDB: 'off' },
      goMod: `module example.com/consumer\n\ngo 1.19\n\nrequire ${HELLO} v1.1.0\n`,
    });
    expect(configured.report.probeModules.map((m) => m.source)).toEqual(['builtin']);
    expect(naming(HELLO)(sim.requests)).toEqual([]);
  }, 30_000);

  it('replace: the replacement is probed, the replaced path never', async () => {
    const { configured } = await runConfigure({
      inputs: { mirrors: `${sim.url('pub')},${sim.url('pub2')}` },
      goMod: `module example.com/consumer\n\ngo 1.19\n\nrequire example.com/renamed v1.1.0\n\nreplace example.com/renamed => ${HELLO} v1.1.0\n`,
    });
    expect(naming('renamed')(sim.requests)).toEqual([]);
    expect(configured.report.probeModules).toEqual([
      { path: HELLO, version: 'v1.1.0', source: 'go.mod' },
    ]);
    expect(configured.selection.display.GOPROXY).toBe(
      `${sim.url('pub')}|${sim.url('pub2')}|direct`,
    );
  }, 30_000);

  it('a requirement no mirror serves does not fail the mirrors; a notice names it', async () => {
    const { configured } = await runConfigure({
      inputs: { mirrors: `${sim.url('pub')},${sim.url('pub2')}` },
      goMod: `module example.com/consumer\n\ngo 1.19\n\nrequire (\n\t${HELLO} v1.1.0\n\texample.com/direct-only v1.0.0\n)\n`,
    });
    expect(configured.report.probeModules.map((m) => m.path)).toEqual([
      HELLO,
      'example.com/direct-only',
    ]);
    expect(configured.selection.display.GOPROXY).toBe(
      `${sim.url('pub')}|${sim.url('pub2')}|direct`,
    );
    const notice = configured.report.findings.find((f) => f.code === 'probe-module-unserved');
    expect(notice?.level).toBe('notice');
    expect(configured.report.findings.map((f) => f.code)).not.toContain('no-mirror');
  }, 30_000);
});
