/**
 * matchPrefixPatterns against the real go command. GONOSUMDB uses the same matcher as GOPRIVATE
 * and GONOPROXY; with GOSUMDB pointing at a loopback database, Go asks that database about a
 * module exactly when the pattern list does NOT match it. Everything stays on loopback.
 * Rows: the upstream TestMatchPrefixPatterns table, go-semantics.md §3.2, and more edge cases.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { matchPrefixPatterns } from '../../src/goenv/patterns.js';
import {
  type ModuleProxy,
  isolatedGoEnv,
  makeTempRoot,
  runGo,
  startModuleProxy,
  versionFor,
} from './go-harness.js';

type Row = readonly [globs: string, target: string, expected: boolean];

const UPSTREAM: readonly Row[] = [
  ['', 'rsc.io/quote', false],
  ['/', 'rsc.io/quote', false],
  ['*/quote', 'rsc.io/quote', true],
  ['*/quo', 'rsc.io/quote', false],
  ['*/quo??', 'rsc.io/quote', true],
  ['*/quo*', 'rsc.io/quote', true],
  ['*quo*', 'rsc.io/quote', false],
  ['rsc.io', 'rsc.io/quote', true],
  ['*.io', 'rsc.io/quote', true],
  ['rsc.io/', 'rsc.io/quote', true],
  ['rsc', 'rsc.io/quote', false],
  ['rsc*', 'rsc.io/quote', true],
  ['rsc.io', 'rsc.io/quote/v3', true],
  ['*/quote', 'rsc.io/quote/v3', true],
  ['*/quote/', 'rsc.io/quote/v3', true],
  ['*/quote/*', 'rsc.io/quote/v3', true],
  ['*/quote/*/', 'rsc.io/quote/v3', true],
  ['*/v3', 'rsc.io/quote/v3', false],
  ['*/*/v3', 'rsc.io/quote/v3', true],
  ['*/*/*', 'rsc.io/quote/v3', true],
  ['*/*/*/', 'rsc.io/quote/v3', true],
  ['*/*/*', 'rsc.io/quote', false],
  ['*/*/*/', 'rsc.io/quote', false],
  ['*/*/*,,', 'rsc.io/quote', false],
  ['*/*/*,,*/quote', 'rsc.io/quote', true],
  [',,*/quote', 'rsc.io/quote', true],
];

const SEMANTICS_3_2: readonly Row[] = [
  ['*.corp.com', 'git.corp.com/team/repo', true],
  ['*.corp.com', 'corp.com/team/repo', false],
  ['*.corp.com', 'a.b.corp.com/x', true],
  ['corp.com/*', 'corp.com', false],
  ['corp.com/*', 'corp.com/team', true],
  ['corp.com/*', 'corp.com/team/repo/v2', true],
  ['corp.com', 'corp.com.evil.org/x', false],
  ['corp.com', 'corp.comx/x', false],
  ['github.com/acme', 'github.com/acme/repo', true],
  ['github.com/acme', 'github.com/acmecorp/repo', false],
  ['github.com/acme/*', 'github.com/acme', false],
  ['github.com/Acme', 'github.com/acme/repo', false],
  ['github.com/acme//', 'github.com/acme/repo', false],
  [' github.com/acme', 'github.com/acme/repo', false],
  ['github.com/acme ', 'github.com/acme/repo', false],
  ['[', 'rsc.io/quote', false],
  ['[,rsc.io', 'rsc.io/quote', true],
  ['*', 'rsc.io/quote', true],
  ['gitlab.example.com/grp/sub', 'gitlab.example.com/grp/sub/proj', true],
  ['gitlab.example.com/grp/sub', 'gitlab.example.com/grp', false],
  ['*.example.com/grp', 'gitlab.example.com/grp/x', true],
];

const MORE: readonly Row[] = [
  ['foo.com, rsc.io', 'rsc.io/quote', false],
  ['foo.com,rsc.io', 'rsc.io/quote', true],
  ['[a-r]sc.io', 'rsc.io/quote', true],
  ['[^r]sc.io', 'rsc.io/quote', false],
  ['[^a-q]sc.io', 'rsc.io/quote', true],
  ['rs[!c].io', 'rsc.io/quote', true],
  ['\\r\\s\\c.io', 'rsc.io/quote', true],
  ['rsc.i?', 'rsc.io/quote', true],
  ['rsc.io\\', 'rsc.io/quote', false],
  ['[a-', 'rsc.io/quote', false],
  ['*/*', 'corp.com', false],
  ['rsc.io/quote/v3', 'rsc.io/quote', false],
  ['github.com/acme/repo', 'github.com/Acme/repo', false],
  ['github.com/Acme/repo', 'github.com/Acme/repo', true],
  ['github.com/*/repo', 'github.com/Acme/repo/sub', true],
  ['*.io/q*e', 'rsc.io/quote', true],
  ['**/quote', 'rsc.io/quote', true],
  ['rsc.io/quote/', 'rsc.io/quote', true],
  ['[rR]sc.io,*/nomatch', 'rsc.io/quote', true],
];

const ROWS: readonly Row[] = [...UPSTREAM, ...SEMANTICS_3_2, ...MORE];

describe('GOPRIVATE-style matching agrees with the go command', () => {
  let proxy: ModuleProxy;
  let temp: { root: string; cleanup: () => Promise<void> };
  const results = new Map<
    number,
    Promise<{ token: string; run: Awaited<ReturnType<typeof runGo>> }>
  >();

  beforeAll(async () => {
    proxy = await startModuleProxy();
    temp = await makeTempRoot('gps-patterns-');
    ROWS.forEach(([globs, target], index) => {
      const token = proxy.newToken();
      const env = isolatedGoEnv(temp.root, token, {
        GOPROXY: `${proxy.origin}/${token}/ok`,
        GOSUMDB: `sum.golang.org ${proxy.origin}/${token}/sdb`,
        GONOSUMDB: globs,
      });
      results.set(
        index,
        runGo(['mod', 'download', `${target}@${versionFor(target)}`], env, temp.root).then(
          (run) => ({ token, run }),
        ),
      );
    });
  });

  afterAll(async () => {
    await Promise.allSettled(results.values());
    await proxy?.close();
    await temp?.cleanup();
  });

  test('the table is large enough', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(40);
  });

  test.each(ROWS.map((row, index) => [...row, index] as const))(
    '%j matches %j: %s',
    async (globs, target, expected, index) => {
      const { token, run } = await results.get(index)!;
      const askedDatabase = proxy.requests(token).some((r) => r.route === 'sdb');
      // The module was downloaded from the proxy either way; only the checksum lookup differs.
      expect(proxy.requests(token).some((r) => r.route === 'ok' && r.rest.endsWith('.mod'))).toBe(
        true,
      );
      const goMatched = !askedDatabase;
      expect(run.code === 0).toBe(goMatched);
      expect(goMatched).toBe(expected);
      expect(matchPrefixPatterns(globs, target)).toBe(goMatched);
    },
  );
});
