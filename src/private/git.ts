/**
 * The I/O that feeds derive.ts: the origin remote URL and the GitHub event payload's description
 * of the repository. Both fail soft (null): a missing remote or payload only means less to derive.
 * The remote URL may carry a CI token; it is returned to the caller and never logged here.
 */
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import type { EventRepository } from './derive.js';

export interface ReadOriginOptions {
  /** Environment for git (default: process.env). GIT_TERMINAL_PROMPT=0 is always added. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs?: number;
}

const DEFAULT_GIT_TIMEOUT_MS = 5_000;
/** GitHub caps webhook payloads at 25 MB; anything larger is not a payload. */
const MAX_EVENT_BYTES = 32 * 1024 * 1024;

/**
 * `git remote get-url origin` in cwd, or null (no git, not a repository, no origin, timeout,
 * "dubious ownership"). get-url applies insteadOf rules, so on GitLab runners ≥ 18.6 it returns the
 * token URL even though .git/config holds a clean one: treat the result as a secret.
 */
export function readOriginUrl(
  cwd: string,
  options: ReadOriginOptions = {},
): Promise<string | null> {
  const env = { ...definedOnly(options.env ?? process.env), GIT_TERMINAL_PROMPT: '0' };
  return new Promise((resolve) => {
    execFile(
      'git',
      ['remote', 'get-url', 'origin'],
      {
        cwd,
        env,
        timeout: options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS,
        maxBuffer: 64 * 1024,
        windowsHide: true,
        encoding: 'utf8',
      },
      (error, stdout) => {
        // Neither stdout nor stderr is logged: both can hold the token URL.
        if (error) return resolve(null);
        const url = stdout.trim();
        resolve(url === '' || url.includes('\n') ? null : url);
      },
    );
  });
}

/** `repository.visibility` / `private` / `full_name` of the payload at GITHUB_EVENT_PATH, or null. */
export async function readEventRepository(
  env: Readonly<Record<string, string | undefined>>,
): Promise<EventRepository | null> {
  const path = env.GITHUB_EVENT_PATH?.trim();
  if (!path) return null;
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size > MAX_EVENT_BYTES) return null;
    return eventRepositoryFrom(JSON.parse(await readFile(path, 'utf8')));
  } catch {
    return null;
  }
}

/** Picks the fields we trust from a parsed payload; anything of the wrong type is ignored. */
export function eventRepositoryFrom(payload: unknown): EventRepository | null {
  if (!isRecord(payload) || !isRecord(payload.repository)) return null;
  const repository = payload.repository;
  const visibility =
    typeof repository.visibility === 'string' ? repository.visibility.toLowerCase() : undefined;
  const result: {
    visibility?: 'public' | 'private' | 'internal';
    private?: boolean;
    fullName?: string;
  } = {};
  if (visibility === 'public' || visibility === 'private' || visibility === 'internal') {
    result.visibility = visibility;
  }
  if (typeof repository.private === 'boolean') result.private = repository.private;
  if (typeof repository.full_name === 'string') result.fullName = repository.full_name;
  return Object.keys(result).length === 0 ? null : result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}
