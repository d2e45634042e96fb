/**
 * Finds and hashes the files that key the module cache (the I/O half of key.ts).
 *
 * Default (empty `cache-dependency-path`): every go.sum and go.work.sum under the working
 * directory, plus go.mod where a module has no go.sum — a module without dependencies has no
 * go.sum (setup-go#266, #716) and must still get a key that changes with its go.mod. Directories
 * Go itself skips for `./...` (names starting with `.` or `_`, `testdata`), `vendor`,
 * `node_modules` and the module cache itself are not walked.
 *
 * With patterns: each line is a glob relative to the working directory; a line starting with `!`
 * removes matches; `#` lines are comments.
 */
import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { glob, readFile, readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, matchesGlob, relative, resolve, sep } from 'node:path';
import type { DependencyDigest } from './key.js';

export interface DependencyFileOptions {
  /** Absolute working directory; results are relative to it. */
  readonly workingDirectory: string;
  /** Glob lines from `cache-dependency-path`; empty: the default discovery. */
  readonly patterns: readonly string[];
  /** Absolute directories never to look into (the module cache). */
  readonly skipDirectories?: readonly string[];
}

const SKIPPED_DIRECTORY_NAMES = new Set(['vendor', 'testdata', 'node_modules']);

export async function findDependencyFiles(
  options: DependencyFileOptions,
): Promise<DependencyDigest[]> {
  const root = resolve(options.workingDirectory);
  const skip = (options.skipDirectories ?? []).map((dir) => resolve(dir));
  const paths = hasPatterns(options.patterns)
    ? await expandPatterns(root, options.patterns, skip)
    : await discoverDefaultFiles(root, skip);
  const unique = [...new Set(paths)];
  return Promise.all(unique.map((path) => digest(root, path)));
}

/** Splits the raw input into glob lines (newline separated; commas are legal inside `{a,b}`). */
export function splitPatterns(raw: string): string[] {
  return raw
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** True when at least one line is a glob (not blank, not a comment). */
export function hasPatterns(patterns: readonly string[]): boolean {
  return patterns.some((p) => p.trim() !== '' && !p.trim().startsWith('#'));
}

async function discoverDefaultFiles(root: string, skip: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable directories cannot hold files Go would read either
    }
    const names = new Set(entries.filter((e) => e.isFile()).map((e) => e.name));
    if (names.has('go.sum')) found.push(join(dir, 'go.sum'));
    if (names.has('go.work.sum')) found.push(join(dir, 'go.work.sum'));
    if (names.has('go.mod') && !names.has('go.sum')) found.push(join(dir, 'go.mod'));
    for (const entry of entries) {
      if (!entry.isDirectory() || isSkippedName(entry.name)) continue;
      const child = join(dir, entry.name);
      if (!skip.some((s) => isInside(child, s))) pending.push(child);
    }
  }
  return found;
}

async function expandPatterns(
  root: string,
  patterns: readonly string[],
  skip: readonly string[],
): Promise<string[]> {
  const lines = patterns.flatMap((p) => splitPatterns(p));
  const includes = lines.filter((l) => !l.startsWith('!'));
  const excludes = lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
  const found: string[] = [];
  for await (const match of glob(includes, { cwd: root })) {
    const absolute = resolve(root, match);
    const rel = toSlash(relative(root, absolute));
    if (excludes.some((pattern) => matchesGlob(rel, pattern))) continue;
    if (skip.some((s) => isInside(absolute, s))) continue;
    if (await isFile(absolute)) found.push(absolute);
  }
  return found;
}

async function digest(root: string, path: string): Promise<DependencyDigest> {
  const content = await readFile(path);
  return {
    path: toSlash(relative(root, path)),
    sha256: createHash('sha256').update(content).digest('hex'),
  };
}

function isSkippedName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_') || SKIPPED_DIRECTORY_NAMES.has(name);
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function toSlash(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}
