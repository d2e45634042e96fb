/**
 * Latency per round trip and the bandwidth cap. The relay's delays are timers, so lower bounds
 * are exact; upper bounds are generous deadlines for a loaded two-core machine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIG, HELLO } from './corpus.js';
import { type Simulator, startSimulator } from './simulator.js';
import { simClient } from './test-client.js';

const RTT = 100;
// Upper bounds only guard against a broken relay; a loaded 2-core CI machine needs wide slack.
const SLACK_MS = 1500;
const BANDWIDTH = 500_000;
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({
    mirrors: [
      { name: 'near' },
      { name: 'far', latencyMs: RTT },
      { name: 'far-plain', tls: false, latencyMs: RTT },
      { name: 'far-no-syn', latencyMs: RTT, chargeConnect: false },
      { name: 'narrow', bandwidthBps: BANDWIDTH },
    ],
    sumdb: { latencyMs: RTT },
  });
});

afterAll(async () => {
  await sim?.close();
});

/** Wall time of a GET on a fresh connection, then of a second GET on the same connection. */
async function timeRequests(url: string): Promise<{ fresh: number; reused: number }> {
  const client = simClient(sim.caPem);
  try {
    let started = performance.now();
    await (await client.fetch(url)).arrayBuffer();
    const fresh = performance.now() - started;
    started = performance.now();
    await (await client.fetch(url)).arrayBuffer();
    return { fresh, reused: performance.now() - started };
  } finally {
    await client.close();
  }
}

describe('latency', () => {
  const path = `/${HELLO}/@v/v1.0.0.info`;

  it('costs about three round trips for a new HTTPS request (SYN, TLS 1.3, request) and one on a reused connection', async () => {
    await timeRequests(`${sim.url('near')}${path}`); // first TLS use in the process is slow: warm up
    const near = await timeRequests(`${sim.url('near')}${path}`);
    const far = await timeRequests(`${sim.url('far')}${path}`);
    // The delays are timers, so no run can beat three round trips; CPU contention only adds time.
    expect(far.fresh).toBeGreaterThanOrEqual(2.95 * RTT);
    expect(far.fresh).toBeGreaterThan(near.fresh);
    expect(far.fresh).toBeLessThanOrEqual(near.fresh + 3 * RTT + SLACK_MS);
    expect(far.reused).toBeGreaterThanOrEqual(0.95 * RTT);
    expect(far.reused).toBeLessThanOrEqual(RTT + SLACK_MS);
  });

  it('costs two round trips for a new plain-HTTP request, one less without the SYN charge', async () => {
    const plain = await timeRequests(`${sim.url('far-plain')}${path}`);
    expect(plain.fresh).toBeGreaterThanOrEqual(1.9 * RTT);
    expect(plain.fresh).toBeLessThanOrEqual(2 * RTT + SLACK_MS);
    const noSyn = await timeRequests(`${sim.url('far-no-syn')}${path}`);
    expect(noSyn.fresh).toBeGreaterThanOrEqual(1.9 * RTT);
    expect(noSyn.fresh).toBeLessThanOrEqual(2 * RTT + SLACK_MS);
  });

  it('applies to the checksum database too', async () => {
    const db = await timeRequests(`${sim.sumdb.url}/latest`);
    expect(db.fresh).toBeGreaterThanOrEqual(2.8 * RTT);
    expect(db.reused).toBeGreaterThanOrEqual(0.95 * RTT);
  });
});

describe('bandwidth', () => {
  it('paces server→client bytes to the cap', async () => {
    const zip = sim.corpus.get(BIG, 'v1.0.0')!.zip;
    const expectedMs = (zip.length / BANDWIDTH) * 1000;
    const client = simClient(sim.caPem);
    try {
      // Warm the connection so only the transfer is timed.
      await (await client.fetch(`${sim.url('narrow')}/${HELLO}/@v/list`)).arrayBuffer();
      const started = performance.now();
      const body = Buffer.from(
        await (await client.fetch(`${sim.url('narrow')}/${BIG}/@v/v1.0.0.zip`)).arrayBuffer(),
      );
      const elapsed = performance.now() - started;
      expect(body.equals(zip)).toBe(true);
      expect(elapsed).toBeGreaterThanOrEqual(0.85 * expectedMs);
      expect(elapsed).toBeLessThanOrEqual(2 * expectedMs + SLACK_MS);
    } finally {
      await client.close();
    }
  });
});
