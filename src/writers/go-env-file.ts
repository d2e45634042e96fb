/**
 * Persists settings in the user's go env file with the real `go env -w` / `go env -u`, only when
 * asked (input `write-go-env`, CLI `--apply`). Idempotent: keys already holding the wanted value
 * are not touched, so a second run leaves the file byte-identical. Never writes an empty value
 * (on Go ≥1.21 `GOPROXY=` in this file hides the go.env default and breaks every download).
 * Concurrent runs on one machine (self-hosted runners) are serialised with a lock file.
 */
import { execFile } from 'node:child_process';
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { envFileHasKey, readEnvFile } from '../goenv/envfile.js';

export interface GoEnvWriteOptions {
  /** The go binary. Default `go` (from PATH). */
  readonly go?: string;
  /** Environment the go command runs with; also the OS environment checked for conflicts. Default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** How long to wait for another writer's lock. Default 30 s. */
  readonly lockTimeoutMs?: number;
  /** A lock older than this is considered abandoned (a killed run). Default 60 s. */
  readonly staleLockMs?: number;
  /** Deadline for each go command. Default 30 s. */
  readonly commandTimeoutMs?: number;
}

export interface GoEnvWriteResult {
  /** The env file go uses; null when there is none (GOENV=off). */
  readonly file: string | null;
  /** Why nothing was written, or null. */
  readonly skipped: string | null;
  /** Keys written with `go env -w`. */
  readonly set: readonly string[];
  /** Keys removed with `go env -u`. */
  readonly unset: readonly string[];
  /** Keys that already had the wanted value (or were already absent). */
  readonly unchanged: readonly string[];
  /** Keys whose value in the file is ineffective: a non-empty, different OS environment variable wins. */
  readonly overriddenByEnvironment: readonly string[];
}

export class GoCommandError extends Error {
  override readonly name = 'GoCommandError';
}

const KEY = /^[A-Z][A-Z0-9_]*$/;
const WARNING =
  /^warning: go env -w (\S+)=\.\.\. does not override conflicting OS environment variable$/;

/**
 * Brings the go env file in line with `settings`: a non-empty string sets the key, null or ''
 * removes it (only when the file exists and holds the key, because `go env -u` fails otherwise).
 */
export async function writeGoEnv(
  settings: Readonly<Record<string, string | null>>,
  options: GoEnvWriteOptions = {},
): Promise<GoEnvWriteResult> {
  validateSettings(settings);
  const env = { ...(options.env ?? process.env) };
  const file = (await runGo(['env', 'GOENV'], env, options)).stdout.trim();
  if (file === '') {
    return {
      file: null,
      skipped: 'GOENV=off: the go command uses no env file',
      set: [],
      unset: [],
      unchanged: [],
      overriddenByEnvironment: [],
    };
  }
  // Pin the file for the following commands (Go 1.19 ignores GOENV=off in `go env -w`).
  const goEnv = { ...env, GOENV: file, GOTOOLCHAIN: 'local' };

  return withLock(file, options, async () => {
    const { text, exists } = await readText(file);
    const current = readEnvFile(text);
    const toSet: Record<string, string> = {};
    const toUnset: string[] = [];
    const unchanged: string[] = [];
    for (const [key, value] of Object.entries(settings)) {
      if (value === null || value === '') {
        if (exists && envFileHasKey(text, key)) toUnset.push(key);
        else unchanged.push(key);
      } else if (current.get(key) === value) {
        unchanged.push(key);
      } else {
        toSet[key] = value;
      }
    }

    const overridden = new Set(conflictingEnvironment(settings, env));
    const setKeys = Object.keys(toSet);
    if (setKeys.length > 0) {
      const { stderr } = await runGo(
        ['env', '-w', ...setKeys.map((k) => `${k}=${toSet[k]}`)],
        goEnv,
        options,
      );
      for (const line of stderr.split(/\r?\n/)) {
        const key = WARNING.exec(line.trim())?.[1];
        if (key !== undefined) overridden.add(key);
      }
    }
    if (toUnset.length > 0) await runGo(['env', '-u', ...toUnset], goEnv, options);
    return {
      file,
      skipped: null,
      set: setKeys,
      unset: toUnset,
      unchanged,
      overriddenByEnvironment: [...overridden],
    };
  });
}

/** Keys for which Go would keep using the OS environment: non-empty and different from the wanted value. */
export function conflictingEnvironment(
  settings: Readonly<Record<string, string | null>>,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  return Object.entries(settings)
    .filter(
      ([key, value]) =>
        value !== null && value !== '' && (env[key] ?? '') !== '' && env[key] !== value,
    )
    .map(([key]) => key);
}

function validateSettings(settings: Readonly<Record<string, string | null>>): void {
  for (const [key, value] of Object.entries(settings)) {
    if (!KEY.test(key)) throw new GoCommandError(`invalid go env key ${JSON.stringify(key)}`);
    if (key === 'GOENV') throw new GoCommandError('GOENV can only be set using the OS environment');
    // Go refuses these too (`invalid newline in …`); checking first keeps the file untouched.
    if (value !== null && /[\0\n\r\v]/.test(value))
      throw new GoCommandError(`invalid newline or NUL in ${key} value`);
  }
}

async function readText(file: string): Promise<{ text: string; exists: boolean }> {
  try {
    return { text: await readFile(file, 'utf8'), exists: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { text: '', exists: false };
    throw error;
  }
}

function runGo(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  options: GoEnvWriteOptions,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      options.go ?? 'go',
      [...args],
      {
        env: { ...env, GOTOOLCHAIN: 'local' },
        cwd: options.cwd,
        timeout: options.commandTimeoutMs ?? 30_000,
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (error) {
          const detail = stderr.trim().split(/\r?\n/).at(-1) || error.message;
          reject(
            new GoCommandError(
              `go ${args[0]} ${args[1] ?? ''} failed: ${detail}`.replace(/\s+/g, ' '),
            ),
          );
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
  });
}

async function withLock<T>(
  file: string,
  options: GoEnvWriteOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const lock = `${file}.go-proxy-setup.lock`;
  const timeoutMs = options.lockTimeoutMs ?? 30_000;
  const staleMs = options.staleLockMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  await mkdir(dirname(file), { recursive: true });
  for (;;) {
    try {
      const handle = await open(lock, 'wx');
      await handle.writeFile(`${process.pid} ${new Date().toISOString()}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      await removeIfStale(lock, staleMs);
      if (Date.now() > deadline) {
        throw new GoCommandError(
          `timed out after ${timeoutMs} ms waiting for another writer of ${file} (lock ${lock})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 50));
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

async function removeIfStale(lock: string, staleMs: number): Promise<void> {
  try {
    const info = await stat(lock);
    if (Date.now() - info.mtimeMs > staleMs) await unlink(lock);
  } catch {
    // gone already, or removed by another waiter
  }
}
