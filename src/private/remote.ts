/**
 * Parsing of git remote URLs into a credential-free location: host, optional port and path
 * segments. Pure; never throws. The raw URL may carry a CI token (`https://gitlab-ci-token:…@`,
 * `x-access-token:…@`, `https://TOKEN@`), so nothing derived from the user info survives parsing
 * and failure reasons never quote the URL (use `redactRemoteUrl` for display).
 */
import { isIPv6 } from 'node:net';

/** Transport of the remote. scp-like `git@host:path` is ssh. */
export type RemoteScheme = 'https' | 'http' | 'ssh' | 'git';

export interface RemoteLocation {
  readonly scheme: RemoteScheme;
  /**
   * Lower-case host without port. IPv6 literals keep their brackets (`[::1]`) so they cannot be
   * mistaken for a module path element.
   */
  readonly host: string;
  /** Only when given and not the scheme's default. Module paths cannot carry a port. */
  readonly port?: number;
  /**
   * owner/group/…/repo, decoded, without the `.git` suffix. Case is kept as given: hosts are
   * case-insensitive but Go module paths are case-sensitive, so the caller decides.
   */
  readonly pathSegments: readonly string[];
}

export type RemoteParseResult =
  | { readonly ok: true; readonly location: RemoteLocation }
  | { readonly ok: false; readonly reason: string };

const DEFAULT_PORTS: Readonly<Record<RemoteScheme, number>> = {
  https: 443,
  http: 80,
  ssh: 22,
  git: 9418,
};

const SCHEMES: Readonly<Record<string, RemoteScheme>> = {
  https: 'https',
  http: 'http',
  ssh: 'ssh',
  'git+ssh': 'ssh',
  'ssh+git': 'ssh',
  git: 'git',
};

const URL_FORM = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const REMOTE_HELPER_FORM = /^[A-Za-z][A-Za-z0-9+.-]*::/;
const WINDOWS_DRIVE = /^[A-Za-z]:([\\/]|$)/;
// Control characters, whitespace and DEL: never part of a usable remote.
const UNPRINTABLE = /[\s\p{Cc}]/u;

/** Parses a git remote URL. Never throws; failures carry a reason that does not quote the URL. */
export function parseRemoteUrl(url: string): RemoteParseResult {
  if (typeof url !== 'string') return fail('the remote URL is not a string');
  const raw = url.trim();
  if (raw === '') return fail('the remote URL is empty');
  if (UNPRINTABLE.test(raw))
    return fail('the remote URL contains whitespace or control characters');
  if (REMOTE_HELPER_FORM.test(raw))
    return fail('the remote uses a git remote helper (transport::address)');
  const scheme = URL_FORM.exec(raw);
  if (scheme) return parseUrlForm(scheme[1]!.toLowerCase(), raw.slice(scheme[0].length));
  return parseScpForm(raw);
}

/** A URL that parses back to the same location (always with a `.git` suffix, see below). */
export function formatRemoteLocation(location: RemoteLocation): string {
  const port = location.port === undefined ? '' : `:${location.port}`;
  const segments = location.pathSegments.map((segment) => encodeURIComponent(segment));
  // The parser strips one `.git`; adding one keeps a repository really named `x.git` intact.
  return `${location.scheme}://${location.host}${port}/${segments.join('/')}.git`;
}

/**
 * A display form of a remote URL that cannot carry its credentials: everything up to the last `@`
 * of the authority, and any query or fragment, is masked; control characters are replaced; long
 * values are shortened. Over-masks on purpose (a path containing `@` loses its start).
 */
