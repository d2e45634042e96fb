/**
 * One more attempt after a timeout.
 *
 * Our per-request timeouts are wall-clock timers. On a loaded runner (two cores shared with
 * compilers, test workers, other jobs) a process can be descheduled for hundreds of milliseconds;
 * when it runs again, Node's timers phase fires the expired timer before the poll phase reads the
 * answer already waiting in the socket. Measured on this 2-core machine with 8 busy processes:
 * small requests to a 5 ms loopback mirror took up to ~500 ms (the floor for the timeout is
 * 750 ms), and once a whole 2.5 s probe stalled until its deadline had passed.
 * A user would not drop a healthy mirror for one slow request, so a request that timed out is
 * asked once more — only when the deadline leaves room for the whole second attempt, so the
 * deadline and the cost of a dead mirror stay bounded (at most two timeouts). Our own stops
 * (`deadline`, `skipped`) are never retried, nor is any answer or other failure.
 */
import type { GetOptions, HttpClient, HttpResult } from '../net/http.js';

export interface RetryResult {
  readonly http: HttpResult;
  /** The first attempt's error, when this is the second attempt. */
  readonly retriedAfter?: string;
}

/** `options` is called before each attempt (fresh signals; callers may note when it started). */
export async function getWithOneRetry(
  http: HttpClient,
  url: string,
  options: () => GetOptions,
  canRetry: () => boolean,
): Promise<RetryResult> {
  const first = await http.get(url, options());
  if (first.outcome !== 'timeout' || !canRetry()) return { http: first };
  const second = await http.get(url, options());
  return { http: second, retriedAfter: first.error ?? 'timeout' };
}
