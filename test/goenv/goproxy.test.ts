import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InputError } from '../../src/errors.js';
import {
  EMPTY_LIST_ERROR,
  GoproxyFormatError,
  fallsThrough,
  formatGoproxy,
  maskUserinfo,
  parseGoproxy,
  validateProxyBaseUrl,
  withImplicitScheme,
} from '../../src/goenv/goproxy.js';

/** Any Unicode code points, surrogates included (fc.string({ unit: 'binary' }) is slow to generate). */
const anyCodePoints = fc
  .array(fc.integer({ min: 0, max: 0x10ffff }), { maxLength: 24 })
  .map((points) => String.fromCodePoint(...points));

describe('parseGoproxy', () => {
  test('structures entries with their separators', () => {
    const list = parseGoproxy('https://a.example|b.example , direct');
    expect(list.error).toBeNull();
    expect(list.entries).toEqual([
      {
        kind: 'url',
        url: 'https://a.example',
        raw: 'https://a.example',
        separator: '|',
        fallBackOnError: true,
      },
      {
        kind: 'url',
        url: 'https://b.example',
        raw: 'b.example',
        separator: ',',
        fallBackOnError: false,
      },
      { kind: 'direct', raw: 'direct', separator: null, fallBackOnError: false },
    ]);
    expect(list.dead).toEqual([]);
  });

  test('collects the dead entries after direct and off', () => {
    expect(parseGoproxy('direct,https://x.example|off').dead).toEqual(['https://x.example', 'off']);
    expect(parseGoproxy('https://a.example,off, ,ftp://ignored').dead).toEqual(['ftp://ignored']);
  });

  test('an invalid entry after direct is dead, not an error (Go stops reading)', () => {
    const list = parseGoproxy('direct,ftp://x');
    expect(list.error).toBeNull();
    expect(list.dead).toEqual(['ftp://x']);
  });

  test.each([
    ['', EMPTY_LIST_ERROR],
    [' , |', EMPTY_LIST_ERROR],
    ['foo', 'invalid proxy URL missing scheme: foo'],
    ['ftp://x', 'invalid proxy URL scheme (must be https, http, file): ftp://x'],
    ['ftp://u:secret@x', 'invalid proxy URL scheme (must be https, http, file): ftp://u:xxxxx@x'],
    ['file://host/x', 'invalid file:// proxy URL with non-path elements: file://host/x'],
    ['https://ok.example,http://[::1', 'parse "http://[::1": missing \']\' in host'],
  ])('%j → %s', (value, error) => {
    expect(parseGoproxy(value).error).toBe(error);
  });

  test('implicit https:// follows Go: dots, colons or slashes, no ":/", not an absolute path', () => {
    expect(withImplicitScheme('goproxy.cn')).toBe('https://goproxy.cn');
    expect(withImplicitScheme('host:8443')).toBe('https://host:8443');
    expect(withImplicitScheme('corp/proxy')).toBe('https://corp/proxy');
    expect(withImplicitScheme('word')).toBe('word');
    expect(withImplicitScheme('/srv/proxy')).toBe('/srv/proxy');
    expect(withImplicitScheme('file:///srv')).toBe('file:///srv');
    expect(withImplicitScheme('C:\\proxy', 'windows')).toBe('C:\\proxy');
    expect(withImplicitScheme('C:\\proxy', 'posix')).toBe('https://C:\\proxy');
  });
});

describe('formatGoproxy', () => {
  test('joins with | where any error should fall through, else ,', () => {
    expect(
      formatGoproxy([
        { kind: 'url', url: 'https://a.example', fallBackOnError: true },
        { kind: 'url', url: 'https://b.example', fallBackOnError: false },
        { kind: 'direct' },
      ]),
    ).toBe('https://a.example|https://b.example,direct');
  });

  test.each([
    [[], /empty GOPROXY/],
    [
      [{ kind: 'direct' }, { kind: 'url', url: 'https://a.example', fallBackOnError: false }],
      /after 'direct'/,
    ],
    [[{ kind: 'url', url: 'ftp://x', fallBackOnError: false }], /must be https, http, file/],
    [[{ kind: 'url', url: 'a.example', fallBackOnError: false }], /not a full URL/],
    [
      [{ kind: 'url', url: 'https://a.example,direct', fallBackOnError: false }],
      /invalid GOPROXY entry/,
    ],
    [[{ kind: 'url', url: ' https://a.example', fallBackOnError: false }], /invalid GOPROXY entry/],
  ] as const)('refuses %j', (entries, message) => {
    expect(() => formatGoproxy(entries as never)).toThrow(GoproxyFormatError);
    expect(() => formatGoproxy(entries as never)).toThrow(message);
  });

  test('never shows credentials in its errors', () => {
    expect(() =>
      formatGoproxy([{ kind: 'url', url: 'ftp://user:hunter22@x', fallBackOnError: false }]),
    ).toThrow(/^(?!.*hunter22).*$/);
  });
});

