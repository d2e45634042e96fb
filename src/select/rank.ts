import { compareSemver, isValidSemver, semverPrerelease } from '../goenv/modpath.js';
import { matchPrefixPatterns } from '../goenv/patterns.js';
import { isPseudoVersion, latestFromList } from '../probe/modules.js';
/**
 * Ranking, lexicographic (see RANKING_RULE in ranking-rule.ts):
 *   usable → integrity → checksum-database route → fresh → speed → input order.
 * Speed is the estimated time of an average module-proxy request (median latency plus the
 * transfer of AVERAGE_REQUEST_BYTES at the measured throughput). Estimates within a small noise
 * band count as equal, so input order decides between them.
 */
import type { MirrorProbe, ModuleRef, ProbeRun } from '../probe/types.js';
import type { MirrorVerdict } from '../report/types.js';
import { formatBytes, formatMs, formatRate } from '../units.js';
import {
  describeEndpointFailure,
  describeMirrorFailure,
  isModuleEndpoint,
  isNotFound,
  splitModule,
} from './describe.js';
import type { MirrorAssessment } from './types.js';
import { checkGoproxyEntry } from './validate.js';

/**
 * Speed estimates within max(5 ms, 10 %) of a faster mirror's are measurement noise, not a
 * difference. (The probe engine's early stop and its choice of throughput leaders apply the same
 * band to latency medians.)
 */
export const LATENCY_BAND_MIN_MS = 5;
export const LATENCY_BAND_RATIO = 0.1;

/**
 * The size of an average module-proxy request, for the speed estimate. Per module version the go
 * command fetches `.info` (~0.2 KiB), `.mod` (~1 KiB) and `.zip`. Zips run from a few KiB (small
 * libraries) to several MiB (golang.org/x/sys, x/text, cloud SDKs); over a typical project's
 * dependencies they average ~150–200 KiB, which spread over the three requests is ≈ 50–70 KiB.
 * `.mod` files fetched for the module graph alone pull the average down, the few multi-MiB zips
 * pull it up: 64 KiB sits in between. What the number does: at 192 KB/s a request pays ~340 ms
 * for its bytes, at 20 MB/s ~3 ms, so a few tens of milliseconds of round trip never hide a
 * bandwidth cap, while between mirrors of similar bandwidth the round trip still decides.
 */
export const AVERAGE_REQUEST_BYTES = 64 * 1024;

export interface RankInput {
  readonly run: ProbeRun;
  readonly maxMirrors: number;
  /** Would the checksum database work through the chain this mirror creates? null = not applicable. */
  readonly sumdbRouteOk: (probe: MirrorProbe) => boolean | null;
  /** Private patterns: tell the private proxy's private-path probes from public ones. */
  readonly privatePatterns: readonly string[];
  /** Probe modules no mirror serves (unservedProbeModules): their 404/410 answers are not held against a mirror. */
  readonly excusedModules?: readonly string[];
}

/**
 * The latency the speed estimate starts from: the median total time of the small probe requests
 * (list, info, mod) — the round trip each of the go command's requests pays — else the median
 * TTFB. The probe engine's early stop bounds this median from below and stops a mirror only when
 * that bound is above the leaders' speed estimates, so no throughput could have put it among them.
 */
export function rankingLatency(probe: MirrorProbe): number | null {
  return probe.median.totalMs ?? probe.median.ttfbMs ?? null;
}

export function isTampered(probe: MirrorProbe): boolean {
  return probe.integrity === 'mismatch' || probe.integrity === 'empty-mod';
}

interface Eligible {
  readonly probe: MirrorProbe;
  readonly index: number;
  readonly latencyMs: number | null;
  readonly speed: SpeedEstimate;
  readonly sumdbRouteOk: boolean | null;
  readonly fresh: boolean | null;
  readonly staleDetail: string | null;
}

/** The speed criterion of one mirror. */
export interface SpeedEstimate {
  /** Estimated time of an average request (ms); null when the latency was not measured. */
  readonly costMs: number | null;
  /** The throughput the estimate used (bytes/s); null when no mirror's was measured. */
  readonly throughputBytesPerSec: number | null;
  /** False when the mirror's own throughput was not measured and the best measured one stood in. */
  readonly throughputMeasured: boolean;
}

/** A usable measurement: a positive, finite rate. */
function measuredThroughput(probe: MirrorProbe): number | null {
  const rate = probe.throughputBytesPerSec;
  return rate !== null && Number.isFinite(rate) && rate > 0 ? rate : null;
}

