/**
 * Reports built by hand for the renderer tests: a healthy run, a run with failing mirrors
 * (403, timeout, tampered, https→http redirect, stale), a run where every mirror fails, and a run
 * with a private proxy and private patterns. Numbers are fixed so snapshots are stable.
 */
import type { Finding, MirrorReport, PhaseTimings, Report } from '../../src/report/types.js';

const MIB = 1024 * 1024;

const NO_TIMINGS: PhaseTimings = {
  dnsMs: null,
  connectMs: null,
  tlsMs: null,
  ttfbMs: null,
  totalMs: null,
};

/** A mirror that passed every probe; override what the scenario needs. */
export function mirror(overrides: Partial<MirrorReport> & Pick<MirrorReport, 'url'>): MirrorReport {
  return {
    origin: 'catalog',
    rank: 1,
    verdict: 'chosen',
    reason: 'Passed every probe.',
    statuses: {
      'list golang.org/x/text': 200,
      'info golang.org/x/text@v0.14.0': 200,
      'mod golang.org/x/text@v0.14.0': 200,
      'zip golang.org/x/text@v0.14.0': 200,
      'sumdb/supported': 200,
    },
    timings: { dnsMs: 3.2, connectMs: 11.6, tlsMs: 24.1, ttfbMs: 42.4, totalMs: 58.9 },
    samples: 3,
    latencySamplesMs: [56.1, 58.9, 61.3],
    throughputBytesPerSec: 8.4 * MIB,
    sumdbSupported: 200,
    integrity: 'verified',
    fresh: true,
    errors: [],
    ...overrides,
  };
}

/** A mirror that never answered. */
function deadMirror(overrides: Partial<MirrorReport> & Pick<MirrorReport, 'url'>): MirrorReport {
  return mirror({
    rank: null,
    verdict: 'failed',
    timings: NO_TIMINGS,
    samples: 0,
    latencySamplesMs: [],
    throughputBytesPerSec: null,
    sumdbSupported: null,
    integrity: 'unchecked',
    fresh: null,
    ...overrides,
  });
}

/** The notice the selection adds last (select/findings.ts decisionFinding). */
function decision(settings: string, headline: string): Finding {
  return {
    level: 'notice',
    code: 'decision',
    title: 'Go module proxy settings',
    message: `${settings}. ${headline}`,
  };
}

function baseReport(overrides: Partial<Report>): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'go-proxy-setup', version: '1.0.0' },
    startedAt: '2025-01-15T10:00:00.000Z',
    probeWallTimeMs: 2345,
    settings: {
      GOPROXY: 'https://goproxy.cn|https://proxy.golang.org|direct',
      GOSUMDB: 'sum.golang.org',
      GOPRIVATE: '',
      GONOPROXY: '',
      GONOSUMDB: '',
    },
    routeFound: true,
    reasons: [],
    fastestMirror: null,
    fastestLatencyMs: null,
    speedupOverDefault: null,
    mirrors: [],
    sumdb: {
      database: 'sum.golang.org',
      value: 'sum.golang.org',
      route: 'https://sum.golang.org',
      reason: 'sum.golang.org answered directly.',
      tried: [{ route: 'https://sum.golang.org', outcome: 200, ok: true }],
    },
    integrityMethod: 'sumdb',
    privatePatterns: [],
    probeModules: [{ path: 'golang.org/x/text', version: 'v0.14.0', source: 'builtin' }],
    findings: [],
    ...overrides,
  };
}

