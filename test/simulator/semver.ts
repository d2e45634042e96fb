/** Semantic-version ordering as the go command applies it to module versions (golang.org/x/mod/semver). */

const SEMVER =
  /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

export function isCanonicalVersion(version: string): boolean {
  return SEMVER.test(version);
}

export function isPrerelease(version: string): boolean {
  const m = SEMVER.exec(version);
  return m?.[4] !== undefined;
}

function compareIdentifiers(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return Math.sign(Number(a) - Number(b));
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Negative when a < b, as semver.Compare. Both must be canonical. */
export function compareVersions(a: string, b: string): number {
  const ma = SEMVER.exec(a);
  const mb = SEMVER.exec(b);
  if (!ma || !mb) throw new Error(`not a semantic version: ${ma ? b : a}`);
  for (let i = 1; i <= 3; i++) {
    const d = Math.sign(Number(ma[i]) - Number(mb[i]));
    if (d !== 0) return d;
  }
  const pa = ma[4];
  const pb = mb[4];
  if (pa === undefined || pb === undefined) return pa === pb ? 0 : pa === undefined ? 1 : -1;
  const ia = pa.split('.');
  const ib = pb.split('.');
  for (let i = 0; i < Math.min(ia.length, ib.length); i++) {
    const d = compareIdentifiers(ia[i]!, ib[i]!);
    if (d !== 0) return d;
  }
  return Math.sign(ia.length - ib.length);
}

/** The version `@latest` resolves to: the highest release, else the highest pre-release. */
export function latestVersion(versions: readonly string[]): string | undefined {
  const sorted = [...versions].sort(compareVersions);
  const releases = sorted.filter((v) => !isPrerelease(v));
  return releases.at(-1) ?? sorted.at(-1);
}
