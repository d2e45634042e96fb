/**
 * The one redaction layer. Every string that leaves the process (log, summary, annotation, output,
 * report, dotenv, error) passes through a Redactor, so a token can leak only if it was never seen.
 *
 * Two rules for URL user info, because they see different text:
 * - running text (`redactUrlCredentials`, used on every line): Go's rule (the authority up to its
 *   last `@`), widened only where the text cannot be a module path — module proxy URLs such as
 *   `https://proxy.golang.org/x/text/@v/list` or `https://pkg.go.dev/x/text@v0.14.0` stay readable;
 * - a configuration value that holds URLs (`maskValueCredentials`: inputs, GOPROXY, GOSUMDB…):
 *   everything from `scheme://` to the LAST `@` of an entry is user info, since a password may hold
 *   `/`, `#`, `?` or spaces and the person meant it as a password wherever Go's parser splits it.
 */
import { goQuote } from './goenv/gostrings.js';

const MASK = '***';

/** Shorter secrets are not masked: they would mangle ordinary text. */
const MIN_SECRET = 4;

const SCHEME = /[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;
const LEADING_SCHEME = new RegExp(`^${SCHEME.source}`);

/** `scheme://` then the authority up to its last `@` (no `/`, white space, angle bracket or backtick in between). */
const AUTHORITY_USERINFO = new RegExp(`(${SCHEME.source})[^/\\s<>\`]*@`, 'g');

/** `scheme://` then a run of URL text: up to white space, a quote, an angle bracket or a list separator. */
const URL_RUN = new RegExp(`(${SCHEME.source})([^\\s"'<>\`,|]*)`, 'g');

/** What follows `@` in a module query (`@v1.2.3`, `@latest`…), never the host after user info. */
const MODULE_QUERY = /^(?:v[0-9]|latest\b|upgrade\b|patch\b|none\b)/;

/** Removes user info from URL-looking substrings of running text: `https://user:pass@host` → `https://***@host`. */
export function redactUrlCredentials(text: string): string {
  return text
    .replace(AUTHORITY_USERINFO, `$1${MASK}@`)
    .replace(URL_RUN, (all, scheme: string, run: string) => {
      const at = userinfoEndPastSlash(run);
      return at < 0 ? all : `${scheme}${MASK}${run.slice(at)}`;
    });
}

/**
 * In `ab/cd+ef==@host/x` or `user:ab/cd@host`, the `@` that ends user info holding a `/`; -1 when
 * the text reads as a server followed by a path (`host.example/m@v1`, `host/x/@v/list`).
 */
function userinfoEndPastSlash(run: string): number {
  const slash = run.indexOf('/');
  if (slash <= 0) return -1; // no authority, or none at all (file:///…)
  const authority = run.slice(0, slash);
  if (authority.includes('@') || looksLikeServer(authority)) return -1;
  for (let at = run.lastIndexOf('@'); at > slash; at = run.lastIndexOf('@', at - 1)) {
    // `/@v/`, `/@latest`: the module proxy protocol; `m@v1.0.0`: a module query.
    if (run[at - 1] !== '/' && !MODULE_QUERY.test(run.slice(at + 1))) return at;
  }
  return -1;
}

/** `host[:port]` of a real server: a dotted name or address, `[v6]`, `localhost`, or any host with a numeric port. */
function looksLikeServer(authority: string): boolean {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%-]+)(:[0-9]*)?$/.exec(authority);
  if (match === null) return false;
  const host = match[1]!;
  return (
    match[2] !== undefined ||
    host.includes('.') ||
    host.startsWith('[') ||
    host.toLowerCase() === 'localhost'
  );
}

/** A URL string without credentials, for display and for the report. */
export function stripCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
  } catch {
    return redactUrlCredentials(url);
  }
}

/** Entry separators of the values that hold URLs: GOPROXY's `,` and `|`, our list inputs' `,` and newlines. */
const VALUE_ENTRY = /([,|\r\n])/;

/** Where the user info of one value entry lies (start inclusive, end exclusive: the last `@`). */
interface UserinfoSpan {
  readonly start: number;
  readonly end: number;
  /** Index of the URL in the entry (after a leading GOSUMDB key, for instance). */
  readonly urlStart: number;
  readonly hasScheme: boolean;
}

