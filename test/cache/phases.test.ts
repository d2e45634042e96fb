/**
 * Restore (main step) and save (post step) decisions, with a fake CacheApi and a recording
 * Platform. The real @actions/cache against the loopback service is in github-cache.test.ts.
 */
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { measureModCache } from '../../src/cache/modcache.js';
import {
  type RestoreSettings,
  restoreModCache,
  unstageableWarning,
} from '../../src/cache/restore.js';
import { parseCacheState, saveModCache } from '../../src/cache/save.js';
import { planStaging } from '../../src/cache/staging.js';
import { type CacheState, ReportedCacheFailure } from '../../src/cache/types.js';
import { STATE } from '../../src/constants.js';
import { removeReadOnlyTree } from '../harness/runner.js';
import { type FakeCache, type RecordingPlatform, fakeCache, recordingPlatform } from './support.js';

let root: string;
let workspace: string;
let modcache: string;
let cache: FakeCache;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'gps-phases-'));
  workspace = join(root, 'work', 'repo');
  modcache = join(root, 'home', 'go', 'pkg', 'mod');
  await mkdir(workspace, { recursive: true });
  await writeFile(join(workspace, 'go.mod'), 'module example.com/app\n');
  await writeFile(join(workspace, 'go.sum'), 'example.com/hello v1.0.0 h1:x\n');
  cache = await fakeCache(workspace);
});

afterEach(async () => {
  await cache.dispose();
  await removeReadOnlyTree(root);
});

function settings(overrides: Partial<RestoreSettings> = {}): RestoreSettings {
  return {
    enabled: true,
    workingDirectory: workspace,
    dependencyPatterns: [],
    workspace,
    env: { HOME: join(root, 'home'), RUNNER_OS: 'Linux' },
    os: 'linux',
    arch: 'x64',
    version: '1.0.0',
    ...overrides,
  };
}

