/**
 * Running the real go command against the simulator: an isolated environment (own HOME, GOPATH,
 * module and build caches; nothing inherited from the runner's Go settings), a consumer module
 * that requires corpus modules, and a bounded `go` invocation.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Corpus, CorpusModule } from './corpus.js';
import { compareVersions } from './semver.js';

export interface GoResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** Runs `go` with exactly `env` (not merged with process.env), killed after timeoutMs. */
export function runGo(
  args: readonly string[],
  options: { cwd: string; env: Readonly<Record<string, string>>; timeoutMs?: number },
): Promise<GoResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve) => {
    execFile(
      'go',
      args,
      {
        cwd: options.cwd,
        env: options.env,
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const err = error as
          | (NodeJS.ErrnoException & { code?: number | string; killed?: boolean })
          | null;
        resolve({
          code: err ? (typeof err.code === 'number' ? err.code : null) : 0,
          stdout,
          stderr,
          timedOut: Boolean(err?.killed),
        });
      },
    );
  });
}

/**
 * Environment for the go command with everything under `root`: HOME, GOPATH, GOMODCACHE, GOCACHE,
 * an absent GOENV file, GOFLAGS=-mod=mod, GOTOOLCHAIN=local, and no GOPRIVATE/GONOSUMDB/GOINSECURE
 * or proxy variables unless `extra` sets them. `extra` wins over the defaults.
 */
export function isolatedGoEnv(
  root: string,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(root, 'home'),
    GOPATH: join(root, 'gopath'),
    GOMODCACHE: join(root, 'gopath', 'pkg', 'mod'),
    GOCACHE: join(root, 'gocache'),
    GOENV: join(root, 'home', 'go-env-absent'),
    GOFLAGS: '-mod=mod',
    GOTOOLCHAIN: 'local',
    GO111MODULE: 'on',
    CGO_ENABLED: '0',
    GIT_TERMINAL_PROMPT: '0',
    ...extra,
  };
}

/** The newest version (pre-releases included) of every public module path: one requirement each. */
export function defaultConsumerModules(corpus: Corpus): CorpusModule[] {
  const newest = new Map<string, CorpusModule>();
  for (const m of corpus.publicModules()) {
    const current = newest.get(m.path);
    if (!current || compareVersions(m.version, current.version) > 0) newest.set(m.path, m);
  }
  return [...newest.values()];
}

export interface ConsumerOptions {
  /** Modules to require (default: defaultConsumerModules). */
  readonly modules?: readonly CorpusModule[];
  /** Write a go.sum with the corpus hashes of the required modules (default false: Go must ask the database). */
  readonly goSum?: boolean;
  readonly modulePath?: string;
}

/** Writes go.mod (and optionally go.sum) of a consumer module into dir; returns dir. */
export async function writeConsumerModule(
  dir: string,
  corpus: Corpus,
  options: ConsumerOptions = {},
): Promise<string> {
  const modules = options.modules ?? defaultConsumerModules(corpus);
  await mkdir(dir, { recursive: true });
  const requires = modules.map((m) => `\t${m.path} ${m.version}\n`).join('');
  await writeFile(
    join(dir, 'go.mod'),
    `module ${options.modulePath ?? 'example.com/consumer'}\n\ngo 1.19\n\nrequire (\n${requires})\n`,
  );
  if (options.goSum) await writeFile(join(dir, 'go.sum'), corpus.goSum(modules));
  return dir;
}

/** Parses go.sum text into a set of `<path> <version>[/go.mod] <hash>` lines. */
export function goSumLines(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );
}

/** Removes a tree that the go command made read-only (module cache). */
export async function removeGoTree(root: string): Promise<void> {
  await makeWritable(root);
  await rm(root, { recursive: true, force: true });
}

async function makeWritable(path: string): Promise<void> {
  try {
    await chmod(path, 0o755);
    for (const entry of await readdir(path, { withFileTypes: true })) {
      if (entry.isDirectory()) await makeWritable(join(path, entry.name));
    }
  } catch {
    // Missing or not a directory: nothing to do.
  }
}
