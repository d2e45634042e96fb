/**
 * The cache phases with the REAL @actions/cache (through createGitHubCacheApi), real tar and
 * zstd, the real go command and the loopback cache service, in this process.
 */
import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RestoreSettings, restoreModCache } from '../../src/cache/restore.js';
import { saveModCache } from '../../src/cache/save.js';
import { createGitHubCacheApi } from '../../src/platform/github-cache.js';
import { type CacheServer, absentServiceEnv, startCacheServer } from '../harness/cache-server.js';
import {
  goEnv,
  hello,
  hello11,
  runGo,
  upper,
  writeFileProxy,
  writeMainModule,
} from '../harness/go-fixture.js';
import { type StdoutCapture, captureStdout, setCacheEnv } from '../harness/in-process.js';
import { removeReadOnlyTree } from '../harness/runner.js';
import { recordingPlatform } from './support.js';

let server: CacheServer;
let root: string;
let workspace: string;
let home: string;
let modcache: string;
let proxy: string;
let out: StdoutCapture;
let undoEnv: () => void;
const cache = createGitHubCacheApi();

beforeAll(async () => {
  server = await startCacheServer();
});

afterAll(async () => {
  await server.close();
});

beforeEach(async () => {
  server.setMode('ok');
  root = await mkdtemp(join(tmpdir(), 'gps-gh-cache-'));
  workspace = join(root, 'work', 'repo', 'repo');
  home = join(root, 'home');
  modcache = join(home, 'go', 'pkg', 'mod');
  proxy = await writeFileProxy(join(root, 'proxy'), [hello, hello11, upper]);
  await writeMainModule(workspace, [hello]);
  await mkdir(join(root, 'temp'), { recursive: true });
  useService(server.env());
  out = captureStdout();
});

afterEach(async () => {
  out.restore();
  undoEnv();
  await removeReadOnlyTree(root);
});

function useService(env: Record<string, string>): void {
  undoEnv?.();
  undoEnv = setCacheEnv({ ...env, GITHUB_WORKSPACE: workspace, RUNNER_TEMP: join(root, 'temp') });
}

function settings(): RestoreSettings {
  return {
    enabled: true,
    workingDirectory: workspace,
    dependencyPatterns: [],
    workspace,
    env: { HOME: home, RUNNER_OS: 'Linux' },
    os: 'linux',
    arch: 'x64',
    version: '1.0.0',
  };
}

async function goModDownload(goproxy = proxy) {
  return runGo(['mod', 'download'], workspace, { HOME: home, ...goEnv(goproxy) });
}

async function job(options: { work?: boolean; jobStatus?: 'failure' } = {}) {
  const main = recordingPlatform();
  const restored = await restoreModCache(settings(), { cache, platform: main });
  const go = options.work === false ? null : await goModDownload();
  const post = recordingPlatform(new Map(main.state));
  const saved = await saveModCache(
    { enabled: true, ...(options.jobStatus ? { jobStatus: options.jobStatus } : {}) },
    { cache, platform: post },
  );
  return { main, post, restored, saved, go };
}

const creates = () => server.log.filter((e) => e.kind === 'CreateCacheEntry').length;
const libraryWarnings = () =>
  out.commands().filter((c) => c.command === 'warning' || c.command === 'error');

describe('two jobs against the loopback service', () => {
  it('misses and saves, then hits exactly, needs no network, and does not save again', async () => {
    const before = creates();
    const first = await job();
    expect(first.go?.code).toBe(0);
    expect(first.restored.status).toBe('miss');
    expect(first.restored.message).toMatch(/^No Go module cache for go-proxy-setup-/);
    expect(first.saved).toMatchObject({ saved: true, reason: 'saved', added: { modules: 1 } });
    expect(creates()).toBe(before + 1);

    await removeReadOnlyTree(home); // a fresh runner
    const main = recordingPlatform();
    const restored = await restoreModCache(settings(), { cache, platform: main });
    expect(restored.status).toBe('exact-hit');
    expect(main.outputs.get('cache-hit')).toBe('true');
    // The restored cache is complete: go needs no proxy at all.
    const offline = await goModDownload('off');
    expect(offline.stderr).toBe('');
    expect(offline.code).toBe(0);
    const saved = await saveModCache(
      { enabled: true },
      { cache, platform: recordingPlatform(new Map(main.state)) },
    );
    expect(saved).toMatchObject({ saved: false, reason: 'exact-hit' });
    expect(creates()).toBe(before + 1);
    expect(libraryWarnings()).toEqual([]);
  });

  it('restores from the restore-key prefix after go.sum changed, and saves the new key', async () => {
    await job();
    await removeReadOnlyTree(home);
    await writeMainModule(workspace, [hello11, upper]);
    const second = await job();
    expect(second.restored.status).toBe('partial-hit');
    expect(second.main.outputs.get('cache-hit')).toBe('false');
    expect(out.text()).toContain('Cache hit for restore-key:');
    expect(second.saved).toMatchObject({ saved: true, added: { modules: 2 } });
  });

  it('restores into a populated, read-only module cache without tar errors', async () => {
    await job();
    await removeReadOnlyTree(home);
    // Something else (setup-go's cache, a self-hosted runner) filled the cache with the same module.
    await writeMainModule(join(root, 'other'), [hello, upper]);
    const other = await runGo(['mod', 'download'], join(root, 'other'), {
      HOME: home,
      ...goEnv(proxy),
    });
    expect(other.code).toBe(0);

    const main = recordingPlatform();
    const restored = await restoreModCache(settings(), { cache, platform: main });
    expect(restored.status).toBe('exact-hit');
    expect(restored.state?.prepopulated).toBe(true);
    expect(out.text()).not.toMatch(/File exists|Failed to restore/);
    expect(libraryWarnings()).toEqual([]);
    expect(main.messages('notice')).toHaveLength(1);
    expect(await readdir(join(modcache, '..'))).toEqual(['mod']);
    expect((await goModDownload('off')).code).toBe(0);
  });

  it('does not save an empty cache, an unchanged cache, or after a failed job', async () => {
    const before = creates();
    expect((await job({ work: false })).saved.reason).toBe('empty');
    await removeReadOnlyTree(home);
    expect((await job({ jobStatus: 'failure' })).saved.reason).toBe('job-failed');
    expect(creates()).toBe(before);

    await removeReadOnlyTree(home);
    expect((await job()).saved.reason).toBe('saved');
    // A new key (go.work.sum appeared) restored from the prefix, and the job adds nothing.
    await removeReadOnlyTree(home);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(workspace, 'go.work.sum'), '');
    const unchanged = await job();
    expect(unchanged.restored.status).toBe('partial-hit');
    expect(unchanged.saved).toMatchObject({ saved: false, reason: 'unchanged' });
    expect(creates()).toBe(before + 1);
  });
});

