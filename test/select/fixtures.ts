/**
 * Hand-built ProbeRuns for selection and report tests. Each builder mirrors a profile of the
 * loopback mirror simulator (fast, slow, 403, 404, 504, blackhole, reset, https→http, tampered…)
 * as the probe engine would report it.
 */
import { SUM_GOLANG_ORG_KEY } from '../../src/goenv/gosumdb.js';
import type {
  Candidate,
  EndpointKind,
  EndpointResult,
  MirrorProbe,
  ProbeRun,
  RequestTiming,
  SumdbRouteProbe,
} from '../../src/probe/types.js';
import type { EndpointOutcome, IntegrityResult, MirrorOrigin } from '../../src/report/types.js';
import type { SelectOptions } from '../../src/select/types.js';

export const MODULE_PATH = 'golang.org/x/text';
export const MODULE_VERSION = 'v0.14.0';
export const MODULE = `${MODULE_PATH}@${MODULE_VERSION}`;
export const PRIVATE_MODULE = 'git.corp.example/team/lib@v1.2.0';
export const MOD_HASH = 'h1:fpu2YBs8Cn+uPELS7pdczZmF9hlK1PibTkwahffYMfo=';

export const SUMDB_DIRECT = 'https://sum.golang.org';
export const SUMDB_ALIAS = 'https://sum.golang.google.cn';

export function timing(
  ttfbMs: number | null,
  totalMs: number | null = ttfbMs === null ? null : ttfbMs + 2,
): RequestTiming {
  return { dnsMs: null, connectMs: null, tlsMs: null, ttfbMs, totalMs };
}

export interface FailureSpec {
  readonly kind: EndpointKind;
  readonly outcome: EndpointOutcome;
  /** Elapsed time of the failed request (timeouts). */
  readonly elapsedMs?: number;
  readonly error?: string;
  /** The module of the failing request (default: the public probe module). */
  readonly module?: string;
}

export interface MirrorSpec {
  readonly origin?: MirrorOrigin;
  /** Median total time of the probe requests in ms (TTFB is 2 ms less; null: not measured). */
  readonly latencyMs?: number | null;
  readonly throughput?: number | null;
  readonly fail?: FailureSpec;
  /** Outcome of /sumdb/sum.golang.org/supported (null: not probed). */
  readonly sumdbSupported?: EndpointOutcome | null;
  readonly integrity?: IntegrityResult;
  readonly integrityDetail?: string;
  readonly latest?: string;
  readonly listed?: readonly string[];
  readonly skipped?: string | null;
  /** Private proxy: probed only with the private module. */
  readonly isPrivate?: boolean;
  /** Credentials in the URL Go uses (displayUrl stays clean). */
  readonly userinfo?: string;
  /** Extra endpoints (e.g. a second 404 on the private proxy). */
  readonly extraEndpoints?: readonly EndpointResult[];
}

export function endpoint(
  base: string,
  kind: EndpointKind,
  outcome: EndpointOutcome,
  options: { module?: string; elapsedMs?: number; error?: string; ok?: boolean } = {},
): EndpointResult {
  const module = options.module ?? MODULE;
  const [path, version] = module.split('@') as [string, string];
  const suffix =
    kind === 'list'
      ? `${path}/@v/list`
      : kind === 'latest'
        ? `${path}/@latest`
        : kind.startsWith('sumdb-')
          ? `sumdb/sum.golang.org/${kind.slice(6)}`
          : `${path}/@v/${version}.${kind}`;
  const elapsed = options.elapsedMs ?? 20;
  return {
    kind,
    ...(kind.startsWith('sumdb-') ? {} : { module }),
    url: `${base.replace(/\/+$/, '')}/${suffix}`,
    outcome,
    ok: options.ok ?? outcome === 200,
    timing: timing(outcome === 'timeout' ? null : elapsed, elapsed),
    bytes: outcome === 200 ? 100 : 0,
    ...(options.error ? { error: options.error } : {}),
  };
}

