/**
 * GOPRIVATE from the repository: the git remote, the CI's description of the repository, and the
 * go.mod module path, merged with GOPRIVATE from the environment and the `goprivate` input.
 * Pure: the caller reads the remote, the event payload and go.mod (git.ts, goenv/gomod.ts).
 *
 * Rules (issue 2, item 3):
 * - On a public hosting site (hosting.ts) the pattern is `host/owner` (GitLab: the top-level
 *   group), derived only when the repository is private or internal, or the user forces it.
 * - On any other host (GHES, self-managed GitLab, Gitea…) the pattern is the host.
 * - Order: environment, input, derived; no duplicates; first spelling wins.
 */
import { InputError } from '../errors.js';
import { deadPatternReason, matchPrefixPatterns, parsePatternInput } from '../goenv/patterns.js';
import type { Finding, PrivatePatternReport } from '../report/types.js';
import {
  PUBLIC_HOSTING_SITES,
  PUBLIC_MODULE_SAMPLES,
  canonicalRepository,
  isPublicModuleHost,
  publicHostingSite,
} from './hosting.js';
import { parseRemoteUrl, redactRemoteUrl } from './remote.js';

/** The `goprivate-from-remote` input. */
export type FromRemoteMode = 'auto' | 'true' | 'false';

export type RepositoryVisibility = 'public' | 'private' | 'internal' | 'unknown';

export type PatternSource = PrivatePatternReport['source'];

/** What the GitHub event payload says about the repository (git.ts reads it). */
export interface EventRepository {
  readonly visibility?: 'public' | 'private' | 'internal';
  readonly private?: boolean;
  /** `owner/repo`, to check the payload describes GITHUB_REPOSITORY. */
  readonly fullName?: string;
}

export interface GoModFacts {
  /** The `module` line; null when go.mod has none. */
  readonly modulePath: string | null;
  /** Paths of the `require` lines (direct and indirect). */
  readonly requirements: readonly string[];
}

export interface DerivePrivateInput {
  readonly mode: FromRemoteMode;
  /** GOPRIVATE and the CI variables (GITHUB_*, CI_*). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The `goprivate` input: raw text (validated here, InputError when bad) or an already parsed list. */
  readonly goprivateInput?: string | readonly string[];
  /** `git remote get-url origin`; may carry a token, which never leaves this function. */
  readonly originUrl?: string | null;
  readonly eventRepository?: EventRepository | null;
  readonly goMod?: GoModFacts | null;
}

/** A repository the patterns were derived from (credential-free). */
export interface RepositoryScope {
  readonly source: 'ci' | 'remote' | 'go.mod';
  /** Host as in module paths: lower case, no port. */
  readonly host: string;
  /** First path element (owner, top-level group, workspace…); null when unknown. */
  readonly owner: string | null;
  readonly publicHosting: boolean;
  readonly visibility: RepositoryVisibility;
  /** The pattern derived from it; null when none was. */
  readonly pattern: string | null;
}

export interface DerivePrivateResult {
  /** Final patterns in order, each with where it came from. */
  readonly patterns: readonly PrivatePatternReport[];
  /** The GOPRIVATE value: patterns joined with `,`, no spaces. Empty when there are none. */
  readonly goprivate: string;
  readonly repositories: readonly RepositoryScope[];
  readonly findings: readonly Finding[];
  /** One sentence per decision, for the summary's details. */
  readonly reasons: readonly string[];
}

interface Candidate {
  readonly source: 'ci' | 'remote' | 'go.mod';
  readonly host: string;
  readonly segments: readonly string[];
  /** Overrides segments[0] as the owner (GitLab's CI_PROJECT_ROOT_NAMESPACE). */
  readonly owner?: string;
  readonly visibility: RepositoryVisibility;
}

interface Collector {
  readonly findings: Finding[];
  readonly reasons: string[];
}

const DERIVED_SOURCES: ReadonlySet<PatternSource> = new Set(['remote', 'ci', 'go.mod']);
const SOURCE_WORDS: Readonly<Record<PatternSource, string>> = {
  env: 'GOPRIVATE in the environment',
  input: 'the goprivate input',
  remote: 'the git remote',
  ci: 'the CI variables',
  'go.mod': 'the go.mod module path',
};
const MAX_LISTED = 5;

