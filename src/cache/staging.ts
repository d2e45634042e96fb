/**
 * Restoring into a module cache that already has content, without tar's `Cannot open: File
 * exists` (setup-go#403, #424, #722): Go leaves module directories 0555 and their files 0444,
 * so an unprivileged tar cannot replace them and aborts the whole restore.
 *
 * The archive is extracted into a staging directory next to GOMODCACHE (same file system, so
 * moving is a rename), then only what is missing is moved in; what exists stays as it is. Go
 * writes every entry of the module cache once and never changes it, so an existing entry is as
 * good as the archived one. A failed extraction leaves GOMODCACHE untouched: the staging
 * directory is simply deleted.
 *
 * Archives store cached paths relative to the workspace (@actions/cache: `tar -P -C
 * $GITHUB_WORKSPACE`), so extracting "as if" the workspace were `<staging>/<workspace path>`
 * puts the module cache at `<staging>/<GOMODCACHE path>`.
 */
import type { Stats } from 'node:fs';
import { chmod, cp, lstat, readdir, rename, rm } from 'node:fs/promises';
import { posix, win32 } from 'node:path';

export interface StagingPlan {
  /** The staging directory: a sibling of GOMODCACHE, deleted after the merge. */
  readonly root: string;
  /** What to extract as if it were the workspace. */
  readonly workspace: string;
  /** Where the archived module cache lands. */
  readonly stagedModCache: string;
}

/**
 * Pure: where to stage. null when the archive would hold absolute paths (GOMODCACHE on another
 * Windows drive than the workspace, as on hosted Windows runners: C:\ vs D:\), which tar writes
 * to their real place whatever the working directory.
 */
export function planStaging(
  modcache: string,
  workspace: string,
  platform: NodeJS.Platform,
  token: string,
): StagingPlan | null {
  const path = platform === 'win32' ? win32 : posix;
  const relativeModCache = path.relative(workspace, modcache);
  if (path.isAbsolute(relativeModCache)) return null;
  const root = path.join(path.dirname(modcache), `.go-proxy-setup-restore-${token}`);
  const mirroredWorkspace = path.join(root, withoutRoot(workspace, path));
  const stagedModCache = path.resolve(mirroredWorkspace, relativeModCache);
  if (!isInside(stagedModCache, root, path)) return null;
  return { root, workspace: mirroredWorkspace, stagedModCache };
}

export interface MergeStats {
  /** Entries moved in (a missing directory moves as a whole and counts once). */
  readonly moved: number;
  /** Entries that already existed and were kept. */
  readonly kept: number;
  /** Entries that could not be moved (permissions); GOMODCACHE stays consistent without them. */
  readonly skipped: number;
}

/** Moves into `target` every entry of `source` that `target` lacks; keeps what `target` has. */
export async function mergeMissing(source: string, target: string): Promise<MergeStats> {
  const stats = { moved: 0, kept: 0, skipped: 0 };
  const targetInfo = await lstatOrNull(target);
  if (targetInfo === null) {
    await moveEntry(source, target);
    stats.moved++;
    return stats;
  }
  await mergeDirectory(source, target, stats);
  return stats;
}

async function mergeDirectory(
  source: string,
  target: string,
  stats: { moved: number; kept: number; skipped: number },
): Promise<void> {
  for (const entry of await readdir(source, { withFileTypes: true })) {
    const from = `${source}/${entry.name}`;
    const to = `${target}/${entry.name}`;
    const existing = await lstatOrNull(to);
    if (existing === null) {
      try {
        await moveEntry(from, to);
        stats.moved++;
      } catch (error) {
        if (!isPermissionError(error)) throw error;
        stats.skipped++; // e.g. a read-only module directory Go considers complete
      }
    } else if (entry.isDirectory() && existing.isDirectory()) {
      await mergeDirectory(from, to, stats);
    } else {
      stats.kept++;
    }
  }
}

/**
 * rename(2) of a directory to another parent needs write permission on the directory itself
 * (its `..` entry changes), which Go's 0555 module directories lack for a non-root user: grant
 * it for the move and put the mode back. Across file systems (GOMODCACHE is a mount point),
 * copy instead; the staging copy is deleted afterwards.
 */
async function moveEntry(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
    return;
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EXDEV') {
      await cp(from, to, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
      return;
    }
    if (code !== 'EACCES' && code !== 'EPERM') throw error;
  }
  const info = await lstat(from);
  if (!info.isDirectory() || (info.mode & 0o200) !== 0) {
    await rename(from, to); // not ours to fix: rethrows the permission error
    return;
  }
  await chmod(from, info.mode | 0o200);
  try {
    await rename(from, to);
  } catch (error) {
    await chmod(from, info.mode).catch(() => {});
    throw error;
  }
  await chmod(to, info.mode);
}

/**
 * Deletes a tree that may hold Go's read-only directories (what `go clean -modcache` does too):
 * make every directory writable first, since a failed recursive rm may still be deleting
 * concurrently when it rejects.
 */
export async function removeTree(root: string): Promise<void> {
  await makeDirectoriesWritable(root);
  await rm(root, { recursive: true, force: true });
}

async function makeDirectoriesWritable(dir: string): Promise<void> {
  const info = await lstatOrNull(dir);
  if (!info?.isDirectory()) return;
  if ((info.mode & 0o700) !== 0o700) await chmod(dir, info.mode | 0o700);
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.isDirectory()) await makeDirectoriesWritable(`${dir}/${entry.name}`);
  }
}

function withoutRoot(absolute: string, path: typeof posix): string {
  const parsed = path.parse(absolute);
  const drive = parsed.root.replace(/[\\/:]/g, '');
  return path.join(drive, absolute.slice(parsed.root.length));
}

function isInside(child: string, dir: string, path: typeof posix): boolean {
  const rel = path.relative(dir, child);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

async function lstatOrNull(path: string): Promise<Stats | null> {
  try {
    return await lstat(path);
  } catch {
    return null;
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function isPermissionError(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'EACCES' || code === 'EPERM';
}
