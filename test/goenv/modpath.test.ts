import { describe, expect, test } from 'vitest';
import {
  canonicalSemver,
  checkModulePath,
  checkModuleVersion,
  compareSemver,
  isValidSemver,
  parseModuleRef,
  splitPathVersion,
} from '../../src/goenv/modpath.js';

describe('semver', () => {
  test.each([
    ['v1.2.3', true],
    ['v1.2', true],
    ['v1', true],
    ['v1.2.3-pre.1+build', true],
    ['1.2.3', false],
    ['v01.2.3', false],
    ['v1.2.3-01', false],
    ['v1.2.3-', false],
    ['v1.2.3+', false],
  ])('%j valid: %s', (v, ok) => {
    expect(isValidSemver(v)).toBe(ok);
  });

  test('canonical and ordering follow golang.org/x/mod/semver', () => {
    expect(canonicalSemver('v1.2')).toBe('v1.2.0');
    expect(canonicalSemver('v2.0.0+incompatible')).toBe('v2.0.0');
    const sorted = [
      'v1.10.0',
      'v1.2.0',
      'v1.2.0-rc.1',
      'v1.2.0-rc.10',
      'v1.2.0-rc.2',
      'v1.2.0-alpha',
      'bad',
    ].sort(compareSemver);
    expect(sorted).toEqual([
      'bad',
      'v1.2.0-alpha',
      'v1.2.0-rc.1',
      'v1.2.0-rc.2',
      'v1.2.0-rc.10',
      'v1.2.0',
      'v1.10.0',
    ]);
  });
});

describe('module paths and versions', () => {
  test('splitPathVersion', () => {
    expect(splitPathVersion('example.com/m/v2')).toEqual({
      prefix: 'example.com/m',
      pathMajor: '/v2',
      ok: true,
    });
    expect(splitPathVersion('gopkg.in/yaml.v3')).toEqual({
      prefix: 'gopkg.in/yaml',
      pathMajor: '.v3',
      ok: true,
    });
    expect(splitPathVersion('example.com/m/v1').ok).toBe(false);
  });

  test('Go wording for path errors', () => {
    expect(checkModulePath('foo')).toBe(
      'malformed module path "foo": missing dot in first path element',
    );
    expect(checkModulePath('Example.com/x')).toBe(
      `malformed module path "Example.com/x": invalid char 'E' in first path element`,
    );
    expect(checkModulePath('golang.org/x/text')).toBeNull();
  });

  test.each([
    ['golang.org/x/text', 'v0.14.0', null],
    ['example.com/m/v2', 'v2.1.0', null],
    ['example.com/m', 'v2.0.0+incompatible', null],
    ['example.com/m', 'v0.0.0-20230101000000-abcdefabcdef', null],
    ['example.com/m', 'latest', 'example.com/m@latest: invalid version: not a semantic version'],
    [
      'example.com/m',
      'v2.0.0',
      'example.com/m@v2.0.0: invalid version: should be v0 or v1, not v2',
    ],
    [
      'example.com/m/v3',
      'v2.0.0',
      'example.com/m/v3@v2.0.0: invalid version: should be v3, not v2',
    ],
    [
      'example.com/m',
      'v1.2',
      'example.com/m@v1.2: invalid version: not a canonical version (write v1.2.0)',
    ],
  ])('%s@%s', (path, version, problem) => {
    expect(checkModuleVersion(path, version)).toBe(problem);
  });

  test('parseModuleRef', () => {
    expect(parseModuleRef('golang.org/x/text@v0.14.0')).toEqual({
      path: 'golang.org/x/text',
      version: 'v0.14.0',
    });
    expect(parseModuleRef('golang.org/x/text')).toEqual({
      path: 'golang.org/x/text',
      version: null,
    });
    expect(() => parseModuleRef('text@v1.0.0')).toThrow('missing dot in first path element');
  });
});
