import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import {
  type CredentialRevertPlan,
  GITLAB_NETRC_REVERT_SHELL_SNIPPET,
  GITLAB_NETRC_SHELL_SNIPPET,
  applyCredentials,
  credentialScopes,
  gitlabNetrcLine,
  httpsPrefix,
  insteadOfConfigText,
  netrcLine,
  revertCredentials,
} from '../../src/private/credentials.js';

const TOKEN = 'ghs_LeakCanary0123456789abcdef';
const isWindows = process.platform === 'win32';
/** Our file name in a directory that is not one of ours. */
const INCLUDE_LOOKALIKE = 'credentials.gitconfig';

let root: string;
let home: string;
let runnerTemp: string;
let env: Record<string, string | undefined>;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'gps-private-cred-'));
  home = join(root, 'home');
  runnerTemp = join(root, 'runner-temp');
  await mkdir(home);
  await mkdir(runnerTemp);
  // Isolated HOME: git's global config and the netrc live in the test's own directory.
  env = {
    ...process.env,
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: undefined,
    NETRC: undefined,
    RUNNER_TEMP: runnerTemp,
  };
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function cleanEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: cleanEnv(), encoding: 'utf8' }).trim();
}

function globalList(): string {
  try {
    return git(root, 'config', '--global', '--list');
  } catch {
    return ''; // no global config file at all
  }
}

async function remoteUrlAfterRewrite(url: string): Promise<string> {
  const dir = await mkdtemp(join(root, 'repo-'));
  git(dir, 'init', '-q');
  git(dir, 'remote', 'add', 'origin', url);
  return git(dir, 'remote', 'get-url', 'origin');
}

/** cmd/go/internal/auth/netrc.go parseNetrc (Go 1.19), to check what Go would read. */
function goParseNetrc(data: string): { machine: string; login: string; password: string }[] {
  const out: { machine: string; login: string; password: string }[] = [];
  let line = { machine: '', login: '', password: '' };
  let inMacro = false;
  for (const text of data.split('\n')) {
    if (inMacro) {
      if (text === '') inMacro = false;
      continue;
    }
    const f = text.split(/\s+/).filter((field) => field !== '');
    let i = 0;
    for (; i < f.length - 1; i += 2) {
      switch (f[i]) {
        case 'machine':
          line = { machine: f[i + 1]!, login: '', password: '' };
          break;
        case 'login':
          line.login = f[i + 1]!;
          break;
        case 'password':
          line.password = f[i + 1]!;
          break;
        case 'macdef':
          inMacro = true;
          break;
      }
      if (line.machine !== '' && line.login !== '' && line.password !== '') {
        out.push(line);
        line = { machine: '', login: '', password: '' };
      }
    }
    if (i < f.length && f[i] === 'default') break;
  }
  return out;
}

/** Go and curl both use the first entry whose machine matches. */
function goCredentialsFor(
  data: string,
  host: string,
): { login: string; password: string } | undefined {
  const entry = goParseNetrc(data).find((candidate) => candidate.machine === host);
  return entry && { login: entry.login, password: entry.password };
}

describe('credentialScopes', () => {
  it('keeps literal patterns on the token host, narrowest first removed when covered', () => {
    const { scopes, skipped } = credentialScopes(
      [
        'github.com/acme',
        'github.com/acme/app',
        'go.acme.dev',
        'github.com/other-*',
        'github.com/beta/',
        'gitlab.com/acme',
      ],
      'GitHub.com',
    );
    expect(scopes).toEqual([
      { host: 'github.com', pathPrefix: 'acme' },
      { host: 'github.com', pathPrefix: 'beta' },
    ]);
    expect(skipped).toEqual([
      "go.acme.dev: not on github.com, the token's host",
      'github.com/other-*: has wildcards, and a git insteadOf rule needs a literal prefix',
      "gitlab.com/acme: not on github.com, the token's host",
    ]);
  });

  it('a whole-host pattern covers the owners on it', () => {
    expect(
      credentialScopes(['ghes.corp.example/team', 'ghes.corp.example'], 'ghes.corp.example').scopes,
    ).toEqual([{ host: 'ghes.corp.example', pathPrefix: '' }]);
  });

  it('https prefixes end in a slash, so acme never matches acmecorp', () => {
    expect(httpsPrefix({ host: 'github.com', pathPrefix: 'acme' })).toBe(
      'https://github.com/acme/',
    );
    expect(httpsPrefix({ host: 'ghes.corp.example', pathPrefix: '' })).toBe(
      'https://ghes.corp.example/',
    );
  });
});

