/**
 * CacheApi on @actions/cache (the GitHub Actions cache service: v2 Twirp on github.com, the
 * legacy REST service on GHES). The library logs its own warnings for service failures and
 * resolves a miss (restore) or -1 (save); only ValidationError escapes, which the cache phases
 * rethrow as the bug it is.
 */
import * as cache from '@actions/cache';
import type { CacheApi, RestoreRequest, SaveRequest } from '../cache/types.js';

export function createGitHubCacheApi(): CacheApi {
  return {
    isAvailable: () => cache.isFeatureAvailable(),
    restore: (request) => restoreWithWorkspace(request),
    save: (request: SaveRequest) => cache.saveCache([...request.paths], request.key),
  };
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