function userinfoSpan(entry: string): UserinfoSpan | null {
  const end = entry.lastIndexOf('@');
  if (end < 0) return null;
  const scheme = SCHEME.exec(entry);
  if (scheme !== null && scheme.index < end) {
    const start = scheme.index + scheme[0].length;
    return { start, end, urlStart: scheme.index, hasScheme: true };
  }
  // No scheme (Go adds `https://` to a GOPROXY entry): from the entry's first non-space character.
  const start = entry.length - entry.trimStart().length;
  return { start, end, urlStart: start, hasScheme: false };
}

function maskEntry(entry: string): string {
  const span = userinfoSpan(entry);
  if (span === null) return entry;
  return `${entry.slice(0, span.start)}${MASK}${entry.slice(span.end)}`;
}

/**
 * A configuration value that holds URLs (an input such as `private-proxy` or `mirrors`, or GOPROXY,
 * GOSUMDB, GOPRIVATE… from the environment) as it may be shown: in each entry, everything from
 * `scheme://` (or the start of a scheme-less entry) to the entry's last `@` becomes `***`.
 * Over-masks on purpose (a path holding `@` loses its start).
 */
export function maskValueCredentials(value: string): string {
  return value.split(VALUE_ENTRY).map(maskEntry).join('');
}

/** `"…"` as Go's %q or JSON writes it (escapes included). */
const QUOTED = /"((?:[^"\\]|\\.)*)"/g;

function quotedForms(s: string): string[] {
  return [...new Set([goQuote(s).slice(1, -1), JSON.stringify(s).slice(1, -1)])];
}

/**
 * Text that quotes (parts of) a configuration value — Go's `parse "https://u:ab/cd@h": invalid
 * port ":ab" after host`, a pattern message — rewritten so nothing of the value's user info shows:
 * a quoted string holding `@` is masked like a value, a quoted start of an entry (Go's url.Error
 * quotes the text before `#`) becomes the masked entry, a quoted piece of user info becomes `***`,
 * and the user info itself is masked wherever it appears.
 */
export function maskValueInText(text: string, value: string): string {
  const infos: string[] = [];
  const forms: { readonly url: string; readonly schemeEnd: number }[] = [];
  for (const entry of value.split(VALUE_ENTRY)) {
    const span = userinfoSpan(entry);
    if (span === null) continue;
    infos.push(entry.slice(span.start, span.end));
    const url = entry.slice(span.urlStart).trim();
    const schemeEnd = span.start - span.urlStart;
    forms.push({ url, schemeEnd });
    if (!span.hasScheme) forms.push({ url: `https://${url}`, schemeEnd: 'https://'.length });
  }
  if (infos.length === 0) return redactUrlCredentials(text);

  const quotedInfos = infos.flatMap(quotedForms);
  let out = text.replace(QUOTED, (all, inner: string) => {
    if (inner.includes('@')) return `"${maskValueCredentials(inner)}"`;
    for (const { url, schemeEnd } of forms) {
      for (const quoted of quotedForms(url)) {
        if (inner.length > schemeEnd && quoted.startsWith(inner)) {
          return `"${quotedForms(maskEntry(url))[0]}"`;
        }
      }
    }
    if (inner !== '' && quotedInfos.some((info) => info.includes(inner))) return `"${MASK}"`;
    return all;
  });
  for (const info of [...infos].sort((a, b) => b.length - a.length)) {
    out = out.split(info).join(MASK);
    const password = info.slice(info.indexOf(':') + 1);
    if (info.includes(':') && password.length >= MIN_SECRET) out = out.split(password).join(MASK);
  }
  return redactUrlCredentials(out);
}

export class Redactor {
  readonly #secrets = new Set<string>();
  readonly #onSecret: ((secret: string) => void) | undefined;

  constructor(onSecret?: (secret: string) => void) {
    this.#onSecret = onSecret;
  }

  /**
   * Registers a secret with the forms it takes in output: URL-decoded, URL-encoded, and escaped as
   * JSON and Go quote it. Values shorter than 4 characters are not masked: they would mangle
   * ordinary text.
   */
  add(secret: string | undefined | null): void {
    if (!secret || secret.length < MIN_SECRET) return;
    const plain = new Set([secret, safeDecode(secret), encodeURIComponent(secret)]);
    const forms = new Set([...plain].flatMap((form) => [form, ...quotedForms(form)]));
    for (const form of forms) {
      if (form.length >= MIN_SECRET && !this.#secrets.has(form)) {
        this.#secrets.add(form);
        this.#onSecret?.(form);
      }
    }
  }

