import { chmod, mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergeMissing, planStaging, removeTree } from '../../src/cache/staging.js';
import {
  REPO_ROOT,
  chownTree,
  nodeBinary,
  removeReadOnlyTree,
  runProcess,
} from '../harness/runner.js';

describe('planStaging (pure)', () => {
  it('mirrors the workspace under a sibling of GOMODCACHE (Linux runner layout)', () => {
    const plan = planStaging(
      '/home/runner/go/pkg/mod',
      '/home/runner/work/repo/repo',
      'linux',
      'abcd',
    );
    expect(plan).toEqual({
      root: '/home/runner/go/pkg/.go-proxy-setup-restore-abcd',
      workspace: '/home/runner/go/pkg/.go-proxy-setup-restore-abcd/home/runner/work/repo/repo',
      stagedModCache: '/home/runner/go/pkg/.go-proxy-setup-restore-abcd/home/runner/go/pkg/mod',
    });
  });

  it('works for a module cache inside the workspace (GitLab-style .go)', () => {
    const plan = planStaging('/builds/p/.go/pkg/mod', '/builds/p', 'linux', 't');
    expect(plan?.stagedModCache).toBe(
      '/builds/p/.go/pkg/.go-proxy-setup-restore-t/builds/p/.go/pkg/mod',
    );
  });

  it('works on Windows when GOMODCACHE and the workspace share a drive', () => {
    const plan = planStaging('D:\\go\\pkg\\mod', 'D:\\a\\repo\\repo', 'win32', 't');
    expect(plan).toEqual({
      root: 'D:\\go\\pkg\\.go-proxy-setup-restore-t',
      workspace: 'D:\\go\\pkg\\.go-proxy-setup-restore-t\\D\\a\\repo\\repo',
      stagedModCache: 'D:\\go\\pkg\\.go-proxy-setup-restore-t\\D\\go\\pkg\\mod',
    });
  });

  it('gives up across Windows drives (the archive then holds absolute paths)', () => {
    expect(planStaging('C:\\Users\\r\\go\\pkg\\mod', 'D:\\a\\repo\\repo', 'win32', 't')).toBeNull();
  });
});

describe('mergeMissing and removeTree on Go-style read-only trees', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'gps-staging-'));
  });
  afterEach(async () => {
    await removeReadOnlyTree(root);
  });

  /** A module cache as Go leaves it: module dir 0555, files 0444, download cache writable. */
  async function goTree(dir: string, modules: Record<string, string>): Promise<void> {
    for (const [module, content] of Object.entries(modules)) {
      const moduleDir = join(dir, 'example.com', module);
      await mkdir(moduleDir, { recursive: true });
      await writeFile(join(moduleDir, 'x.go'), content);
      await chmod(join(moduleDir, 'x.go'), 0o444);
      await chmod(moduleDir, 0o555);
      const dl = join(dir, 'cache', 'download', 'example.com', module.split('@')[0]!, '@v');
      await mkdir(dl, { recursive: true });
      await writeFile(join(dl, `${module.split('@')[1]}.zip`), content);
    }
  }

  it("moves what is missing, keeps what exists, and keeps Go's modes", async () => {
    const staged = join(root, 'staged');
    const target = join(root, 'mod');
    await goTree(staged, { 'a@v1.0.0': 'restored a', 'b@v1.0.0': 'restored b' });
    await goTree(target, { 'a@v1.0.0': 'existing a' });

    const stats = await mergeMissing(staged, target);

    expect(await readFile(join(target, 'example.com', 'a@v1.0.0', 'x.go'), 'utf8')).toBe(
      'existing a',
    );
    expect(await readFile(join(target, 'example.com', 'b@v1.0.0', 'x.go'), 'utf8')).toBe(
      'restored b',
    );
    expect(await readFile(join(target, 'cache/download/example.com/b/@v/v1.0.0.zip'), 'utf8')).toBe(
      'restored b',
    );
    expect((await stat(join(target, 'example.com', 'b@v1.0.0'))).mode & 0o777).toBe(0o555);
    expect(stats.moved).toBe(2); // b@v1.0.0 and cache/download/example.com/b
    expect(stats.kept).toBeGreaterThanOrEqual(2); // a@v1.0.0 and its zip
    expect(stats.skipped).toBe(0);
  });

  it('renames the whole staged cache into a missing GOMODCACHE', async () => {
    const staged = join(root, 'staged');
    await goTree(staged, { 'a@v1.0.0': 'a' });
    const stats = await mergeMissing(staged, join(root, 'mod'));
    expect(stats).toEqual({ moved: 1, kept: 0, skipped: 0 });
    expect(await readFile(join(root, 'mod', 'example.com', 'a@v1.0.0', 'x.go'), 'utf8')).toBe('a');
  });

  it('removes a tree with read-only directories', async () => {
    const dir = join(root, 'ro');
    await goTree(dir, { 'a@v1.0.0': 'a' });
    await removeTree(dir);
    await expect(stat(dir)).rejects.toThrow(/ENOENT/);
  });

  it("works for an unprivileged user, where Go's 0555 directories really bite", async () => {
    const owner = { uid: 65534, gid: 65534 };
    const staged = join(root, 'staged');
    const target = join(root, 'mod');
    await mkdir(staged);
    await mkdir(target);
    await chownTree(root, owner);
    const script = `
      import { chmod, mkdir, writeFile } from 'node:fs/promises';
      import { join } from 'node:path';
      const { mergeMissing, removeTree } = await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'src/cache/staging.ts')).href)});
      async function tree(dir, modules) {
        for (const [m, c] of Object.entries(modules)) {
          const d = join(dir, 'example.com', m);
          await mkdir(d, { recursive: true });
          await writeFile(join(d, 'x.go'), c);
          await chmod(join(d, 'x.go'), 0o444);
          await chmod(d, 0o555);
        }
      }
      await tree(${JSON.stringify(staged)}, { 'a@v1.0.0': 'restored', 'b@v1.0.0': 'restored b' });
      await tree(${JSON.stringify(target)}, { 'a@v1.0.0': 'existing' });
      const stats = await mergeMissing(${JSON.stringify(staged)}, ${JSON.stringify(target)});
      await removeTree(${JSON.stringify(staged)});
      console.log(JSON.stringify(stats));
    `;
    const tsx = import.meta.resolve('tsx');
    const run = await runProcess(
      nodeBinary(),
      ['--import', tsx, '--input-type=module', '-e', script],
      { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: root }, timeoutMs: 60_000, owner },
    );
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout.trim())).toEqual({ moved: 1, kept: 1, skipped: 0 });
    expect(await readFile(join(target, 'example.com', 'a@v1.0.0', 'x.go'), 'utf8')).toBe(
      'existing',
    );
    expect(await readFile(join(target, 'example.com', 'b@v1.0.0', 'x.go'), 'utf8')).toBe(
      'restored b',
    );
    expect((await stat(join(target, 'example.com', 'b@v1.0.0'))).mode & 0o777).toBe(0o555);
    await expect(stat(staged)).rejects.toThrow(/ENOENT/);
  });
});
