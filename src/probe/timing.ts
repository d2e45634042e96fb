/**
 * Medians of phase timings, and the lower bound behind the early stop.
 */
import type { RequestTiming } from './types.js';

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return Math.round(value * 100) / 100;
}

/** Median of each phase over the samples where that phase happened (reused connections have no dns/connect/tls). */
export function medianTiming(samples: readonly RequestTiming[]): RequestTiming {
  const phase = (key: keyof RequestTiming) =>
    median(samples.flatMap((s) => (s[key] === null ? [] : [s[key]])));
  return {
    dnsMs: phase('dnsMs'),
    connectMs: phase('connectMs'),
    tlsMs: phase('tlsMs'),
    ttfbMs: phase('ttfbMs'),
    totalMs: phase('totalMs'),
  };
}

/** What the early stop knows about a mirror that is still being probed. */
export interface ProgressView {
  /**
   * Total times of the latency samples answered so far, in order. The first one opened a
   * connection (every lane's first request does; see mirror.ts MAX_LANES).
   */
  readonly completed: readonly number[];
  /** DNS time of the first (connection-opening) sample, when known. */
  readonly firstDnsMs: number | null;
  /** TCP connect time of a direct (not proxied) connection: one round trip. */
  readonly tcpRttMs: number | null;
  /** Elapsed time of each latency sample in flight (one per lane at most). */
  readonly pendingMs: readonly number[];
  /** How many latency samples the full probe of this mirror takes. */
  readonly planned: number;
  /** Round trips a new connection costs before the request can be sent: TCP 1, TLS 2 (https), proxy CONNECT 1. */
  readonly setupRoundTrips: number;
  /** The host is a name, so a new connection also waits for DNS (counted as one more round trip while unmeasured). */
  readonly resolvesName: boolean;
}

/**
 * The smallest median of total times this mirror can still end with.
 *
 * Assumptions (stated so the early stop is honest about what it relies on):
 * A1. The server spends about as long on each small request, so a request on a warm connection
 *     costs one round trip plus that time, and a request that opens a connection costs
 *     `setupRoundTrips` more round trips: warm >= first / (setupRoundTrips + 1). Until DNS is
 *     measured it counts as one more round trip. While nothing has answered yet, every request
 *     in flight is opening its lane's connection, so the longest-running one stands for `first`.
 * A2. A TCP handshake takes one round trip, so no later request is faster than it.
 * Completed samples count as they are, each one in flight as at least its elapsed time, and every
 * sample still to come as the floor these assumptions give (a lower bound for a connection-opening
 * sample too).
 */
export function bestPossibleMedian(view: ProgressView): number {
  const first =
    view.completed[0] ?? (view.pendingMs.length > 0 ? Math.max(...view.pendingMs) : null);
  let floor = view.tcpRttMs ?? 0;
  if (first !== null) {
    const dnsKnown = view.completed.length > 0 && view.firstDnsMs !== null;
    const roundTrips = view.setupRoundTrips + 1 + (view.resolvesName && !dnsKnown ? 1 : 0);
    floor = Math.max(floor, (dnsKnown ? first - view.firstDnsMs! : first) / roundTrips);
  }
  const values = [...view.completed, ...view.pendingMs];
  while (values.length < view.planned) values.push(floor);
  return median(values) ?? 0;
}
