/**
 * The cache phases end to end through the runner-like harness: separate main / step / post
 * processes, file commands, STATE_* hand-off, the real @actions/cache, tar and zstd, the real
 * go, the loopback cache service — and an unprivileged runner user, because root ignores the
 * read-only modes that make tar fail with "File exists" on a populated module cache.
 *
 * The entry points are small fixtures around restoreModCache/saveModCache (fixtures/cache-*.ts,
 * loaded with tsx); action-cache.test.ts runs the same jobs against the bundled dist/.
 */
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SaveResult } from '../../src/cache/types.js';
import { type CacheServer, startCacheServer } from './cache-server.js';
import { goEnv, hello, runGo, upper, writeFileProxy, writeMainModule } from './go-fixture.js';
import {
  type ActionJobOptions,
  type JobResult,
  type Owner,
  type RunnerDirs,
  chownTree,
  createRunnerDirs,
  failingStep,
  goStep,
  removeRunnerDirs,
  resetRunner,
  runActionJob,
} from './runner.js';

const NOBODY: Owner = { uid: 65534, gid: 65534 };
/**
 * The runner user: root ignores read-only modes, so as root the jobs run as nobody; otherwise the
 * current user already is unprivileged and runs them itself (undefined: no switch).
 */
const RUNNER_USER: Owner | undefined = process.getuid?.() === 0 ? NOBODY : undefined;
const asRunnerUser = RUNNER_USER ? { owner: RUNNER_USER } : {};
const TSX = import.meta.resolve('tsx');
const FIXTURES = join(import.meta.dirname, 'fixtures');

let server: CacheServer;
let dirs: RunnerDirs;
let proxy: string;

beforeAll(async () => {
  server = await startCacheServer();
});

afterAll(async () => {
  await server.close();
});

beforeEach(async () => {
  dirs = await createRunnerDirs('cache-job');
  proxy = await writeFileProxy(join(dirs.root, 'proxy'), [hello, upper]);
  await writeMainModule(dirs.workspace, [hello, upper]);
  if (RUNNER_USER) await chownTree(dirs.root, RUNNER_USER);
});

afterEach(async () => {
  await removeRunnerDirs(dirs);
});

function cacheJob(options: Partial<ActionJobOptions> = {}): Promise<JobResult> {
  return runActionJob({
    dirs,
    mainEntry: join(FIXTURES, 'cache-main.ts'),
    postEntry: join(FIXTURES, 'cache-post.ts'),
    nodeArgs: ['--import', TSX],
    cacheService: server.env(),
    env: goEnv(proxy),
    timeoutMs: 90_000,
    ...asRunnerUser,
    ...options,
  });
}

/** Between jobs: a new runner with an empty HOME, same workspace path (same cache version). */
async function freshRunner(): Promise<void> {
  await resetRunner(dirs, { keepWorkspace: true, ...asRunnerUser });
}

function saveResult(job: JobResult): SaveResult {
  const line = job.summary.split('\n').find((l) => l.startsWith('cache-result: '));
  if (!line)
    throw new Error(`no cache result in the summary:\n${job.summary}\n${job.post?.stdout}`);
  return JSON.parse(line.slice('cache-result: '.length)) as SaveResult;
}

function problems(job: JobResult): string[] {
  return job.annotations.filter((a) => a.level !== 'notice').map((a) => `${a.level}: ${a.message}`);
}

