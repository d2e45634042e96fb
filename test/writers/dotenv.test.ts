import { describe, expect, test } from 'vitest';
import {
  DOTENV_MAX_BYTES,
  DotenvError,
  renderDotenv,
  validateDotenv,
} from '../../src/writers/dotenv.js';

describe('renderDotenv', () => {
  test('KEY=VALUE lines in order, final newline, valid for GitLab, stable on a second render', () => {
    const vars = {
      GOPROXY: 'https://goproxy.cn|https://proxy.golang.org,direct',
      GOSUMDB: 'sum.golang.org',
      GOPRIVATE: 'corp.com,*.corp.com',
    };
    const text = renderDotenv(vars);
    expect(text).toBe(
      'GOPROXY=https://goproxy.cn|https://proxy.golang.org,direct\nGOSUMDB=sum.golang.org\nGOPRIVATE=corp.com,*.corp.com\n',
    );
    expect(validateDotenv(text)).toEqual([]);
    expect(renderDotenv(vars)).toBe(text);
  });

  test('keeps inner spaces and = in values', () => {
    expect(renderDotenv([['GOSUMDB', 'sum.golang.org https://x/sumdb/sum.golang.org']])).toBe(
      'GOSUMDB=sum.golang.org https://x/sumdb/sum.golang.org\n',
    );
    expect(renderDotenv({ A: 'x=y' })).toBe('A=x=y\n');
  });

  test.each([
    [{ 'BAD-KEY': 'x' }, /must match/],
    [{ '': 'x' }, /must match/],
    [{ ['K'.repeat(256)]: 'x' }, /longer than 255/],
    [{ A: 'line1\nline2' }, /line break/],
    [{ A: 'x\r' }, /line break/],
    [{ A: ' padded' }, /white space/],
    [{ A: '$HOME/x' }, /'\$'/],
    [{ A: '\ud800' }, /not valid Unicode/],
  ])('refuses %j', (vars, message) => {
    expect(() => renderDotenv(vars)).toThrow(DotenvError);
    expect(() => renderDotenv(vars)).toThrow(message);
  });

  test('allows $ when expansion is intended', () => {
    expect(
      renderDotenv({ GOMODCACHE: '$CI_PROJECT_DIR/.go/pkg/mod' }, { allowExpansion: true }),
    ).toBe('GOMODCACHE=$CI_PROJECT_DIR/.go/pkg/mod\n');
  });

  test('refuses duplicates given as pairs', () => {
    expect(() =>
      renderDotenv([
        ['A', '1'],
        ['A', '2'],
      ]),
    ).toThrow(/appears twice/);
  });

  test('count limit: 20 variables pass, 21 do not', () => {
    const vars = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`V${i}`, 'x']));
    expect(validateDotenv(renderDotenv(vars(20)))).toEqual([]);
    expect(() => renderDotenv(vars(21))).toThrow(/21 variables exceed/);
  });

  test('size limit: just under 5 KB passes, 5 KB does not', () => {
    const fits = 'x'.repeat(DOTENV_MAX_BYTES - 1 - 'A=\n'.length);
    expect(Buffer.byteLength(renderDotenv({ A: fits }))).toBe(DOTENV_MAX_BYTES - 1);
    expect(() => renderDotenv({ A: `${fits}x` })).toThrow(/bytes exceed/);
    // multi-byte characters count as bytes
    expect(() => renderDotenv({ A: 'é'.repeat(2600) })).toThrow(/bytes exceed/);
  });

  test('reports every problem at once', () => {
    try {
      renderDotenv({ 'a b': 'x\ny', C: ' z' });
      expect.unreachable();
    } catch (error) {
      expect((error as DotenvError).violations).toHaveLength(3);
    }
  });
});

describe('validateDotenv', () => {
  const rules = (text: string | Uint8Array) =>
    validateDotenv(text).map((v) => [v.line, v.rule, v.rejectedByGitLab]);

  test('blank lines and comments reject the whole file', () => {
    expect(rules('A=1\n\nB=2\n')).toEqual([[2, 'not-key-value', true]]);
    expect(rules('# comment\nA=1')).toEqual([[1, 'not-key-value', true]]);
    expect(rules('#comment=x\n')).toEqual([[1, 'invalid-key', true]]);
  });

  test('keys, CR, spaces, duplicates, BOM, UTF-8', () => {
    expect(rules('A-B=1\n')).toEqual([[1, 'invalid-key', true]]);
    expect(rules('A=1\r\n')).toEqual([
      [1, 'carriage-return', false],
      [1, 'surrounding-space', false],
    ]);
    expect(rules(' A = 1\n')).toEqual([[1, 'surrounding-space', false]]);
    expect(rules('A=1\nA=2\n')).toEqual([[2, 'duplicate-key', false]]);
    expect(rules('\uFEFFA=1\n')).toEqual([[1, 'byte-order-mark', false]]);
    expect(rules(Uint8Array.from([0x41, 0x3d, 0xff, 0x0a]))).toEqual([[0, 'not-utf8', true]]);
    expect(rules(`${'K'.repeat(256)}=1\n`)).toEqual([[1, 'key-too-long', true]]);
  });

  test('limits', () => {
    const many = Array.from({ length: 21 }, (_, i) => `V${i}=x`).join('\n');
    expect(rules(many)).toEqual([[0, 'too-many-variables', true]]);
    expect(rules(`A=${'x'.repeat(DOTENV_MAX_BYTES)}\n`)).toEqual([[0, 'too-large', true]]);
    expect(validateDotenv('')).toEqual([]);
  });
});
