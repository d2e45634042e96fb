/**
 * One retry after a timeout (retry.ts): a healthy mirror whose request stalls once (what a loaded
 * runner can make of any request) is not dropped; a dead one still fails, and the deadline holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../simulator/index.js';
import { HELLO_V110, mirrorNamed, probeSim } from './support/sim.js';

describe('a request that times out is asked once more when the deadline leaves room', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({
      mirrors: [
        // Its first .info request is never answered; every other request is.
        {
          name: 'hiccup',
          latencyMs: 5,
          faults: [{ match: 'info', fault: { kind: 'blackhole' }, times: 1 }],
        },
        { name: 'dead', blackhole: true },
      ],
    });
  });
  afterAll(() => sim?.close());

  it('a mirror that stalled once stays usable, and the retry is on record', async () => {
    sim.reset();
    // 4 s: a request times out after 1.2 s, which leaves room for a second attempt.
    const run = await probeSim(sim, {
      names: ['hiccup'],
      modules: [HELLO_V110],
      maxMirrors: 1,
      timeoutMs: 4000,
    });
    const hiccup = mirrorNamed(sim, run, 'hiccup');
    expect(hiccup.usable).toBe(true);
    expect(hiccup.failure).toBeNull();
    const info = hiccup.endpoints.find((e) => e.kind === 'info')!;
    expect(info.ok).toBe(true);
    expect(info.retriedAfter).toMatch(/timeout/);
    expect(sim.requestsFor('hiccup').filter((r) => r.path.endsWith('.info'))).toHaveLength(2);
  });

  it('a dead mirror still fails with its timeout, within the deadline', async () => {
    const timeoutMs = 4000;
    const t = performance.now();
    const run = await probeSim(sim, {
      names: ['dead'],
      modules: [HELLO_V110],
      maxMirrors: 1,
      timeoutMs,
    });
    expect(performance.now() - t).toBeLessThan(timeoutMs + 1500);
    expect(mirrorNamed(sim, run, 'dead').failure?.code).toBe('timeout');
  });

  it('no retry when the deadline has no room for a whole second attempt', async () => {
    sim.reset();
    // 1.5 s: a request times out after 750 ms, and less than that is left before the deadline.
    const run = await probeSim(sim, {
      names: ['hiccup'],
      modules: [HELLO_V110],
      maxMirrors: 1,
      timeoutMs: 1500,
    });
    const hiccup = mirrorNamed(sim, run, 'hiccup');
    expect(hiccup.usable).toBe(false);
    expect(hiccup.failure?.code).toBe('timeout');
    expect(sim.requestsFor('hiccup').filter((r) => r.path.endsWith('.info'))).toHaveLength(1);
  });
});
