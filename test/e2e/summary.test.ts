/**
 * Acceptance (issue 4): the job summary a real run writes to GITHUB_STEP_SUMMARY — the verdict
 * first, the ranked table, the chart unless `summary: no-chart`, no credentials — and nothing at
 * all with `summary: false`, from the main step and the post step alike.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CacheServer, startCacheServer } from '../harness/cache-server.js';
import { type JobResult, goStep, removeRunnerDirs, resetRunner } from '../harness/runner.js';
import {
  DEFAULT_PRIVATE_AUTH,
  HELLO,
  PRIVATE_MODULE,
  type Simulator,
  privateFleet,
  startSimulator,
  writeConsumerModule,
} from '../simulator/index.js';
import {
  type E2ERunner,
  assertDistBuilt,
  createE2ERunner,
  e2eJob,
  jobDetail,
  scanText,
} from './support.js';

assertDistBuilt();

const SECRETS = [
  DEFAULT_PRIVATE_AUTH.password,
  `${DEFAULT_PRIVATE_AUTH.user}:${DEFAULT_PRIVATE_AUTH.password}`,
  DEFAULT_PRIVATE_AUTH.user,
];

describe('the job summary of a real run', () => {
  let sim: Simulator;
  let cache: CacheServer;
  let runner: E2ERunner;

  beforeAll(async () => {
    sim = await startSimulator({
      mirrors: [...privateFleet(), { name: 'forbidden', status: 403 }],
    });
    cache = await startCacheServer();
  });
  afterAll(async () => {
    await cache?.close();
    await sim?.close();
  });
  beforeEach(async () => {
    runner = await createE2ERunner(sim, 'summary');
    const hello = sim.corpus.get(HELLO, 'v1.1.0')!;
    await writeConsumerModule(runner.dirs.workspace, sim.corpus, { modules: [hello] });
  });
  afterEach(async () => {
    await removeRunnerDirs(runner.dirs);
  });

  /** A run with a credentialed private proxy, a working and a refusing public mirror, the cache on. */
  function run(summary: string): Promise<JobResult> {
    return e2eJob(sim, runner, {
      inputs: {
        mirrors: `${sim.url('public')}\n${sim.url('forbidden')}`,
        'private-proxy': sim.url('private', { credentials: true }),
        goprivate: PRIVATE_MODULE.split('/')[0]!,
        cache: 'true',
        summary,
      },
      cacheService: cache.env(),
      steps: [goStep(['mod', 'download', `${HELLO}@v1.1.0`])],
    });
  }

  function expectGreen(result: JobResult): void {
    expect(result.success, jobDetail(result)).toBe(true);
  }

  /** The table rows (`| … |` lines) that name a URL. */
  const rowsNaming = (summary: string, url: string) =>
    summary.split('\n').filter((line) => line.startsWith('|') && line.includes(url));

  it('summary: true — the verdict first, the ranked table, the chart, no credentials', async () => {
    const result = await run('true');
    expectGreen(result);
    const main = result.main.summary;
    expect(main.length).toBeGreaterThan(0);

    // The verdict: the chosen settings, as exported but credential-free, before the mirror table.
    const verdictAt = main.indexOf('`GOPROXY`');
    const tableAt = main.indexOf('| # | Mirror |');
    expect(verdictAt, main).toBeGreaterThanOrEqual(0);
    expect(tableAt, main).toBeGreaterThan(verdictAt);
    const verdictRow = main.split('\n').find((line) => line.startsWith('| `GOPROXY` |'))!;
    expect(verdictRow).toContain(sim.url('private'));
    expect(verdictRow).toContain(sim.url('public'));
    expect(main).toMatch(/\| `GOSUMDB` \|/);
    expect(main).toMatch(/\| `GOPRIVATE` \|.*git\.corp\.example/);

    // One ranked row per mirror, with its verdict.
    const table = main.slice(tableAt);
    expect(rowsNaming(table, sim.url('public'))[0]).toMatch(/chosen/);
    expect(rowsNaming(table, sim.url('forbidden'))[0]).toMatch(/403|failed/i);
    expect(rowsNaming(table, sim.url('private')).length).toBeGreaterThan(0);

    expect(main).toContain('```mermaid');
    expect(scanText(result.summary, SECRETS, 'GITHUB_STEP_SUMMARY')).toEqual([]);
    // The post step appended what the cache did.
    expect(result.post?.summary ?? '', jobDetail(result)).toMatch(/cache/i);
  });

  it('the post step says what the restore did: a miss, an exact hit, a restore-key hit', async () => {
    const hello = sim.corpus.get(HELLO, 'v1.1.0')!;
    await writeConsumerModule(runner.dirs.workspace, sim.corpus, { modules: [hello], goSum: true });
    const row = (result: JobResult, name: string) =>
      (result.post?.summary ?? '').split('\n').find((line) => line.startsWith(`| ${name} |`));
    const newJob = () => resetRunner(runner.dirs, { keepWorkspace: true });

    const miss = await run('true');
    expectGreen(miss);
    expect(miss.outputs['cache-hit']).toBe('false');
    expect(row(miss, 'Restored'), jobDetail(miss)).toBe('| Restored | no cache found |');
    expect(row(miss, 'Saved')).toBe('| Saved | yes |');
    const key = /<code>(go-proxy-setup-[^<]+)<\/code>/.exec(row(miss, 'Key') ?? '')?.[1];
    expect(key, miss.post?.summary).toBeDefined();
    // The key is named once, in its own row.
    expect(miss.post!.summary.split(key!).length - 1).toBe(1);

    await newJob();
    const exact = await run('true');
    expectGreen(exact);
    expect(exact.outputs['cache-hit']).toBe('true');
    expect(row(exact, 'Restored'), jobDetail(exact)).toBe('| Restored | yes, exact key hit |');
    expect(row(exact, 'Saved')).toBe('| Saved | no: exact key hit |');
    expect(row(exact, 'Key')).toBe(`| Key | <code>${key}</code> |`);

    // A new dependency file changes the key: the old entry is found by the restore-key prefix.
    await newJob();
    await writeFile(join(runner.dirs.workspace, 'go.work.sum'), '');
    const partial = await run('true');
    expectGreen(partial);
    expect(partial.outputs['cache-hit']).toBe('false');
    expect(row(partial, 'Restored'), jobDetail(partial)).toBe(
      `| Restored | yes, restore-key match <code>${key}</code> |`,
    );
    expect(row(partial, 'Saved')).toBe('| Saved | no: unchanged |');
    expect(row(partial, 'Key')).not.toContain(key!);
  });

  it('summary: no-chart — the summary without the Mermaid chart', async () => {
    const result = await run('no-chart');
    expectGreen(result);
    expect(result.main.summary).toContain('| # | Mirror |');
    expect(result.main.summary).not.toContain('```mermaid');
    expect(result.summary).not.toMatch(/mermaid|xychart/);
    expect(scanText(result.summary, SECRETS, 'GITHUB_STEP_SUMMARY')).toEqual([]);
  });

  it('summary: false — nothing is written to GITHUB_STEP_SUMMARY, by either step', async () => {
    const result = await run('false');
    expectGreen(result);
    expect(result.post, 'the post step ran').not.toBeNull();
    expect(result.main.summary).toBe('');
    expect(result.post!.summary).toBe('');
    expect(result.summary).toBe('');
    // The settings were still exported: only the summary is off.
    expect(result.env.GOPROXY).toContain(sim.url('public'));
  });
});
