/**
 * The probe engine: measures every candidate the way the go command will experience it, within
 * one overall deadline that always holds.
 *
 * 1. Latency (parallel, bounded concurrency): each candidate's request sequence (mirror.ts), its
 *    modules side by side on their own kept-alive connections as the go command fetches them; the
 *    checksum database's direct and alias routes start at once.
 * 2. Early stop: once the leading `maxMirrors` candidates are settled with their throughput
 *    measured, and no unfinished candidate can beat their speed estimate any more, the unfinished
 *    ones are stopped (rule below, at `EarlyStop`).
 * 3. Throughput (sequential, measure-only, `ThroughputQueue`): a `.zip` from the leading
 *    candidates and from every mirror within their latency band, one at a time, because parallel
 *    downloads share the link and every one of them would read slow. A mirror that has settled and
 *    ranks among the first `maxMirrors` of the settled ones starts its download at once, while the
 *    others are still probed for latency (still one download at a time); the final leaders not
 *    measured by then follow when latency probing is over. Then every other mirror whose latency
 *    alone is below the leaders' speed estimate (a near mirror behind a narrow link loses to a
 *    slightly farther, wide one) is measured too (`speedContenders`). A download our limits cut
 *    short measures nothing and fails nothing.
 * 4. Integrity: served hashes against the signed records (integrity.ts).
 *
 * The deadline: one timer aborts every request still running at `timeout` minus a small reserve
 * for assembling the result; per-request timeouts are derived from the timeout too, so a
 * blackholed or slow-drip mirror costs at most two request timeouts (one retry, retry.ts, only
 * when it fits) and never the deadline.
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
import type { EndpointOutcome } from '../report/types.js';
import { chainFor, goSupportsPipe } from '../select/chain.js';
import {
  type SumdbMode,
  databaseNameOf,
  relayRoute,
  resolveSumdbMode,
  sumdbRouteOkVia,
} from '../select/gosumdb.js';
import {
  LATENCY_BAND_MIN_MS,
  LATENCY_BAND_RATIO,
  bestMeasuredThroughput,
  estimateSpeed,
} from '../select/rank.js';
import type { Fallback, Separator } from '../select/types.js';
import { judgeIntegrity } from './integrity.js';
import { MirrorRun, isZipFailure } from './mirror.js';
import { PrivacyError, SumdbProber } from './sumdb.js';
import { bestPossibleMedian, median, medianTiming } from './timing.js';
import type {
  Candidate,
  ChecksumDatabase,
  EndpointKind,
  EndpointResult,
  FailureClass,
  MirrorProbe,
  ModuleRef,
  ProbeRun,
  SumdbRouteProbe,
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
  /**
   * How selection will build the chain (the same values as SelectOptions), so that the early stop
   * and the choice of throughput leaders judge each mirror's checksum-database route as the
   * ranking will. Defaults: fallback `direct`, an unknown (modern) Go, gosumdb `auto`.
   */
  readonly fallback?: Fallback;
  readonly goVersion?: string | null;
  readonly gosumdb?: string;
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

  // A timed-out request is asked once more only if the whole second attempt fits (retry.ts).
  const canRetry = () => !deadline.signal.aborted && deadlineAt - performance.now() >= perRequest;
  const sumdb = new SumdbProber({
    http,
    database: config.database,
    privatePatterns: config.privatePatterns,
    requestOptions,
    canRetry,
  });
  const probeKey = config.modules.find((m) => m.version !== null);
  sumdb.startStandaloneRoutes(
    probeKey ? { path: probeKey.path, version: probeKey.version! } : null,
  );

  const proxies = proxyEnvironment(config.env ?? process.env);
  const judge = new ProvisionalJudge(config, sumdb);
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
        canRetry,
        onProgress: () => {
          earlyStop.check(runs, deadline.signal.aborted);
          throughput.onProgress();
        },
        proxied: isProxied(proxies, candidate.url),
      }),
  );
  judge.setRuns(runs);
  // The runs call these back on progress, which starts only once runPool runs them (below).
  const leaderCount = Math.max(1, config.maxMirrors);
  const earlyStop = new EarlyStop(leaderCount, judge);
  const throughput = new ThroughputQueue(runs, judge, leaderCount, deadlineAt, deadline.signal);

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
    // 3: throughput, one leader at a time (the provisional leaders' downloads may be done already).
    await Promise.all([throughput.finish(), sumdb.settle()]);
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

