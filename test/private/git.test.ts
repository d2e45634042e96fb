import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventRepositoryFrom, readEventRepository, readOriginUrl } from '../../src/private/git.js';

const TOKEN = 'glcbt-LeakCanary0123456789';

let root: string;
let env: Record<string, string | undefined>;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'gps-private-git-'));
  // An isolated git: no system or user config from the machine running the tests.
  env = {
    ...process.env,
    HOME: root,
    XDG_CONFIG_HOME: join(root, 'xdg'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: undefined,
  };
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function git(cwd: string, ...args: string[]): string {
  const clean = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined),
  ) as Record<string, string>;
  return execFileSync('git', args, { cwd, env: clean, encoding: 'utf8' }).trim();
}

async function repository(name: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir);
  git(dir, 'init', '-q');
  return dir;
}

describe('readOriginUrl', () => {
  it('returns the origin URL, token included (the caller treats it as a secret)', async () => {
    const dir = await repository('repo');
    git(
      dir,
      'remote',
      'add',
      'origin',
      `https://gitlab-ci-token:${TOKEN}@gitlab.corp.example/grp/proj.git`,
    );
    expect(await readOriginUrl(dir, { env })).toBe(
      `https://gitlab-ci-token:${TOKEN}@gitlab.corp.example/grp/proj.git`,
    );
  });

  it('applies insteadOf rules, like GitLab runners >= 18.6 do with the token', async () => {
    const dir = await repository('repo');
    git(dir, 'remote', 'add', 'origin', 'https://gitlab.corp.example/grp/proj.git');
    git(
      dir,
      'config',
      `url.https://gitlab-ci-token:${TOKEN}@gitlab.corp.example/grp/proj.git.insteadOf`,
      'https://gitlab.corp.example/grp/proj.git',
    );
    expect(await readOriginUrl(dir, { env })).toBe(
      `https://gitlab-ci-token:${TOKEN}@gitlab.corp.example/grp/proj.git`,
    );
  });

  it('returns null without an origin remote', async () => {
    const dir = await repository('repo');
    git(dir, 'remote', 'add', 'upstream', 'https://github.com/acme/app.git');
    expect(await readOriginUrl(dir, { env })).toBeNull();
  });

  it('returns null outside a repository and for a missing directory', async () => {
    const plain = join(root, 'plain');
    await mkdir(plain);
    expect(
      await readOriginUrl(plain, { env: { ...env, GIT_CEILING_DIRECTORIES: root } }),
    ).toBeNull();
    expect(await readOriginUrl(join(root, 'missing'), { env })).toBeNull();
  });
});

describe('readEventRepository', () => {
  async function payload(content: string): Promise<Record<string, string>> {
    const file = join(root, 'event.json');
    await writeFile(file, content);
    return { GITHUB_EVENT_PATH: file };
  }

  it('reads visibility, private and full_name', async () => {
    const env = await payload(
      JSON.stringify({
        repository: { visibility: 'PRIVATE', private: true, full_name: 'acme/app', extra: 1 },
      }),
    );
    expect(await readEventRepository(env)).toEqual({
      visibility: 'private',
      private: true,
      fullName: 'acme/app',
    });
  });

  it('keeps only fields of the right type', async () => {
    const env = await payload(
      JSON.stringify({ repository: { visibility: 'secret', private: 'yes', full_name: 7 } }),
    );
    expect(await readEventRepository(env)).toBeNull();
  });

  it.each([
    ['not JSON', '{'],
    ['no repository', '{"action":"opened"}'],
    ['repository is a string', '{"repository":"acme/app"}'],
    ['array payload', '[1,2]'],
    ['null payload', 'null'],
  ])('returns null for %s', async (_name, content) => {
    expect(await readEventRepository(await payload(content))).toBeNull();
  });

  it('returns null without GITHUB_EVENT_PATH, for a missing file and for a directory', async () => {
    expect(await readEventRepository({})).toBeNull();
    expect(await readEventRepository({ GITHUB_EVENT_PATH: join(root, 'missing.json') })).toBeNull();
    expect(await readEventRepository({ GITHUB_EVENT_PATH: root })).toBeNull();
  });

  it('eventRepositoryFrom reads the internal visibility of GitHub Enterprise', () => {
    expect(eventRepositoryFrom({ repository: { visibility: 'internal', private: true } })).toEqual({
      visibility: 'internal',
      private: true,
    });
  });
});
