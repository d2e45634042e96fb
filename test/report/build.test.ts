import { describe, expect, it } from 'vitest';
import type { ProbeRun } from '../../src/probe/types.js';
import { buildReport, reportToJson } from '../../src/report/build.js';
import type { Finding, PrivatePatternReport, Report } from '../../src/report/types.js';
import { selectSettings } from '../../src/select/select.js';
import type { SelectOptions } from '../../src/select/types.js';
import { REPORT_SCHEMA_VERSION, VERSION } from '../../src/version.js';
import {
  ALIYUN,
  CORP_PROXY,
  GOPROXY_CN,
  MODULE_PATH,
  MODULE_VERSION,
  PROXY_GOLANG,
  endpoint,
  mirror,
  options,
  probeRun,
  routes,
} from '../select/fixtures.js';

const PATTERNS: PrivatePatternReport[] = [
  { pattern: 'git.corp.example', source: 'remote' },
  { pattern: '*.internal.example', source: 'input' },
];
const PROBE_MODULES: Report['probeModules'] = [
  { path: MODULE_PATH, version: MODULE_VERSION, source: 'go.mod' },
];
const STARTED = '2026-01-02T03:04:05.000Z';

function report(
  run: ProbeRun,
  opts: Partial<SelectOptions> = {},
  extraFindings: Finding[] = [],
): Report {
  const selection = selectSettings(run, options(opts));
  return buildReport({
    run,
    selection,
    privatePatterns: PATTERNS,
    probeModules: PROBE_MODULES,
    extraFindings,
    startedAt: STARTED,
  });
}

/** A run with a credentialed private proxy, a fast mirror, the default mirror and two failures. */
function healthyRun(): ProbeRun {
  return probeRun(
    [
      mirror(ALIYUN, { fail: { kind: 'list', outcome: 403 } }),
      mirror(PROXY_GOLANG, { latencyMs: 80, throughput: 4_200_000 }),
      mirror(CORP_PROXY, { isPrivate: true, userinfo: 'bob:s3cret-token', latencyMs: 15 }),
      mirror(GOPROXY_CN, { latencyMs: 20, throughput: 9_800_000.4, sumdbSupported: 200 }),
      mirror('https://drip.example', {
        latencyMs: null,
        skipped: 'the overall deadline passed before its probe finished',
      }),
    ],
    { sumdbRoutes: routes({ relays: { [GOPROXY_CN]: true } }) },
  );
}

