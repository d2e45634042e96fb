import { describe, expect, test } from 'vitest';
import {
  compareGoVersions,
  goVersionAtLeast,
  parseGoVersion,
  supportsPipeFallback,
} from '../../src/goenv/goversion.js';

const v = (text: string) => {
  const parsed = parseGoVersion(text);
  if (parsed === null) throw new Error(`unparsed ${text}`);
  return parsed;
};

describe('parseGoVersion', () => {
  test.each([
    [
      'go version go1.19.8 linux/amd64',
      { major: 1, minor: 19, patch: 8, prerelease: null, devel: false, raw: 'go1.19.8' },
    ],
    [
      'go1.21rc2',
      {
        major: 1,
        minor: 21,
        patch: 0,
        prerelease: { kind: 'rc', number: 2 },
        devel: false,
        raw: 'go1.21rc2',
      },
    ],
    ['go1.20', { major: 1, minor: 20, patch: 0, prerelease: null, devel: false, raw: 'go1.20' }],
    ['go1.22.1 X:boringcrypto', { major: 1, minor: 22, patch: 1, devel: false, raw: 'go1.22.1' }],
    [
      'go version devel go1.23-3f2c1a0 Tue Jan 2 15:04:05 2024 +0000 linux/amd64',
      { major: 1, minor: 23, devel: true },
    ],
  ])('%j', (text, expected) => {
    expect(parseGoVersion(text)).toMatchObject(expected);
  });

  test('unparseable text', () => {
    expect(parseGoVersion('go version devel +abc linux/amd64')).toBeNull();
    expect(parseGoVersion('command not found')).toBeNull();
  });

  test('the installed go command', async () => {
    const { execFileSync } = await import('node:child_process');
    const text = execFileSync('go', ['version'], {
      env: { ...process.env, GOTOOLCHAIN: 'local' },
    }).toString();
    expect(parseGoVersion(text)).not.toBeNull();
  });
});

describe('ordering and features', () => {
  test('beta < rc < release < patch < devel of the same minor', () => {
    const order = [
      'go1.21beta1',
      'go1.21rc1',
      'go1.21rc2',
      'go1.21.0',
      'go1.21.3',
      'devel go1.21-abc',
    ].map(v);
    for (let i = 1; i < order.length; i++)
      expect(compareGoVersions(order[i - 1]!, order[i]!)).toBe(-1);
    expect(compareGoVersions(v('go1.20'), v('go1.20.0'))).toBe(0);
  });

  test('feature gates', () => {
    expect(supportsPipeFallback(v('go1.14.15'))).toBe(false);
    expect(supportsPipeFallback(v('go1.15'))).toBe(true);
    expect(goVersionAtLeast(v('go1.21rc2'), '1.21')).toBe(true);
    expect(goVersionAtLeast(v('go1.20.14'), '1.21')).toBe(false);
    expect(goVersionAtLeast(v('go1.21.2'), '1.21.3')).toBe(false);
    expect(goVersionAtLeast(v('devel go1.21-x'), '1.21.3')).toBe(true);
    expect(() => goVersionAtLeast(v('go1.21.2'), 'x')).toThrow();
  });
});
