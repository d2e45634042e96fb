/** Small pieces of selection: semver order, Go versions, private routing, wording, the rule text. */
import { describe, expect, it } from 'vitest';
import { compareSemver, isValidSemver } from '../../src/goenv/modpath.js';
import {
  effectiveGonoproxy,
  goSupportsPipe,
  parseGoVersion,
  privateRouting,
} from '../../src/select/chain.js';
import { describeOutcome, seconds, statusText } from '../../src/select/describe.js';
import {
  DIRECT_PIN_MARGIN_MS,
  DIRECT_PIN_RATIO,
  clearlySlower,
  databaseNameOf,
  walkSumdbRoute,
} from '../../src/select/gosumdb.js';
import {
  AVERAGE_REQUEST_BYTES,
  LATENCY_BAND_MIN_MS,
  LATENCY_BAND_RATIO,
  bestMeasuredThroughput,
  estimateSpeed,
  maxSemver,
} from '../../src/select/rank.js';
import { RANKING_RULE } from '../../src/select/ranking-rule.js';
import type { ChainEntry } from '../../src/select/types.js';
import { mirror } from './fixtures.js';

describe('semver (golang.org/x/mod/semver order)', () => {
  // Ascending; entries in one inner list are equal.
  const ascending = [
    ['v1.0.0-alpha'],
    ['v1.0.0-alpha.1'],
    ['v1.0.0-alpha.beta'],
    ['v1.0.0-beta'],
    ['v1.0.0-beta.2'],
    ['v1.0.0-beta.11'],
    ['v1.0.0-rc.1'],
    ['v1', 'v1.0', 'v1.0.0'],
    ['v1.2', 'v1.2.0'],
    ['v1.2.3-456'],
    ['v1.2.3-456.789'],
    ['v1.2.3-456-789'],
    ['v1.2.3-456a'],
    ['v1.2.3-pre', 'v1.2.3-pre+meta'],
    ['v1.2.3-pre.1'],
    ['v1.2.3-zzz'],
    ['v1.2.3', 'v1.2.3+meta', 'v1.2.3+meta-pre', 'v1.2.3+meta-pre.sha.256a'],
    ['v1.10.0'],
    ['v2.0.0-20240101120000-abcdefabcdef'],
    ['v2.0.0'],
  ];
  const invalid = [
    'bad',
    'v1-alpha.beta.gamma',
    'v1-pre',
    'v1+meta',
    'v1.2-pre',
    'v1.2+meta',
    '1.2.3',
    'v01.2.3',
    'v1.2.3-01',
    'v1.2.3-',
    '',
  ];

  it('orders versions like Go', () => {
    const flat = ascending.flatMap((group, g) => group.map((v) => ({ v, g })));
    for (const a of flat) {
      for (const b of flat)
        expect(compareSemver(a.v, b.v), `${a.v} vs ${b.v}`).toBe(Math.sign(a.g - b.g));
    }
  });

  it('puts invalid versions below every valid one', () => {
    for (const bad of invalid) {
      expect(isValidSemver(bad), bad).toBe(false);
      expect(compareSemver(bad, 'v0.0.0-alpha')).toBe(-1);
      expect(compareSemver('v0.0.0-alpha', bad)).toBe(1);
      expect(compareSemver(bad, 'bad')).toBe(0);
    }
    expect(maxSemver(['bad', 'v1.2.3', 'v1.10.0', 'v1.9.9'])).toBe('v1.10.0');
    expect(maxSemver(['bad'])).toBeNull();
  });
});

describe('Go versions', () => {
  it.each([
    ['go1.14.15', { major: 1, minor: 14 }, false],
    ['1.9', { major: 1, minor: 9 }, false],
    ['1.15', { major: 1, minor: 15 }, true],
    ['go1.22rc1', { major: 1, minor: 22 }, true],
    ['2.0', { major: 2, minor: 0 }, true],
    ['devel +abc', null, true],
    [null, null, true],
  ] as const)('%s', (version, parsed, pipe) => {
    expect(parseGoVersion(version)).toEqual(parsed);
    expect(goSupportsPipe(version)).toBe(pipe);
  });
});

