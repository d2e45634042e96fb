/**
 * Timing a real `go mod download` of the corpus through a route (GOPROXY + GOSUMDB): a fresh
 * GOPATH, module cache, build cache and HOME per run, no go.sum (so the checksum database is
 * consulted), GOFLAGS=-mod=mod, GOTOOLCHAIN=local, the simulator's CA as SSL_CERT_FILE.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CorpusModule,
  type Simulator,
  isolatedGoEnv,
  removeGoTree,
  runGo,
  writeConsumerModule,
} from '../test/simulator/index.js';
import { median } from './stats.js';

export interface Route {
  /** Stable key: GOPROXY + GOSUMDB. */
  readonly key: string;
  readonly goproxy: string;
  readonly gosumdb: string;
  /** Extra variables (GONOPROXY/GONOSUMDB from our settings). */
  readonly extra: Readonly<Record<string, string>>;
}

export interface DownloadRun {
  readonly ms: number;
  readonly ok: boolean;
  /** Last stderr line when the download failed. */
  readonly error: string | null;
}

export interface RouteResult {
  readonly route: Route;
  readonly runs: DownloadRun[];
}

/** Per run: generous next to the slowest scenario route (~7 s), small next to the benchmark. */
const GO_TIMEOUT_MS = 45_000;

export function makeRoute(
  goproxy: string,
  gosumdb: string,
  extra: Readonly<Record<string, string>> = {},
): Route {
  const extraKey = Object.entries(extra)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return { key: `${goproxy} ${gosumdb} ${extraKey}`.trim(), goproxy, gosumdb, extra };
}

export async function timeGoDownload(
  sim: Simulator,
  modules: readonly CorpusModule[],
  route: Route,
): Promise<DownloadRun> {
  const root = await mkdtemp(join(tmpdir(), 'gps-bench-go-'));
  try {
    const dir = await writeConsumerModule(join(root, 'consumer'), sim.corpus, { modules });
    const env = isolatedGoEnv(root, {
      SSL_CERT_FILE: sim.caFile,
      GOPROXY: route.goproxy,
      GOSUMDB: route.gosumdb,
      ...route.extra,
    });
    const started = performance.now();
    const result = await runGo(['mod', 'download'], {
      cwd: dir,
      env,
      timeoutMs: GO_TIMEOUT_MS,
    });
    const ms = performance.now() - started;
    const ok = result.code === 0;
    // Go's own error line, not an indented `server response:` continuation under it.
    const lastLine =
      result.stderr
        .split('\n')
        .filter((l) => l.trim() !== '' && !/^\s/.test(l))
        .pop() ?? null;
    return {
      ms,
      ok,
      error: ok ? null : result.timedOut ? `timed out after ${GO_TIMEOUT_MS} ms` : lastLine,
    };
  } finally {
    await removeGoTree(root);
  }
}

/** Median of the successful runs, or null when any run failed. */
export function routeMedian(result: RouteResult): number | null {
  if (result.runs.length === 0 || result.runs.some((r) => !r.ok)) return null;
  return median(result.runs.map((r) => r.ms));
}

export function routeFailed(result: RouteResult): boolean {
  return result.runs.some((r) => !r.ok);
}

/**
 * Times every route: one round over all of them, then `runs - 1` more rounds (interleaved, so slow
 * drift of the machine hits every route alike) over the routes that need a median. After round
 * one a route is dropped when it failed (it stays failed) unless `mustRepeat`, or when it is only
 * an oracle contender (`oracleCandidate`, not `mustRepeat`) whose first time is above
 * `pruneRatio` × the fastest first time of any oracle candidate: a median of three cannot come
 * back from that.
 */
export async function timeRoutes(
  sim: Simulator,
  modules: readonly CorpusModule[],
  routes: readonly Route[],
  options: {
    readonly runs: number;
    readonly oracleCandidate: (route: Route) => boolean;
    readonly mustRepeat: (route: Route) => boolean;
    readonly pruneRatio: number;
  },
): Promise<Map<string, RouteResult>> {
  const results = new Map<string, RouteResult>();
  for (const route of routes) results.set(route.key, { route, runs: [] });
  const first = (route: Route) => results.get(route.key)!.runs[0]!;
  const once = async (route: Route) => {
    sim.reset();
    results.get(route.key)!.runs.push(await timeGoDownload(sim, modules, route));
  };
  for (const route of routes) await once(route);

  const fastestFirst = Math.min(
    ...routes.filter((r) => options.oracleCandidate(r) && first(r).ok).map((r) => first(r).ms),
  );
  const repeat = routes.filter((route) => {
    if (options.mustRepeat(route)) return true;
    if (!first(route).ok) return false;
    return !options.oracleCandidate(route) || first(route).ms <= fastestFirst * options.pruneRatio;
  });
  for (let round = 1; round < options.runs; round++) {
    for (const route of repeat) await once(route);
  }
  return results;
}
