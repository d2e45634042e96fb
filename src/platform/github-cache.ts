/**
 * CacheApi on @actions/cache (the GitHub Actions cache service: v2 Twirp on github.com, the
 * legacy REST service on GHES). The library logs its own warnings for service failures and
 * resolves a miss (restore) or -1 (save); only ValidationError escapes, which the cache phases
 * rethrow as the bug it is. A restore failure is told apart from a miss by the library's own
 * `Failed to restore` line (see watchRestoreFailure).
 */
import * as cache from '@actions/cache';
import {
  type CacheApi,
  ReportedCacheFailure,
  type RestoreRequest,
  type SaveRequest,
} from '../cache/types.js';

export function createGitHubCacheApi(): CacheApi {
  return {
    isAvailable: () => cache.isFeatureAvailable(),
    restore: (request) => restoreReportingFailure(request),
    save: (request: SaveRequest) => cache.saveCache([...request.paths], request.key),
  };
}

async function restoreReportingFailure(request: RestoreRequest): Promise<string | undefined> {
  const { result, failure } = await watchRestoreFailure(() => restoreWithWorkspace(request));
  if (result === undefined && failure !== null) throw new ReportedCacheFailure(failure);
  return result;
}

/**
 * @actions/cache extracts relative to GITHUB_WORKSPACE, read at extraction time, and offers no
 * option for it: point it at the staging mirror for this one call, then put it back. The cache
 * "version" depends only on the path strings, so the lookup is unchanged.
 */
async function restoreWithWorkspace(request: RestoreRequest): Promise<string | undefined> {
  const restore = () =>
    cache.restoreCache([...request.paths], request.primaryKey, [...request.restoreKeys]);
  if (request.extractAsWorkspace === undefined) return restore();
  const saved = process.env.GITHUB_WORKSPACE;
  process.env.GITHUB_WORKSPACE = request.extractAsWorkspace;
  try {
    return await restore();
  } finally {
    if (saved === undefined) Reflect.deleteProperty(process.env, 'GITHUB_WORKSPACE');
    else process.env.GITHUB_WORKSPACE = saved;
  }
}

/** The workflow command @actions/cache prints when it swallows a restore failure. */
const RESTORE_FAILURE = /^::(?:warning|error)(?: [^:]*)?::(Failed to restore: .*)$/m;

/**
 * restoreCache resolves undefined both for "no such entry" and after a failed download or
 * extraction, which it reports only as a `::warning::Failed to restore: …` (or `::error::`) line
 * on stdout, where @actions/core writes workflow commands. That line is the one signal, so stdout
 * is watched — and still written — for the duration of the call.
 */
async function watchRestoreFailure<T>(
  call: () => Promise<T>,
): Promise<{ result: T; failure: string | null }> {
  const stdout = process.stdout;
  const write = stdout.write;
  let failure: string | null = null;
  stdout.write = function (this: typeof stdout, chunk: unknown, ...rest: unknown[]): boolean {
    if (failure === null) {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString();
      const match = RESTORE_FAILURE.exec(text);
      if (match) failure = unescapeCommandData(match[1]!.trimEnd());
    }
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof stdout.write;
  try {
    const result = await call();
    return { result, failure };
  } finally {
    stdout.write = write;
  }
}

/** Reverses @actions/core's escaping of command data. */
function unescapeCommandData(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}
