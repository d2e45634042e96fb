/**
 * The probe engine against the loopback mirror simulator: deadline, early stop, privacy,
 * integrity, checksum-database routes, the environment's proxy. No speed assertions: only
 * generous deadline bounds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUM_GOLANG_ORG_KEY } from '../../src/goenv/gosumdb.js';
import { PrivacyError } from '../../src/probe/sumdb.js';
import { PRIVATE_MODULE, type Simulator, startSimulator } from '../simulator/index.js';
import { BIG_V100, HELLO_V110, UPPER_V100, mirrorNamed, probeSim } from './support/sim.js';

const SLACK_MS = 1500;

describe('a realistic fleet (fast, slow, 403, no sumdb relay, blackhole)', () => {
  let sim: Simulator;
  let run: Awaited<ReturnType<typeof probeSim>>;
  beforeAll(async () => {
    sim = await startSimulator({
      mirrors: [
        { name: 'fast', latencyMs: 20 },
        { name: 'slow', latencyMs: 400 },
        { name: 'forbidden', latencyMs: 40, status: 403 },
        { name: 'nosumdb', latencyMs: 60, sumdb: 404 },
        { name: 'blackhole', blackhole: true },
      ],
    });
    run = await probeSim(sim, {});
  });
  afterAll(() => sim?.close());

  it('ends well within the deadline and stops early', () => {
    expect(run.wallTimeMs).toBeLessThan(10_000);
    expect(run.deadlineHit).toBe(false);
    expect(run.earlyStop).toBe(true);
  });

  it('measures the good mirrors fully: at least three samples, phase medians, integrity verified', () => {
    for (const name of ['fast', 'nosumdb']) {
      const m = mirrorNamed(sim, run, name);
      expect(m.usable).toBe(true);
      expect(m.latencySamples.length).toBeGreaterThanOrEqual(3);
      expect(m.median.ttfbMs).not.toBeNull();
      expect(m.median.connectMs).not.toBeNull();
      expect(m.median.tlsMs).not.toBeNull();
      expect(m.integrity).toBe('verified');
      expect(Object.keys(m.modHashes).sort()).toEqual([
        'example.com/big@v1.0.0',
        'example.com/hello@v1.1.0',
      ]);
    }
  });

  it('records the exact /supported status', () => {
    expect(mirrorNamed(sim, run, 'fast').sumdbSupported).toBe(200);
    expect(mirrorNamed(sim, run, 'nosumdb').sumdbSupported).toBe(404);
    expect(mirrorNamed(sim, run, 'forbidden').sumdbSupported).toBe(403);
  });

  it('the 403 gatekeeper failed terminally', () => {
    const m = mirrorNamed(sim, run, 'forbidden');
    expect(m.usable).toBe(false);
    expect(m.failure).toMatchObject({ code: '403', class: 'terminal' });
  });

  it('the slow and blackholed mirrors were stopped early, with the reason', () => {
    for (const name of ['slow', 'blackhole']) {
      const m = mirrorNamed(sim, run, name);
      expect(m.usable).toBe(false);
      expect(m.skipped).toMatch(/^early stop: /);
    }
  });

  // One download at a time: schedule.test.ts watches the order of the requests.
  it('measured throughput for the leaders only', () => {
    expect(mirrorNamed(sim, run, 'fast').throughputBytesPerSec).toBeGreaterThan(0);
    expect(mirrorNamed(sim, run, 'nosumdb').throughputBytesPerSec).toBeGreaterThan(0);
    expect(mirrorNamed(sim, run, 'forbidden').throughputBytesPerSec).toBeNull();
    const zipServers = sim.requests.filter((r) => r.path.endsWith('.zip')).map((r) => r.server);
    expect(new Set(zipServers)).toEqual(new Set(['fast', 'nosumdb']));
  });

  it('checksum database: the direct route and the relay of the fast mirror verify; signed hashes are known', () => {
    const direct = run.sumdbRoutes.find((r) => r.kind === 'direct')!;
    expect(direct).toMatchObject({ ok: true, outcome: 200 });
    const relay = run.sumdbRoutes.find(
      (r) => r.kind === 'mirror' && r.mirror === sim.url('fast').replace(/\/+$/, ''),
    );
    expect(relay).toMatchObject({ ok: true, outcome: 200 });
    expect(run.sumdbRoutes.some((r) => r.kind === 'alias')).toBe(false);
    const hello = sim.corpus.get('example.com/hello', 'v1.1.0')!;
    expect(run.signedModHashes['example.com/hello@v1.1.0']).toBe(hello.modHash);
  });
});

describe('the deadline always holds', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({
      mirrors: [
        { name: 'good', latencyMs: 10 },
        { name: 'blackhole', blackhole: true },
        {
          name: 'drip',
          faults: [
            { match: ['list', 'info', 'mod'], fault: { kind: 'slow-body', intervalMs: 100 } },
          ],
        },
        { name: 'drip-headers', faults: [{ fault: { kind: 'slow-headers', intervalMs: 50 } }] },
        // Every answer arrives, just slowly: only the deadline can end its sequence. With a 1 s
        // timeout its first request (~3 round trips) fits the 750 ms request timeout while its
        // module requests (~5 round trips, both modules side by side) outlast the 900 ms deadline.
        { name: 'crawl', latencyMs: 200 },
      ],
    });
  });
  afterAll(() => sim?.close());

  it.each([1000, 3000])(
    'timeout %i ms with a blackholed and slow-drip mirrors and no early stop possible',
    async (timeoutMs) => {
      const t = performance.now();
      // maxMirrors 3 > the one good mirror: nothing can be stopped early, only the deadline ends it.
      const run = await probeSim(sim, { timeoutMs, maxMirrors: 3 });
      const wall = performance.now() - t;
      expect(wall).toBeLessThan(timeoutMs + SLACK_MS);
      expect(run.wallTimeMs).toBeLessThanOrEqual(Math.ceil(wall));
      expect(mirrorNamed(sim, run, 'good').usable).toBe(true);
      expect(run.wallTimeMs).toBeLessThanOrEqual(timeoutMs + 100);
      for (const name of ['blackhole', 'drip', 'drip-headers']) {
        const m = mirrorNamed(sim, run, name);
        expect(m.usable).toBe(false);
        // Either its own request timeout or the deadline ended it, and that is on record.
        const verdict = m.skipped ?? m.failure?.code;
        expect(verdict).toMatch(/deadline|timeout/);
      }
      if (timeoutMs === 1000) {
        expect(run.deadlineHit).toBe(true);
        const crawl = mirrorNamed(sim, run, 'crawl');
        expect(crawl.skipped ?? crawl.failure?.code).toMatch(/deadline|timeout/);
      }
    },
  );
});

describe('private modules', () => {
  let sim: Simulator;
  const auth = { user: 'ci-bot', password: 's3cret-pw' };
  beforeAll(async () => {
    sim = await startSimulator({
      mirrors: [
        { name: 'private', serves: 'private', auth, sumdb: 404 },
        { name: 'public', latencyMs: 5 },
        { name: 'public2', latencyMs: 5 },
      ],
    });
  });
  afterAll(() => sim?.close());

  it('go only to the private proxy, with its credentials; public mirrors and the database never see them', async () => {
    const privateUrl = sim.url('private', { credentials: true });
    expect(privateUrl).toContain('s3cret-pw');
    const { candidateFromUrl } = await import('../../src/probe/catalog.js');
    const { simCandidates } = await import('./support/sim.js');
    sim.reset();
    const run = await probeSim(sim, {
      candidates: [
        candidateFromUrl(privateUrl, 'private'),
        ...simCandidates(sim, ['public', 'public2']),
      ],
      modules: [HELLO_V110],
      privateModules: [{ path: PRIVATE_MODULE, version: 'v1.0.0' }],
    });
    const priv = run.mirrors[0]!;
    expect(priv.candidate.isPrivate).toBe(true);
    expect(priv.usable).toBe(true);
    expect(priv.integrity).toBe('unchecked');
    // Candidate.url keeps the credentials Go needs (documented: never printed); nothing else may.
    const shown = {
      ...run,
      mirrors: run.mirrors.map((m) => ({ ...m, candidate: { ...m.candidate, url: '' } })),
    };
    expect(JSON.stringify(shown)).not.toContain('s3cret-pw');
    expect(JSON.stringify(shown)).not.toContain('ci-bot');
    const privateRequests = sim.requestsFor('private');
    expect(privateRequests.some((r) => r.path.includes(PRIVATE_MODULE))).toBe(true);
    expect(
      privateRequests
        .filter((r) => r.path.includes(PRIVATE_MODULE))
        .every((r) => r.authorization && r.status === 200),
    ).toBe(true);
    expect(privateRequests.some((r) => r.path.includes('example.com/hello'))).toBe(false);
    for (const server of ['public', 'public2', 'sumdb']) {
      expect(sim.requestsFor(server).length).toBeGreaterThan(0);
      expect(sim.requestsFor(server).some((r) => r.path.includes('git.corp.example'))).toBe(false);
    }
  });

  it('refuses, before any request, to probe public mirrors with a private module', async () => {
    sim.reset();
    await expect(
      probeSim(sim, { names: ['public'], modules: [{ path: PRIVATE_MODULE, version: 'v1.0.0' }] }),
    ).rejects.toThrow(PrivacyError);
    expect(sim.requests).toHaveLength(0);
  });
});

describe('integrity', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({
      mirrors: [
        { name: 'good', latencyMs: 5 },
        { name: 'good2', latencyMs: 5 },
        { name: 'tampered-mod', faults: [{ match: 'mod', fault: { kind: 'tamper' } }] },
        { name: 'empty-mod', faults: [{ match: 'mod', fault: { kind: 'empty' } }] },
        { name: 'tampered-zip', faults: [{ match: 'zip', fault: { kind: 'tamper' } }] },
      ],
    });
  });
  afterAll(() => sim?.close());

  it('against the signed records: tampered .mod and .zip are mismatches, an empty .mod is named', async () => {
    const run = await probeSim(sim, { maxMirrors: 10 });
    expect(mirrorNamed(sim, run, 'good').integrity).toBe('verified');
    const mod = mirrorNamed(sim, run, 'tampered-mod');
    expect(mod.integrity).toBe('mismatch');
    expect(mod.integrityDetail).toContain('checksum database has');
    const empty = mirrorNamed(sim, run, 'empty-mod');
    expect(empty.integrity).toBe('empty-mod');
    expect(empty.integrityDetail).toContain('h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=');
    expect(empty.usable).toBe(false);
    const zip = mirrorNamed(sim, run, 'tampered-zip');
    expect(Object.keys(zip.zipHashes).length).toBeGreaterThan(0);
    expect(zip.integrity).toBe('mismatch');
    expect(zip.integrityDetail).toMatch(/zip: served/);
  });

  it('without a reachable database: cross-mirror agreement, and it says so', async () => {
    const blind = await startSimulator({
      sumdb: { status: 500 },
      mirrors: [
        { name: 'a', latencyMs: 5 },
        { name: 'b', latencyMs: 5 },
        { name: 'c', latencyMs: 5 },
        { name: 'odd', faults: [{ match: 'mod', fault: { kind: 'tamper' } }] },
      ],
    });
    try {
      const run = await probeSim(blind, { modules: [HELLO_V110, UPPER_V100], maxMirrors: 1 });
      expect(Object.keys(run.signedModHashes)).toHaveLength(0);
      expect(run.sumdbRoutes.every((r) => !r.ok)).toBe(true);
      for (const name of ['a', 'b', 'c']) {
        const m = mirrorNamed(blind, run, name);
        expect(m.integrity).toBe('agreed');
        expect(m.integrityDetail).toContain('checksum database not reached');
      }
      const odd = mirrorNamed(blind, run, 'odd');
      expect(odd.integrity).toBe('mismatch');
      expect(odd.integrityDetail).toContain('3 of 4 mirrors served');
    } finally {
      await blind.close();
    }
  });
});

describe('checksum-database routes', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({
      mirrors: [
        { name: 'relay', latencyMs: 5 },
        {
          name: 'forger',
          latencyMs: 5,
          faults: [{ match: 'sumdb-lookup', fault: { kind: 'tamper' } }],
        },
        { name: 'norelay', latencyMs: 5, sumdb: 410 },
      ],
    });
  });
  afterAll(() => sim?.close());

  it('a relay serving a forged record is not a route, even though its tree note verifies', async () => {
    const run = await probeSim(sim, { maxMirrors: 3 });
    const relayRoute = (name: string) =>
      run.sumdbRoutes.find((r) => r.mirror === sim.url(name).replace(/\/+$/, ''));
    expect(relayRoute('relay')).toMatchObject({ ok: true });
    expect(relayRoute('forger')).toMatchObject({ ok: false });
    // The tiles (served genuinely) hold another leaf at the record's id: Go's own words.
    expect(relayRoute('forger')!.error).toBe(
      'served a record that is not in the signed tree (Go would fail: cannot authenticate record data in server response)',
    );
    expect(relayRoute('norelay')).toBeUndefined();
    expect(mirrorNamed(sim, run, 'norelay').sumdbSupported).toBe(410);
  });

  it('an explicit GOSUMDB URL is the only standalone route', async () => {
    const { simDatabase } = await import('./support/sim.js');
    const run = await probeSim(sim, { database: simDatabase(sim, true), names: ['norelay'] });
    const standalone = run.sumdbRoutes.filter((r) => r.kind !== 'mirror');
    expect(standalone).toHaveLength(1);
    expect(standalone[0]).toMatchObject({
      kind: 'direct',
      route: sim.sumdb.url.replace(/\/+$/, ''),
      ok: true,
    });
  });

  it('for sum.golang.org the alias route is tried too; a wrong key never verifies', async () => {
    const run = await probeSim(sim, {
      names: ['relay'],
      database: {
        name: 'sum.golang.org',
        key: SUM_GOLANG_ORG_KEY,
        value: 'sum.golang.org',
        explicitUrl: null,
      },
    });
    const kinds = run.sumdbRoutes.map((r) => `${r.kind} ${r.route}`);
    expect(kinds).toContain('direct https://sum.golang.org');
    expect(kinds).toContain('alias https://sum.golang.google.cn');
    // No DNS in tests; the simulator relays sum.golang.org with its own key, which must not verify.
    expect(run.sumdbRoutes.every((r) => !r.ok)).toBe(true);
    expect(run.sumdbRoutes.find((r) => r.kind === 'direct')!.outcome).toBe('dns');
  });
});

describe('the proxy from the environment', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ mirrors: [{ name: 'far', latencyMs: 5 }] });
  });
  afterAll(() => sim?.close());

  it('reaches a non-loopback mirror name only through HTTPS_PROXY', async () => {
    const { simCandidates } = await import('./support/sim.js');
    sim.reset();
    const run = await probeSim(
      sim,
      { candidates: simCandidates(sim, ['far'], { host: 'sim.test' }), modules: [BIG_V100] },
      { HTTPS_PROXY: sim.forwardProxy.url },
    );
    const far = run.mirrors[0]!;
    expect(far.usable).toBe(true);
    expect(far.median.tlsMs).not.toBeNull();
    const tunnels = sim.requestsFor('forward-proxy').filter((r) => r.method === 'CONNECT');
    expect(tunnels.some((r) => r.target?.startsWith('far.sim.test:'))).toBe(true);
  });

  it('without the proxy the same name does not resolve', async () => {
    const { simCandidates } = await import('./support/sim.js');
    const run = await probeSim(sim, {
      candidates: simCandidates(sim, ['far'], { host: 'sim.test' }),
      modules: [BIG_V100],
    });
    expect(run.mirrors[0]!.failure?.code).toBe('dns');
  });
});
