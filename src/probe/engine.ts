/**
 * The probe engine: measures every candidate the way the go command will experience it, within
 * one overall deadline that always holds.
 *
 * 1. Latency (parallel, bounded concurrency): each candidate's request sequence (mirror.ts) on its
 *    own kept-alive connection; the checksum database's direct and alias routes start at once.
 * 2. Early stop: once the leading `maxMirrors` candidates are settled and no unfinished candidate
 *    can beat them any more, the unfinished ones are stopped (rule below, at `EarlyStop`).
 * 3. Throughput (sequential): a `.zip` from the leading candidates only, one at a time, because
 *    parallel downloads share the link and every one of them would read slow.
 * 4. Integrity: served hashes against the signed records (integrity.ts).
 *
 * The deadline: one timer aborts every request still running at `timeout` minus a small reserve
 * for assembling the result; per-request timeouts are derived from the timeout too, so a
 * blackholed or slow-drip mirror costs at most one request timeout and never the deadline.
 */
import { compareSemver } from '../goenv/modpath.js';
import { matchPrefixPatterns } from '../goenv/patterns.js';
import {
  type GetOptions,
  type HttpClient,
  type HttpClientOptions,
  createHttpClient,
} from '../net/http.js';
import { proxyEnvironment, proxyForUrl } from '../net/proxy-env.js';
import { judgeIntegrity } from './integrity.js';
import { MirrorRun } from './mirror.js';
import { PrivacyError, SumdbProber } from './sumdb.js';
import { bestPossibleMedian, median, medianTiming } from './timing.js';
import type {
  Candidate,
  ChecksumDatabase,
  EndpointKind,
  FailureClass,
  MirrorProbe,
  ModuleRef,
  ProbeRun,
} from './types.js';

export interface ProbeConfig {
  /** Candidates in order; the private proxy (isPrivate) is probed with `privateModules` only. */
  readonly candidates: readonly Candidate[];
  /** Public probe modules (none may match `privatePatterns`). */
  readonly modules: readonly ModuleRef[];
  /** Private modules, for the private proxy only. */
  readonly privateModules?: readonly ModuleRef[];
  /**
   * Comma-separated module path patterns (GOPRIVATE ∪ GONOPROXY ∪ GONOSUMDB): never requested
   * from a public mirror, never looked up in the checksum database.
   */
  readonly privatePatterns: string;
  readonly database: ChecksumDatabase;
  /** Overall deadline in milliseconds: runProbe resolves before it. */
  readonly timeoutMs: number;
  /** How many public mirrors enter the chain: the leaders the early stop waits for and the throughput phase measures. */
  readonly maxMirrors: number;
  /** Candidates probed at once. Default 8. */
  readonly concurrency?: number;
  /** Environment for proxies, CA files and .netrc. Default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface ProbeDeps {
  /** HTTP client to use (closed by the caller); default: a new one, closed before returning. */
  readonly http?: HttpClient;
  /** Options for the default HTTP client. */
  readonly httpOptions?: HttpClientOptions;
}

/**
 * Time kept back from the deadline to unwind the aborted requests, close every connection and
 * assemble the result, even on a busy two-core runner.
 */
function reserveMs(timeoutMs: number): number {
  return Math.min(400, Math.max(100, timeoutMs * 0.05));
}

/** Per-request timeout: generous next to real round trips, small next to the deadline. */
export function requestTimeoutMs(timeoutMs: number): number {
  return Math.round(Math.min(5000, Math.max(750, timeoutMs * 0.3)));
}

const CRITICAL: readonly EndpointKind[] = ['list', 'info', 'mod', 'zip'];