export function redactRemoteUrl(url: string): string {
  const printable = String(url)
    .trim()
    .replace(/\p{Cc}/gu, '?');
  const scheme = URL_FORM.exec(printable);
  const prefix = scheme ? scheme[0] : '';
  let rest = printable.slice(prefix.length);
  const at = rest.lastIndexOf('@');
  if (at !== -1) rest = `***@${rest.slice(at + 1)}`;
  const query = rest.search(/[?#]/);
  if (query !== -1) rest = `${rest.slice(0, query)}?***`;
  if (prefix !== '') rest = maskNonNumericPort(rest);
  const shown = `${prefix}${rest}`;
  return shown.length > 120 ? `${shown.slice(0, 119)}…` : shown;
}

/** `host:secret/…` (user info typed without `@`) shows with the secret masked; a numeric port stays. */
function maskNonNumericPort(rest: string): string {
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  let hostStart = authority.lastIndexOf('@') + 1;
  if (authority[hostStart] === '[') hostStart = authority.indexOf(']', hostStart);
  if (hostStart === -1) return rest;
  const colon = authority.indexOf(':', hostStart);
  if (colon === -1 || /^\d*$/.test(authority.slice(colon + 1))) return rest;
  return `${authority.slice(0, colon)}:***${slash === -1 ? '' : rest.slice(slash)}`;
}

function parseUrlForm(schemeName: string, afterScheme: string): RemoteParseResult {
  if (schemeName === 'file')
    return fail('the remote is a local path (file://), not a hosted repository');
  const scheme = SCHEMES[schemeName];
  // The scheme is not quoted either: nothing of the raw URL goes into a reason.
  if (!scheme) return fail('the remote scheme is not one of https, http, ssh, git');
  const authorityEnd = afterScheme.search(/[/?#]/);
  const authority = authorityEnd === -1 ? afterScheme : afterScheme.slice(0, authorityEnd);
  const rest = authorityEnd === -1 ? '' : afterScheme.slice(authorityEnd);
  // WHATWG rule: the user info ends at the LAST `@` of the authority; it is dropped unread.
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const server = parseHostPort(hostPort, true);
  if (!server.ok) return server;
  const pathEnd = rest.search(/[?#]/);
  const path = pathEnd === -1 ? rest : rest.slice(0, pathEnd);
  const segments = splitPath(path, true);
  if (!segments.ok) return segments;
  return locate(scheme, server.host, server.port, segments.segments);
}

/** `[user@]host:path` — git's scp-like syntax, recognised when a `:` comes before any `/`. */
function parseScpForm(raw: string): RemoteParseResult {
  if (WINDOWS_DRIVE.test(raw) || raw.startsWith('\\\\')) {
    return fail('the remote is a local path, not a hosted repository');
  }
  const slash = raw.indexOf('/');
  const head = slash === -1 ? raw : raw.slice(0, slash);
  // A leading `[` holds git's `[user@host:port]` form: its `@` is not the user separator.
  const at = raw.startsWith('[') ? -1 : head.lastIndexOf('@');
  const afterUser = raw.slice(at + 1);
  let hostPart: string;
  let path: string;
  if (afterUser.startsWith('[')) {
    // `[::1]:path` or git's `[user@host:port]:path`
    const close = afterUser.indexOf(']');
    if (close === -1 || afterUser[close + 1] !== ':') return fail('the remote has an unclosed "["');
    hostPart = afterUser.slice(0, close + 1);
    path = afterUser.slice(close + 2);
  } else {
    const colon = afterUser.indexOf(':');
    if (colon === -1 || (slash !== -1 && at + 1 + colon > slash)) {
      return fail('the remote is a local path, not a hosted repository');
    }
    hostPart = afterUser.slice(0, colon);
    path = afterUser.slice(colon + 1);
  }
  const server = parseScpHost(hostPart);
  if (!server.ok) return server;
  if (server.host in SCHEMES || server.host === 'file') {
    return fail('the remote looks like a URL with a malformed "://"');
  }
  const segments = splitPath(path, false);
  if (!segments.ok) return segments;
  return locate('ssh', server.host, server.port, segments.segments);
}

function parseScpHost(hostPart: string): HostResult {
  if (!hostPart.startsWith('[')) return parseHostPort(hostPart, false);
  const inner = hostPart.slice(1, -1);
  if (isIPv6(inner)) return parseHostPort(hostPart, false);
  // git's bracketed form `[user@host:port]`: user info dropped, port allowed.
  return parseHostPort(inner.slice(inner.lastIndexOf('@') + 1), true);
}

type HostResult =
  | { readonly ok: true; readonly host: string; readonly port: number | undefined }
  | { readonly ok: false; readonly reason: string };

function parseHostPort(hostPort: string, portAllowed: boolean): HostResult {
  let host: string;
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close === -1) return fail('the remote host has an unclosed "["');
    const inner = hostPort.slice(1, close).toLowerCase();
    if (!isIPv6(inner)) return fail('the remote host is not a valid IPv6 address');
    host = `[${inner}]`;
    const after = hostPort.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return fail('the remote host has text after "]"');
    portText = after === '' ? undefined : after.slice(1);
  } else {
    const colon = hostPort.indexOf(':');
    host = (colon === -1 ? hostPort : hostPort.slice(0, colon)).toLowerCase();
    portText = colon === -1 ? undefined : hostPort.slice(colon + 1);
    const problem = hostNameProblem(host);
    if (problem) return fail(problem);
    host = host.replace(/\.$/, '');
  }
  if (portText === undefined || portText === '') return { ok: true, host, port: undefined };
  if (!portAllowed) return fail('the remote host cannot carry a port here');
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    return fail('the remote port is not a number from 1 to 65535');
  }
  return { ok: true, host, port: Number(portText) };
}

function hostNameProblem(host: string): string | null {
  if (host === '') return 'the remote has no host';
  if (!/^[a-z0-9._-]+$/.test(host))
    return 'the remote host has characters other than letters, digits, ".", "-", "_"';
  // One trailing dot is the fully qualified form of the same name.
  if (host.replace(/\.$/, '').split('.').includes('')) return 'the remote host has an empty label';
  return null;
}

type PathResult =
  | { readonly ok: true; readonly segments: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/** Splits a repository path; URL paths are percent-decoded, scp-like paths are taken literally. */
function splitPath(path: string, percentEncoded: boolean): PathResult {
  const segments: string[] = [];
  for (const part of path.split('/')) {
    if (part === '') continue; // leading, doubled and trailing slashes
    let segment = part;
    if (percentEncoded) {
      try {
        segment = decodeURIComponent(part);
      } catch {
        return fail('the remote path has malformed percent-encoding');
      }
    }
    segments.push(segment);
  }
  if (segments.length === 0) return fail('the remote has no repository path');
  const last = segments.length - 1;
  segments[last] = segments[last]!.replace(/\.git$/, '');
  for (const segment of segments) {
    const problem = segmentProblem(segment);
    if (problem) return fail(problem);
  }
  return { ok: true, segments };
}

function segmentProblem(segment: string): string | null {
  if (segment === '') return 'the remote path ends in a bare ".git"';
  if (segment === '.' || segment === '..') return 'the remote path has a "." or ".." element';
  // `@` and `:` would make a segment look like user info; `\`, `?`, `#` and `/` cannot round-trip.
  if (/[@:\\?#/]/.test(segment))
    return 'the remote path has an element with "@", ":", "\\", "?", "#" or "/"';
  if (/\p{Cc}/u.test(segment)) return 'the remote path has control characters';
  if (!segment.isWellFormed()) return 'the remote path is not valid Unicode';
  return null;
}

function locate(
  scheme: RemoteScheme,
  host: string,
  port: number | undefined,
  pathSegments: readonly string[],
): RemoteParseResult {
  const location: RemoteLocation =
    port === undefined || port === DEFAULT_PORTS[scheme]
      ? { scheme, host, pathSegments }
      : { scheme, host, port, pathSegments };
  return { ok: true, location };
}

function fail(reason: string): { readonly ok: false; readonly reason: string } {
  return { ok: false, reason };
}