/**
 * The throughput phase's downloads, strictly one at a time, in the order they were asked for.
 *
 * While latency probing goes on, a mirror is queued as soon as it has settled, is usable and ranks
 * among the first `maxMirrors` settled mirrors in provisional order (`onProgress`): those are the
 * mirrors the ranking is most likely to put in the chain, and measuring them while slower mirrors
 * are still being probed costs no wall time; once they are measured, so are the settled speed
 * contenders. Small latency requests to other mirrors may run meanwhile; never a second download.
 * `finish` then drops the queued mirrors that are no longer leaders, queues the final leaders
 * (throughputLeaders) and contenders (speedContenders) not measured yet and waits for the last
 * download. A mirror is downloaded from at most once; one measured as a provisional
 * leader keeps its (real) throughput even if it ends up outside the leaders.
 */
class ThroughputQueue {
  readonly #runs: readonly MirrorRun[];
  readonly #judge: ProvisionalJudge;
  readonly #k: number;
  readonly #deadlineAt: number;
  readonly #signal: AbortSignal;
  /** Mirrors downloaded from, or being downloaded from. */
  readonly #measured = new Set<MirrorRun>();
  #waiting: MirrorRun[] = [];
  #current: { readonly run: MirrorRun; readonly done: Promise<void> } | null = null;
  /** A download that threw (a bug, not a mirror's answer: those are outcomes), raised by `finish`. */
  #error: { readonly cause: unknown } | null = null;
  #settledSeen = -1;
  #final = false;

  constructor(
    runs: readonly MirrorRun[],
    judge: ProvisionalJudge,
    k: number,
    deadlineAt: number,
    signal: AbortSignal,
  ) {
    this.#runs = runs;
    this.#judge = judge;
    this.#k = k;
    this.#deadlineAt = deadlineAt;
    this.#signal = signal;
  }

