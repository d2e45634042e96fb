/** Small numeric helpers for the benchmark. */

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `1234` → `1.23 s`, `87.4` → `87 ms`. */
export function ms(value: number | null): string {
  if (value === null) return '–';
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}

/** Bytes per second, human-readable. */
export function rate(bytesPerSec: number | null): string {
  if (bytesPerSec === null) return '–';
  if (bytesPerSec >= 1_000_000) return `${(bytesPerSec / 1_000_000).toFixed(1)} MB/s`;
  if (bytesPerSec >= 1000) return `${(bytesPerSec / 1000).toFixed(0)} KB/s`;
  return `${Math.round(bytesPerSec)} B/s`;
}

export function ratio(value: number | null, base: number | null): number | null {
  if (value === null || base === null || base <= 0) return null;
  return value / base;
}

export function times(r: number | null): string {
  return r === null ? '–' : `${r.toFixed(2)}×`;
}

/** Left-aligned columns, two spaces apart. */
export function table(rows: readonly (readonly string[])[], indent = '  '): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  return rows
    .map((row) =>
      (
        indent +
        row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')
      ).trimEnd(),
    )
    .join('\n');
}
