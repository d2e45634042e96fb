/**
 * The GOPROXY chain: `private-proxy,` first, then the chosen public mirrors joined by `|` (any
 * error falls through), then the fallback keyword. Nothing is ever written after `direct`/`off`.
 */
import { type GoproxyEntryInput, formatGoproxy } from '../goenv/goproxy.js';
import {
  parseGoVersion as parseGoCommandVersion,
  supportsPipeFallback,
} from '../goenv/goversion.js';
import { analysePatternList, formatPatternList, matchPrefixPatterns } from '../goenv/patterns.js';
import type { MirrorProbe } from '../probe/types.js';
import type { ChainEntry, Fallback, GoSettings, Separator } from './types.js';

/**
 * `1.14`, `go1.14.15`, `1.22rc1` → { major: 1, minor: 14 }; null when unrecognisable. A bare
 * language version (as in go.mod's `go` line) is read as the go command's own version text.
 */
export function parseGoVersion(version: string | null): { major: number; minor: number } | null {
  if (version === null) return null;
  const text = version.trim();
  const parsed = parseGoCommandVersion(/^\d/.test(text) ? `go${text}` : text);
  return parsed === null ? null : { major: parsed.major, minor: parsed.minor };
}

/** False only for a known Go older than 1.15 (no `|`); unknown versions are assumed modern. */
export function goSupportsPipe(version: string | null): boolean {
  if (version === null) return true;
  const text = version.trim();
  const parsed = parseGoCommandVersion(/^\d/.test(text) ? `go${text}` : text);
  return parsed === null || supportsPipeFallback(parsed);
}

/**
 * Builds the chain. The private proxy is always followed by `,`: only its 404/410 answers move on,
 * so its outages never send private paths to public mirrors (golang/go#37367). Public mirrors
 * and the fallback are joined by `separator`.
 */
export function buildChain(
  privateProxy: MirrorProbe | null,
  mirrors: readonly MirrorProbe[],
  fallback: Fallback,
  separator: Separator,
): ChainEntry[] {
  const entries: ChainEntry[] = [];
  if (privateProxy) entries.push(urlEntry('private', privateProxy, ','));
  const seen = new Set<string>();
  for (const mirror of mirrors) {
    const key = mirror.candidate.url.replace(/\/+$/, '');
    if (seen.has(key)) continue;
    seen.add(key);
    entries.push(urlEntry('mirror', mirror, separator));
  }
  entries.push({ kind: fallback, url: null, display: fallback, separatorAfter: null, probe: null });
  return entries;
}

function urlEntry(
  kind: 'private' | 'mirror',
  probe: MirrorProbe,
  separatorAfter: Separator,
): ChainEntry {
  return {
    kind,
    url: probe.candidate.url,
    display: probe.candidate.displayUrl,
    separatorAfter,
    probe,
  };
}

/**
 * The GOPROXY value: with credentials (to write) or without (to show). formatGoproxy refuses an
 * empty list, an invalid URL and anything after `direct`/`off`.
 */
export function formatChain(entries: readonly ChainEntry[], withCredentials: boolean): string {
  return formatGoproxy(
    entries.map(
      (e): GoproxyEntryInput =>
        e.kind === 'direct' || e.kind === 'off'
          ? { kind: e.kind }
          : {
              kind: 'url',
              url: withCredentials ? e.url! : e.display,
              fallBackOnError: e.separatorAfter === '|',
            },
    ),
  );
}

/** Where the private proxy at the head of the chain comes from: the `private-proxy` input, or the user's GOPROXY. */
export type PrivateProxyKind = 'input' | 'env';

/** GONOPROXY/GONOSUMDB as the user set them (environment or go env file); null or '' when unset. */
export interface UserPrivateRouting {
  readonly GONOPROXY?: string | null;
  readonly GONOSUMDB?: string | null;
}

export interface PrivateRouting extends Pick<GoSettings, 'GONOPROXY' | 'GONOSUMDB'> {
  /** The user's GONOPROXY, kept instead of `none` although a private-proxy input is set. */
  readonly keptGonoproxy: string | null;
  /** Variables written as the user's value plus the private patterns it did not cover. */
  readonly extended: readonly ('GONOPROXY' | 'GONOSUMDB')[];
}

