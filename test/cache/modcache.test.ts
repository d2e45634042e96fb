import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EMPTY_SNAPSHOT,
  locateModCache,
  measureModCache,
  onlyIncidentalModules,
  splitGoPathList,
} from '../../src/cache/modcache.js';
import { readGoEnvFile } from '../../src/goenv/effective-env.js';
import { goEnvFilePath, readEnvFile } from '../../src/goenv/envfile.js';
import {
  goEnv,
  hello,
  runGo,
  upper,
  writeFileProxy,
  writeMainModule,
} from '../harness/go-fixture.js';
import { removeReadOnlyTree } from '../harness/runner.js';

describe('locateModCache (pure)', () => {
  it.each([
    {
      name: 'GOMODCACHE wins',
      platform: 'linux',
      env: { GOMODCACHE: '/m', GOPATH: '/a', HOME: '/h' },
      path: '/m',
      source: 'GOMODCACHE',
    },
    {
      name: 'first GOPATH entry',
      platform: 'linux',
      env: { GOPATH: '/a:/b', HOME: '/h' },
      path: '/a/pkg/mod',
      source: 'GOPATH',
    },
    {
      name: 'default GOPATH from HOME',
      platform: 'linux',
      env: { HOME: '/home/runner' },
      path: '/home/runner/go/pkg/mod',
      source: 'default GOPATH',
    },
    {
      name: 'empty GOMODCACHE counts as unset',
      platform: 'linux',
      env: { GOMODCACHE: '', HOME: '/h' },
      path: '/h/go/pkg/mod',
      source: 'default GOPATH',
    },
    {
      name: 'macOS default',
      platform: 'darwin',
      env: { HOME: '/Users/runner' },
      path: '/Users/runner/go/pkg/mod',
      source: 'default GOPATH',
    },
    {
      name: 'Windows default from USERPROFILE',
      platform: 'win32',
      env: { USERPROFILE: 'C:\\Users\\runneradmin', HOME: '/ignored' },
      path: 'C:\\Users\\runneradmin\\go\\pkg\\mod',
      source: 'default GOPATH',
    },
    {
      name: 'Windows GOPATH list uses ;',
      platform: 'win32',
      env: { GOPATH: 'D:\\gopath;E:\\other' },
      path: 'D:\\gopath\\pkg\\mod',
      source: 'GOPATH',
    },
    {
      name: 'Windows names are case-insensitive',
      platform: 'win32',
      env: { GoModCache: 'D:\\mc' },
      path: 'D:\\mc',
      source: 'GOMODCACHE',
    },
    {
      name: 'Windows quoted GOPATH entry',
      platform: 'win32',
      env: { GOPATH: '"C:\\a;b";D:\\c' },
      path: 'C:\\a;b\\pkg\\mod',
      source: 'GOPATH',
    },
  ] as const)('$name', ({ platform, env, path, source }) => {
    expect(locateModCache({ env, platform })).toEqual({ path, source });
  });

  it.each([
    {
      name: 'env file GOMODCACHE beats OS GOPATH',
      env: { GOPATH: '/a', HOME: '/h' },
      file: 'GOMODCACHE=/f\n',
      path: '/f',
      source: 'GOMODCACHE in the go env file',
    },
    {
      name: 'OS GOMODCACHE beats env file',
      env: { GOMODCACHE: '/m' },
      file: 'GOMODCACHE=/f\n',
      path: '/m',
      source: 'GOMODCACHE',
    },
    {
      name: 'env file GOPATH',
      env: { HOME: '/h' },
      file: 'GOPATH=/g\n',
      path: '/g/pkg/mod',
      source: 'GOPATH in the go env file',
    },
    {
      name: 'empty OS GOPATH falls through to the file',
      env: { GOPATH: '', HOME: '/h' },
      file: 'GOPATH=/g\n',
      path: '/g/pkg/mod',
      source: 'GOPATH in the go env file',
    },
  ] as const)('$name', ({ env, file, path, source }) => {
    const envFile = readEnvFile(file);
    expect(locateModCache({ env, platform: 'linux', envFile })).toEqual({ path, source });
  });

  it.each([
    {
      env: { GOMODCACHE: 'rel' },
      message: 'GOMODCACHE entry is relative; must be absolute path: "rel"',
    },
    { env: { GOPATH: 'rel' }, message: 'GOPATH entry is relative; must be absolute path: "rel"' },
    {
      env: { GOPATH: '/a:rel' },
      message: 'GOPATH entry is relative; must be absolute path: "rel"',
    },
    {
      env: { GOPATH: '~/go' },
      message: `GOPATH entry cannot start with shell metacharacter '~': "~/go"`,
    },
    {
      env: { GOPATH: ':/b', HOME: '/h' },
      message: 'module cache not found: neither GOMODCACHE nor GOPATH is set',
    },
    { env: {}, message: 'module cache not found: neither GOMODCACHE nor GOPATH is set' },
    {
      env: { HOME: 'rel' },
      message: 'GOMODCACHE entry is relative; must be absolute path: "rel/go/pkg/mod"',
    },
  ])('refuses $env like Go', ({ env, message }) => {
    expect(() => locateModCache({ env, platform: 'linux' })).toThrow(message);
  });
});

