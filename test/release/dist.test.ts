// The action runs the committed dist/, not src/. These tests prove that dist/ is exactly what the
// sources build to, and that scripts/check-dist.sh (run by CI and the release) catches every way
// it can drift, files the build adds but nobody committed included.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const temps: string[] = [];

afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/**
 * Mirrors node_modules with hard links (a copy where links are impossible). Not symlinks: the
 * bundler resolves symlinks to their real path, and module ids in the bundle derive from paths
 * relative to the build directory, so a symlinked node_modules would build a different dist/.
 */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
    else if (entry.isDirectory()) linkTree(source, target);
    else {
      try {
        linkSync(source, target);
      } catch {
        copyFileSync(source, target);
        chmodSync(target, statSync(source).mode);
      }
    }
  }
}

/** Everything the build can read, as it is in the working tree, in a fresh directory. */
function copyWorkingTree(): string {
  const dir = tempDir('gps-dist-');
  const skip = new Set(['node_modules', 'dist', '.git', 'coverage', '.gitlab-ci-local', 'tmp']);
  for (const entry of readdirSync(root)) {
    if (!skip.has(entry))
      cpSync(join(root, entry), join(dir, entry), { recursive: true, verbatimSymlinks: true });
  }
  linkTree(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** Relative path → bytes and executable bit, for every file under dir. */
function snapshot(dir: string): Map<string, { bytes: Buffer; executable: boolean }> {
  const files = new Map<string, { bytes: Buffer; executable: boolean }>();
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const executable = process.platform !== 'win32' && (lstatSync(path).mode & 0o111) !== 0;
        files.set(relative(dir, path).split('\\').join('/'), {
          bytes: readFileSync(path),
          executable,
        });
      }
    }
  };
  walk(dir);
  return files;
}

describe('dist/', () => {
  it(
    'equals a fresh build of the sources, file for file and byte for byte',
    { timeout: 300_000 },
    () => {
      const copy = copyWorkingTree();
      // Own ncc cache: nothing stale from other builds, nothing left behind in ~/.cache.
      const env = { ...process.env, XDG_CACHE_HOME: join(copy, '.cache') };
      const build = spawnSync(process.execPath, [join(copy, 'scripts', 'build.mjs')], {
        cwd: copy,
        env,
        encoding: 'utf8',
      });
      expect(build.status, `the sources do not build:\n${build.stdout}${build.stderr}`).toBe(0);

      const expected = snapshot(join(copy, 'dist'));
      const committed = snapshot(join(root, 'dist'));
      const hint = "dist/ is stale: run 'npm run build' and commit dist/";

      expect([...committed.keys()].sort(), `${hint} (file list)`).toEqual(
        [...expected.keys()].sort(),
      );
      for (const [path, file] of expected) {
        const actual = committed.get(path)!;
        expect(actual.bytes.equals(file.bytes), `${hint}: dist/${path} differs`).toBe(true);
        expect(actual.executable, `${hint}: dist/${path} executable bit`).toBe(file.executable);
      }
      expect(expected.size).toBeGreaterThan(0);
    },
  );
});

describe('scripts/check-dist.sh', () => {
  // A tiny project whose "build" writes the files listed in build.json into dist/, so each case
  // sets up exactly the drift it needs and runs in milliseconds.
  const BUILD = `import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
for (const [path, text] of Object.entries(JSON.parse(readFileSync('build.json', 'utf8')))) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
`;

  function git(dir: string, ...args: string[]): string {
    return execFileSync(
      'git',
      ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    );
  }

  /** A git repository whose commit holds `committed` in dist/ and whose build writes `built`. */
  function project(committed: Record<string, string>, built: Record<string, string>): string {
    const dir = tempDir('gps-check-dist-');
    mkdirSync(join(dir, 'scripts'));
    copyFileSync(join(root, 'scripts', 'check-dist.sh'), join(dir, 'scripts', 'check-dist.sh'));
    writeFileSync(join(dir, 'build.mjs'), BUILD);
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ type: 'module', scripts: { build: 'node build.mjs' } }),
    );
    for (const [path, text] of Object.entries(committed)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'committed state');
    writeFileSync(join(dir, 'build.json'), JSON.stringify(built));
    return dir;
  }

  function checkDist(
    dir: string,
    githubActions = false,
  ): { status: number | null; output: string } {
    const env = { ...process.env, GITHUB_ACTIONS: githubActions ? 'true' : '' };
    const result = spawnSync('bash', [join(dir, 'scripts', 'check-dist.sh')], {
      cwd: dir,
      env,
      encoding: 'utf8',
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  }

  const IN_STEP = { 'dist/main/index.js': 'main\n', 'dist/main/package.json': '{}\n' };

  it('passes when the build reproduces the commit', () => {
    const result = checkDist(project(IN_STEP, IN_STEP));
    expect(result.output).toContain('dist/ matches a fresh build.');
    expect(result.status).toBe(0);
  });

  it('fails on a file the build adds that was never committed', () => {
    const result = checkDist(project(IN_STEP, { ...IN_STEP, 'dist/main/licenses.txt': 'MIT\n' }));
    expect(result.status).toBe(1);
    expect(result.output).toContain('?? dist/main/licenses.txt');
  });

  it('fails on a committed file whose content the build changes, with a diff stat', () => {
    const result = checkDist(project(IN_STEP, { ...IN_STEP, 'dist/main/index.js': 'main v2\n' }));
    expect(result.status).toBe(1);
    expect(result.output).toContain(' M dist/main/index.js');
    expect(result.output).toMatch(/dist\/main\/index\.js \| +2 \+-/);
  });

  it('fails on a committed file the build no longer produces', () => {
    const result = checkDist(project({ ...IN_STEP, 'dist/old/index.js': 'old\n' }, IN_STEP));
    expect(result.status).toBe(1);
    expect(result.output).toContain(' D dist/old/index.js');
  });

  it('annotates the failure in GitHub Actions', () => {
    const result = checkDist(
      project(IN_STEP, { ...IN_STEP, 'dist/main/index.js': 'main v2\n' }),
      true,
    );
    expect(result.status).toBe(1);
    expect(result.output).toContain('::error title=dist is out of date::');
  });
});
