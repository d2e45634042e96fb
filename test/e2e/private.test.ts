/**
 * Acceptance (issue 2: the token-leak test; issue 6: private modules end to end) through the
 * BUNDLED action, the mirror simulator and the real go command:
 *
 * - a CI token planted in the git remote URL and a password in the private proxy's URL reach no
 *   output channel: not the streams, not a file command, not the summary, the report, the go env
 *   file, the cache archive, nor any file under the runner's directories. The one documented
 *   exception: GITHUB_ENV carries the proxy password inside GOPROXY (Go needs it; the runner masks
 *   the secrets the step registered with `::add-mask::`);
 * - a private module served only by a credentialed private proxy on loopback is downloaded by a
 *   real `go mod download` through that proxy, public modules through the public chain, and the
 *   request log shows its path at no public mirror and never at the checksum database.
 */
import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CacheServer, startCacheServer } from '../harness/cache-server.js';
import {
  type JobResult,
  type StepResult,
  goStep,
  hookStep,
  parseFileCommand,
  removeRunnerDirs,
} from '../harness/runner.js';
import {
  type CorpusModule,
  DEFAULT_PRIVATE_AUTH,
  PRIVATE_MODULE,
  type RequestRecord,
  type Simulator,
  defaultConsumerModules,
  privateFleet,
  startSimulator,
  writeConsumerModule,
} from '../simulator/index.js';
import {
  type E2ERunner,
  type SecretHit,
  assertDistBuilt,
  createE2ERunner,
  decompressedArchive,
  describeAnnotations,
  e2eJob,
  jobDetail,
  listFiles,
  maskedValues,
  plantCheckout,
  scanText,
  scanTree,
  stepChannels,
  stepDetail,
  writePrivateEventPayload,
} from './support.js';

assertDistBuilt();

const PLANTED_TOKEN = 'ghs_PLANTEDTOKEN123';
const PLANTED_REMOTE = `https://x-access-token:${PLANTED_TOKEN}@github.com/acme/private-repo.git`;
const PASSWORD = DEFAULT_PRIVATE_AUTH.password;
const USERINFO = `${DEFAULT_PRIVATE_AUTH.user}:${DEFAULT_PRIVATE_AUTH.password}`;
/** The checkout's own module path: a vanity path would make its host private too (by design). */
const REPOSITORY_MODULE = 'github.com/acme/private-repo';
const PRIVATE_HOST_PATTERN = PRIVATE_MODULE.split('/')[0]!; // git.corp.example

