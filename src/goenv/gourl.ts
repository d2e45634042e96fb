/**
 * A port of Go's net/url Parse and URL.String (Go 1.19), because GOPROXY and GOSUMDB are
 * validated by Go with url.Parse: WHATWG's URL parser accepts and rejects different strings and
 * words its errors differently. Works on byte strings (see gostrings.ts) like Go does.
 */
import { fromByteString, goQuoteBytes, toByteString } from './gostrings.js';

export interface GoUserinfo {
  readonly username: string;
  readonly password: string;
  readonly passwordSet: boolean;
}

/** url.URL's fields. */
export interface GoUrlFields {
  readonly scheme: string;
  readonly opaque: string;
  readonly user: GoUserinfo | null;
  readonly host: string;
  readonly path: string;
  readonly rawPath: string;
  readonly omitHost: boolean;
  readonly forceQuery: boolean;
  readonly rawQuery: string;
  readonly fragment: string;
  readonly rawFragment: string;
}

/** url.URL: fields as text, plus the exact bytes Go holds (they differ only for non-UTF-8 escapes). */
export interface GoUrl extends GoUrlFields {
  /** The same fields as Go byte strings (one char per byte), used to rebuild the URL exactly. */
  readonly bytes: GoUrlFields;
}

/** url.Error: `parse "<url>": <reason>`. */
export class GoUrlError extends Error {
  override readonly name = 'GoUrlError';
}

type Mode =
  | 'path'
  | 'pathSegment'
  | 'host'
  | 'zone'
  | 'userPassword'
  | 'queryComponent'
  | 'fragment';

const UPPER_HEX = '0123456789ABCDEF';

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

function unhex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return 0;
}

function isAlnum(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
}

function shouldEscape(c: number, mode: Mode): boolean {
  if (isAlnum(c)) return false;
  const ch = String.fromCharCode(c);
  if ((mode === 'host' || mode === 'zone') && '!$&\'()*+,;=:[]<>"'.includes(ch)) return false;
  if ('-_.~'.includes(ch)) return false;
  if ('$&+,/:;=?@'.includes(ch)) {
    switch (mode) {
      case 'path':
        return ch === '?';
      case 'pathSegment':
        return ch === '/' || ch === ';' || ch === ',' || ch === '?';
      case 'userPassword':
        return ch === '@' || ch === '/' || ch === '?' || ch === ':';
      case 'queryComponent':
        return true;
      case 'fragment':
        return false;
      default:
        break;
    }
  }
  if (mode === 'fragment' && '!()*'.includes(ch)) return false;
  return true;
}

class EscapeFailure extends Error {}

function escapeError(s: string): EscapeFailure {
  return new EscapeFailure(`invalid URL escape ${goQuoteBytes(s)}`);
}

function unescapeGo(s: string, mode: Mode): string {
  let n = 0;
  let hasPlus = false;
  for (let i = 0; i < s.length; ) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      n++;
      if (i + 2 >= s.length || !isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) {
        throw escapeError(s.slice(i, i + 3));
      }
      const triple = s.slice(i, i + 3);
      if (mode === 'host' && unhex(s.charCodeAt(i + 1)) < 8 && triple !== '%25')
        throw escapeError(triple);
      if (mode === 'zone') {
        const v = (unhex(s.charCodeAt(i + 1)) << 4) | unhex(s.charCodeAt(i + 2));
        if (triple !== '%25' && v !== 0x20 && shouldEscape(v, 'host')) throw escapeError(triple);
      }
      i += 3;
    } else if (c === 0x2b) {
      hasPlus = mode === 'queryComponent';
      i++;
    } else {
      if ((mode === 'host' || mode === 'zone') && c < 0x80 && shouldEscape(c, mode)) {
        throw new EscapeFailure(`invalid character ${goQuoteBytes(s[i]!)} in host name`);
      }
      i++;
    }
  }
  if (n === 0 && !hasPlus) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      out += String.fromCharCode((unhex(s.charCodeAt(i + 1)) << 4) | unhex(s.charCodeAt(i + 2)));
      i += 2;
    } else if (c === 0x2b) {
      out += mode === 'queryComponent' ? ' ' : '+';
    } else {
      out += s[i];
    }
  }
  return out;
}

function escapeGo(s: string, mode: Mode): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!shouldEscape(c, mode)) out += s[i];
    else if (c === 0x20 && mode === 'queryComponent') out += '+';
    else out += `%${UPPER_HEX[c >> 4]}${UPPER_HEX[c & 15]}`;
  }
  return out;
}

