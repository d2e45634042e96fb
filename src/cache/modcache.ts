/**
 * Where the go command keeps its module cache, computed the way cmd/go does (Go 1.19
 * `cfg.GOMODCACHE`, `gopathDir`, `go/build.defaultGOPATH`) without running go — a `go env` call
 * could start a toolchain download and write golang.org/toolchain into the very cache we are
 * about to restore (setup-go#424) — and what that cache holds.
 *
 * Rules, in order (a value counts when non-empty; the OS environment beats the go env file,
 * as in `cfg.Getenv`):
 *   1. GOMODCACHE (environment, then the go env file written by `go env -w`);
 *   2. the first GOPATH entry + /pkg/mod (environment, then the go env file);
 *   3. the default GOPATH + /pkg/mod: $HOME/go (%USERPROFILE%\go on Windows).
 * Not modelled: GOROOT equal to $HOME/go (Go then has no default GOPATH).
 */
import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { posix, win32 } from 'node:path';
import { lookupEnv } from '../goenv/envfile.js';
import type { ModCacheSnapshot } from './types.js';

export type Env = Readonly<Record<string, string | undefined>>;

export type ModCacheSource =
  | 'GOMODCACHE'
  | 'GOMODCACHE in the go env file'
  | 'GOPATH'
  | 'GOPATH in the go env file'
  | 'default GOPATH';

export interface ModCacheLocation {
  readonly path: string;
  readonly source: ModCacheSource;
}

/** The module cache cannot be used: Go itself would refuse it with this message. */
export class ModCacheLocationError extends Error {
  override readonly name = 'ModCacheLocationError';
}

export interface LocateOptions {
  readonly env: Env;
  readonly platform: NodeJS.Platform;
  /** Variables from the go env file (readGoEnvFile, src/goenv/effective-env.ts); empty when there is none. */
  readonly envFile?: ReadonlyMap<string, string>;
}

export function locateModCache(options: LocateOptions): ModCacheLocation {
  const path = pathFor(options.platform);
  const fromEnv = (key: string): string | undefined =>
    nonEmpty(lookupEnv(options.env, key, options.platform === 'win32'));
  const fromFile = (key: string): string | undefined => nonEmpty(options.envFile?.get(key));

  const gomodcache = fromEnv('GOMODCACHE') ?? fromFile('GOMODCACHE');
  if (gomodcache !== undefined) {
    const source = fromEnv('GOMODCACHE') ? 'GOMODCACHE' : 'GOMODCACHE in the go env file';
    return absoluteModCache(gomodcache, source, path);
  }
  const gopath = fromEnv('GOPATH') ?? fromFile('GOPATH');
  if (gopath !== undefined) {
    const source = fromEnv('GOPATH') ? 'GOPATH' : 'GOPATH in the go env file';
    const entries = splitGoPathList(gopath, options.platform);
    for (const entry of entries) checkGoPathEntry(entry, path);
    // cmd/go takes only the first entry; an empty one (GOPATH=":/b") leaves no module cache.
    const first = entries[0];
    if (!first) throw notFound();
    return absoluteModCache(path.join(first, 'pkg', 'mod'), source, path);
  }
  const home = nonEmpty(
    lookupEnv(
      options.env,
      options.platform === 'win32' ? 'USERPROFILE' : 'HOME',
      options.platform === 'win32',
    ),
  );
  if (home === undefined) throw notFound();
  // A relative HOME gives a relative default that cmd/go rejects with the GOMODCACHE message.
  return absoluteModCache(path.join(home, 'go', 'pkg', 'mod'), 'default GOPATH', path);
}

/** filepath.SplitList: `:` (`;` on Windows, where double quotes group and are removed). */
export function splitGoPathList(list: string, platform: NodeJS.Platform): string[] {
  if (list === '') return [];
  if (platform !== 'win32') return list.split(':');
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of list) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ';' && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

// ---------------------------------------------------------------------------------------------
// Measuring

export interface ModCacheMeasure {
  readonly snapshot: ModCacheSnapshot;
  /** True when anything is there beyond an empty `cache/` skeleton. */
  readonly populated: boolean;
  /** Case-encoded module paths that have a .zip or .mod in the download cache. */
  readonly modulePaths: readonly string[];
}