  /** Called on every progress of the latency phase; acts when another mirror has settled. */
  onProgress(): void {
    const settled = this.#settledUsable();
    if (settled.length === this.#settledSeen) return;
    this.#settledSeen = settled.length;
    this.#queueProvisional(settled);
  }

  /**
   * Latency probing is over: measure the final leaders (throughputLeaders) still unmeasured, then,
   * one by one, the first unmeasured speed contender (asked again after each download, because
   * every measurement moves the bar), until none is left or the deadline has struck.
   */
  async finish(): Promise<void> {
    this.#final = true;
    const leaders = throughputLeaders(this.#runs, this.#judge, this.#k);
    this.#waiting = this.#waiting.filter((run) => leaders.includes(run));
    for (const run of leaders) this.#enqueue(run);
    for (;;) {
      while (this.#current) await this.#current.done;
      if (this.#error) throw this.#error.cause;
      const contenders = speedContenders(this.#runs, this.#judge, this.#k);
      const next = contenders.find((run) => !this.#measured.has(run));
      if (!next || this.#signal.aborted) return;
      this.#enqueue(next);
    }
  }

  /** Public mirrors that have settled and are usable, in candidate order. */
  #settledUsable(): MirrorRun[] {
    return this.#runs.filter(
      (r) => !r.candidate.isPrivate && r.state === 'settled' && !r.stopReason && isUsable(r),
    );
  }

  /**
   * While latency probing goes on: queue the settled leaders, and once their downloads are over
   * (before, the bar is only their latency), the settled mirrors that could beat them on speed.
   */
  #queueProvisional(settled: readonly MirrorRun[]): void {
    if (this.#final || this.#signal.aborted) return;
    const leaders = this.#judge
      .provisionalOrder(settled)
      .slice(0, this.#k)
      .map((e) => e.run);
    for (const run of leaders) this.#enqueue(run);
    if (leaders.every((run) => this.#measured.has(run) && run !== this.#current?.run)) {
      for (const run of speedContenders(settled, this.#judge, this.#k)) this.#enqueue(run);
    }
  }

  #enqueue(run: MirrorRun): void {
    if (this.#measured.has(run) || this.#waiting.includes(run)) return;
    this.#waiting.push(run);
    this.#next();
  }

  #next(): void {
    if (this.#current) return;
    const run = this.#waiting.shift();
    if (!run) return;
    this.#measured.add(run);
    const done = this.#download(run)
      .catch((cause: unknown) => {
        this.#error ??= { cause };
      })
      .finally(() => {
        this.#current = null;
        this.#next();
        // A finished download moves the speed bar: look again for contenders.
        if (!this.#current) this.#queueProvisional(this.#settledUsable());
      });
    this.#current = { run, done };
  }

  async #download(run: MirrorRun): Promise<void> {
    const remaining = this.#deadlineAt - performance.now();
    if (this.#signal.aborted || remaining < 200) return;
    // At most a second each, and never more than a fair share of what is left for the downloads
    // still expected (the ones queued, or the leaders not measured yet).
    const expected = Math.max(this.#waiting.length + 1, this.#k - this.#measured.size + 1);
    await run.downloadZips(Math.min(1000, (remaining * 0.5) / expected));
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
  return !run.endpoints.some(isZipFailure);
}

/**
 * The endpoints in the order of the probe's plan: module by module (in the order the modules were
 * given), then the checksum-database requests, then the throughput downloads; within each, as
 * answered. Modules are probed side by side (mirror.ts), so the order answers arrive in depends on
 * timing; what the report lists, and the failure it names first, must not.
 */
function inPlanOrder(run: MirrorRun): EndpointResult[] {
  const n = run.modules.length;
  const position = (endpoint: EndpointResult) => {
    if (endpoint.kind === 'zip') return n + 1;
    if (endpoint.kind.startsWith('sumdb-') || endpoint.module === undefined) return n;
    const path = endpoint.module.split('@')[0];
    const index = run.modules.findIndex((m) => m.path === path);
    return index < 0 ? n : index;
  };
  return [...run.endpoints].sort((a, b) => position(a) - position(b));
}

function firstFailure(run: MirrorRun): MirrorProbe['failure'] {
  const endpoints = inPlanOrder(run);
  for (const endpoint of endpoints) {
    if (!CRITICAL.includes(endpoint.kind) || endpoint.ok) continue;
    // The request our own stop cut short says nothing about the mirror.
    if (run.stopReason && endpoint.outcome === run.stopReason.code) continue;
    // The throughput phase only measures: a zip cut short is "throughput not measured".
    if (endpoint.kind === 'zip' && !isZipFailure(endpoint)) continue;
    const outcome = endpoint.outcome;
    const code = outcome === 200 ? 'empty-mod' : String(outcome);
    const cls: FailureClass = outcome === 404 || outcome === 410 ? 'not-found' : 'terminal';
    return {
      code,
      message: endpoint.error ?? `${endpoint.kind} ${endpoint.url} answered ${outcome}`,
      class: cls,
    };
  }
  const transport = endpoints.find((e) => typeof e.outcome !== 'number' && e.kind !== 'zip');
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
    endpoints: inPlanOrder(run),
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

/**
 * Which mirrors get a `.zip` download: the public mirrors the ranking could put in the chain, as far
 * as latency probing can tell. That is the first `maxMirrors` in provisional rank order, plus every
 * other mirror as good on the criteria above latency whose median is within the latency band of the
 * last of them: inside a band, throughput decides (rank.ts), so each of those needs its sample.
 */
function throughputLeaders(
  runs: readonly MirrorRun[],
  judge: ProvisionalJudge,
  k: number,
): MirrorRun[] {
  const ranked = rankUsablePublic(runs, judge);
  if (ranked.length <= k) return ranked.map((e) => e.run);
  const last = ranked[k - 1]!;
  const limit = last.latency + latencyBand(last.latency);
  return ranked
    .filter((e, i) => i < k || (sameTier(e.tier, last.tier) && e.latency <= limit))
    .map((e) => e.run);
}

/**
 * The mirrors that could rank among the first `k` on speed, nearest first: as good on the criteria
 * above speed as the k-th in provisional order, and with a median latency within the band of the
 * k-th best speed estimate (rank.ts `estimateSpeed`, with the same stand-in for unmeasured
 * mirrors). Only such a mirror, given a wide enough link, can displace a leader whose link is
 * narrow; any other one loses on latency alone. Callers skip the ones already measured.
 */
function speedContenders(
  runs: readonly MirrorRun[],
  judge: ProvisionalJudge,
  k: number,
): MirrorRun[] {
  const ranked = rankUsablePublic(runs, judge);
  if (ranked.length <= k) return [];
  const lastTier = ranked[k - 1]!.tier;
  const peers = ranked.filter((e) => compareTier(e.tier, lastTier) <= 0);
  const probes = peers.map((e) => snapshot(e.run));
  const standIn = bestMeasuredThroughput(probes);
  const costs = probes
    .map((p) => estimateSpeed(p, standIn).costMs ?? Number.POSITIVE_INFINITY)
    .sort((a, b) => a - b);
  const bar = costs[k - 1]!;
  return peers.filter((e) => e.latency <= bar + latencyBand(bar)).map((e) => e.run);
}

function rankUsablePublic(runs: readonly MirrorRun[], judge: ProvisionalJudge): Provisional[] {
  return judge.provisionalOrder(runs.filter((r) => !r.candidate.isPrivate && isUsable(r)));
}

/** rank.ts: latencies within max(5 ms, 10 %) of a faster mirror's count as equal. */
function latencyBand(ms: number): number {
  return Math.max(LATENCY_BAND_MIN_MS, ms * LATENCY_BAND_RATIO);
}

function sameTier(a: readonly number[], b: readonly number[]): boolean {
  return a.every((v, i) => v === b[i]);
}

function medianTotal(run: MirrorRun): number {
  return median(run.samples.map((s) => s.totalMs ?? 0)) ?? Number.POSITIVE_INFINITY;
}

interface Provisional {
  readonly run: MirrorRun;
  /** rank.ts tiers: unchecked content, no checksum-database route, stale (0 = good). */
  readonly tier: readonly number[];
  readonly latency: number;
}

/**
 * The ranking's judgement (select/rank.ts) applied to mirrors still being probed, for the early
 * stop and the throughput leaders. The checksum-database route is judged with selection's own
 * function (`sumdbRouteOkVia` over the chain `[private,] mirror <sep> fallback`), so a mirror whose
 * route the ranking accepts is never treated as lacking one here, and vice versa.
 */
class ProvisionalJudge {
  readonly #config: ProbeConfig;
  readonly #sumdb: SumdbProber;
  readonly #mode: SumdbMode | null;
  readonly #fallback: Fallback;
  readonly #separator: Separator;
  #runs: readonly MirrorRun[] = [];

  constructor(config: ProbeConfig, sumdb: SumdbProber) {
    this.#config = config;
    this.#sumdb = sumdb;
    this.#fallback = config.fallback ?? 'direct';
    this.#separator = goSupportsPipe(config.goVersion ?? null) ? '|' : ',';
    let mode: SumdbMode | null;
    try {
      mode = resolveSumdbMode(config.gosumdb ?? 'auto', config.database);
    } catch {
      mode = null; // selection rejects the input itself; here the route is just not judged
    }
    this.#mode = mode;
  }

  setRuns(runs: readonly MirrorRun[]): void {
    this.#runs = runs;
  }

  /** Integrity verdicts with what is signed now (`undecidedVotes`: mirrors still to vote). */
  integrity(runs: readonly MirrorRun[], undecidedVotes = 0) {
    return judgeIntegrity(
      runs.map((r) => ({
        id: r.candidate.url,
        isPrivate: false,
        modHashes: r.modHashes,
        zipHashes: r.zipHashes,
      })),
      { signed: this.#sumdb.signedHashes(), undecidedVotes },
    );
  }

  /**
   * The checksum-database criterion for `run`, as the ranking will see it: true/null (not
   * applicable) pass; false passes too when no mirror at all could do better (the route is decided
   * before the chain reaches any public mirror, e.g. by the private proxy, or nothing works).
   */
  sumdbRouteAcceptable(run: MirrorRun): boolean {
    if (this.#mode?.kind !== 'walk') return true; // selection: null, the route is not the chain's
    // The private proxy heads every chain: until its /supported answer is in, nothing is known.
    const privateRun = this.#runs.find((r) => r.candidate.isPrivate);
    if (privateRun && privateRun.state !== 'settled' && privateRun.supported === null) return false;
    const routes = this.#sumdb.routeResults();
    const probe = snapshot(run);
    if (this.#routeOk(probe, routes) !== false) return true;
    return !this.#couldAnyMirrorDoBetter(probe, this.#mode.value, routes);
  }

  /** Not tampered, ordered as rank.ts orders them before throughput: tiers, then median latency. */
  provisionalOrder(runs: readonly MirrorRun[]): Provisional[] {
    const integrity = this.integrity(runs);
    const newest = newestVersions(runs);
    const out: Provisional[] = [];
    for (const run of runs) {
      const verdict = integrity.get(run.candidate.url)!.integrity;
      if (verdict === 'mismatch' || verdict === 'empty-mod') continue;
      out.push({
        run,
        tier: [
          verdict === 'unchecked' ? 1 : 0,
          this.sumdbRouteAcceptable(run) ? 0 : 1,
          isFresh(run, newest) ? 0 : 1,
        ],
        latency: medianTotal(run),
      });
    }
    return out.sort((a, b) => compareTier(a.tier, b.tier) || a.latency - b.latency);
  }

  #routeOk(probe: MirrorProbe, routes: readonly SumdbRouteProbe[]): boolean | null {
    if (this.#mode === null) return null;
    const privateRun = this.#runs.find((r) => r.candidate.isPrivate);
    const chain = chainFor(
      privateRun ? snapshot(privateRun) : null,
      probe,
      this.#fallback,
      this.#separator,
    );
    return sumdbRouteOkVia(this.#mode, this.#shell(routes), chain);
  }

  /**
   * Would a mirror in `probe`'s place get a working route if it relayed the database with a working
   * relay, or if it did not relay it at all? If neither, the route does not depend on the mirror.
   */
  #couldAnyMirrorDoBetter(
    probe: MirrorProbe,
    gosumdb: string,
    routes: readonly SumdbRouteProbe[],
  ): boolean {
    const url = 'https://any-mirror.invalid';
    const relay: SumdbRouteProbe = {
      route: relayRoute(url, databaseNameOf(gosumdb)),
      kind: 'mirror',
      mirror: url,
      outcome: 200,
      ok: true,
      latencyMs: null,
    };
    const candidate = { url, displayUrl: url, origin: 'input', isPrivate: false } as const;
    const hypothetical = (sumdbSupported: EndpointOutcome) =>
      this.#routeOk({ ...probe, candidate, sumdbSupported }, [...routes, relay]);
    return hypothetical(200) === true || hypothetical(404) === true;
  }

  #shell(routes: readonly SumdbRouteProbe[]): ProbeRun {
    return {
      modules: this.#config.modules,
      mirrors: [],
      database: this.#config.database,
      sumdbRoutes: routes,
      signedModHashes: {},
      wallTimeMs: 0,
      deadlineHit: false,
      earlyStop: false,
    };
  }
}

function compareTier(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** A MirrorProbe of a run as it stands (integrity left unjudged): what chain and route helpers read. */
function snapshot(run: MirrorRun): MirrorProbe {
  return toMirrorProbe(run, { integrity: 'unchecked', detail: '' });
}

/**
 * The early stop.
 *
 * The decision the probe feeds is the ordered set of the best `maxMirrors` public mirrors, ranked
 * lexicographically: usable → integrity → a checksum-database route → fresh → speed, the estimated
 * time of an average request (median latency plus a transfer at the mirror's throughput; rank.ts).
 * Wait until at least `maxMirrors` settled mirrors are perfect on every criterion above speed and
 * have their own throughput measured (the provisional leaders' downloads start as they settle);
 * until then an unfinished mirror could still beat them by being perfect, or by a wider link. Let
 * C be the `maxMirrors`-th best speed estimate among them: those estimates are final, so the chain
 * will hold mirrors no slower than C. An unfinished mirror U, even with an endless link, costs at
 * least its median latency, which `bestPossibleMedian` (timing.ts) bounds from below using what U
 * has shown so far (answers, the requests in flight, its round-trip time). When that bound exceeds
 * C plus its noise band for every unfinished mirror, none of them can change the decision and they
 * are stopped (`skipped`, with the numbers).
 * "Perfect" is judged with the votes of unfinished mirrors counted against it where they matter
 * (cross-mirror agreement), freshness against every settled mirror, and the checksum-database
 * route exactly as the ranking judges it (ProvisionalJudge).
 */
class EarlyStop {
  stopped = false;
  readonly #k: number;
  readonly #judge: ProvisionalJudge;

  constructor(k: number, judge: ProvisionalJudge) {
    this.#k = k;
    this.#judge = judge;
  }

  check(runs: readonly MirrorRun[], deadlineHit: boolean): void {
    if (this.stopped || deadlineHit) return;
    const publicRuns = runs.filter((r) => !r.candidate.isPrivate);
    const unfinished = publicRuns.filter((r) => r.state !== 'settled');
    if (unfinished.length === 0 || unfinished.some((r) => r.state === 'queued')) return;
    const settled = publicRuns.filter((r) => r.state === 'settled' && !r.stopReason);
    if (settled.length < this.#k) return;

    const integrity = this.#judge.integrity(publicRuns, unfinished.length);
    const newest = newestVersions(settled);
    const costs: number[] = [];
    for (const r of settled) {
      if (r.throughputBytesPerSec === null) continue; // not measured (yet): its speed is unknown
      const i = integrity.get(r.candidate.url)!.integrity;
      const perfect =
        isUsable(r) &&
        (i === 'verified' || i === 'agreed') &&
        this.#judge.sumdbRouteAcceptable(r) &&
        isFresh(r, newest);
      const cost = perfect ? estimateSpeed(snapshot(r), null).costMs : null;
      if (cost !== null) costs.push(cost);
    }
    if (costs.length < this.#k) return;
    const bar = costs.sort((a, b) => a - b)[this.#k - 1]!;
    const beatable = bar + latencyBand(bar);
    const now = performance.now();
    const bounds = unfinished.map((u) => bestPossibleMedian(u.progressView(now)));
    if (!bounds.every((bound) => bound > beatable)) return;

    this.stopped = true;
    unfinished.forEach((u, i) =>
      u.stop({
        code: 'skipped',
        message: `early stop: ${this.#k} mirror(s) settled (an average request ${Math.round(bar)} ms); this one's latency could at best reach ${Math.round(bounds[i]!)} ms`,
      }),
    );
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
