/**
 * Which modules to probe with. Pure: parsed go.mod + private patterns in, module lists out.
 * Public modules go to public mirrors; modules matching the private patterns go only to the
 * private proxy (and never to the checksum database).
 */
import { type GoMod, effectiveRequirements } from '../goenv/gomod.js';
import { compareSemver, isValidSemver, semverPrerelease } from '../goenv/modpath.js';
import { matchPrefixPatterns } from '../goenv/patterns.js';
import type { ModuleRef } from './types.js';

/**
 * Built-in probe module: tiny (its zip is a few dozen KB, so its zip hash is checked too), stable
 * for years, served by every mirror.
 */
export const BUILTIN_PROBE_MODULE: ModuleRef = {
  path: 'github.com/google/uuid',
  version: 'v1.3.0',
};

/**
 * go.sum hashes of well-known module versions, from sum.golang.org (seen in many public go.sum
 * files; the uuid go.mod hash is recomputed in the tests). Used as the reference when the checksum
 * database cannot be reached, before falling back to cross-mirror agreement.
 */
export const PINNED_HASHES: Readonly<
  Record<string, { readonly mod: string; readonly zip: string }>
> = {
  'github.com/google/uuid@v1.3.0': {
    mod: 'h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo=',
    zip: 'h1:t6JiXgmwXMjEs8VusXIJk2BXHsn+wx8BZdTaoZ5fu7I=',
  },
  'golang.org/x/text@v0.3.7': {
    mod: 'h1:u+2+/6zg+i71rQMx5EYifcz6MCKuco9NR6JIITiCfzQ=',
    zip: 'h1:olpwvP2KacW1ZWvsR7uQhoyTYvKAupfQrRGBFM352Gk=',
  },
};

export type ProbeModuleSource = 'input' | 'go.mod' | 'builtin';

export interface ProbeModuleChoice {
  /** Modules probed on public mirrors (never matching the private patterns). */
  readonly public: readonly ModuleRef[];
  /** Modules probed on the private proxy only. */
  readonly private: readonly ModuleRef[];
  readonly source: ProbeModuleSource;
}

/** How many go.mod requirements to probe with: each costs four requests per mirror. */
export const MAX_AUTO_MODULES = 2;

/** Built-in modules in order of preference; the second covers patterns that make the first private. */
const BUILTIN_FALLBACKS: readonly ModuleRef[] = [
  BUILTIN_PROBE_MODULE,
  { path: 'golang.org/x/text', version: 'v0.3.7' },
];

/**
 * The first built-in module the private patterns leave public. Empty when they cover every one
 * (e.g. GOPRIVATE=*): public mirrors are then checked for reachability only, never asked for a
 * path the user declared private.
 */
function builtinFallback(isPrivate: (path: string) => boolean): ModuleRef[] {
  const module = BUILTIN_FALLBACKS.find((m) => !isPrivate(m.path));
  return module ? [module] : [];
}

/**
 * `auto`: the first public requirements of go.mod (direct before indirect, tagged releases before
 * pre-releases and pseudo-versions, locally replaced ones skipped), else the built-in module.
 * An explicit list is split by the private patterns.
 */
export function chooseProbeModules(
  input: 'auto' | readonly ModuleRef[],
  goMod: GoMod | null,
  privatePatterns: string,
): ProbeModuleChoice {
  const isPrivate = (path: string) =>
    privatePatterns !== '' && matchPrefixPatterns(privatePatterns, path);
  if (input !== 'auto') {
    const pub = input.filter((m) => !isPrivate(m.path));
    return {
      public: pub.length > 0 ? pub : builtinFallback(isPrivate),
      private: input.filter((m) => isPrivate(m.path)),
      source: 'input',
    };
  }
  const requirements = goMod
    ? effectiveRequirements(goMod).filter((r) => !r.replacedLocally && isValidSemver(r.version))
    : [];
  const rank = (r: { indirect: boolean; version: string }) =>
    (r.indirect ? 2 : 0) +
    (isPseudoVersion(r.version) || semverPrerelease(r.version) !== '' ? 1 : 0);
  const ordered = requirements
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
    .map(({ r }) => r);
  const pub = ordered.filter((r) => !isPrivate(r.path)).slice(0, MAX_AUTO_MODULES);
  const priv = ordered.filter((r) => isPrivate(r.path)).slice(0, MAX_AUTO_MODULES);
  const toRef = (r: { path: string; version: string }): ModuleRef => ({
    path: r.path,
    version: r.version,
  });
  if (pub.length === 0)
    return { public: builtinFallback(isPrivate), private: priv.map(toRef), source: 'builtin' };
  return { public: pub.map(toRef), private: priv.map(toRef), source: 'go.mod' };
}

const PSEUDO_VERSION =
  /^v[0-9]+\.(0\.0-|\d+\.\d+-([^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

/** module.IsPseudoVersion. */
export function isPseudoVersion(version: string): boolean {
  return (
    (version.match(/-/g)?.length ?? 0) >= 2 &&
    isValidSemver(version) &&
    PSEUDO_VERSION.test(version)
  );
}

/**
 * The version `go` would pick as latest from an `@v/list` answer: the highest release, else the
 * highest pre-release (pseudo-versions and invalid lines ignored, as proxyRepo.Versions does).
 */
export function latestFromList(versions: readonly string[]): string | null {
  const valid = versions.filter((v) => isValidSemver(v) && !isPseudoVersion(v));
  const releases = valid.filter((v) => semverPrerelease(v) === '');
  const pool = releases.length > 0 ? releases : valid;
  let best: string | null = null;
  for (const v of pool) if (best === null || compareSemver(v, best) > 0) best = v;
  return best;
}

/** The versions of an `@v/list` body: first field of each line, valid semver only. */
export function parseVersionList(body: string): string[] {
  const out: string[] = [];
  for (const line of body.split('\n')) {
    const field = line.trim().split(/\s+/)[0] ?? '';
    if (field !== '' && isValidSemver(field)) out.push(field);
  }
  return out;
}
