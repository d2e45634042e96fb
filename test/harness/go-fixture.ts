/**
 * Go module fixtures for cache tests: a `file://` GOPROXY laid out from the simulator's corpus
 * (the real go command downloads from it, no network), a module that requires corpus modules
 * with a complete go.sum, and a way to run the real `go` against them.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Corpus, type CorpusModule, HELLO, UPPER, buildCorpus } from '../simulator/corpus.js';
import type { Owner } from './runner.js';

export const corpus: Corpus = buildCorpus();
export const hello = corpus.get(HELLO, 'v1.0.0')!;
export const upper = corpus.get(UPPER, 'v1.0.0')!;
export const hello11 = corpus.get(HELLO, 'v1.1.0')!;

/** Writes `<dir>/<escaped path>/@v/{list,<v>.info,<v>.mod,<v>.zip}`; returns the GOPROXY URL. */
export async function writeFileProxy(
  dir: string,
  modules: readonly CorpusModule[],
): Promise<string> {
  const versions = new Map<string, string[]>();
  for (const m of modules) {
    const base = join(dir, m.escapedPath, '@v');
    await mkdir(base, { recursive: true });
    await writeFile(join(base, `${m.escapedVersion}.info`), m.info);
    await writeFile(join(base, `${m.escapedVersion}.mod`), m.mod);
    await writeFile(join(base, `${m.escapedVersion}.zip`), m.zip);
    versions.set(base, [...(versions.get(base) ?? []), m.version]);
  }
  for (const [base, list] of versions) await writeFile(join(base, 'list'), `${list.join('\n')}\n`);
  return pathToFileURL(dir).href;
}

/** A main module requiring `requires`, with the go.sum lines go would write. */
export async function writeMainModule(
  dir: string,
  requires: readonly CorpusModule[],
  modulePath = 'example.com/app',
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const require = requires.map((m) => `require ${m.path} ${m.version}\n`).join('');
  await writeFile(join(dir, 'go.mod'), `module ${modulePath}\n\ngo 1.18\n\n${require}`);
  if (requires.length > 0) await writeFile(join(dir, 'go.sum'), corpus.goSum([...requires]));
}

/** Environment for the real go command against a file proxy: no network, no toolchain switch. */
export function goEnv(
  proxyUrl: string,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    GOPROXY: proxyUrl,
    // The fixture's go.sum holds every hash, so the checksum database is never needed.
    GONOSUMDB: 'example.com',
    GOTOOLCHAIN: 'local',
    GOTELEMETRY: 'off',
    GOFLAGS: '',
    ...extra,
  };
}

export interface GoRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real go in `cwd` with exactly `env` (plus PATH), optionally as another user. */
export function runGo(
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string>>,
  owner?: Owner,
): Promise<GoRun> {
  return new Promise((resolve) => {
    execFile(
      'go',
      [...args],
      {
        cwd,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
        timeout: 120_000,
        ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