export function derivePrivatePatterns(input: DerivePrivateInput): DerivePrivateResult {
  const out: Collector = { findings: [], reasons: [] };
  const fromEnv = environmentPatterns(input.env.GOPRIVATE ?? '', out);
  const fromInput = inputPatterns(input.goprivateInput ?? '');
  const derivation =
    input.mode === 'false' ? nothingDerived(out) : deriveFromRepository(input, out);
  const patterns = mergePatterns(
    [
      ...fromEnv.map((pattern) => ({ pattern, source: 'env' as const })),
      ...fromInput.map((pattern) => ({ pattern, source: 'input' as const })),
      ...derivation.patterns,
    ],
    out,
  );
  out.findings.push(...breadthFindings(patterns, input.goMod?.requirements ?? []));
  return {
    patterns,
    goprivate: patterns.map((entry) => entry.pattern).join(','),
    repositories: derivation.repositories,
    findings: out.findings,
    reasons: out.reasons,
  };
}

/** module.MatchPrefixPatterns against a GOPRIVATE value. */
export function isPrivateModulePath(modulePath: string, goprivate: string): boolean {
  return matchPrefixPatterns(goprivate, modulePath);
}

/**
 * Whether a module path must never be sent to a public mirror or the checksum database: matched by
 * GOPRIVATE, GONOPROXY or GONOSUMDB (each of the latter two defaulting to GOPRIVATE, as in Go).
 */
export function mustStayOffPublicServices(
  modulePath: string,
  settings: {
    readonly GOPRIVATE?: string;
    readonly GONOPROXY?: string;
    readonly GONOSUMDB?: string;
  },
): boolean {
  const goprivate = settings.GOPRIVATE ?? '';
  return [goprivate, settings.GONOPROXY || goprivate, settings.GONOSUMDB || goprivate].some(
    (globs) => matchPrefixPatterns(globs, modulePath),
  );
}

/**
 * Why a pattern can never match a module path, or null: Go's certainties (patterns.ts) plus a
 * scheme or port in the first element, which module paths never carry.
 */
export function privatePatternProblem(pattern: string): string | null {
  const firstElement = pattern.split('/')[0]!;
  if (firstElement.includes(':')) {
    // Shown redacted: a URL pasted here may carry user info.
    return `${JSON.stringify(redactRemoteUrl(pattern))} has a scheme or port; module paths have neither, so it matches nothing (write the host and path alone, e.g. ${JSON.stringify(withoutSchemeOrPort(pattern))})`;
  }
  return deadPatternReason(pattern)?.message ?? null;
}

function withoutSchemeOrPort(pattern: string): string {
  // Everything up to the last `@` goes, as in redactRemoteUrl: user info may contain `/`.
  const withoutUser = pattern.slice(pattern.lastIndexOf('@') + 1);
  const withoutScheme = withoutUser.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '');
  return withoutScheme.replace(/^([^/:]*):[^/]*/, '$1');
}

// ---------------------------------------------------------------------------------------------
// Sources

/** GOPRIVATE as Go splits it; dead entries are dropped (Go ignores them too) with a warning. */
function environmentPatterns(goprivate: string, out: Collector): string[] {
  const kept: string[] = [];
  for (const pattern of goprivate.split(',')) {
    if (pattern === '' || pattern === '/') continue;
    const problem = privatePatternProblem(pattern);
    if (problem) {
      out.findings.push(deadFinding(problem, 'env'));
      continue;
    }
    kept.push(pattern);
  }
  return kept;
}

function inputPatterns(raw: string | readonly string[]): readonly string[] {
  // Checked item by item before parsePatternInput, whose messages quote a pasted URL unredacted.
  const items = typeof raw === 'string' ? raw.split(/[,\n\r]/).map((item) => item.trim()) : raw;
  for (const pattern of items) {
    const problem = pattern === '' ? null : privatePatternProblem(pattern);
    if (problem) {
      throw new InputError(
        `Invalid input 'goprivate': ${problem} (allowed: module path patterns such as corp.example.com or github.com/acme, comma or newline separated).`,
      );
    }
  }
  return typeof raw === 'string' ? parsePatternInput('goprivate', raw) : raw;
}

