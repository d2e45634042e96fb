import type { EndpointResult, MirrorProbe, ProbeRun, RequestTiming } from '../probe/types.js';
import { redactUrlCredentials, stripCredentials } from '../redact.js';
import { clip, describeOutcome, endpointPath, isNotFound, statusKey } from '../select/describe.js';
import { sortFindings } from '../select/findings.js';
import type { MirrorAssessment, Selection } from '../select/types.js';
/**
 * Assembles the JSON report (contract.md) from the probe run and the selection, and serialises it
 * with a stable key order so snapshots and diffs stay meaningful.
 */
import { REPORT_SCHEMA_VERSION, VERSION } from '../version.js';
import {
  DECISION_CODE,
  type EndpointOutcome,
  type Finding,
  type MirrorReport,
  type PhaseTimings,
  type PrivatePatternReport,
  type Report,
} from './types.js';

/** The default route's mirror: speed-ups are measured against it. */
export const DEFAULT_MIRROR = 'https://proxy.golang.org';

/** Most errors listed per mirror; the rest are summarised. */
const MAX_ERRORS_PER_MIRROR = 10;

export interface BuildReportInput {
  readonly run: ProbeRun;
  readonly selection: Selection;
  /** Private patterns with where each came from, in the order they were merged. */
  readonly privatePatterns: readonly PrivatePatternReport[];
  readonly probeModules: Report['probeModules'];
  /** Findings from other parts (private patterns, env writing, cache…); merged and ordered with selection's. */
  readonly extraFindings?: readonly Finding[];
  /** ISO 8601 time the run started (passed in: the core reads no clock). */
  readonly startedAt: string;
  /** GOPRIVATE as written; default: the private patterns joined with `,`. Empty = not written. */
  readonly goprivate?: string;
}

export function buildReport(input: BuildReportInput): Report {
  const { run, selection } = input;
  const first = firstChosen(selection.assessments);
  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'go-proxy-setup', version: VERSION },
    startedAt: input.startedAt,
    probeWallTimeMs: Math.round(run.wallTimeMs),
    settings: {
      GOPROXY: selection.display.GOPROXY,
      GOSUMDB: selection.display.GOSUMDB,
      GOPRIVATE:
        input.goprivate ?? [...new Set(input.privatePatterns.map((p) => p.pattern))].join(','),
      GONOPROXY: selection.display.GONOPROXY,
      GONOSUMDB: selection.display.GONOSUMDB,
    },
    routeFound: selection.routeFound,
    reasons: [...selection.reasons],
    fastestMirror: first ? stripCredentials(first.probe.candidate.displayUrl) : null,
    fastestLatencyMs: fastestLatency(first),
    speedupOverDefault: speedupOverDefault(selection.assessments, first),
    mirrors: orderForReport(selection.assessments).map(mirrorReport),
    sumdb: selection.sumdb,
    integrityMethod: integrityMethod(run),
    privatePatterns: input.privatePatterns.map((p) => ({ pattern: p.pattern, source: p.source })),
    probeModules: input.probeModules.map((m) => ({
      path: m.path,
      version: m.version,
      source: m.source,
    })),
    findings: mergeFindings(selection.findings, input.extraFindings ?? []),
  };
  // Belt and braces: display URLs are credential-free already; nothing with user info may slip out.
  return scrub(report);
}

/** Rank 1 among public mirrors. */
function firstChosen(assessments: readonly MirrorAssessment[]): MirrorAssessment | null {
  return assessments.find((a) => a.rank === 1) ?? null;
}

/**
 * The first chosen mirror's median time to first byte — what the output `fastest-latency-ms`, the
 * summary headline and the table's TTFB column all show — else its median total time when no
 * TTFB was measured. (The ranking itself uses the median total: see rankingLatency.)
 */
function fastestLatency(first: MirrorAssessment | null): number | null {
  if (first === null) return null;
  const median = first.probe.median;
  const ms = median.ttfbMs ?? median.totalMs;
  return ms === null ? null : Math.round(ms);
}

/**
 * Median TTFB of proxy.golang.org divided by the first chosen mirror's (the contract's definition),
 * when both were measured; the ranking latencies stand in when a TTFB is missing.
 */