describe('fallsThrough', () => {
  test('only 404/410 fall through a comma; anything falls through a pipe; keywords end the list', () => {
    const [pipe, comma, direct] = parseGoproxy(
      'https://a.example|https://b.example,direct,x',
    ).entries;
    expect(fallsThrough(pipe!, 'terminal')).toBe(true);
    expect(fallsThrough(comma!, 'terminal')).toBe(false);
    expect(fallsThrough(comma!, 'not-found')).toBe(true);
    expect(fallsThrough(direct!, 'not-found')).toBe(false);
  });
});

describe('validateProxyBaseUrl', () => {
  test('normalises like Go and drops the trailing slash', () => {
    expect(validateProxyBaseUrl('mirrors', ' goproxy.cn/ ')).toBe('https://goproxy.cn');
    expect(validateProxyBaseUrl('mirrors', 'https://mirrors.aliyun.com/goproxy/')).toBe(
      'https://mirrors.aliyun.com/goproxy',
    );
    expect(validateProxyBaseUrl('private-proxy', 'https://u:p@athens.corp:3000')).toBe(
      'https://u:p@athens.corp:3000',
    );
  });

  test.each([
    ['direct', /GOPROXY keyword/],
    ['off', /GOPROXY keyword/],
    ['a.example,b.example', /contains ',' or '\|'/],
    ['a.example|b.example', /contains ',' or '\|'/],
    ['ftp://x', /must be https, http, file/],
    ['file:///srv/goproxy', /file:\/\/ URL/],
    ['foo', /missing scheme/],
    ['https://x.example/?a=1', /query or fragment/],
    ['http://user:pw@x.example', /plain http/],
    ['https://a b', /white space/],
  ])('rejects %j naming the input', (value, why) => {
    expect(() => validateProxyBaseUrl('mirrors', value)).toThrow(InputError);
    expect(() => validateProxyBaseUrl('mirrors', value)).toThrow(why);
    expect(() => validateProxyBaseUrl('mirrors', value)).toThrow(/^Invalid input 'mirrors': /);
  });

  test('masks credentials in the message', () => {
    let message = '';
    try {
      validateProxyBaseUrl('private-proxy', 'http://bob:s3cretToken@proxy.corp');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('***@proxy.corp');
    expect(message).not.toContain('s3cretToken');
    expect(message).not.toContain('\n');
  });

  test('maskUserinfo handles URLs with and without a scheme', () => {
    expect(maskUserinfo('tok@host.example/x')).toBe('***@host.example/x');
    expect(maskUserinfo('https://a:b@host.example')).toBe('https://***@host.example');
    expect(maskUserinfo('example.com/m@v1.0.0')).toBe('example.com/m@v1.0.0');
  });
});

describe('properties', () => {
  const entryChars = fc.constantFrom(
    'a',
    'b',
    '.',
    ':',
    '/',
    ' ',
    'direct',
    'off',
    'https://',
    'http://',
    'file://',
    '%',
    '[',
    '@',
    'é',
  );
  const goproxyValues = fc
    .array(fc.oneof(entryChars, fc.constantFrom(',', '|')), { maxLength: 12 })
    .map((p) => p.join(''));

  test('parseGoproxy never throws, and reports an error or at least one entry', () => {
    fc.assert(
      fc.property(fc.oneof(goproxyValues, fc.string(), anyCodePoints), (value) => {
        const list = parseGoproxy(value);
        expect(list.error !== null || list.entries.length > 0).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  test('format(parse(x)) round-trips for every value Go accepts', () => {
    fc.assert(
      fc.property(goproxyValues, (value) => {
        const list = parseGoproxy(value);
        if (list.error !== null) return;
        const formatted = formatGoproxy(list.entries);
        const again = parseGoproxy(formatted);
        expect(again.error).toBeNull();
        expect(again.dead).toEqual([]);
        const shape = (l: typeof list) =>
          l.entries.map((e) => [e.kind, e.kind === 'url' ? e.url : '', e.fallBackOnError]);
        expect(shape(again)).toEqual(shape(list));
        expect(formatGoproxy(again.entries)).toBe(formatted);
      }),
      { numRuns: 2000 },
    );
  });

  test('validateProxyBaseUrl throws nothing but InputError', () => {
    fc.assert(
      fc.property(fc.oneof(goproxyValues, fc.string()), (value) => {
        try {
          const url = validateProxyBaseUrl('mirrors', value);
          expect(parseGoproxy(url).error).toBeNull();
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
          expect((error as Error).message).not.toContain('\n');
        }
      }),
      { numRuns: 2000 },
    );
  });
});
