/**
 * Post-step half of the GOMODCACHE cache: save only what is worth saving — not after an exact
 * hit (entries are immutable), not an unchanged or empty cache (genealogix/glx#587 saved 7 KiB
 * of nothing), not after a failed job — and measure what the job added, for the summary.
 * Service failures are warnings; a ValidationError is a bug and is rethrown. Nothing here
 * starts a timer or a background task, so the post orchestrator can exit right after.
 */
import { STATE } from '../constants.js';
import { oneLine } from '../errors.js';
import type { Platform } from '../platform/platform.js';
import { count, formatBytes } from './format.js';
import { measureModCache } from './modcache.js';
import {
  type CacheApi,
  type CacheState,
  type ModCacheGrowth,
  type ModCacheSnapshot,
  type SaveReason,
  type SaveResult,
  isValidationError,
} from './types.js';

export type JobStatus = 'success' | 'failure' | 'cancelled';

export interface SaveSettings {
  /** The `cache` input. */
  readonly enabled: boolean;
  /**
   * The job's status when the platform tells it (GitLab: CI_JOB_STATUS). GitHub runs the post
   * step only after success (`post-if: success()`); undefined means "no news", i.e. success.
   */
  readonly jobStatus?: JobStatus;
}

export interface SaveDeps {
  readonly cache: CacheApi;
  readonly platform: Platform;
}

export async function saveModCache(settings: SaveSettings, deps: SaveDeps): Promise<SaveResult> {
  const { platform } = deps;
  if (!settings.enabled) return skip('disabled', 'Go module cache disabled (`cache: false`).');
  const state = parseCacheState(platform.getState(STATE.cache));
  if (state === null) {
    if (!deps.cache.isAvailable()) {
      return skip('unavailable', 'Go module cache not saved: the runner offers no cache service.');
    }
    return skip('no-state', 'Go module cache not saved: the main step did not restore it.');
  }
  const final = (await measureModCache(state.path)).snapshot;
  const added = growth(state.baseline, final);
  const result = (reason: SaveReason, message: string, saved = false): SaveResult => ({
    saved,
    reason,
    message,
    key: state.primaryKey,
    added,
    final,
  });
  const log = (r: SaveResult, level: 'info' | 'warning' = 'info'): SaveResult => {
    platform[level](r.message);
    return r;
  };
  const addedText = describeGrowth(added);

  if (settings.jobStatus !== undefined && settings.jobStatus !== 'success') {
    return log(
      result(
        'job-failed',
        `Go module cache not saved: the job did not succeed (${settings.jobStatus}); ${addedText}.`,
      ),
    );
  }
  if (state.outcome === 'exact-hit') {
    return log(
      result(
        'exact-hit',
        `Go module cache not saved: ${state.primaryKey} was restored exactly and cache entries cannot be replaced; ${addedText}.`,
      ),
    );
  }
  if (state.outcome === 'skipped-populated') {
    return log(
      result(
        'prepopulated',
        `Go module cache not saved: the module cache was populated by something else before this job's restore; ${addedText}.`,
      ),
    );
  }
  if (final.files === 0) {
    return log(
      result('empty', 'Go module cache not saved: it is empty (no go command downloaded modules).'),
    );
  }
  if (final.fingerprint === state.baseline.fingerprint) {
    return log(result('unchanged', 'Go module cache not saved: unchanged since the restore.'));
  }
  if (!deps.cache.isAvailable()) {
    return log(
      result(
        'unavailable',
        `Go module cache not saved: the runner offers no cache service; ${addedText}.`,
      ),
    );
  }
  try {
    const id = await deps.cache.save({ paths: [state.path], key: state.primaryKey });
    if (id === -1) {
      // Another job saving the same key first is normal (matrix jobs); the library has already
      // logged any message the service gave.
      return log(
        result(
          'not-stored',
          `Go module cache not saved: the cache service did not store ${state.primaryKey} (another job may have saved it first); ${addedText}.`,
        ),
      );
    }
    return log(
      result(
        'saved',
        `Go module cache saved as ${state.primaryKey} (${count(final.modules, 'module')}, ${formatBytes(final.bytes)}); ${addedText}.`,
        true,
      ),
    );
  } catch (error) {
    if (isValidationError(error)) throw error;
    return log(result('failed', `Go module cache not saved: ${oneLine(error)}`), 'warning');
  }

  function skip(reason: SaveReason, message: string): SaveResult {
    platform.info(message);
    return { saved: false, reason, message, key: null, added: null, final: null };
  }
}

/** Reads the main step's JSON state; null when absent or not ours (never throws on bad input). */
export function parseCacheState(raw: string): CacheState | null {
  if (!raw) return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isRecord(value) || value.schema !== 1) return null;
  const { path, primaryKey, outcome, baseline } = value;
  if (typeof path !== 'string' || typeof primaryKey !== 'string') return null;
  if (typeof outcome !== 'string' || !isSnapshot(baseline)) return null;
  return value as unknown as CacheState;
}

export function growth(before: ModCacheSnapshot, after: ModCacheSnapshot): ModCacheGrowth {
  return {
    modules: Math.max(after.modules - before.modules, 0),
    files: Math.max(after.files - before.files, 0),
    bytes: Math.max(after.bytes - before.bytes, 0),
  };
}

function describeGrowth(added: ModCacheGrowth): string {
  if (added.files === 0) return 'the job added nothing to the module cache';
  return `the job added ${count(added.modules, 'module')} (${formatBytes(added.bytes)}) to the module cache`;
}

function isSnapshot(value: unknown): value is ModCacheSnapshot {
  return (
    isRecord(value) &&
    typeof value.modules === 'number' &&
    typeof value.files === 'number' &&
    typeof value.bytes === 'number' &&
    typeof value.fingerprint === 'string'
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
