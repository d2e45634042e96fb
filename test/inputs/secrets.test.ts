/**
 * Credentials in inputs and in the Go variables of the environment: never shown in a problem,
 * registered with the redactor before validation, and GOSUMDB's URL credentials included.
 */
import { describe, expect, test } from 'vitest';
import { SUM_GOLANG_ORG_KEY } from '../../src/goenv/gosumdb.js';
import { parseEnvironment, parseInputs, registerSecrets } from '../../src/inputs/inputs.js';
import type { InputName } from '../../src/inputs/spec.js';
import type { SumdbRouteProbe } from '../../src/probe/types.js';
import { Redactor } from '../../src/redact.js';
import { failureMessage } from '../../src/runtime.js';
import { chooseGosumdb, findRouteProbe, resolveSumdbMode } from '../../src/select/gosumdb.js';
import { probeRun } from '../select/fixtures.js';

type Values = Partial<Record<InputName, string>>;

/** What a user sees when parsing fails, with the redactor the orchestrators use. */
function failure(
  values: Values,
  env: Record<string, string> = {},
): { shown: string; redactor: Redactor } {
  const redactor = new Redactor();
  try {
    parseInputs((name) => values[name], env, redactor);
  } catch (error) {
    return { shown: failureMessage(error, redactor), redactor };
  }
  throw new Error('expected the inputs to be rejected');
}

