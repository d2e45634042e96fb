import { describe, expect, test } from 'vitest';
import { InputError } from '../../src/errors.js';
import { SUM_GOLANG_ORG_KEY } from '../../src/goenv/gosumdb.js';
import {
  InputsError,
  parseEnvironment,
  parseInputs,
  registerSecrets,
} from '../../src/inputs/inputs.js';
import { INPUT_SPECS, type InputName } from '../../src/inputs/spec.js';
import { Redactor } from '../../src/redact.js';

function reader(
  values: Partial<Record<InputName, string>>,
): (name: InputName) => string | undefined {
  return (name) => values[name];
}

function errorOf(values: Partial<Record<InputName, string>>): InputsError {
  try {
    parseInputs(reader(values), {});
  } catch (error) {
    expect(error).toBeInstanceOf(InputsError);
    expect(error).toBeInstanceOf(InputError);
    return error as InputsError;
  }
  throw new Error('expected an InputsError');
}

describe('defaults and sources', () => {
  test('every input has its spec default, source "default"', () => {
    const inputs = parseInputs(reader({}), {});
    expect(inputs.mirrors).toEqual({ value: 'auto', source: 'default' });
    expect(inputs.privateProxy).toEqual({ value: null, source: 'default' });
    expect(inputs.fallback).toEqual({ value: 'direct', source: 'default' });
    expect(inputs.maxMirrors).toEqual({ value: 2, source: 'default' });
    expect(inputs.probeModules).toEqual({ value: 'auto', source: 'default' });
    expect(inputs.timeoutSeconds).toEqual({ value: 10, source: 'default' });
    expect(inputs.gosumdb).toEqual({ value: 'auto', source: 'default' });
    expect(inputs.goprivate).toEqual({ value: [], source: 'default' });
    expect(inputs.goprivateFromRemote).toEqual({ value: 'auto', source: 'default' });
    expect(inputs.writeGoEnv).toEqual({ value: false, source: 'default' });
    expect(inputs.cache).toEqual({ value: true, source: 'default' });
    expect(inputs.cacheDependencyPath).toEqual({ value: [], source: 'default' });
    expect(inputs.summary).toEqual({ value: 'true', source: 'default' });
    expect(inputs.workingDirectory).toEqual({ value: '.', source: 'default' });
    expect(inputs.token).toEqual({ value: null, source: 'default' });
    expect(inputs.environment).toEqual({
      GOPROXY: null,
      GOSUMDB: null,
      GOPRIVATE: null,
      GONOPROXY: null,
      GONOSUMDB: null,
      GOFLAGS: null,
      problems: [],
    });
  });

  test('reads every input of the spec, and nothing else', () => {
    const asked: string[] = [];
    parseInputs((name) => {
      asked.push(name);
      return undefined;
    }, {});
    expect([...asked].sort()).toEqual(INPUT_SPECS.map((s) => s.name).sort());
  });

  test('empty and default-equal values count as defaults (the runner passes defaults as values)', () => {
    const inputs = parseInputs(reader({ mirrors: '', 'max-mirrors': '2', timeout: ' 30 ' }), {});
    expect(inputs.mirrors.source).toBe('default');
    expect(inputs.maxMirrors.source).toBe('default');
    expect(inputs.timeoutSeconds).toEqual({ value: 30, source: 'input' });
  });

  test('the result is deeply read-only', () => {
    const inputs = parseInputs(reader({ mirrors: 'https://a.example', goprivate: 'corp.com' }), {
      GOPROXY: 'https://x.example,direct',
    });
    expect(Object.isFrozen(inputs)).toBe(true);
    expect(Object.isFrozen(inputs.mirrors.value)).toBe(true);
    expect(Object.isFrozen(inputs.environment.GOPROXY!.value!.entries[0])).toBe(true);
    expect(() => {
      (inputs.goprivate.value as string[]).push('x');
    }).toThrow(TypeError);
  });
});

