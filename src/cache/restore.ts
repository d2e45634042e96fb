/**
 * Main-step half of the GOMODCACHE cache: locate the module cache, key it, restore it (staged
 * and merged, see staging.ts) before any go command runs, and hand what happened to the post
 * step as one JSON state. Cache trouble never fails the job: it is a warning, and the job runs
 * without a cache.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { posix, win32 } from 'node:path';
import { OUTPUTS, STATE } from '../constants.js';
import { oneLine } from '../errors.js';
import { readGoEnvFile } from '../goenv/effective-env.js';
import type { Platform } from '../platform/platform.js';
import { count, formatBytes } from '../units.js';
import { findDependencyFiles, hasPatterns } from './dependency-files.js';
import { type CacheKeys, type DependencyDigest, cacheKeys, keyOs } from './key.js';
import {
  type Env,
  type ModCacheLocation,
  ModCacheLocationError,
  type ModCacheMeasure,
  locateModCache,
  measureModCache,
  onlyIncidentalModules,
} from './modcache.js';
import { cacheModeForbids } from './mode.js';
import { type StagingPlan, mergeMissing, planStaging, removeTree } from './staging.js';
import {
  type CacheApi,
  type CacheState,
  ReportedCacheFailure,
  type RestoreOutcome,
  isValidationError,
} from './types.js';

export interface RestoreSettings {
  /** The `cache` input. */
  readonly enabled: boolean;
  /** Absolute `working-directory`: where the dependency files are looked for. */
  readonly workingDirectory: string;
  /** Glob lines of `cache-dependency-path`; empty: the default files (dependency-files.ts). */
  readonly dependencyPatterns: readonly string[];
  /** GITHUB_WORKSPACE (else the cwd): archives store paths relative to it. */
  readonly workspace: string;
  readonly env: Env;
  readonly os: NodeJS.Platform;
  readonly arch: string;
  /** go-proxy-setup's version, part of the key. */
  readonly version: string;
}

export interface RestoreDeps {
  readonly cache: CacheApi;
  readonly platform: Platform;
}

export type RestoreStatus = RestoreOutcome | 'disabled' | 'unavailable' | 'no-module-cache';

export interface RestoreResult {
  readonly status: RestoreStatus;
  /** `cache-hit`: true only when the primary key matched exactly. */
  readonly cacheHit: boolean;
  readonly location: ModCacheLocation | null;
  /** What was handed to the post step (also saved as STATE.cache); null when nothing will be saved. */
  readonly state: CacheState | null;
  /** One sentence for the summary. */
  readonly message: string;
}

export async function restoreModCache(
  settings: RestoreSettings,
  deps: RestoreDeps,
): Promise<RestoreResult> {
  const result = await restoreOrSkip(settings, deps);
  deps.platform.setOutput(OUTPUTS.cacheHit, String(result.cacheHit));
  if (result.state) deps.platform.saveState(STATE.cache, JSON.stringify(result.state));
  return result;
}

async function restoreOrSkip(settings: RestoreSettings, deps: RestoreDeps): Promise<RestoreResult> {
  const { platform } = deps;
  if (!settings.enabled) {
    return skipped('disabled', null, 'Go module cache disabled (`cache: false`).', (m) =>
      platform.info(m),
    );
  }
  let location: ModCacheLocation;
  try {
    const { variables } = await readGoEnvFile(settings.env, settings.os);
    location = locateModCache({ env: settings.env, platform: settings.os, envFile: variables });
  } catch (error) {
    const message =
      error instanceof ModCacheLocationError
        ? `Go module cache not restored: ${error.message}.`
        : `Go module cache not restored: cannot locate the module cache (${oneLine(error)}); the job continues without it.`;
    return skipped('no-module-cache', null, message, (m) => platform.warning(m));
  }
  if (!deps.cache.isAvailable()) {
    // Expected on GHES without a cache service and under act: say how to turn it off.
    const message =
      'Go module cache not restored: the runner offers no cache service (no cache URL in its environment); the job continues without it. Set `cache: false` to silence this warning.';
    return skipped('unavailable', location, message, (m) => platform.warning(m));
  }
  try {
    return await restoreAt(location, settings, deps);
  } catch (error) {
    // Cache trouble never fails the job: an unreadable key file or module cache is a warning.
    if (isValidationError(error)) throw error;
    const message = `Go module cache not restored: ${oneLine(error)}; the job continues without it.`;
    return skipped('failed', location, message, (m) => platform.warning(m));
  }
}

