/**
 * Human units shared by every renderer, so the summary, the terminal table and the annotations
 * say the same thing in the same words. Binary units (KiB, MiB) because module zips are sized that way.
 */
import { STATUS_CODES } from 'node:http';
import type { EndpointOutcome, IntegrityResult, MirrorVerdict } from '../report/types.js';

/** Placeholder for a value that was not measured (an en dash reads as "nothing" in tables). */
export const NOT_MEASURED = '–';

/** `0.4 ms`, `123 ms`, `1.2 s`, `12 s`; `–` when not measured. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return NOT_MEASURED;
  if (ms < 1) return `${trimZero(ms.toFixed(1))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  return seconds < 10 ? `${trimZero(seconds.toFixed(1))} s` : `${Math.round(seconds)} s`;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `512 B`, `12.3 MiB`; `–` when unknown. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) {
    return NOT_MEASURED;
  }
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // One decimal below 100 keeps three significant digits without noise ("123 MiB", "4.2 MiB").
  const shown = unit === 0 || value >= 100 ? String(Math.round(value)) : trimZero(value.toFixed(1));
  // Rounding can reach the next unit (1023.96 KiB → "1024 KiB"): show it in that unit instead.
  if (shown === '1024' && unit < BYTE_UNITS.length - 1) return `1 ${BYTE_UNITS[unit + 1]}`;
  return `${shown} ${BYTE_UNITS[unit]}`;
}

/** `4.2 MiB/s`; `–` when not measured. */
export function formatRate(bytesPerSec: number | null | undefined): string {
  const bytes = formatBytes(bytesPerSec);
  return bytes === NOT_MEASURED ? bytes : `${bytes}/s`;
}

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

/** True for an HTTP 200, the only healthy answer for a probe endpoint that must exist. */
export function isOkOutcome(outcome: EndpointOutcome | null | undefined): boolean {
  return outcome === 200;
}

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

function trimZero(fixed: string): string {
  return fixed.replace(/\.0$/, '');
}
