/**
 * Selection over hand-built ProbeRuns, one scenario per simulator profile (and mixes). Each asserts
 * the chosen GOPROXY and GOSUMDB, the findings (codes, in order) and the reasons users will read;
 * every produced value must pass the Go-exact parsers.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { parseGoproxy } from '../../src/goenv/goproxy.js';
import { parseGosumdb } from '../../src/goenv/gosumdb.js';
import type { ProbeRun } from '../../src/probe/types.js';
import type { MirrorVerdict } from '../../src/report/types.js';
import { selectSettings } from '../../src/select/select.js';
import type { SelectOptions, Selection } from '../../src/select/types.js';
import {
  ALIYUN,
  CORP_PROXY,
  GOPROXY_CN,
  GOPROXY_IO,
  MODULE,
  PRIVATE_MODULE,
  PROXY_GOLANG,
  endpoint,
  mirror,
  options,
  probeRun,
  routes,
  withRouteLatencies,
} from './fixtures.js';

/** A third-party checksum database's verifier key (go-semantics §2.1; accepted by Go 1.19). */
const GOSUM_IO_KEY = 'gosum.io+ce6e7565+AY5qEHUk/qmHc5btzW45JVoENfazw8LielDsaI+lEbq6';

interface Scenario {
  readonly name: string;
  readonly run: ProbeRun;
  readonly options?: Partial<SelectOptions>;
  readonly goproxy: string;
  readonly gosumdb: string;
  readonly routeFound?: boolean;
  /** Finding codes, in the order selection returns them. */
  readonly findings: readonly string[];
  /** Each must match one of selection.reasons. */
  readonly reasons?: readonly RegExp[];
  readonly verdicts?: Readonly<Record<string, MirrorVerdict>>;
  /** Mirror reason must match. */
  readonly mirrorReasons?: Readonly<Record<string, RegExp>>;
  /** Finding message must match, by code. */
  readonly messages?: Readonly<Record<string, RegExp>>;
  readonly check?: (s: Selection) => void;
}

const FAST = 'https://fast.example';
const SLOW = 'https://slow.example';

