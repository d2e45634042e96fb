/**
 * The redaction layer: running text keeps module paths readable, configuration values lose
 * everything up to an entry's last `@`, and the Redactor learns the right secrets from URLs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { checkProxyUrl } from '../../src/goenv/goproxy.js';
import {
  Redactor,
  maskValueCredentials,
  maskValueInText,
  redactUrlCredentials,
} from '../../src/redact.js';

describe('redactUrlCredentials (running text)', () => {
  test.each([
    'go: downloading https://proxy.golang.org/golang.org/x/text/@v/v0.14.0.info',
    'GET https://proxy.golang.org/golang.org/x/text/@latest 200',
    'http://127.0.0.1:3000/example.com/m/@v/list',
    'https://[::1]:8443/example.com/m/@v/v1.0.0.mod',
    'see https://pkg.go.dev/golang.org/x/text@v0.14.0',
    'http://athens/golang.org/x/text@v0.14.0',
    'https://athens.corp/base@x/golang.org/x/text/@v/list',
    'file:///srv/goproxy/example.com/m@v1.0.0',
    'go: golang.org/x/text@v0.14.0: reading https://goproxy.cn/golang.org/x/text/@v/v0.14.0.zip: 404 Not Found',
    'GOPROXY=https://proxy.golang.org,direct GOSUMDB=sum.golang.org',
  ])('leaves %j alone', (text) => {
    expect(redactUrlCredentials(text)).toBe(text);
  });

  test.each([
    ['https://user:pass@host.example/x', 'https://***@host.example/x'],
    ['https://TOKEN@github.com/acme/repo', 'https://***@github.com/acme/repo'],
    ['https://u:p@ss@host.example/', 'https://***@host.example/'],
    ['https://user:ab/cdSECRET@athens.corp', 'https://***@athens.corp'],
    ['https://user:ab?cdSECRET@athens.corp', 'https://***@athens.corp'],
    ['fatal: https://ab/cd+ef==@host/x', 'fatal: https://***@host/x'],
    ['https://user:ab/cd@athens.corp/x/@v/list', 'https://***@athens.corp/x/@v/list'],
    [
      'GOPROXY=https://a.example,https://u:p@b.example|direct',
      'GOPROXY=https://a.example,https://***@b.example|direct',
    ],
    ['url=https://u:p%20q@host x', 'url=https://***@host x'],
  ])('masks %j', (text, shown) => {
    expect(redactUrlCredentials(text)).toBe(shown);
  });

  test('is idempotent', () => {
    const once = redactUrlCredentials('https://user:ab/cd@athens.corp https://u:p@h.example');
    expect(redactUrlCredentials(once)).toBe(once);
  });
});

describe('maskValueCredentials (a value that holds URLs)', () => {
  test.each([
    ['https://user:ab/cdSECRET@athens.corp', 'https://***@athens.corp'],
    ['https://user:abSECRET#x@athens.corp', 'https://***@athens.corp'],
    ['https://user:pa ssSECRET@athens.corp', 'https://***@athens.corp'],
    ['https://glpat-SECRETTOKEN@athens.corp/a b', 'https://***@athens.corp/a b'],
    ['user:SECRET@athens.corp/x?y', '***@athens.corp/x?y'],
    [
      'https://a.example,https://u:SECRET@b.example|direct',
      'https://a.example,https://***@b.example|direct',
    ],
    ['https://m.example\nhttps://TOK/EN@n.example', 'https://m.example\nhttps://***@n.example'],
    [
      'sum.golang.org+033de0ae+Ac4z https://user:pa/ss@sum.corp',
      'sum.golang.org+033de0ae+Ac4z https://***@sum.corp',
    ],
    ['https://goproxy.io', 'https://goproxy.io'],
    ['corp.example.com,github.com/acme', 'corp.example.com,github.com/acme'],
  ])('%j → %j', (value, shown) => {
    expect(maskValueCredentials(value)).toBe(shown);
  });
});

describe('maskValueInText (Go error texts about a value)', () => {
  const SECRETS = ['SECRET', ':ab', '%zz', 'x"x'];
  const cases = [
    'https://user:ab/cdSECRET@athens.corp',
    'https://user:abSECRET#x@athens.corp',
    'https://user:pa%zzSECRET@athens.corp',
    'https://user:SECRET"x@athens.corp',
    'https://user:SE\\CRET@athens.corp',
    'https://user:SECRET\u0001@athens.corp',
    'https://user:SECRET@[::1',
  ];

  test.each(cases)('our port of url.Parse: nothing of %j shows', (url) => {
    const problem = checkProxyUrl(url);
    expect(problem).toMatch(/^parse "/);
    const shown = maskValueInText(problem!, url);
    for (const secret of [...SECRETS, 'SE\\\\CRET']) expect(shown).not.toContain(secret);
    expect(shown).toMatch(/^parse "https:\/\/\*\*\*@/);
  });

  const home = mkdtempSync(join(tmpdir(), 'gps-redact-go-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  test.each(cases.slice(0, 4))(
    'the real go command: nothing of %j shows, the module path does',
    (url) => {
      const run = spawnSync('go', ['mod', 'download', 'example.com/m@v1.0.0'], {
        cwd: home,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH ?? '',
          HOME: home,
          GOPATH: join(home, 'gopath'),
          GOMODCACHE: join(home, 'modcache'),
          GOFLAGS: '-modcacherw',
          GOTOOLCHAIN: 'local',
          GOSUMDB: 'off',
          GOPROXY: url,
        },
      });
      expect(run.stderr).toContain('parse "'); // Go quotes the raw URL
      const shown = maskValueInText(run.stderr, url);
      for (const secret of SECRETS) expect(shown).not.toContain(secret);
      expect(shown).toContain('go: example.com/m@v1.0.0: parse "https://***@athens.corp"');
    },
  );

  test('a pattern message loses the user info, also in its lower-cased suggestion', () => {
    const value = 'HTTPS://user:ab/cdSECRET@git.corp/x';
    const message = `GOPRIVATE pattern ${JSON.stringify(value)} is odd (write ${JSON.stringify(value.toLowerCase())})`;
    const shown = maskValueInText(message, value);
    expect(shown).not.toMatch(/secret|:ab/i);
    expect(shown).toBe(
      'GOPRIVATE pattern "HTTPS://***@git.corp/x" is odd (write "https://***@git.corp/x")',
    );
  });

  test('without user info in the value, only the running-text rule applies', () => {
    const text = 'parse "https://a b": invalid character " " in host name';
    expect(maskValueInText(text, 'https://a b')).toBe(text);
  });

  /** Non-hex letters, so `%` escapes stay invalid whichever letters fill a password. */
  const LETTERS = 'GHIJKLMNOPQRSTUVWXYZ';
  const shape = fc.array(
    fc.oneof(
      fc.constantFrom('/', '#', '?', ' ', '%', '"', '\\', ':', '[', ']', '\u0001', '+', '='),
      fc.constant('L'),
    ),
    { minLength: 1, maxLength: 12 },
  );
  const fill = (parts: readonly string[], offset: number): string =>
    parts
      .map((part, i) => (part === 'L' ? LETTERS[(i * 7 + offset) % LETTERS.length]! : part))
      .join('');

  test('property: the masked Go error does not depend on the password letters', () => {
    fc.assert(
      fc.property(shape, fc.constantFrom('https://user:', 'https://', ''), (parts, prefix) => {
        const texts = [3, 11].map((offset) => {
          const url = `${prefix}${fill(parts, offset)}Z@athens.corp`;
          const full = prefix === '' ? `https://${url}` : url;
          return maskValueInText(checkProxyUrl(full) ?? '', full);
        });
        expect(texts[0]).toBe(texts[1]);
      }),
      { numRuns: 400 },
    );
  });
});

