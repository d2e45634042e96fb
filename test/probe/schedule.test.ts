/**
 * How the probe spends its time, seen from the client: a mirror's modules are probed side by side
 * (as the go command fetches modules), while each module's own requests stay in order; the
 * throughput downloads never overlap, and a mirror that has settled among the leaders starts its
 * download while slower mirrors are still being probed. Orders of events only, no speed bounds:
 * the fleet's round trips differ by a factor of three or more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpClient, createHttpClient } from '../../src/net/http.js';
import { runProbe } from '../../src/probe/engine.js';
import type { ProbeRun } from '../../src/probe/types.js';
import { type Simulator, startSimulator } from '../simulator/index.js';
import {
  BIG_V100,
  HELLO_V110,
  PRIVATE_PATTERNS,
  mirrorNamed,
  noNames,
  simCandidates,
  simDatabase,
} from './support/sim.js';

interface Entry {
  readonly url: string;
  readonly start: number;
  readonly end: number;
}

function recording(inner: HttpClient, entries: Entry[]): HttpClient {
  return {
    async get(url, options) {
      const start = performance.now();
      const result = await inner.get(url, options);
      entries.push({ url, start, end: performance.now() });
      return result;
    },
    close: () => inner.close(),
  };
}

describe('probe schedule (fast 20 ms, nosumdb 60 ms, slow 400 ms, blackhole)', () => {
  let sim: Simulator;
  let run: ProbeRun;
  const entries: Entry[] = [];
  const of = (name: string) => entries.filter((e) => e.url.startsWith(sim.url(name)));

  beforeAll(async () => {
    sim = await startSimulator({
      mirrors: [
        { name: 'fast', latencyMs: 20 },
        { name: 'nosumdb', latencyMs: 60, sumdb: 404 },
        { name: 'slow', latencyMs: 400 },
        { name: 'blackhole', blackhole: true },
      ],
    });
    const http = recording(
      createHttpClient({ extraCaCerts: [sim.caPem], netrc: false, lookup: noNames }),
      entries,
    );
    try {
      run = await runProbe(
        {
          candidates: simCandidates(sim, sim.mirrorNames),
          modules: [HELLO_V110, BIG_V100],
          privatePatterns: PRIVATE_PATTERNS,
          database: simDatabase(sim),
          timeoutMs: 10_000,
          maxMirrors: 2,
        },
        { http },
      );
    } finally {
      await http.close();
    }
  }, 30_000);
  afterAll(() => sim?.close());

  it('chooses as before: fast and nosumdb measured fully, slow and blackhole stopped early', () => {
    expect(run.earlyStop).toBe(true);
    for (const name of ['fast', 'nosumdb']) {
      const m = mirrorNamed(sim, run, name);
      expect(m.usable, name).toBe(true);
      expect(m.latencySamples.length, name).toBe(7);
      expect(m.throughputBytesPerSec, name).not.toBeNull();
    }
    for (const name of ['slow', 'blackhole'])
      expect(mirrorNamed(sim, run, name).skipped, name).toMatch(/^early stop: /);
  });

  it("probes a mirror's two modules side by side, each module's requests in order", () => {
    const lists = of('fast').filter((e) => e.url.endsWith('/@v/list'));
    expect(lists).toHaveLength(2);
    const [a, b] = lists.sort((x, y) => x.start - y.start);
    expect(b!.start).toBeLessThan(a!.end);
    for (const module of ['example.com/hello/@v/', 'example.com/big/@v/']) {
      const sequence = of('fast').filter((e) => e.url.includes(module) && !e.url.endsWith('.zip'));
      expect(sequence.map((e) => e.url.slice(e.url.lastIndexOf('/') + 1))).toEqual(
        ['list', 'v1.1.0.info', 'v1.1.0.mod'].map((s) =>
          module.includes('big') ? s.replace('1.1.0', '1.0.0') : s,
        ),
      );
      for (let i = 1; i < sequence.length; i++)
        expect(sequence[i]!.start).toBeGreaterThanOrEqual(sequence[i - 1]!.end);
    }
    // The reported endpoints keep the plan's order: module by module, then the rest.
    const kinds = mirrorNamed(sim, run, 'fast').endpoints.map((e) => `${e.kind} ${e.module ?? ''}`);
    expect(kinds.slice(0, 6)).toEqual([
      'list example.com/hello',
      'info example.com/hello@v1.1.0',
      'mod example.com/hello@v1.1.0',
      'list example.com/big',
      'info example.com/big@v1.0.0',
      'mod example.com/big@v1.0.0',
    ]);
  });

  it('never runs two downloads at once', () => {
    const zips = entries.filter((e) => e.url.endsWith('.zip')).sort((a, b) => a.start - b.start);
    expect(new Set(zips.map((z) => new URL(z.url).origin)).size).toBe(2);
    for (let i = 1; i < zips.length; i++)
      expect(zips[i]!.start).toBeGreaterThanOrEqual(zips[i - 1]!.end);
  });

  it('starts the first leader’s download while a slower mirror is still being probed', () => {
    const firstFastZip = Math.min(
      ...of('fast')
        .filter((e) => e.url.endsWith('.zip'))
        .map((e) => e.start),
    );
    const fastLatencyEnd = Math.max(
      ...of('fast')
        .filter((e) => !e.url.endsWith('.zip'))
        .map((e) => e.end),
    );
    const nosumdbSupported = of('nosumdb').find((e) => e.url.endsWith('/supported'))!;
    expect(firstFastZip).toBeGreaterThanOrEqual(fastLatencyEnd);
    expect(firstFastZip).toBeLessThan(nosumdbSupported.end);
  });
});
