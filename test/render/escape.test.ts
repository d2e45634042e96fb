import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  escapeMarkdownInline,
  fenceFor,
  markdownText,
  mermaidLabel,
  openMetricsLabelValue,
  plainLine,
} from '../../src/render/escape.js';

/** Decodes the numeric and named references escapeMarkdownInline produces. */
function decode(escaped: string): string {
  return escaped
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

const ATTACK =
  'body: <script>alert(1)</script> | `rm -rf` @octocat [click](javascript:alert(1)) **bold** $x$\nsecond line';

describe('markdownText', () => {
  it('turns markup, HTML, mentions and newlines into inert text', () => {
    const out = markdownText(ATTACK);
    expect(out).not.toMatch(/[<>|`[\]\n*$]/);
    expect(out).not.toContain('@octocat');
    expect(out).toContain('@&#8203;octocat');
    expect(out).toContain('&lt;script&gt;');
    // Nothing is lost: the reader sees exactly the original characters on one line.
    expect(decode(out).replace(/\u200b/g, '')).toBe(ATTACK.replace('\n', ' '));
  });

  it('keeps addresses and module versions readable (no mention there)', () => {
    expect(markdownText('user@example.com golang.org/x/text@v0.14.0')).toBe(
      'user@example.com golang.org/x/text@v0.14.0',
    );
  });

  it('neutralises what would open a nested list or a heading at the start of a list item', () => {
    expect(markdownText('- x')).toBe('&#45; x');
    expect(markdownText('1. x')).toBe('&#49;. x');
    expect(markdownText('---')).toBe('&#45;--');
    expect(markdownText('# x')).toBe('&#35; x');
    expect(markdownText('403 Forbidden')).toBe('403 Forbidden');
    expect(markdownText('-v')).toBe('-v');
  });

  it('for any input: one line, no raw markup character, and decodes back to the plain line', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (input) => {
        const out = markdownText(input, 1000);
        expect(out).not.toMatch(/[<>|`[\]\n\r\\*_~$]/);
        expect(decode(out).replace(/\u200b/g, '')).toBe(plainLine(input, 1000));
      }),
    );
  });
});

describe('plainLine', () => {
  it('removes terminal escapes, carriage returns and bidi overrides, folds whitespace', () => {
    expect(plainLine('a\x1b[31mred\x1b[0m\r\nb\u202Ec\t d')).toBe('a[31mred[0m bc d');
  });

  it('cuts long text at a code point with an ellipsis', () => {
    expect(plainLine('abcdef', 4)).toBe('abc…');
    expect(plainLine('😀😀😀', 2)).toBe('😀…');
  });
});

describe('escapeMarkdownInline', () => {
  it('encodes every GitHub-markdown special character', () => {
    expect(escapeMarkdownInline('a|b`c[d]e(f)g*h_i~j\\k#l!m$n{o}p&q<r>s"t\'u')).toBe(
      'a&#124;b&#96;c&#91;d&#93;e&#40;f&#41;g&#42;h&#95;i&#126;j&#92;k&#35;l&#33;m&#36;n&#123;o&#125;p&amp;q&lt;r&gt;s&quot;t&#39;u',
    );
  });
});

describe('fenceFor', () => {
  it('is longer than any backtick run in the content', () => {
    expect(fenceFor('plain')).toBe('```');
    expect(fenceFor('a ```` b')).toBe('`````');
  });
});

describe('mermaidLabel', () => {
  it('keeps host names and drops what breaks Mermaid', () => {
    expect(mermaidLabel('goproxy.cn')).toBe('goproxy.cn');
    expect(mermaidLabel('evil"]; bar [1')).toBe('evil___ bar _1');
    expect(mermaidLabel('')).toBe('_');
  });
});

describe('openMetricsLabelValue', () => {
  it('escapes backslash, double quote and line feed', () => {
    expect(openMetricsLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  });
});
