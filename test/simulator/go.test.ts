/**
 * The real go command (Go 1.19) against the simulator: it downloads the corpus and verifies every
 * module against the simulated checksum database — directly, through a mirror's relay, and by an
 * explicit URL — and refuses tampered content.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HELLO, PRIVATE_MODULE } from './corpus.js';
import {
  defaultConsumerModules,
  goSumLines,
  isolatedGoEnv,
  removeGoTree,
  runGo,
  writeConsumerModule,
} from './go.js';
import { DEFAULT_PRIVATE_AUTH } from './presets.js';
import { type Simulator, startSimulator } from './simulator.js';

let sim: Simulator;
let root: string;

beforeAll(async () => {
  sim = await startSimulator({
    mirrors: [
      { name: 'relay' },
      { name: 'norelay', sumdb: 404 },
      { name: 'tampered-mod', sumdb: 404, faults: [{ match: 'mod', fault: { kind: 'tamper' } }] },
      { name: 'tampered-zip', sumdb: 404, faults: [{ match: 'zip', fault: { kind: 'tamper' } }] },
      { name: 'forged-record', faults: [{ match: 'sumdb-lookup', fault: { kind: 'tamper' } }] },
      { name: 'private', serves: 'private', auth: DEFAULT_PRIVATE_AUTH, sumdb: 404 },
    ],
  });
});

afterAll(async () => {
  await sim?.close();
});

beforeEach(async () => {
  sim.reset();
  root = await mkdtemp(join(tmpdir(), 'gps-sim-go-'));
});

afterEach(async () => {
  await removeGoTree(root);
});

/** `go mod download <every required module>` in a fresh consumer module without go.sum. */
async function download(
  extraEnv: Record<string, string>,
  modules = defaultConsumerModules(sim.corpus),
) {
  const dir = await writeConsumerModule(join(root, 'consumer'), sim.corpus, { modules });
  const env = isolatedGoEnv(root, {
    SSL_CERT_FILE: sim.caFile,
    GOSUMDB: sim.sumdb.gosumdb,
    ...extraEnv,
  });
  const result = await runGo(['mod', 'download', ...modules.map((m) => m.path)], {
    cwd: dir,
    env,
    timeoutMs: 90_000,
  });
  const goSum = await readFile(join(dir, 'go.sum'), 'utf8').catch(() => '');
  return { ...result, goSum, dir, env, modules };
}

function paths(server: string): string[] {
  return sim.requestsFor(server).map((r) => r.path);
}

describe('go mod download verifies against the simulated checksum database', () => {
  it('directly at https://<name> when the mirror does not relay it; a second run is a cache hit', async () => {
    const run = await download({ GOPROXY: sim.url('norelay') });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(goSumLines(run.goSum)).toEqual(goSumLines(sim.corpus.goSum(run.modules)));

    expect(paths('norelay')).toContain(`/sumdb/${sim.sumdb.name}/supported`);
    const db = sim.requestsFor('sumdb');
    expect(db.length).toBeGreaterThan(0);
    expect(db.every((r) => r.via === undefined && r.status === 200)).toBe(true);
    for (const m of run.modules)
      expect(db.map((r) => r.path)).toContain(`/lookup/${m.escapedPath}@${m.escapedVersion}`);
    expect(db.some((r) => r.path.startsWith('/tile/8/0/'))).toBe(true);

    sim.reset();
    const again = await runGo(['mod', 'download', ...run.modules.map((m) => m.path)], {
      cwd: run.dir,
      env: run.env,
    });
    expect(again.code).toBe(0);
    expect(sim.requests).toEqual([]);
  });

  it('through the mirror relay /sumdb/<name>/… when /supported answers 200', async () => {
    const run = await download({ GOPROXY: sim.url('relay') });
    expect(run.code).toBe(0);
    expect(goSumLines(run.goSum)).toEqual(goSumLines(sim.corpus.goSum(run.modules)));
    const db = sim.requestsFor('sumdb');
    expect(db.length).toBeGreaterThan(0);
    expect(db.every((r) => r.via === 'relay')).toBe(true);
    expect(paths('relay')).toContain(`/sumdb/${sim.sumdb.name}/supported`);
  });

  it('at an explicit URL (GOSUMDB="<vkey> <url>") without probing /supported', async () => {
    const run = await download({ GOPROXY: sim.url('relay'), GOSUMDB: sim.sumdb.gosumdbWithUrl });
    expect(run.code).toBe(0);
    expect(goSumLines(run.goSum)).toEqual(goSumLines(sim.corpus.goSum(run.modules)));
    expect(paths('relay').some((p) => p.startsWith('/sumdb/'))).toBe(false);
    expect(sim.requestsFor('sumdb').every((r) => r.via === undefined)).toBe(true);
  });
});