const scenarios: Scenario[] = [
  {
    name: 'fast vs slow: the fastest two in latency order, then direct',
    run: probeRun([
      mirror(SLOW, { latencyMs: 300 }),
      mirror(PROXY_GOLANG, { latencyMs: 80 }),
      mirror(FAST, { latencyMs: 20 }),
    ]),
    goproxy: `${FAST}|${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['decision'],
    reasons: [
      /^https:\/\/fast\.example is the best of 3 mirrors probed \(median latency 20 ms, content verified/,
      /joined with `\|`, so any error/,
      /^GOSUMDB=sum\.golang\.org: reached directly at https:\/\/sum\.golang\.org/,
    ],
    verdicts: { [FAST]: 'chosen', [PROXY_GOLANG]: 'chosen', [SLOW]: 'usable' },
    mirrorReasons: {
      // The reason states the speed estimate; with no throughput measured, latency alone counts.
      [SLOW]:
        /^rank 3: median latency 300 ms, throughput not measured \(by any mirror: latency alone counts\); not in the chain \(max-mirrors is 2\)$/,
    },
    check: (s) => {
      expect(s.assessments.map((a) => a.rank)).toEqual([3, 2, 1]);
      expect(s.sumdb.tried.map((t) => t.route)).toEqual([
        'https://fast.example/sumdb/sum.golang.org',
        'https://proxy.golang.org/sumdb/sum.golang.org',
        'https://sum.golang.org',
      ]);
    },
  },
  {
    name: '403: a listed mirror that refuses is a warning, a catalog one is only a row',
    run: probeRun([
      mirror('https://blocked.example', { origin: 'input', fail: { kind: 'list', outcome: 403 } }),
      mirror('https://geo.example', { fail: { kind: 'list', outcome: 403 } }),
      mirror(PROXY_GOLANG),
    ]),
    goproxy: `${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['mirror-failed', 'decision'],
    verdicts: { 'https://blocked.example': 'failed', 'https://geo.example': 'failed' },
    mirrorReasons: {
      'https://blocked.example': /^answered 403 Forbidden on golang\.org\/x\/text\/@v\/list$/,
      'https://geo.example': /^answered 403 Forbidden on golang\.org\/x\/text\/@v\/list$/,
    },
    messages: {
      'mirror-failed':
        /^https:\/\/blocked\.example \(listed in the mirrors input\) answered 403 Forbidden on golang\.org\/x\/text\/@v\/list; it is left out of the chain\. It refuses this runner/,
    },
  },
  {
    name: '404 and 410: a mirror missing the module is not usable; listed → warning',
    run: probeRun([
      mirror('https://partial.example', { origin: 'env', fail: { kind: 'info', outcome: 404 } }),
      mirror('https://gone.example', { fail: { kind: 'list', outcome: 410 } }),
      mirror(PROXY_GOLANG),
    ]),
    options: { existingGoproxy: 'https://partial.example|https://proxy.golang.org|direct' },
    goproxy: `${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['mirror-failed', 'decision'],
    mirrorReasons: {
      'https://partial.example':
        /^answered 404 Not Found on golang\.org\/x\/text\/@v\/v0\.14\.0\.info: it does not serve this module$/,
      'https://gone.example':
        /^answered 410 Gone on golang\.org\/x\/text\/@v\/list: it does not serve this module$/,
    },
    messages: {
      'mirror-failed': /\(from your GOPROXY\).*does not serve a module this project needs/,
    },
  },
  {
    name: '504 from the mirror of an existing `,` GOPROXY: left out, and the comma chain is named',
    run: probeRun([
      mirror(GOPROXY_CN, {
        origin: 'env',
        fail: { kind: 'list', outcome: 504 },
        sumdbSupported: 200,
      }),
      mirror(PROXY_GOLANG, { latencyMs: 90 }),
    ]),
    options: { existingGoproxy: 'https://goproxy.cn,direct' },
    goproxy: `${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['mirror-failed', 'comma-chain', 'decision'],
    mirrorReasons: {
      [GOPROXY_CN]: /^answered 504 Gateway Timeout on golang\.org\/x\/text\/@v\/list$/,
    },
    messages: {
      'mirror-failed': /The mirror is failing right now/,
      'comma-chain':
        /^Your GOPROXY \(https:\/\/goproxy\.cn,direct\) follows https:\/\/goproxy\.cn with `,`.*Right now: https:\/\/goproxy\.cn answered 504 Gateway Timeout.*join public mirrors with `\|`/,
    },
  },
  {
    name: '500 on a catalog mirror: no warning, reason kept',
    run: probeRun([mirror(ALIYUN, { fail: { kind: 'mod', outcome: 500 } }), mirror(PROXY_GOLANG)]),
    goproxy: `${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['decision'],
    mirrorReasons: {
      [ALIYUN]: /^answered 500 Internal Server Error on golang\.org\/x\/text\/@v\/v0\.14\.0\.mod$/,
    },
  },
  {
    name: 'blackhole: a timed-out listed mirror says how long it waited',
    run: probeRun([
      mirror('https://blackhole.example', {
        origin: 'input',
        fail: { kind: 'list', outcome: 'timeout', elapsedMs: 2500 },
      }),
      mirror(PROXY_GOLANG),
    ]),
    goproxy: `${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['mirror-failed', 'decision'],
    mirrorReasons: {
      'https://blackhole.example': /^timed out after 2\.5 s on golang\.org\/x\/text\/@v\/list$/,
    },
    messages: { 'mirror-failed': /may be unreachable from this runner; Go itself has no timeout/ },
  },
  {
    name: 'slow drip past the deadline: skipped with the reason, deadline in the reasons',
    run: probeRun(
      [
        mirror('https://drip.example', {
          latencyMs: null,
          skipped: 'the overall deadline passed before its probe finished',
        }),
        mirror('https://trickle.example', {
          origin: 'input',
          fail: { kind: 'zip', outcome: 'deadline' },
        }),
        mirror(PROXY_GOLANG),
      ],
      { deadlineHit: true },
    ),
    goproxy: `${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['mirror-failed', 'decision'],
    verdicts: { 'https://drip.example': 'skipped', 'https://trickle.example': 'failed' },
    mirrorReasons: {
      'https://drip.example': /^not probed: the overall deadline passed before its probe finished$/,
      'https://trickle.example':
        /^did not answer before the overall probe deadline \(`timeout` input\) on golang\.org\/x\/text\/@v\/v0\.14\.0\.zip$/,
    },
    reasons: [/^The probe hit its deadline; 1 mirror was not fully probed\.$/],
  },
  {
    name: 'reset mid-body',
    run: probeRun([
      mirror('https://reset.example', {
        origin: 'input',
        latencyMs: 5,
        fail: { kind: 'zip', outcome: 'reset' },
      }),
      mirror(PROXY_GOLANG),
    ]),
    goproxy: `${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['mirror-failed', 'decision'],
    mirrorReasons: {
      'https://reset.example': /^reset the connection on golang\.org\/x\/text\/@v\/v0\.14\.0\.zip$/,
    },
  },
  {
    name: 'https→http redirect warns even for a catalog mirror',
    run: probeRun([
      mirror(GOPROXY_IO, { latencyMs: 5, fail: { kind: 'list', outcome: 'redirect-to-http' } }),
      mirror(PROXY_GOLANG),
    ]),
    goproxy: `${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['redirect-to-http', 'decision'],
    mirrorReasons: {
      [GOPROXY_IO]:
        /^redirected https→http, which the go command refuses on golang\.org\/x\/text\/@v\/list$/,
    },
    messages: {
      'redirect-to-http':
        /^https:\/\/goproxy\.io \(built-in catalog\) redirected https:\/\/goproxy\.io\/golang\.org\/x\/text\/@v\/list to plain http/,
    },
  },
  {
    name: 'tampered .mod: the fastest mirror is never chosen and is named',
    run: probeRun([
      mirror('https://evil.example', {
        latencyMs: 2,
        integrity: 'mismatch',
        integrityDetail:
          'golang.org/x/text@v0.14.0 go.mod hashes to h1:AAAA, the checksum database says h1:fpu2',
      }),
      mirror(PROXY_GOLANG),
    ]),
    goproxy: `${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['mirror-tampered', 'decision'],
    verdicts: { 'https://evil.example': 'tampered' },
    mirrorReasons: {
      'https://evil.example':
        /^served content that does not match the checksum database: golang\.org\/x\/text@v0\.14\.0 go\.mod hashes to h1:AAAA/,
    },
    messages: { 'mirror-tampered': /It is never chosen\./ },
  },
  {
    name: 'empty .mod (emptyGoModHash): tampered',
    run: probeRun([
      mirror('https://empty.example', {
        latencyMs: 2,
        integrity: 'empty-mod',
        integrityDetail: 'golang.org/x/text@v0.14.0: .mod is 0 bytes',
      }),
      mirror(PROXY_GOLANG),
    ]),
    goproxy: `${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['mirror-tampered', 'decision'],
    mirrorReasons: {
      'https://empty.example':
        /^served an empty go\.mod: golang\.org\/x\/text@v0\.14\.0: \.mod is 0 bytes$/,
    },
  },
  {
    name: 'tampered zip while the database is unreachable (cross-mirror disagreement)',
    run: probeRun(
      [
        mirror('https://zip.example', {
          latencyMs: 2,
          integrity: 'mismatch',
          integrityDetail: 'zip of golang.org/x/text@v0.14.0 differs from 2 other mirrors',
        }),
        mirror(PROXY_GOLANG, { integrity: 'agreed' }),
        mirror(GOPROXY_CN, { integrity: 'agreed', latencyMs: 60, sumdbSupported: 200 }),
      ],
      {
        signedModHashes: {},
        sumdbRoutes: routes({
          direct: 'timeout',
          alias: 'timeout',
          relays: { [GOPROXY_CN]: true },
        }),
      },
    ),
    goproxy: `${GOPROXY_CN}|${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['mirror-tampered', 'decision'],
    reasons: [/content agrees with the other mirrors/],
  },
  {
    name: 'stale @latest: ranked below fresh mirrors and left out (catalog, not chosen: no warning)',
    run: probeRun([
      mirror('https://stale.example', {
        latencyMs: 10,
        latest: 'v0.13.0',
        listed: ['v0.12.0', 'v0.13.0'],
      }),
      mirror(PROXY_GOLANG, { latencyMs: 80 }),
      mirror(GOPROXY_CN, { latencyMs: 60 }),
    ]),
    goproxy: `${GOPROXY_CN}|${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['decision'],
    mirrorReasons: {
      'https://stale.example':
        /^rank 3: median latency 10 ms, throughput not measured \(by any mirror: latency alone counts\); ranked lower because stale: @latest of golang\.org\/x\/text is v0\.13\.0 here, v0\.14\.0 on another mirror; not in the chain/,
    },
    check: (s) => expect(s.assessments[0]!.fresh).toBe(false),
  },
  {
    name: 'stale mirror that still makes the chain: warned',
    run: probeRun([
      mirror('https://stale.example', { latencyMs: 10, listed: ['v0.13.0'], latest: 'v0.14.0' }),
      mirror(PROXY_GOLANG, { latencyMs: 80 }),
    ]),
    goproxy: `${PROXY_GOLANG}|https://stale.example|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['mirror-stale', 'decision'],
    messages: {
      'mirror-stale':
        /is stale: @v\/list of golang\.org\/x\/text stops at v0\.13\.0 here, another mirror lists v0\.14\.0\..*still in the chain at rank 2/,
    },
  },
  {
    name: 'sum.golang.org blocked, goproxy.cn relays: the relaying mirror ranks first, GOSUMDB stays default',
    run: probeRun(
      [
        mirror(PROXY_GOLANG, { latencyMs: 30 }),
        mirror(GOPROXY_CN, { latencyMs: 120, sumdbSupported: 200 }),
      ],
      { sumdbRoutes: routes({ direct: 'timeout', alias: true, relays: { [GOPROXY_CN]: true } }) },
    ),
    goproxy: `${GOPROXY_CN}|${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['decision'],
    reasons: [
      /^GOSUMDB=sum\.golang\.org: reached through https:\/\/goproxy\.cn, which relays the checksum database/,
    ],
    mirrorReasons: {
      [PROXY_GOLANG]:
        /ranked lower because the checksum database is not reachable through the chain it would head/,
    },
    check: (s) => {
      expect(s.sumdb.route).toBe('https://goproxy.cn/sumdb/sum.golang.org');
      expect(s.sumdb.tried).toEqual([
        {
          route: 'https://goproxy.cn/sumdb/sum.golang.org',
          outcome: 200,
          ok: true,
          note: '/supported answered 200: the route Go takes',
        },
      ]);
    },
  },
  {
    name: 'relay answers 403 on /supported behind `|`: Go moves on to the database itself',
    run: probeRun([mirror(GOPROXY_IO, { sumdbSupported: 403 })]),
    goproxy: `${GOPROXY_IO}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['decision'],
    check: (s) => {
      expect(s.sumdb.tried[0]).toEqual({
        route: 'https://goproxy.io/sumdb/sum.golang.org',
        outcome: 403,
        ok: false,
        note: '/supported answered 403 Forbidden; Go tries the next entry',
      });
      expect(s.sumdb.route).toBe('https://sum.golang.org');
    },
  },
  {
    name: 'sum.golang.org unreachable, no relay in the chain: the sum.golang.google.cn alias',
    run: probeRun([mirror(PROXY_GOLANG)], {
      sumdbRoutes: routes({ direct: 'timeout', alias: true }),
    }),
    goproxy: `${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.google.cn',
    findings: ['sumdb-rerouted', 'decision'],
    messages: {
      'sumdb-rerouted':
        /^the route Go takes, https:\/\/sum\.golang\.org, timed out\. GOSUMDB=sum\.golang\.google\.cn sends checksum lookups to https:\/\/sum\.golang\.google\.cn/,
    },
    check: (s) => {
      expect(s.sumdb.route).toBe('https://sum.golang.google.cn');
      expect(s.sumdb.tried.map((t) => [t.route, t.outcome, t.ok])).toEqual([
        ['https://proxy.golang.org/sumdb/sum.golang.org', 404, false],
        ['https://sum.golang.org', 'timeout', false],
        ['https://sum.golang.google.cn', 200, true],
      ]);
    },
  },
  {
    name: 'database and alias unreachable: a mirror relay outside the chain, pinned with its URL',
    run: probeRun(
      [
        mirror(PROXY_GOLANG, { latencyMs: 30 }),
        mirror(GOPROXY_CN, { fail: { kind: 'info', outcome: 404 }, sumdbSupported: 200 }),
      ],
      { sumdbRoutes: routes({ direct: 'dns', alias: 'timeout', relays: { [GOPROXY_CN]: true } }) },
    ),
    options: { maxMirrors: 1 },
    goproxy: `${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org https://goproxy.cn/sumdb/sum.golang.org',
    findings: ['sumdb-rerouted', 'decision'],
    messages: {
      'sumdb-rerouted':
        /could not be resolved \(DNS lookup failed\)\. GOSUMDB=sum\.golang\.org https:\/\/goproxy\.cn\/sumdb\/sum\.golang\.org/,
    },
  },
  {
    name: 'no checksum route at all: keep the default and warn',
    run: probeRun([mirror(PROXY_GOLANG)], {
      sumdbRoutes: routes({ direct: 'timeout', alias: 403 }),
    }),
    goproxy: `${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['sumdb-unreachable', 'decision'],
    messages: { 'sumdb-unreachable': /builds fail only when a module is missing from go\.sum/ },
  },
  {
    name: 'everything failing, fallback direct: GOPROXY=direct, route found, warning',
    run: probeRun([
      mirror(PROXY_GOLANG, { fail: { kind: 'list', outcome: 403 } }),
      mirror(GOPROXY_CN, { fail: { kind: 'list', outcome: 'timeout', elapsedMs: 3000 } }),
    ]),
    goproxy: 'direct',
    gosumdb: 'sum.golang.org',
    routeFound: true,
    findings: ['no-mirror', 'decision'],
    reasons: [
      /^No public mirror is usable \(2 probed\), so modules come straight from their version-control hosts \(direct\)\.$/,
    ],
    messages: {
      'no-mirror':
        /^No public mirror is usable \(2 probed: https:\/\/proxy\.golang\.org answered 403 Forbidden on golang\.org\/x\/text\/@v\/list; https:\/\/goproxy\.cn timed out after 3 s on/,
    },
  },
  {
    name: 'everything failing, fallback off: no route (error), GOPROXY=off, never empty',
    run: probeRun([mirror(PROXY_GOLANG, { fail: { kind: 'list', outcome: 403 } })], {
      deadlineHit: true,
    }),
    options: { fallback: 'off' },
    goproxy: 'off',
    gosumdb: 'sum.golang.org',
    routeFound: false,
    findings: ['no-route', 'decision'],
    messages: { 'no-route': /fallback is off.*Set fallback: direct.*raise the timeout input/ },
  },
  {
    name: 'private proxy: first with `,`, credentials only in what is written, GONOPROXY=none',
    run: probeRun([
      mirror(CORP_PROXY, { isPrivate: true, userinfo: 'bob:s3cret' }),
      mirror(PROXY_GOLANG),
    ]),
    options: { privatePatterns: ['git.corp.example', '*.internal.example'] },
    goproxy: `${CORP_PROXY},${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['decision'],
    verdicts: { [CORP_PROXY]: 'chosen' },
    reasons: [
      /^The private proxy comes first, followed by `,`.*GONOPROXY=none.*GONOSUMDB=git\.corp\.example,\*\.internal\.example/,
    ],
    check: (s) => {
      expect(s.settings.GOPROXY).toBe(
        `https://bob:s3cret@athens.corp.example,${PROXY_GOLANG}|direct`,
      );
      expect(s.settings.GONOPROXY).toBe('none');
      expect(s.settings.GONOSUMDB).toBe('git.corp.example,*.internal.example');
      expect(s.display.GONOSUMDB).toBe('git.corp.example,*.internal.example');
      expect(
        JSON.stringify({ ...s, settings: null, chain: null, assessments: null }),
      ).not.toContain('s3cret');
    },
  },
  {
    name: 'private proxy answers 404 for a private module: it would fall through to public mirrors',
    run: probeRun([
      mirror(CORP_PROXY, {
        isPrivate: true,
        fail: { kind: 'list', outcome: 404, module: PRIVATE_MODULE },
      }),
      mirror(PROXY_GOLANG),
    ]),
    options: { privatePatterns: ['git.corp.example'] },
    goproxy: `${CORP_PROXY},${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['private-proxy-not-found', 'decision'],
    messages: {
      'private-proxy-not-found':
        /^The private proxy answered 404 Not Found on git\.corp\.example\/team\/lib\/@v\/list: it does not serve this module\. .*requested from the public mirrors/,
    },
  },
  {
    name: 'private proxy refuses (403) and breaks the checksum walk: warned, GOSUMDB pinned to the database',
    run: probeRun([
      mirror(CORP_PROXY, {
        isPrivate: true,
        fail: { kind: 'info', outcome: 403 },
        sumdbSupported: 403,
      }),
      mirror(PROXY_GOLANG),
    ]),
    options: { privatePatterns: ['git.corp.example'] },
    goproxy: `${CORP_PROXY},${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org https://sum.golang.org',
    findings: ['private-proxy-failed', 'sumdb-rerouted', 'decision'],
    verdicts: { [CORP_PROXY]: 'failed' },
    messages: {
      'private-proxy-failed':
        /answered 403 Forbidden on git\.corp\.example\/team\/lib\/@v\/v1\.2\.0\.info.*check the credentials/,
      'sumdb-rerouted':
        /^https:\/\/athens\.corp\.example answered 403 Forbidden on \/sumdb\/sum\.golang\.org\/supported and is not followed by `\|`, so every checksum lookup through GOPROXY fails\. GOSUMDB=sum\.golang\.org https:\/\/sum\.golang\.org/,
    },
  },
  {
    name: 'private proxy fails a public module with 403: public downloads would stop there',
    run: probeRun([
      mirror(CORP_PROXY, {
        isPrivate: true,
        extraEndpoints: [
          endpoint(CORP_PROXY, 'info', 403, { module: MODULE }),
          endpoint(CORP_PROXY, 'list', 404, { module: MODULE }),
        ],
      }),
      mirror(PROXY_GOLANG),
    ]),
    options: { privatePatterns: ['git.corp.example'] },
    goproxy: `${CORP_PROXY},${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['private-proxy-blocks-public', 'decision'],
    verdicts: { [CORP_PROXY]: 'failed' },
    messages: {
      'private-proxy-blocks-public':
        /^The private proxy answered 403 Forbidden on golang\.org\/x\/text\/@v\/v0\.14\.0\.info\. It heads GOPROXY followed by `,`/,
    },
  },
  {
    name: 'private proxy answering 404 for a public module is healthy',
    run: probeRun([
      mirror(CORP_PROXY, {
        isPrivate: true,
        extraEndpoints: [endpoint(CORP_PROXY, 'list', 404, { module: MODULE })],
      }),
      mirror(PROXY_GOLANG),
    ]),
    options: { privatePatterns: ['git.corp.example'] },
    goproxy: `${CORP_PROXY},${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['decision'],
    verdicts: { [CORP_PROXY]: 'chosen' },
  },
  {
    name: 'existing GOPROXY that Go rejects',
    run: probeRun([mirror(PROXY_GOLANG)]),
    options: { existingGoproxy: 'ftp://x,direct' },
    goproxy: `${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['invalid-goproxy', 'decision'],
    messages: {
      'invalid-goproxy':
        /fail with: invalid proxy URL scheme \(must be https, http, file\): ftp:\/\/x\./,
    },
  },
  {
    name: 'Go 1.14: `,` everywhere, said so, and no `|` advice for the existing GOPROXY',
    run: probeRun([mirror(GOPROXY_CN, { latencyMs: 20 }), mirror(PROXY_GOLANG)]),
    options: { goVersion: 'go1.14.15', existingGoproxy: 'https://goproxy.cn,direct' },
    goproxy: `${GOPROXY_CN},${PROXY_GOLANG},direct`,
    gosumdb: 'sum.golang.org',
    findings: ['comma-separators', 'decision'],
    reasons: [/^Go go1\.14\.15 predates `\|` \(Go 1\.15\), so entries are joined with `,`/],
  },
  {
    name: 'existing GOPROXY with `,` and dead entries after direct',
    run: probeRun([mirror(GOPROXY_CN, { origin: 'env', latencyMs: 20 }), mirror(PROXY_GOLANG)]),
    options: { existingGoproxy: 'goproxy.cn,direct,https://mirror.example' },
    goproxy: `${GOPROXY_CN}|${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['dead-goproxy-entries', 'comma-chain', 'decision'],
    messages: {
      'dead-goproxy-entries':
        /lists https:\/\/mirror\.example after `direct`\. Go stops reading the list at `direct`/,
      'comma-chain': /follows goproxy\.cn with `,`: Go moves on only after 404\/410/,
    },
  },
  {
    name: 'fallback off: `A|B|off` where A answers 500 on /supported breaks the walk (Go error ranking)',
    run: probeRun([
      mirror('https://a.example', { latencyMs: 10, sumdbSupported: 500 }),
      mirror('https://b.example', { latencyMs: 20 }),
    ]),
    options: { fallback: 'off' },
    goproxy: 'https://b.example|https://a.example|off',
    // b answers 404 (not found), a answers 500 and falls through `|` to off: Go reports the proxy
    // error, not "not found", so lookups through GOPROXY fail; the database is pinned instead.
    gosumdb: 'sum.golang.org https://sum.golang.org',
    findings: ['sumdb-rerouted', 'decision'],
    check: (s) => {
      expect(s.assessments[0]!.sumdbRouteOk).toBe(false);
      expect(s.assessments[1]!.sumdbRouteOk).toBe(true);
      expect(s.sumdb.route).toBe('https://sum.golang.org');
      expect(s.sumdb.tried.map((t) => [t.route, t.outcome, t.ok])).toEqual([
        ['https://b.example/sumdb/sum.golang.org', 404, false],
        ['https://a.example/sumdb/sum.golang.org', 500, false],
        ['https://sum.golang.org', 200, true],
      ]);
    },
  },
  {
    name: 'fallback off with only a 500-on-/supported mirror: rerouted to the pinned database',
    run: probeRun([mirror('https://a.example', { sumdbSupported: 500 })]),
    options: { fallback: 'off' },
    goproxy: 'https://a.example|off',
    gosumdb: 'sum.golang.org https://sum.golang.org',
    findings: ['sumdb-rerouted', 'decision'],
    messages: {
      'sumdb-rerouted':
        /answered 500 Internal Server Error on \/sumdb\/sum\.golang\.org\/supported and the chain has no `direct` after it/,
    },
  },
  {
    name: 'default-best: Go would use a far relay while the database itself is near: pinned by URL (notice)',
    run: probeRun(
      [
        mirror(PROXY_GOLANG, { latencyMs: 20 }), // /supported 404, like the real one
        mirror(GOPROXY_CN, { latencyMs: 180, sumdbSupported: 200 }),
      ],
      {
        sumdbRoutes: withRouteLatencies(routes({ relays: { [GOPROXY_CN]: true } }), {
          direct: 20,
          [GOPROXY_CN]: 180,
        }),
      },
    ),
    goproxy: `${PROXY_GOLANG}|${GOPROXY_CN}|direct`,
    gosumdb: 'sum.golang.org https://sum.golang.org',
    findings: ['sumdb-pinned-direct', 'decision'],
    reasons: [
      /^GOSUMDB=sum\.golang\.org https:\/\/sum\.golang\.org: Go's walk over GOPROXY would reach the database through https:\/\/goproxy\.cn, whose relay answered in 180 ms, while https:\/\/sum\.golang\.org itself answered in 20 ms with a verified signed tree head; lookups go straight there \(pinned past the chain\)\.$/,
    ],
    messages: {
      'sumdb-pinned-direct':
        /^The go command would reach the checksum database through https:\/\/goproxy\.cn's relay, which answered in 180 ms; https:\/\/sum\.golang\.org answered in 20 ms\. GOSUMDB=sum\.golang\.org https:\/\/sum\.golang\.org sends checksum lookups straight there/,
    },
    check: (s) => {
      expect(s.findings.find((f) => f.code === 'sumdb-pinned-direct')!.level).toBe('notice');
      expect(s.sumdb.route).toBe('https://sum.golang.org');
      expect(s.sumdb.tried).toEqual([
        {
          route: 'https://proxy.golang.org/sumdb/sum.golang.org',
          outcome: 404,
          ok: false,
          note: '/supported answered 404 Not Found; Go tries the next entry',
        },
        {
          route: 'https://goproxy.cn/sumdb/sum.golang.org',
          outcome: 200,
          ok: true,
          note: "/supported answered 200: the route Go's walk would take; its lookup took 180 ms",
        },
        {
          route: 'https://sum.golang.org',
          outcome: 200,
          ok: true,
          note: 'the database itself, pinned past the chain: 20 ms against 180 ms through the relay',
        },
      ]);
    },
  },
  {
    name: 'sumdb-trap: the relay is nearer than the database: the relay stays, GOSUMDB stays default',
    run: probeRun(
      [
        mirror('https://norelay.example', { latencyMs: 15 }),
        mirror(GOPROXY_CN, { latencyMs: 45, sumdbSupported: 200 }),
      ],
      {
        sumdbRoutes: withRouteLatencies(routes({ relays: { [GOPROXY_CN]: true } }), {
          direct: 450,
          [GOPROXY_CN]: 45,
        }),
      },
    ),
    goproxy: `https://norelay.example|${GOPROXY_CN}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['decision'],
    reasons: [/^GOSUMDB=sum\.golang\.org: reached through https:\/\/goproxy\.cn, which relays/],
    check: (s) => expect(s.sumdb.route).toBe('https://goproxy.cn/sumdb/sum.golang.org'),
  },
  {
    name: 'a relay not clearly slower than the database (≤ 1.25 × + 20 ms) stays',
    run: probeRun(
      [
        mirror(PROXY_GOLANG, { latencyMs: 20 }),
        mirror(GOPROXY_CN, { latencyMs: 140, sumdbSupported: 200 }),
      ],
      {
        sumdbRoutes: withRouteLatencies(routes({ relays: { [GOPROXY_CN]: true } }), {
          direct: 100,
          [GOPROXY_CN]: 145,
        }),
      },
    ),
    goproxy: `${PROXY_GOLANG}|${GOPROXY_CN}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['decision'],
  },
  {
    name: 'a gosumdb value the user set is never re-pinned for speed',
    run: probeRun(
      [
        mirror(PROXY_GOLANG, { latencyMs: 20 }),
        mirror(GOPROXY_CN, { latencyMs: 180, sumdbSupported: 200 }),
      ],
      {
        sumdbRoutes: withRouteLatencies(routes({ relays: { [GOPROXY_CN]: true } }), {
          direct: 20,
          [GOPROXY_CN]: 180,
        }),
      },
    ),
    options: { gosumdb: 'sum.golang.org' },
    goproxy: `${PROXY_GOLANG}|${GOPROXY_CN}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['decision'],
  },
  {
    name: "the private proxy's relay is left alone even when slow",
    run: probeRun(
      [
        mirror(CORP_PROXY, { isPrivate: true, sumdbSupported: 200 }),
        mirror(PROXY_GOLANG, { latencyMs: 20 }),
      ],
      {
        sumdbRoutes: withRouteLatencies(routes({ relays: { [CORP_PROXY]: true } }), {
          direct: 20,
          [CORP_PROXY]: 300,
        }),
      },
    ),
    options: { privatePatterns: ['git.corp.example'] },
    goproxy: `${CORP_PROXY},${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['decision'],
    check: (s) => expect(s.sumdb.route).toBe('https://athens.corp.example/sumdb/sum.golang.org'),
  },
  {
    name: 'another checksum database is pinned with its full key: `<key> <url>`',
    run: probeRun(
      [
        mirror(PROXY_GOLANG, { latencyMs: 20 }),
        mirror(GOPROXY_CN, { latencyMs: 180, sumdbSupported: 200 }),
      ],
      {
        database: { name: 'gosum.io', key: GOSUM_IO_KEY, value: GOSUM_IO_KEY, explicitUrl: null },
        sumdbRoutes: [
          { route: 'https://gosum.io', kind: 'direct', outcome: 200, ok: true, latencyMs: 20 },
          {
            route: 'https://goproxy.cn/sumdb/gosum.io',
            kind: 'mirror',
            mirror: GOPROXY_CN,
            outcome: 200,
            ok: true,
            latencyMs: 180,
          },
        ],
      },
    ),
    goproxy: `${PROXY_GOLANG}|${GOPROXY_CN}|direct`,
    gosumdb: `${GOSUM_IO_KEY} https://gosum.io`,
    findings: ['sumdb-pinned-direct', 'decision'],
  },
  // The speed criterion (median latency + 64 KiB at the throughput) replaced "latency, then
  // throughput inside the latency band": the old noise-band scenario became these three.
  {
    name: 'speed: a 10 ms mirror capped at 192 KB/s ranks below a 50 ms one at 20 MB/s',
    run: probeRun([
      mirror('https://thin.example', { latencyMs: 10, throughput: 192_000 }),
      mirror('https://thick.example', { latencyMs: 50, throughput: 2e7 }),
    ]),
    goproxy: 'https://thick.example|https://thin.example|direct',
    gosumdb: 'sum.golang.org',
    findings: ['decision'],
    mirrorReasons: {
      'https://thick.example':
        /^rank 1: median latency 50 ms, 19\.1 MiB\/s → ~53 ms per 64 KiB request$/,
      'https://thin.example':
        /^rank 2: median latency 10 ms, 188 KiB\/s → ~351 ms per 64 KiB request$/,
    },
    reasons: [/^https:\/\/thick\.example is the best of 2 mirrors probed \(median latency 50 ms/],
  },
  {
    name: 'speed: estimates within max(5 ms, 10 %) are equal and keep input order; 20 ms at 1 MB/s is far behind',
    run: probeRun([
      mirror('https://c.example', { latencyMs: 30, throughput: 1e8 }), // ~31 ms
      mirror('https://a.example', { latencyMs: 20, throughput: 1e6 }), // ~86 ms
      mirror('https://b.example', { latencyMs: 21, throughput: 1e7 }), // ~28 ms
    ]),
    options: { maxMirrors: 3 },
    goproxy: 'https://c.example|https://b.example|https://a.example|direct',
    gosumdb: 'sum.golang.org',
    findings: ['decision'],
    mirrorReasons: {
      'https://c.example':
        /^rank 1: median latency 30 ms, 95\.4 MiB\/s → ~31 ms per 64 KiB request$/,
      'https://b.example':
        /^rank 2: median latency 21 ms, 9\.5 MiB\/s → ~28 ms per 64 KiB request; as fast as rank 1 within measurement noise \(max\(5 ms, 10 %\)\), which comes first in input order$/,
      'https://a.example': /^rank 3: median latency 20 ms, 977 KiB\/s → ~86 ms per 64 KiB request$/,
    },
  },
  {
    name: 'speed: an unmeasured throughput is taken as the best measured one, and said so',
    run: probeRun([
      mirror('https://thin.example', { latencyMs: 20, throughput: 192_000 }), // ~361 ms
      mirror('https://unmeasured.example', { latencyMs: 40, throughput: null }), // ~47 ms
      mirror('https://best.example', { latencyMs: 30, throughput: 1e7 }), // ~37 ms
    ]),
    options: { maxMirrors: 3 },
    goproxy: 'https://best.example|https://unmeasured.example|https://thin.example|direct',
    gosumdb: 'sum.golang.org',
    findings: ['decision'],
    mirrorReasons: {
      'https://unmeasured.example':
        /^rank 2: median latency 40 ms, throughput not measured \(taken as 9\.5 MiB\/s, the best measured\) → ~47 ms per 64 KiB request$/,
    },
  },
  {
    name: 'exact ties keep input order',
    run: probeRun([mirror('https://b.example'), mirror('https://a.example')]),
    options: { maxMirrors: 1 },
    goproxy: 'https://b.example|direct',
    gosumdb: 'sum.golang.org',
    findings: ['decision'],
  },
  {
    name: 'unchecked integrity ranks after verified',
    run: probeRun([
      mirror('https://unchecked.example', { latencyMs: 5, integrity: 'unchecked' }),
      mirror(PROXY_GOLANG),
    ]),
    options: { maxMirrors: 1 },
    goproxy: `${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org',
    findings: ['decision'],
    mirrorReasons: {
      'https://unchecked.example': /ranked lower because its content could not be checked/,
    },
  },
  {
    name: 'gosumdb given as the alias: used as given, no walk',
    run: probeRun([mirror(PROXY_GOLANG, { sumdbSupported: 500 })], {
      sumdbRoutes: routes({ direct: 'timeout', alias: true }),
    }),
    options: { gosumdb: 'sum.golang.google.cn' },
    goproxy: `${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.google.cn',
    findings: ['decision'],
    check: (s) =>
      expect(s.sumdb.tried).toEqual([
        {
          route: 'https://sum.golang.google.cn',
          outcome: 200,
          ok: true,
          note: 'fixed by GOSUMDB (Go does not walk GOPROXY)',
        },
      ]),
  },
  {
    name: 'gosumdb given with a route that fails: kept, warned',
    run: probeRun([mirror(PROXY_GOLANG)], { sumdbRoutes: routes({ alias: 403 }) }),
    options: { gosumdb: '  sum.golang.org   https://sum.golang.google.cn ' },
    goproxy: `${PROXY_GOLANG}|direct`,
    gosumdb: 'sum.golang.org https://sum.golang.google.cn',
    findings: ['sumdb-route-failed', 'decision'],
    messages: {
      'sumdb-route-failed':
        /https:\/\/sum\.golang\.google\.cn answered 403 Forbidden\. Builds fail when a module is missing from go\.sum/,
    },
  },
  {
    name: 'gosumdb off only when asked: notice',
    run: probeRun([mirror(PROXY_GOLANG)]),
    options: { gosumdb: 'off' },
    goproxy: `${PROXY_GOLANG}|direct`,
    gosumdb: 'off',
    findings: ['gosumdb-off', 'decision'],
  },
];

describe('selectSettings', () => {
  it('has at least 15 scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(15);
  });

  for (const scenario of scenarios) {
    it(scenario.name, () => {
      const s = selectSettings(scenario.run, options(scenario.options));
      expect(s.display.GOPROXY).toBe(scenario.goproxy);
      expect(s.settings.GOSUMDB).toBe(scenario.gosumdb);
      expect(s.display.GOSUMDB).toBe(scenario.gosumdb);
      expect(s.routeFound).toBe(scenario.routeFound ?? true);
      expect(s.findings.map((f) => f.code)).toEqual(scenario.findings);
      expectGoAccepts(s);

      for (const pattern of scenario.reasons ?? []) {
        expect(
          s.reasons.some((r) => pattern.test(r)),
          `no reason matches ${pattern}:\n${s.reasons.join('\n')}`,
        ).toBe(true);
      }
      for (const [url, verdict] of Object.entries(scenario.verdicts ?? {})) {
        expect(assessmentOf(s, url).verdict).toBe(verdict);
      }
      for (const [url, pattern] of Object.entries(scenario.mirrorReasons ?? {})) {
        expect(assessmentOf(s, url).reason).toMatch(pattern);
      }
      for (const [code, pattern] of Object.entries(scenario.messages ?? {})) {
        const finding = s.findings.find((f) => f.code === code);
        expect(finding?.message).toMatch(pattern);
      }
      const decision = s.findings.find((f) => f.code === 'decision')!;
      expect(decision.level).toBe('notice');
      expect(
        decision.message.startsWith(`GOPROXY=${s.display.GOPROXY} GOSUMDB=${s.display.GOSUMDB}`),
      ).toBe(true);
      scenario.check?.(s);
    });
  }

  it('is deterministic', () => {
    for (const scenario of scenarios) {
      const a = selectSettings(scenario.run, options(scenario.options));
      const b = selectSettings(scenario.run, options(scenario.options));
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    }
  });

  it('never writes anything after direct/off and never an empty GOPROXY', () => {
    for (const scenario of scenarios) {
      for (const fallback of ['direct', 'off'] as const) {
        const s = selectSettings(scenario.run, options({ ...scenario.options, fallback }));
        expect(s.settings.GOPROXY).not.toBe('');
        expect(s.settings.GOPROXY.endsWith(fallback)).toBe(true);
        expect(parseGoproxy(s.settings.GOPROXY).dead).toEqual([]);
      }
    }
  });

  it('rejects bad options with one clear InputError', () => {
    const run = probeRun([mirror(PROXY_GOLANG)]);
    expect(() => selectSettings(run, options({ maxMirrors: 0 }))).toThrow(InputError);
    expect(() => selectSettings(run, options({ fallback: 'proxy' as 'direct' }))).toThrow(
      /^Input fallback: "proxy" is not allowed\. Allowed: direct, off\.$/,
    );
    expect(() => selectSettings(run, options({ gosumdb: 'sum.example.com' }))).toThrow(
      /^Input gosumdb: invalid GOSUMDB: malformed verifier id\. Allowed: auto, off/,
    );
    expect(() => selectSettings(run, options({ gosumdb: 'a b c' }))).toThrow(/too many fields/);
  });

  it('skips a mirror whose URL cannot be a GOPROXY entry', () => {
    const s = selectSettings(
      probeRun([mirror('https://a.example,b'), mirror(PROXY_GOLANG)]),
      options(),
    );
    expect(s.display.GOPROXY).toBe(`${PROXY_GOLANG}|direct`);
    expect(s.assessments[0]!.reason).toMatch(/^cannot be a GOPROXY entry: invalid GOPROXY entry/);
  });

  it('keeps one copy of a mirror listed twice (catalog and env)', () => {
    const s = selectSettings(
      probeRun([mirror(PROXY_GOLANG, { origin: 'env' }), mirror(PROXY_GOLANG)]),
      options({ maxMirrors: 2 }),
    );
    expect(s.display.GOPROXY).toBe(`${PROXY_GOLANG}|direct`);
    expect(s.assessments.map((a) => [a.verdict, a.rank])).toEqual([
      ['chosen', 1],
      ['skipped', null],
    ]);
    expect(s.assessments[1]!.reason).toBe('same URL as the env entry, judged there');
  });
});

function assessmentOf(s: Selection, url: string) {
  const found = s.assessments.find((a) => a.probe.candidate.displayUrl === url);
  if (!found) throw new Error(`no assessment for ${url}`);
  return found;
}

function expectGoAccepts(s: Selection): void {
  for (const settings of [s.settings, s.display]) {
    const goproxy = parseGoproxy(settings.GOPROXY);
    expect(goproxy.error, settings.GOPROXY).toBeNull();
    expect(goproxy.dead).toEqual([]);
    const gosumdb = parseGosumdb(settings.GOSUMDB);
    expect(gosumdb.ok, settings.GOSUMDB).toBe(true);
  }
}