describe('ACTIONS_CACHE_MODE', () => {
  it('read: the library skips the save (-1) and the log names the mode, not another job', async () => {
    useService({ ...server.env(), ACTIONS_CACHE_MODE: 'read' });
    const main = recordingPlatform();
    await restoreModCache(settings(), { cache, platform: main });
    await goModDownload();
    const post = recordingPlatform(new Map(main.state));
    const before = creates();
    const saved = await saveModCache(
      { enabled: true, env: process.env },
      { cache, platform: post },
    );
    expect(saved).toMatchObject({ saved: false, reason: 'not-stored' });
    expect(saved.summaryReason).toBe('ACTIONS_CACHE_MODE is read');
    expect(out.text()).toContain("the effective cache-mode 'read' does not permit writes");
    expect(post.messages('info').join('\n')).toContain(
      'ACTIONS_CACHE_MODE is read, which does not permit writes',
    );
    expect(creates()).toBe(before);
  });
});

describe('a missing or broken cache service', () => {
  it('has no service URL: one warning in the main step, the job goes on', async () => {
    useService({});
    const { main, post, restored, saved, go } = await job();
    expect(restored.status).toBe('unavailable');
    expect(main.messages('warning')).toHaveLength(1);
    expect(go?.code).toBe(0);
    expect(saved.reason).toBe('unavailable');
    expect(post.messages('warning')).toEqual([]);
  });

  it('does not answer (connection refused): a warning, never a failure', async () => {
    useService(await absentServiceEnv());
    const { main, post, restored, saved, go } = await job();
    // The library's own warning is the only one, and the log does not call it a miss.
    expect(restored.status).toBe('failed');
    expect(main.outputs.get('cache-hit')).toBe('false');
    expect(main.messages('warning')).toEqual([]);
    expect(main.messages('info').join('\n')).not.toContain('No Go module cache for');
    expect(restored.message).toContain('the restore failed');
    expect(go?.code).toBe(0);
    // The library reports the failed reservation at info level; it cannot be told from a
    // matrix job that saved the same key first, so it is not worth a warning of our own.
    expect(saved).toMatchObject({ saved: false, reason: 'not-stored' });
    expect(post.messages('warning')).toEqual([]);
    const warnings = libraryWarnings().map((w) => w.message);
    expect(warnings).toEqual([expect.stringMatching(/^Failed to restore: .*ECONNREFUSED/s)]);
    expect(out.text()).toContain('Failed to save: Unable to reserve cache');
  });

  it('answers 500 to everything: the library retries, warns, and the job goes on', async () => {
    server.setMode('error-500');
    const started = performance.now();
    const { main, restored, saved, go } = await job();
    expect(restored.status).toBe('failed');
    expect(main.messages('warning')).toEqual([]);
    expect(main.messages('info').join('\n')).not.toContain('No Go module cache for');
    expect(go?.code).toBe(0);
    expect(saved).toMatchObject({ saved: false, reason: 'not-stored', added: { modules: 1 } });
    const warnings = libraryWarnings();
    expect(warnings).toEqual([
      expect.objectContaining({
        command: 'warning',
        message: expect.stringMatching(/^Failed to restore: .*\(500\)/s),
      }),
    ]);
    expect(
      server.log.filter((e) => e.kind === 'GetCacheEntryDownloadURL' && e.status === 500),
    ).toHaveLength(5);
    expect(
      server.log.filter((e) => e.kind === 'CreateCacheEntry' && e.status === 500),
    ).toHaveLength(5);
    // Five attempts per call with 3 s, 4.5 s… back-off: bounded, about a minute in all.
    expect(performance.now() - started).toBeLessThan(100_000);
  }, 150_000);
});