/**
 * The best throughput measured among `probes`, or null. The engine measures throughput only for
 * the latency leaders; this stands in for the others, optimistically, so that an unmeasured
 * mirror neither wins nor loses on a number nobody took: it is ranked by its latency as if it
 * were as fast as the best.
 */
export function bestMeasuredThroughput(probes: readonly MirrorProbe[]): number | null {
  let best: number | null = null;
  for (const probe of probes) {
    const rate = measuredThroughput(probe);
    if (rate !== null && (best === null || rate > best)) best = rate;
  }
  return best;
}

/**
 * What one average module-proxy request costs through this mirror: its median latency plus the
 * transfer of AVERAGE_REQUEST_BYTES at its throughput (or `fallbackThroughput` when its own was
 * not measured; with neither, the latency alone).
 */
export function estimateSpeed(
  probe: MirrorProbe,
  fallbackThroughput: number | null,
): SpeedEstimate {
  const latency = rankingLatency(probe);
  const own = measuredThroughput(probe);
  const rate = own ?? fallbackThroughput;
  return {
    costMs: latency === null ? null : latency + (rate === null ? 0 : transferMs(rate)),
    throughputBytesPerSec: rate,
    throughputMeasured: own !== null,
  };
}

function transferMs(bytesPerSec: number): number {
  return (AVERAGE_REQUEST_BYTES / bytesPerSec) * 1000;
}

/** Assesses every probed mirror, in ProbeRun order. */
export function assessMirrors(input: RankInput): MirrorAssessment[] {
  const { run } = input;
  const out = new Map<number, MirrorAssessment>();
  const eligible: { probe: MirrorProbe; index: number }[] = [];
  const firstByUrl = new Map<string, MirrorProbe>();
  const excused = input.excusedModules ?? [];
  run.mirrors.forEach((original, index) => {
    const probe = excused.length > 0 ? excuseModules(original, excused, run.modules) : original;
    if (probe.candidate.isPrivate) {
      out.set(index, assessPrivate(probe, index, input.privatePatterns));
      return;
    }
    // The same URL from two origins (catalog and GOPROXY) takes one place, the first one's.
    const key = probe.candidate.url.replace(/\/+$/, '');
    const first = firstByUrl.get(key);
    if (first) {
      const reason = `same URL as the ${first.candidate.origin} entry, judged there`;
      out.set(index, { ...unranked(probe, index), verdict: 'skipped', reason });
      return;
    }
    firstByUrl.set(key, probe);
    const excluded = exclusion(probe);
    if (excluded) out.set(index, { ...unranked(probe, index), ...excluded });
    else eligible.push({ probe, index });
  });

  const freshness = judgeFreshness(eligible.map((e) => e.probe));
  const bestThroughput = bestMeasuredThroughput(eligible.map((e) => e.probe));
  const ranked = orderByRank(
    eligible.map(({ probe, index }, i) => ({
      probe,
      index,
      latencyMs: rankingLatency(probe),
      speed: estimateSpeed(probe, bestThroughput),
      sumdbRouteOk: input.sumdbRouteOk(probe),
      fresh: freshness[i]!.fresh,
      staleDetail: freshness[i]!.detail,
    })),
  );
  ranked.forEach((mirror, position) => {
    const rank = position + 1;
    const chosen = rank <= input.maxMirrors;
    out.set(mirror.index, {
      probe: mirror.probe,
      index: mirror.index,
      verdict: chosen ? 'chosen' : 'usable',
      rank,
      reason: rankedReason(
        mirror,
        rank,
        chosen,
        input.maxMirrors,
        slowerAheadByInputOrder(ranked, position),
      ),
      fresh: mirror.fresh,
      staleDetail: mirror.staleDetail,
      latencyMs: mirror.latencyMs,
      sumdbRouteOk: mirror.sumdbRouteOk,
    });
  });
  return run.mirrors.map((_, index) => out.get(index)!);
}

/** Why a public mirror cannot be ranked, or null when it can. */
function exclusion(probe: MirrorProbe): { verdict: MirrorVerdict; reason: string } | null {
  if (isTampered(probe)) return { verdict: 'tampered', reason: tamperedReason(probe) };
  const badEntry = checkGoproxyEntry(probe.candidate.url);
  if (badEntry !== null) {
    return { verdict: 'failed', reason: `cannot be a GOPROXY entry: ${badEntry}` };
  }
  if (probe.usable) return null;
  if (probe.skipped !== null && probe.failure === null) {
    return { verdict: 'skipped', reason: `not probed: ${probe.skipped}` };
  }
  return { verdict: 'failed', reason: describeMirrorFailure(probe) };
}