describe('private modules and credentials, end to end', () => {
  let sim: Simulator;
  let cache: CacheServer;
  let runner: E2ERunner;

  beforeAll(async () => {
    sim = await startSimulator({ mirrors: privateFleet() });
    cache = await startCacheServer();
  });
  afterAll(async () => {
    await cache?.close();
    await sim?.close();
  });
  beforeEach(async () => {
    runner = await createE2ERunner(sim, 'private');
    sim.reset();
  });
  afterEach(async () => {
    await removeRunnerDirs(runner.dirs);
  });

  /** Every public corpus module (newest version) plus the private one. */
  function consumerModules(): CorpusModule[] {
    const secret = sim.corpus.get(PRIVATE_MODULE, 'v1.0.0');
    if (!secret) throw new Error('the corpus has no private module');
    return [...defaultConsumerModules(sim.corpus), secret];
  }

  /**
   * `go mod download <every required path>` (Go 1.19's bare form records only /go.mod hashes).
   * `ownGopath`: GOPATH/GOMODCACHE/GOCACHE under the runner root instead of the runner's HOME
   * (which the action's cache phase saves).
   */
  function downloadStep(modules: readonly CorpusModule[], ownGopath = false) {
    const root = runner.dirs.root;
    const gopath: Record<string, string> = ownGopath
      ? {
          GOPATH: join(root, 'gopath'),
          GOMODCACHE: join(root, 'gopath', 'pkg', 'mod'),
          GOCACHE: join(root, 'gocache'),
        }
      : {};
    return goStep(['mod', 'download', ...modules.map((m) => `${m.path}@${m.version}`)], {
      env: { ...gopath, GIT_TERMINAL_PROMPT: '0' },
    });
  }

  const privateProxyUrl = () => sim.url('private', { credentials: true });

  function expectGreen(result: JobResult): void {
    expect(result.success, jobDetail(result)).toBe(true);
  }

  /** The main step's GITHUB_ENV file, raw, and proof the password sits only in GOPROXY. */
  async function expectPasswordOnlyInGoproxy(result: JobResult): Promise<void> {
    const files = await githubEnvFiles();
    expect(files.length).toBeGreaterThan(0);
    let seen = 0;
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      for (const [name, value] of parseFileCommand(text)) {
        if (value.includes(PASSWORD)) {
          expect(name, `${name} in ${file} holds the password`).toBe('GOPROXY');
          seen++;
        }
      }
      const withoutGoproxy = [...parseFileCommand(text)]
        .filter(([name]) => name !== 'GOPROXY')
        .map(([name, value]) => `${name}=${value}`)
        .join('\n');
      expect(scanText(withoutGoproxy, [PASSWORD, USERINFO], file)).toEqual([]);
      expect(scanText(text, [PLANTED_TOKEN], file)).toEqual([]);
    }
    // Go needs the credentials: GOPROXY as exported carries them, exactly once (the main step).
    expect(seen).toBe(1);
    expect(result.env.GOPROXY).toContain(`https://${USERINFO}@`);
  }

  async function githubEnvFiles(): Promise<string[]> {
    const all = await listFiles(join(runner.dirs.runnerTemp, '_runner_file_commands'));
    return all.filter((f) => /(^|[\\/])set_env_/.test(f));
  }

  /**
   * Every channel the job produced, except the documented GITHUB_ENV exception and the
   * `::add-mask::` commands (they hand the secret to the runner so it masks it).
   */
  async function leaks(result: JobResult, secrets: readonly string[]): Promise<SecretHit[]> {
    const hits: SecretHit[] = [];
    const steps: StepResult[] = [
      result.main,
      ...result.steps,
      ...(result.post ? [result.post] : []),
    ];
    for (const step of steps) {
      for (const [channel, text] of Object.entries(stepChannels(step))) {
        if (channel === 'GITHUB_ENV') continue; // checked by expectPasswordOnlyInGoproxy
        const shown =
          channel === 'stdout'
            ? text
                .split('\n')
                .filter((line) => !line.startsWith('::add-mask::'))
                .join('\n')
            : text;
        hits.push(...scanText(shown, secrets, `${channel} of ${step.name}`));
      }
    }
    // Files: RUNNER_TEMP (file commands, anything the action left), the workspace, HOME (go env
    // file, git config, module cache), the tool cache. Exempt: the GITHUB_ENV files (checked
    // above) and the checkout's .git/config, where the test planted the remote on purpose.
    const planted = join(runner.dirs.workspace, '.git', 'config');
    const tree = await scanTree(runner.dirs.root, secrets, (path) => {
      if (path === planted) return true;
      return /(^|[\\/])set_env_/.test(relative(runner.dirs.root, path).split(sep).at(-1) ?? '');
    });
    expect(tree.files).toBeGreaterThan(5);
    hits.push(...tree.hits);
    // What reached the cache service: request bodies and the saved archives' contents.
    for (const entry of cache.log) {
      hits.push(...scanText(JSON.stringify(entry.body ?? ''), secrets, `cache ${entry.kind}`));
    }
    for (const entry of cache.entries()) {
      hits.push(...scanText(entry.key, secrets, 'cache key'));
      if (entry.blob) {
        hits.push(
          ...scanText(decompressedArchive(entry.blob).toString('latin1'), secrets, 'cache archive'),
        );
      }
    }
    return hits;
  }

  const privatePathAt = (records: readonly RequestRecord[]) =>
    records.filter((r) => r.path.includes(PRIVATE_HOST_PATTERN));

  it('issue 2: a token in the remote URL and a proxy password reach no output channel', async () => {
    const { workspace, root } = runner.dirs;
    await plantCheckout(workspace, PLANTED_REMOTE);
    const modules = consumerModules();
    await writeConsumerModule(workspace, sim.corpus, { modules, modulePath: REPOSITORY_MODULE });
    const eventFile = join(root, 'event.json');
    await writePrivateEventPayload(eventFile, 'acme/private-repo');

    const result = await e2eJob(sim, runner, {
      inputs: {
        mirrors: sim.url('public'),
        'private-proxy': privateProxyUrl(),
        goprivate: PRIVATE_HOST_PATTERN,
        'goprivate-from-remote': 'auto',
        'probe-modules': 'auto',
        'write-go-env': 'true',
        cache: 'true',
      },
      env: {
        GITHUB_REPOSITORY: 'acme/private-repo',
        GITHUB_REPOSITORY_OWNER: 'acme',
        GITHUB_EVENT_PATH: eventFile,
      },
      cacheService: cache.env(),
      steps: [downloadStep(modules)],
    });
    expectGreen(result);

    // GOPRIVATE: the input's host and the owner derived from the private repository.
    expect(result.env.GOPRIVATE?.split(',')).toEqual(
      expect.arrayContaining(['github.com/acme', PRIVATE_HOST_PATTERN]),
    );
    expect(result.outputs.goprivate).toBe(result.env.GOPRIVATE);
    const report = JSON.parse(result.outputs.report!);
    const derived = (report.privatePatterns as { pattern: string; source: string }[]).filter(
      (p) => p.source === 'remote' || p.source === 'ci',
    );
    expect(derived.map((p) => p.pattern)).toEqual(['github.com/acme']);

    // The main step registered the proxy credentials with the runner before using them.
    expect(maskedValues(result.main)).toContain(PASSWORD);

    // The go env file exists, without credentials (it outlives the job).
    const goEnvFile = join(runner.dirs.home, '.config', 'go', 'env');
    const goEnv = await readFile(goEnvFile, 'utf8');
    expect(goEnv).toMatch(/^GOPROXY=/m);
    expect(goEnv).toContain('github.com/acme');

    // The post step saved the module cache: its archive is one of the channels scanned below.
    const saved = cache.entries().filter((e) => e.finalized && e.blob !== null);
    expect(saved.length, stepDetail(result.post)).toBeGreaterThan(0);
    expect(decompressedArchive(saved.at(-1)!.blob!).toString('latin1')).toContain(
      `${PRIVATE_MODULE}@v1.0.0`,
    );

    await expectPasswordOnlyInGoproxy(result);
    const hits = await leaks(result, [PLANTED_TOKEN, PASSWORD, USERINFO]);
    expect(hits).toEqual([]);
    // Guard against a scanner that finds nothing: the planted remote is still there.
    const planted = await scanTree(join(workspace, '.git'), [PLANTED_TOKEN]);
    expect(planted.hits.length).toBeGreaterThan(0);
  });

  it('issue 6: a private module comes only through the credentialed private proxy', async () => {
    const { workspace } = runner.dirs;
    const modules = consumerModules();
    await writeConsumerModule(workspace, sim.corpus, { modules });
    let probeRequests: readonly RequestRecord[] = [];

    const result = await e2eJob(sim, runner, {
      inputs: {
        mirrors: sim.url('public'),
        'private-proxy': privateProxyUrl(),
        goprivate: PRIVATE_HOST_PATTERN,
        'probe-modules': 'auto',
        cache: 'false',
      },
      steps: [
        hookStep('remember the probe requests', () => {
          probeRequests = sim.requests;
          sim.reset();
        }),
        downloadStep(modules, true),
      ],
    });
    expectGreen(result);
    const goRequests = sim.requests;

    // What was exported: the private proxy first with `,`, private patterns off the database.
    const privateBase = sim.url('private');
    const publicBase = sim.url('public');
    expect(result.env.GOPROXY).toBe(`${privateProxyUrl()},${publicBase}|direct`);
    expect(result.outputs.goproxy).toBe(`${privateBase},${publicBase}|direct`);
    expect(result.env.GONOPROXY).toBe('none');
    // A healthy private setup: nothing to warn about.
    expect(
      result.main.annotations.filter((a) => a.level !== 'notice'),
      describeAnnotations(result.main.annotations),
    ).toEqual([]);
    expect(result.env.GONOSUMDB?.split(',')).toContain(PRIVATE_HOST_PATTERN);
    expect(result.env.GOPRIVATE?.split(',')).toContain(PRIVATE_HOST_PATTERN);

    // The probe asked the private proxy (with credentials) for the private module, and nobody else.
    const probedPrivate = privatePathAt(probeRequests);
    expect(probedPrivate.length).toBeGreaterThan(0);
    expect(probedPrivate.filter((r) => r.server !== 'private')).toEqual([]);
    expect(probedPrivate.every((r) => r.authorization)).toBe(true);

    // go downloaded the private module through the private proxy, with Authorization.
    const goPrivate = privatePathAt(goRequests);
    expect(goPrivate.filter((r) => r.server !== 'private')).toEqual([]);
    const zip = goPrivate.find((r) => r.path.endsWith('/@v/v1.0.0.zip'));
    expect(zip, JSON.stringify(goPrivate)).toMatchObject({
      server: 'private',
      status: 200,
      authorization: true,
    });
    // Public modules came through the public chain (the private proxy answers 404 for them).
    const publicZips = goRequests.filter(
      (r) => r.server === 'public' && r.path.endsWith('.zip') && r.status === 200,
    );
    expect(publicZips.length).toBe(modules.length - 1);
    // The checksum database never saw the private path, neither directly nor relayed.
    expect(
      privatePathAt([...probeRequests, ...goRequests].filter((r) => r.server === 'sumdb')),
    ).toEqual([]);
    // And it was used for the public modules (go.sum had no entries).
    expect(goRequests.some((r) => r.server === 'sumdb' && r.path.includes('/lookup/'))).toBe(true);

    // The module landed in the module cache.
    const downloaded = await readFile(
      join(
        runner.dirs.root,
        'gopath',
        'pkg',
        'mod',
        'cache',
        'download',
        PRIVATE_MODULE,
        '@v',
        'v1.0.0.mod',
      ),
      'utf8',
    );
    expect(downloaded).toContain(`module ${PRIVATE_MODULE}`);

    await expectPasswordOnlyInGoproxy(result);
    expect(await leaks(result, [PASSWORD, USERINFO])).toEqual([]);
  });

  it('issue 6: the token input leaves nothing behind after the post step', async () => {
    const token = 'ghp_TOKENINPUT456';
    const { workspace, root } = runner.dirs;
    await plantCheckout(workspace, 'https://github.com/acme/private-repo.git');
    await writeConsumerModule(workspace, sim.corpus, { modulePath: REPOSITORY_MODULE });
    const eventFile = join(root, 'event.json');
    await writePrivateEventPayload(eventFile, 'acme/private-repo');
    let duringJob: string[] = [];

    const result = await e2eJob(sim, runner, {
      inputs: { mirrors: sim.url('public'), 'goprivate-from-remote': 'true', token },
      env: { GITHUB_REPOSITORY: 'acme/private-repo', GITHUB_EVENT_PATH: eventFile },
      steps: [
        hookStep('where is the token during the job', async () => {
          const scan = await scanTree(root, [token]);
          duringJob = scan.hits.map((h) => h.where);
        }),
      ],
    });
    expectGreen(result);
    expect(result.env.GOPRIVATE).toBe('github.com/acme');
    expect(maskedValues(result.main)).toContain(token);
    // While the job runs, the token sits only in the insteadOf include file under RUNNER_TEMP …
    expect(duringJob.length, 'the token input wrote no credentials').toBeGreaterThan(0);
    expect(
      duringJob.every((where) => where.startsWith(`temp${sep}`)),
      duringJob.join('\n'),
    ).toBe(true);
    // … and after the post step nowhere.
    expect(await leaks(result, [token])).toEqual([]);
  });
});

