/**
 * The throughput phase: it only measures (a zip our window, timeout or deadline cut short never
 * fails a mirror), and it measures every mirror the ranking could put in the chain — those within
 * the latency band of the last leader too, since inside a band throughput decides (rank.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectSettings } from '../../src/select/select.js';
import { options } from '../select/fixtures.js';
import { type Simulator, startSimulator } from '../simulator/index.js';
import { BIG_V100, HELLO_V110, mirrorNamed, probeSim } from './support/sim.js';

describe('a zip cut short by our own limits is "throughput not measured", not a failure', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({
      mirrors: [
        // The reviewers' e8 setup: headers of the zip never finish (a byte every 50 ms).
        {
          name: 'zip-headers',
          latencyMs: 5,
          faults: [{ match: 'zip', fault: { kind: 'slow-headers', intervalMs: 50 } }],
        },
        // The zip body stalls after its headers: nothing arrives within the window.
        {
          name: 'zip-stall',
          latencyMs: 5,
          faults: [{ match: 'zip', fault: { kind: 'slow-body', intervalMs: 60_000 } }],
        },
      ],
    });
  });
  afterAll(() => sim?.close());

  it('both leaders stay usable and chosen, with throughput null', async () => {
    // Room for both downloads: the zip-headers one ends at its request timeout (1.8 s), the
    // zip-stall one at its window (≤ 1 s); the latency phase takes a fraction of a second.
    const timeoutMs = 6000;
    const t = performance.now();
    const run = await probeSim(sim, { modules: [HELLO_V110, BIG_V100], maxMirrors: 2, timeoutMs });
    expect(performance.now() - t).toBeLessThan(timeoutMs + 1500);
    for (const name of ['zip-headers', 'zip-stall']) {
      const probe = mirrorNamed(sim, run, name);
      // The zip was asked for: this is the throughput phase at work, not a skipped one.
      expect(
        probe.endpoints.some((e) => e.kind === 'zip'),
        name,
      ).toBe(true);
      expect(probe.usable, name).toBe(true);
      expect(probe.failure, name).toBeNull();
      expect(probe.throughputBytesPerSec, name).toBeNull();
    }
    const headers = mirrorNamed(sim, run, 'zip-headers').endpoints.find((e) => e.kind === 'zip')!;
    expect(headers.error).toMatch(/^throughput not measured: /);
    const selection = selectSettings(run, options());
    const verdicts = selection.assessments.map((a) => a.verdict);
    expect(verdicts).toEqual(['chosen', 'chosen']);
  });

  it('a zip the mirror answers with an error still fails it', async () => {
    const broken = await startSimulator({
      mirrors: [
        {
          name: 'zip-404',
          latencyMs: 5,
          faults: [{ match: 'zip', fault: { kind: 'status', status: 404 } }],
        },
      ],
    });
    try {
      const run = await probeSim(broken, { modules: [BIG_V100], maxMirrors: 1, timeoutMs: 4000 });
      const probe = mirrorNamed(broken, run, 'zip-404');
      expect(probe.usable).toBe(false);
      expect(probe.failure).toMatchObject({ code: '404', class: 'not-found' });
    } finally {
      await broken.close();
    }
  });
});

describe('throughput decides within the latency band, so every mirror in it is measured', () => {
  let sim: Simulator;
  beforeAll(async () => {
    // Same round trips (the band is ±30 ms here), different bandwidth: latency alone cannot
    // tell them apart, throughput can.
    sim = await startSimulator({
      mirrors: [
        { name: 'narrow', latencyMs: 300, bandwidthBps: 64 * 1024 },
        { name: 'wide', latencyMs: 300 },
      ],
    });
  });
  afterAll(() => sim?.close());

  it('with one place in the chain, both get a zip download and the wider one ranks first', async () => {
    const run = await probeSim(sim, { modules: [BIG_V100], maxMirrors: 1, timeoutMs: 10_000 });
    const narrow = mirrorNamed(sim, run, 'narrow');
    const wide = mirrorNamed(sim, run, 'wide');
    expect(narrow.usable && wide.usable).toBe(true);
    expect(narrow.throughputBytesPerSec).not.toBeNull();
    expect(wide.throughputBytesPerSec).not.toBeNull();
    expect(wide.throughputBytesPerSec!).toBeGreaterThan(narrow.throughputBytesPerSec!);
    const zips = sim.requests.filter((r) => r.path.endsWith('.zip')).map((r) => r.server);
    expect(new Set(zips)).toEqual(new Set(['narrow', 'wide']));
    const selection = selectSettings(run, options({ maxMirrors: 1 }));
    const chosen = selection.assessments.find((a) => a.verdict === 'chosen')!;
    expect(chosen.probe.candidate.displayUrl).toBe(sim.url('wide').replace(/\/+$/, ''));
  });
});

describe('a near mirror behind a narrow link does not shut out a farther, wide one', () => {
  let sim: Simulator;
  beforeAll(async () => {
    // near: 10 ms round trips, 192 KB/s (an average 64 KiB request pays ~340 ms for its bytes);
    // wide: 40 ms, unlimited. Outside each other's latency band, so before speed-aware probing
    // the early stop ended `wide` on latency alone and its link was never measured. far: 400 ms,
    // slower than `wide` whatever its link, so it is still stopped early.
    sim = await startSimulator({
      mirrors: [
        { name: 'near', latencyMs: 10, bandwidthBps: 192_000 },
        { name: 'wide', latencyMs: 40 },
        { name: 'far', latencyMs: 400 },
      ],
    });
  });
  afterAll(() => sim?.close());

  it('with one place in the chain, the wide mirror is measured and chosen; the far one is stopped', async () => {
    const run = await probeSim(sim, { modules: [HELLO_V110, BIG_V100], maxMirrors: 1 });
    const near = mirrorNamed(sim, run, 'near');
    const wide = mirrorNamed(sim, run, 'wide');
    expect(near.usable && wide.usable).toBe(true);
    expect(near.throughputBytesPerSec).not.toBeNull();
    expect(wide.throughputBytesPerSec).not.toBeNull();
    expect(wide.throughputBytesPerSec!).toBeGreaterThan(near.throughputBytesPerSec!);
    expect(wide.skipped).toBeNull();
    expect(run.earlyStop).toBe(true);
    expect(mirrorNamed(sim, run, 'far').skipped).toMatch(/^early stop: /);
    // One download at a time, and none from the mirror that could not win.
    const zips = sim.requests.filter((r) => r.path.endsWith('.zip')).map((r) => r.server);
    expect(new Set(zips)).toEqual(new Set(['near', 'wide']));
    const selection = selectSettings(run, options({ maxMirrors: 1 }));
    const chosen = selection.assessments.filter((a) => a.verdict === 'chosen');
    expect(chosen.map((a) => a.probe.candidate.displayUrl)).toEqual([
      sim.url('wide').replace(/\/+$/, ''),
    ]);
  });
});