interface Derivation {
  readonly patterns: readonly PrivatePatternReport[];
  readonly repositories: readonly RepositoryScope[];
}

function nothingDerived(out: Collector): Derivation {
  out.reasons.push('goprivate-from-remote is false: no pattern derived from the repository.');
  return { patterns: [], repositories: [] };
}

function deriveFromRepository(input: DerivePrivateInput, out: Collector): Derivation {
  const modulePath = input.goMod?.modulePath ?? null;
  const candidates = repositoryCandidates(input, out);
  if (candidates.length === 0 && modulePath && input.mode === 'true') {
    const goModCandidate = candidateFromModulePath(modulePath);
    if (goModCandidate) candidates.push(goModCandidate);
  }
  if (candidates.length === 0) {
    const why =
      'no git remote, CI repository or usable module path to derive a private pattern from.';
    out.reasons.push(`Nothing derived: ${why}`);
    if (input.mode === 'true')
      out.findings.push(skippedFinding(`goprivate-from-remote is true, but there is ${why}`));
    return { patterns: [], repositories: [] };
  }
  const patterns: PrivatePatternReport[] = [];
  const repositories: RepositoryScope[] = [];
  for (const candidate of candidates) {
    const scope = scopeOf(candidate, input.mode, modulePath, out);
    repositories.push(scope);
    if (scope.pattern) patterns.push({ pattern: scope.pattern, source: candidate.source });
  }
  const deemedPrivate = repositories.some((scope) => scope.pattern !== null);
  if (modulePath && deemedPrivate) {
    const vanity = vanityPattern(modulePath, repositories, out);
    if (vanity) patterns.push({ pattern: vanity, source: 'go.mod' });
  }
  return { patterns, repositories };
}

/**
 * The repositories we can see: the CI's (authoritative for visibility) and the remote's, when it
 * names a different repository (a checkout of another repository into working-directory).
 */
function repositoryCandidates(input: DerivePrivateInput, out: Collector): Candidate[] {
  const candidates: Candidate[] = [];
  const ci =
    gitlabCandidate(input.env) ?? githubCandidate(input.env, input.eventRepository ?? null);
  if (ci) candidates.push(ci);
  const origin = input.originUrl ?? null;
  if (origin === null || origin.trim() === '') return candidates;
  const parsed = parseRemoteUrl(origin);
  if (!parsed.ok) {
    if (!ci) {
      out.findings.push(
        skippedFinding(
          `The origin remote (${redactRemoteUrl(origin)}) names no hosted repository: ${parsed.reason}.`,
        ),
      );
    }
    return candidates;
  }
  const repo = canonicalRepository(parsed.location);
  if (repo.note) out.reasons.push(`Remote host: ${repo.note}.`);
  if (ci && sameRepository(ci, repo.host, repo.pathSegments)) return candidates;
  if (ci) {
    out.reasons.push(
      `The origin remote (${repo.host}/${repo.pathSegments.join('/')}) is not the CI repository; its visibility is unknown.`,
    );
  }
  candidates.push({
    source: 'remote',
    host: repo.host,
    segments: repo.pathSegments,
    visibility: 'unknown',
  });
  return candidates;
}

function gitlabCandidate(env: DerivePrivateInput['env']): Candidate | null {
  const host = hostOnly(env.CI_SERVER_HOST);
  const path = env.CI_PROJECT_PATH?.trim();
  if (!host || !path) return null;
  const segments = path.split('/').filter((segment) => segment !== '');
  if (segments.length === 0) return null;
  const root = env.CI_PROJECT_ROOT_NAMESPACE?.trim();
  return {
    source: 'ci',
    host,
    segments,
    ...(root ? { owner: root } : {}),
    visibility: visibilityWord(env.CI_PROJECT_VISIBILITY),
  };
}

