import { describe, expect, test } from 'vitest';
import {
  envFileHasKey,
  goEnvFilePath,
  lineToKey,
  readEnvFile,
  updateEnvFile,
} from '../../src/goenv/envfile.js';

const EXAMPLE_IN =
  '# comment\nGOPROXY=a\nlowercase=1\nGOSUMDB=off\nGOPROXY=b\n\nbad line\nGOPRIVATE=x=y\n';

describe('readEnvFile', () => {
  test('last duplicate wins; values verbatim; only A–Z keys', () => {
    const values = readEnvFile(
      'GOPROXY=a\nGOPROXY=b\nGOPRIVATE=x=y\nlower=1\n# c=d\nGOFLAGS=-mod=mod\r\n=x\n',
    );
    expect([...values]).toEqual([
      ['GOPROXY', 'b'],
      ['GOPRIVATE', 'x=y'],
      ['GOFLAGS', '-mod=mod\r'],
    ]);
  });
});

describe('updateEnvFile', () => {
  test('go-semantics §5.2 example', () => {
    expect(updateEnvFile(EXAMPLE_IN, { GONOSUMDB: 'z', GOPROXY: 'c' })).toBe(
      '# comment\nGOPROXY=c\nGOSUMDB=off\nlowercase=1\n\nbad line\nGONOSUMDB=z\nGOPRIVATE=x=y\n',
    );
  });

  test('the order of keys does not matter, and a second run changes nothing', () => {
    const once = updateEnvFile(EXAMPLE_IN, { GOPROXY: 'c', GONOSUMDB: 'z' });
    expect(updateEnvFile(EXAMPLE_IN, { GONOSUMDB: 'z', GOPROXY: 'c' })).toBe(once);
    expect(updateEnvFile(once, { GONOSUMDB: 'z', GOPROXY: 'c' })).toBe(once);
  });

  test('unset blanks the key; a missing final newline is added', () => {
    expect(updateEnvFile('GOPROXY=a\nGOSUMDB=off', {}, ['GOPROXY'])).toBe('GOSUMDB=off\n');
    expect(updateEnvFile('', { GOPROXY: 'x' })).toBe('GOPROXY=x\n');
    expect(envFileHasKey('# x\nGOPROXY=\n', 'GOPROXY')).toBe(true);
    expect(envFileHasKey('# GOPROXY=x\n', 'GOPROXY')).toBe(false);
    expect(lineToKey('A#B=1')).toBe('');
  });
});

describe('goEnvFilePath', () => {
  test.each([
    [{ GOENV: '/custom/env', HOME: '/h' }, 'linux', { path: '/custom/env' }],
    [{ GOENV: 'off', HOME: '/h' }, 'linux', { path: null, reason: 'GOENV=off' }],
    [{ XDG_CONFIG_HOME: '/xdg', HOME: '/h' }, 'linux', { path: '/xdg/go/env' }],
    [{ HOME: '/h' }, 'linux', { path: '/h/.config/go/env' }],
    [{ HOME: '/h', XDG_CONFIG_HOME: '' }, 'freebsd', { path: '/h/.config/go/env' }],
    [{}, 'linux', { path: null, reason: 'neither $XDG_CONFIG_HOME nor $HOME are defined' }],
    [
      { HOME: '/Users/a', XDG_CONFIG_HOME: '/ignored' },
      'darwin',
      { path: '/Users/a/Library/Application Support/go/env' },
    ],
    [{}, 'darwin', { path: null, reason: '$HOME is not defined' }],
    [
      { APPDATA: 'C:\\Users\\a\\AppData\\Roaming' },
      'win32',
      { path: 'C:\\Users\\a\\AppData\\Roaming\\go\\env' },
    ],
    [{ HOME: '/h' }, 'win32', { path: null, reason: '%AppData% is not defined' }],
  ] as const)('%j on %s', (env, platform, expected) => {
    expect(goEnvFilePath(env, platform)).toEqual(expected);
  });

  test('agrees with `go env GOENV` here', async () => {
    const { execFileSync } = await import('node:child_process');
    const env = { PATH: process.env.PATH ?? '', HOME: '/tmp/gps-home-probe', GOTOOLCHAIN: 'local' };
    const printed = execFileSync('go', ['env', 'GOENV'], { env }).toString().trim();
    expect(goEnvFilePath(env, process.platform)).toEqual({ path: printed });
  });
});
