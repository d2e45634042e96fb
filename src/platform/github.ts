/** Platform for the GitHub Action: @actions/core file commands, annotations and the job summary. */
import * as core from '@actions/core';
import type { Redactor } from '../redact.js';
import type { AnnotationProps, Platform } from './platform.js';

export function createGitHubPlatform(redactor: Redactor): Platform {
  const clean = (text: string): string => redactor.redact(text);
  const props = (p?: AnnotationProps): core.AnnotationProperties =>
    p?.title ? { title: clean(p.title) } : {};
  return {
    name: 'github',
    info: (message) => core.info(clean(message)),
    debug: (message) => core.debug(clean(message)),
    notice: (message, p) => core.notice(clean(message), props(p)),
    warning: (message, p) => core.warning(clean(message), props(p)),
    error: (message, p) => core.error(clean(message), props(p)),
    // The redactor forwards every secret it learns to githubSecretSink (see runMain).
    setSecret: (value) => redactor.add(value),
    group: (title, fn) => core.group(clean(title), fn),
    // Not redacted: Go needs the private proxy's credentials in GOPROXY. They are registered secrets,
    // so the runner masks them in logs; callers never pass anything else secret here.
    exportVariable: (name, value) => core.exportVariable(name, value),
    setOutput: (name, value) => core.setOutput(name, clean(value)),
    saveState: (name, value) => core.saveState(name, value),
    getState: (name) => core.getState(name),
    appendSummary: async (markdown) => {
      // core.summary.write() throws without GITHUB_STEP_SUMMARY (local runs, GHES without summaries).
      if (!process.env.GITHUB_STEP_SUMMARY) return false;
      await core.summary.addRaw(clean(markdown), true).write();
      core.summary.emptyBuffer();
      return true;
    },
  };
}

/** Registers a secret with the runner so it is masked in every log line, ours or Go's. */
export function githubSecretSink(secret: string): void {
  core.setSecret(secret);
}

/** Reads an action input the way the runner passes it (INPUT_<NAME>, hyphens kept); undefined when unset or blank. */
export function readGitHubInput(name: string): string | undefined {
  const value = core.getInput(name);
  return value === '' ? undefined : value;
}

export function failGitHubStep(message: string): void {
  core.setFailed(message);
}