describe('GOPATH lists', () => {
  it('splits like filepath.SplitList', () => {
    expect(splitGoPathList('', 'linux')).toEqual([]);
    expect(splitGoPathList('/a::/b', 'linux')).toEqual(['/a', '', '/b']);
    expect(splitGoPathList('"C:\\x;y";D:\\z', 'win32')).toEqual(['C:\\x;y', 'D:\\z']);
  });
});

describe('locateModCache agrees with the real go command', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'gps-modcache-go-'));
  });
  afterAll(async () => {
    await removeReadOnlyTree(root);
  });

  const cases: { name: string; env: Record<string, string>; file?: string }[] = [
    { name: 'HOME only', env: {} },
    { name: 'GOPATH list', env: { GOPATH: '/a:/b' } },
    { name: 'GOMODCACHE and GOPATH', env: { GOMODCACHE: '/m', GOPATH: '/a' } },
    { name: 'env file GOMODCACHE vs OS GOPATH', env: { GOPATH: '/a' }, file: 'GOMODCACHE=/f\n' },
    { name: 'env file GOPATH', env: {}, file: 'GOPATH=/g\n' },
    { name: 'OS GOMODCACHE vs env file', env: { GOMODCACHE: '/m' }, file: 'GOMODCACHE=/f\n' },
    { name: 'empty OS GOPATH', env: { GOPATH: '' }, file: 'GOPATH=/g\n' },
    {
      name: 'XDG_CONFIG_HOME env file',
      env: { XDG_CONFIG_HOME: '@xdg' },
      file: 'GOMODCACHE=/xdg\n',
    },
    { name: 'GOENV file', env: { GOENV: '@goenv' }, file: 'GOMODCACHE=/goenv\n' },
  ];

  it.each(cases)('$name', async ({ name, env, file }) => {
    const home = join(root, name.replace(/\W+/g, '-'));
    const resolved: Record<string, string> = { HOME: home, GOTOOLCHAIN: 'local' };
    for (const [k, v] of Object.entries(env))
      resolved[k] = v.startsWith('@') ? join(home, v.slice(1)) : v;
    const filePath = goEnvFilePath(resolved, 'linux').path!;
    if (file !== undefined) {
      await mkdir(join(filePath, '..'), { recursive: true });
      await writeFile(filePath, file);
    }
    const go = await runGo(['env', 'GOMODCACHE'], root, resolved);
    expect(go.code).toBe(0);
    const { variables: envFile } = await readGoEnvFile(resolved, 'linux');
    expect(locateModCache({ env: resolved, platform: 'linux', envFile }).path).toBe(
      go.stdout.trim(),
    );
  });

  it('words a relative GOMODCACHE like go mod download does', async () => {
    const dir = join(root, 'relative');
    await writeMainModule(dir, [hello]);
    const proxy = await writeFileProxy(join(dir, 'proxy'), [hello]);
    const go = await runGo(['mod', 'download'], dir, {
      HOME: dir,
      ...goEnv(proxy),
      GOMODCACHE: 'rel',
    });
    expect(go.stderr).toContain('GOMODCACHE entry is relative; must be absolute path: "rel"');
    expect(() => locateModCache({ env: { GOMODCACHE: 'rel' }, platform: 'linux' })).toThrow(
      'GOMODCACHE entry is relative; must be absolute path: "rel"',
    );
  });
});

