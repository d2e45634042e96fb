/**
 * GOPROXY as the go command reads it (`proxyList` and `newProxyRepo` in
 * src/cmd/go/internal/modfetch/proxy.go, identical in Go 1.19 and newer), and the canonical form
 * go-proxy-setup writes. The go command validates nothing when the value is set; errors appear on
 * the first download. We validate up front, with Go's own wording.
 */
import { InputError } from '../errors.js';
import { maskValueCredentials, maskValueInText, redactUrlCredentials } from '../redact.js';
import { goTrimSpace } from './gostrings.js';
import { GoUrlError, goUrlRedacted, parseGoUrl } from './gourl.js';

export type GoproxySeparator = ',' | '|';

export type GoproxyEntry =
  | {
      readonly kind: 'url';
      /** The URL as Go uses it (implicit `https://` added). May hold credentials: redact before showing. */
      readonly url: string;
      /** The entry as written, trimmed. */
      readonly raw: string;
      /** Separator after the entry; null for the last one. */
      readonly separator: GoproxySeparator | null;
      /** Go's fallBackOnError: true when `|` follows (any error falls through, not only 404/410). */
      readonly fallBackOnError: boolean;
    }
  | {
      readonly kind: 'direct' | 'off';
      readonly raw: string;
      readonly separator: GoproxySeparator | null;
      readonly fallBackOnError: boolean;
    };

export interface GoproxyList {
  /** The value parsed, verbatim. */
  readonly value: string;
  /** Entries in order, up to the first invalid one (Go stops there). */
  readonly entries: readonly GoproxyEntry[];
  /** Entries after `direct`/`off`: Go ignores them. Trimmed, as written. */
  readonly dead: readonly string[];
  /** Go's error text (without the `go: module@version: ` prefix), or null when Go accepts the list. */
  readonly error: string | null;
}

export interface GoproxyParseOptions {
  /** Which filepath.IsAbs Go applies (the host OS of the go command). Default: posix. */
  readonly os?: 'posix' | 'windows';
}

export const EMPTY_LIST_ERROR = 'GOPROXY list is not the empty string, but contains no entries';

/** Go's `proxyList()`, without the implicit `noproxy` entry that a non-empty GONOPROXY adds. */
export function parseGoproxy(value: string, options: GoproxyParseOptions = {}): GoproxyList {
  const entries: GoproxyEntry[] = [];
  const dead: string[] = [];
  let error: string | null = null;
  let ended = false;

  for (const { text, separator } of splitEntries(value)) {
    const raw = goTrimSpace(text);
    if (raw === '') continue;
    if (ended) {
      dead.push(raw);
      continue;
    }
    const fallBackOnError = separator === '|';
    if (raw === 'off' || raw === 'direct') {
      entries.push({ kind: raw, raw, separator, fallBackOnError });
      // "direct" and "off" end the list; Go ignores the rest (forward compatibility).
      ended = true;
      continue;
    }
    const url = withImplicitScheme(raw, options.os ?? 'posix');
    const problem = checkProxyUrl(url);
    if (problem !== null) {
      error = problem;
      break;
    }
    entries.push({ kind: 'url', url, raw, separator, fallBackOnError });
  }

  if (error === null && entries.length === 0) error = EMPTY_LIST_ERROR;
  // After the last entry nothing follows that Go uses, so its separator means nothing.
  const last = entries.at(-1);
  if (last && error === null)
    entries[entries.length - 1] = { ...last, separator: null, fallBackOnError: false };
  return { value, entries, dead, error };
}

function* splitEntries(
  value: string,
): Generator<{ text: string; separator: GoproxySeparator | null }> {
  let rest = value;
  while (rest !== '') {
    const i = rest.search(/[,|]/);
    if (i < 0) {
      yield { text: rest, separator: null };
      return;
    }
    yield { text: rest.slice(0, i), separator: rest[i] as GoproxySeparator };
    rest = rest.slice(i + 1);
  }
}

/**
 * Single words are reserved for keywords; anything with `.`, `:` or `/` that is not already a
 * full URL (`:/`) or an absolute file path gets `https://`.
 */
export function withImplicitScheme(entry: string, os: 'posix' | 'windows' = 'posix'): string {
  if (/[.:/]/.test(entry) && !entry.includes(':/') && !isAbsolutePath(entry, os)) {
    return `https://${entry}`;
  }
  return entry;
}

function isAbsolutePath(p: string, os: 'posix' | 'windows'): boolean {
  if (p.startsWith('/')) return true; // path.IsAbs, and filepath.IsAbs on Unix
  if (os !== 'windows') return false;
  return /^[A-Za-z]:[\\/]/.test(p) || /^[\\/]{2}[^\\/]+[\\/]+[^\\/]/.test(p);
}

/** `newProxyRepo`'s checks; returns Go's error text or null. */
export function checkProxyUrl(url: string): string | null {
  let parsed: ReturnType<typeof parseGoUrl>;
  try {
    parsed = parseGoUrl(url);
  } catch (error) {
    if (error instanceof GoUrlError) return error.message;
    throw error;
  }
  switch (parsed.scheme) {
    case 'http':
    case 'https':
      return null;
    case 'file': {
      const onlyPath =
        parsed.opaque === '' &&
        parsed.user === null &&
        parsed.host === '' &&
        !parsed.omitHost &&
        !parsed.forceQuery &&
        parsed.rawQuery === '' &&
        parsed.fragment === '' &&
        parsed.rawFragment === '';
      return onlyPath
        ? null
        : `invalid file:// proxy URL with non-path elements: ${goUrlRedacted(parsed)}`;
    }
    case '':
      return `invalid proxy URL missing scheme: ${goUrlRedacted(parsed)}`;
    default:
      return `invalid proxy URL scheme (must be https, http, file): ${goUrlRedacted(parsed)}`;
  }
}

