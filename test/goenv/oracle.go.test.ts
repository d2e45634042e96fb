/**
 * Differential tests: thousands of generated inputs, answered once by our TypeScript ports and
 * once by real Go (test/goenv/oracle/main.go: path.Match, net/url, strings, strconv, and
 * MatchPrefixPatterns as vendored by cmd/go). Any disagreement fails with the input that shows it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { goFields, goQuote, goTrimSpace } from '../../src/goenv/gostrings.js';
import { GoUrlError, goUrlRedacted, goUrlString, parseGoUrl } from '../../src/goenv/gourl.js';
import { BadPatternError, goPathMatch, matchPrefixPatterns } from '../../src/goenv/patterns.js';
import { type OracleAnswer, buildOracle, makeTempRoot } from './go-harness.js';

const SAMPLES = 3000;
const SEED = 20240601;

function stringsFrom(alphabet: readonly string[], maxLength: number): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...alphabet), { maxLength }).map((chars) => chars.join(''));
}

const GLOB_CHARS = ['a', 'b', 'c', '.', '/', '*', '?', '[', ']', '^', '-', '\\', 'é', ' '];
const PATH_CHARS = ['a', 'b', 'c', '.', '/', '-', 'é', ' ', '*', '[', ']'];
const URL_PIECES = [
  'http://',
  'https://',
  'file://',
  'ftp:',
  'h',
  'x',
  'é',
  '1',
  ':',
  '/',
  '//',
  '@',
  'u:p@',
  '%',
  '%2f',
  '%zz',
  '%41',
  '[',
  ']',
  '[::1]',
  '?',
  '#',
  '.',
  ' ',
  '+',
  '-',
  '~',
  '!',
  '*',
  '%25',
  ';',
  '=',
  '\t',
  'A',
];
const SPACE_CHARS = [
  'a',
  ' ',
  '\t',
  '\n',
  '\v',
  '\f',
  '\r',
  '\u0085',
  '\u00a0',
  '\u2000',
  '\u2028',
  '\u3000',
  '\ufeff',
  '\u200b',
  'b',
];
const QUOTE_CHARS = [
  'a',
  '"',
  '\\',
  '\n',
  '\t',
  '\u0001',
  '\u007f',
  'é',
  '\u00a0',
  '\u200b',
  '😀',
  '\ufffd',
  "'",
  ' ',
];

describe('Go ports agree with real Go on generated inputs', () => {
  let temp: { root: string; cleanup: () => Promise<void> };
  let ask: (requests: readonly object[]) => Promise<OracleAnswer[]>;

  beforeAll(async () => {
    temp = await makeTempRoot('gps-oracle-');
    ask = await buildOracle(temp.root);
  });
  afterAll(async () => {
    await temp?.cleanup();
  });

  test('path.Match', async () => {
    const cases = fc.sample(fc.tuple(stringsFrom(GLOB_CHARS, 8), stringsFrom(PATH_CHARS, 8)), {
      numRuns: SAMPLES,
      seed: SEED,
    });
    const answers = await ask(cases.map(([pattern, name]) => ({ op: 'match', pattern, name })));
    const mismatches = cases.flatMap(([pattern, name], i) => {
      let ours: { matched: boolean; bad: boolean };
      try {
        ours = { matched: goPathMatch(pattern, name), bad: false };
      } catch (error) {
        if (!(error instanceof BadPatternError)) throw error;
        ours = { matched: false, bad: true };
      }
      const go = { matched: answers[i]!.bool, bad: answers[i]!.err === 'syntax error in pattern' };
      return ours.matched === go.matched && ours.bad === go.bad
        ? []
        : [{ pattern, name, ours, go }];
    });
    expect(mismatches).toEqual([]);
  });

  test('module.MatchPrefixPatterns', async () => {
    const globs = fc
      .array(stringsFrom(['a', 'b', '.', '/', '*', '?', '[', ']', '-', '\\', ' '], 6), {
        maxLength: 3,
      })
      .map((g) => g.join(','));
    const targets = stringsFrom(['a', 'b', '.', '/', '-'], 10);
    const cases = fc.sample(fc.tuple(globs, targets), { numRuns: SAMPLES, seed: SEED });
    const answers = await ask(cases.map(([pattern, name]) => ({ op: 'prefix', pattern, name })));
    const mismatches = cases.filter(([g, t], i) => matchPrefixPatterns(g, t) !== answers[i]!.bool);
    expect(mismatches).toEqual([]);
  });

  test('net/url Parse, String and Redacted', async () => {
    const cases = fc.sample(stringsFrom(URL_PIECES, 7), { numRuns: SAMPLES, seed: SEED });
    const answers = await ask(cases.map((raw) => ({ op: 'url', raw })));
    const mismatches = cases.flatMap((raw, i) => {
      const go = answers[i]!;
      let ours: Record<string, unknown>;
      try {
        const u = parseGoUrl(raw);
        ours = {
          err: '',
          text: goUrlString(u),
          redacted: goUrlRedacted(u),
          fields: [
            u.scheme,
            u.opaque,
            u.host,
            u.path,
            u.rawPath,
            u.rawQuery,
            u.fragment,
            u.rawFragment,
            u.omitHost,
            u.forceQuery,
          ],
          user: u.user && [u.user.username, u.user.password, u.user.passwordSet],
        };
      } catch (error) {
        if (!(error instanceof GoUrlError)) throw error;
        ours = { err: error.message };
      }
      const expected = go.err
        ? { err: go.err }
        : {
            err: '',
            text: go.text,
            redacted: go.redacted,
            fields: [
              go.url!.Scheme,
              go.url!.Opaque,
              go.url!.Host,
              go.url!.Path,
              go.url!.RawPath,
              go.url!.RawQuery,
              go.url!.Fragment,
              go.url!.RawFragment,
              go.url!.OmitHost,
              go.url!.ForceQuery,
            ],
            user: go.url!.HasUser
              ? [go.url!.Username, go.url!.Password, go.url!.PasswordSet]
              : null,
          };
      return JSON.stringify(ours) === JSON.stringify(expected) ? [] : [{ raw, ours, go: expected }];
    });
    expect(mismatches).toEqual([]);
  });

  test('strings.TrimSpace and strings.Fields', async () => {
    const cases = fc.sample(stringsFrom(SPACE_CHARS, 8), { numRuns: 1000, seed: SEED });
    const trims = await ask(cases.map((raw) => ({ op: 'trimspace', raw })));
    const fields = await ask(cases.map((raw) => ({ op: 'fields', raw })));
    expect(cases.filter((raw, i) => goTrimSpace(raw) !== trims[i]!.text)).toEqual([]);
    expect(
      cases.filter((raw, i) => JSON.stringify(goFields(raw)) !== JSON.stringify(fields[i]!.fields)),
    ).toEqual([]);
  });

  test('strconv.Quote', async () => {
    const cases = fc.sample(stringsFrom(QUOTE_CHARS, 6), { numRuns: 1000, seed: SEED });
    const answers = await ask(cases.map((raw) => ({ op: 'quote', raw })));
    expect(cases.filter((raw, i) => goQuote(raw) !== answers[i]!.text)).toEqual([]);
  });
});
