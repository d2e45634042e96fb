/**
 * `.netrc` credentials as the go command applies them (src/cmd/go/internal/auth/netrc.go and
 * auth.go): `$NETRC`, else `~/.netrc` (`%USERPROFILE%\_netrc` on Windows); only over https; the
 * first `machine` equal to the URL's host name (port ignored) wins; parsing stops at `default`.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { goFields } from '../goenv/gostrings.js';

export interface NetrcLine {
  readonly machine: string;
  readonly login: string;
  readonly password: string;
}

/** Go's parseNetrc, token for token (including its quirks: `default` ends the file, macdef bodies skipped). */
export function parseNetrc(data: string): NetrcLine[] {
  const out: NetrcLine[] = [];
  let machine = '';
  let login = '';
  let password = '';
  let inMacro = false;
  for (const line of data.split('\n')) {
    if (inMacro) {
      if (line === '') inMacro = false;
      continue;
    }
    const f = goFields(line);
    let i = 0;
    for (; i < f.length - 1; i += 2) {
      switch (f[i]) {
        case 'machine':
          machine = f[i + 1]!;
          login = '';
          password = '';
          break;
        case 'login':
          login = f[i + 1]!;
          break;
        case 'password':
          password = f[i + 1]!;
          break;
        case 'macdef':
          inMacro = true;
          break;
      }
      if (machine !== '' && login !== '' && password !== '') {
        out.push({ machine, login, password });
        machine = '';
        login = '';
        password = '';
      }
    }
    if (i < f.length && f[i] === 'default') break;
  }
  return out;
}

export function netrcPath(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform = process.platform,
): string | null {
  if (env.NETRC) return env.NETRC;
  const home = platform === 'win32' ? env.USERPROFILE : (env.HOME ?? homedir());
  if (!home) return null;
  return join(home, platform === 'win32' ? '_netrc' : '.netrc');
}

/** Reads the netrc file once; a missing or unreadable file means no credentials (as in Go). */
export function loadNetrc(env?: Readonly<Record<string, string | undefined>>): NetrcLine[] {
  const path = netrcPath(env);
  if (!path) return [];
  try {
    return parseNetrc(readFileSync(path, 'utf8'));
  } catch {
    return [];
  }
}

export function netrcCredentials(lines: readonly NetrcLine[], hostname: string): NetrcLine | null {
  return lines.find((line) => line.machine === hostname) ?? null;
}
