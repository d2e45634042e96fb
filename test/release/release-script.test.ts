// scripts/release.mjs decides what release.yml publishes: which version, which npm dist-tag,
// whether the major tag moves, the GitLab tag, and the release notes. Run as release.yml runs it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const script = join(root, 'scripts', 'release.mjs');
const temps: string[] = [];

afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const CHANGELOG = `# Changelog

## [Unreleased]

## [1.2.0] - 2026-12-01

### Added

- Second feature.

## [1.1.0-rc.1] - 2026-11-30

### Fixed

- A pre-release fix.

## [1.0.0] - 2026-11-21

### Added

- First feature.

[1.2.0]: https://github.com/acme/go-proxy-setup/compare/v1.0.0...v1.2.0
`;

function fixture(pkg: Record<string, unknown>, changelog = CHANGELOG): string {
  const dir = mkdtempSync(join(tmpdir(), 'gps-release-'));
  temps.push(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'go-proxy-setup', ...pkg }));
  writeFileSync(join(dir, 'CHANGELOG.md'), changelog);
  return dir;
}

function release(
  dir: string,
  ...args: string[]
): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, RELEASE_ROOT: dir };
  env.GITHUB_REPOSITORY = undefined; // set when these tests themselves run in GitHub Actions
  const result = spawnSync(process.execPath, [script, ...args], { env, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function outputs(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  );
}

describe('release.mjs check', () => {
  it('accepts a final release and prints the GITHUB_OUTPUT lines release.yml uses', () => {
    const dir = fixture({
      version: '1.2.0',
      repository: { type: 'git', url: 'git+https://github.com/acme/go-proxy-setup.git' },
    });
    const result = release(dir, 'check', 'v1.2.0', 'acme/go-proxy-setup');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(outputs(result.stdout)).toEqual({
      version: '1.2.0',
      major: 'v1',
      prerelease: 'false',
      'npm-dist-tag': 'latest',
      'gitlab-tag': '1.2.0',
    });
  });

  it('marks a pre-release so that neither npm latest nor the major tag move', () => {
    const dir = fixture({ version: '1.1.0-rc.1' });
    const result = release(dir, 'check', 'v1.1.0-rc.1');
    expect(result.status).toBe(0);
    expect(outputs(result.stdout)).toMatchObject({
      prerelease: 'true',
      'npm-dist-tag': 'next',
      'gitlab-tag': '1.1.0-rc.1',
    });
  });

  it.each([['1.2.0'], ['v1.2'], ['v1'], ['release-1.2.0'], ['v1.2.0.1']])(
    'rejects the tag %s',
    (tag) => {
      const result = release(fixture({ version: '1.2.0' }), 'check', tag);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`tag "${tag}" is not a release tag`);
    },
  );

  it('rejects a tag that package.json does not carry', () => {
    const result = release(fixture({ version: '1.1.0' }), 'check', 'v1.2.0');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('package.json version is "1.1.0" but the tag is "v1.2.0"');
  });

  it('rejects a version without a CHANGELOG section', () => {
    const result = release(fixture({ version: '1.3.0' }), 'check', 'v1.3.0');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('CHANGELOG.md has no "## [1.3.0] - YYYY-MM-DD" section');
  });

  it('rejects a CHANGELOG section with nothing in it', () => {
    const dir = fixture(
      { version: '2.0.0' },
      '# Changelog\n\n## [2.0.0] - 2027-01-01\n\n## [1.0.0] - 2026-11-21\n\n- x\n',
    );
    const result = release(dir, 'check', 'v2.0.0');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('CHANGELOG.md section [2.0.0] is empty');
  });

  it.each([
    [undefined, ''],
    [
      'https://github.com/someone-else/go-proxy-setup',
      'https://github.com/someone-else/go-proxy-setup',
    ],
  ])('rejects a repository npm provenance would refuse (%s)', (repository, shown) => {
    const result = release(
      fixture({ version: '1.2.0', repository }),
      'check',
      'v1.2.0',
      'acme/go-proxy-setup',
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `package.json repository is "${shown}", expected "https://github.com/acme/go-proxy-setup"`,
    );
  });

  it.each([
    ['github:acme/go-proxy-setup'],
    ['acme/go-proxy-setup'],
    ['https://github.com/acme/go-proxy-setup'],
  ])('accepts the repository form %s', (repository) => {
    const result = release(
      fixture({ version: '1.2.0', repository }),
      'check',
      'v1.2.0',
      'acme/go-proxy-setup',
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('passes for this repository at its own version', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const result = release(root, 'check', `v${pkg.version}`);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('release.mjs notes', () => {
  it('prints exactly the section of the version, without heading or link definitions', () => {
    const result = release(fixture({ version: '1.2.0' }), 'notes', '1.2.0');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('### Added\n\n- Second feature.\n');
  });

  it('takes the last section up to the end of the file', () => {
    const result = release(fixture({ version: '1.0.0' }), 'notes', '1.0.0');
    expect(result.stdout).toBe('### Added\n\n- First feature.\n');
  });

  it('does not confuse 1.1.0-rc.1 with a version that merely shares a prefix', () => {
    expect(release(fixture({}), 'notes', '1.1.0').status).toBe(1);
    expect(release(fixture({}), 'notes', '1.1.0-rc.1').stdout).toBe(
      '### Fixed\n\n- A pre-release fix.\n',
    );
  });

  it('fails with usage for an unknown command', () => {
    const result = release(fixture({}), 'publish');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('usage: release.mjs');
  });
});