async function restoreAt(
  location: ModCacheLocation,
  settings: RestoreSettings,
  deps: RestoreDeps,
): Promise<RestoreResult> {
  const { platform } = deps;
  const keys = await computeKeys(settings, location, platform);
  platform.info(
    `Go module cache: ${location.path} (from ${location.source}); key ${keys.primaryKey}.`,
  );
  const before = await measureModCache(location.path);
  const attempt = await restoreInto(location.path, keys, before, settings, deps);
  const after = await measureModCache(location.path);
  const state: CacheState = {
    schema: 1,
    path: location.path,
    primaryKey: keys.primaryKey,
    restoreKeys: keys.restoreKeys,
    matchedKey: attempt.matchedKey,
    outcome: attempt.outcome,
    prepopulated: before.populated,
    baseline: after.snapshot,
  };
  const message = describeRestore(state, before, after, settings.env);
  platform.info(message);
  return {
    status: attempt.outcome,
    cacheHit: attempt.outcome === 'exact-hit',
    location,
    state,
    message,
  };
}

async function computeKeys(
  settings: RestoreSettings,
  location: ModCacheLocation,
  platform: Platform,
): Promise<CacheKeys> {
  let digests: DependencyDigest[];
  try {
    digests = await findDependencyFiles({
      workingDirectory: settings.workingDirectory,
      patterns: settings.dependencyPatterns,
      skipDirectories: [location.path],
    });
  } catch (error) {
    throw new Error(`cannot read the files that key it (${oneLine(error)})`, { cause: error });
  }
  if (digests.length === 0 && hasPatterns(settings.dependencyPatterns)) {
    platform.warning(
      '`cache-dependency-path` matched no files; the module cache key uses the hash of no files.',
    );
  }
  platform.debug(`Cache key files: ${digests.map((d) => d.path).join(', ') || '(none)'}`);
  const os = keyOs(settings.env.RUNNER_OS, settings.os);
  return cacheKeys({ version: settings.version, os, arch: settings.arch }, digests);
}

interface Attempt {
  readonly outcome: RestoreOutcome;
  readonly matchedKey: string | null;
}

/**
 * Policy: always extract into a staging directory and merge what is missing, so a populated
 * cache (setup-go's own cache, an earlier go command, a self-hosted runner) never meets tar,
 * and a failed extraction never leaves half a cache. Where staging is impossible (GOMODCACHE on
 * another Windows drive than the workspace), restore directly into an empty cache and skip the
 * restore — and the save — for a populated one.
 */
async function restoreInto(
  modcache: string,
  keys: CacheKeys,
  before: ModCacheMeasure,
  settings: RestoreSettings,
  deps: RestoreDeps,
): Promise<Attempt> {
  const token = randomBytes(4).toString('hex');
  const plan = planStaging(modcache, settings.workspace, settings.os, token);
  if (plan !== null && (await prepareStaging(plan, deps.platform))) {
    return stagedRestore(modcache, plan, keys, before, settings, deps);
  }
  if (!before.populated) return directRestore(modcache, keys, deps);
  deps.platform.warning(
    unstageableWarning(modcache, plan === null ? 'other-drive' : 'no-staging', before, settings),
  );
  return { outcome: 'skipped-populated', matchedKey: null };
}

/**
 * Why neither the restore nor the save happens, and what to do. On hosted Windows runners the
 * module cache (C:) and the workspace (D:) are on different drives: an archive there holds
 * absolute paths that tar writes in place, so a populated cache cannot be staged beside it.
 */
export function unstageableWarning(
  modcache: string,
  why: 'other-drive' | 'no-staging',
  before: ModCacheMeasure,
  settings: Pick<RestoreSettings, 'env' | 'workspace'>,
): string {
  const cause =
    why === 'other-drive'
      ? `it is on another drive than the workspace (${settings.workspace})`
      : 'no staging directory can be created next to it';
  const fix =
    why === 'other-drive'
      ? ' To cache modules on this runner, set GOMODCACHE to a directory on the workspace drive (for example under RUNNER_TEMP) before go-proxy-setup runs, or keep the module cache empty until then.'
      : '';
  return `Go module cache neither restored nor saved: ${modcache} already has content and cannot be restored beside it (${cause}); restoring over it would fail with tar "File exists" errors, and saving it would cache what something else put there.${fix} ${populatedAdvice(before, settings.env)}`;
}

/** The staging directory sits next to GOMODCACHE; its parent may not be writable (then: direct). */
async function prepareStaging(plan: StagingPlan, platform: Platform): Promise<boolean> {
  try {
    await mkdir(plan.workspace, { recursive: true });
    return true;
  } catch (error) {
    platform.debug(`Cannot stage the module cache restore in ${plan.root}: ${oneLine(error)}`);
    await removeTree(plan.root).catch(() => {});
    return false;
  }
}