function getScheme(raw: string): [scheme: string, rest: string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) continue;
    if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === 0x3a) {
      if (i === 0) throw new EscapeFailure('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ['', raw];
  }
  return ['', raw];
}

function containsCtlByte(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const b = s.charCodeAt(i);
    if (b < 0x20 || b === 0x7f) return true;
  }
  return false;
}

function validOptionalPort(port: string): boolean {
  if (port === '') return true;
  if (port[0] !== ':') return false;
  return /^[0-9]*$/.test(port.slice(1));
}

function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const i = host.lastIndexOf(']');
    if (i < 0) throw new EscapeFailure("missing ']' in host");
    const colonPort = host.slice(i + 1);
    if (!validOptionalPort(colonPort)) {
      throw new EscapeFailure(`invalid port ${goQuoteBytes(colonPort)} after host`);
    }
    const zone = host.slice(0, i).indexOf('%25');
    if (zone >= 0) {
      return (
        unescapeGo(host.slice(0, zone), 'host') +
        unescapeGo(host.slice(zone, i), 'zone') +
        unescapeGo(host.slice(i), 'host')
      );
    }
  } else {
    const i = host.lastIndexOf(':');
    if (i !== -1) {
      const colonPort = host.slice(i);
      if (!validOptionalPort(colonPort)) {
        throw new EscapeFailure(`invalid port ${goQuoteBytes(colonPort)} after host`);
      }
    }
  }
  return unescapeGo(host, 'host');
}

function validUserinfo(s: string): boolean {
  return /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(s);
}

function parseAuthority(authority: string): [GoUserinfo | null, string] {
  const i = authority.lastIndexOf('@');
  const host = parseHost(i < 0 ? authority : authority.slice(i + 1));
  if (i < 0) return [null, host];
  const userinfo = authority.slice(0, i);
  if (!validUserinfo(userinfo)) throw new EscapeFailure('net/url: invalid userinfo');
  const colon = userinfo.indexOf(':');
  if (colon < 0) {
    return [
      { username: unescapeGo(userinfo, 'userPassword'), password: '', passwordSet: false },
      host,
    ];
  }
  return [
    {
      username: unescapeGo(userinfo.slice(0, colon), 'userPassword'),
      password: unescapeGo(userinfo.slice(colon + 1), 'userPassword'),
      passwordSet: true,
    },
    host,
  ];
}

type MutableUrl = { -readonly [K in keyof GoUrlFields]: GoUrlFields[K] };

function emptyUrl(): MutableUrl {
  return {
    scheme: '',
    opaque: '',
    user: null,
    host: '',
    path: '',
    rawPath: '',
    omitHost: false,
    forceQuery: false,
    rawQuery: '',
    fragment: '',
    rawFragment: '',
  };
}

function parseNoFragment(raw: string): MutableUrl {
  if (containsCtlByte(raw)) throw new EscapeFailure('net/url: invalid control character in URL');
  const url = emptyUrl();
  if (raw === '*') {
    url.path = '*';
    return url;
  }
  let rest: string;
  [url.scheme, rest] = getScheme(raw);
  url.scheme = url.scheme.toLowerCase();

  if (rest.endsWith('?') && rest.split('?').length === 2) {
    url.forceQuery = true;
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf('?');
    if (q >= 0) {
      url.rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }

  if (!rest.startsWith('/')) {
    if (url.scheme !== '') {
      url.opaque = rest;
      return url;
    }
    const slash = rest.indexOf('/');
    const segment = slash < 0 ? rest : rest.slice(0, slash);
    if (segment.includes(':'))
      throw new EscapeFailure('first path segment in URL cannot contain colon');
  }

  if ((url.scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const slash = authority.indexOf('/');
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    [url.user, url.host] = parseAuthority(authority);
  } else if (url.scheme !== '' && rest.startsWith('/')) {
    url.omitHost = true;
  }

  url.path = unescapeGo(rest, 'path');
  url.rawPath = escapeGo(url.path, 'path') === rest ? '' : rest;
  return url;
}

function parseFields(raw: string): GoUrlFields {
  const hash = raw.indexOf('#');
  const beforeFragment = hash < 0 ? raw : raw.slice(0, hash);
  const fragment = hash < 0 ? '' : raw.slice(hash + 1);
  let url: MutableUrl;
  try {
    url = parseNoFragment(beforeFragment);
  } catch (error) {
    throw wrapParseError(beforeFragment, error);
  }
  if (fragment === '') return url;
  try {
    url.fragment = unescapeGo(fragment, 'fragment');
    url.rawFragment = escapeGo(url.fragment, 'fragment') === fragment ? '' : fragment;
  } catch (error) {
    throw wrapParseError(raw, error);
  }
  return url;
}

function wrapParseError(raw: string, error: unknown): unknown {
  if (!(error instanceof EscapeFailure)) return error;
  // goQuoteBytes already turns bytes into readable text.
  return new GoUrlError(`parse ${goQuoteBytes(raw)}: ${error.message}`);
}

function textFields(bytes: GoUrlFields): GoUrlFields {
  const user = bytes.user && {
    username: fromByteString(bytes.user.username),
    password: fromByteString(bytes.user.password),
    passwordSet: bytes.user.passwordSet,
  };
  return {
    ...bytes,
    scheme: fromByteString(bytes.scheme),
    opaque: fromByteString(bytes.opaque),
    user,
    host: fromByteString(bytes.host),
    path: fromByteString(bytes.path),
    rawPath: fromByteString(bytes.rawPath),
    rawQuery: fromByteString(bytes.rawQuery),
    fragment: fromByteString(bytes.fragment),
    rawFragment: fromByteString(bytes.rawFragment),
  };
}

/** url.Parse(text); throws GoUrlError with Go's message. */
export function parseGoUrl(text: string): GoUrl {
  const bytes = parseFields(toByteString(text));
  return { ...textFields(bytes), bytes };
}

function validEncoded(s: string, mode: Mode): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if ("!$&'()*+,;=:@[]%".includes(ch)) continue;
    if (shouldEscape(s.charCodeAt(i), mode)) return false;
  }
  return true;
}

