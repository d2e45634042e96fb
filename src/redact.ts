/**
 * The one redaction layer. Every string that leaves the process (log, summary, annotation, output,
 * report, dotenv, error) passes through a Redactor, so a token can leak only if it was never seen.
 */

const MASK = '***';

/** Removes user info from URL-looking substrings: `https://user:pass@host` → `https://***@host`. */
export function redactUrlCredentials(text: string): string {
  // scheme://userinfo@ — userinfo may contain anything but '/', '@' and whitespace.
  return text.replace(/([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/@\s]+@/g, `$1${MASK}@`);
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

export class Redactor {
  readonly #secrets = new Set<string>();
  readonly #onSecret: ((secret: string) => void) | undefined;

  constructor(onSecret?: (secret: string) => void) {
    this.#onSecret = onSecret;
  }

  /** Registers a secret (and its URL-decoded form). Values shorter than 4 characters are not masked: they would mangle ordinary text. */
  add(secret: string | undefined | null): void {
    if (!secret || secret.length < 4) return;
    for (const form of new Set([secret, safeDecode(secret), encodeURIComponent(secret)])) {
      if (form.length >= 4 && !this.#secrets.has(form)) {
        this.#secrets.add(form);
        this.#onSecret?.(form);
      }
    }
  }

  /** Registers the user info of a URL (username and password: CI tokens sit in either). */
  addUrl(url: string): void {
    try {
      const parsed = new URL(url);
      this.add(parsed.password);
      // A bare token in the username position (https://TOKEN@host) is as secret as a password.
      if (parsed.username && !isWellKnownUser(parsed.username)) this.add(parsed.username);
      if (parsed.password || parsed.username) this.add(`${parsed.username}:${parsed.password}`);
    } catch {
      // not a URL: nothing to register
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

const WELL_KNOWN_USERS = new Set([
  'git',
  'gitlab-ci-token',
  'x-access-token',
  'oauth2',
  'x-token-auth',
  'token',
]);

function isWellKnownUser(user: string): boolean {
  return WELL_KNOWN_USERS.has(user.toLowerCase());
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