/** What a go command leaves: a zip in the download cache and a read-only module directory. */
async function download(
  module: string,
  version: string,
  content = `${module}@${version}`,
): Promise<void> {
  const dl = join(modcache, 'cache', 'download', module, '@v');
  await mkdir(dl, { recursive: true });
  await writeFile(join(dl, `${version}.zip`), content);
  await writeFile(join(dl, `${version}.mod`), `module ${module}\n`);
  const dir = join(modcache, `${module}@${version}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'x.go'), content);
  await chmod(join(dir, 'x.go'), 0o444);
  await chmod(dir, 0o555);
}

/** Main step, job, post step; returns both platforms. */
async function job(
  options: {
    restore?: Partial<RestoreSettings>;
    work?: () => Promise<void>;
    jobStatus?: 'failure' | 'cancelled';
  } = {},
) {
  const main = recordingPlatform();
  const restored = await restoreModCache(settings(options.restore), { cache, platform: main });
  await options.work?.();
  const post = recordingPlatform(new Map(main.state));
  const saved = await saveModCache(
    {
      enabled: options.restore?.enabled ?? true,
      ...(options.jobStatus ? { jobStatus: options.jobStatus } : {}),
    },
    { cache, platform: post },
  );
  return { main, post, restored, saved };
}

async function freshRunner(): Promise<void> {
  await removeReadOnlyTree(join(root, 'home'));
}

function annotations(platform: RecordingPlatform) {
  return platform.logged.filter(
    (l) => l.level === 'warning' || l.level === 'error' || l.level === 'notice',
  );
}

describe('first job, second job', () => {
  it('misses, saves what the job downloaded, then hits exactly and does not save again', async () => {
    const first = await job({ work: () => download('example.com/hello', 'v1.0.0') });
    expect(first.restored.status).toBe('miss');
    expect(first.main.outputs.get('cache-hit')).toBe('false');
    expect(first.saved).toMatchObject({
      saved: true,
      reason: 'saved',
      added: { modules: 1, files: 2 },
    });
    expect(cache.saves).toEqual([{ paths: [modcache], key: first.restored.state!.primaryKey }]);
    expect(annotations(first.main)).toEqual([]);
    expect(annotations(first.post)).toEqual([]);

    await freshRunner();
    const second = await job();
    expect(second.restored.status).toBe('exact-hit');
    expect(second.main.outputs.get('cache-hit')).toBe('true');
    expect(await readFile(join(modcache, 'example.com/hello@v1.0.0', 'x.go'), 'utf8')).toBe(
      'example.com/hello@v1.0.0',
    );
    expect(second.saved).toMatchObject({
      saved: false,
      reason: 'exact-hit',
      added: { modules: 0 },
    });
    expect(cache.saves).toHaveLength(1);
    expect(annotations(second.main)).toEqual([]);
  });

  it('restores from the prefix when go.sum changed, and saves under the new key', async () => {
    await job({ work: () => download('example.com/hello', 'v1.0.0') });
    await freshRunner();
    await writeFile(join(workspace, 'go.sum'), 'example.com/hello v1.1.0 h1:y\n');

    const second = await job({ work: () => download('example.com/hello', 'v1.1.0') });
    expect(second.restored.status).toBe('partial-hit');
    expect(second.main.outputs.get('cache-hit')).toBe('false');
    expect(second.restored.state?.matchedKey).toBe(cache.keys()[0]);
    expect(second.saved).toMatchObject({ saved: true, added: { modules: 1 } });
    expect(cache.keys()).toHaveLength(2);
    expect(cache.restores[1]?.restoreKeys).toEqual(['go-proxy-setup-1.0.0-linux-x64-']);
  });
});

describe('what the post step hands to the summary', () => {
  it('carries the restore outcome and the matched key, and a short reason apart from the log sentence', async () => {
    const first = await job({ work: () => download('example.com/hello', 'v1.0.0') });
    expect(first.saved).toMatchObject({
      restoreOutcome: 'miss',
      matchedKey: null,
      summaryReason: 'saved',
      key: first.restored.state!.primaryKey,
    });
    expect(first.saved.message).toMatch(/^Go module cache saved as go-proxy-setup-/);

    await freshRunner();
    const exact = await job();
    expect(exact.saved).toMatchObject({
      restoreOutcome: 'exact-hit',
      matchedKey: exact.restored.state!.primaryKey,
      summaryReason: 'exact key hit',
    });

    await freshRunner();
    await writeFile(join(workspace, 'go.sum'), 'example.com/hello v1.1.0 h1:y\n');
    const partial = await job();
    expect(partial.saved).toMatchObject({
      restoreOutcome: 'partial-hit',
      matchedKey: first.restored.state!.primaryKey,
      summaryReason: 'unchanged',
    });
    expect(partial.saved.matchedKey).not.toBe(partial.saved.key);
  });

  it('gives the summary a few words for empty, failed and cancelled jobs, apart from the log sentence', async () => {
    const work = () => download('example.com/hello', 'v1.0.0');
    const cases = [
      [{}, 'empty', 'empty'],
      [{ work, jobStatus: 'failure' as const }, 'job-failed', 'job failed'],
      [{ work, jobStatus: 'cancelled' as const }, 'job-failed', 'job cancelled'],
    ] as const;
    for (const [options, reason, short] of cases) {
      const { saved } = await job(options);
      expect(saved).toMatchObject({ reason, summaryReason: short });
      expect(saved.message).toMatch(/^Go module cache not saved: /);
      await freshRunner();
    }
  });
});

describe('save decisions', () => {
  it('does not save an empty cache', async () => {
    const { saved } = await job();
    expect(saved).toMatchObject({ saved: false, reason: 'empty' });
    expect(cache.saves).toEqual([]);
  });

  it('does not save an unchanged cache after a partial hit', async () => {
    await job({ work: () => download('example.com/hello', 'v1.0.0') });
    await freshRunner();
    await writeFile(join(workspace, 'go.sum'), 'changed\n');
    const { restored, saved } = await job();
    expect(restored.status).toBe('partial-hit');
    expect(saved).toMatchObject({
      saved: false,
      reason: 'unchanged',
      added: { modules: 0, bytes: 0 },
    });
    expect(cache.saves).toHaveLength(1);
  });

  it('does not save after a failed job, but still reports what was added', async () => {
    const { saved } = await job({
      work: () => download('example.com/hello', 'v1.0.0'),
      jobStatus: 'failure',
    });
    expect(saved).toMatchObject({ saved: false, reason: 'job-failed', added: { modules: 1 } });
    expect(cache.saves).toEqual([]);
  });

  it('logs a refused save (-1) at info level, naming every cause the library folds into it', async () => {
    cache.saveFailure = 'refuse';
    const { post, saved } = await job({ work: () => download('example.com/hello', 'v1.0.0') });
    expect(saved).toMatchObject({
      saved: false,
      reason: 'not-stored',
      summaryReason: 'not stored by the cache service',
    });
    expect(post.messages('warning')).toEqual([]);
    const log = post.messages('info').join('\n');
    expect(log).toContain('another job may have saved the same key first');
    expect(log).toContain('the token may not permit writes');
    expect(log).toContain('the service failed');
    expect(log).not.toContain('ACTIONS_CACHE_MODE');
  });

  it.each(['read', 'none', ' READ '])(
    'explains a refused save by ACTIONS_CACHE_MODE=%s',
    async (mode) => {
      const main = recordingPlatform();
      await restoreModCache(settings(), { cache, platform: main });
      await download('example.com/hello', 'v1.0.0');
      cache.saveFailure = 'refuse';
      const post = recordingPlatform(new Map(main.state));
      const saved = await saveModCache(
        { enabled: true, env: { ACTIONS_CACHE_MODE: mode } },
        { cache, platform: post },
      );
      const name = mode.trim().toLowerCase();
      expect(saved).toMatchObject({
        reason: 'not-stored',
        summaryReason: `ACTIONS_CACHE_MODE is ${name}`,
      });
      expect(post.messages('info')).toContainEqual(
        expect.stringContaining(`ACTIONS_CACHE_MODE is ${name}, which does not permit writes`),
      );
    },
  );

  it('a writable or unknown ACTIONS_CACHE_MODE is not blamed for a refused save', async () => {
    for (const mode of ['write', 'write-only', 'bogus', '']) {
      const main = recordingPlatform();
      await restoreModCache(settings(), { cache, platform: main });
      await download('example.com/hello', `v1.0.${mode.length}`);
      cache.saveFailure = 'refuse';
      const post = recordingPlatform(new Map(main.state));
      const saved = await saveModCache(
        { enabled: true, env: { ACTIONS_CACHE_MODE: mode } },
        { cache, platform: post },
      );
      expect(saved.summaryReason, mode).toBe('not stored by the cache service');
      await freshRunner();
    }
  });

  it('turns a failing service into a warning', async () => {
    cache.saveFailure = new Error('Failed to CreateCacheEntry: connect ECONNREFUSED');
    const { post, saved } = await job({ work: () => download('example.com/hello', 'v1.0.0') });
    expect(saved).toMatchObject({ saved: false, reason: 'failed' });
    expect(post.messages('warning')).toEqual([
      'Go module cache not saved: Failed to CreateCacheEntry: connect ECONNREFUSED',
    ]);
  });

  it('rethrows a ValidationError from the save: it is a bug', async () => {
    const error = Object.assign(new Error('Key Validation Error: x cannot contain commas.'), {
      name: 'ValidationError',
    });
    cache.saveFailure = error;
    await expect(job({ work: () => download('example.com/hello', 'v1.0.0') })).rejects.toBe(error);
  });

  it('says why when there is no state, the cache is disabled, or the service is missing', async () => {
    const noState = await saveModCache({ enabled: true }, { cache, platform: recordingPlatform() });
    expect(noState).toMatchObject({ saved: false, reason: 'no-state', added: null });
    expect((await job({ restore: { enabled: false } })).saved.reason).toBe('disabled');
    cache.available = false;
    expect(
      (await saveModCache({ enabled: true }, { cache, platform: recordingPlatform() })).reason,
    ).toBe('unavailable');
  });

  it('does not save over a cache that was populated by something else and not restored', async () => {
    await download('example.com/hello', 'v1.0.0');
    const state: CacheState = {
      schema: 1,
      path: modcache,
      primaryKey: 'k',
      restoreKeys: ['p'],
      matchedKey: null,
      outcome: 'skipped-populated',
      prepopulated: true,
      baseline: { modules: 0, files: 0, bytes: 0, fingerprint: 'x' },
    };
    const platform = recordingPlatform(new Map([[STATE.cache, JSON.stringify(state)]]));
    const saved = await saveModCache({ enabled: true }, { cache, platform });
    expect(saved).toMatchObject({ saved: false, reason: 'prepopulated' });
    expect(cache.saves).toEqual([]);
  });
});

describe('restore decisions', () => {
  it('skips everything when disabled', async () => {
    const { main, restored } = await job({ restore: { enabled: false } });
    expect(restored).toMatchObject({ status: 'disabled', cacheHit: false, state: null });
    expect(main.outputs.get('cache-hit')).toBe('false');
    expect(main.state.size).toBe(0);
    expect(cache.restores).toEqual([]);
    expect(annotations(main)).toEqual([]);
  });

  it('warns and continues when the runner has no cache service, and says how to silence it', async () => {
    cache.available = false;
    const main = recordingPlatform();
    const restored = await restoreModCache(settings(), { cache, platform: main });
    expect(restored.status).toBe('unavailable');
    expect(main.messages('warning')).toEqual([
      expect.stringContaining('the runner offers no cache service'),
    ]);
    expect(main.messages('warning')[0]).toContain('Set `cache: false` to silence this warning.');
    expect(main.outputs.get('cache-hit')).toBe('false');
  });

  it('an unreadable key file is a warning and a failed restore, never an error', async () => {
    // Beyond what readFile can read (2 GiB), whoever runs the test (root reads a mode-000 file).
    // Sparse: no disk space is used.
    const { truncate } = await import('node:fs/promises');
    await truncate(join(workspace, 'go.sum'), 2 ** 31);
    const main = recordingPlatform();
    const restored = await restoreModCache(settings(), { cache, platform: main });
    expect(restored).toMatchObject({ status: 'failed', cacheHit: false, state: null });
    expect(main.outputs.get('cache-hit')).toBe('false');
    expect(main.messages('warning')).toEqual([
      expect.stringMatching(
        /^Go module cache not restored: cannot read the files that key it \(.*\); the job continues without it\.$/,
      ),
    ]);
    expect(main.messages('error')).toEqual([]);
    expect(cache.restores).toEqual([]);
    // The post step has nothing to save and says so without a warning.
    const post = recordingPlatform(new Map(main.state));
    const saved = await saveModCache({ enabled: true }, { cache, platform: post });
    expect(saved).toMatchObject({ saved: false, reason: 'no-state' });
    expect(post.messages('warning')).toEqual([]);
  });

  it('a failure the library already reported gives no second warning and is no miss', async () => {
    cache.restoreError = new ReportedCacheFailure('Failed to restore: connect ECONNREFUSED');
    const main = recordingPlatform();
    const restored = await restoreModCache(settings(), { cache, platform: main });
    expect(restored).toMatchObject({ status: 'failed', cacheHit: false });
    expect(restored.state?.outcome).toBe('failed');
    expect(main.messages('warning')).toEqual([]);
    const log = main.messages('info').join('\n');
    expect(log).not.toContain('No Go module cache for');
    expect(log).toContain('Go module cache not restored: the restore failed');
  });

  it('names ACTIONS_CACHE_MODE when it forbids reads, instead of calling it a miss', async () => {
    const main = recordingPlatform();
    const restored = await restoreModCache(
      settings({
        env: { HOME: join(root, 'home'), RUNNER_OS: 'Linux', ACTIONS_CACHE_MODE: 'write-only' },
      }),
      { cache, platform: main },
    );
    expect(restored.status).toBe('miss');
    expect(restored.message).toBe(
      'Go module cache not restored: ACTIONS_CACHE_MODE is write-only, which does not permit reads.',
    );
  });

  it("warns when the module cache cannot be located, in Go's words", async () => {
    const main = recordingPlatform();
    const restored = await restoreModCache(settings({ env: { GOMODCACHE: 'relative' } }), {
      cache,
      platform: main,
    });
    expect(restored.status).toBe('no-module-cache');
    expect(main.messages('warning')).toEqual([
      'Go module cache not restored: GOMODCACHE entry is relative; must be absolute path: "relative".',
    ]);
  });

  it('turns a failing restore into a warning and a failed restore', async () => {
    cache.restoreError = new Error('Failed to GetCacheEntryDownloadURL: 500');
    const main = recordingPlatform();
    const restored = await restoreModCache(settings(), { cache, platform: main });
    expect(restored).toMatchObject({ status: 'failed', cacheHit: false });
    expect(restored.state?.outcome).toBe('failed');
    expect(main.messages('warning')).toEqual([
      'Go module cache not restored: Failed to GetCacheEntryDownloadURL: 500',
    ]);
  });

  it('rethrows a ValidationError from the restore', async () => {
    cache.restoreError = Object.assign(new Error('Key Validation Error'), {
      name: 'ValidationError',
    });
    await expect(
      restoreModCache(settings(), { cache, platform: recordingPlatform() }),
    ).rejects.toThrow('Key Validation Error');
  });

  it('warns when cache-dependency-path matches nothing, and still keys the cache', async () => {
    const main = recordingPlatform();
    const restored = await restoreModCache(settings({ dependencyPatterns: ['nothing/*.sum'] }), {
      cache,
      platform: main,
    });
    expect(main.messages('warning')).toEqual([expect.stringContaining('matched no files')]);
    expect(restored.state?.primaryKey).toMatch(/^go-proxy-setup-1\.0\.0-linux-x64-e3b0c442/);
  });

  it('hands the post step one JSON state', async () => {
    const main = recordingPlatform();
    await restoreModCache(settings(), { cache, platform: main });
    const state = JSON.parse(main.state.get(STATE.cache)!);
    expect(state).toEqual({
      schema: 1,
      path: modcache,
      primaryKey: expect.stringMatching(/^go-proxy-setup-1\.0\.0-linux-x64-[0-9a-f]{64}$/),
      restoreKeys: ['go-proxy-setup-1.0.0-linux-x64-'],
      matchedKey: null,
      outcome: 'miss',
      prepopulated: false,
      baseline: {
        modules: 0,
        files: 0,
        bytes: 0,
        fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    });
    expect(parseCacheState(main.state.get(STATE.cache)!)).toEqual(state);
  });

  it.each(['', 'not json', '{"schema":2}', '[]', '{"schema":1,"path":1}'])(
    'ignores a state it does not understand: %s',
    (raw) => {
      expect(parseCacheState(raw)).toBeNull();
    },
  );
});

describe('a module cache that is already populated', () => {
  it('merges the restored modules beside the existing ones and says how to avoid it', async () => {
    await job({ work: () => download('example.com/hello', 'v1.0.0', 'from the cache') });
    await freshRunner();
    // Another cache (setup-go) restored a different copy of hello plus another module.
    await download('example.com/hello', 'v1.0.0', 'from setup-go');
    await download('example.com/other', 'v1.0.0');

    const { main, restored } = await job();
    expect(restored.status).toBe('exact-hit');
    expect(restored.state?.prepopulated).toBe(true);
    expect(cache.restores.at(-1)?.extractAsWorkspace).toContain('.go-proxy-setup-restore-');
    expect(await readFile(join(modcache, 'example.com/hello@v1.0.0', 'x.go'), 'utf8')).toBe(
      'from setup-go',
    );
    const notices = main.logged.filter((l) => l.level === 'notice');
    expect(notices).toEqual([
      expect.objectContaining({
        title: 'Go module cache already populated',
        message: expect.stringContaining('set `cache: false` on actions/setup-go'),
      }),
    ]);
    expect(main.messages('warning')).toEqual([]);
  });

  it('only mentions toolchain and telemetry modules at info level', async () => {
    await job({ work: () => download('example.com/hello', 'v1.0.0') });
    await freshRunner();
    await download('golang.org/toolchain', 'v0.0.1-go1.22.0.linux-amd64');
    const { main, restored } = await job();
    expect(restored.status).toBe('exact-hit');
    expect(annotations(main)).toEqual([]);
    expect(main.messages('info').join('\n')).toContain('toolchain switch or telemetry');
    expect(await readFile(join(modcache, 'example.com/hello@v1.0.0', 'x.go'), 'utf8')).toBe(
      'example.com/hello@v1.0.0',
    );
  });

  it('points self-hosted runners at `cache: false` on go-proxy-setup', async () => {
    await job({ work: () => download('example.com/hello', 'v1.0.0') });
    await download('example.com/other', 'v1.0.0');
    const { main } = await job({
      restore: {
        env: { HOME: join(root, 'home'), RUNNER_OS: 'Linux', RUNNER_ENVIRONMENT: 'self-hosted' },
      },
    });
    expect(main.messages('notice').join('\n')).toContain('set `cache: false` on go-proxy-setup');
  });

  it('on another Windows drive (hosted Windows: C: vs D:), warns that it is neither restored nor saved, and what to do', async () => {
    await download('example.com/other', 'v1.0.0');
    const before = await measureModCache(modcache);
    const message = unstageableWarning(
      'C:\\Users\\runneradmin\\go\\pkg\\mod',
      'other-drive',
      before,
      {
        workspace: 'D:\\a\\repo\\repo',
        env: { RUNNER_ENVIRONMENT: 'github-hosted' },
      },
    );
    expect(message).toMatch(
      /^Go module cache neither restored nor saved: C:\\Users\\runneradmin\\go\\pkg\\mod already has content/,
    );
    expect(message).toContain('it is on another drive than the workspace (D:\\a\\repo\\repo)');
    expect(message).toContain('set GOMODCACHE to a directory on the workspace drive');
    expect(message).toContain('set `cache: false` on actions/setup-go');
    // Hosted Windows paths cannot be staged: restoreInto takes this branch there (the save side,
    // no save after 'skipped-populated', is the 'populated by something else' test above).
    expect(
      planStaging('C:\\Users\\runneradmin\\go\\pkg\\mod', 'D:\\a\\repo\\repo', 'win32', 't'),
    ).toBeNull();
  });

  it('leaves no staging directory behind', async () => {
    await job({ work: () => download('example.com/hello', 'v1.0.0') });
    const { readdir } = await import('node:fs/promises');
    await download('example.com/other', 'v1.0.0');
    await job();
    const siblings = await readdir(join(modcache, '..'));
    expect(siblings).toEqual(['mod']);
  });
});

describe('nothing keeps the process alive', () => {
  it('a main and a post phase in a process without process.exit() end by themselves', async () => {
    const { pathToFileURL } = await import('node:url');
    const { nodeBinary, REPO_ROOT, runProcess } = await import('../harness/runner.js');
    const url = (p: string) => JSON.stringify(pathToFileURL(join(REPO_ROOT, p)).href);
    const script = `
      const { restoreModCache } = await import(${url('src/cache/restore.ts')});
      const { saveModCache } = await import(${url('src/cache/save.ts')});
      const { fakeCache, recordingPlatform } = await import(${url('test/cache/support.ts')});
      const { mkdir, writeFile } = await import('node:fs/promises');
      const cache = await fakeCache(${JSON.stringify(workspace)});
      const platform = recordingPlatform();
      await restoreModCache(${JSON.stringify(settings())}, { cache, platform });
      const dl = ${JSON.stringify(join(modcache, 'cache', 'download', 'x', '@v'))};
      await mkdir(dl, { recursive: true });
      await writeFile(dl + '/v1.0.0.zip', 'zip');
      const result = await saveModCache({ enabled: true }, { cache, platform });
      await cache.dispose();
      console.log(result.reason);
    `;
    const run = await runProcess(
      nodeBinary(),
      ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script],
      { cwd: root, env: { PATH: process.env.PATH ?? '' }, timeoutMs: 30_000 },
    );
    expect(run.stderr).toBe('');
    expect(run.timedOut).toBe(false);
    expect(run.stdout.trim()).toBe('saved');
  });
});
