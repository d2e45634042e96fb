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
import { count, formatBytes } from '../units.js';
import { type Env, measureModCache } from './modcache.js';
import { cacheModeForbids } from './mode.js';
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
  /** The process environment: ACTIONS_CACHE_MODE explains a save the service refused. */
  readonly env?: Env;
}

export interface SaveDeps {
  readonly cache: CacheApi;
  readonly platform: Platform;
}

export async function saveModCache(settings: SaveSettings, deps: SaveDeps): Promise<SaveResult> {
  const { platform } = deps;
  if (!settings.enabled) {
    return skipped(platform, 'disabled', 'disabled', 'Go module cache disabled (`cache: false`).');
  }
  const state = parseCacheState(platform.getState(STATE.cache));
  if (state === null) {
    if (!deps.cache.isAvailable()) {
      return skipped(
        platform,
        'unavailable',
        'service unavailable',
        'Go module cache not saved: the runner offers no cache service.',
      );
    }
    return skipped(
      platform,
      'no-state',
      'not restored',
      'Go module cache not saved: the main step did not restore it.',
    );
  }
  const final = (await measureModCache(state.path)).snapshot;
  const added = growth(state.baseline, final);
  const outcome =
    whyNotSave(settings, state, final, added, deps.cache) ??
    (await save(state, final, added, settings.env ?? {}, deps));
  platform[outcome.level ?? 'info'](outcome.message);
  return {
    saved: outcome.reason === 'saved',
    reason: outcome.reason,
    message: outcome.message,
    summaryReason: outcome.summaryReason,
    key: state.primaryKey,
    restoreOutcome: state.outcome,
    matchedKey: typeof state.matchedKey === 'string' ? state.matchedKey : null,
    added,
    final,
  };
}

interface Decision {
  readonly reason: SaveReason;
  /** The log sentence. */
  readonly message: string;
  /** A few words for the summary table. */
  readonly summaryReason: string;
  readonly level?: 'info' | 'warning';
}

/** The reasons not to save, in order; null when the cache should be saved. */
function whyNotSave(
  settings: SaveSettings,
  state: CacheState,
  final: ModCacheSnapshot,
  added: ModCacheGrowth,
  cache: CacheApi,
): Decision | null {
  const addedText = describeGrowth(added);
  const not = (reason: SaveReason, summaryReason: string, why: string): Decision => ({
    reason,
    summaryReason,
    message: `Go module cache not saved: ${why}.`,
  });
  if (settings.jobStatus !== undefined && settings.jobStatus !== 'success') {
    return not(
      'job-failed',
      settings.jobStatus === 'cancelled' ? 'job cancelled' : 'job failed',
      `the job did not succeed (${settings.jobStatus}); ${addedText}`,
    );
  }
  if (state.outcome === 'exact-hit') {
    return not(
      'exact-hit',
      'exact key hit',
      `${state.primaryKey} was restored exactly and cache entries cannot be replaced; ${addedText}`,
    );
  }
  if (state.outcome === 'skipped-populated') {
    return not(
      'prepopulated',
      'populated before the restore',
      `the module cache was populated by something else before this job's restore; ${addedText}`,
    );
  }
  if (final.files === 0) {
    return not('empty', 'empty', 'it is empty (no go command downloaded modules)');
  }
  if (final.fingerprint === state.baseline.fingerprint) {
    return not('unchanged', 'unchanged', 'unchanged since the restore');
  }
  if (!cache.isAvailable()) {
    return not(
      'unavailable',
      'service unavailable',
      `the runner offers no cache service; ${addedText}`,
    );
  }
  return null;
}

async function save(
  state: CacheState,
  final: ModCacheSnapshot,
  added: ModCacheGrowth,
  env: Env,
  deps: SaveDeps,
): Promise<Decision> {
  const addedText = describeGrowth(added);
  try {
    const id = await deps.cache.save({ paths: [state.path], key: state.primaryKey });
    if (id === -1) return notStored(state.primaryKey, addedText, env);
    return {
      reason: 'saved',
      summaryReason: 'saved',
      message: `Go module cache saved as ${state.primaryKey} (${count(final.modules, 'module')}, ${formatBytes(final.bytes)}); ${addedText}.`,
    };
  } catch (error) {
    if (isValidationError(error)) throw error;
    return {
      reason: 'failed',
      summaryReason: 'save failed',
      message: `Go module cache not saved: ${oneLine(error)}`,
      level: 'warning',
    };
  }
}

/**
 * -1: the library did not store the entry and has already logged why. It has several causes that
 * it does not tell apart in its result: another job reserved the same key first (normal for matrix
 * jobs), a read-only token or ACTIONS_CACHE_MODE, or a service failure. Only the mode is known
 * here; the rest stays at info level, next to the library's own message.
 */
function notStored(key: string, addedText: string, env: Env): Decision {
  const mode = cacheModeForbids(env, 'write');
  if (mode !== null) {
    return {
      reason: 'not-stored',
      summaryReason: `ACTIONS_CACHE_MODE is ${mode}`,
      message: `Go module cache not saved: ACTIONS_CACHE_MODE is ${mode}, which does not permit writes; ${addedText}.`,
    };
  }
  return {
    reason: 'not-stored',
    summaryReason: 'not stored by the cache service',
    message: `Go module cache not saved: the cache service did not store ${key} (another job may have saved the same key first, the token may not permit writes, or the service failed: see the cache message above); ${addedText}.`,
  };
}

function skipped(
  platform: Platform,
  reason: SaveReason,
  summaryReason: string,
  message: string,
): SaveResult {
  platform.info(message);
  return {
    saved: false,
    reason,
    message,
    summaryReason,
    key: null,
    restoreOutcome: null,
    matchedKey: null,
    added: null,
    final: null,
  };
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
