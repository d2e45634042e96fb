/**
 * The GOMODCACHE cache key, computed purely from already-hashed dependency files:
 *
 *   go-proxy-setup-<version>-<os>-<arch>-<hash>
 *
 * <hash> is sha256 (hex) over one line `<sha256 of content>  <relative path>\n` per dependency
 * file, sorted by path. Paths take part so that moving a module changes the key; with no files
 * at all the hash is sha256 of nothing (e3b0c442…), still a valid key. The restore key is the
 * same string without the hash, so a job whose go.sum changed starts from the newest cache of
 * the same tool version, OS and architecture.
 */
import { createHash } from 'node:crypto';

export const KEY_PREFIX = 'go-proxy-setup';

export interface DependencyDigest {
  /** Path relative to the working directory, `/`-separated. */
  readonly path: string;
  /** sha256 of the file's content, hex. */
  readonly sha256: string;
}

export interface KeyScope {
  /** go-proxy-setup's version (src/version.ts): a new release never restores an older layout blindly. */
  readonly version: string;
  /** Lower-case runner OS (`linux`, `windows`, `macos`). */
  readonly os: string;
  /** Node's process.arch (`x64`, `arm64`). */
  readonly arch: string;
}

export interface CacheKeys {
  readonly primaryKey: string;
  readonly restoreKeys: readonly string[];
  /** The hash part alone, for the log. */
  readonly hash: string;
}

/** sha256 of no input: the hash of an empty dependency set. */
export const EMPTY_DEPENDENCY_HASH =
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export function dependencyHash(files: readonly DependencyDigest[]): string {
  const sorted = [...files].sort((a, b) => compareBytes(a.path, b.path));
  const outer = createHash('sha256');
  for (const file of sorted) outer.update(`${file.sha256}  ${file.path}\n`);
  return outer.digest('hex');
}

export function keyPrefix(scope: KeyScope): string {
  return `${KEY_PREFIX}-${keyPart(scope.version)}-${keyPart(scope.os)}-${keyPart(scope.arch)}-`;
}

export function cacheKeys(scope: KeyScope, files: readonly DependencyDigest[]): CacheKeys {
  const hash = dependencyHash(files);
  const prefix = keyPrefix(scope);
  return { primaryKey: `${prefix}${hash}`, restoreKeys: [prefix], hash };
}

/**
 * The OS part of the key: RUNNER_OS lower-cased (`Linux`, `Windows`, `macOS`), else Node's
 * platform mapped to the same names so self-built runners share keys with hosted ones.
 */
export function keyOs(runnerOs: string | undefined, platform: NodeJS.Platform): string {
  if (runnerOs?.trim()) return runnerOs.trim().toLowerCase();
  if (platform === 'win32') return 'windows';
  if (platform === 'darwin') return 'macos';
  return platform;
}

/** Keys may not contain commas (the service splits on them); keep every part a single token. */
function keyPart(text: string): string {
  return text.replace(/[,\s]+/g, '_');
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
