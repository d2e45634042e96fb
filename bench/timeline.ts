/**
 * Where the probe's time goes: runs one probe of a benchmark scenario (after one unmeasured
 * warm-up) with an HTTP client that records when every request started and ended, and prints
 * the requests on a time line. For investigating the probe wall-time targets.
 *
 *   npx tsx bench/timeline.ts [scenario] [mirror,mirror…]
 *
 * Runs in-process (no heartbeat guard as in the benchmark): run it under `timeout 60`.
 * GPS_BENCH_SRC works here too.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as GosumdbModule from '../src/goenv/gosumdb.js';
import type * as HttpModule from '../src/net/http.js';
import type * as CatalogModule from '../src/probe/catalog.js';
import type * as EngineModule from '../src/probe/engine.js';
import type * as SelectModule from '../src/select/select.js';
import { startSimulator } from '../test/simulator/index.js';
import { sourceRoot } from './probe.js';
import { SCENARIOS } from './scenarios.js';
import { ms } from './stats.js';

const srcRoot = sourceRoot();
const load = <T>(file: string): Promise<T> =>
  import(pathToFileURL(join(srcRoot, file)).href) as Promise<T>;
const [engine, http, gosumdb, catalog, select] = await Promise.all([
  load<typeof EngineModule>('probe/engine.ts'),
  load<typeof HttpModule>('net/http.ts'),
  load<typeof GosumdbModule>('goenv/gosumdb.ts'),
  load<typeof CatalogModule>('probe/catalog.ts'),
  load<typeof SelectModule>('select/select.ts'),
]);

const scenario = SCENARIOS.find((s) => s.name === (process.argv[2] ?? 'standard'));
if (!scenario) throw new Error(`no scenario ${process.argv[2]}`);
const sim = await startSimulator({ mirrors: scenario.mirrors, sumdb: scenario.sumdb });
const home = await mkdtemp(join(tmpdir(), 'gps-bench-timeline-'));

interface Entry {
  readonly url: string;
  readonly start: number;
  readonly end: number;
  readonly outcome: string;
  readonly bytes: number;
  readonly fresh: boolean;
}

try {
  const names = process.argv[3]?.split(',') ?? sim.mirrorNames;
  const env = { PATH: process.env.PATH ?? '', HOME: home, SSL_CERT_FILE: sim.caFile };
  const parsed = gosumdb.parseGosumdb(sim.sumdb.gosumdb);
  if (!parsed.ok || parsed.db.kind !== 'db') throw new Error('bad GOSUMDB');
  const database = gosumdb.toChecksumDatabase(parsed.db);
  const modules = [
    { path: 'example.com/Upper', version: 'v1.0.0' },
    { path: 'example.com/big', version: 'v1.0.0' },
  ];

  const probeOnce = async () => {
    const inner = http.createHttpClient({ env });
    const entries: Entry[] = [];
    let t0 = 0;
    const client: HttpModule.HttpClient = {
      async get(url, options) {
        const start = performance.now() - t0;
        const result = await inner.get(url, options);
        entries.push({
          url,
          start,
          end: performance.now() - t0,
          outcome: String(result.outcome),
          bytes: result.bytes,
          fresh: result.timing.connectMs !== null || result.timing.tlsMs !== null,
        });
        return result;
      },
      close: () => inner.close(),
    };
    t0 = performance.now();
    const run = await engine.runProbe(
      {
        candidates: catalog.buildCandidates({ mirrors: names.map((n) => sim.url(n)) }),
        modules,
        privateModules: [],
        privatePatterns: '',
        database,
        timeoutMs: 10_000,
        maxMirrors: 2,
        env,
      },
      { http: client },
    );
    const probeMs = performance.now() - t0;
    const selection = select.selectSettings(run, {
      fallback: 'direct',
      maxMirrors: 2,
      gosumdb: 'auto',
      goVersion: 'go1.19.8',
      privatePatterns: [],
      existingGoproxy: null,
    });
    const wall = performance.now() - t0;
    await client.close();
    return { entries, probeMs, wall, run, selection };
  };

  await probeOnce(); // warm-up
  const { entries, probeMs, wall, run, selection } = await probeOnce();
  const label = (url: string) => {
    let out = url.split(sim.sumdb.vkey).join('<db>');
    for (const n of sim.mirrorNames) out = out.split(sim.url(n).replace(/\/+$/, '')).join(n);
    out = out.split(sim.sumdb.url).join('sumdb');
    return out.replace(`/sumdb/${sim.sumdb.name}`, '/sumdb/<db>');
  };
  console.log(
    `${scenario.name}: ${names.join(', ')} → ${label(selection.settings.GOPROXY)}  (runProbe ${ms(probeMs)}, + selectSettings ${ms(wall)}; early stop ${run.earlyStop})`,
  );
  const scale = 60 / Math.max(wall, 1);
  for (const e of entries.sort((a, b) => a.start - b.start)) {
    const bar = `${' '.repeat(Math.round(e.start * scale))}${'█'.repeat(Math.max(1, Math.round((e.end - e.start) * scale)))}`;
    console.log(
      `${String(Math.round(e.start)).padStart(5)}–${String(Math.round(e.end)).padEnd(5)} ${bar.padEnd(62)} ${label(e.url)} ${e.outcome}${e.fresh ? ' (new connection)' : ''}${e.bytes > 10_000 ? ` ${Math.round(e.bytes / 1024)} KiB` : ''}`,
    );
  }
  const lastMirrorRequest = Math.max(...entries.map((e) => e.end));
  console.log(`last request ended at ${ms(lastMirrorRequest)}; probe returned at ${ms(probeMs)}`);
} finally {
  await sim.close();
  await rm(home, { recursive: true, force: true });
}
