import { describe, expect, it } from 'vitest';
import {
  EMPTY_DEPENDENCY_HASH,
  cacheKeys,
  dependencyHash,
  keyOs,
  keyPrefix,
} from '../../src/cache/key.js';

// Expected hashes computed outside this code: printf '<lines>' | sha256sum
describe('dependencyHash', () => {
  it.each([
    { name: 'no files', files: [], hash: EMPTY_DEPENDENCY_HASH },
    {
      name: 'one go.sum',
      files: [{ path: 'go.sum', sha256: 'abc' }],
      hash: '98e83cecd73553e9d77a3eedf984a5b476c8f2fa0be1805d333f829a34e4863b',
    },
    {
      name: 'two files, given out of order',
      files: [
        { path: 'go.sum', sha256: 'abc' },
        { path: 'a/go.mod', sha256: 'bbb' },
      ],
      hash: '4bdb0065d731e4f3deb4f27698e196ae3a21a06f8fd832e0579b545b7319aefb',
    },
  ])('$name', ({ files, hash }) => {
    expect(dependencyHash(files)).toBe(hash);
  });

  it('is sha256 of nothing for no files', () => {
    expect(EMPTY_DEPENDENCY_HASH).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('changes when a file moves, even with the same content', () => {
    const here = dependencyHash([{ path: 'go.sum', sha256: 'abc' }]);
    const moved = dependencyHash([{ path: 'sub/go.sum', sha256: 'abc' }]);
    expect(moved).not.toBe(here);
  });

  it('does not depend on the order files were found in', () => {
    const a = { path: 'a/go.sum', sha256: '1' };
    const b = { path: 'b/go.sum', sha256: '2' };
    expect(dependencyHash([a, b])).toBe(dependencyHash([b, a]));
  });
});

describe('cacheKeys', () => {
  const scope = { version: '1.0.0', os: 'linux', arch: 'x64' };

  it('builds go-proxy-setup-<version>-<os>-<arch>-<hash> and the prefix restore key', () => {
    const keys = cacheKeys(scope, [{ path: 'go.sum', sha256: 'abc' }]);
    expect(keys.primaryKey).toBe(
      'go-proxy-setup-1.0.0-linux-x64-98e83cecd73553e9d77a3eedf984a5b476c8f2fa0be1805d333f829a34e4863b',
    );
    expect(keys.restoreKeys).toEqual(['go-proxy-setup-1.0.0-linux-x64-']);
    expect(keys.primaryKey.startsWith(keys.restoreKeys[0]!)).toBe(true);
  });

  it('is still a valid key without dependency files', () => {
    expect(cacheKeys(scope, []).primaryKey).toBe(
      `go-proxy-setup-1.0.0-linux-x64-${EMPTY_DEPENDENCY_HASH}`,
    );
  });

  it.each([
    {
      scope: { version: '1.0.0', os: 'windows', arch: 'arm64' },
      prefix: 'go-proxy-setup-1.0.0-windows-arm64-',
    },
    {
      scope: { version: '2.3.4', os: 'macos', arch: 'x64' },
      prefix: 'go-proxy-setup-2.3.4-macos-x64-',
    },
    // The service rejects commas in keys; whitespace would make the key hard to copy.
    {
      scope: { version: '1.0.0', os: 'my os,x', arch: 'x64' },
      prefix: 'go-proxy-setup-1.0.0-my_os_x-x64-',
    },
  ])('prefix $prefix', ({ scope: s, prefix }) => {
    expect(keyPrefix(s)).toBe(prefix);
    expect(cacheKeys(s, []).primaryKey).not.toContain(',');
  });
});

describe('keyOs', () => {
  it.each([
    { runnerOs: 'Linux', platform: 'linux', os: 'linux' },
    { runnerOs: 'Windows', platform: 'win32', os: 'windows' },
    { runnerOs: 'macOS', platform: 'darwin', os: 'macos' },
    { runnerOs: undefined, platform: 'win32', os: 'windows' },
    { runnerOs: undefined, platform: 'darwin', os: 'macos' },
    { runnerOs: '', platform: 'linux', os: 'linux' },
    { runnerOs: undefined, platform: 'freebsd', os: 'freebsd' },
  ] as const)('RUNNER_OS=$runnerOs on $platform → $os', ({ runnerOs, platform, os }) => {
    expect(keyOs(runnerOs, platform)).toBe(os);
  });
});
