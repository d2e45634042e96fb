/**
 * Acceptance (issue 4): the BUNDLED action (dist/main, dist/post) in two simulated jobs, with
 * the mirror simulator as the module proxies and the loopback cache service:
 * - job 1 misses, a real `go mod download` fetches through the chosen proxy, the post step saves;
 * - job 2 gets cache-hit=true, the simulator sees no module request, nothing is saved again;
 * - a failed job does not save; a cache service answering 500 or absent gives a warning and a
 *   green job; a pre-populated read-only module cache gives no tar error.
 *
 * Needs a built dist/ (`npm run build`); GPS_ACTION_DIR points the tests at another build (a
 * directory holding action.yml and dist/).
 */
import { readFileSync } from 'node:fs';
import { chmod, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator, writeConsumerModule } from '../simulator/index.js';
import { type CacheServer, absentServiceEnv, startCacheServer } from './cache-server.js';
import {
  type ActionJobOptions,
  type Annotation,
  type JobResult,
  type Owner,
  REPO_ROOT,
  type RunnerDirs,
  chownTree,
  createRunnerDirs,
  failingStep,
  goStep,
  hookStep,
  removeRunnerDirs,
  resetRunner,
  runActionJob,
  runProcess,
} from './runner.js';

const ACTION_DIR = process.env.GPS_ACTION_DIR ?? REPO_ROOT;
const NOBODY: Owner = { uid: 65534, gid: 65534 };
/**
 * The unprivileged runner user: root ignores read-only modes, so as root the jobs run as nobody;
 * otherwise the current user already is unprivileged and runs them itself (undefined: no switch).
 */
const RUNNER_USER: Owner | undefined = process.getuid?.() === 0 ? NOBODY : undefined;
const asRunnerUser = RUNNER_USER ? { owner: RUNNER_USER } : {};

/** Fails early and clearly when dist/ is missing or predates the cache phase. */
function assertDistBuilt(): void {
  const bundle = join(ACTION_DIR, 'dist', 'main', 'index.js');
  let text = '';
  try {
    text = readFileSync(bundle, 'utf8');
  } catch {
    throw new Error(`${bundle} is missing: run \`npm run build\` first`);
  }
  if (!text.includes('go-proxy-setup-restore-')) {
    throw new Error(`${bundle} has no module cache phase: run \`npm run build\` again`);
  }
}