function githubCandidate(
  env: DerivePrivateInput['env'],
  event: EventRepository | null,
): Candidate | null {
  const server = env.GITHUB_SERVER_URL?.trim();
  const repository = env.GITHUB_REPOSITORY?.trim();
  if (!server || !repository) return null;
  let host: string;
  try {
    host = new URL(server).hostname.toLowerCase();
  } catch {
    return null;
  }
  const segments = repository.split('/').filter((segment) => segment !== '');
  if (host === '' || segments.length === 0) return null;
  return { source: 'ci', host, segments, visibility: eventVisibility(event, repository) };
}

function candidateFromModulePath(modulePath: string): Candidate | null {
  const [host, ...segments] = modulePath.split('/');
  if (!host || !isModuleHost(host)) return null;
  return { source: 'go.mod', host, segments, visibility: 'unknown' };
}

function eventVisibility(event: EventRepository | null, repository: string): RepositoryVisibility {
  if (!event) return 'unknown';
  // A payload about another repository says nothing about this one.
  if (event.fullName && event.fullName.toLowerCase() !== repository.toLowerCase()) return 'unknown';
  if (event.visibility) return visibilityWord(event.visibility);
  if (event.private === true) return 'private';
  if (event.private === false) return 'public';
  return 'unknown';
}

function visibilityWord(value: string | undefined): RepositoryVisibility {
  const word = value?.trim().toLowerCase();
  return word === 'public' || word === 'private' || word === 'internal' ? word : 'unknown';
}

/** CI_SERVER_HOST is documented as host only; a stray port or case is still removed. */
function hostOnly(value: string | undefined): string | null {
  const host = value?.trim().toLowerCase();
  if (!host) return null;
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1) || null;
  return host.split(':')[0] || null;
}

function sameRepository(ci: Candidate, host: string, segments: readonly string[]): boolean {
  const a = [ci.host, ...ci.segments].join('/').toLowerCase();
  const b = [host, ...segments].join('/').toLowerCase();
  return a === b;
}

// ---------------------------------------------------------------------------------------------
// From a repository to a pattern

function scopeOf(
  candidate: Candidate,
  mode: FromRemoteMode,
  modulePath: string | null,
  out: Collector,
): RepositoryScope {
  const { host, source, visibility } = candidate;
  const site = publicHostingSite(host);
  const owner = candidate.owner ?? candidate.segments[0] ?? null;
  const scope = { source, host, owner, publicHosting: site !== undefined, visibility };
  const place = site && owner ? `${host}/${owner}` : host;
  const skip = (reason: string, finding: boolean): RepositoryScope => {
    out.reasons.push(`Not derived from ${SOURCE_WORDS[source]} (${place}): ${reason}.`);
    if (finding)
      out.findings.push(skippedFinding(`No private pattern derived for ${place}: ${reason}.`));
    return { ...scope, pattern: null };
  };
  if (!isModuleHost(host))
    return skip(
      'the host cannot start a module path (module paths need a lower-case host name with a dot)',
      mode === 'true',
    );
  if (site && (!owner || !isModulePathElement(owner))) {
    return skip(`the ${site.ownerTerm} is missing or not a module path element`, mode === 'true');
  }
  if (mode === 'auto') {
    if (visibility === 'public') return skip('the repository is public', false);
    if (visibility === 'unknown' && site) {
      return skip(
        `${host} hosts public and private repositories and this repository's visibility is unknown; set goprivate-from-remote to true if it is private, or list the pattern in goprivate`,
        true,
      );
    }
  }
  const pattern = site ? `${host}/${ownerInModuleCase(host, owner!, modulePath, out)}` : host;
  out.reasons.push(
    `${pattern} from ${SOURCE_WORDS[source]}: ${whyDerived(mode, visibility, site !== undefined)}.`,
  );
  return { ...scope, pattern };
}

