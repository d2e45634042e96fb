import { saveModCache } from '../cache/save.js';
import type { SaveResult } from '../cache/types.js';
/**
 * The GitHub Action's post step: remove credentials we added, save the module cache when it
 * changed, and append what the cache did to the job summary. Never fails the job for the cache.
 */
import { STATE } from '../constants.js';
import { parseInputs } from '../inputs/inputs.js';
import { createGitHubCacheApi } from '../platform/github-cache.js';
import { createGitHubPlatform, failGitHubStep, readGitHubInput } from '../platform/github.js';
import type { Platform } from '../platform/platform.js';
import { type CredentialRevertPlan, revertCredentials } from '../private/credentials.js';
import { Redactor } from '../redact.js';
import { type CacheSummary, renderCacheSummary } from '../render/summary.js';
import { failureMessage, installProcessHandlers } from '../runtime.js';

export async function runPost(): Promise<void> {
  const redactor = new Redactor();
  const platform = createGitHubPlatform(redactor);
  installProcessHandlers(redactor, failGitHubStep);
  try {
    await removeCredentials(platform);
    const inputs = parseInputs(readGitHubInput, process.env);
    const result = await saveModCache(
      { enabled: inputs.cache.value, env: process.env },
      { cache: createGitHubCacheApi(), platform },
    );
    const summary = cacheSummaryOf(result);
    if (summary !== null && inputs.summary.value !== 'false') {
      await platform.appendSummary(renderCacheSummary(summary, { redactor }));
    }
  } catch (error) {
    failGitHubStep(failureMessage(error, redactor));
  }
  // The known post-step hang: keep-alive sockets of the cache upload keep Node running.
  process.exit();
}

/** The summary table's data; null when the main step handed over no cache state. */
export function cacheSummaryOf(result: SaveResult): CacheSummary | null {
  if (result.key === null || result.restoreOutcome === null) return null;
  return {
    key: result.key,
    restore: result.restoreOutcome,
    restoredKey: result.matchedKey,
    saved: result.saved,
    reason: result.summaryReason,
    modulesAdded: result.added?.modules ?? 0,
    bytesAdded: result.added?.bytes ?? 0,
    modulesTotal: result.final?.modules ?? 0,
    bytesTotal: result.final?.bytes ?? 0,
  };
}

async function removeCredentials(platform: Platform): Promise<void> {
  const raw = platform.getState(STATE.credentials);
  if (!raw) return;
  const plan = JSON.parse(raw) as CredentialRevertPlan;
  const problems = await revertCredentials(plan);
  for (const problem of problems) platform.warning(problem, { title: 'credentials cleanup' });
  if (problems.length === 0) platform.info('Removed the credentials this action added.');
}