describe('insteadOf rules', () => {
  const scopes = [
    { host: 'github.com', pathPrefix: 'acme' },
    { host: 'github.com', pathPrefix: 'beta/sub' },
  ];

  it('renders the shape Go’s git clones use, escaping the token for a URL', () => {
    expect(insteadOfConfigText('a/b+c', 'x-access-token', scopes)).toBe(
      [
        '# Added by go-proxy-setup for private Go modules; removed by its post step.',
        '[url "https://x-access-token:a%2Fb%2Bc@github.com/acme/"]',
        '\tinsteadOf = "https://github.com/acme/"',
        '[url "https://x-access-token:a%2Fb%2Bc@github.com/beta/sub/"]',
        '\tinsteadOf = "https://github.com/beta/sub/"',
        '',
      ].join('\n'),
    );
  });

  it('applies, rewrites exactly the scoped URLs, and reverts to the original global config', async () => {
    // Pre-existing global config: must survive untouched.
    git(root, 'config', '--global', 'user.name', 'Runner');
    git(root, 'config', '--global', 'url.git@github.com:.insteadOf', 'https://github.com/');
    git(root, 'config', '--global', '--add', 'include.path', '/etc/other.gitconfig');
    const before = globalList();
    const gitconfigBefore = await readFile(join(home, '.gitconfig'), 'utf8');

    const { plan, notes } = await applyCredentials({
      token: TOKEN,
      scopes,
      method: 'insteadof',
      env,
    });
    expect(plan.gitConfig).not.toBeNull();
    expect(notes).toEqual([
      'git fetches of https://github.com/acme/ use the token (insteadOf rule).',
      'git fetches of https://github.com/beta/sub/ use the token (insteadOf rule).',
    ]);
    // The plan is JSON and holds no token; git's own listing of the global file neither.
    const planJson = JSON.stringify(plan);
    expect(JSON.parse(planJson)).toEqual(plan);
    expect(planJson).not.toContain(TOKEN);
    expect(globalList()).not.toContain(TOKEN);
    expect(globalList()).toBe(`${before}\ninclude.path=${plan.gitConfig!.includePath}`);
    expect(plan.gitConfig!.includePath.startsWith(runnerTemp)).toBe(true);
    if (!isWindows) expect((await stat(plan.gitConfig!.includePath)).mode & 0o777).toBe(0o600);

    // git really rewrites what Go asks for (Go uses https://host/owner/repo, no .git) …
    expect(await remoteUrlAfterRewrite('https://github.com/acme/app')).toBe(
      `https://x-access-token:${TOKEN}@github.com/acme/app`,
    );
    expect(await remoteUrlAfterRewrite('https://github.com/beta/sub/lib.git')).toBe(
      `https://x-access-token:${TOKEN}@github.com/beta/sub/lib.git`,
    );
    // … and nothing else: other owners keep the user's own rule, a longer-named owner is not matched.
    expect(await remoteUrlAfterRewrite('https://github.com/acmecorp/app')).toBe(
      'git@github.com:acmecorp/app',
    );
    expect(await remoteUrlAfterRewrite('https://github.com/beta/app')).toBe(
      'git@github.com:beta/app',
    );

    expect(await revertCredentials(plan, { env })).toEqual([]);
    expect(globalList()).toBe(before);
    expect(await readFile(join(home, '.gitconfig'), 'utf8')).toBe(gitconfigBefore);
    expect(await readdir(runnerTemp)).toEqual([]);
    expect(await remoteUrlAfterRewrite('https://github.com/acme/app')).toBe(
      'git@github.com:acme/app',
    );
  });

  it('leaves no global config file behind when there was none', async () => {
    const { plan } = await applyCredentials({ token: TOKEN, scopes, method: 'insteadof', env });
    expect(plan.gitConfig!.createdGlobalConfig).toBe(true);
    await revertCredentials(plan, { env });
    expect(await readdir(home)).toEqual([]);
  });

  it('two applications revert independently, in any order', async () => {
    const first = await applyCredentials({ token: TOKEN, scopes, method: 'insteadof', env });
    const second = await applyCredentials({
      token: `${TOKEN}2`,
      scopes: [scopes[0]!],
      method: 'insteadof',
      env,
    });
    expect(await revertCredentials(first.plan, { env })).toEqual([]);
    expect(globalList()).toBe(`include.path=${second.plan.gitConfig!.includePath}`);
    expect(await revertCredentials(second.plan, { env })).toEqual([]);
    expect(globalList()).toBe('');
  });

  it('reverting twice is harmless', async () => {
    const { plan } = await applyCredentials({ token: TOKEN, scopes, method: 'insteadof', env });
    await revertCredentials(plan, { env });
    expect(await revertCredentials(plan, { env })).toEqual([]);
  });

  it('clears the include lines of earlier runs whose post step never ran, and nothing else', async () => {
    // A job on another runner sharing this HOME is still running: its file exists.
    const running = await applyCredentials({ token: TOKEN, scopes, method: 'insteadof', env });
    // An earlier job failed: its include line stayed, the runner deleted its RUNNER_TEMP file.
    const earlier = await applyCredentials({ token: TOKEN, scopes, method: 'insteadof', env });
    await rm(dirname(earlier.plan.gitConfig!.includePath), { recursive: true });
    // Lines that are not ours stay whether their file exists or not.
    git(root, 'config', '--global', '--add', 'include.path', '/etc/missing.gitconfig');
    const foreignLookalike = join(root, 'elsewhere', INCLUDE_LOOKALIKE);
    git(root, 'config', '--global', '--add', 'include.path', foreignLookalike);

    const next = await applyCredentials({ token: TOKEN, scopes, method: 'insteadof', env });
    expect(next.notes[0]).toMatch(/^Removed 1 include\.path entry from the global git config/);
    expect(globalList().split('\n')).toEqual([
      `include.path=${running.plan.gitConfig!.includePath}`,
      'include.path=/etc/missing.gitconfig',
      `include.path=${foreignLookalike}`,
      `include.path=${next.plan.gitConfig!.includePath}`,
    ]);
    expect(globalList()).not.toContain(earlier.plan.gitConfig!.includePath);
    // Nothing stale the next time: no note.
    await revertCredentials(next.plan, { env });
    const again = await applyCredentials({ token: TOKEN, scopes, method: 'insteadof', env });
    expect(again.notes.some((note) => note.startsWith('Removed'))).toBe(false);
  });

  it('never deletes a directory it did not create', async () => {
    const foreign = join(root, 'foreign');
    await mkdir(foreign);
    await writeFile(join(foreign, 'keep.gitconfig'), '[user]\n\tname = x\n');
    const plan: CredentialRevertPlan = {
      version: 1,
      gitConfig: {
        includePath: join(foreign, 'keep.gitconfig'),
        globalConfigFile: join(home, '.gitconfig'),
        createdGlobalConfig: false,
        rewrites: [],
      },
      netrc: null,
    };
    const problems = await revertCredentials(plan, { env });
    expect(problems).toHaveLength(1);
    expect(await readdir(foreign)).toEqual(['keep.gitconfig']);
  });
});