/** Four working mirrors; two chosen, the default route measured. */
export function healthyReport(): Report {
  return baseReport({
    reasons: [
      'https://goproxy.cn is the fastest mirror that passed every probe.',
      'Public mirrors are joined with "|" so a 5xx or timeout falls through to the next one.',
      'sum.golang.org answered directly, so GOSUMDB keeps its default.',
    ],
    fastestMirror: 'https://goproxy.cn',
    fastestLatencyMs: 42.4,
    speedupOverDefault: 2.9,
    findings: [
      decision(
        'GOPROXY=https://goproxy.cn|https://proxy.golang.org|direct GOSUMDB=sum.golang.org',
        'https://goproxy.cn is the fastest mirror that passed every probe.',
      ),
    ],
    mirrors: [
      mirror({ url: 'https://goproxy.cn', reason: 'Fastest mirror that passed every probe.' }),
      mirror({
        url: 'https://proxy.golang.org',
        rank: 2,
        reason: 'Second fastest; the default route, kept as the fallback.',
        timings: { dnsMs: 2.1, connectMs: 38.2, tlsMs: 61.7, ttfbMs: 123, totalMs: 180.4 },
        latencySamplesMs: [171.2, 180.4, 192],
        throughputBytesPerSec: 4.2 * MIB,
      }),
      mirror({
        url: 'https://goproxy.io',
        rank: 3,
        verdict: 'usable',
        reason: 'Works, but ranked below max-mirrors (2).',
        timings: { dnsMs: 4, connectMs: 52, tlsMs: 90.3, ttfbMs: 310.6, totalMs: 402 },
        latencySamplesMs: [398.5, 402, 655.1],
        throughputBytesPerSec: 1.5 * MIB,
        integrity: 'verified',
      }),
      mirror({
        url: 'https://mirrors.aliyun.com/goproxy/',
        rank: 4,
        verdict: 'usable',
        reason: 'Works, but ranked below max-mirrors (2).',
        timings: { dnsMs: 5.5, connectMs: 80, tlsMs: 150, ttfbMs: 1520, totalMs: 1610 },
        latencySamplesMs: [1490, 1610, 2044],
        throughputBytesPerSec: 640 * 1024,
        sumdbSupported: 404,
      }),
    ],
  });
}

const FAILING_FINDINGS: Finding[] = [
  {
    level: 'warning',
    code: 'mirror-failed',
    title: 'Mirror failed',
    message:
      'https://goproxy.io answered 403 Forbidden on list golang.org/x/text; it was left out.',
    mirror: 'https://goproxy.io',
  },
  {
    level: 'warning',
    code: 'mirror-failed',
    title: 'Mirror timed out',
    message: 'proxy.golang.org timed out; fell back to https://goproxy.cn.',
    mirror: 'https://proxy.golang.org',
  },
  {
    level: 'warning',
    code: 'mirror-tampered',
    title: 'Mirror served tampered content',
    message:
      'The .mod of golang.org/x/text@v0.14.0 does not match the checksum database; the mirror was excluded.',
    mirror: 'https://evil.example',
  },
  {
    level: 'warning',
    code: 'redirect-to-http',
    title: 'Mirror redirected to http',
    message: 'https://downgrade.example redirected to plain http; it was excluded.',
    mirror: 'https://downgrade.example',
  },
  {
    level: 'warning',
    code: 'sumdb-rerouted',
    title: 'sum.golang.org unreachable',
    message:
      'sum.golang.org timed out; checksum lookups go through https://goproxy.cn/sumdb/sum.golang.org.',
  },
  {
    level: 'notice',
    code: 'mirror-stale',
    title: 'Mirror behind',
    message:
      'https://stale.example lists golang.org/x/text v0.13.0 as latest; others have v0.14.0.',
    mirror: 'https://stale.example',
  },
  decision(
    'GOPROXY=https://goproxy.cn|https://stale.example|direct GOSUMDB=sum.golang.org https://goproxy.cn/sumdb/sum.golang.org',
    'https://goproxy.cn is the only fresh mirror that passed every probe.',
  ),
];