describe('buildReport', () => {
  it('assembles the contract report (snapshot)', () => {
    const r = report(healthyRun(), { privatePatterns: PATTERNS.map((p) => p.pattern) });
    expect(reportToJson(r)).toMatchSnapshot();
  });

  it('carries the settings, the decision and the fastest mirror', () => {
    const r = report(healthyRun(), { privatePatterns: PATTERNS.map((p) => p.pattern) });
    expect(r.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(r.tool).toEqual({ name: 'go-proxy-setup', version: VERSION });
    expect(r.settings).toEqual({
      GOPROXY: 'https://athens.corp.example,https://goproxy.cn|https://proxy.golang.org|direct',
      GOSUMDB: 'sum.golang.org',
      GOPRIVATE: 'git.corp.example,*.internal.example',
      GONOPROXY: 'none',
      GONOSUMDB: 'git.corp.example,*.internal.example',
    });
    expect(r.routeFound).toBe(true);
    expect(r.fastestMirror).toBe(GOPROXY_CN);
    // The chosen mirror's median TTFB (18 ms), not the ranking's median total (20 ms).
    expect(r.fastestLatencyMs).toBe(18);
    expect(r.speedupOverDefault).toBe(4.33); // median TTFB 78 ms / 18 ms
    expect(r.integrityMethod).toBe('sumdb');
    expect(r.probeWallTimeMs).toBe(812);
    expect(r.sumdb.route).toBe('https://goproxy.cn/sumdb/sum.golang.org');
  });

  it('orders mirrors: private proxy, ranked by rank, then the rest in probe order', () => {
    const r = report(healthyRun());
    expect(r.mirrors.map((m) => [m.url, m.verdict, m.rank])).toEqual([
      [CORP_PROXY, 'chosen', null],
      [GOPROXY_CN, 'chosen', 1],
      [PROXY_GOLANG, 'chosen', 2],
      [ALIYUN, 'failed', null],
      ['https://drip.example', 'skipped', null],
    ]);
  });

  it('never contains credentials', () => {
    const json = reportToJson(
      report(healthyRun(), { existingGoproxy: 'https://alice:hunter22@goproxy.cn,direct' }),
    );
    expect(json).not.toMatch(/bob|s3cret|alice|hunter22/);
    expect(json).toContain('https://***@goproxy.cn,direct');
  });

  it('reports per-mirror measurements', () => {
    const r = report(healthyRun());
    const cn = r.mirrors.find((m) => m.url === GOPROXY_CN)!;
    expect(cn.timings).toEqual({
      dnsMs: null,
      connectMs: null,
      tlsMs: null,
      ttfbMs: 18,
      totalMs: 20,
    });
    expect(cn.samples).toBe(3);
    expect(cn.latencySamplesMs).toEqual([25, 20, 19]);
    expect(cn.throughputBytesPerSec).toBe(9_800_000);
    expect(cn.sumdbSupported).toBe(200);
    expect(cn.integrity).toBe('verified');
    expect(cn.fresh).toBe(true);
    expect(Object.keys(cn.statuses)).toEqual([
      'info golang.org/x/text@v0.14.0',
      'latest golang.org/x/text',
      'list golang.org/x/text',
      'mod golang.org/x/text@v0.14.0',
      'sumdb/supported',
      'zip golang.org/x/text@v0.14.0',
    ]);
    const aliyun = r.mirrors.find((m) => m.url === ALIYUN)!;
    expect(aliyun.reason).toBe('answered 403 Forbidden on golang.org/x/text/@v/list');
    expect(aliyun.errors).toEqual(['golang.org/x/text/@v/list answered 403 Forbidden']);
    expect(aliyun.statuses['list golang.org/x/text']).toBe(403);
  });

  it('keeps a failure over a success for the same endpoint label', () => {
    const flaky = mirror('https://flaky.example', {
      extraEndpoints: [
        endpoint('https://flaky.example', 'list', 502, { error: 'bad gateway from upstream' }),
      ],
    });
    const r = report(probeRun([flaky, mirror(PROXY_GOLANG)]));
    const m = r.mirrors.find((x) => x.url === 'https://flaky.example')!;
    expect(m.statuses['list golang.org/x/text']).toBe(502);
    expect(m.errors).toEqual([
      'golang.org/x/text/@v/list answered 502 Bad Gateway: bad gateway from upstream',
    ]);
  });

  it('speed-up is null when proxy.golang.org was not measured or failed, 1 when it is the choice', () => {
    expect(report(probeRun([mirror(GOPROXY_CN)])).speedupOverDefault).toBeNull();
    expect(
      report(
        probeRun([
          mirror(GOPROXY_CN, { latencyMs: 20 }),
          mirror(PROXY_GOLANG, { fail: { kind: 'list', outcome: 403 } }),
        ]),
      ).speedupOverDefault,
    ).toBeNull();
    expect(report(probeRun([mirror(PROXY_GOLANG)])).speedupOverDefault).toBe(1);
  });

  it('fastestLatencyMs is the median TTFB the table shows; the median total only without one', () => {
    const r = report(healthyRun());
    const first = r.mirrors.find((m) => m.rank === 1)!;
    expect(r.fastestLatencyMs).toBe(Math.round(first.timings.ttfbMs!));

    const withoutTtfb = probeRun([mirror(GOPROXY_CN, { latencyMs: 30 })]);
    const cn = withoutTtfb.mirrors[0]!;
    const noTtfb = { ...withoutTtfb, mirrors: [{ ...cn, median: { ...cn.median, ttfbMs: null } }] };
    expect(cn.median.totalMs).toBe(30);
    expect(report(noTtfb).fastestLatencyMs).toBe(30);
  });

  it('everything failing: no fastest mirror, no route, the error first', () => {
    const r = report(probeRun([mirror(PROXY_GOLANG, { fail: { kind: 'list', outcome: 403 } })]), {
      fallback: 'off',
    });
    expect(r.routeFound).toBe(false);
    expect(r.settings.GOPROXY).toBe('off');
    expect(r.fastestMirror).toBeNull();
    expect(r.fastestLatencyMs).toBeNull();
    expect(r.findings[0]!.code).toBe('no-route');
    expect(r.findings[0]!.level).toBe('error');
  });

  it('merges extra findings: errors, warnings, notices, the decision last', () => {
    const extra: Finding[] = [
      { level: 'notice', code: 'cache-restored', title: 'Cache', message: 'restored' },
      {
        level: 'warning',
        code: 'broad-private-pattern',
        title: 'Broad',
        message: 'github.com/* is broad',
      },
    ];
    const r = report(
      probeRun([mirror(PROXY_GOLANG, { fail: { kind: 'list', outcome: 403 } })]),
      { fallback: 'off' },
      extra,
    );
    expect(r.findings.map((f) => f.code)).toEqual([
      'no-route',
      'broad-private-pattern',
      'cache-restored',
      'decision',
    ]);
  });

  it('names the integrity method', () => {
    expect(
      report(probeRun([mirror(PROXY_GOLANG, { integrity: 'agreed' })], { signedModHashes: {} }))
        .integrityMethod,
    ).toBe('cross-mirror');
    expect(
      report(probeRun([mirror(PROXY_GOLANG, { integrity: 'unchecked' })], { signedModHashes: {} }))
        .integrityMethod,
    ).toBe('none');
  });
});

describe('reportToJson', () => {
  it('is stable whatever order the keys were built in', () => {
    const r = report(healthyRun());
    expect(reportToJson(shuffleKeys(r) as Report)).toBe(reportToJson(r));
    expect(JSON.parse(reportToJson(r))).toEqual(JSON.parse(JSON.stringify(r)));
  });

  it('puts the contract fields in reading order and ends with a newline', () => {
    const json = reportToJson(report(healthyRun()));
    expect(Object.keys(JSON.parse(json))).toEqual([
      'schemaVersion',
      'tool',
      'startedAt',
      'probeWallTimeMs',
      'settings',
      'routeFound',
      'reasons',
      'fastestMirror',
      'fastestLatencyMs',
      'speedupOverDefault',
      'mirrors',
      'sumdb',
      'integrityMethod',
      'privatePatterns',
      'probeModules',
      'findings',
    ]);
    expect(json.endsWith('}\n')).toBe(true);
  });

  it('writes non-finite numbers as null', () => {
    const r = { ...report(healthyRun()), speedupOverDefault: Number.POSITIVE_INFINITY };
    expect(JSON.parse(reportToJson(r)).speedupOverDefault).toBeNull();
  });
});

function shuffleKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shuffleKeys);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).reverse();
  return Object.fromEntries(entries.map(([k, v]) => [k, shuffleKeys(v)]));
}