describe('privateRouting', () => {
  const routing = (
    kind: 'input' | 'env' | null,
    patterns: readonly string[],
    user: { GONOPROXY?: string; GONOSUMDB?: string } = {},
  ) => {
    const { GONOPROXY, GONOSUMDB } = privateRouting(kind, patterns, user);
    return { GONOPROXY, GONOSUMDB };
  };

  it('leaves GONOPROXY/GONOSUMDB to Go without a private proxy', () => {
    expect(routing(null, ['git.corp.example'])).toEqual({ GONOPROXY: '', GONOSUMDB: '' });
  });
  it('routes private modules to the private proxy and away from the checksum database', () => {
    expect(routing('input', ['git.corp.example', 'github.com/acme'])).toEqual({
      GONOPROXY: 'none',
      GONOSUMDB: 'git.corp.example,github.com/acme',
    });
  });
  it('sets nothing when there are no private patterns', () => {
    expect(routing('input', [])).toEqual({ GONOPROXY: '', GONOSUMDB: '' });
  });

  it("with a private proxy, keeps the user's GONOPROXY and unites GONOSUMDB with the patterns", () => {
    const result = privateRouting('input', ['git.corp.example', 'github.com/acme'], {
      GONOPROXY: 'vcs.other.example',
      GONOSUMDB: 'vcs.other.example',
    });
    expect(result).toEqual({
      GONOPROXY: '',
      GONOSUMDB: 'vcs.other.example,git.corp.example,github.com/acme',
      keptGonoproxy: 'vcs.other.example',
      extended: ['GONOSUMDB'],
    });
  });

  it("leaves a user GONOSUMDB that already covers every pattern as it is (GOPRIVATE's default otherwise)", () => {
    expect(
      routing('input', ['git.corp.example'], {
        GONOSUMDB: 'git.corp.example,vcs.other.example',
      }),
    ).toEqual({ GONOPROXY: 'none', GONOSUMDB: '' });
    expect(routing('input', ['git.corp.example/team'], { GONOSUMDB: 'git.corp.example' })).toEqual({
      GONOPROXY: 'none',
      GONOSUMDB: '',
    });
  });

  it('a private proxy found heading GOPROXY changes no routing: GONOPROXY stays as the user had it', () => {
    expect(routing('env', ['git.corp.example'])).toEqual({
      GONOPROXY: '',
      GONOSUMDB: 'git.corp.example',
    });
    expect(routing('env', ['git.corp.example'], { GONOPROXY: 'none' })).toEqual({
      GONOPROXY: '',
      GONOSUMDB: 'git.corp.example',
    });
  });

  it('effectiveGonoproxy: what Go will read once the settings are written', () => {
    expect(effectiveGonoproxy('input', ['a.example'])).toBe('none');
    expect(effectiveGonoproxy('input', ['a.example'], { GONOPROXY: 'b.example' })).toBe(
      'b.example',
    );
    expect(effectiveGonoproxy('env', ['a.example'])).toBe('a.example');
    expect(effectiveGonoproxy(null, [])).toBe('');
  });

  it('without a private proxy, a user value missing private patterns is extended, never replaced', () => {
    expect(
      routing(null, ['git.corp.example', 'github.com/acme'], {
        GONOPROXY: 'none',
        GONOSUMDB: 'git.corp.example',
      }),
    ).toEqual({
      GONOPROXY: 'git.corp.example,github.com/acme',
      GONOSUMDB: 'git.corp.example,github.com/acme',
    });
    expect(routing(null, ['git.corp.example'], { GONOSUMDB: '*.example' })).toEqual({
      GONOPROXY: '',
      GONOSUMDB: '',
    });
  });
});

describe('wording', () => {
  it('uses the status texts Go prints', () => {
    expect(statusText(403)).toBe('403 Forbidden');
    expect(statusText(418)).toBe("418 I'm a teapot");
    expect(statusText(504)).toBe('504 Gateway Timeout');
    expect(statusText(413)).toBe('413 Request Entity Too Large');
    expect(statusText(509)).toBe('509 (HTTP 509)');
    expect(statusText(599)).toBe('599 (HTTP 599)');
  });
  it('describes error codes', () => {
    expect(describeOutcome('timeout', 2500)).toBe('timed out after 2.5 s');
    expect(describeOutcome('refused')).toBe('refused the connection');
    expect(describeOutcome('weird')).toBe('failed (weird)');
    expect(seconds(3000)).toBe('3 s');
  });
  it('names the database of a GOSUMDB value', () => {
    expect(databaseNameOf('sum.golang.org')).toBe('sum.golang.org');
    expect(databaseNameOf('sum.golang.google.cn')).toBe('sum.golang.org');
    expect(databaseNameOf('sum.golang.org https://goproxy.cn/sumdb/sum.golang.org')).toBe(
      'sum.golang.org',
    );
  });
});

