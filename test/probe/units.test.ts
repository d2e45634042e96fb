import { describe, expect, it } from 'vitest';
import { goModHash } from '../../src/goenv/dirhash.js';
import { parseGoMod } from '../../src/goenv/gomod.js';
import { MIRROR_CATALOG, buildCandidates, envGoproxyUrls } from '../../src/probe/catalog.js';
import { judgeIntegrity } from '../../src/probe/integrity.js';
import { parseInfo } from '../../src/probe/mirror.js';
import {
  BUILTIN_PROBE_MODULE,
  PINNED_HASHES,
  chooseProbeModules,
  isPseudoVersion,
  latestFromList,
  parseVersionList,
} from '../../src/probe/modules.js';
import { bestPossibleMedian, median, medianTiming } from '../../src/probe/timing.js';

describe('timing', () => {
  it('median', () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('phase medians skip phases that did not happen (reused connections)', () => {
    const cold = { dnsMs: 5, connectMs: 10, tlsMs: 20, ttfbMs: 60, totalMs: 61 };
    const warm = { dnsMs: null, connectMs: null, tlsMs: null, ttfbMs: 12, totalMs: 13 };
    expect(medianTiming([cold, warm, warm])).toEqual({
      dnsMs: 5,
      connectMs: 10,
      tlsMs: 20,
      ttfbMs: 12,
      totalMs: 13,
    });
  });

  it('bestPossibleMedian: a silent first request bounds later ones by the setup round trips', () => {
    const view = {
      completed: [],
      firstDnsMs: null,
      tcpRttMs: null,
      pendingMs: [400],
      planned: 5,
      setupRoundTrips: 3,
      resolvesName: false,
    };
    // https: TCP 1 + TLS 2 + the request itself = 4 round trips → later requests >= 100 ms.
    expect(bestPossibleMedian(view)).toBe(100);
    expect(bestPossibleMedian({ ...view, resolvesName: true })).toBe(80);
    // Two lanes opening their connections: the longer wait bounds the round trip, and each
    // request in flight counts as at least its elapsed time → [400, 200, 100, 100, 100].
    expect(bestPossibleMedian({ ...view, pendingMs: [200, 400] })).toBe(100);
    expect(bestPossibleMedian({ ...view, pendingMs: [200, 400], planned: 3 })).toBe(200);
  });

  it('bestPossibleMedian: answers count as they are; the TCP round trip is a floor', () => {
    const view = {
      completed: [90, 30, 31],
      firstDnsMs: 6,
      tcpRttMs: 25,
      pendingMs: [],
      planned: 5,
      setupRoundTrips: 3,
      resolvesName: true,
    };
    // floors: max(25, (90-6)/4 = 21) = 25 → [90, 30, 31, 25, 25] → 30
    expect(bestPossibleMedian(view)).toBe(30);
    expect(bestPossibleMedian({ ...view, pendingMs: [500] })).toBe(31);
    // [90, 30, 31, 500, 40] → 40; [90, 30, 31, 500, 400] → 90
    expect(bestPossibleMedian({ ...view, pendingMs: [500, 40] })).toBe(40);
    expect(bestPossibleMedian({ ...view, pendingMs: [500, 400] })).toBe(90);
  });
});

describe('modules', () => {
  it('the built-in module has a pinned go.mod hash that recomputes', () => {
    const pinned = PINNED_HASHES[`${BUILTIN_PROBE_MODULE.path}@${BUILTIN_PROBE_MODULE.version}`]!;
    expect(goModHash(Buffer.from('module github.com/google/uuid\n'))).toBe(pinned.mod);
  });

  const goMod = parseGoMod(`module git.corp.example/team/app

go 1.22

require (
	git.corp.example/team/lib v1.2.0
	golang.org/x/sync v0.0.0-20220722155255-886fb9371eb4
	github.com/pkg/errors v0.9.1
	example.com/local v1.0.0
	golang.org/x/text v0.14.0 // indirect
	github.com/stretchr/testify v1.9.0
)

replace example.com/local => ./local
`);

  it('auto: public requirements, direct tagged releases first, local replacements and private paths skipped', () => {
    const choice = chooseProbeModules('auto', goMod, 'git.corp.example');
    expect(choice.source).toBe('go.mod');
    expect(choice.public).toEqual([
      { path: 'github.com/pkg/errors', version: 'v0.9.1' },
      { path: 'github.com/stretchr/testify', version: 'v1.9.0' },
    ]);
    expect(choice.private).toEqual([{ path: 'git.corp.example/team/lib', version: 'v1.2.0' }]);
  });

  it('auto without public requirements: the built-in module', () => {
    expect(chooseProbeModules('auto', null, '').public).toEqual([BUILTIN_PROBE_MODULE]);
    expect(chooseProbeModules('auto', parseGoMod('module x.test/a\n'), '').source).toBe('builtin');
  });

  it('an explicit list is split by the private patterns', () => {
    const choice = chooseProbeModules(
      [
        { path: 'git.corp.example/x', version: null },
        { path: 'rsc.io/quote', version: 'v1.5.2' },
      ],
      null,
      'git.corp.example',
    );
    expect(choice.public).toEqual([{ path: 'rsc.io/quote', version: 'v1.5.2' }]);
    expect(choice.private).toEqual([{ path: 'git.corp.example/x', version: null }]);
  });

  it('versions: list parsing, pseudo-versions, latest', () => {
    expect(parseVersionList('v1.0.0\nv1.1.0 2024-01-01T00:00:00Z\n<html>\n\nv2\n')).toEqual([
      'v1.0.0',
      'v1.1.0',
      'v2',
    ]);
    expect(isPseudoVersion('v0.0.0-20220722155255-886fb9371eb4')).toBe(true);
    expect(isPseudoVersion('v1.2.4-0.20191109021931-daa7c04131f5')).toBe(true);
    expect(isPseudoVersion('v1.0.0-rc.1')).toBe(false);
    expect(latestFromList(['v1.0.0', 'v1.10.0', 'v1.9.0', 'v2.0.0-rc.1'])).toBe('v1.10.0');
    expect(latestFromList(['v2.0.0-rc.1', 'v2.0.0-beta'])).toBe('v2.0.0-rc.1');
    expect(latestFromList([])).toBeNull();
  });
});

describe('catalog', () => {
  it('auto: catalog plus the environment GOPROXY; the private proxy first and never twice', () => {
    const candidates = buildCandidates({
      mirrors: 'auto',
      envGoproxy:
        'https://athens.corp.example,https://goproxy.cn|https://extra.example.com/,direct,https://dead.example',
      privateProxy: 'https://user:pw@athens.corp.example',
    });
    expect(candidates[0]).toMatchObject({
      displayUrl: 'https://athens.corp.example',
      origin: 'private',
      isPrivate: true,
    });
    expect(candidates.filter((c) => c.displayUrl === 'https://athens.corp.example')).toHaveLength(
      1,
    );
    expect(candidates.find((c) => c.displayUrl === 'https://goproxy.cn')!.origin).toBe('env');
    expect(candidates.find((c) => c.displayUrl === 'https://extra.example.com')!.origin).toBe(
      'env',
    );
    expect(candidates.some((c) => c.displayUrl.includes('dead.example'))).toBe(false);
    expect(candidates.filter((c) => c.origin === 'catalog').length).toBe(MIRROR_CATALOG.length - 1);
  });

  it('an explicit list is exactly what is probed', () => {
    expect(
      buildCandidates({ mirrors: ['https://a.example/', 'https://b.example'] }).map((c) => c.url),
    ).toEqual(['https://a.example', 'https://b.example']);
  });

  it('GOPROXY entries: keywords and invalid entries dropped', () => {
    expect(envGoproxyUrls('goproxy.cn,off')).toEqual(['https://goproxy.cn']);
    expect(envGoproxyUrls('ftp://x')).toEqual([]);
    expect(envGoproxyUrls(undefined)).toEqual([]);
  });
});

describe('integrity', () => {
  const a = { id: 'a', isPrivate: false, modHashes: { 'm@v1': 'h1:good' }, zipHashes: {} };
  const b = { id: 'b', isPrivate: false, modHashes: { 'm@v1': 'h1:good' }, zipHashes: {} };
  const c = { id: 'c', isPrivate: false, modHashes: { 'm@v1': 'h1:evil' }, zipHashes: {} };

  it('signed record beats agreement: a lone honest mirror is verified, the majority mismatched', () => {
    const v = judgeIntegrity([a, c, { ...c, id: 'd' }], {
      signed: { 'm@v1': { mod: 'h1:good', zip: null } },
    });
    expect(v.get('a')!.integrity).toBe('verified');
    expect(v.get('c')!.integrity).toBe('mismatch');
  });

  it('agreement needs a strict majority that undecided votes cannot overturn', () => {
    expect(judgeIntegrity([a, b, c], { signed: {} }).get('a')!.integrity).toBe('agreed');
    expect(judgeIntegrity([a, b, c], { signed: {} }).get('c')!.integrity).toBe('mismatch');
    expect(judgeIntegrity([a, b, c], { signed: {}, undecidedVotes: 1 }).get('a')!.integrity).toBe(
      'unchecked',
    );
    expect(judgeIntegrity([a, c], { signed: {} }).get('a')!.integrity).toBe('unchecked');
  });

  it('pinned hashes are the reference when the database is not reached', () => {
    const key = 'github.com/google/uuid@v1.3.0';
    const served = {
      id: 'x',
      isPrivate: false,
      modHashes: { [key]: PINNED_HASHES[key]!.mod },
      zipHashes: { [key]: 'h1:other' },
    };
    const v = judgeIntegrity([served], { signed: {} }).get('x')!;
    expect(v.integrity).toBe('mismatch');
    expect(v.detail).toContain('pinned');
  });
});

describe('.info parsing (cmd/go RevInfo)', () => {
  it.each([
    ['{"Version":"v1.0.0","Time":"2024-01-01T00:00:00Z"}', { version: 'v1.0.0' }],
    ['{"version":"v1.0.0"}', { version: 'v1.0.0' }],
    ['null', { version: '' }],
  ])('%s', (body, expected) => {
    expect(parseInfo(Buffer.from(body))).toEqual(expected);
  });

  it.each([
    '{"Version":"v1.0.0"',
    '[]',
    '"v1.0.0"',
    '{"Version":1}',
    '{"Version":"v1.0.0","Time":"yesterday"}',
    '<html>',
  ])('invalid: %s', (body) => {
    expect(typeof parseInfo(Buffer.from(body))).toBe('string');
  });
});