/** The text Go sees for an entry. */
export function entryText(entry: GoproxyEntry | GoproxyEntryInput): string {
  return entry.kind === 'url' ? entry.url : entry.kind;
}

export class GoproxyFormatError extends Error {
  override readonly name = 'GoproxyFormatError';
}

/**
 * The canonical GOPROXY string: entries joined by their separators (`|` when fallBackOnError).
 * Refuses what Go would reject or ignore, so the core cannot write an empty, invalid or partly dead
 * value.
 */
export function formatGoproxy(entries: readonly GoproxyEntryInput[]): string {
  if (entries.length === 0)
    throw new GoproxyFormatError(`refusing to write an empty GOPROXY (${EMPTY_LIST_ERROR})`);
  let out = '';
  entries.forEach((entry, index) => {
    const text = entryText(entry);
    if (entry.kind !== 'url' && index !== entries.length - 1) {
      throw new GoproxyFormatError(
        `refusing to write entries after '${entry.kind}': Go ignores them`,
      );
    }
    if (entry.kind === 'url') {
      if (text === '' || goTrimSpace(text) !== text || /[,|]/.test(text)) {
        throw new GoproxyFormatError(
          `invalid GOPROXY entry ${JSON.stringify(redactUrlCredentials(text))}`,
        );
      }
      if (withImplicitScheme(text) !== text || text === 'direct' || text === 'off') {
        throw new GoproxyFormatError(
          `GOPROXY entry ${JSON.stringify(redactUrlCredentials(text))} is not a full URL`,
        );
      }
      const problem = checkProxyUrl(text);
      if (problem !== null) throw new GoproxyFormatError(redactUrlCredentials(problem));
    }
    out += text;
    if (index !== entries.length - 1) out += entry.fallBackOnError ? '|' : ',';
  });
  return out;
}

/** What formatGoproxy needs per entry. */
export type GoproxyEntryInput =
  | { readonly kind: 'url'; readonly url: string; readonly fallBackOnError: boolean }
  | { readonly kind: 'direct' | 'off'; readonly fallBackOnError?: boolean };

/**
 * Whether the go command moves on to the next entry after this one failed: always after `|`;
 * after `,` only for "not found" (404/410). `direct` and `off` end the list.
 */
export function fallsThrough(
  entry: Pick<GoproxyEntry, 'kind' | 'fallBackOnError'>,
  failure: 'not-found' | 'terminal',
): boolean {
  if (entry.kind !== 'url') return false;
  return entry.fallBackOnError || failure === 'not-found';
}

/**
 * Validates one proxy base URL from an input (`mirrors`, `private-proxy`) and returns it the way
 * Go will use it (implicit `https://`, no trailing slash). Throws InputError naming the input.
 */
export function validateProxyBaseUrl(inputName: string, raw: string): string {
  const text = goTrimSpace(raw);
  // Masked as a value: a password holding '/', '#' or a space is user info all the same.
  const shown = JSON.stringify(maskUserinfo(maskValueCredentials(text)));
  const fail = (why: string): never => {
    throw new InputError(
      `Invalid input '${inputName}': ${shown} ${why} (allowed: ${PROXY_URL_ALLOWED}).`,
    );
  };
  if (text === '') fail('is empty');
  if (text === 'direct' || text === 'off') {
    fail("is a GOPROXY keyword, not a proxy URL; the 'fallback' input sets what ends the chain");
  }
  if (/[,|]/.test(text))
    fail("contains ',' or '|'; list one URL per entry, go-proxy-setup chooses the separators");
  if (/\s/.test(text)) fail('contains white space');
  const url = withImplicitScheme(text);
  const problem = checkProxyUrl(url);
  // Go's error quotes the URL (and pieces of it, such as a "port" cut out of a password).
  if (problem !== null)
    fail(`is not a valid proxy URL: ${maskUserinfo(maskValueInText(problem, url))}`);
  const parsed = parseGoUrl(url);
  if (parsed.scheme === 'file') fail('is a file:// URL, which cannot be probed');
  if (parsed.scheme !== 'http' && parsed.scheme !== 'https') fail('has no http or https scheme');
  if (parsed.host === '' || parsed.opaque !== '') fail('has no host');
  if (parsed.rawQuery !== '' || parsed.forceQuery || parsed.fragment !== '')
    fail('has a query or fragment');
  if (parsed.scheme === 'http' && parsed.user !== null) {
    fail('carries credentials over plain http, which the go command refuses to send; use https');
  }
  return url.replace(/\/+$/, '');
}

const PROXY_URL_ALLOWED =
  'an http or https URL of a module proxy such as https://goproxy.io or https://athens.corp:3000/base';

/** Hides user info in a URL-like text, with or without a scheme (`tok@host/x` → `***@host/x`). */
export function maskUserinfo(text: string): string {
  return redactUrlCredentials(text).replace(
    /(^|["\s])([^\s"/@:]+(?::[^\s"/@]*)?)@(?=[^\s"/@]*(?:[/\s"]|$))/g,
    (all, lead: string, info: string) => (info === '***' ? all : `${lead}***@`),
  );
}