function tamperedReason(probe: MirrorProbe): string {
  const what =
    probe.integrity === 'empty-mod'
      ? 'served an empty go.mod'
      : 'served content that does not match the checksum database';
  return probe.integrityDetail ? `${what}: ${probe.integrityDetail}` : what;
}

function unranked(probe: MirrorProbe, index: number): MirrorAssessment {
  return {
    probe,
    index,
    verdict: 'failed',
    rank: null,
    reason: '',
    fresh: null,
    staleDetail: null,
    latencyMs: rankingLatency(probe),
    sumdbRouteOk: null,
  };
}

/**
 * The private proxy is not ranked: it is in the chain because the user asked for it. Its verdict
 * says whether it worked: for private modules any failure counts; for public ones (if probed) only
 * errors that stop a `,` chain — a 404/410 for a public module is the healthy answer.
 */
function assessPrivate(
  probe: MirrorProbe,
  index: number,
  privatePatterns: readonly string[],
): MirrorAssessment {
  const base = unranked(probe, index);
  const role = `first in the chain (followed by \`,\`) ${
    probe.candidate.origin === 'private'
      ? 'because private-proxy is set'
      : 'because it heads your GOPROXY and looks like a private proxy'
  }`;
  if (isTampered(probe))
    return { ...base, verdict: 'tampered', reason: `${tamperedReason(probe)}; still ${role}` };
  const globs = privatePatterns.join(',');
  const isPublicPath = (module: string | undefined) =>
    globs !== '' && !matchPrefixPatterns(globs, splitModule(module ?? '').path);
  const failing = probe.endpoints.find(
    (e) => isModuleEndpoint(e) && !e.ok && !(isPublicPath(e.module) && isNotFound(e.outcome)),
  );
  if (failing) {
    return {
      ...base,
      verdict: 'failed',
      reason: `${describeEndpointFailure(failing)}; still ${role}`,
    };
  }
  if (!probe.usable && probe.failure !== null && probe.endpoints.length === 0) {
    return { ...base, verdict: 'failed', reason: `${describeMirrorFailure(probe)}; still ${role}` };
  }
  const skipped = probe.skipped !== null && !probe.usable ? ` (not probed: ${probe.skipped})` : '';
  return { ...base, verdict: 'chosen', reason: `private proxy, ${role}${skipped}` };
}

/**
 * Freshness per module: a mirror is stale when the version Go would resolve as latest through it
 * (its @latest answer, or the best of its @v/list: releases before pre-releases, pseudo-versions
 * ignored) is below what the union of the eligible mirrors offers. Tampered and failed mirrors are
 * not eligible, so they cannot make the others look stale.
 */
export function judgeFreshness(
  probes: readonly MirrorProbe[],
): { fresh: boolean | null; detail: string | null }[] {
  const bestLatest = new Map<string, string>();
  const allListed = new Map<string, string[]>();
  for (const probe of probes) {
    for (const [path, version] of Object.entries(probe.latestVersions))
      raise(bestLatest, path, version);
    for (const [path, versions] of Object.entries(probe.listedVersions))
      allListed.set(path, [...(allListed.get(path) ?? []), ...versions]);
  }
  const bestListed = new Map<string, string>();
  for (const [path, versions] of allListed) {
    const best = latestFromList(versions);
    if (best !== null) bestListed.set(path, best);
  }
  return probes.map((probe) => {
    let known = false;
    for (const path of Object.keys(probe.latestVersions).sort()) {
      known = true;
      const mine = probe.latestVersions[path]!;
      const best = bestLatest.get(path)!;
      if (compareAsLatest(mine, best) < 0) {
        return {
          fresh: false,
          detail: `@latest of ${path} is ${mine} here, ${best} on another mirror`,
        };
      }
    }
    for (const path of Object.keys(probe.listedVersions).sort()) {
      known = true;
      const mine = latestFromList(probe.listedVersions[path]!);
      const best = bestListed.get(path);
      if (best === undefined) continue;
      if (mine === null || compareAsLatest(mine, best) < 0) {
        return {
          fresh: false,
          detail: `@v/list of ${path} stops at ${mine ?? '(nothing)'} here, another mirror lists ${best}`,
        };
      }
    }
    return { fresh: known ? true : null, detail: null };
  });
}

/**
 * The order in which Go prefers a version as "latest": any release over any pre-release over any
 * pseudo-version, then semantic-version order.
 */