describe('netrc entries', () => {
  const scopes = [{ host: 'github.com', pathPrefix: 'acme' }];
  const existing = [
    'machine example.org login bob password pw',
    'machine gitlab.corp.example',
    '  login deploy',
    '  password dpw',
    'default login anonymous password guest',
    '',
  ].join('\n');

  it('puts ours first (Go stops at `default`), reverts byte for byte and restores the mode', async () => {
    const file = join(home, '.netrc');
    await writeFile(file, existing);
    if (!isWindows) await chmod(file, 0o644);
    expect(goCredentialsFor(existing, 'github.com')).toBeUndefined();

    const { plan, notes } = await applyCredentials({ token: TOKEN, scopes, method: 'netrc', env });
    expect(plan.netrc).toMatchObject({ file, hosts: ['github.com'], createdFile: false });
    expect(JSON.stringify(plan)).not.toContain(TOKEN);
    expect(notes).toContain(
      'A netrc entry applies to the whole host; it cannot be narrowed to an owner.',
    );
    const written = await readFile(file, 'utf8');
    expect(written.endsWith(existing)).toBe(true);
    expect(goCredentialsFor(written, 'github.com')).toEqual({
      login: 'x-access-token',
      password: TOKEN,
    });
    expect(goCredentialsFor(written, 'example.org')).toEqual({ login: 'bob', password: 'pw' });
    expect(goCredentialsFor(written, 'gitlab.corp.example')).toEqual({
      login: 'deploy',
      password: 'dpw',
    });
    if (!isWindows) expect((await stat(file)).mode & 0o777).toBe(0o600);

    expect(await revertCredentials(plan, { env })).toEqual([]);
    expect(await readFile(file, 'utf8')).toBe(existing);
    if (!isWindows) expect((await stat(file)).mode & 0o777).toBe(0o644);
  });

  it('leaves a host that already has an entry alone', async () => {
    const file = join(home, '.netrc');
    await writeFile(file, existing);
    const { plan, notes } = await applyCredentials({
      token: TOKEN,
      scopes: [{ host: 'gitlab.corp.example', pathPrefix: '' }],
      method: 'netrc',
      username: 'oauth2',
      env,
    });
    expect(plan.netrc).toBeNull();
    expect(notes[0]).toContain('already has an entry for gitlab.corp.example');
    expect(await readFile(file, 'utf8')).toBe(existing);
  });

  it('honours $NETRC, creates the file 0600, and deletes it again', async () => {
    const file = join(root, 'custom-netrc');
    env.NETRC = file;
    const { plan } = await applyCredentials({ token: TOKEN, scopes, method: 'netrc', env });
    expect(plan.netrc).toMatchObject({ file, createdFile: true, originalMode: null });
    if (!isWindows) expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(goCredentialsFor(await readFile(file, 'utf8'), 'github.com')?.password).toBe(TOKEN);
    await revertCredentials(plan, { env });
    await expect(stat(file)).rejects.toThrow();
    expect(await readdir(home)).toEqual([]);
  });

  it('keeps lines added after ours by someone else', async () => {
    const file = join(home, '.netrc');
    const { plan } = await applyCredentials({ token: TOKEN, scopes, method: 'netrc', env });
    await writeFile(
      file,
      `${await readFile(file, 'utf8')}machine other.example login u password p\n`,
    );
    await revertCredentials(plan, { env });
    expect(await readFile(file, 'utf8')).toBe('machine other.example login u password p\n');
  });
});