export async function runProbe(config: ProbeConfig, deps: ProbeDeps = {}): Promise<ProbeRun> {
  assertPublicModules(config);
  const started = performance.now();
  const deadlineAt = started + config.timeoutMs - reserveMs(config.timeoutMs);
  const deadline = new AbortController();
  const deadlineTimer = setTimeout(
    () =>
      deadline.abort(
        Object.assign(new Error(`overall probe deadline of ${config.timeoutMs} ms reached`), {
          code: 'deadline',
        }),
      ),
    Math.max(0, deadlineAt - started),
  );
  const http =
    deps.http ??
    createHttpClient({ ...deps.httpOptions, ...(config.env ? { env: config.env } : {}) });
  const perRequest = requestTimeoutMs(config.timeoutMs);
  const requestOptions = (): GetOptions => ({
    signal: deadline.signal,
    connectTimeoutMs: Math.min(3000, perRequest),
    headersTimeoutMs: perRequest,
    bodyTimeoutMs: perRequest,
  });

  const sumdb = new SumdbProber({
    http,
    database: config.database,
    privatePatterns: config.privatePatterns,
    requestOptions,
  });
  const probeKey = config.modules.find((m) => m.version !== null);
  sumdb.startStandaloneRoutes(
    probeKey ? { path: probeKey.path, version: probeKey.version! } : null,
  );

  const proxies = proxyEnvironment(config.env ?? process.env);
  const earlyStop = new EarlyStop(Math.max(1, config.maxMirrors), sumdb);
  const runs = config.candidates.map(
    (candidate) =>
      new MirrorRun({
        http,
        candidate,
        modules: candidate.isPrivate ? (config.privateModules ?? []) : config.modules,
        privatePatterns: config.privatePatterns,
        databaseName: config.database.name,
        sumdb,
        requestOptions,
        onProgress: () => earlyStop.check(runs, deadline.signal.aborted),
        proxied: isProxied(proxies, candidate.url),
      }),
  );

  const onDeadline = () => {
    for (const run of runs)
      if (run.state !== 'settled')
        run.stop({
          code: 'deadline',
          message: `deadline: the ${config.timeoutMs} ms probe deadline ended this mirror's probe`,
        });
  };
  deadline.signal.addEventListener('abort', onDeadline, { once: true });
  const ticker = setInterval(() => earlyStop.check(runs, deadline.signal.aborted), 20);
  try {
    // 1–2: latency, with the early stop watching.
    await runPool(runs, config.concurrency ?? 8, (run) => run.stopReason === null);
    clearInterval(ticker);

    // Every hash served needs its signed record; lookups run while the throughput phase does.
    for (const run of runs) {
      if (run.candidate.isPrivate) continue;
      for (const key of Object.keys(run.modHashes)) {
        const at = key.lastIndexOf('@');
        void sumdb.lookup(key.slice(0, at), key.slice(at + 1));
      }
    }
    // 3: throughput, one leader at a time.
    const leaders = provisionalLeaders(runs, sumdb, config.maxMirrors);
    await Promise.all([measureThroughput(leaders, deadlineAt, deadline.signal), sumdb.settle()]);
    await sumdb.settle();
  } finally {
    clearInterval(ticker);
    clearTimeout(deadlineTimer);
    deadline.signal.removeEventListener('abort', onDeadline);
    for (const run of runs)
      if (run.state === 'queued')
        run.stop({ code: 'deadline', message: 'deadline: never started' });
    if (!deps.http) await http.close();
  }

  // 4: verdicts.
  const signed = sumdb.signedHashes();
  const integrity = judgeIntegrity(
    runs.map((run) => ({
      id: run.candidate.url,
      isPrivate: run.candidate.isPrivate,
      modHashes: run.modHashes,
      zipHashes: run.zipHashes,
    })),
    { signed },
  );
  const mirrors: MirrorProbe[] = runs.map((run) =>
    toMirrorProbe(run, integrity.get(run.candidate.url)!),
  );
  const signedModHashes: Record<string, string> = {};
  for (const [key, hashes] of Object.entries(signed))
    if (hashes.mod) signedModHashes[key] = hashes.mod;
  return {
    modules: config.modules,
    mirrors,
    database: config.database,
    sumdbRoutes: sumdb.routeResults(),
    signedModHashes,
    wallTimeMs: Math.round(performance.now() - started),
    deadlineHit: deadline.signal.aborted,
    earlyStop: earlyStop.stopped,
  };
}

/** Refuses, before any request, a configuration that would send a private path to a public mirror. */
function assertPublicModules(config: ProbeConfig): void {
  if (config.privatePatterns === '') return;
  for (const module of config.modules) {
    if (matchPrefixPatterns(config.privatePatterns, module.path)) {
      throw new PrivacyError(`refusing to probe public mirrors with private module ${module.path}`);
    }
  }
}

function isProxied(proxies: ReturnType<typeof proxyEnvironment>, url: string): boolean {
  try {
    return proxyForUrl(proxies, new URL(url)).kind === 'proxy';
  } catch {
    return false;
  }
}

