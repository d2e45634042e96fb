/**
 * Go toolchain versions from `go version` or `go env GOVERSION`, and the feature checks that
 * depend on them (which GOPROXY syntax and env-file behaviour the installed go command has).
 */

export interface GoVersion {
  readonly major: number;
  readonly minor: number;
  /** 0 when absent (`go1.20` is the first 1.20 release). */
  readonly patch: number;
  /** `rc2` → { kind: 'rc', number: 2 }; null for a release. */
  readonly prerelease: { readonly kind: 'rc' | 'beta'; readonly number: number } | null;
  /** A development build (`devel go1.22-abc…`): newer than every release of its minor version. */
  readonly devel: boolean;
  /** The version token as printed, e.g. `go1.21rc2` or `devel go1.22-3f2c…`. */
  readonly raw: string;
}

const RELEASE = /\bgo(\d+)\.(\d+)(?:\.(\d+))?(?:(rc|beta)(\d+))?\b/;

/**
 * Parses `go version go1.19.8 linux/amd64`, `go1.21rc2`, `go1.22.1 X:boringcrypto` or
 * `go version devel go1.22-abcdef Tue … linux/amd64`. Returns null when nothing looks like a version
 * (an unversioned devel build, or unrelated text).
 */
export function parseGoVersion(text: string): GoVersion | null {
  const trimmed = text.trim();
  const develAt = trimmed.search(/\bdevel\b/);
  const match = RELEASE.exec(develAt >= 0 ? trimmed.slice(develAt) : trimmed);
  if (match === null) return null;
  const devel = develAt >= 0;
  const prerelease = match[4]
    ? { kind: match[4] as 'rc' | 'beta', number: Number(match[5]) }
    : null;
  const raw = devel ? trimmed.slice(develAt).split(/\s+/).slice(0, 2).join(' ') : match[0];
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: match[3] === undefined ? 0 : Number(match[3]),
    prerelease: devel ? null : prerelease,
    devel,
    raw,
  };
}

/** Orders versions: beta < rc < release < later patch; a devel build after every release of its minor. */
export function compareGoVersions(a: GoVersion, b: GoVersion): number {
  return (
    Math.sign(a.major - b.major) ||
    Math.sign(a.minor - b.minor) ||
    Math.sign(Number(a.devel) - Number(b.devel)) ||
    Math.sign(a.patch - b.patch) ||
    Math.sign(preRank(a) - preRank(b)) ||
    Math.sign((a.prerelease?.number ?? 0) - (b.prerelease?.number ?? 0))
  );
}

function preRank(v: GoVersion): number {
  if (v.prerelease === null) return 2;
  return v.prerelease.kind === 'rc' ? 1 : 0;
}

/**
 * True when v is at least `minimum`. A language version (`1.21`) is met by every 1.21 build,
 * pre-releases included (Go's own gover order: 1.21 < 1.21rc1 < 1.21.0); `1.21.3` needs that release.
 */
export function goVersionAtLeast(v: GoVersion, minimum: string): boolean {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(minimum);
  if (match === null) throw new Error(`invalid Go version ${JSON.stringify(minimum)}`);
  const [major, minor] = [Number(match[1]), Number(match[2])];
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  if (match[3] === undefined || v.devel) return true;
  const min: GoVersion = {
    major,
    minor,
    patch: Number(match[3]),
    prerelease: null,
    devel: false,
    raw: minimum,
  };
  return compareGoVersions(v, min) >= 0;
}

/** `|` in GOPROXY (fall through on any error) arrived in Go 1.15; older go commands read it as part of a URL. */
export function supportsPipeFallback(v: GoVersion): boolean {
  return goVersionAtLeast(v, '1.15');
}
