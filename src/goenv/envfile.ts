/**
 * The user's go env file (`go env -w`), as pure text functions that reproduce cmd/go:
 * `initEnvCache` (reading, src/cmd/go/internal/cfg/cfg.go), `updateEnvFile` and `lineToKey`
 * (writing, src/cmd/go/internal/envcmd/env.go), and `cfg.EnvFile` + `os.UserConfigDir` (location).
 */
import { posix, win32 } from 'node:path';
import { compareGoStrings } from './gostrings.js';

/**
 * Values the go command reads from the file: lines with '=' whose first byte is A–Z; the value is
 * everything after the first '=', verbatim (a trailing CR included); the last duplicate wins.
 */
export function readEnvFile(text: string): ReadonlyMap<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0 || line.length === 0 || line[0]! < 'A' || line[0]! > 'Z') continue;
    values.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return values;
}

/** cmd/go's lineToKey: the text before the first '=', or '' (comment, blank, '#' in the key, no '='). */
export function lineToKey(line: string): string {
  const eq = line.indexOf('=');
  if (eq < 0 || line.slice(0, eq).includes('#')) return '';
  return line.slice(0, eq);
}

/** Whether `go env -u key` would find a line to blank. */
export function envFileHasKey(text: string, key: string): boolean {
  return splitLines(text).some((line) => lineToKey(line) === key);
}

/** strings.SplitAfter(data, "\n") with an empty last piece dropped or a final newline added, as updateEnvFile does. */
function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
    lines.push(text.slice(start, nl + 1));
    start = nl + 1;
  }
  if (start < text.length) lines.push(`${text.slice(start)}\n`);
  return lines;
}

/**
 * The file `go env -w KEY=VALUE…` (add) or `go env -u KEY…` (del) leaves behind: duplicates
 * removed except the last, existing keys replaced in place, new keys appended, unset keys
 * blanked, then every run of KEY=VALUE lines sorted by key. `text` is '' for a missing file (note
 * that `go env -u` fails when the file does not exist; `-w` creates it).
 */
export function updateEnvFile(
  text: string,
  add: Readonly<Record<string, string>>,
  del: Iterable<string> = [],
): string {
  const lines = splitLines(text);

  // Delete all but the last copy of a key: the last one is the one that takes effect.
  const prev = new Map<string, number>();
  lines.forEach((line, index) => {
    const key = lineToKey(line);
    if (key === '') return;
    const earlier = prev.get(key);
    if (earlier !== undefined) lines[earlier] = '';
    prev.set(key, index);
  });

  for (const [key, value] of Object.entries(add)) {
    const at = prev.get(key);
    if (at !== undefined) lines[at] = `${key}=${value}\n`;
    else lines.push(`${key}=${value}\n`);
  }
  for (const key of del) {
    const at = prev.get(key);
    if (at !== undefined) lines[at] = '';
  }

  // Sort runs of KEY=VALUE lines; comments, blank or invalid lines (and blanked ones) end a run.
  let start = 0;
  for (let i = 0; i <= lines.length; i++) {
    if (i === lines.length || lineToKey(lines[i]!) === '') {
      const run = lines
        .slice(start, i)
        .sort((a, b) => compareGoStrings(lineToKey(a), lineToKey(b)));
      lines.splice(start, run.length, ...run);
      start = i + 1;
    }
  }
  return lines.join('');
}

export type GoEnvFileLocation =
  | { readonly path: string }
  | { readonly path: null; readonly reason: string };

/** `cfg.EnvFile()`: $GOENV, else os.UserConfigDir()/go/env, per the OS of the go command. */
export function goEnvFilePath(
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform,
): GoEnvFileLocation {
  const get = (name: string): string => lookupEnv(env, name, platform === 'win32');
  const goenv = get('GOENV');
  if (goenv !== '') return goenv === 'off' ? { path: null, reason: 'GOENV=off' } : { path: goenv };
  switch (platform) {
    case 'win32': {
      const appData = get('AppData');
      if (appData === '') return { path: null, reason: '%AppData% is not defined' };
      return { path: win32.join(appData, 'go/env') };
    }
    case 'darwin': {
      const home = get('HOME');
      if (home === '') return { path: null, reason: '$HOME is not defined' };
      return { path: posix.join(`${home}/Library/Application Support`, 'go/env') };
    }
    default: {
      let dir = get('XDG_CONFIG_HOME');
      if (dir === '') {
        const home = get('HOME');
        if (home === '')
          return { path: null, reason: 'neither $XDG_CONFIG_HOME nor $HOME are defined' };
        dir = `${home}/.config`;
      }
      return { path: posix.join(dir, 'go/env') };
    }
  }
}

/** os.Getenv: '' when unset; names compare case-insensitively where the OS does (Windows). */
export function lookupEnv(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  caseInsensitive: boolean,
): string {
  const exact = env[name];
  if (exact !== undefined || !caseInsensitive) return exact ?? '';
  const key = Object.keys(env).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? '' : (env[key] ?? '');
}
