/**
 * Helpers for tests that run the REAL @actions/cache in the test process: point it at a cache
 * server through process.env (it reads the environment at call time) and capture the workflow
 * commands it prints on stdout.
 */
import { type WorkflowCommand, parseWorkflowCommands } from './runner.js';

const CACHE_VARIABLES = [
  'ACTIONS_CACHE_SERVICE_V2',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_CACHE_URL',
  'ACTIONS_CACHE_MODE',
  'GITHUB_SERVER_URL',
  'GITHUB_WORKSPACE',
  'RUNNER_TEMP',
] as const;

/**
 * Sets the cache variables (unlisted ones are removed: GITHUB_SERVER_URL would otherwise make a
 * non-github.com server look like GHES and force the v1 protocol). Returns the undo function.
 */
export function setCacheEnv(values: Readonly<Record<string, string>>): () => void {
  const saved = new Map(CACHE_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of CACHE_VARIABLES) Reflect.deleteProperty(process.env, name);
  Object.assign(process.env, values);
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  };
}

export interface StdoutCapture {
  /** Everything written so far. */
  text(): string;
  commands(): WorkflowCommand[];
  restore(): void;
}

/** Captures (and silences) stdout, where @actions/core writes logs and `::warning::` commands. */
export function captureStdout(): StdoutCapture {
  const original = process.stdout.write.bind(process.stdout);
  let buffer = '';
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    buffer += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  return {
    text: () => buffer,
    commands: () => parseWorkflowCommands(buffer),
    restore: () => {
      process.stdout.write = original;
    },
  };
}