async function stagedRestore(
  modcache: string,
  plan: StagingPlan,
  keys: CacheKeys,
  before: ModCacheMeasure,
  settings: RestoreSettings,
  deps: RestoreDeps,
): Promise<Attempt> {
  const path = settings.os === 'win32' ? win32 : posix;
  try {
    const matchedKey = await deps.cache.restore({
      paths: [modcache],
      primaryKey: keys.primaryKey,
      restoreKeys: keys.restoreKeys,
      extractAsWorkspace: plan.workspace,
    });
    if (matchedKey === undefined) return { outcome: 'miss', matchedKey: null };
    await mkdir(path.dirname(modcache), { recursive: true });
    const merged = await mergeMissing(plan.stagedModCache, modcache).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    });
    if (merged === null) {
      deps.platform.warning(
        `Go module cache ${matchedKey} did not contain ${modcache} (saved from another workspace path?); nothing was restored.`,
      );
      return { outcome: 'failed', matchedKey: null };
    }
    if (before.populated) reportMerge(modcache, before, merged, settings.env, deps.platform);
    return { outcome: classify(matchedKey, keys), matchedKey };
  } catch (error) {
    return restoreFailed(error, deps.platform);
  } finally {
    await removeTree(plan.root).catch((error: unknown) =>
      deps.platform.warning(`Could not remove ${plan.root}: ${oneLine(error)}`),
    );
  }
}

async function directRestore(
  modcache: string,
  keys: CacheKeys,
  deps: RestoreDeps,
): Promise<Attempt> {
  try {
    const matchedKey = await deps.cache.restore({
      paths: [modcache],
      primaryKey: keys.primaryKey,
      restoreKeys: keys.restoreKeys,
    });
    if (matchedKey === undefined) return { outcome: 'miss', matchedKey: null };
    return { outcome: classify(matchedKey, keys), matchedKey };
  } catch (error) {
    return restoreFailed(error, deps.platform);
  }
}

function restoreFailed(error: unknown, platform: Platform): Attempt {
  if (isValidationError(error)) throw error;
  // The library already warned ("Failed to restore: …"): one warning is enough.
  if (error instanceof ReportedCacheFailure) platform.debug(`Restore failed: ${oneLine(error)}`);
  else platform.warning(`Go module cache not restored: ${oneLine(error)}`);
  return { outcome: 'failed', matchedKey: null };
}

function classify(matchedKey: string, keys: CacheKeys): RestoreOutcome {
  return matchedKey === keys.primaryKey ? 'exact-hit' : 'partial-hit';
}

function reportMerge(
  modcache: string,
  before: ModCacheMeasure,
  merged: { moved: number; kept: number; skipped: number },
  env: Env,
  platform: Platform,
): void {
  const what = `${modcache} already had ${count(before.snapshot.modules, 'module')} before the restore`;
  const how = `the cache was extracted beside it and only missing entries were moved in (${merged.moved} added, ${merged.kept} already present), so tar had nothing to overwrite`;
  if (onlyIncidentalModules(before.modulePaths)) {
    platform.info(
      `${what}, written by a go command that ran earlier (toolchain switch or telemetry); ${how}.`,
    );
    return;
  }
  platform.notice(`${what}; ${how}. ${populatedAdvice(before, env)}`, {
    title: 'Go module cache already populated',
  });
}

function populatedAdvice(before: ModCacheMeasure, env: Env): string {
  if (onlyIncidentalModules(before.modulePaths)) {
    return 'A go command ran before this step (toolchain switch or telemetry): run go-proxy-setup first, or set GOTOOLCHAIN=local.';
  }
  if (env.RUNNER_ENVIRONMENT === 'self-hosted') {
    return 'On a self-hosted runner that keeps its module cache, set `cache: false` on go-proxy-setup.';
  }
  return 'If actions/setup-go also caches it, set `cache: false` on actions/setup-go so the modules are not cached twice.';
}

function describeRestore(
  state: CacheState,
  before: ModCacheMeasure,
  after: ModCacheMeasure,
  env: Env,
): string {
  const restored = after.snapshot.modules - before.snapshot.modules;
  const size = `${count(Math.max(restored, 0), 'module')}, ${formatBytes(Math.max(after.snapshot.bytes - before.snapshot.bytes, 0))}`;
  switch (state.outcome) {
    case 'exact-hit':
      return `Go module cache restored from ${state.matchedKey} (exact match; ${size}).`;
    case 'partial-hit':
      return `Go module cache restored from ${state.matchedKey} (restore-key match; ${size}); the post step saves ${state.primaryKey} if the job adds modules.`;
    case 'miss': {
      const mode = cacheModeForbids(env, 'read');
      if (mode !== null) {
        return `Go module cache not restored: ACTIONS_CACHE_MODE is ${mode}, which does not permit reads.`;
      }
      return `No Go module cache for ${state.primaryKey} or the prefix ${state.restoreKeys[0]}; the post step saves one if the job downloads modules.`;
    }
    case 'failed':
      return 'Go module cache not restored: the restore failed (see the warning above); the job continues without it.';
    case 'skipped-populated':
      return 'Go module cache not restored: the module cache already had content (see the warning above).';
  }
}

function skipped(
  status: RestoreStatus,
  location: ModCacheLocation | null,
  message: string,
  log: (message: string) => void,
): RestoreResult {
  log(message);
  return { status, cacheHit: false, location, state: null, message };
}
