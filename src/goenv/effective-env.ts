/**
 * The Go settings the go command will actually use: the OS environment overlaid on the user's go
 * env file (`go env -w`). Go's precedence (go-semantics.md §1.5, §5): a non-empty OS variable wins;
 * otherwise the file's value; otherwise Go's default. An OS variable set to '' counts as unset.
 *
 * Without this, GOPRIVATE set with `go env -w` is invisible to us, and private module paths would
 * be probed at public mirrors and looked up in the checksum database.
 */
import { readFile } from 'node:fs/promises';
import { goEnvFilePath, readEnvFile } from './envfile.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The variables taken from the file: the ones that decide where modules are fetched from and
 * what stays private. Others (GOPATH, GOMODCACHE, GOROOT…) are left alone on purpose: the cache
 * phases of the action locate the module cache from the OS environment in both the main and the
 * post step, and must keep agreeing with each other.
 */
export const GO_ENV_FILE_VARIABLES = [
  'GOPROXY',
  'GOSUMDB',
  'GOPRIVATE',
  'GONOPROXY',
  'GONOSUMDB',
  'GOINSECURE',
  'GOFLAGS',
] as const;

export interface EffectiveGoEnv {
  /** The OS environment with the file's values filled in where the OS leaves them unset or empty. */
  readonly env: Env;
  /** The go env file that was looked at; null when there is none (GOENV=off, no HOME…). */
  readonly file: string | null;
  /** Variables whose value came from the file, in GO_ENV_FILE_VARIABLES order. */
  readonly fromFile: readonly string[];
}

/**
 * cfg.Getenv's rule for each of GO_ENV_FILE_VARIABLES: the OS value when non-empty, else the
 * file's value (verbatim, as cmd/go reads it). An empty file value leaves the variable unset.
 */
export function overlayGoEnvFile(
  env: Env,
  fileValues: ReadonlyMap<string, string>,
): { env: Env; fromFile: string[] } {
  const out: Record<string, string | undefined> = { ...env };
  const fromFile: string[] = [];
  for (const name of GO_ENV_FILE_VARIABLES) {
    if ((env[name] ?? '') !== '') continue;
    const value = fileValues.get(name) ?? '';
    if (value === '') continue;
    out[name] = value;
    fromFile.push(name);
  }
  return { env: out, fromFile };
}

/**
 * The variables of the user's go env file (where `go env -w` writes: $GOENV, else the user config
 * dir's `go/env`), and which file that is (null when there is none: GOENV=off, no HOME…). A
 * missing or unreadable file counts as empty, as in cmd/go's initEnvCache. Does not run `go`.
 */
export async function readGoEnvFile(
  env: Env,
  platform: NodeJS.Platform,
): Promise<{ readonly file: string | null; readonly variables: ReadonlyMap<string, string> }> {
  const file = goEnvFilePath(env, platform).path;
  if (file === null) return { file, variables: new Map() };
  try {
    return { file, variables: readEnvFile(await readFile(file, 'utf8')) };
  } catch {
    return { file, variables: new Map() };
  }
}

/** The OS environment overlaid with the go env file (readGoEnvFile, overlayGoEnvFile). */
export async function readEffectiveGoEnv(
  env: Env,
  platform: NodeJS.Platform,
): Promise<EffectiveGoEnv> {
  const { file, variables } = await readGoEnvFile(env, platform);
  return { ...overlayGoEnvFile(env, variables), file };
}
