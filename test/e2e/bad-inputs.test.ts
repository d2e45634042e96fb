/**
 * Acceptance (issue 2): a bad value of any input given to the BUNDLED main step fails the step
 * with one clear line naming the input, and the step writes nothing: no GITHUB_ENV, no output, no
 * state, no summary — before the cache restore and the probe start.
 *
 * Not covered here, because the runner cannot deliver a bad value: `cache-dependency-path` is only
 * rejected for a NUL byte (which no environment variable can hold) and `token` is opaque.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CacheServer, startCacheServer } from '../harness/cache-server.js';
import { type JobResult, removeRunnerDirs } from '../harness/runner.js';
import { type Simulator, startSimulator } from '../simulator/index.js';
import {
  type E2ERunner,
  annotationsAt,
  assertDistBuilt,
  createE2ERunner,
  describeAnnotations,
  e2eJob,
  jobDetail,
} from './support.js';

assertDistBuilt();

/** [input, bad value] — one per way an input can be wrong. */
const BAD_VALUES: readonly (readonly [string, string])[] = [
  ['mirrors', 'ftp://mirror.example.com'],
  ['mirrors', 'https://goproxy.io|direct'],
  ['private-proxy', 'http://ci:hunter22secret@athens.corp.example'],
  ['private-proxy', 'off'],
  ['fallback', 'sometimes'],
  ['max-mirrors', '0'],
  ['max-mirrors', 'eleven'],
  ['probe-modules', 'not a module@@v1'],
  ['timeout', '0'],
  ['timeout', 'forever'],
  ['gosumdb', 'sum.example.com+badkey'],
  ['goprivate', 'corp.example/[a-'],
  ['goprivate', 'Corp.Example.com'],
  ['goprivate-from-remote', 'maybe'],
  ['write-go-env', 'yes'],
  ['cache', 'on'],
  ['summary', 'chart'],
  ['working-directory', 'src\nother'],
];

describe('bad inputs fail the main step before anything is written', () => {
  let sim: Simulator;
  let cache: CacheServer;
  let runner: E2ERunner;

  beforeAll(async () => {
    sim = await startSimulator({ mirrors: [{ name: 'good' }] });
    cache = await startCacheServer();
  });
  afterAll(async () => {
    await cache?.close();
    await sim?.close();
  });
  beforeEach(async () => {
    runner = await createE2ERunner(sim, 'inputs');
    sim.reset();
  });
  afterEach(async () => {
    await removeRunnerDirs(runner.dirs);
  });

  const job = (inputs: Record<string, string>): Promise<JobResult> =>
    e2eJob(sim, runner, {
      inputs: { mirrors: sim.url('good'), cache: 'true', ...inputs },
      // A cache service that answers: a restore before validation would show in its log.
      cacheService: cache.env(),
    });

  function expectFailedWithoutWriting(result: JobResult): void {
    const main = result.main;
    expect(main.outcome, jobDetail(result)).toBe('failure');
    expect(main.exitCode).toBe(1);
    expect(main.timedOut).toBe(false);
    // Nothing written through any file command.
    expect(main.env).toEqual({});
    expect(main.outputs).toEqual({});
    expect(main.state).toEqual({});
    expect(main.path).toEqual([]);
    expect(main.summary).toBe('');
    // The post step (post-if: success()) does not run after a failed main step.
    expect(result.post).toBeNull();
    // Nothing restored, nothing probed: validation comes before any request.
    expect(cache.log).toEqual([]);
    expect(sim.requests).toEqual([]);
    // No stack trace anywhere.
    expect(`${main.stdout}\n${main.stderr}`).not.toMatch(/^\s+at .+\(.*:\d+:\d+\)$/m);
  }

  function theErrorLine(result: JobResult): string {
    const errors = annotationsAt(result.main, 'error');
    expect(errors, describeAnnotations(result.main.annotations)).toHaveLength(1);
    const message = errors[0]!.message;
    expect(message).not.toContain('\n');
    return message;
  }

  it.each(BAD_VALUES)('%s: %j', async (input, value) => {
    const result = await job({ [input]: value });
    expectFailedWithoutWriting(result);
    const line = theErrorLine(result);
    expect(line).toContain(`'${input}'`);
    expect(line).toMatch(/allowed/i);
    expect(line).not.toMatch(/^Unexpected error/);
  });

  it('a bad private-proxy never shows its password', async () => {
    const result = await job({ 'private-proxy': 'http://ci:hunter22secret@athens.corp.example' });
    expectFailedWithoutWriting(result);
    // `::add-mask::` is how the step tells the runner what to hide; every other line must not show it.
    const shown = result.main.stdout
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
    expect(`${shown}\n${result.main.stderr}`).not.toContain('hunter22secret');
    expect(result.main.stdout).toContain('::add-mask::hunter22secret');
  });

  it('several bad inputs are named together in one line', async () => {
    const result = await job({ fallback: 'sometimes', 'max-mirrors': '99', summary: 'chart' });
    expectFailedWithoutWriting(result);
    const line = theErrorLine(result);
    for (const input of ['fallback', 'max-mirrors', 'summary'])
      expect(line).toContain(`'${input}'`);
  });

  it('a good value of the same inputs passes (the bad-value failures are about the values)', async () => {
    const result = await job({
      cache: 'false',
      fallback: 'direct',
      'max-mirrors': '1',
      summary: 'no-chart',
    });
    expect(result.main.outcome, jobDetail(result)).toBe('success');
    expect(result.main.env.GOPROXY).toBe(`${sim.url('good')}|direct`);
  });
});
