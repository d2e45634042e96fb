/**
 * Process-level plumbing shared by the three entry points: one place that turns any failure into
 * one redacted line and makes sure a stray rejection can never end a step green or print a stack.
 */
import { InputError, oneLine } from './errors.js';
import type { Redactor } from './redact.js';

/** The user-facing line for a failure: input errors as they are, anything else prefixed as unexpected. */
export function failureMessage(error: unknown, redactor: Redactor): string {
  const text = oneLine(error);
  return redactor.redact(error instanceof InputError ? text : `Unexpected error: ${text}`);
}

/** Installs handlers so an unhandled rejection reports one redacted line and a non-zero exit. */
export function installProcessHandlers(redactor: Redactor, report: (line: string) => void): void {
  const onFatal = (error: unknown): void => {
    report(failureMessage(error, redactor));
    process.exitCode = 1;
  };
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
}
