import { resolve } from 'node:path';
import { restoreModCache } from '../cache/restore.js';
/**
 * The GitHub Action's main step: restore the module cache (before any go command), probe and
 * select, then export the settings, set the outputs, annotate and write the job summary.
 * Bad inputs fail the step before anything is written; degraded infrastructure only warns.
 */
import { OUTPUTS, STATE } from '../constants.js';
import { type EffectiveGoEnv, readEffectiveGoEnv } from '../goenv/effective-env.js';
import { type Inputs, parseInputs, registerSecrets } from '../inputs/inputs.js';
import { createGitHubCacheApi } from '../platform/github-cache.js';
import {
  createGitHubPlatform,
  failGitHubStep,
  githubSecretSink,
  readGitHubInput,
} from '../platform/github.js';
import type { Platform } from '../platform/platform.js';
import { applyCredentials, credentialScopes } from '../private/credentials.js';
import { Redactor } from '../redact.js';
import { annotationsFor } from '../render/annotations.js';
import { renderSummary } from '../render/summary.js';
import { reportToJson } from '../report/build.js';
import { failureMessage, installProcessHandlers } from '../runtime.js';
import { VERSION } from '../version.js';
import { type Configured, assertWorkingDirectory, configure } from './configure.js';
import { persistWithGoEnv } from './go-env.js';
import { goVariables } from './variables.js';

export async function runMain(): Promise<void> {
  // Every secret the redactor learns (inputs, the remote URL's token) is masked by the runner too.
  const redactor = new Redactor(githubSecretSink);
  const platform = createGitHubPlatform(redactor);
  installProcessHandlers(redactor, failGitHubStep);
  try {
    // Settings made with `go env -w` count like Go counts them (the OS environment wins), read once.
    const goEnv = await readEffectiveGoEnv(process.env, process.platform);
    const inputs = parseInputs(readGitHubInput, goEnv.env, redactor);
    registerSecrets(inputs, redactor);
    await assertWorkingDirectory(inputs, process.cwd());
    await setup(inputs, platform, redactor, goEnv);
  } catch (error) {
    failGitHubStep(failureMessage(error, redactor));
  }
  // Open sockets (cache service, keep-alive agents) must not keep the step alive; exitCode survives.
  process.exit();
}

async function setup(
  inputs: Inputs,
  platform: Platform,
  redactor: Redactor,
  goEnv: EffectiveGoEnv,
): Promise<void> {
  // The cache phases locate the module cache from the OS environment, as the post step does.
  const env = process.env;
  const cwd = process.cwd();
  const workspace = env.GITHUB_WORKSPACE || cwd;

  // Before any go command: a go that runs first can write toolchain or telemetry modules into it.
  await platform.group('Restore the Go module cache', () =>
    restoreModCache(
      {
        enabled: inputs.cache.value,
        workingDirectory: resolve(cwd, inputs.workingDirectory.value),
        dependencyPatterns: inputs.cacheDependencyPath.value,
        workspace,
        env,
        os: process.platform,
        arch: process.arch,
        version: VERSION,
      },
      { cache: createGitHubCacheApi(), platform },
    ),
  );

  const configured = await platform.group('Probe Go module mirrors', () =>
    configure({ inputs, platform, redactor, env: goEnv.env, goEnv, cwd }),
  );
  const { report } = configured;

  exportSettings(configured, platform);
  setOutputs(configured, platform);
  for (const annotation of annotationsFor(report, { redactor })) {
    platform[annotation.level](annotation.message, { title: annotation.title });
  }
  if (inputs.summary.value !== 'false') {
    await platform.appendSummary(
      renderSummary(report, { chart: inputs.summary.value === 'true', redactor }),
    );
  }
  if (inputs.writeGoEnv.value) await persistWithGoEnv(configured, platform);
  if (inputs.token.value) await writeCredentials(inputs.token.value, configured, platform);

  if (!report.routeFound) {
    // The no-route finding was already annotated as an error: fail the step without repeating it.
    process.exitCode = 1;
  }
}

function exportSettings(configured: Configured, platform: Platform): void {
  for (const variable of goVariables(configured)) {
    // GITHUB_ENV needs the real value (a private proxy's credentials included) for Go to use it;
    // the runner masks the registered secrets in every log.
    platform.exportVariable(variable.name, variable.value);
    platform.info(`${variable.name}=${variable.display}`);
  }
}

function setOutputs(configured: Configured, platform: Platform): void {
  const { report } = configured;
  platform.setOutput(OUTPUTS.goproxy, report.settings.GOPROXY);
  platform.setOutput(OUTPUTS.gosumdb, report.settings.GOSUMDB);
  platform.setOutput(OUTPUTS.goprivate, report.settings.GOPRIVATE);
  platform.setOutput(OUTPUTS.fastestMirror, report.fastestMirror ?? '');
  platform.setOutput(
    OUTPUTS.fastestLatencyMs,
    report.fastestLatencyMs === null ? '' : String(report.fastestLatencyMs),
  );
  platform.setOutput(OUTPUTS.report, reportToJson(report));
}

async function writeCredentials(
  token: string,
  configured: Configured,
  platform: Platform,
): Promise<void> {
  const host = tokenHost(process.env.GITHUB_SERVER_URL);
  const { scopes, skipped } = credentialScopes(configured.privatePatterns, host);
  for (const reason of skipped) platform.info(`No credentials for ${reason}.`);
  if (scopes.length === 0) {
    platform.warning(
      `The token input was given, but no private pattern is a literal prefix on ${host}, so no credentials were written.`,
      { title: 'token unused' },
    );
    return;
  }
  const { plan, notes } = await applyCredentials({ token, scopes, method: 'insteadof' });
  for (const note of notes) platform.info(note);
  platform.saveState(STATE.credentials, JSON.stringify(plan));
}

function tokenHost(serverUrl: string | undefined): string {
  try {
    return new URL(serverUrl || 'https://github.com').hostname.toLowerCase();
  } catch {
    return 'github.com';
  }
}