describe('two jobs through the harness', () => {
  it('job 1 misses and saves; job 2 hits exactly, downloads nothing, saves nothing', async () => {
    const first = await cacheJob({ steps: [goStep(['mod', 'download'])] });
    expect(first.success).toBe(true);
    expect(first.outputs['cache-hit']).toBe('false');
    expect(problems(first)).toEqual([]);
    expect(saveResult(first)).toMatchObject({ saved: true, added: { modules: 2 } });
    expect(first.post?.timedOut).toBe(false);

    await freshRunner();
    const creates = server.log.filter((e) => e.kind === 'CreateCacheEntry').length;
    // GOPROXY=off: the step can only succeed from the restored cache.
    const second = await cacheJob({
      steps: [goStep(['mod', 'download'], { env: { GOPROXY: 'off' } })],
    });
    expect(second.success).toBe(true);
    expect(second.outputs['cache-hit']).toBe('true');
    expect(second.main.stdout).toContain('Cache hit for: go-proxy-setup-');
    expect(saveResult(second)).toMatchObject({
      saved: false,
      reason: 'exact-hit',
      added: { modules: 0 },
    });
    expect(server.log.filter((e) => e.kind === 'CreateCacheEntry')).toHaveLength(creates);
    expect(problems(second)).toEqual([]);
  });

  it('a failed job does not run the post step (post-if: success()), so nothing is saved', async () => {
    const before = server.entries().length;
    const job = await cacheJob({ steps: [goStep(['mod', 'download']), failingStep()] });
    expect(job.success).toBe(false);
    expect(job.post).toBeNull();
    expect(server.entries()).toHaveLength(before);
  });
});

describe('a populated, read-only module cache (unprivileged runner user)', () => {
  /** Job 1 saves hello+upper; then, before job 2's main step, something else downloads hello. */
  async function populatedRunner(): Promise<void> {
    const first = await cacheJob({ steps: [goStep(['mod', 'download'])] });
    expect(saveResult(first).saved).toBe(true);
    await freshRunner();
    const other = join(dirs.root, 'other');
    await writeMainModule(other, [hello]);
    if (RUNNER_USER) await chownTree(other, RUNNER_USER);
    const go = await runGo(
      ['mod', 'download'],
      other,
      { HOME: dirs.home, ...goEnv(proxy) },
      RUNNER_USER,
    );
    expect(go.code).toBe(0);
  }

  it('control: restoring straight into it fails with tar "File exists", as setup-go users see', async () => {
    await populatedRunner();
    const naive = await cacheJob({ inputs: { naive: 'true' } });
    expect(naive.main.stdout).toMatch(/Cannot open: File exists/);
    expect(problems(naive).join('\n')).toMatch(/Failed to restore/);
  });

  it('is restored beside it and merged: no tar errors, every module present, one notice', async () => {
    await populatedRunner();
    const job = await cacheJob({
      steps: [goStep(['mod', 'download'], { env: { GOPROXY: 'off' } })],
    });
    expect(job.main.stdout).not.toMatch(/File exists|Failed to restore/);
    expect(problems(job), job.main.stdout + job.post?.stdout).toEqual([]);
    expect(job.outputs['cache-hit']).toBe('true');
    expect(job.steps[0]?.outcome).toBe('success');
    expect(job.annotations.filter((a) => a.level === 'notice')).toEqual([
      expect.objectContaining({ title: 'Go module cache already populated' }),
    ]);
  });
});

describe('cache trouble never fails the main step', () => {
  it('an unreadable go.sum: a warning, cache-hit=false, and the job goes on', async () => {
    // Mode 000 denies reads to its unprivileged owner (root would read it, hence RUNNER_USER).
    await chmod(join(dirs.workspace, 'go.sum'), 0o000);
    const job = await cacheJob();
    expect(job.main.outcome, job.main.stdout + job.main.stderr).toBe('success');
    expect(job.success).toBe(true);
    expect(job.post, 'the post step ran').not.toBeNull();
    expect(job.outputs['cache-hit']).toBe('false');
    expect(problems(job)).toEqual([
      expect.stringMatching(
        /^warning: Go module cache not restored: cannot read the files that key it \(EACCES: permission denied, open '.*go\.sum'\); the job continues without it\.$/,
      ),
    ]);
    expect(job.main.stdout).not.toMatch(/Unexpected error/);
    expect(saveResult(job)).toMatchObject({ saved: false, reason: 'no-state' });
  });
});