/** One good mirror, one stale, and 403 / timeout / tampered / http-downgrade failures. */
export function failingReport(): Report {
  return baseReport({
    settings: {
      GOPROXY: 'https://goproxy.cn|https://stale.example|direct',
      GOSUMDB: 'sum.golang.org https://goproxy.cn/sumdb/sum.golang.org',
      GOPRIVATE: '',
      GONOPROXY: '',
      GONOSUMDB: '',
    },
    reasons: [
      'https://goproxy.cn is the only fresh mirror that passed every probe.',
      'sum.golang.org timed out, so checksum lookups go through goproxy.cn, which relays it.',
    ],
    fastestMirror: 'https://goproxy.cn',
    fastestLatencyMs: 42.4,
    speedupOverDefault: null,
    mirrors: [
      deadMirror({
        url: 'https://goproxy.io',
        reason: 'Answered 403 Forbidden on list golang.org/x/text.',
        statuses: { 'list golang.org/x/text': 403 },
        timings: { dnsMs: 4, connectMs: 50, tlsMs: 88, ttfbMs: 140, totalMs: 141 },
        samples: 3,
        latencySamplesMs: [139, 141, 150],
        errors: ['list golang.org/x/text: 403 Forbidden: <html><body>Access denied</body></html>'],
      }),
      mirror({ url: 'https://goproxy.cn', reason: 'Fastest mirror that passed every probe.' }),
      deadMirror({
        url: 'https://proxy.golang.org',
        reason: 'Timed out after 3 s connecting.',
        statuses: { 'list golang.org/x/text': 'timeout' },
        errors: ['list golang.org/x/text: dial tcp 142.250.0.1:443: i/o timeout'],
      }),
      mirror({
        url: 'https://evil.example',
        rank: null,
        verdict: 'tampered',
        reason: 'The .mod of golang.org/x/text@v0.14.0 does not match the checksum database.',
        integrity: 'mismatch',
        integrityDetail:
          'golang.org/x/text@v0.14.0: served .mod hashes to h1:abc=, the checksum database says h1:xyz=.',
        sumdbSupported: 404,
        errors: [
          'mod golang.org/x/text@v0.14.0: h1:abc= != h1:xyz=',
          'body: <script>alert(1)</script> | `rm -rf` @octocat [click](javascript:alert(1))\nsecond line',
        ],
      }),
      deadMirror({
        url: 'https://downgrade.example',
        reason: 'Redirected to plain http.',
        statuses: { 'list golang.org/x/text': 'redirect-to-http' },
        errors: [
          'list golang.org/x/text: redirect to http://downgrade.example/golang.org/x/text/@v/list',
        ],
      }),
      mirror({
        url: 'https://stale.example',
        rank: 2,
        reason: 'Behind the other mirrors on @latest; kept as the last fallback.',
        timings: { dnsMs: 6, connectMs: 70, tlsMs: 120, ttfbMs: 260, totalMs: 301 },
        latencySamplesMs: [290, 301, 333],
        throughputBytesPerSec: 1.8 * MIB,
        fresh: false,
      }),
      deadMirror({
        url: 'https://late.example',
        verdict: 'skipped',
        reason: 'Not probed: the 10 s deadline was reached.',
        statuses: {},
      }),
    ],
    sumdb: {
      database: 'sum.golang.org',
      value: 'sum.golang.org https://goproxy.cn/sumdb/sum.golang.org',
      route: 'https://goproxy.cn/sumdb/sum.golang.org',
      reason: 'sum.golang.org timed out; goproxy.cn relays it.',
      tried: [
        { route: 'https://sum.golang.org', outcome: 'timeout', ok: false },
        {
          route: 'https://goproxy.cn/sumdb/sum.golang.org',
          outcome: 200,
          ok: true,
          note: 'goproxy.cn relays sum.golang.org',
        },
      ],
    },
    findings: FAILING_FINDINGS,
  });
}