export function mirror(displayUrl: string, spec: MirrorSpec = {}): MirrorProbe {
  const isPrivate = spec.isPrivate ?? false;
  const module = isPrivate ? PRIVATE_MODULE : MODULE;
  const [path, version] = module.split('@') as [string, string];
  const url = spec.userinfo ? displayUrl.replace('://', `://${spec.userinfo}@`) : displayUrl;
  const candidate: Candidate = {
    url,
    displayUrl,
    origin: spec.origin ?? (isPrivate ? 'private' : 'catalog'),
    isPrivate,
  };
  const latency = spec.latencyMs === undefined ? 50 : spec.latencyMs;
  const kinds: EndpointKind[] = ['list', 'latest', 'info', 'mod', 'zip'];
  const endpoints: EndpointResult[] = kinds.map((kind) => {
    const failing = spec.fail && spec.fail.kind === kind && (spec.fail.module ?? module) === module;
    return failing
      ? endpoint(displayUrl, kind, spec.fail!.outcome, {
          module,
          ...(spec.fail!.elapsedMs !== undefined ? { elapsedMs: spec.fail!.elapsedMs } : {}),
          ...(spec.fail!.error ? { error: spec.fail!.error } : {}),
        })
      : endpoint(displayUrl, kind, 200, { module, elapsedMs: latency ?? 20 });
  });
  if (spec.fail && !kinds.includes(spec.fail.kind)) {
    endpoints.push(
      endpoint(displayUrl, spec.fail.kind, spec.fail.outcome, {
        module: spec.fail.module ?? module,
      }),
    );
  }
  const sumdbSupported = spec.sumdbSupported === undefined ? 404 : spec.sumdbSupported;
  if (sumdbSupported !== null)
    endpoints.push(
      endpoint(displayUrl, 'sumdb-supported', sumdbSupported, { ok: sumdbSupported === 200 }),
    );
  endpoints.push(...(spec.extraEndpoints ?? []));
  const failing = endpoints.find((e) => !e.ok && !e.kind.startsWith('sumdb-'));
  const usable = failing === undefined && (spec.skipped ?? null) === null;
  const samples =
    latency === null || spec.fail
      ? []
      : [
          timing(latency + 3, latency + 5),
          timing(latency - 2, latency),
          timing(latency - 3, latency - 1),
        ];
  return {
    candidate,
    endpoints,
    latencySamples: samples,
    median: latency === null ? timing(null) : timing(latency - 2, latency),
    usable,
    failure: failing
      ? {
          code: String(failing.outcome),
          message: `${failing.url}: ${failing.outcome}`,
          class: failing.outcome === 404 || failing.outcome === 410 ? 'not-found' : 'terminal',
        }
      : null,
    sumdbSupported,
    modHashes: { [module]: MOD_HASH },
    zipHashes: {},
    listedVersions: isPrivate ? {} : { [path]: spec.listed ?? ['v0.13.0', version] },
    latestVersions: isPrivate ? {} : { [path]: spec.latest ?? version },
    integrity: spec.integrity ?? (isPrivate ? 'unchecked' : 'verified'),
    integrityDetail: spec.integrityDetail ?? '',
    throughputBytesPerSec: spec.throughput === undefined ? null : spec.throughput,
    skipped: spec.skipped ?? null,
  };
}

export interface RouteSpec {
  /** Outcome of the direct database (true = 200 and verified). */
  readonly direct?: EndpointOutcome | true;
  readonly alias?: EndpointOutcome | true;
  /** Relay outcomes by mirror display URL. */
  readonly relays?: Readonly<Record<string, EndpointOutcome | true>>;
}

function route(
  routeUrl: string,
  kind: SumdbRouteProbe['kind'],
  spec: EndpointOutcome | true,
  mirrorUrl?: string,
): SumdbRouteProbe {
  const outcome = spec === true ? 200 : spec;
  return {
    route: routeUrl,
    kind,
    ...(mirrorUrl ? { mirror: mirrorUrl } : {}),
    outcome,
    ok: spec === true,
    latencyMs: spec === true ? 40 : null,
    ...(spec === true ? {} : { error: `route failed: ${outcome}` }),
  };
}

export function routes(spec: RouteSpec = {}): SumdbRouteProbe[] {
  const out: SumdbRouteProbe[] = [];
  out.push(route(SUMDB_DIRECT, 'direct', spec.direct ?? true));
  if (spec.alias !== undefined) out.push(route(SUMDB_ALIAS, 'alias', spec.alias));
  for (const [mirrorUrl, outcome] of Object.entries(spec.relays ?? {})) {
    out.push(
      route(`${mirrorUrl.replace(/\/+$/, '')}/sumdb/sum.golang.org`, 'mirror', outcome, mirrorUrl),
    );
  }
  return out;
}

/** Sets route latencies (ms), keyed by `direct`, `alias`, or a relaying mirror's display URL. */
export function withRouteLatencies(
  list: readonly SumdbRouteProbe[],
  latencies: Readonly<Record<string, number>>,
): SumdbRouteProbe[] {
  return list.map((r) => {
    const key = r.kind === 'mirror' ? (r.mirror ?? '') : r.kind;
    const latencyMs = latencies[key];
    return latencyMs === undefined ? r : { ...r, latencyMs };
  });
}

export function probeRun(mirrors: readonly MirrorProbe[], extra: Partial<ProbeRun> = {}): ProbeRun {
  return {
    modules: [{ path: MODULE_PATH, version: MODULE_VERSION }],
    mirrors,
    database: {
      name: 'sum.golang.org',
      key: SUM_GOLANG_ORG_KEY,
      value: 'sum.golang.org',
      explicitUrl: null,
    },
    sumdbRoutes: routes(),
    signedModHashes: { [MODULE]: MOD_HASH },
    wallTimeMs: 812.4,
    deadlineHit: false,
    earlyStop: false,
    ...extra,
  };
}

export function options(overrides: Partial<SelectOptions> = {}): SelectOptions {
  return {
    fallback: 'direct',
    maxMirrors: 2,
    gosumdb: 'auto',
    goVersion: null,
    privatePatterns: [],
    existingGoproxy: null,
    ...overrides,
  };
}

export const PROXY_GOLANG = 'https://proxy.golang.org';
export const GOPROXY_CN = 'https://goproxy.cn';
export const GOPROXY_IO = 'https://goproxy.io';
export const ALIYUN = 'https://mirrors.aliyun.com/goproxy';
export const CORP_PROXY = 'https://athens.corp.example';