describe('rejected inputs never show their credentials', () => {
  test.each([
    ['https://user:ab/cdSECRET@athens.corp', /invalid port "\*\*\*" after host/],
    ['https://user:abSECRET#x@athens.corp', /invalid port "\*\*\*" after host/],
    ['https://user:pa ssSECRET@athens.corp', /contains white space/],
    ['https://user:pa%zzSECRET@athens.corp', /invalid URL escape "\*\*\*"/],
    ['https://user:SECRET@athens.corp?x=1', /has a query or fragment/],
    ['http://user:SECRETpw@athens.corp', /plain http/],
    ['https://user:SECRET"x@athens.corp', /invalid userinfo/],
    ['https://glpat-SECRETTOKEN@athens.corp/a b', /contains white space/],
    ['https://user:SE\\CRET@athens.corp', /invalid userinfo/],
    ['user:SECRET@athens.corp/x?y', /has a query or fragment/],
    ['https://user:SECRET@[::1', /missing '\]' in host/],
    ['https://user:SECRET\u0001@athens.corp', /invalid control character/],
  ])('private-proxy %j', (url, why) => {
    const { shown } = failure({ 'private-proxy': url });
    expect(shown).toMatch(/^Invalid input 'private-proxy': "(https?:\/\/)?\*\*\*@/);
    expect(shown).toMatch(why);
    expect(shown).not.toMatch(/SECRET|SE\\+CRET|:ab"|pa |%zz|"x@/);
    expect(shown).not.toContain('\n');
  });

  test('a mirrors entry', () => {
    const { shown } = failure({ mirrors: 'https://a.example,https://u:SECRET/x@b.example:99x' });
    expect(shown).toMatch(/^Invalid input 'mirrors': "https:\/\/\*\*\*@b\.example:99x"/);
    expect(shown).not.toContain('SECRET');
  });

  test('the gosumdb URL', () => {
    const { shown } = failure({
      gosumdb: `${SUM_GOLANG_ORG_KEY} https://user:ab/cdSECRET@sum.corp`,
    });
    expect(shown).toContain('https://***@sum.corp');
    expect(shown).toContain('invalid port "***" after host');
    expect(shown).not.toMatch(/SECRET|:ab"/);
  });

  test('a goprivate pattern', () => {
    const { shown } = failure({ goprivate: 'https://user:ab/cdSECRET@git.corp/x' });
    expect(shown).toMatch(/^Invalid input 'goprivate': "https:\/\/\*\*\*@git\.corp\/x"/);
    expect(shown).not.toContain('SECRET');
  });

  test('the raw credentials were registered before validation', () => {
    const { redactor } = failure(
      { 'private-proxy': 'https://user:ab/cdSECRET@athens.corp', token: 'ghp_tokenVALUE1' },
      {
        GOPROXY: 'https://ci:gopr0xySECRET@p.example:x,direct',
        GOSUMDB: 'k https://u:sumSECRET/x@s.corp',
      },
    );
    expect(redactor.redact('ab/cdSECRET ghp_tokenVALUE1 gopr0xySECRET sumSECRET/x')).toBe(
      '*** *** *** ***',
    );
  });
});

describe('the environment', () => {
  test.each([
    ['GOPROXY', 'https://user:ab/cdSECRET@athens.corp,direct'],
    ['GOPROXY', 'https://user:abSECRET#x@athens.corp'],
    ['GOPROXY', 'user:ab/cdSECRET@athens.corp,direct'],
    ['GOSUMDB', `${SUM_GOLANG_ORG_KEY} https://user:ab/cdSECRET@sum.corp`],
    ['GOPRIVATE', 'https://user:ab/cdSECRET@git.corp/x'],
    ['GONOPROXY', 'user:SECRET@git.corp:22/x'],
    ['GONOSUMDB', 'https://tok/en+SECRET==@git.corp'],
  ])('%s=%j: the problem shows no credential', (variable, value) => {
    const { problems } = parseEnvironment({ [variable]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.variable).toBe(variable);
    expect(problems[0]!.message).toContain('***@');
    expect(problems[0]!.message).not.toMatch(/SECRET|:ab"/);
  });

  test('ignored GOPROXY entries are listed masked', () => {
    const { problems } = parseEnvironment({
      GOPROXY: 'https://p.example,direct,https://u:x/ySECRET@late.example',
    });
    expect(problems.map((p) => p.message)).toEqual([
      "GOPROXY entries after 'direct' are ignored by Go: https://***@late.example",
    ]);
  });

  test('module paths in pattern problems stay readable', () => {
    const { problems } = parseEnvironment({ GOPRIVATE: 'Corp.example/mod' });
    expect(problems[0]!.message).toContain('"Corp.example/mod"');
  });
});

describe('registerSecrets', () => {
  test('GOSUMDB URL credentials, from the input and from the environment', () => {
    const inputs = parseInputs(
      (name) =>
        name === 'gosumdb'
          ? `${SUM_GOLANG_ORG_KEY} https://sumuser:inputSUMpw@sum.corp`
          : undefined,
      { GOSUMDB: `${SUM_GOLANG_ORG_KEY} https://envSUMtoken@sum2.corp` },
    );
    const redactor = new Redactor();
    registerSecrets(inputs, redactor);
    expect(redactor.redact('inputSUMpw envSUMtoken sumuser')).toBe('*** *** sumuser');
  });

  test('a port Go accepts but WHATWG does not still registers the password', () => {
    const inputs = parseInputs(
      (name) => (name === 'private-proxy' ? 'https://user:SECRETpw@athens.corp:99999' : undefined),
      {},
    );
    const redactor = new Redactor();
    registerSecrets(inputs, redactor);
    expect(redactor.redact('SECRETpw')).toBe('***');
  });

  test('usernames beside a password stay readable in the settings', () => {
    const inputs = parseInputs(
      (name) => (name === 'private-proxy' ? 'https://proxy:pr0xyPass@proxy.corp' : undefined),
      { GOPROXY: 'https://athens:envPass1@athens.corp,direct' },
    );
    const redactor = new Redactor();
    registerSecrets(inputs, redactor);
    const settings =
      'GOPROXY=https://proxy.corp,https://athens.corp,https://proxy.golang.org|direct';
    expect(redactor.redact(settings)).toBe(settings);
    expect(redactor.redact('pr0xyPass envPass1')).toBe('*** ***');
  });
});

describe('an explicit GOSUMDB URL with credentials is matched to its probe', () => {
  const url = 'https://sumuser:sumPASSWORD@sum.corp/';
  const probed: SumdbRouteProbe = {
    route: 'https://sum.corp', // routes are reported without credentials
    kind: 'direct',
    outcome: 200,
    ok: true,
    latencyMs: 12,
  };

  test('findRouteProbe compares without credentials', () => {
    expect(findRouteProbe([probed], url)).toBe(probed);
    expect(findRouteProbe([probed], 'https://other:x@sum2.corp')).toBeNull();
  });

  test('the decision reads the probe instead of "was not probed"', () => {
    const value = `${SUM_GOLANG_ORG_KEY} ${url}`;
    const run = probeRun([], { sumdbRoutes: [probed] });
    const mode = resolveSumdbMode(value, run.database);
    const decision = chooseGosumdb(run, [], mode, []);
    expect(decision.findings).toEqual([]);
    expect(decision.report.tried).toMatchObject([{ outcome: 200, ok: true }]);
    expect(decision.reason).not.toContain('not probed');
  });
});