describe('the speed estimate', () => {
  it('adds the transfer of 64 KiB at the throughput to the median latency', () => {
    expect(AVERAGE_REQUEST_BYTES).toBe(64 * 1024);
    // fixtures: median total time = latencyMs
    const speed = estimateSpeed(
      mirror('https://a.example', { latencyMs: 50, throughput: 65536 }),
      1e9,
    );
    expect(speed).toEqual({ costMs: 1050, throughputBytesPerSec: 65536, throughputMeasured: true });
  });

  it('stands the best measured throughput in for an unmeasured or nonsensical one', () => {
    const probes = [
      mirror('https://a.example', { throughput: 1e6 }),
      mirror('https://b.example', { throughput: 4e6 }),
      mirror('https://c.example', { throughput: null }),
      mirror('https://d.example', { throughput: 0 }),
      mirror('https://e.example', { throughput: Number.NaN }),
    ];
    expect(bestMeasuredThroughput(probes)).toBe(4e6);
    for (const probe of probes.slice(2)) {
      const speed = estimateSpeed(probe, 4e6);
      expect(speed.throughputMeasured).toBe(false);
      expect(speed.costMs).toBeCloseTo(50 + (65536 / 4e6) * 1000, 6);
    }
  });

  it('is the latency alone when no throughput was measured, and null without a latency', () => {
    expect(estimateSpeed(mirror('https://a.example', { latencyMs: 30 }), null)).toEqual({
      costMs: 30,
      throughputBytesPerSec: null,
      throughputMeasured: false,
    });
    expect(estimateSpeed(mirror('https://a.example', { latencyMs: null }), 1e6).costMs).toBeNull();
  });
});

describe('pinning the checksum database past a slow relay', () => {
  it('needs the relay above 1.25 × the direct time + 20 ms, both measured', () => {
    expect([DIRECT_PIN_RATIO, DIRECT_PIN_MARGIN_MS]).toEqual([1.25, 20]);
    expect(clearlySlower(145, 100)).toBe(false);
    expect(clearlySlower(145.1, 100)).toBe(true);
    expect(clearlySlower(182, 100)).toBe(true); // the benchmark's default-best fleet
    expect(clearlySlower(46, 1369)).toBe(false); // the sumdb-trap fleet
    expect(clearlySlower(null, 10)).toBe(false);
    expect(clearlySlower(500, null)).toBe(false);
  });
});

describe('RANKING_RULE', () => {
  it('states the noise band and the request size rank.ts uses', () => {
    expect(RANKING_RULE).toContain(`max(${LATENCY_BAND_MIN_MS} ms, ${LATENCY_BAND_RATIO * 100} %)`);
    expect(RANKING_RULE).toContain(`${AVERAGE_REQUEST_BYTES / 1024} KiB`);
  });
  it('lists the criteria in the order rank.ts applies them', () => {
    const order = [
      '**Usable**',
      '**Integrity**',
      '**A working checksum-database route**',
      '**Fresh**',
      '**Speed**',
      '**Input order**',
    ];
    const positions = order.map((t) => RANKING_RULE.indexOf(t));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });
});

describe('walkSumdbRoute bookkeeping', () => {
  const entry = (name: string, supported: number, separatorAfter: ',' | '|' | null): ChainEntry => {
    const url = `https://${name}.example`;
    return {
      kind: 'mirror',
      url,
      display: url,
      separatorAfter,
      probe: mirror(url, { sumdbSupported: supported }),
    };
  };
  const off: ChainEntry = {
    kind: 'off',
    url: null,
    display: 'off',
    separatorAfter: null,
    probe: null,
  };

  it('lists every answer in the order Go asked, and names the error Go reports', () => {
    const walk = walkSumdbRoute(
      [entry('a', 500, '|'), entry('b', 404, '|'), off],
      'sum.golang.org',
    );
    expect(walk.route).toBeNull();
    expect(walk.passed.map((p) => [p.entry.display, p.outcome])).toEqual([
      ['https://a.example', 500],
      ['https://b.example', 404],
    ]);
    expect(walk.brokenBy?.entry.display).toBe('https://a.example');
  });

  it('treats an unprobed /supported as an error', () => {
    const unprobed: ChainEntry = {
      ...entry('a', 404, ','),
      probe: mirror('https://a.example', { sumdbSupported: null }),
    };
    const walk = walkSumdbRoute(
      [unprobed, { ...off, kind: 'direct', display: 'direct' }],
      'sum.golang.org',
    );
    expect(walk.route).toBeNull();
    expect(walk.brokenBy?.outcome).toBe('not probed');
  });
});
