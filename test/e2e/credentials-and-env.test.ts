/**
 * Issue 6: what the `token` input adds to git's configuration is there while the job runs (git
 * really rewrites the private owner's URLs) and is gone after the post step, leaving the user's
 * own git config and netrc byte-identical. Issue 2: running the GitHub writer twice gives the same
 * GITHUB_ENV effect.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hookStep, removeRunnerDirs } from '../harness/runner.js';
import { type Simulator, startSimulator } from '../simulator/index.js';
import {
  type E2ERunner,
  assertDistBuilt,
  createE2ERunner,
  e2eJob,
  git,
  jobDetail,
  plantCheckout,
  writePrivateEventPayload,
} from './support.js';

assertDistBuilt();

const TOKEN = 'ghp_REVERTCHECK789';
const USER_GITCONFIG =
  '[user]\n\tname = Octo Cat\n\temail = octo@example.com\n[url "ssh://git@example.org/"]\n\tinsteadOf = https://example.org/\n';
const USER_NETRC = 'machine example.org login me password theirs\n';

describe('the token input and the post step', () => {
  let sim: Simulator;
  let runner: E2ERunner;

  beforeAll(async () => {
    sim = await startSimulator({ mirrors: [{ name: 'public' }] });
  });
  afterAll(async () => {
    await sim?.close();
  });
  beforeEach(async () => {
    runner = await createE2ERunner(sim, 'credentials');
  });
  afterEach(async () => {
    await removeRunnerDirs(runner.dirs);
  });

  it('rewrites the private owner for git during the job and restores git config and netrc after', async () => {
    const { home, workspace, root } = runner.dirs;
    await writeFile(join(home, '.gitconfig'), USER_GITCONFIG);
    await writeFile(join(home, '.netrc'), USER_NETRC, { mode: 0o600 });
    await plantCheckout(workspace, 'https://github.com/acme/private-repo.git');
    const eventFile = join(root, 'event.json');
    await writePrivateEventPayload(eventFile, 'acme/private-repo');
    const gitEnv = { HOME: home };
    let duringJob = { ownerUrl: '', otherUrl: '' };

    const result = await e2eJob(sim, runner, {
      inputs: { mirrors: sim.url('public'), 'goprivate-from-remote': 'true', token: TOKEN },
      env: { GITHUB_REPOSITORY: 'acme/private-repo', GITHUB_EVENT_PATH: eventFile },
      steps: [
        hookStep('ask git how it would fetch', async () => {
          // `git remote get-url` applies insteadOf rules: the URL Go's git clone would use.
          await git(
            ['remote', 'add', 'owner', 'https://github.com/acme/other-private'],
            workspace,
            gitEnv,
          );
          await git(
            ['remote', 'add', 'stranger', 'https://github.com/someone/else'],
            workspace,
            gitEnv,
          );
          duringJob = {
            ownerUrl: (await git(['remote', 'get-url', 'owner'], workspace, gitEnv)).stdout.trim(),
            otherUrl: (
              await git(['remote', 'get-url', 'stranger'], workspace, gitEnv)
            ).stdout.trim(),
          };
        }),
      ],
    });
    expect(result.success, jobDetail(result)).toBe(true);
    expect(result.env.GOPRIVATE).toBe('github.com/acme');

    // During the job: the derived owner is rewritten with the token, nobody else is.
    expect(duringJob.ownerUrl).toBe(
      `https://x-access-token:${TOKEN}@github.com/acme/other-private`,
    );
    expect(duringJob.otherUrl).toBe('https://github.com/someone/else');

    // After the post step: the user's files are byte-identical and git no longer rewrites.
    expect(await readFile(join(home, '.gitconfig'), 'utf8')).toBe(USER_GITCONFIG);
    expect(await readFile(join(home, '.netrc'), 'utf8')).toBe(USER_NETRC);
    const includes = await git(
      ['config', '--global', '--get-all', 'include.path'],
      workspace,
      gitEnv,
    );
    expect(includes.stdout.trim()).toBe('');
    const after = await git(['remote', 'get-url', 'owner'], workspace, gitEnv);
    expect(after.stdout.trim()).toBe('https://github.com/acme/other-private');
  });

  it('writes no credentials at all when token is empty', async () => {
    const { home } = runner.dirs;
    await writeFile(join(home, '.gitconfig'), USER_GITCONFIG);
    let configDuringJob = '';
    const result = await e2eJob(sim, runner, {
      inputs: { mirrors: sim.url('public') },
      steps: [
        hookStep('read git config', async () => {
          configDuringJob = await readFile(join(home, '.gitconfig'), 'utf8');
        }),
      ],
    });
    expect(result.success, jobDetail(result)).toBe(true);
    expect(configDuringJob).toBe(USER_GITCONFIG);
    expect(result.state['go-proxy-setup-credentials']).toBeUndefined();
  });
});

describe('the GitHub writer', () => {
  let sim: Simulator;
  let runner: E2ERunner;

  beforeAll(async () => {
    sim = await startSimulator({ mirrors: [{ name: 'one' }, { name: 'two', latencyMs: 80 }] });
  });
  afterAll(async () => {
    await sim?.close();
  });
  beforeEach(async () => {
    runner = await createE2ERunner(sim, 'writer-twice');
  });
  afterEach(async () => {
    await removeRunnerDirs(runner.dirs);
  });

  it('run twice gives the same GITHUB_ENV effect and outputs', async () => {
    const inputs = {
      mirrors: `${sim.url('one')},${sim.url('two')}`,
      goprivate: 'git.corp.example',
    };
    const first = await e2eJob(sim, runner, { inputs });
    const second = await e2eJob(sim, runner, { inputs });
    expect(first.success, jobDetail(first)).toBe(true);
    expect(second.success, jobDetail(second)).toBe(true);
    const firstEnv = first.main.env;
    expect(firstEnv).toEqual(second.main.env);
    expect(firstEnv).toEqual({
      GOPROXY: `${sim.url('one')}|${sim.url('two')}|direct`,
      GOSUMDB: sim.sumdb.gosumdb,
      GOPRIVATE: 'git.corp.example',
    });
    expect(first.outputs.goproxy).toBe(second.outputs.goproxy);
  });
});
