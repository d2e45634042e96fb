/**
 * Test doubles for the cache phases: a Platform that records what it was told, and an
 * in-memory CacheApi with the service's matching rules and switchable failures.
 */
import { cp, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { CacheApi, RestoreRequest, SaveRequest } from '../../src/cache/types.js';
import type { AnnotationProps, Platform } from '../../src/platform/platform.js';
import { removeReadOnlyTree } from '../harness/runner.js';

export interface Logged {
  readonly level: 'info' | 'debug' | 'notice' | 'warning' | 'error';
  readonly message: string;
  readonly title?: string;
}

export interface RecordingPlatform extends Platform {
  readonly logged: Logged[];
  readonly outputs: Map<string, string>;
  readonly state: Map<string, string>;
  messages(level: Logged['level']): string[];
}

export function recordingPlatform(state = new Map<string, string>()): RecordingPlatform {
  const logged: Logged[] = [];
  const outputs = new Map<string, string>();
  const log =
    (level: Logged['level']) =>
    (message: string, props?: AnnotationProps): void => {
      logged.push({ level, message, ...(props?.title ? { title: props.title } : {}) });
    };
  return {
    name: 'github',
    logged,
    outputs,
    state,
    messages: (level) => logged.filter((l) => l.level === level).map((l) => l.message),
    info: log('info'),
    debug: log('debug'),
    notice: log('notice'),
    warning: log('warning'),
    error: log('error'),
    setSecret: () => {},
    group: (_title, fn) => fn(),
    exportVariable: () => {},
    setOutput: (name, value) => {
      outputs.set(name, value);
    },
    saveState: (name, value) => {
      state.set(name, value);
    },
    getState: (name) => state.get(name) ?? '',
    appendSummary: async () => false,
  };
}

export interface FakeCache extends CacheApi {
  available: boolean;
  /** Next restore: reject with this. */
  restoreError: Error | null;
  /** Next save: reject with this, or resolve -1 when 'refuse'. */
  saveFailure: Error | 'refuse' | null;
  readonly saves: SaveRequest[];
  readonly restores: RestoreRequest[];
  keys(): string[];
  dispose(): Promise<void>;
}

/**
 * Stores copies of the saved directories. Like @actions/cache it places restored files relative
 * to the workspace, so `extractAsWorkspace` moves them exactly as the real archive would.
 */
export async function fakeCache(workspace: string): Promise<FakeCache> {
  const store = await mkdtemp(join(tmpdir(), 'gps-fake-cache-'));
  const entries: { key: string; version: string; dir: string; relPaths: string[] }[] = [];
  const version = (paths: readonly string[]) => paths.join('|');
  const fake: FakeCache = {
    available: true,
    restoreError: null,
    saveFailure: null,
    saves: [],
    restores: [],
    keys: () => entries.map((e) => e.key),
    isAvailable: () => fake.available,
    async restore(request) {
      fake.restores.push(request);
      if (fake.restoreError) throw fake.restoreError;
      const candidates = entries.filter((e) => e.version === version(request.paths)).reverse();
      const entry =
        candidates.find((e) => e.key === request.primaryKey) ??
        candidates.find((e) => e.key.startsWith(request.primaryKey)) ??
        request.restoreKeys
          .map((k) => candidates.find((e) => e.key.startsWith(k)))
          .find((e) => e !== undefined);
      if (!entry) return undefined;
      const base = request.extractAsWorkspace ?? workspace;
      for (const [i, rel] of entry.relPaths.entries()) {
        const target = resolve(base, rel);
        await mkdir(target, { recursive: true });
        await cp(join(entry.dir, String(i)), target, { recursive: true, force: false });
      }
      return entry.key;
    },
    async save(request) {
      fake.saves.push(request);
      if (fake.saveFailure === 'refuse') return -1;
      if (fake.saveFailure) throw fake.saveFailure;
      if (entries.some((e) => e.key === request.key && e.version === version(request.paths)))
        return -1;
      const dir = join(store, String(entries.length));
      const relPaths = request.paths.map((p) => relative(workspace, p));
      for (const [i, path] of request.paths.entries()) {
        await cp(path, join(dir, String(i)), { recursive: true });
      }
      entries.push({ key: request.key, version: version(request.paths), dir, relPaths });
      return entries.length;
    },
    dispose: () => removeReadOnlyTree(store),
  };
  return fake;
}
