import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findDependencyFiles, splitPatterns } from '../../src/cache/dependency-files.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'gps-depfiles-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function tree(files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, name)), { recursive: true });
    await writeFile(join(root, name), content);
  }
}

async function found(patterns: string[] = [], skip: string[] = []): Promise<string[]> {
  const files = await findDependencyFiles({
    workingDirectory: root,
    patterns,
    skipDirectories: skip.map((s) => join(root, s)),
  });
  return files.map((f) => f.path).sort();
}

describe('default dependency files', () => {
  it('takes go.sum and go.work.sum everywhere, go.mod only where a module has no go.sum', async () => {
    await tree({
      'go.mod': 'module a\n',
      'go.sum': 'x',
      'go.work': 'go 1.21\n',
      'go.work.sum': 'w',
      'nodeps/go.mod': 'module b\n',
      'sub/deep/go.mod': 'module c\n',
      'sub/deep/go.sum': 'y',
      'README.md': 'not a dependency file',
    });
    expect(await found()).toEqual(['go.sum', 'go.work.sum', 'nodeps/go.mod', 'sub/deep/go.sum']);
  });

  it('skips vendor, testdata, node_modules, dot and underscore directories, and the module cache', async () => {
    await tree({
      'go.mod': 'module a\n',
      'vendor/x/go.sum': 'v',
      'testdata/mod/go.mod': 'module t\n',
      'node_modules/p/go.mod': 'module n\n',
      '.go/pkg/mod/cache/download/x/go.sum': 'c',
      '_old/go.sum': 'u',
      'gopath/pkg/mod/m@v1/go.mod': 'module m\n',
    });
    expect(await found([], ['gopath/pkg/mod'])).toEqual(['go.mod']);
  });

  it('finds nothing in an empty directory (the key then hashes no files)', async () => {
    expect(await found()).toEqual([]);
  });

  it('hashes content: sha256 of the file', async () => {
    await tree({ 'go.mod': 'module x\n' });
    const [file] = await findDependencyFiles({ workingDirectory: root, patterns: [] });
    // printf 'module x\n' | sha256sum
    expect(file).toEqual({
      path: 'go.mod',
      sha256: 'fc4a3fdfa1b8230e721b7eaada825923cc3b4219dee283230bcec3f6be74c274',
    });
  });
});

describe('cache-dependency-path patterns', () => {
  beforeEach(async () => {
    await tree({
      'go.mod': 'module a\n',
      'go.sum': 'x',
      'tools/go.mod': 'module t\n',
      'tools/go.sum': 't',
      'examples/go.sum': 'e',
    });
  });

  it('uses exactly the files the globs match, relative to the working directory', async () => {
    expect(await found(['go.mod'])).toEqual(['go.mod']);
    expect(await found(['**/go.sum'])).toEqual(['examples/go.sum', 'go.sum', 'tools/go.sum']);
  });

  it('removes matches of ! lines and ignores comments', async () => {
    expect(await found(['**/go.sum\n!examples/**\n# comment'])).toEqual(['go.sum', 'tools/go.sum']);
  });

  it('matches nothing without failing', async () => {
    expect(await found(['nothing/*.sum'])).toEqual([]);
  });

  it('splits on newlines only (commas belong to brace globs)', () => {
    expect(splitPatterns('go.sum\r\n{a,b}/go.sum\n\n  # c\n')).toEqual(['go.sum', '{a,b}/go.sum']);
  });
});