export function compareAsLatest(a: string, b: string): number {
  return latestClass(a) - latestClass(b) || compareSemver(a, b);
}

function latestClass(version: string): number {
  if (isPseudoVersion(version)) return 0;
  return semverPrerelease(version) === '' ? 2 : 1;
}

/** The highest valid version of a list, or null when none is valid. */
export function maxSemver(versions: readonly string[]): string | null {
  let best: string | null = null;
  for (const version of versions) {
    if (isValidSemver(version) && (best === null || compareSemver(version, best) > 0))
      best = version;
  }
  return best;
}

function raise(best: Map<string, string>, path: string, version: string): void {
  const current = best.get(path);
  if (current === undefined || compareAsLatest(version, current) > 0) best.set(path, version);
}

// ---------------------------------------------------------------------------------------------
// Probe modules no mirror serves

/**
 * Probe modules that are not a mirror fault: every mirror that otherwise looks usable answered
 * 404/410 for them, none served them, and at least one such mirror served every other probe
 * module completely (so the mirrors demonstrably work). A module only reachable `direct` (a host
 * mirrors cannot fetch from, a path nobody published) would otherwise fail every mirror.
 *
 * With a single probe module nothing tells a missing module from a fleet of broken mirrors, so
 * nothing is excused then.
 */
export function unservedProbeModules(run: ProbeRun): string[] {
  const paths = [...new Set(run.modules.map((m) => m.path))];
  if (paths.length < 2) return [];
  const mirrors = run.mirrors.filter(
    (p) => !p.candidate.isPrivate && !isTampered(p) && checkGoproxyEntry(p.candidate.url) === null,
  );
  const looking = mirrors.filter(looksUsableApartFromMissingModules);
  if (looking.length === 0) return [];
  const unserved = paths.filter(
    (path) =>
      !mirrors.some((p) => servesModule(p, path)) &&
      looking.every((p) => moduleEndpoints(p, path).some((e) => isNotFound(e.outcome))),
  );
  if (unserved.length === 0 || unserved.length === paths.length) return [];
  const others = paths.filter((path) => !unserved.includes(path));
  const proven = looking.some((p) => others.every((path) => servesModule(p, path)));
  return proven ? unserved : [];
}

/** Fully probed, no transport failure, and every failing module request answered 404/410. */
function looksUsableApartFromMissingModules(probe: MirrorProbe): boolean {
  if (probe.skipped !== null) return false;
  if (probe.failure !== null && probe.failure.class !== 'not-found') return false;
  return probe.endpoints.filter(isModuleEndpoint).every((e) => e.ok || isNotFound(e.outcome));
}

function moduleEndpoints(probe: MirrorProbe, path: string) {
  return probe.endpoints.filter(
    (e) => isModuleEndpoint(e) && e.module !== undefined && splitModule(e.module).path === path,
  );
}

/** Every request about the module that was made answered 200 with valid content, .info and .mod included. */
function servesModule(probe: MirrorProbe, path: string): boolean {
  const endpoints = moduleEndpoints(probe, path);
  return (
    endpoints.every((e) => e.ok) &&
    endpoints.some((e) => e.kind === 'info') &&
    endpoints.some((e) => e.kind === 'mod')
  );
}

/**
 * The probe as if the excused modules had not been probed: a mirror whose only failures are their
 * 404/410 answers, and that served every other module, is usable.
 */
function excuseModules(
  probe: MirrorProbe,
  excused: readonly string[],
  probeModules: readonly ModuleRef[],
): MirrorProbe {
  if (probe.usable || probe.candidate.isPrivate || !looksUsableApartFromMissingModules(probe))
    return probe;
  const failing = probe.endpoints.filter((e) => isModuleEndpoint(e) && !e.ok);
  const onlyExcused = failing.every(
    (e) => e.module !== undefined && excused.includes(splitModule(e.module).path),
  );
  const modules = probeModules.map((m) => m.path).filter((path) => !excused.includes(path));
  const servesTheRest = modules.length > 0 && modules.every((path) => servesModule(probe, path));
  return onlyExcused && servesTheRest ? { ...probe, usable: true, failure: null } : probe;
}

function tier(mirror: Eligible): number[] {
  return [
    // integrity: checked content beats unchecked content
    mirror.probe.integrity === 'unchecked' ? 1 : 0,
    mirror.sumdbRouteOk === false ? 1 : 0,
    mirror.fresh === false ? 1 : 0,
  ];
}