/** No mirror works: no route. */
export function noRouteReport(): Report {
  return baseReport({
    probeWallTimeMs: 10_012,
    settings: { GOPROXY: '', GOSUMDB: '', GOPRIVATE: '', GONOPROXY: '', GONOSUMDB: '' },
    routeFound: false,
    reasons: [
      'No mirror passed the probe and fallback is "off", so there is no route to public modules.',
    ],
    mirrors: [
      deadMirror({
        url: 'https://proxy.golang.org',
        reason: 'Timed out after 3 s connecting.',
        statuses: { 'list golang.org/x/text': 'timeout' },
        errors: ['list golang.org/x/text: i/o timeout'],
      }),
      deadMirror({
        url: 'https://goproxy.cn',
        reason: 'Connection refused.',
        statuses: { 'list golang.org/x/text': 'refused' },
        errors: ['list golang.org/x/text: connect ECONNREFUSED 127.0.0.1:443'],
      }),
      deadMirror({
        url: 'https://goproxy.io',
        reason: 'Answered 502 Bad Gateway.',
        statuses: { 'list golang.org/x/text': 502 },
        timings: { dnsMs: 4, connectMs: 51, tlsMs: 90, ttfbMs: 2400, totalMs: 2401 },
        samples: 1,
        latencySamplesMs: [2401],
        errors: ['list golang.org/x/text: 502 Bad Gateway'],
      }),
    ],
    sumdb: {
      database: 'sum.golang.org',
      value: '',
      route: '',
      reason: 'Neither sum.golang.org nor any mirror relay answered.',
      tried: [
        { route: 'https://sum.golang.org', outcome: 'timeout', ok: false },
        { route: 'https://sum.golang.google.cn', outcome: 'dns', ok: false },
      ],
    },
    integrityMethod: 'none',
    findings: [
      {
        level: 'error',
        code: 'no-route',
        title: 'No route to Go modules',
        message: 'Every mirror failed and fallback is off.',
      },
      decision(
        'GOPROXY=off GOSUMDB=sum.golang.org',
        'No mirror passed the probe and fallback is "off", so there is no route to public modules.',
      ),
    ],
  });
}

/** A private Athens first (comma), public chain after; patterns from four sources. */
export function privateReport(): Report {
  return baseReport({
    settings: {
      GOPROXY: 'https://athens.corp.example,https://proxy.golang.org|direct',
      GOSUMDB: 'sum.golang.org',
      GOPRIVATE: 'gitlab.corp.example/platform/*,github.com/acme/*,corp.example/tools',
      GONOPROXY: 'none',
      GONOSUMDB: '',
    },
    reasons: [
      'The private proxy goes first, followed by ",", so private paths never reach a public mirror.',
    ],
    fastestMirror: 'https://proxy.golang.org',
    fastestLatencyMs: 98,
    speedupOverDefault: 1,
    mirrors: [
      mirror({
        url: 'https://athens.corp.example',
        origin: 'private',
        rank: null,
        reason: 'Private proxy: probed with private modules only.',
        sumdbSupported: null,
        integrity: 'unchecked',
        throughputBytesPerSec: null,
      }),
      mirror({
        url: 'https://proxy.golang.org',
        origin: 'env',
        timings: { dnsMs: 2, connectMs: 20, tlsMs: 35, ttfbMs: 98, totalMs: 120 },
      }),
    ],
    privatePatterns: [
      { pattern: 'gitlab.corp.example/platform/*', source: 'remote' },
      { pattern: 'github.com/acme/*', source: 'input' },
      { pattern: 'corp.example/tools', source: 'env' },
      { pattern: 'gitlab.corp.example/platform/go_lib', source: 'ci' },
    ],
    probeModules: [
      { path: 'golang.org/x/text', version: 'v0.14.0', source: 'go.mod' },
      { path: 'github.com/google/uuid', version: null, source: 'input' },
    ],
    findings: [
      {
        level: 'warning',
        code: 'broad-private-pattern',
        title: 'Over-broad private pattern',
        message:
          'github.com/acme/* also matches public modules served by proxy.golang.org; narrow it to the private repositories.',
      },
      {
        level: 'warning',
        code: 'comma-chain',
        title: 'GOPROXY uses ","',
        message:
          'The existing GOPROXY joined public mirrors with ","; a 5xx would stop the go command instead of falling through.',
      },
      {
        level: 'notice',
        code: 'comma-separators',
        title: 'Go older than 1.15: GOPROXY joined with `,`',
        message: 'Go 1.14 does not understand `|`, so GOPROXY uses `,`.',
      },
      decision(
        'GOPROXY=https://athens.corp.example,https://proxy.golang.org|direct GOSUMDB=sum.golang.org GONOPROXY=none',
        'The private proxy goes first, followed by ",".',
      ),
    ],
  });
}