describe('nothing written when not asked', () => {
  it.each([
    ['no token', '', [{ host: 'github.com', pathPrefix: 'acme' }]],
    ['no scope', TOKEN, []],
  ] as const)('%s', async (_name, token, scopes) => {
    for (const method of ['insteadof', 'netrc'] as const) {
      const result = await applyCredentials({ token, scopes, method, env });
      expect(result.plan).toEqual({ version: 1, gitConfig: null, netrc: null });
    }
    expect(await readdir(home)).toEqual([]);
    expect(await readdir(runnerTemp)).toEqual([]);
  });

  it('a token with white space is one InputError line that does not quote it', async () => {
    const run = applyCredentials({
      token: `${TOKEN} x`,
      scopes: [{ host: 'github.com', pathPrefix: 'acme' }],
      method: 'netrc',
      env,
    });
    await expect(run).rejects.toThrow(InputError);
    await expect(run).rejects.toThrow(/^Invalid input 'token': [^\n]+$/);
    await run.catch((error: Error) => expect(error.message).not.toContain(TOKEN));
    expect(await readdir(home)).toEqual([]);
  });
});

describe('GitLab netrc', () => {
  const ciEnv = { CI_SERVER_HOST: 'GitLab.Corp.Example', CI_JOB_TOKEN: TOKEN };

  it('renders the job-token line for CI_SERVER_HOST', () => {
    expect(gitlabNetrcLine(ciEnv)).toBe(
      `machine gitlab.corp.example login gitlab-ci-token password ${TOKEN}`,
    );
    expect(gitlabNetrcLine({ CI_SERVER_HOST: 'gitlab.com' })).toBeNull();
    expect(() => netrcLine('h.example', 'u', 'p w')).toThrow(InputError);
  });

  function sh(script: string, vars: Record<string, string>): { stdout: string; stderr: string } {
    const run = spawnSync('sh', ['-c', script], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...vars },
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    return { stdout: run.stdout, stderr: run.stderr };
  }

  const vars = { CI_SERVER_HOST: 'gitlab.corp.example', CI_JOB_TOKEN: TOKEN };
  const line = gitlabNetrcLine(vars)!;

  it.skipIf(isWindows)(
    'the shell snippet writes the same line, 0600, and prints nothing',
    async () => {
      const { stdout, stderr } = sh(GITLAB_NETRC_SHELL_SNIPPET, vars);
      expect(stdout).toBe('');
      expect(stderr).toBe('');
      const file = join(home, '.netrc');
      expect(await readFile(file, 'utf8')).toBe(`${line}\n`);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(goCredentialsFor(await readFile(file, 'utf8'), 'gitlab.corp.example')).toEqual({
        login: 'gitlab-ci-token',
        password: TOKEN,
      });
    },
  );

  it.skipIf(isWindows)(
    'replaces a previous job’s token line, keeps other entries, and reverts',
    async () => {
      const file = join(home, '.netrc');
      const others = 'machine example.org login bob password pw\n';
      await writeFile(
        file,
        `machine gitlab.corp.example login gitlab-ci-token password OLDJOBTOKEN\n${others}`,
      );
      sh(GITLAB_NETRC_SHELL_SNIPPET, vars);
      expect(await readFile(file, 'utf8')).toBe(`${line}\n${others}`);
      sh(GITLAB_NETRC_SHELL_SNIPPET, vars); // idempotent
      expect(await readFile(file, 'utf8')).toBe(`${line}\n${others}`);
      sh(GITLAB_NETRC_REVERT_SHELL_SNIPPET, vars);
      expect(await readFile(file, 'utf8')).toBe(others);
    },
  );

  it.skipIf(isWindows)('an entry of the user’s own for the host wins', async () => {
    const file = join(home, '.netrc');
    const own = 'machine gitlab.corp.example login me password my-pat\n';
    await writeFile(file, own);
    sh(GITLAB_NETRC_SHELL_SNIPPET, vars);
    expect(await readFile(file, 'utf8')).toBe(own);
  });

  it.skipIf(isWindows)(
    'the revert snippet removes a file it leaves empty; $NETRC is honoured',
    async () => {
      const file = join(root, 'job-netrc');
      sh(GITLAB_NETRC_SHELL_SNIPPET, { ...vars, NETRC: file });
      expect(await readFile(file, 'utf8')).toBe(`${line}\n`);
      sh(GITLAB_NETRC_REVERT_SHELL_SNIPPET, { ...vars, NETRC: file });
      await expect(stat(file)).rejects.toThrow();
      expect(await readdir(home)).toEqual([]);
    },
  );

  /** PATH shims: each logs what it sees, then runs the real command (or fails, for `chmod`). */
  async function shims(failChmod: boolean): Promise<{ path: string; log: string }> {
    const dir = join(root, 'shims');
    const log = join(root, 'shim.log');
    await mkdir(dir, { recursive: true });
    const realCat = execFileSync('sh', ['-c', 'command -v cat'], { encoding: 'utf8' }).trim();
    // `cat` runs while the token line is already in the netrc (after printf, same redirection):
    // the modes it logs are those the token was written under.
    await writeFile(
      join(dir, 'cat'),
      `#!/bin/sh\nls -ln "$GPS_WATCH" "$@" | cut -c1-10 >> "${log}"\nexec ${realCat} "$@"\n`,
      { mode: 0o755 },
    );
    if (failChmod) await writeFile(join(dir, 'chmod'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    return { path: `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}`, log };
  }

  it.skipIf(isWindows)(
    'a world-readable netrc (and a stale temporary copy) is made 0600 before the token goes in',
    async () => {
      const file = join(home, '.netrc');
      const others = 'machine example.org login bob password pw\n';
      await writeFile(file, others);
      await chmod(file, 0o644);
      await writeFile(`${file}.gps-tmp`, 'stale\n');
      await chmod(`${file}.gps-tmp`, 0o644);
      const { path, log } = await shims(false);
      sh(GITLAB_NETRC_SHELL_SNIPPET, { ...vars, PATH: path, GPS_WATCH: file });
      const modes = (await readFile(log, 'utf8')).trim().split('\n');
      expect(modes.length).toBeGreaterThanOrEqual(2); // the netrc and the temporary copy
      expect(modes.every((mode) => mode === '-rw-------')).toBe(true);
      expect(await readFile(file, 'utf8')).toBe(`${line}\n${others}`);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(await readdir(home)).toEqual(['.netrc']);
    },
  );

  it.skipIf(isWindows)(
    'when the netrc cannot be made private, the token is not written',
    async () => {
      const file = join(home, '.netrc');
      const others = 'machine example.org login bob password pw\n';
      await writeFile(file, others);
      await chmod(file, 0o644);
      const { path } = await shims(true);
      const run = spawnSync('sh', ['-c', GITLAB_NETRC_SHELL_SNIPPET], {
        env: { PATH: path, HOME: home, ...vars, GPS_WATCH: file },
        encoding: 'utf8',
      });
      expect(run.status).not.toBe(0);
      expect(await readFile(file, 'utf8')).toBe(others);
      expect(await readdir(home)).toEqual(['.netrc']);
    },
  );

  it.skipIf(isWindows)('does nothing outside a GitLab job', async () => {
    sh(GITLAB_NETRC_SHELL_SNIPPET, { CI_SERVER_HOST: 'gitlab.corp.example' });
    expect(await readdir(home)).toEqual([]);
  });
});