describe('Redactor', () => {
  test('a username with a password is not a secret; the password is', () => {
    const redactor = new Redactor();
    redactor.addUrl('https://proxy:pw12345678@proxy.corp');
    const text = 'GOPROXY=https://proxy.corp|https://proxy.golang.org|direct';
    expect(redactor.redact(text)).toBe(text);
    expect(redactor.redact('password pw12345678')).toBe('password ***');
    expect(redactor.secrets).not.toContain('proxy');
  });

  test('a token in the username position is a secret', () => {
    const redactor = new Redactor();
    redactor.addUrl('https://ghp_abcdefgh1234@github.com/acme/repo');
    expect(redactor.redact('token ghp_abcdefgh1234 used')).toBe('token *** used');
  });

  test.each([
    ['https://tok3nVALUE:x-oauth-basic@github.com', 'tok3nVALUE'],
    ['https://tok3nVALUE:@github.com', 'tok3nVALUE'],
    ['https://ghp_abcdefgh1234:anything@github.com', 'ghp_abcdefgh1234'],
  ])('the username of %j is the credential', (url, secret) => {
    const redactor = new Redactor();
    redactor.addUrl(url);
    expect(redactor.redact(`x ${secret} y`)).toBe('x *** y');
  });

  test('well-known logins are never secrets', () => {
    const redactor = new Redactor();
    redactor.addUrl('https://gitlab-ci-token@gitlab.example/g/p.git');
    redactor.addUrl('https://x-access-token:s3cretTOKEN@github.com/a/b');
    expect(redactor.redact('gitlab-ci-token x-access-token s3cretTOKEN')).toBe(
      'gitlab-ci-token x-access-token ***',
    );
  });

  test.each([
    ['https://u:SECRETpw@host.example:99999', 'SECRETpw'], // Go accepts the port, WHATWG does not
    ['https://user:ab/cdSECRET@athens.corp', 'ab/cdSECRET'],
    ['https://user:abSECRET#x@athens.corp', 'abSECRET#x'],
    ['https://user:pa ssSECRET@athens.corp', 'pa ssSECRET'],
    ['https://ab/cd+ef==SECRET@host/x', 'ab/cd+ef==SECRET'],
    ['user:SECRETpw@athens.corp:99999/x', 'SECRETpw'],
  ])('registers the credentials of %j although it does not parse everywhere', (url, secret) => {
    const redactor = new Redactor();
    redactor.addUrl(url);
    expect(redactor.redact(`leak: ${secret}.`)).toBe('leak: ***.');
  });

  test('an @ in the path of a real server registers nothing', () => {
    const redactor = new Redactor();
    redactor.addUrl('https://athens.corp/base@x');
    redactor.addUrl('http://localhost:3000/m@v');
    expect(redactor.secrets).toEqual([]);
  });

  test('masks the JSON- and Go-escaped forms, and the Basic authorization of a URL', () => {
    const redactor = new Redactor();
    redactor.add('tok"en\\1234');
    expect(redactor.redact(JSON.stringify({ a: 'tok"en\\1234' }))).toBe('{"a":"***"}');
    redactor.addUrl('https://user:s3cretpass@h.example');
    const basic = Buffer.from('user:s3cretpass').toString('base64');
    expect(redactor.redact(`Authorization: Basic ${basic}`)).toBe('Authorization: Basic ***');
  });

  test('tells the sink every form it registers', () => {
    const seen: string[] = [];
    const redactor = new Redactor((secret) => seen.push(secret));
    redactor.addUrl('https://user:pa%2Fss12@h.example');
    expect(seen).toContain('pa%2Fss12');
    expect(seen).toContain('pa/ss12');
  });
});