function whyDerived(
  mode: FromRemoteMode,
  visibility: RepositoryVisibility,
  publicHosting: boolean,
): string {
  const scope = publicHosting
    ? 'owner on a public hosting site'
    : 'whole host (not a public hosting site)';
  if (mode === 'true') return `${scope}, goprivate-from-remote is true`;
  if (visibility === 'unknown') return `${scope}, assumed private`;
  return `${scope}, the repository is ${visibility}`;
}

/**
 * Owners are case-insensitive on hosting sites but module paths are not: when go.mod spells the
 * same owner differently (`github.com/acme/x` in a repository at `github.com/Acme/x`), go.mod's
 * spelling is what imports use.
 */
function ownerInModuleCase(
  host: string,
  owner: string,
  modulePath: string | null,
  out: Collector,
): string {
  if (!modulePath) return owner;
  const [moduleHost, moduleOwner] = modulePath.split('/');
  if (moduleHost !== host || !moduleOwner || moduleOwner === owner) return owner;
  if (moduleOwner.toLowerCase() !== owner.toLowerCase()) return owner;
  out.reasons.push(
    `Using go.mod's spelling ${host}/${moduleOwner} (the repository says ${owner}): module paths are case-sensitive.`,
  );
  return moduleOwner;
}

/**
 * A vanity module path (`go.corp.example/lib` for a repository hosted elsewhere): its host is where
 * sibling modules live, so it is private too when the repository is.
 */
function vanityPattern(
  modulePath: string,
  repositories: readonly RepositoryScope[],
  out: Collector,
): string | null {
  const host = modulePath.split('/')[0]!;
  // `module myapp`: a local name, nothing is ever fetched under it.
  if (!isModuleHost(host)) return null;
  if (repositories.some((scope) => scope.host === host)) return null;
  if (publicHostingSite(host)) {
    out.reasons.push(
      `Not derived from the go.mod module path ${modulePath}: it lives on ${host}, not where the repository is (a fork or mirror?).`,
    );
    return null;
  }
  if (isPublicModuleHost(host)) {
    out.reasons.push(
      `Not derived from the go.mod module path ${modulePath}: ${host} serves public modules.`,
    );
    return null;
  }
  out.reasons.push(
    `${host} from the go.mod module path ${modulePath}: a vanity host of a private repository.`,
  );
  return host;
}

/** First element of a module path: lower-case letters, digits, `-`, `.`; a dot; no leading `-`. */
function isModuleHost(host: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]*$/.test(host) &&
    host.includes('.') &&
    !host.startsWith('.') &&
    !host.endsWith('.') &&
    !host.includes('..')
  );
}

/** Later module path elements: `A-Z a-z 0-9 - . _ ~`, not starting or ending with a dot. */
function isModulePathElement(element: string): boolean {
  return /^[A-Za-z0-9._~-]+$/.test(element) && !element.startsWith('.') && !element.endsWith('.');
}

// ---------------------------------------------------------------------------------------------
// Merging

/**
 * Exact duplicates (ignoring the one trailing `/` Go trims) keep their first spelling. A derived
 * pattern that another pattern already covers is dropped: it adds nothing and the shorter list is
 * easier to read. Patterns the user wrote (environment, input) are never dropped.
 */
function mergePatterns(
  entries: readonly PrivatePatternReport[],
  out: Collector,
): PrivatePatternReport[] {
  const unique: PrivatePatternReport[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const key = withoutTrailingSlash(entry.pattern);
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(entry);
  }
  return unique.filter((entry) => {
    if (!DERIVED_SOURCES.has(entry.source)) return true;
    // Derived patterns are literal module path prefixes, so matching them as a target is exact.
    const cover = unique.find(
      (other) =>
        other !== entry && matchPrefixPatterns(other.pattern, withoutTrailingSlash(entry.pattern)),
    );
    if (!cover) return true;
    out.reasons.push(
      `${entry.pattern} (from ${SOURCE_WORDS[entry.source]}) is already covered by ${cover.pattern}.`,
    );
    return false;
  });
}

function withoutTrailingSlash(pattern: string): string {
  return pattern.endsWith('/') ? pattern.slice(0, -1) : pattern;
}

// ---------------------------------------------------------------------------------------------
// Findings