describe('valid values', () => {
  test('mirrors: URLs normalised like Go, deduplicated, order kept', () => {
    const inputs = parseInputs(
      reader({
        mirrors: 'goproxy.cn\nhttps://proxy.golang.org/, https://GOPROXY.cn/\n\nhttps://goproxy.io',
      }),
      {},
    );
    expect(inputs.mirrors).toEqual({
      value: ['https://goproxy.cn', 'https://proxy.golang.org', 'https://goproxy.io'],
      source: 'input',
    });
  });

  test('every other input', () => {
    const inputs = parseInputs(
      reader({
        'private-proxy': 'https://ci:tok3n@athens.corp:3000/',
        fallback: 'OFF',
        'max-mirrors': '10',
        'probe-modules':
          'golang.org/x/text@v0.14.0, github.com/google/uuid\ngolang.org/x/text@v0.14.0',
        timeout: '2.5s',
        gosumdb: 'sum.golang.org https://goproxy.cn/sumdb/sum.golang.org',
        goprivate: 'corp.com, *.corp.com',
        'goprivate-from-remote': 'TRUE',
        'write-go-env': 'True',
        cache: 'FALSE',
        'cache-dependency-path': '**/go.sum\n tools/go.{mod,sum} \n',
        summary: 'no-chart',
        'working-directory': 'services/api',
        token: ' ghp_anything goes ',
      }),
      {},
    );
    expect(inputs.privateProxy.value).toBe('https://ci:tok3n@athens.corp:3000');
    expect(inputs.fallback.value).toBe('off');
    expect(inputs.maxMirrors.value).toBe(10);
    expect(inputs.probeModules.value).toEqual([
      { path: 'golang.org/x/text', version: 'v0.14.0' },
      { path: 'github.com/google/uuid', version: null },
    ]);
    expect(inputs.timeoutSeconds.value).toBe(2.5);
    expect(inputs.gosumdb.value).toMatchObject({
      kind: 'db',
      name: 'sum.golang.org',
      url: 'https://goproxy.cn/sumdb/sum.golang.org',
    });
    expect(inputs.goprivate.value).toEqual(['corp.com', '*.corp.com']);
    expect(inputs.goprivateFromRemote.value).toBe(true);
    expect(inputs.writeGoEnv.value).toBe(true);
    expect(inputs.cache.value).toBe(false);
    expect(inputs.cacheDependencyPath.value).toEqual(['**/go.sum', 'tools/go.{mod,sum}']);
    expect(inputs.summary.value).toBe('no-chart');
    expect(inputs.workingDirectory.value).toBe('services/api');
    expect(inputs.token.value).toBe('ghp_anything goes');
  });

  test('gosumdb off is allowed because the user wrote it', () => {
    expect(parseInputs(reader({ gosumdb: 'off' }), {}).gosumdb).toEqual({
      value: { kind: 'off', value: 'off' },
      source: 'input',
    });
  });
});

describe('bad values: one clear line naming the input', () => {
  test.each([
    ['mirrors', 'direct', /GOPROXY keyword.*'fallback'/],
    ['mirrors', 'https://a.example|https://b.example', /contains ',' or '\|'/],
    ['mirrors', 'auto, https://a.example', /mixes 'auto' with URLs/],
    ['mirrors', ' , ', /holds no URL/],
    ['mirrors', 'ftp://mirror.example', /must be https, http, file/],
    ['private-proxy', 'foo', /missing scheme/],
    ['private-proxy', 'https://a.example,https://b.example', /contains ','/],
    ['fallback', 'proxy', /"proxy" is not one of the choices \(allowed: direct, off\)/],
    ['max-mirrors', 'abc', /"abc" is not a whole number \(allowed: 1 to 10\)\.$/],
    ['max-mirrors', '0', /"0" is out of range \(allowed: 1 to 10\)/],
    ['max-mirrors', '11', /out of range/],
    ['max-mirrors', '2.5', /not a whole number/],
    [
      'probe-modules',
      'text@v1.0.0',
      /"text@v1.0.0" is not a module: malformed module path "text": missing dot/,
    ],
    ['probe-modules', 'golang.org/x/text@latest', /not a semantic version/],
    ['probe-modules', 'golang.org/x/text@v1.2', /not a canonical version \(write v1.2.0\)/],
    ['probe-modules', ',', /names no module/],
    ['timeout', 'ten', /not a number of seconds/],
    ['timeout', '0', /out of range \(allowed: a number of seconds from 1 to 300\)/],
    ['timeout', '301', /out of range/],
    ['gosumdb', 'sum.example.com', /rejected by Go: invalid GOSUMDB: malformed verifier id/],
    ['gosumdb', 'a b c', /too many fields/],
    ['gosumdb', 'sum.golang.org ftp://x', /database URL Go cannot fetch from/],
    ['goprivate', 'corp.com, [', /not a valid glob/],
    ['goprivate', 'GitHub.com/acme', /upper-case/],
    ['goprivate-from-remote', 'yes', /allowed: auto, true, false/],
    ['write-go-env', 'yes', /"yes" is not a boolean \(allowed: true or false\)/],
    ['write-go-env', 'tRUE', /not a boolean/],
    ['cache', '1', /not a boolean/],
    ['summary', 'chart', /allowed: true, false, no-chart/],
    ['working-directory', 'a\nb', /not a path/],
  ] as const)('%s: %j', (input, value, why) => {
    const error = errorOf({ [input]: value });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]!.input).toBe(input);
    expect(error.message).toMatch(new RegExp(`^Invalid input '${input}': `));
    expect(error.message).toMatch(why);
    expect(error.message).toMatch(/\(allowed: [^)]*\)\.$/);
    expect(error.message).not.toMatch(/[\r\n]/);
  });

  test('all bad inputs in one line, in spec order', () => {
    const error = errorOf({ timeout: 'x', 'max-mirrors': 'y', cache: 'maybe' });
    expect(error.problems.map((p) => p.input)).toEqual(['max-mirrors', 'timeout', 'cache']);
    expect(error.message.split('Invalid input').length - 1).toBe(3);
    expect(error.message).not.toContain('\n');
  });

  test('credentials and the token never appear in messages', () => {
    const error = errorOf({
      'private-proxy': 'http://bob:Sup3rSecretPw@athens.corp',
      mirrors: 'ghs_tokenInUser@mirror.example/x|y',
      token: 'ghp_NeverShowThisToken',
      'max-mirrors': 'nope',
    });
    expect(error.problems).toHaveLength(3);
    expect(error.message).not.toContain('Sup3rSecretPw');
    expect(error.message).not.toContain('ghs_tokenInUser');
    expect(error.message).not.toContain('ghp_NeverShowThisToken');
    expect(error.message).toContain('***@athens.corp');
  });

  test('long values are shortened', () => {
    const error = errorOf({ fallback: 'x'.repeat(500) });
    expect(error.message.length).toBeLessThan(200);
  });
});

