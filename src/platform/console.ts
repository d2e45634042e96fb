/**
 * Platform for plain consoles: the CLI and the GitLab component job (which runs the CLI).
 * Log lines go to stderr so stdout carries only the report (text, JSON or markdown).
 * Exported variables are collected, not applied: the caller writes them (dotenv file, `go env -w`, stdout).
 */
import type { Redactor } from '../redact.js';
import type { AnnotationProps, Platform } from './platform.js';

export interface ConsolePlatform extends Platform {
  /** Variables handed to exportVariable, in insertion order. */
  readonly exported: ReadonlyMap<string, string>;
  readonly outputs: ReadonlyMap<string, string>;
}

export interface ConsoleOptions {
  readonly name: 'gitlab' | 'cli';
  readonly write: (line: string) => void;
  readonly verbose?: boolean;
}

export function createConsolePlatform(
  redactor: Redactor,
  options: ConsoleOptions,
): ConsolePlatform {
  const exported = new Map<string, string>();
  const outputs = new Map<string, string>();
  const state = new Map<string, string>();
  const line = (prefix: string, message: string, p?: AnnotationProps): void => {
    const title = p?.title ? `${p.title}: ` : '';
    options.write(redactor.redact(`${prefix}${title}${message}`));
  };
  return {
    name: options.name,
    exported,
    outputs,
    info: (message) => line('', message),
    debug: (message) => {
      if (options.verbose) line('debug: ', message);
    },
    notice: (message, p) => line('notice: ', message, p),
    warning: (message, p) => line('warning: ', message, p),
    error: (message, p) => line('error: ', message, p),
    setSecret: (value) => redactor.add(value),
    // Groups only fold logs on GitHub; the CLI prints the report in its own section (GitLab).
    group: (_title, fn) => fn(),
    exportVariable: (name, value) => {
      exported.set(name, redactor.redact(value));
    },
    setOutput: (name, value) => {
      outputs.set(name, redactor.redact(value));
    },
    saveState: (name, value) => {
      state.set(name, value);
    },
    getState: (name) => state.get(name) ?? '',
    appendSummary: async () => false,
  };
}