/**
 * `broad-private-pattern`: a pattern matches go.mod requirements that are public for all we can
 * tell — on a host that serves only public modules, or on a hosting site under an owner no
 * owner-level pattern claims. `overbroad-private-pattern`: otherwise, a pattern that would cover
 * every owner of a hosting site or well-known public modules.
 */
function breadthFindings(
  patterns: readonly PrivatePatternReport[],
  requirements: readonly string[],
): Finding[] {
  const globs = patterns.map((entry) => entry.pattern);
  const ownerScoped = globs.filter(isOwnerScoped);
  const likelyPublic = requirements.filter((path) => isLikelyPublic(path, ownerScoped));
  const findings: Finding[] = [];
  for (const { pattern, source } of patterns) {
    const dragged = likelyPublic.filter((path) => matchPrefixPatterns(pattern, path));
    if (dragged.length > 0) {
      findings.push({
        level: 'warning',
        code: 'broad-private-pattern',
        title: 'Private pattern matches public modules',
        message: `${JSON.stringify(pattern)} (from ${SOURCE_WORDS[source]}) also matches ${listed(dragged)} from go.mod, which ${dragged.length === 1 ? 'looks' : 'look'} public: Go would fetch ${dragged.length === 1 ? 'it' : 'them'} directly with git instead of through the proxy, without the checksum database. Narrow the pattern to the private owner or host.`,
      });
      continue;
    }
    const reach = overbroadReach(pattern);
    if (reach) {
      findings.push({
        level: 'warning',
        code: 'overbroad-private-pattern',
        title: 'Private pattern is too broad',
        message: `${JSON.stringify(pattern)} (from ${SOURCE_WORDS[source]}) ${reach}: they would skip the proxy and the checksum database. Narrow it to host/owner.`,
      });
    }
  }
  return findings;
}

/** At least two elements and a literal character in the second: names an owner, not everyone. */
function isOwnerScoped(glob: string): boolean {
  const elements = withoutTrailingSlash(glob).split('/');
  return elements.length >= 2 && /[^*?]/.test(elements[1]!);
}

function isLikelyPublic(modulePath: string, ownerScoped: readonly string[]): boolean {
  const host = modulePath.split('/')[0]!;
  if (isPublicModuleHost(host)) return true;
  if (!publicHostingSite(host)) return false;
  return !ownerScoped.some((glob) => matchPrefixPatterns(glob, modulePath));
}

function overbroadReach(pattern: string): string | null {
  const sites = PUBLIC_HOSTING_SITES.filter((site) =>
    matchPrefixPatterns(pattern, `${site.host}/zz-any-owner-0/zz-any-repo-0`),
  ).map((site) => site.host);
  const samples = PUBLIC_MODULE_SAMPLES.filter((sample) => matchPrefixPatterns(pattern, sample));
  if (sites.length === 0 && samples.length === 0) return null;
  if (
    sites.length === PUBLIC_HOSTING_SITES.length &&
    samples.length === PUBLIC_MODULE_SAMPLES.length
  ) {
    return 'makes every module private';
  }
  const parts: string[] = [];
  if (sites.length > 0) parts.push(`makes every module on ${listed(sites)} private`);
  if (samples.length > 0)
    parts.push(
      `${parts.length > 0 ? 'and ' : ''}matches public modules such as ${listed(samples)}`,
    );
  return parts.join(' ');
}

function listed(items: readonly string[]): string {
  const shown = items.slice(0, MAX_LISTED).join(', ');
  return items.length > MAX_LISTED ? `${shown} and ${items.length - MAX_LISTED} more` : shown;
}

function deadFinding(problem: string, source: PatternSource): Finding {
  return {
    level: 'warning',
    code: 'dead-private-pattern',
    title: 'Private pattern matches nothing',
    message: `${problem}. It comes from ${SOURCE_WORDS[source]} and is left out of the GOPRIVATE written.`,
  };
}

function skippedFinding(message: string): Finding {
  return {
    level: 'notice',
    code: 'private-derivation-skipped',
    title: 'Private pattern not derived',
    message,
  };
}