/** Runs at most `limit` probes at once, in candidate order; probes stopped before starting are skipped. */
async function runPool(
  runs: readonly MirrorRun[],
  limit: number,
  shouldStart: (run: MirrorRun) => boolean,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < runs.length) {
      const run = runs[next++]!;
      if (shouldStart(run)) await run.run();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, runs.length)) }, worker));
}

async function measureThroughput(
  leaders: readonly MirrorRun[],
  deadlineAt: number,
  signal: AbortSignal,
): Promise<void> {
  for (let i = 0; i < leaders.length; i++) {
    const remaining = deadlineAt - performance.now();
    if (signal.aborted || remaining < 200) return;
    // At most a second each, and never more than a fair share of what is left.
    const windowMs = Math.min(1000, (remaining * 0.5) / (leaders.length - i));
    await leaders[i]!.downloadZips(windowMs);
  }
}

// ---- verdict helpers shared by the early stop and the final assembly ----

export function isUsable(run: MirrorRun): boolean {
  if (run.transportFailure) return false;
  if (run.modules.length === 0) return typeof run.supported === 'number';
  for (const module of run.modules) {
    const version = run.probedVersions[module.path];
    if (version === undefined) return false;
    for (const kind of ['list', 'info', 'mod'] as const) {
      const key = kind === 'list' ? module.path : `${module.path}@${version}`;
      const endpoint = run.endpoints.find((e) => e.kind === kind && e.module === key);
      if (!endpoint?.ok) return false;
    }
  }
  return run.endpoints.every((e) => e.kind !== 'zip' || e.ok);
}

function firstFailure(run: MirrorRun): MirrorProbe['failure'] {
  for (const endpoint of run.endpoints) {
    if (!CRITICAL.includes(endpoint.kind) || endpoint.ok) continue;
    // The request our own stop cut short says nothing about the mirror.
    if (run.stopReason && endpoint.outcome === run.stopReason.code) continue;
    const outcome = endpoint.outcome;
    const code = outcome === 200 ? 'empty-mod' : String(outcome);
    const cls: FailureClass = outcome === 404 || outcome === 410 ? 'not-found' : 'terminal';
    return {
      code,
      message: endpoint.error ?? `${endpoint.kind} ${endpoint.url} answered ${outcome}`,
      class: cls,
    };
  }
  const transport = run.endpoints.find((e) => typeof e.outcome !== 'number');
  if (transport && run.transportFailure) {
    return {
      code: String(transport.outcome),
      message: transport.error ?? String(transport.outcome),
      class: 'terminal',
    };
  }
  const missing = run.modules.find((m) => run.probedVersions[m.path] === undefined);
  if (missing && !run.stopReason) {
    return {
      code: 'no-version',
      message: `no version of ${missing.path} found in @v/list or @latest`,
      class: 'not-found',
    };
  }
  return null;
}

function toMirrorProbe(
  run: MirrorRun,
  verdict: { integrity: MirrorProbe['integrity']; detail: string },
): MirrorProbe {
  const failure = firstFailure(run);
  const usable = isUsable(run);
  let skipped: string | null = null;
  if (run.stopReason && !failure && !usable) skipped = run.stopReason.message;
  return {
    candidate: run.candidate,
    endpoints: run.endpoints,
    latencySamples: run.samples,
    median: medianTiming(run.samples),
    usable,
    failure: usable ? null : failure,
    sumdbSupported: run.supported,
    modHashes: run.modHashes,
    zipHashes: run.zipHashes,
    listedVersions: run.listed,
    latestVersions: run.latest,
    integrity: verdict.integrity,
    integrityDetail: verdict.detail,
    throughputBytesPerSec: run.throughputBytesPerSec,
    skipped,
  };
}

/** Public candidates in the order the chain would take them, as far as latency probing can tell. */
function provisionalLeaders(
  runs: readonly MirrorRun[],
  sumdb: SumdbProber,
  maxMirrors: number,
): MirrorRun[] {
  const publicRuns = runs.filter((r) => !r.candidate.isPrivate && isUsable(r));
  const integrity = judgeIntegrity(
    publicRuns.map((r) => ({
      id: r.candidate.url,
      isPrivate: false,
      modHashes: r.modHashes,
      zipHashes: r.zipHashes,
    })),
    { signed: sumdb.signedHashes() },
  );
  const score = (r: MirrorRun) => {
    const i = integrity.get(r.candidate.url)!.integrity;
    return i === 'mismatch' || i === 'empty-mod' ? 1 : 0;
  };
  return publicRuns
    .sort((a, b) => score(a) - score(b) || medianTotal(a) - medianTotal(b))
    .filter((r) => score(r) === 0)
    .slice(0, Math.max(1, maxMirrors));
}