function compareTiers(a: Eligible, b: Eligible): number {
  const ta = tier(a);
  const tb = tier(b);
  for (let i = 0; i < ta.length; i++) if (ta[i] !== tb[i]) return ta[i]! - tb[i]!;
  return 0;
}

/**
 * Sorts eligible mirrors: tiers, then speed, then input order. Speed counts in noise bands: the
 * fastest remaining mirror of a tier and every mirror of that tier whose estimate is within its
 * band are equal, and keep input order among themselves.
 */
export function orderByRank<T extends Eligible>(mirrors: readonly T[]): T[] {
  const byTierThenCost = [...mirrors].sort(
    (a, b) =>
      compareTiers(a, b) || compareCost(a.speed.costMs, b.speed.costMs) || a.index - b.index,
  );
  const out: T[] = [];
  let i = 0;
  while (i < byTierThenCost.length) {
    const leader = byTierThenCost[i]!;
    let j = i + 1;
    while (
      j < byTierThenCost.length &&
      compareTiers(leader, byTierThenCost[j]!) === 0 &&
      inBand(leader.speed.costMs, byTierThenCost[j]!.speed.costMs)
    ) {
      j++;
    }
    out.push(...byTierThenCost.slice(i, j).sort((a, b) => a.index - b.index));
    i = j;
  }
  return out;
}

function inBand(leaderMs: number | null, otherMs: number | null): boolean {
  if (leaderMs === null || otherMs === null) return leaderMs === otherMs;
  return otherMs - leaderMs <= Math.max(LATENCY_BAND_MIN_MS, leaderMs * LATENCY_BAND_RATIO);
}

/** Lower first; unmeasured last. */
function compareCost(a: number | null, b: number | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return a - b;
}

/**
 * The best-ranked mirror placed above `ranked[position]` only by input order: same tiers, a
 * higher estimate within the noise band. Its rank, or null.
 */
function slowerAheadByInputOrder(ranked: readonly Eligible[], position: number): number | null {
  const mirror = ranked[position]!;
  const cost = mirror.speed.costMs;
  if (cost === null) return null;
  for (let i = 0; i < position; i++) {
    const other = ranked[i]!;
    if (compareTiers(other, mirror) !== 0 || other.speed.costMs === null) continue;
    if (other.speed.costMs > cost) return i + 1;
  }
  return null;
}

function rankedReason(
  mirror: Eligible,
  rank: number,
  chosen: boolean,
  maxMirrors: number,
  aheadByInputOrder: number | null,
): string {
  let text = `rank ${rank}: ${describeSpeed(mirror.latencyMs, mirror.speed)}`;
  if (aheadByInputOrder !== null)
    text += `; as fast as rank ${aheadByInputOrder} within measurement noise (max(${LATENCY_BAND_MIN_MS} ms, ${LATENCY_BAND_RATIO * 100} %)), which comes first in input order`;
  const demotions: string[] = [];
  if (mirror.probe.integrity === 'unchecked')
    demotions.push(
      'its content could not be checked against the checksum database or other mirrors',
    );
  if (mirror.sumdbRouteOk === false)
    demotions.push('the checksum database is not reachable through the chain it would head');
  if (mirror.fresh === false && mirror.staleDetail) demotions.push(`stale: ${mirror.staleDetail}`);
  if (demotions.length > 0) text += `; ranked lower because ${demotions.join('; ')}`;
  if (!chosen) text += `; not in the chain (max-mirrors is ${maxMirrors})`;
  return text;
}

/**
 * `median latency 53 ms, 8.4 MiB/s → ~61 ms per 64 KiB request`, saying when the throughput is
 * the best measured one standing in for an unmeasured one, or missing altogether.
 */
export function describeSpeed(latencyMs: number | null, speed: SpeedEstimate): string {
  const rate = speed.throughputBytesPerSec;
  if (latencyMs === null) {
    return speed.throughputMeasured && rate !== null
      ? `latency not measured, ${formatRate(rate)}`
      : 'latency not measured';
  }
  const latency = `median latency ${formatMs(latencyMs)}`;
  if (rate === null)
    return `${latency}, throughput not measured (by any mirror: latency alone counts)`;
  const measured = speed.throughputMeasured
    ? formatRate(rate)
    : `throughput not measured (taken as ${formatRate(rate)}, the best measured)`;
  return `${latency}, ${measured} → ~${formatMs(speed.costMs!)} per ${formatBytes(AVERAGE_REQUEST_BYTES)} request`;
}
