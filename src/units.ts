/**
 * Human units, one implementation for every message: the selection's reasons, the cache's log
 * lines, the job summary and the terminal table say the same thing in the same words.
 * Binary units (KiB, MiB) because module zips are sized that way.
 */

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

export function trimZero(fixed: string): string {
  return fixed.replace(/\.0$/, '');
}

/** `1 module`, `3 modules`; negative or non-finite counts read as 0. */
export function count(n: number, noun: string): string {
  const value = Number.isFinite(n) ? Math.max(0, Math.round(n)) : 0;
  return `${value} ${value === 1 ? noun : `${noun}s`}`;
}
