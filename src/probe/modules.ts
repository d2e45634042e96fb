/**
 * Which modules to probe with. Pure: parsed go.mod + private patterns in, module lists out.
 * Public modules go to public mirrors; modules matching the private patterns go only to the
 * private proxy (and never to the checksum database).
 */
import { type GoMod, effectiveRequirements } from '../goenv/gomod.js';
import { compareSemver, isValidSemver, semverPrerelease } from '../goenv/modpath.js';
import { deadPatternReason, matchPrefixPatterns } from '../goenv/patterns.js';
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
  /**
   * The probe-only private patterns that were applied ('' when none, or for an explicit list):
   * the engine must refuse them too.
   */
  readonly probeOnlyPrivate: string;
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

export interface ProbeModuleOptions {
  /**
   * Patterns that are private for probing only (the repository's own host/owner when its
   * visibility is unknown, see probeOnlyPrivatePatterns): go.mod requirements matching them are
   * not probed anywhere. Not applied to an explicit list: the user named those modules.
   */
  readonly probeOnlyPrivate?: string;
  /**
   * GOSUMDB=off: the probe would still look modules up in sum.golang.org to check mirrors, and
   * the user's module paths must not go there. `auto` then probes with the built-in module only.
   */
  readonly checksumDatabaseOff?: boolean;
}

/**
 * `auto`: the first public requirements of go.mod (direct before indirect, tagged releases before
 * pre-releases and pseudo-versions), else the built-in module. Replacements apply as in Go: a
 * requirement replaced by another module is probed as that module at the replacement's version,
 * one replaced by a local directory is skipped, and the replaced path itself is never probed.
 * An explicit list is split by the private patterns.
 */
export function chooseProbeModules(
  input: 'auto' | readonly ModuleRef[],
  goMod: GoMod | null,
  privatePatterns: string,
  options: ProbeModuleOptions = {},
): ProbeModuleChoice {
  const isPrivate = (path: string) =>
    privatePatterns !== '' && matchPrefixPatterns(privatePatterns, path);
  if (input !== 'auto') {
    const pub = input.filter((m) => !isPrivate(m.path));
    return {
      public: pub.length > 0 ? pub : builtinFallback(isPrivate),
      private: input.filter((m) => isPrivate(m.path)),
      source: 'input',
      probeOnlyPrivate: '',
    };
  }
  const probeOnly = options.probeOnlyPrivate ?? '';
  const keptOffPublic = (path: string) =>
    isPrivate(path) || (probeOnly !== '' && matchPrefixPatterns(probeOnly, path));
  const requirements = goMod ? fetchedRequirements(goMod) : [];
  const rank = (r: FetchedRequirement) =>
    (r.indirect ? 2 : 0) +
    (isPseudoVersion(r.version) || semverPrerelease(r.version) !== '' ? 1 : 0);
  const ordered = requirements
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
    .map(({ r }) => r);
  const pub = ordered.filter((r) => !keptOffPublic(r.path)).slice(0, MAX_AUTO_MODULES);
  const priv = ordered.filter((r) => isPrivate(r.path)).slice(0, MAX_AUTO_MODULES);
  const toRef = (r: FetchedRequirement): ModuleRef => ({ path: r.path, version: r.version });
  if (pub.length === 0 || options.checksumDatabaseOff) {
    return {
      public: builtinFallback(keptOffPublic),
      private: priv.map(toRef),
      source: 'builtin',
      probeOnlyPrivate: probeOnly,
    };
  }
  return {
    public: pub.map(toRef),
    private: priv.map(toRef),
    source: 'go.mod',
    probeOnlyPrivate: probeOnly,
  };
}

interface FetchedRequirement {
  readonly path: string;
  readonly version: string;
  readonly indirect: boolean;
}

/** What Go downloads for go.mod's requirements: replacements applied, local ones and duplicates dropped. */
function fetchedRequirements(goMod: GoMod): FetchedRequirement[] {
  const out: FetchedRequirement[] = [];
  for (const r of effectiveRequirements(goMod)) {
    if (r.fetchPath === null || r.fetchVersion === null || !isValidSemver(r.fetchVersion)) continue;
    const existing = out.findIndex((o) => o.path === r.fetchPath && o.version === r.fetchVersion);
    if (existing >= 0) {
      // Two requirements replaced by the same module: direct if either is.
      if (!r.indirect) out[existing] = { ...out[existing]!, indirect: false };
      continue;
    }
    out.push({ path: r.fetchPath, version: r.fetchVersion, indirect: r.indirect });
  }
  return out;
}

/** What probeOnlyPrivatePatterns needs to know about a repository (derive.ts's RepositoryScope). */
export interface RepositoryFacts {
  readonly host: string;
  readonly owner: string | null;
  readonly publicHosting: boolean;
  readonly visibility: 'public' | 'private' | 'internal' | 'unknown';
}

/**
 * Patterns kept off public mirrors and the checksum database while PROBING (never written):
 * the repository's own host/owner — on a public hosting site the owner, elsewhere the host — and
 * the host/owner of go.mod's module path, unless the repository is known to be public.
 *
 * When visibility is unknown (the CLI on a laptop, Jenkins, a hosting site without an event
 * payload) nothing is derived into GOPRIVATE, yet a requirement `github.com/acme/billing-internal`
 * of `github.com/acme/app` is most likely private: probing it would publish its name.
 */
export function probeOnlyPrivatePatterns(
  repositories: readonly RepositoryFacts[],
  modulePath: string | null,
): string[] {
  const out: string[] = [];
  const add = (pattern: string) => {
    if (pattern !== '' && deadPatternReason(pattern) === null && !out.includes(pattern))
      out.push(pattern);
  };
  for (const repo of repositories) {
    if (repo.visibility === 'public') continue;
    if (!repo.publicHosting || repo.owner === null) {
      add(repo.host);
      continue;
    }
    add(`${repo.host}/${repo.owner}`);
    // Owners are case-insensitive on hosting sites, module paths are not.
    add(`${repo.host}/${repo.owner.toLowerCase()}`);
  }
  const knownPublic = repositories.some((repo) => repo.visibility === 'public');
  if (modulePath !== null && !knownPublic) {
    const [host, owner] = modulePath.split('/');
    // `module myapp`: a local name, nothing is fetched under it.
    if (host?.includes('.')) add(owner ? `${host}/${owner}` : host);
  }
  return out;
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

/**
 * The versions of an `@v/list` body as cmd/go's proxyRepo.Versions keeps them: the first field of
 * each line, valid semver only, pseudo-versions dropped (some mirrors list them; Go ignores them,
 * so they say nothing about how fresh a mirror is).
 */
export function parseVersionList(body: string): string[] {
  const out: string[] = [];
  for (const field of versionLineFields(body)) {
    if (isValidSemver(field) && !isPseudoVersion(field)) out.push(field);
  }
  return out;
}

/**
 * Whether an `@v/list` body names at least one valid version, pseudo-versions included: a list of
 * pseudo-versions only is a well-formed answer (Go just finds no tagged version in it).
 */
export function listHasVersionLines(body: string): boolean {
  return versionLineFields(body).some(isValidSemver);
}

function versionLineFields(body: string): string[] {
  return body
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((field) => field !== '');
}
