/**
 * Human units shared by every renderer, so the summary, the terminal table and the annotations
 * say the same thing in the same words. Binary units (KiB, MiB) because module zips are sized that way.
 */
import { STATUS_CODES } from 'node:http';
import type { EndpointOutcome, IntegrityResult, MirrorVerdict } from '../report/types.js';

export { NOT_MEASURED, formatBytes, formatMs, formatRate } from '../units.js';
import { NOT_MEASURED, trimZero } from '../units.js';

/** `3.4×` for a speed-up ratio; `–` when unknown. */
export function formatRatio(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio) || ratio <= 0) {
    return NOT_MEASURED;
  }
  return `${trimZero(ratio.toFixed(ratio < 10 ? 1 : 0))}×`;
}

/** Probe error codes (probe/types.ts EndpointResult.outcome) in words. */
const ERROR_TEXT: Readonly<Record<string, string>> = {
  timeout: 'timeout',
  deadline: 'probe deadline reached',
  dns: 'DNS lookup failed',
  refused: 'connection refused',
  ECONNREFUSED: 'connection refused',
  reset: 'connection reset',
  ECONNRESET: 'connection reset',
  tls: 'TLS error',
  'redirect-to-http': 'redirected to http',
  'too-many-redirects': 'too many redirects',
  'too-large': 'response too large',
  'invalid-response': 'invalid response',
  error: 'request error',
};

/** `403 Forbidden`, `200 OK`, `timeout`, `redirected to http`; `not probed` for null. */
export function formatOutcome(outcome: EndpointOutcome | null | undefined): string {
  if (outcome === null || outcome === undefined) return 'not probed';
  if (typeof outcome === 'number') {
    // Node's reason phrases, as the selection's sentences use them.
    const text = STATUS_CODES[outcome];
    return text ? `${outcome} ${text}` : String(outcome);
  }
  return ERROR_TEXT[outcome] ?? outcome;
}

/** Below this, our route is not said to be faster than the default one: that is noise. */
export const NOTABLE_SPEEDUP = 1.05;

const INTEGRITY_TEXT: Readonly<Record<IntegrityResult, string>> = {
  verified: 'verified',
  agreed: 'agrees with other mirrors',
  mismatch: 'MISMATCH',
  'empty-mod': 'empty .mod',
  unchecked: 'unchecked',
};

export function formatIntegrity(integrity: IntegrityResult): string {
  return INTEGRITY_TEXT[integrity] ?? integrity;
}

export function formatFreshness(fresh: boolean | null): string {
  if (fresh === null) return 'unknown';
  return fresh ? 'current' : 'behind';
}

/** Display order of verdicts for mirrors without a rank (most useful first). */
export const VERDICT_ORDER: Readonly<Record<MirrorVerdict, number>> = {
  chosen: 0,
  usable: 1,
  failed: 2,
  tampered: 3,
  skipped: 4,
};