function escapedPath(u: GoUrlFields): string {
  if (u.rawPath !== '' && validEncoded(u.rawPath, 'path')) {
    try {
      if (unescapeGo(u.rawPath, 'path') === u.path) return u.rawPath;
    } catch {
      // fall through to computing the escaping
    }
  }
  if (u.path === '*') return '*';
  return escapeGo(u.path, 'path');
}

function escapedFragment(u: GoUrlFields): string {
  if (u.rawFragment !== '' && validEncoded(u.rawFragment, 'fragment')) {
    try {
      if (unescapeGo(u.rawFragment, 'fragment') === u.fragment) return u.rawFragment;
    } catch {
      // fall through
    }
  }
  return escapeGo(u.fragment, 'fragment');
}

function userinfoString(user: GoUserinfo): string {
  let s = escapeGo(user.username, 'userPassword');
  if (user.passwordSet) s += `:${escapeGo(user.password, 'userPassword')}`;
  return s;
}

function stringOf(u: GoUrlFields): string {
  let buf = '';
  if (u.scheme !== '') buf += `${u.scheme}:`;
  if (u.opaque !== '') {
    buf += u.opaque;
  } else {
    if (u.scheme !== '' || u.host !== '' || u.user !== null) {
      if (!(u.omitHost && u.host === '' && u.user === null)) {
        if (u.host !== '' || u.path !== '' || u.user !== null) buf += '//';
        if (u.user !== null) buf += `${userinfoString(u.user)}@`;
        if (u.host !== '') buf += escapeGo(u.host, 'host');
      }
    }
    const path = escapedPath(u);
    if (path !== '' && path[0] !== '/' && u.host !== '') buf += '/';
    if (buf.length === 0) {
      const slash = path.indexOf('/');
      const segment = slash < 0 ? path : path.slice(0, slash);
      if (segment.includes(':')) buf += './';
    }
    buf += path;
  }
  if (u.forceQuery || u.rawQuery !== '') buf += `?${u.rawQuery}`;
  if (u.fragment !== '') buf += `#${escapedFragment(u)}`;
  return fromByteString(buf);
}

/** URL.String. */
export function goUrlString(u: GoUrl): string {
  return stringOf(u.bytes);
}

/** URL.Redacted: the password (only) replaced by `xxxxx`. */
export function goUrlRedacted(u: GoUrl): string {
  const { user } = u.bytes;
  if (user?.passwordSet) return stringOf({ ...u.bytes, user: { ...user, password: 'xxxxx' } });
  return stringOf(u.bytes);
}

/** fmt's `%+v` of a url.URL value (Go 1.19 field set), as Go prints it in some error texts. */
export function goUrlStructString(u: GoUrl): string {
  const b = u.bytes;
  const user = b.user === null ? '' : userinfoString(b.user);
  return fromByteString(
    `{Scheme:${b.scheme} Opaque:${b.opaque} User:${user} Host:${b.host} Path:${b.path} RawPath:${b.rawPath} ` +
      `OmitHost:${b.omitHost} ForceQuery:${b.forceQuery} RawQuery:${b.rawQuery} Fragment:${b.fragment} RawFragment:${b.rawFragment}}`,
  );
}