describe('environment', () => {
  test('parses the Go variables and reports problems instead of throwing', () => {
    const env = parseEnvironment({
      GOPROXY: 'https://ci:tok@proxy.corp,direct,https://never.example',
      GOSUMDB: 'sum.example.com',
      GOPRIVATE: 'corp.com, git.corp.com',
      GONOPROXY: '',
      GONOSUMDB: 'corp.com',
      GOFLAGS: '-mod=mod -insecure',
      GONOSUMCHECK: '*',
    });
    expect(env.GOPROXY?.value?.entries.map((e) => e.kind)).toEqual(['url', 'direct']);
    expect(env.GOPROXY?.source).toBe('env');
    expect(env.GOSUMDB?.value).toBeNull();
    expect(env.GOPRIVATE?.value?.live).toEqual(['corp.com']);
    expect(env.GONOPROXY).toBeNull();
    expect(env.GONOSUMDB?.problems).toEqual([]);
    expect(env.GOFLAGS?.value).toEqual(['-mod=mod', '-insecure']);
    expect(env.problems.map((p) => p.variable)).toEqual([
      'GOPROXY',
      'GOSUMDB',
      'GOPRIVATE',
      'GOFLAGS',
      'GONOSUMCHECK',
    ]);
    expect(env.problems[0]!.message).toBe(
      "GOPROXY entries after 'direct' are ignored by Go: https://never.example",
    );
    expect(env.problems[2]!.message).toContain(
      '" git.corp.com" has leading or trailing white space',
    );
  });

  test('an invalid GOPROXY keeps the raw value and masks credentials in the problem', () => {
    const env = parseEnvironment({ GOPROXY: 'ftp://user:pw@x.example' });
    expect(env.GOPROXY).toMatchObject({ raw: 'ftp://user:pw@x.example', value: null });
    expect(env.problems).toEqual([
      {
        variable: 'GOPROXY',
        message:
          'GOPROXY is rejected by Go: invalid proxy URL scheme (must be https, http, file): ftp://***@x.example',
      },
    ]);
  });

  test('a full GOSUMDB key is parsed', () => {
    expect(parseEnvironment({ GOSUMDB: SUM_GOLANG_ORG_KEY }).GOSUMDB?.value).toMatchObject({
      name: 'sum.golang.org',
    });
  });
});

describe('registerSecrets', () => {
  test('registers the token and URL credentials', () => {
    const inputs = parseInputs(
      reader({
        token: 'ghp_abcdefgh',
        'private-proxy': 'https://ci:pr0xyPass@athens.corp',
        mirrors: 'https://m1rrorTok@mirror.example',
      }),
      { GOPROXY: 'https://envUser:envPass@p.example,direct' },
    );
    const redactor = new Redactor();
    registerSecrets(inputs, redactor);
    const text = redactor.redact('ghp_abcdefgh pr0xyPass m1rrorTok envPass');
    expect(text).not.toMatch(/ghp_abcdefgh|pr0xyPass|m1rrorTok|envPass/);
  });
});