/** A password that needs percent-encoding in the URL: neither its raw nor its encoded form may leak. */
describe('a private proxy password with URL-special characters', () => {
  const auth = { user: 'deploy', password: 'S3cr3t/p@ss:w%rd' };
  let sim: Simulator;
  let runner: E2ERunner;

  beforeAll(async () => {
    sim = await startSimulator({ mirrors: privateFleet(auth) });
  });
  afterAll(async () => {
    await sim?.close();
  });
  beforeEach(async () => {
    runner = await createE2ERunner(sim, 'private-special');
  });
  afterEach(async () => {
    await removeRunnerDirs(runner.dirs);
  });

  it('works for go and appears in no channel but GITHUB_ENV', async () => {
    const secret = sim.corpus.get(PRIVATE_MODULE, 'v1.0.0')!;
    const modules = [...defaultConsumerModules(sim.corpus), secret];
    await writeConsumerModule(runner.dirs.workspace, sim.corpus, { modules });
    const result = await e2eJob(sim, runner, {
      inputs: {
        mirrors: sim.url('public'),
        'private-proxy': sim.url('private', { credentials: true }),
        goprivate: PRIVATE_HOST_PATTERN,
        'probe-modules': 'auto',
      },
      steps: [goStep(['mod', 'download', ...modules.map((m) => `${m.path}@${m.version}`)])],
    });
    expect(result.success, jobDetail(result)).toBe(true);
    const secrets = [auth.password, encodeURIComponent(auth.password)];
    const hits: SecretHit[] = [];
    for (const step of [result.main, ...result.steps, ...(result.post ? [result.post] : [])]) {
      for (const [channel, text] of Object.entries(stepChannels(step))) {
        if (channel === 'GITHUB_ENV') continue;
        const shown = text
          .split('\n')
          .filter((line) => !line.startsWith('::add-mask::'))
          .join('\n');
        hits.push(...scanText(shown, secrets, `${channel} of ${step.name}`));
      }
    }
    const tree = await scanTree(runner.dirs.root, secrets, (path) =>
      /(^|[\\/])set_env_[^\\/]*$/.test(path),
    );
    hits.push(...tree.hits);
    expect(hits).toEqual([]);
    // Both forms are registered with the runner, so it masks whichever a later step prints.
    expect(maskedValues(result.main)).toEqual(expect.arrayContaining(secrets));
    expect(result.env.GOPROXY).toContain(`${encodeURIComponent(auth.password)}@`);
    const carriers = Object.entries(result.env)
      .filter(([, value]) => secrets.some((form) => value.includes(form)))
      .map(([name]) => name);
    expect(carriers).toEqual(['GOPROXY']);
  });
});
