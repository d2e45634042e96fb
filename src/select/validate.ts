/**
 * The last gate before a value leaves selection: every GOPROXY/GOSUMDB we produce is run through
 * the Go-exact parsers (goenv/goproxy.ts, goenv/gosumdb.ts), so the core cannot emit a value the
 * go command would reject at download time.
 */
import { GoproxyFormatError, formatGoproxy, parseGoproxy } from '../goenv/goproxy.js';
import { parseGosumdb } from '../goenv/gosumdb.js';
import { redactUrlCredentials } from '../redact.js';
import type { GoSettings } from './types.js';

/** A bug in selection (never bad user input): the value would break the go command. */
export class RejectedSettingError extends Error {
  override readonly name = 'RejectedSettingError';
}

/** Why a URL cannot be one GOPROXY entry as written (no implicit scheme, no separators), or null. */
export function checkGoproxyEntry(url: string): string | null {
  try {
    formatGoproxy([{ kind: 'url', url, fallBackOnError: false }]);
    return null;
  } catch (error) {
    if (error instanceof GoproxyFormatError) return error.message;
    throw error;
  }
}

/** Go's error for a GOSUMDB value, or null when Go accepts it (`off` included). */
export function checkGosumdb(value: string): string | null {
  const parsed = parseGosumdb(value);
  return parsed.ok ? null : parsed.error;
}

/** Go's error (or ours, for dead entries) for a GOPROXY value, or null when Go accepts all of it. */
export function checkGoproxy(value: string): string | null {
  const parsed = parseGoproxy(value);
  if (parsed.error !== null) return parsed.error;
  if (parsed.dead.length > 0)
    return `entries after direct/off are ignored: ${parsed.dead.join(', ')}`;
  return null;
}

export function assertGoAccepts(settings: Pick<GoSettings, 'GOPROXY' | 'GOSUMDB'>): void {
  const goproxyProblem = checkGoproxy(settings.GOPROXY);
  if (goproxyProblem !== null) {
    throw new RejectedSettingError(
      `internal error: refusing to write GOPROXY that Go rejects: ${redactUrlCredentials(goproxyProblem)}`,
    );
  }
  const gosumdbProblem =
    settings.GOSUMDB === '' ? 'missing GOSUMDB' : checkGosumdb(settings.GOSUMDB);
  if (gosumdbProblem !== null) {
    throw new RejectedSettingError(
      `internal error: refusing to write GOSUMDB that Go rejects: ${redactUrlCredentials(gosumdbProblem)}`,
    );
  }
}