describe('measureModCache on a cache the real go command filled', () => {
  let root: string;
  let modcache: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'gps-measure-'));
    modcache = join(root, 'mod');
    const proxy = await writeFileProxy(join(root, 'proxy'), [hello, upper]);
    await writeMainModule(join(root, 'app'), [hello, upper]);
    const go = await runGo(['mod', 'download'], join(root, 'app'), {
      HOME: root,
      GOMODCACHE: modcache,
      ...goEnv(proxy),
    });
    expect(go.stderr).toBe('');
    expect(go.code).toBe(0);
  });
  afterAll(async () => {
    await removeReadOnlyTree(root);
  });

  it('counts module zips, files and bytes of the download cache', async () => {
    const measure = await measureModCache(modcache);
    expect(measure.populated).toBe(true);
    expect(measure.snapshot.modules).toBe(2);
    expect(measure.modulePaths).toEqual(['example.com/!upper', 'example.com/hello']);
    expect(measure.snapshot.bytes).toBeGreaterThan(hello.zip.length + upper.zip.length);
    expect(measure.snapshot.files).toBeGreaterThanOrEqual(2 * 4); // .info .mod .zip .ziphash each
  });

  it('is stable, and changes when a module is added', async () => {
    const first = await measureModCache(modcache);
    expect((await measureModCache(modcache)).snapshot).toEqual(first.snapshot);
    const extra = join(modcache, 'cache', 'download', 'example.com', 'new', '@v');
    await mkdir(extra, { recursive: true });
    await writeFile(join(extra, 'v1.0.0.mod'), 'module example.com/new\n');
    const after = await measureModCache(modcache);
    expect(after.snapshot.fingerprint).not.toBe(first.snapshot.fingerprint);
    expect(after.snapshot.modules).toBe(first.snapshot.modules);
    expect(after.snapshot.files).toBe(first.snapshot.files + 1);
  });

  it("leaves Go's read-only layout as Go made it: module dirs 0555, files 0444", async () => {
    const { stat } = await import('node:fs/promises');
    const dir = join(modcache, 'example.com', 'hello@v1.0.0');
    expect((await stat(dir)).mode & 0o777).toBe(0o555);
    expect((await stat(join(dir, 'go.mod'))).mode & 0o777).toBe(0o444);
  });

  it('treats a missing directory as empty, and an empty cache skeleton as not populated', async () => {
    const missing = await measureModCache(join(root, 'nothing'));
    expect(missing).toEqual({ snapshot: EMPTY_SNAPSHOT, populated: false, modulePaths: [] });
    const skeleton = join(root, 'skeleton');
    await mkdir(join(skeleton, 'cache', 'download'), { recursive: true });
    await writeFile(join(skeleton, 'cache', 'lock'), '');
    await chmod(join(skeleton, 'cache', 'lock'), 0o644);
    expect((await measureModCache(skeleton)).populated).toBe(false);
  });
});

describe('onlyIncidentalModules', () => {
  it.each([
    { paths: ['golang.org/toolchain'], incidental: true },
    { paths: ['golang.org/x/telemetry/config', 'golang.org/toolchain'], incidental: true },
    { paths: ['golang.org/toolchain', 'example.com/hello'], incidental: false },
    { paths: ['golang.org/toolchainx'], incidental: false },
    { paths: [], incidental: false },
  ])('$paths → $incidental', ({ paths, incidental }) => {
    expect(onlyIncidentalModules(paths)).toBe(incidental);
  });
});
