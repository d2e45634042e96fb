/**
 * The GOPROXY chain: `private-proxy,` first, then the chosen public mirrors joined by `|` (any
 * error falls through), then the fallback keyword. Nothing is ever written after `direct`/`off`.
 */
import { type GoproxyEntryInput, formatGoproxy } from '../goenv/goproxy.js';
import { formatPatternList } from '../goenv/patterns.js';
import type { MirrorProbe } from '../probe/types.js';
import type { ChainEntry, Fallback, GoSettings, Separator } from './types.js';

/** `|` (fall through on any error) arrived in Go 1.15 (CL 223257). */
const FIRST_MINOR_WITH_PIPE = 15;

/** `1.14`, `go1.14.15`, `1.22rc1` → { major: 1, minor: 14 }; null when unrecognisable. */
export function parseGoVersion(version: string | null): { major: number; minor: number } | null {
  if (version === null) return null;
  const match = /^\s*(?:go)?(\d+)\.(\d+)/.exec(version);
  if (!match) return null;
  return { major: Number(match[1]), minor: Number(match[2]) };
}

/** False only for a known Go 1.x older than 1.15; unknown versions are assumed modern. */
export function goSupportsPipe(version: string | null): boolean {
  const parsed = parseGoVersion(version);
  if (parsed === null) return true;
  return parsed.major > 1 || parsed.minor >= FIRST_MINOR_WITH_PIPE;
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

/**
 * GONOPROXY/GONOSUMDB. With a private proxy, private modules must reach it: GONOPROXY defaults to
 * GOPRIVATE, which would send them straight to version control, so it is set to `none` (a pattern
 * that matches no module path). GONOSUMDB keeps them away from the checksum database. Without a
 * private proxy both stay unset and Go derives them from GOPRIVATE.
 */
export function privateRouting(
  hasPrivateProxy: boolean,
  privatePatterns: readonly string[],
): Pick<GoSettings, 'GONOPROXY' | 'GONOSUMDB'> {
  const patterns = privatePatterns.filter((p) => p !== '');
  if (!hasPrivateProxy || patterns.length === 0) return { GONOPROXY: '', GONOSUMDB: '' };
  return { GONOPROXY: 'none', GONOSUMDB: formatPatternList(patterns) };
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
