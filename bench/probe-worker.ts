/**
 * Runs our probe + selection in a worker thread, away from the simulator's event loop, so that a
 * probe that stops yielding (a synchronous or microtask loop) cannot freeze the benchmark: the
 * host sees the heartbeat stop and terminates the worker.
 *
 * The sources come from `workerData.srcRoot` (default: this repository's src/), so a candidate
 * fix can be benchmarked from a copy of the tree without touching src/.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type * as GoModModule from '../src/goenv/gomod.js';
import type * as GosumdbModule from '../src/goenv/gosumdb.js';
import type * as CatalogModule from '../src/probe/catalog.js';
import type * as EngineModule from '../src/probe/engine.js';
import type * as ModulesModule from '../src/probe/modules.js';
import type * as SelectModule from '../src/select/select.js';
import type { ProbeJob, ProbeOutcome, WorkerMessage } from './probe-protocol.js';

const srcRoot: string = (workerData as { srcRoot: string }).srcRoot;
const load = <T>(file: string): Promise<T> =>
  import(pathToFileURL(join(srcRoot, file)).href) as Promise<T>;

const port = parentPort!;
const post = (message: WorkerMessage) => port.postMessage(message);

// The heartbeat: stops when the event loop does.
setInterval(() => post({ type: 'beat' }), 100);

const [engine, gomod, gosumdb, catalog, modules, select] = await Promise.all([
  load<typeof EngineModule>('probe/engine.ts'),
  load<typeof GoModModule>('goenv/gomod.ts'),
  load<typeof GosumdbModule>('goenv/gosumdb.ts'),
  load<typeof CatalogModule>('probe/catalog.ts'),
  load<typeof ModulesModule>('probe/modules.ts'),
  load<typeof SelectModule>('select/select.ts'),
]);

port.on('message', (job: ProbeJob) => {
  run(job).then(
    (outcome) => post({ type: 'result', id: job.id, outcome }),
    (error: unknown) =>
      post({
        type: 'result',
        id: job.id,
        outcome: { kind: 'error', message: error instanceof Error ? error.message : String(error) },
      }),
  );
});
post({ type: 'ready' });

async function run(job: ProbeJob): Promise<ProbeOutcome> {
  // Exactly what configure.ts does with these inputs.
  const probeModules = modules.chooseProbeModules(
    'auto',
    gomod.parseGoMod(job.goModText),
    '',
  ).public;
  const parsed = gosumdb.parseGosumdb(job.gosumdb);
  if (!parsed.ok || parsed.db.kind !== 'db') throw new Error(`bad GOSUMDB ${job.gosumdb}`);
  const candidates = catalog.buildCandidates({ mirrors: job.mirrors });

  const started = performance.now();
  const probe = await engine.runProbe({
    candidates,
    modules: probeModules,
    privateModules: [],
    privatePatterns: '',
    database: gosumdb.toChecksumDatabase(parsed.db),
    timeoutMs: job.timeoutMs,
    maxMirrors: job.maxMirrors,
    env: job.env,
  });
  const selection = select.selectSettings(probe, {
    fallback: 'direct',
    maxMirrors: job.maxMirrors,
    gosumdb: 'auto',
    goVersion: job.goVersion,
    privatePatterns: [],
    existingGoproxy: null,
  });
  const wallMs = performance.now() - started;

  const first = selection.chain.find((e) => e.kind === 'mirror');
  return {
    kind: 'done',
    wallMs,
    engineWallMs: probe.wallTimeMs,
    earlyStop: probe.earlyStop,
    deadlineHit: probe.deadlineHit,
    probeModules: probeModules.map((m) => `${m.path}@${m.version ?? 'latest'}`),
    settings: { ...selection.settings },
    firstChoice: first?.probe?.candidate.url ?? null,
    chainMirrors: selection.chain.flatMap((e) =>
      e.kind === 'mirror' && e.probe ? [e.probe.candidate.url] : [],
    ),
    mirrors: probe.mirrors.map((m) => {
      const assessment = selection.assessments.find((a) => a.probe === m);
      return {
        url: m.candidate.url,
        verdict: assessment?.verdict ?? 'unknown',
        usable: m.usable,
        skipped: m.skipped,
        failure: m.failure?.code ?? null,
        ttfbMs: m.median.ttfbMs,
        totalMs: m.median.totalMs,
        throughputBytesPerSec: m.throughputBytesPerSec,
        sumdbSupported: m.sumdbSupported === null ? null : String(m.sumdbSupported),
      };
    }),
  };
}
