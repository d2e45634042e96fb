/**
 * Settings made earlier with `go env -w` (the user's go env file) count, through the BUNDLED
 * action: GOPRIVATE from the file keeps the private requirement away from the public mirror and
 * the checksum database during the probe, is merged into the GOPRIVATE exported, and the real go
 * command then downloads the public modules through the chosen mirror and never asks it, or the
 * database, for the private path.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { goStep, hookStep, removeRunnerDirs } from '../harness/runner.js';
import {
  HELLO,
  PRIVATE_MODULE,
  type RequestRecord,
  type Simulator,
  startSimulator,
} from '../simulator/index.js';
import { type E2ERunner, assertDistBuilt, createE2ERunner, e2eJob, jobDetail } from './support.js';

assertDistBuilt();

const PRIVATE_HOST = PRIVATE_MODULE.split('/')[0]!;

describe('the go env file (go env -w)', () => {
  let sim: Simulator;
  let runner: E2ERunner;

  beforeAll(async () => {
    sim = await startSimulator({ mirrors: [{ name: 'public', serves: 'all' }] });
  });
  afterAll(async () => {
    await sim?.close();
  });
  beforeEach(async () => {
    runner = await createE2ERunner(sim, 'go-env-file');
    sim.reset();
  });
  afterEach(async () => {
    await removeRunnerDirs(runner.dirs);
  });

  it('GOPRIVATE from the file: no private path at the public mirror or the checksum database', async () => {
    const { home, workspace } = runner.dirs;
    await mkdir(join(home, '.config', 'go'), { recursive: true });
    await writeFile(join(home, '.config', 'go', 'env'), `GOPRIVATE=${PRIVATE_HOST}\n`);
    await writeFile(
      join(workspace, 'go.mod'),
      `module example.com/consumer\n\ngo 1.19\n\nrequire (\n\t${PRIVATE_MODULE} v1.0.0\n\t${HELLO} v1.1.0\n)\n`,
    );
    let probeRequests: readonly RequestRecord[] = [];

    const result = await e2eJob(sim, runner, {
      inputs: { mirrors: sim.url('public'), 'probe-modules': 'auto' },
      steps: [
        hookStep('remember the probe requests', () => {
          probeRequests = sim.requests;
          sim.reset();
        }),
        // The public module through the chain; the private one would need git (not here).
        goStep(['mod', 'download', `${HELLO}@v1.1.0`], { env: { GIT_TERMINAL_PROMPT: '0' } }),
      ],
    });
    expect(result.success, jobDetail(result)).toBe(true);

    const privatePath = (records: readonly RequestRecord[]) =>
      records.filter((r) => r.path.includes(PRIVATE_HOST)).map((r) => `${r.server} ${r.path}`);
    expect(privatePath(probeRequests)).toEqual([]);
    // The probe still measured the mirror with the public requirement.
    expect(probeRequests.some((r) => r.server === 'public' && r.path.includes(HELLO))).toBe(true);

    expect(result.env.GOPRIVATE?.split(',')).toContain(PRIVATE_HOST);
    expect(result.main.stdout).toMatch(/GOPRIVATE from the go env file/);
  });
});