function speedupOverDefault(
  assessments: readonly MirrorAssessment[],
  first: MirrorAssessment | null,
): number | null {
  if (first === null) return null;
  const defaultMirror = assessments.find(
    (a) =>
      !a.probe.candidate.isPrivate &&
      a.rank !== null &&
      normalise(a.probe.candidate.displayUrl) === DEFAULT_MIRROR,
  );
  if (defaultMirror === undefined) return null;
  const ttfbs = [defaultMirror.probe.median.ttfbMs, first.probe.median.ttfbMs];
  const [slow, fast] = ttfbs.every((t) => t !== null)
    ? ttfbs
    : [defaultMirror.latencyMs, first.latencyMs];
  if (slow === null || slow === undefined || fast === null || fast === undefined || fast <= 0)
    return null;
  return Math.round((slow / fast) * 100) / 100;
}

function normalise(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Private proxy first (it heads the chain), then ranked mirrors by rank, then the rest in probe order. */
function orderForReport(assessments: readonly MirrorAssessment[]): MirrorAssessment[] {
  const group = (a: MirrorAssessment) =>
    a.probe.candidate.isPrivate ? 0 : a.rank !== null ? 1 : 2;
  return [...assessments].sort(
    (a, b) => group(a) - group(b) || (a.rank ?? 0) - (b.rank ?? 0) || a.index - b.index,
  );
}

function mirrorReport(a: MirrorAssessment): MirrorReport {
  const probe = a.probe;
  const report: MirrorReport = {
    url: stripCredentials(probe.candidate.displayUrl),
    origin: probe.candidate.origin,
    rank: a.rank,
    verdict: a.verdict,
    reason: a.reason,
    statuses: statuses(probe.endpoints),
    timings: phaseTimings(probe.median),
    samples: probe.latencySamples.length,
    latencySamplesMs: probe.latencySamples
      .map((t) => t.totalMs)
      .filter((ms): ms is number => ms !== null)
      .map(round1),
    throughputBytesPerSec:
      probe.throughputBytesPerSec === null ? null : Math.round(probe.throughputBytesPerSec),
    sumdbSupported: probe.sumdbSupported,
    integrity: probe.integrity,
    fresh: a.fresh,
    errors: errors(probe),
  };
  return probe.integrityDetail ? { ...report, integrityDetail: probe.integrityDetail } : report;
}

/** One outcome per endpoint label, keys sorted; a failure wins over a success of the same label. */
function statuses(endpoints: readonly EndpointResult[]): Record<string, EndpointOutcome> {
  const byKey = new Map<string, EndpointResult>();
  for (const endpoint of endpoints) {
    const key = statusKey(endpoint);
    const seen = byKey.get(key);
    if (seen === undefined || (seen.ok && !endpoint.ok)) byKey.set(key, endpoint);
  }
  const out: Record<string, EndpointOutcome> = {};
  for (const key of [...byKey.keys()].sort()) out[key] = byKey.get(key)!.outcome;
  return out;
}

function errors(probe: MirrorProbe): string[] {
  const lines: string[] = [];
  for (const endpoint of probe.endpoints) {
    if (endpoint.ok) continue;
    // 404/410 on /supported is the normal "does not relay the checksum database" answer.
    if (endpoint.kind === 'sumdb-supported' && isNotFound(endpoint.outcome)) continue;
    const detail = endpoint.error ? `: ${clip(endpoint.error)}` : '';
    const line = `${endpointPath(endpoint)} ${describeOutcome(endpoint.outcome, endpoint.timing.totalMs)}${detail}`;
    if (!lines.includes(line)) lines.push(line);
  }
  if (lines.length === 0 && probe.failure) lines.push(clip(probe.failure.message));
  if (lines.length > MAX_ERRORS_PER_MIRROR) {
    const more = lines.length - (MAX_ERRORS_PER_MIRROR - 1);
    return [...lines.slice(0, MAX_ERRORS_PER_MIRROR - 1), `… and ${more} more`];
  }
  return lines;
}

function phaseTimings(t: RequestTiming): PhaseTimings {
  return {
    dnsMs: roundOrNull(t.dnsMs),
    connectMs: roundOrNull(t.connectMs),
    tlsMs: roundOrNull(t.tlsMs),
    ttfbMs: roundOrNull(t.ttfbMs),
    totalMs: roundOrNull(t.totalMs),
  };
}

function round1(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function roundOrNull(ms: number | null): number | null {
  return ms === null ? null : round1(ms);
}

function integrityMethod(run: ProbeRun): Report['integrityMethod'] {
  if (Object.keys(run.signedModHashes).length > 0) return 'sumdb';
  if (run.mirrors.some((m) => m.integrity === 'agreed')) return 'cross-mirror';
  return 'none';
}

/** Errors, warnings, notices; the decision notice last. */
function mergeFindings(selection: readonly Finding[], extra: readonly Finding[]): Finding[] {
  const decision = selection.filter((f) => f.code === DECISION_CODE);
  const rest = selection.filter((f) => f.code !== DECISION_CODE);
  return sortFindings([...rest, ...extra, ...decision]);
}

/** Deep copy with URL user info removed from every string. */
function scrub<T>(value: T): T {
  if (typeof value === 'string') return redactUrlCredentials(value) as T;
  if (Array.isArray(value)) return value.map(scrub) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = scrub(inner);
    return out as T;
  }
  return value;
}

/**
 * Key order of the serialised report, per object (addressed by its path): contract fields in
 * reading order. Keys not listed (fields added later, and the data keys of `statuses`) follow in
 * code-point order, so the output never depends on how an object was built.
 */
const KEY_ORDER: Readonly<Record<string, readonly string[]>> = {
  '': [
    'schemaVersion',
    'tool',
    'startedAt',
    'probeWallTimeMs',
    'settings',
    'routeFound',
    'reasons',
    'fastestMirror',
    'fastestLatencyMs',
    'speedupOverDefault',
    'mirrors',
    'sumdb',
    'integrityMethod',
    'privatePatterns',
    'probeModules',
    'findings',
  ],
  tool: ['name', 'version'],
  settings: ['GOPROXY', 'GOSUMDB', 'GOPRIVATE', 'GONOPROXY', 'GONOSUMDB'],
  'mirrors[]': [
    'url',
    'origin',
    'rank',
    'verdict',
    'reason',
    'statuses',
    'timings',
    'samples',
    'latencySamplesMs',
    'throughputBytesPerSec',
    'sumdbSupported',
    'integrity',
    'integrityDetail',
    'fresh',
    'errors',
  ],
  'mirrors[].timings': ['dnsMs', 'connectMs', 'tlsMs', 'ttfbMs', 'totalMs'],
  sumdb: ['database', 'value', 'route', 'reason', 'tried'],
  'sumdb.tried[]': ['route', 'outcome', 'ok', 'note'],
  'privatePatterns[]': ['pattern', 'source'],
  'probeModules[]': ['path', 'version', 'source'],
  'findings[]': ['level', 'code', 'title', 'message', 'mirror'],
};

function keyComparator(objectPath: string): (a: string, b: string) => number {
  const order = KEY_ORDER[objectPath] ?? [];
  return (a, b) => {
    const ra = order.indexOf(a);
    const rb = order.indexOf(b);
    if (ra >= 0 && rb >= 0) return ra - rb;
    if (ra >= 0) return -1;
    if (rb >= 0) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  };
}

function ordered(value: unknown, objectPath: string): unknown {
  if (Array.isArray(value)) return value.map((v) => ordered(v, `${objectPath}[]`));
  if (value === null || typeof value !== 'object') {
    return typeof value === 'number' && !Number.isFinite(value) ? null : value;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => keyComparator(objectPath)(a, b));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of entries)
    out[key] = ordered(inner, objectPath === '' ? key : `${objectPath}.${key}`);
  return out;
}

/** Stable JSON: fixed key order, two-space indent, trailing newline; non-finite numbers become null. */
export function reportToJson(report: Report): string {
  return `${JSON.stringify(ordered(report, ''), null, 2)}\n`;
}
