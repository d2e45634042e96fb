/** writeGoEnv with the real go command, in an isolated HOME and env file. */
import { existsSync } from 'node:fs';
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readEnvFile, updateEnvFile } from '../../src/goenv/envfile.js';
import { GoCommandError, writeGoEnv } from '../../src/writers/go-env-file.js';
import { isolatedGoEnv, makeTempRoot } from '../goenv/go-harness.js';

let temp: { root: string; cleanup: () => Promise<void> };
let counter = 0;

beforeAll(async () => {
  temp = await makeTempRoot('gps-goenvw-');
});
afterAll(async () => {
  await temp?.cleanup();
});

/** A fresh env file per test; GOFLAGS empty so only the keys under test can conflict. */
function freshEnv(extra: Record<string, string> = {}): {
  env: Record<string, string>;
  file: string;
} {
  const name = `w${++counter}`;
  const env = isolatedGoEnv(temp.root, name, {
    GOFLAGS: '',
    HOME: join(temp.root, `home-${name}`),
    ...extra,
  });
  return { env, file: env.GOENV! };
}

const SETTINGS = {
  GOPROXY: 'https://goproxy.cn|https://proxy.golang.org,direct',
  GOSUMDB: 'sum.golang.org',
  GOPRIVATE: 'corp.com,*.corp.com',
};

describe('writeGoEnv', () => {
  test('writes what go env -w writes, and a second run leaves the file byte-identical and untouched', async () => {
    const { env, file } = freshEnv();
    const first = await writeGoEnv(SETTINGS, { env });
    expect(first).toMatchObject({
      file,
      skipped: null,
      unset: [],
      unchanged: [],
      overriddenByEnvironment: [],
    });
    expect([...first.set].sort()).toEqual(['GOPRIVATE', 'GOPROXY', 'GOSUMDB']);
    const text = await readFile(file, 'utf8');
    expect(text).toBe(updateEnvFile('', SETTINGS));
    const before = await stat(file);

    const second = await writeGoEnv(SETTINGS, { env });
    expect(second.set).toEqual([]);
    expect([...second.unchanged].sort()).toEqual(['GOPRIVATE', 'GOPROXY', 'GOSUMDB']);
    expect(await readFile(file, 'utf8')).toBe(text);
    expect((await stat(file)).mtimeMs).toBe(before.mtimeMs);
  });

  test('merges with an existing file and changes only what differs', async () => {
    const { env, file } = freshEnv();
    const start =
      '# managed by hand\nGOSUMDB=sum.golang.org\nGOFLAGS=-mod=mod\nGOPROXY=https://old.example\n';
    await writeFile(file, start);
    const result = await writeGoEnv(SETTINGS, { env });
    expect([...result.set].sort()).toEqual(['GOPRIVATE', 'GOPROXY']);
    expect(result.unchanged).toEqual(['GOSUMDB']);
    expect(await readFile(file, 'utf8')).toBe(
      updateEnvFile(start, { GOPROXY: SETTINGS.GOPROXY, GOPRIVATE: SETTINGS.GOPRIVATE }),
    );
  });

  test('null or empty removes the key (go env -u) and never leaves KEY= behind', async () => {
    const { env, file } = freshEnv();
    await writeFile(file, 'GOPROXY=\nGONOSUMDB=x\nGOSUMDB=off\n');
    const result = await writeGoEnv(
      { GOPROXY: '', GONOSUMDB: null, GOSUMDB: 'sum.golang.org' },
      { env },
    );
    expect(result.unset).toEqual(['GOPROXY', 'GONOSUMDB']);
    expect(await readFile(file, 'utf8')).toBe('GOSUMDB=sum.golang.org\n');
  });

  test('removing from a missing file is a no-op, not an error, and creates nothing', async () => {
    const { env, file } = freshEnv();
    const result = await writeGoEnv({ GOPROXY: null, GOSUMDB: '' }, { env });
    expect(result).toMatchObject({ set: [], unset: [], unchanged: ['GOPROXY', 'GOSUMDB'] });
    expect(existsSync(file)).toBe(false);
  });

  test('reports keys a non-empty, different OS variable overrides, also when the file already agrees', async () => {
    const { env } = freshEnv({
      GOPROXY: 'https://proxy.golang.org,direct',
      GOSUMDB: 'sum.golang.org',
      GOPRIVATE: '',
    });
    const first = await writeGoEnv(SETTINGS, { env });
    expect(first.overriddenByEnvironment).toEqual(['GOPROXY']);
    const second = await writeGoEnv(SETTINGS, { env });
    expect(second.set).toEqual([]);
    expect(second.overriddenByEnvironment).toEqual(['GOPROXY']);
  });

  test('finds the default file from HOME when GOENV is not set', async () => {
    const { env: withGoenv } = freshEnv();
    const { GOENV: _unused, ...env } = withGoenv;
    const result = await writeGoEnv({ GOPROXY: 'https://goproxy.io,direct' }, { env });
    expect(result.file).toBe(join(env.HOME!, '.config', 'go', 'env'));
    expect(readEnvFile(await readFile(result.file!, 'utf8')).get('GOPROXY')).toBe(
      'https://goproxy.io,direct',
    );
  });

  test('GOENV=off: nothing written', async () => {
    const { env } = freshEnv({ GOENV: 'off' });
    const result = await writeGoEnv(SETTINGS, { env });
    expect(result.skipped).toMatch(/GOENV=off/);
    expect(existsSync(join(env.HOME!, '.config', 'go', 'env'))).toBe(false);
  });

  test('refuses values go would reject, before touching the file', async () => {
    const { env, file } = freshEnv();
    await expect(writeGoEnv({ GOPROXY: 'a\nb' }, { env })).rejects.toThrow(GoCommandError);
    await expect(writeGoEnv({ 'bad key': 'x' }, { env })).rejects.toThrow(/invalid go env key/);
    expect(existsSync(file)).toBe(false);
  });

  test('two writers at once leave a valid file with both results', async () => {
    for (let round = 0; round < 4; round++) {
      const { env, file } = freshEnv();
      await writeFile(file, '# shared\nGOFLAGS=-mod=mod\n');
      const [a, b] = await Promise.all([
        writeGoEnv(
          { GOPROXY: `https://a${round}.example,direct`, GOPRIVATE: 'a.example' },
          { env },
        ),
        writeGoEnv({ GOSUMDB: 'sum.golang.google.cn', GONOSUMDB: 'b.example' }, { env }),
      ]);
      expect(a.set.length + b.set.length).toBe(4);
      const values = readEnvFile(await readFile(file, 'utf8'));
      expect(Object.fromEntries(values)).toEqual({
        GOFLAGS: '-mod=mod',
        GOPROXY: `https://a${round}.example,direct`,
        GOPRIVATE: 'a.example',
        GOSUMDB: 'sum.golang.google.cn',
        GONOSUMDB: 'b.example',
      });
      expect(existsSync(`${file}.go-proxy-setup.lock`)).toBe(false);
    }
  });

  test('waits for a held lock, takes over a stale one', async () => {
    const { env, file } = freshEnv();
    const lock = `${file}.go-proxy-setup.lock`;
    await writeFile(lock, 'held\n');
    await expect(writeGoEnv(SETTINGS, { env, lockTimeoutMs: 300 })).rejects.toThrow(
      /timed out after 300 ms/,
    );
    const old = new Date(Date.now() - 10 * 60_000);
    await utimes(lock, old, old);
    const result = await writeGoEnv(SETTINGS, { env, lockTimeoutMs: 2_000 });
    expect(result.set).toHaveLength(3);
    expect(existsSync(lock)).toBe(false);
  });
});