describe('go refuses tampered mirrors', () => {
  const hello = () => [sim.corpus.get(HELLO, 'v1.0.0')!];

  it('a tampered .mod is a SECURITY ERROR against the checksum server', async () => {
    const run = await download({ GOPROXY: sim.url('tampered-mod') }, hello());
    expect(run.code).not.toBe(0);
    const hash = sim.corpus.get(HELLO, 'v1.0.0')!.modHash;
    expect(run.stderr).toContain(`go: ${HELLO}@v1.0.0: verifying go.mod: checksum mismatch`);
    expect(run.stderr).toContain(`\t${sim.sumdb.name}: ${hash}\n`);
    expect(run.stderr).toContain(
      'SECURITY ERROR\nThis download does NOT match the one reported by the checksum server.',
    );
  });

  it('a tampered .zip is a SECURITY ERROR too', async () => {
    const run = await download({ GOPROXY: sim.url('tampered-zip') }, hello());
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`go: ${HELLO}@v1.0.0: verifying module: checksum mismatch`);
    expect(run.stderr).toContain(
      `\t${sim.sumdb.name}: ${sim.corpus.get(HELLO, 'v1.0.0')!.zipHash}\n`,
    );
    expect(run.stderr).toContain('SECURITY ERROR');
  });

  it('a forged checksum-database record (relayed by the mirror) fails verification against the signed tree', async () => {
    const run = await download({ GOPROXY: sim.url('forged-record') }, hello());
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(
      `go: ${HELLO}@v1.0.0: verifying go.mod: ${HELLO}@v1.0.0/go.mod: cannot authenticate record data in server response`,
    );
    expect(run.goSum).not.toContain(HELLO);
  });
});

describe('go through the forward proxy and the private proxy', () => {
  it('honours HTTPS_PROXY for <mirror>.sim.test, and NO_PROXY bypasses it', async () => {
    const goproxy = sim.url('relay', { host: 'sim.test' });
    const run = await download({ GOPROXY: goproxy, HTTPS_PROXY: sim.forwardProxy.url });
    expect(run.code).toBe(0);
    expect(goSumLines(run.goSum)).toEqual(goSumLines(sim.corpus.goSum(run.modules)));
    const targets = new Set(sim.requestsFor('forward-proxy').map((r) => r.target));
    expect(targets).toEqual(new Set([new URL(goproxy).host]));
    expect(sim.requestsFor('sumdb').every((r) => r.via === 'relay')).toBe(true);

    await removeGoTree(root);
    sim.reset();
    const bypass = await download({
      GOPROXY: goproxy,
      HTTPS_PROXY: sim.forwardProxy.url,
      NO_PROXY: '.sim.test',
    });
    expect(bypass.code).not.toBe(0);
    expect(bypass.stderr).toMatch(/relay\.sim\.test.*(no such host|server misbehaving|lookup)/);
    expect(sim.requestsFor('forward-proxy')).toEqual([]);
  });

  it('fetches a private module from the credentialed private proxy and nothing private reaches public servers', async () => {
    const modules = [sim.corpus.get(PRIVATE_MODULE, 'v1.0.0')!, sim.corpus.get(HELLO, 'v1.1.0')!];
    const run = await download(
      {
        GOPROXY: `${sim.url('private', { credentials: true })},${sim.url('relay')}`,
        GOPRIVATE: 'git.corp.example',
        GONOPROXY: 'none',
      },
      modules,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(goSumLines(run.goSum)).toEqual(goSumLines(sim.corpus.goSum(modules)));

    const privateLog = sim.requestsFor('private');
    expect(
      privateLog.some(
        (r) => r.path.includes(PRIVATE_MODULE) && r.status === 200 && r.authorization,
      ),
    ).toBe(true);
    const publicServers = sim.requests.filter((r) => r.server !== 'private');
    expect(
      publicServers.filter(
        (r) => r.path.includes(PRIVATE_MODULE) || r.path.includes('git.corp.example'),
      ),
    ).toEqual([]);
    expect(sim.requestsFor('sumdb').some((r) => r.path.includes(HELLO))).toBe(true);
  });
});