describe('the bundled action caches GOMODCACHE across jobs', () => {
  let sim: Simulator;
  let server: CacheServer;
  let dirs: RunnerDirs;
  let caFile: string;

  beforeAll(async () => {
    assertDistBuilt();
    sim = await startSimulator({
      mirrors: [
        { name: 'fast', latencyMs: 5 },
        { name: 'slower', latencyMs: 60 },
      ],
    });
    server = await startCacheServer();
  });

  afterAll(async () => {
    await server?.close();
    await sim?.close();
  });

  beforeEach(async () => {
    dirs = await createRunnerDirs('action-cache');
    await writeConsumerModule(dirs.workspace, sim.corpus, { goSum: true });
    // Inside the runner's tree, so an unprivileged runner user can read it too.
    caFile = join(dirs.root, 'sim-ca.pem');
    await copyFile(sim.caFile, caFile);
    sim.reset();
  });

  afterEach(async () => {
    await removeRunnerDirs(dirs);
  });

  function job(options: Partial<ActionJobOptions> = {}): Promise<JobResult> {
    return runActionJob({
      dirs,
      actionDir: ACTION_DIR,
      inputs: {
        mirrors: `${sim.url('fast')}\n${sim.url('slower')}`,
        gosumdb: sim.sumdb.gosumdbWithUrl,
        'goprivate-from-remote': 'false',
        timeout: '20',
      },
      env: {
        NODE_EXTRA_CA_CERTS: caFile,
        SSL_CERT_FILE: caFile,
        GOTOOLCHAIN: 'local',
        GOFLAGS: '-mod=mod',
      },
      cacheService: server.env(),
      timeoutMs: 120_000,
      ...options,
    });
  }

  const moduleRequests = () => sim.requests.filter((r) => /\/@v\/|\/@latest$/.test(r.path));
  const cacheProblems = (annotations: readonly Annotation[]) =>
    annotations.filter((a) => a.level !== 'notice' && /cache|restore|save/i.test(a.message));
  const creates = () => server.log.filter((e) => e.kind === 'CreateCacheEntry').length;

  function expectGreen(result: JobResult): void {
    const detail = [result.main, ...result.steps, result.post]
      .map((s) => (s ? `--- ${s.name} (${s.exitCode})\n${s.stdout}\n${s.stderr}` : ''))
      .join('\n');
    expect(result.success, detail).toBe(true);
  }

  it('job 1 misses and saves; job 2 hits, downloads nothing and does not save', async () => {
    let goRequests = 0;
    const first = await job({
      steps: [
        hookStep('forget the probes', () => sim.reset()),
        goStep(['mod', 'download']),
        hookStep('count', () => {
          goRequests = moduleRequests().length;
        }),
      ],
    });
    expectGreen(first);
    expect(first.outputs['cache-hit']).toBe('false');
    expect(first.env.GOPROXY).toContain(sim.url('fast'));
    expect(goRequests).toBeGreaterThan(0);
    expect(cacheProblems(first.annotations)).toEqual([]);
    expect(server.entries().filter((e) => e.finalized)).toHaveLength(1);
    expect(first.post?.timedOut).toBe(false);

    await resetRunner(dirs, { keepWorkspace: true });
    const saves = creates();
    const second = await job({
      steps: [
        hookStep('forget the probes', () => sim.reset()),
        goStep(['mod', 'download']),
        hookStep('no module request', () => {
          expect(moduleRequests()).toEqual([]);
        }),
      ],
    });
    expectGreen(second);
    expect(second.outputs['cache-hit']).toBe('true');
    expect(second.main.stdout).toContain('Cache hit for: go-proxy-setup-');
    expect(creates()).toBe(saves);
    expect(cacheProblems(second.annotations)).toEqual([]);
  });

  it('a failed job skips the post step and saves nothing', async () => {
    const saves = creates();
    const result = await job({ steps: [goStep(['mod', 'download']), failingStep()] });
    expect(result.success).toBe(false);
    expect(result.post).toBeNull();
    expect(creates()).toBe(saves);
  });

  it('an absent cache service gives a warning and a green job', async () => {
    const result = await job({
      cacheService: await absentServiceEnv(),
      steps: [goStep(['mod', 'download'])],
    });
    expectGreen(result);
    expect(
      result.annotations
        .filter((a) => a.level === 'warning')
        .map((a) => a.message)
        .join('\n'),
    ).toMatch(/Failed to restore/);
    // After the library's warning, the log does not describe a normal miss.
    expect(result.main.stdout).not.toContain('No Go module cache for');
    expect(result.main.stdout).toContain('Go module cache not restored: the restore failed');
    expect(result.annotations.filter((a) => a.level === 'error')).toEqual([]);
  });

  it('no cache service at all gives one warning and a green job', async () => {
    const result = await job({ cacheService: {}, steps: [goStep(['mod', 'download'])] });
    expectGreen(result);
    expect(cacheProblems(result.annotations)).toEqual([
      expect.objectContaining({
        level: 'warning',
        message: expect.stringContaining('no cache service'),
      }),
    ]);
    expect(cacheProblems(result.annotations)[0]?.message).toContain(
      'Set `cache: false` to silence this warning.',
    );
  });

  it('a cache service answering 500 gives a warning and a green job', async () => {
    server.setMode('error-500');
    try {
      const result = await job({ steps: [goStep(['mod', 'download'])] });
      expectGreen(result);
      expect(cacheProblems(result.annotations)).toEqual([
        expect.objectContaining({
          level: 'warning',
          message: expect.stringMatching(/^Failed to restore: .*500/s),
        }),
      ]);
    } finally {
      server.setMode('ok');
    }
  }, 240_000);

  it('restores into a populated read-only module cache without tar errors (unprivileged user)', async () => {
    if (RUNNER_USER) await chownTree(dirs.root, RUNNER_USER);
    const first = await job({ ...asRunnerUser, steps: [goStep(['mod', 'download'])] });
    expectGreen(first);
    await resetRunner(dirs, { keepWorkspace: true, ...asRunnerUser });
    // Something else fills the module cache before the action runs (setup-go's own cache).
    const populate = await runProcess('go', ['mod', 'download'], {
      cwd: dirs.workspace,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dirs.home,
        GOPROXY: sim.url('fast'),
        GOSUMDB: sim.sumdb.gosumdbWithUrl,
        SSL_CERT_FILE: caFile,
        GOFLAGS: '-mod=mod',
      },
      timeoutMs: 60_000,
      ...asRunnerUser,
    });
    expect(populate.exitCode, populate.stderr).toBe(0);

    const second = await job({
      ...asRunnerUser,
      steps: [goStep(['mod', 'download'], { env: { GOPROXY: 'off' } })],
    });
    expectGreen(second);
    expect(second.main.stdout).not.toMatch(/File exists|Failed to restore/);
    expect(second.outputs['cache-hit']).toBe('true');
    expect(cacheProblems(second.annotations)).toEqual([]);
    expect(second.annotations).toContainEqual(
      expect.objectContaining({ level: 'notice', title: 'Go module cache already populated' }),
    );
  }, 240_000);

  it('an unreadable go.sum: the main step warns, sets cache-hit=false and still configures Go', async () => {
    // Mode 000 denies reads to its unprivileged owner (root would read it, hence RUNNER_USER).
    await chmod(join(dirs.workspace, 'go.sum'), 0o000);
    if (RUNNER_USER) await chownTree(dirs.root, RUNNER_USER);
    const result = await job({ ...asRunnerUser });
    expectGreen(result);
    expect(result.main.stdout).not.toMatch(/Unexpected error/);
    expect(result.outputs['cache-hit']).toBe('false');
    expect(result.env.GOPROXY).toContain(sim.url('fast'));
    expect(cacheProblems(result.annotations)).toEqual([
      expect.objectContaining({
        level: 'warning',
        message: expect.stringMatching(
          /^Go module cache not restored: cannot read the files that key it \(EACCES: .*go\.sum'\); the job continues without it\.$/,
        ),
      }),
    ]);
    expect(result.annotations.filter((a) => a.level === 'error')).toEqual([]);
  });
});
