/**
 * Semantic version ordering as the go command applies it (golang.org/x/mod/semver): a leading
 * `v`, shorthands `v1` / `v1.2`, build metadata ignored, invalid versions below every valid one.
 */

interface ParsedVersion {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
  readonly prerelease: string;
}

const NUMBER = '(0|[1-9][0-9]*)';
const IDENTIFIER = '[0-9A-Za-z-]+';
const FULL = new RegExp(
  `^v${NUMBER}\\.${NUMBER}\\.${NUMBER}(-${IDENTIFIER}(?:\\.${IDENTIFIER})*)?(\\+${IDENTIFIER}(?:\\.${IDENTIFIER})*)?$`,
);
const SHORT = new RegExp(`^v${NUMBER}(?:\\.${NUMBER})?$`);

function parse(version: string): ParsedVersion | null {
  const full = FULL.exec(version);
  if (full) {
    const prerelease = full[4] ?? '';
    // Numeric prerelease identifiers must not have leading zeros.
    if (
      prerelease
        .slice(1)
        .split('.')
        .some((id) => /^0[0-9]+$/.test(id))
    )
      return null;
    return { major: full[1]!, minor: full[2]!, patch: full[3]!, prerelease };
  }
  const short = SHORT.exec(version);
  if (short) return { major: short[1]!, minor: short[2] ?? '0', patch: '0', prerelease: '' };
  return null;
}

export function isValidSemver(version: string): boolean {
  return parse(version) !== null;
}

/** -1, 0 or 1, like semver.Compare. */
export function compareSemver(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  if (x === null && y === null) return 0;
  if (x === null) return -1;
  if (y === null) return 1;
  return (
    compareNumber(x.major, y.major) ||
    compareNumber(x.minor, y.minor) ||
    compareNumber(x.patch, y.patch) ||
    comparePrerelease(x.prerelease, y.prerelease)
  );
}

/** The highest valid version of a list, or null when none is valid. */
export function maxSemver(versions: readonly string[]): string | null {
  let best: string | null = null;
  for (const version of versions) {
    if (!isValidSemver(version)) continue;
    if (best === null || compareSemver(version, best) > 0) best = version;
  }
  return best;
}

// Decimal strings without leading zeros: longer is larger, equal length compares as text.
function compareNumber(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePrerelease(a: string, b: string): number {
  if (a === b) return 0;
  // A release sorts after any of its prereleases.
  if (a === '') return 1;
  if (b === '') return -1;
  const xs = a.slice(1).split('.');
  const ys = b.slice(1).split('.');
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const order = compareIdentifier(xs[i]!, ys[i]!);
    if (order !== 0) return order;
  }
  return xs.length === ys.length ? 0 : xs.length < ys.length ? -1 : 1;
}

function compareIdentifier(a: string, b: string): number {
  const aNumeric = /^[0-9]+$/.test(a);
  const bNumeric = /^[0-9]+$/.test(b);
  if (aNumeric && bNumeric) return compareNumber(a, b);
  if (aNumeric) return -1;
  if (bNumeric) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
