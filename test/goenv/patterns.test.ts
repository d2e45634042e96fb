import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InputError } from '../../src/errors.js';
import {
  BadPatternError,
  PatternFormatError,
  analysePatternList,
  deadPatternReason,
  formatPatternList,
  goPathMatch,
  isMalformedGlob,
  matchPrefixPatterns,
  parsePatternInput,
} from '../../src/goenv/patterns.js';

describe('goPathMatch (path.Match)', () => {
  test.each([
    ['abc', 'abc', true],
    ['*', 'abc', true],
    ['*c', 'abc', true],
    ['a*', 'a/b', false],
    ['a*/b', 'abc/b', true],
    ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
    ['a*b?c*x', 'abxbbxdbxebxczzx', true],
    ['ab[c]', 'abc', true],
    ['ab[b-d]', 'abc', true],
    ['ab[^c]', 'abc', false],
    ['ab[^b-d]', 'abe', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'ab', false],
    ['a?b', 'a☺b', true],
    ['a[^a]b', 'a☺b', true],
    ['a???b', 'a☺b', false],
    ['[a-ζ]*', 'α', true],
    ['*[a-ζ]', 'A', false],
    ['a?b', 'a/b', false],
  ])('%j matches %j: %s', (pattern, name, expected) => {
    expect(goPathMatch(pattern, name)).toBe(expected);
  });

  test.each(['[', '[^', '[^bc', 'a[', 'a\\', '[]a]', '[-]', '[x-]', '[a-b-c]', '*x[', '[\\'])(
    '%j is malformed',
    (pattern) => {
      expect(() => goPathMatch(pattern, 'abc')).toThrow(BadPatternError);
      expect(isMalformedGlob(pattern)).toBe(true);
    },
  );
});

describe('matchPrefixPatterns', () => {
  test('is case-sensitive, element-wise, and ignores malformed globs', () => {
    expect(matchPrefixPatterns('github.com/acme', 'github.com/acme/x')).toBe(true);
    expect(matchPrefixPatterns('github.com/acme', 'github.com/acmecorp/x')).toBe(false);
    expect(matchPrefixPatterns('github.com/Acme', 'github.com/acme/x')).toBe(false);
    expect(matchPrefixPatterns('[,*.corp.com', 'git.corp.com/x')).toBe(true);
    expect(matchPrefixPatterns('*.corp.com', 'corp.com/x')).toBe(false);
  });
});

describe('dead patterns', () => {
  test('analysePatternList splits like Go and reports what can never match', () => {
    const analysis = analysePatternList(
      'corp.com, *.corp.com,,GitHub.com/acme,[,a//,git.corp.com/x ,/',
    );
    expect(analysis.patterns).toEqual([
      'corp.com',
      ' *.corp.com',
      'GitHub.com/acme',
      '[',
      'a//',
      'git.corp.com/x ',
    ]);
    expect(analysis.live).toEqual(['corp.com']);
    expect(analysis.dead.map((d) => [d.pattern, d.reason])).toEqual([
      [' *.corp.com', 'surrounding-space'],
      ['GitHub.com/acme', 'upper-case-host'],
      ['[', 'malformed'],
      ['a//', 'empty-element'],
      ['git.corp.com/x ', 'surrounding-space'],
    ]);
    for (const d of analysis.dead) expect(d.message).toContain(JSON.stringify(d.pattern));
  });

  test.each([
    'corp.com',
    '*.corp.com',
    'github.com/Acme',
    'github.com/acme/',
    '[a-z]*.corp.com',
    '*',
    '*/*',
    'a\\.b',
  ])('%j is live', (glob) => {
    expect(deadPatternReason(glob)).toBeNull();
  });

  test.each([
    ['a b.com', 'inner-space'],
    ['a\\ b.com', 'inner-space'],
    ['/corp.com', 'empty-element'],
    ['CORP.com/x', 'upper-case-host'],
    ['\\Corp.com', 'upper-case-host'],
  ])('%j is dead (%s)', (glob, reason) => {
    expect(deadPatternReason(glob)?.reason).toBe(reason);
  });

  test('a dead pattern really matches none of many module paths', () => {
    const paths = ['corp.com', 'corp.com/x', 'a.b/c/d', 'github.com/Acme/repo', 'a/b', 'x.y/z'];
    for (const glob of ['corp.com ', ' corp.com', 'CORP.com', 'a//', '/corp.com', 'a b']) {
      for (const path of paths) expect(matchPrefixPatterns(glob, path)).toBe(false);
    }
  });
});

describe('parsePatternInput', () => {
  test('trims around commas and newlines, drops empties and duplicates, keeps order', () => {
    expect(
      parsePatternInput('goprivate', ' corp.com, *.corp.com\n\n  github.com/acme ,corp.com\r\n'),
    ).toEqual(['corp.com', '*.corp.com', 'github.com/acme']);
    expect(parsePatternInput('goprivate', '')).toEqual([]);
  });

  test.each([
    ['[', /not a valid glob/],
    ['GitHub.com/acme', /upper-case letters.*"github.com\/acme"/],
    ['corp.com//', /empty path element/],
    ['corp .com', /white space/],
  ])('rejects %j with one line naming the input', (raw, why) => {
    expect(() => parsePatternInput('goprivate', raw)).toThrow(InputError);
    expect(() => parsePatternInput('goprivate', raw)).toThrow(why);
    expect(() => parsePatternInput('goprivate', raw)).toThrow(
      /^Invalid input 'goprivate': [^\n]*\(allowed: /,
    );
  });
});

describe('formatPatternList', () => {
  test('joins without spaces and refuses dead or comma-holding globs', () => {
    expect(formatPatternList(['corp.com', '*.corp.com', 'corp.com'])).toBe('corp.com,*.corp.com');
    expect(() => formatPatternList([' corp.com'])).toThrow(PatternFormatError);
    expect(() => formatPatternList(['a,b'])).toThrow(PatternFormatError);
    expect(() => formatPatternList([''])).toThrow(PatternFormatError);
  });
});

describe('properties', () => {
  const globChars = fc.constantFrom(
    'a',
    '.',
    '/',
    '*',
    '?',
    '[',
    ']',
    '^',
    '-',
    '\\',
    ' ',
    ',',
    '\n',
    'A',
    'é',
  );
  const text = fc.array(globChars, { maxLength: 14 }).map((c) => c.join(''));

  test('the matcher and analyser never throw', () => {
    fc.assert(
      fc.property(text, text, (globs, target) => {
        expect(typeof matchPrefixPatterns(globs, target)).toBe('boolean');
        const analysis = analysePatternList(globs);
        expect(analysis.live.length + analysis.dead.length).toBe(analysis.patterns.length);
      }),
      { numRuns: 3000 },
    );
  });

  test('parsePatternInput throws only InputError, and what it accepts formats and matches like itself', () => {
    fc.assert(
      fc.property(
        text,
        fc
          .array(fc.constantFrom('a', 'b', '.', '/', 'c'), { maxLength: 10 })
          .map((c) => c.join('')),
        (raw, target) => {
          let globs: readonly string[];
          try {
            globs = parsePatternInput('goprivate', raw);
          } catch (error) {
            expect(error).toBeInstanceOf(InputError);
            return;
          }
          const value = formatPatternList(globs);
          expect(analysePatternList(value).dead).toEqual([]);
          expect(matchPrefixPatterns(value, target)).toBe(
            globs.some((g) => matchPrefixPatterns(g, target)),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });
});