  /**
   * Registers the credentials of a URL (also scheme-less, as GOPROXY entries are written). Reads
   * the user info both as Go does (the authority up to its last `@`) and as a person means it (up to
   * the URL's last `@`, unless that `@` is in the path of a real server), so the credentials of a
   * URL that does not even parse are masked too. A username with a password is an identity, not a
   * secret (`https://proxy:pw@…` must not mask "proxy" everywhere); see `#addUserinfo`.
   */
  addUrl(url: string | undefined | null): void {
    if (!url) return;
    for (const info of userinfoCandidates(url.trim())) this.#addUserinfo(info);
    try {
      const parsed = new URL(url.trim());
      if (parsed.username !== '' || parsed.password !== '') {
        const info = `${parsed.username}${parsed.password === '' ? '' : `:${parsed.password}`}`;
        this.#addUserinfo(info);
      }
    } catch {
      // not a WHATWG URL (Go's rules above still applied)
    }
  }

  /**
   * `user:password` → the password, the pair and its Basic-auth form. The username only when it
   * is the credential: no password (`https://TOKEN@host`), a placeholder one (`TOKEN:x-oauth-basic`),
   * or a username that is recognisably a token (`ghp_…:x`). Well-known logins are never secrets.
   */
  #addUserinfo(info: string): void {
    const colon = info.indexOf(':');
    const user = colon < 0 ? info : info.slice(0, colon);
    const password = colon < 0 ? '' : info.slice(colon + 1);
    const realPassword = password !== '' && !PLACEHOLDER_PASSWORDS.has(password.toLowerCase());
    const userIsSecret = (!realPassword || looksLikeToken(user)) && !isWellKnownUser(user);
    if (realPassword) {
      this.add(password);
      this.add(info);
    }
    if (userIsSecret) this.add(user);
    if (realPassword || userIsSecret) {
      // What an Authorization: Basic header built from it would show.
      this.add(Buffer.from(`${safeDecode(user)}:${safeDecode(password)}`).toString('base64'));
    }
  }

  redact(text: string): string {
    let out = redactUrlCredentials(text);
    // Longest first so a secret containing another is masked whole.
    for (const secret of [...this.#secrets].sort((a, b) => b.length - a.length)) {
      out = out.split(secret).join(MASK);
    }
    return out;
  }

  get secrets(): readonly string[] {
    return [...this.#secrets];
  }
}

/**
 * User info of a URL, raw (still percent-encoded): Go's (the authority, up to `/`, `?` or `#`, up
 * to its last `@`) and the wider one up to the URL's last `@` — unless that `@` sits in the path
 * of what reads as a real server (`https://athens.corp/base@x`).
 */
function userinfoCandidates(url: string): string[] {
  const scheme = LEADING_SCHEME.exec(url);
  const rest = scheme === null ? url : url.slice(scheme[0].length);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  const out: string[] = [];
  const goAt = authority.lastIndexOf('@');
  if (goAt >= 0) out.push(authority.slice(0, goAt));
  const lastAt = rest.lastIndexOf('@');
  if (lastAt > authority.length) {
    const inQueryOrFragment = /[?#]/.test(rest.slice(0, lastAt));
    const inServerPath = !inQueryOrFragment && goAt < 0 && looksLikeServer(authority);
    if (!inServerPath) out.push(rest.slice(0, lastAt));
  }
  return out;
}

/** Logins that name a mechanism, not a person: public knowledge, masking them only mangles text. */
const WELL_KNOWN_USERS = new Set([
  'git',
  'gitlab-ci-token',
  'x-access-token',
  'oauth2',
  'x-token-auth',
  'token',
]);

/** Passwords that only say "the username is the token". */
const PLACEHOLDER_PASSWORDS = new Set(['x-oauth-basic']);

/** Prefixes of GitHub and GitLab tokens. */
const TOKEN_PREFIX = /^(?:gh[pousr]_|github_pat_|glpat-|gldt-|glcbt-|glptt-|glrt-|gloas-)/;

function isWellKnownUser(user: string): boolean {
  return WELL_KNOWN_USERS.has(user.toLowerCase());
}

function looksLikeToken(user: string): boolean {
  return TOKEN_PREFIX.test(user);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