function medianTotal(run: MirrorRun): number {
  return median(run.samples.map((s) => s.totalMs ?? 0)) ?? Number.POSITIVE_INFINITY;
}

/**
 * The early stop.
 *
 * The decision the probe feeds is the ordered set of the best `maxMirrors` public mirrors, ranked
 * lexicographically: usable → integrity → a checksum-database route → fresh → median latency.
 * Let M be the `maxMirrors`-th best *settled* mirror. If M is not perfect on every criterion above
 * latency, an unfinished mirror could still beat it by being perfect, so we keep waiting. If M is
 * perfect, an unfinished mirror U can only displace M with a lower median; `bestPossibleMedian`
 * (timing.ts) bounds U's median from below using what U has shown so far (answers, the request in
 * flight, its round-trip time). When that bound exceeds M's median for every unfinished mirror,
 * none of them can change the decision and they are stopped (`skipped`, with the numbers).
 * "Perfect" is judged with the votes of unfinished mirrors counted against it where they matter
 * (cross-mirror agreement), and freshness against every settled mirror.
 */
class EarlyStop {
  stopped = false;
  readonly #k: number;
  readonly #sumdb: SumdbProber;

  constructor(k: number, sumdb: SumdbProber) {
    this.#k = k;
    this.#sumdb = sumdb;
  }

  check(runs: readonly MirrorRun[], deadlineHit: boolean): void {
    if (this.stopped || deadlineHit) return;
    const publicRuns = runs.filter((r) => !r.candidate.isPrivate);
    const unfinished = publicRuns.filter((r) => r.state !== 'settled');
    if (unfinished.length === 0 || unfinished.some((r) => r.state === 'queued')) return;
    const settled = publicRuns.filter((r) => r.state === 'settled' && !r.stopReason);
    if (settled.length < this.#k) return;

    const integrity = judgeIntegrity(
      publicRuns.map((r) => ({
        id: r.candidate.url,
        isPrivate: false,
        modHashes: r.modHashes,
        zipHashes: r.zipHashes,
      })),
      { signed: this.#sumdb.signedHashes(), undecidedVotes: unfinished.length },
    );
    const newest = newestVersions(settled);
    const perfect = settled.filter((r) => {
      const i = integrity.get(r.candidate.url)!.integrity;
      return (
        isUsable(r) &&
        (i === 'verified' || i === 'agreed') &&
        this.#sumdbOk(r) &&
        isFresh(r, newest)
      );
    });
    // M must be the k-th best overall, so every settled mirror ranked above it must be perfect too.
    const ranked = [...settled].sort(
      (a, b) =>
        Number(perfect.includes(b)) - Number(perfect.includes(a)) ||
        medianTotal(a) - medianTotal(b),
    );
    const m = ranked[this.#k - 1]!;
    if (!perfect.includes(m)) return;
    const mMedian = medianTotal(m);
    const now = performance.now();
    const bounds = unfinished.map((u) => bestPossibleMedian(u.progressView(now)));
    if (!bounds.every((bound) => bound > mMedian)) return;

    this.stopped = true;
    unfinished.forEach((u, i) =>
      u.stop({
        code: 'skipped',
        message: `early stop: ${this.#k} mirror(s) settled (median ${Math.round(mMedian)} ms); this one could at best reach ${Math.round(bounds[i]!)} ms`,
      }),
    );
  }

  /** A route to the checksum database through this mirror as first entry: its relay, or the database itself. */
  #sumdbOk(run: MirrorRun): boolean {
    if (run.supported === 200) return this.#sumdb.isRouteOk(run.candidate) === true;
    if (run.supported === 404 || run.supported === 410) return this.#sumdb.databaseReachable;
    return false;
  }
}

function newestVersions(runs: readonly MirrorRun[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const run of runs) {
    for (const [path, version] of Object.entries(run.latest)) {
      if (out[path] === undefined || compareSemver(version, out[path]!) > 0) out[path] = version;
    }
  }
  return out;
}

function isFresh(run: MirrorRun, newest: Record<string, string>): boolean {
  return Object.entries(newest).every(
    ([path, version]) =>
      run.latest[path] === undefined || compareSemver(run.latest[path]!, version) >= 0,
  );
}