/**
 * GONOPROXY/GONOSUMDB. Go defaults both to GOPRIVATE, so without a user value nothing is written
 * unless a private proxy needs it:
 * - GONOSUMDB: with a private proxy, the private patterns (so private modules never reach the
 *   checksum database); a user value that misses some of them is extended by them, never replaced.
 * - GONOPROXY: with the `private-proxy` input, `none` (a pattern matching no module), so private
 *   modules go to the proxy instead of straight to version control — unless the user set
 *   GONOPROXY, which is kept (the modules it names keep bypassing the proxy). A private proxy
 *   found heading the user's GOPROXY changes no routing: GONOPROXY stays as the user had it.
 *   Without a private proxy, a user value that misses private patterns is extended, so our
 *   public mirrors are never asked for them.
 */
export function privateRouting(
  privateProxy: PrivateProxyKind | null,
  privatePatterns: readonly string[],
  user: UserPrivateRouting = {},
): PrivateRouting {
  const patterns = privatePatterns.filter((p) => p !== '');
  const userNoproxy = user.GONOPROXY || null;
  const userNosumdb = user.GONOSUMDB || null;
  const nothing: PrivateRouting = {
    GONOPROXY: '',
    GONOSUMDB: '',
    keptGonoproxy: null,
    extended: [],
  };
  if (patterns.length === 0) return nothing;
  const extended: ('GONOPROXY' | 'GONOSUMDB')[] = [];

  let GONOSUMDB = '';
  if (userNosumdb === null) {
    if (privateProxy !== null) GONOSUMDB = formatPatternList(patterns);
  } else if (!coversAll(userNosumdb, patterns)) {
    GONOSUMDB = unionPatterns(userNosumdb, patterns);
    extended.push('GONOSUMDB');
  }

  let GONOPROXY = '';
  let keptGonoproxy: string | null = null;
  if (privateProxy === 'input') {
    if (userNoproxy === null) GONOPROXY = 'none';
    else keptGonoproxy = userNoproxy;
  } else if (privateProxy === null && userNoproxy !== null && !coversAll(userNoproxy, patterns)) {
    GONOPROXY = unionPatterns(userNoproxy, patterns);
    extended.push('GONOPROXY');
  }
  return { GONOPROXY, GONOSUMDB, keptGonoproxy, extended };
}

/**
 * GONOPROXY as Go will see it once our settings are written: our value, else the user's, else
 * GOPRIVATE (Go's default). Modules matching it never reach any GOPROXY entry, the private proxy
 * included.
 */
export function effectiveGonoproxy(
  privateProxy: PrivateProxyKind | null,
  privatePatterns: readonly string[],
  user: UserPrivateRouting = {},
): string {
  return (
    privateRouting(privateProxy, privatePatterns, user).GONOPROXY ||
    user.GONOPROXY ||
    privatePatterns.filter((p) => p !== '').join(',')
  );
}

/** Whether Go would treat every pattern's own path as matched by `globs`. */
function coversAll(globs: string, patterns: readonly string[]): boolean {
  const listed = globs.split(',');
  return patterns.every((p) => {
    const path = p.endsWith('/') ? p.slice(0, -1) : p;
    return listed.includes(p) || matchPrefixPatterns(globs, path);
  });
}

/**
 * The user's globs (those that can match something; `none` dropped, it only ever meant "no
 * module") followed by the patterns, without duplicates.
 */
function unionPatterns(userGlobs: string, patterns: readonly string[]): string {
  const kept = analysePatternList(userGlobs).live.filter((glob) => glob !== 'none');
  return formatPatternList([...kept, ...patterns]);
}

/** A chain that would be built for one mirror, used to judge its checksum-database route. */
export function chainFor(
  privateProxy: MirrorProbe | null,
  mirror: MirrorProbe,
  fallback: Fallback,
  separator: Separator,
): ChainEntry[] {
  return buildChain(privateProxy, [mirror], fallback, separator);
}