export const EMPTY_SNAPSHOT: ModCacheSnapshot = {
  modules: 0,
  files: 0,
  bytes: 0,
  fingerprint: createHash('sha256').digest('hex'),
};

/**
 * Measures the download cache (`cache/download`): what the network delivered. The extracted
 * sources (often three times larger, 100 000+ files) are not walked: they are derived from the
 * zips, so the download cache alone tells whether the job added modules, at a fraction of the cost.
 */
export async function measureModCache(modcache: string): Promise<ModCacheMeasure> {
  const download = `${modcache}/cache/download`;
  const files: { rel: string; size: number }[] = [];
  await walkFiles(download, '', files);
  files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  const hash = createHash('sha256');
  let bytes = 0;
  let modules = 0;
  const modulePaths = new Set<string>();
  for (const file of files) {
    hash.update(`${file.rel}\0${file.size}\n`);
    bytes += file.size;
    const module = modulePathOf(file.rel);
    if (module === null) continue;
    modulePaths.add(module);
    if (file.rel.endsWith('.zip')) modules++;
  }
  const snapshot = { modules, files: files.length, bytes, fingerprint: hash.digest('hex') };
  const populated = files.length > 0 || (await hasEntriesBesidesCache(modcache));
  return { snapshot, populated, modulePaths: [...modulePaths].sort() };
}

/** `example.com/m/@v/v1.0.0.zip` → `example.com/m`; null for sumdb data, locks and lists. */
function modulePathOf(rel: string): string | null {
  if (rel.startsWith('sumdb/')) return null;
  const at = rel.lastIndexOf('/@v/');
  if (at < 0) return null;
  return /\.(zip|mod)$/.test(rel) ? rel.slice(0, at) : null;
}

async function walkFiles(
  dir: string,
  rel: string,
  out: { rel: string; size: number }[],
): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return; // a missing cache is an empty cache
  }
  await Promise.all(
    entries.map(async (entry) => {
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const child = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return walkFiles(child, childRel, out);
      if (!entry.isFile()) return;
      const info = await lstat(child).catch(() => null);
      if (info) out.push({ rel: childRel, size: info.size });
    }),
  );
}

async function hasEntriesBesidesCache(modcache: string): Promise<boolean> {
  try {
    return (await readdir(modcache)).some((name) => name !== 'cache');
  } catch {
    return false;
  }
}

/** Module paths a go command writes on its own before any user step: toolchain switch, telemetry. */
const INCIDENTAL_MODULES = ['golang.org/toolchain', 'golang.org/x/telemetry'];

/** True when the modules present were fetched by the go command for itself, not by the user. */
export function onlyIncidentalModules(modulePaths: readonly string[]): boolean {
  return (
    modulePaths.length > 0 &&
    modulePaths.every((m) => INCIDENTAL_MODULES.some((i) => m === i || m.startsWith(`${i}/`)))
  );
}

// ---------------------------------------------------------------------------------------------

function absoluteModCache(
  value: string,
  source: ModCacheSource,
  path: typeof posix,
): ModCacheLocation {
  if (!path.isAbsolute(value)) {
    throw new ModCacheLocationError(
      `GOMODCACHE entry is relative; must be absolute path: ${JSON.stringify(value)}`,
    );
  }
  return { path: path.normalize(value), source };
}

/** cmd/go main.go checks every explicit GOPATH entry; empty entries are ignored (golang/go#21928). */
function checkGoPathEntry(entry: string, path: typeof posix): void {
  if (entry === '') return;
  if (entry.startsWith('~')) {
    throw new ModCacheLocationError(
      `GOPATH entry cannot start with shell metacharacter '~': ${JSON.stringify(entry)}`,
    );
  }
  if (!path.isAbsolute(entry)) {
    throw new ModCacheLocationError(
      `GOPATH entry is relative; must be absolute path: ${JSON.stringify(entry)}`,
    );
  }
}

function notFound(): ModCacheLocationError {
  return new ModCacheLocationError('module cache not found: neither GOMODCACHE nor GOPATH is set');
}

function pathFor(platform: NodeJS.Platform): typeof posix {
  return platform === 'win32' ? win32 : posix;
}

/** Windows environment names are case-insensitive; a plain record from tests is not. */
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
