/**
 * Properties over random probe runs: selection never throws for well-formed input, and what it
 * writes is always a value the go command accepts, with no dead entries, no tampered mirror, and
 * no GOSUMDB=off unless asked.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseGoproxy } from '../../src/goenv/goproxy.js';
import { parseGosumdb } from '../../src/goenv/gosumdb.js';
import type { EndpointKind } from '../../src/probe/types.js';
import { buildReport, reportToJson } from '../../src/report/build.js';
import type { EndpointOutcome, IntegrityResult, MirrorOrigin } from '../../src/report/types.js';
import { selectSettings } from '../../src/select/select.js';
import { mirror, options, probeRun, routes } from './fixtures.js';

const outcome = fc.constantFrom<EndpointOutcome>(
  200,
  200,
  200,
  403,
  404,
  410,
  500,
  504,
  'timeout',
  'reset',
  'redirect-to-http',
  'dns',
);
const routeOutcome = fc.constantFrom<EndpointOutcome | true>(true, true, 'timeout', 403, 200);

const mirrorArb = fc.record({
  host: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'proxy.golang', 'goproxy'),
  origin: fc.constantFrom<MirrorOrigin>('catalog', 'input', 'env'),
  latencyMs: fc.option(fc.integer({ min: 1, max: 500 }), { nil: null }),
  throughput: fc.option(fc.integer({ min: 1000, max: 5e7 }), { nil: null }),
  failKind: fc.constantFrom<EndpointKind | null>(
    null,
    null,
    'list',
    'info',
    'mod',
    'zip',
    'latest',
  ),
  failOutcome: outcome,
  sumdbSupported: fc.option(fc.constantFrom<EndpointOutcome>(200, 404, 410, 403, 500, 'timeout'), {
    nil: null,
  }),
  relay: routeOutcome,
  integrity: fc.constantFrom<IntegrityResult>(
    'verified',
    'verified',
    'agreed',
    'unchecked',
    'mismatch',
    'empty-mod',
  ),
  latest: fc.constantFrom('v0.14.0', 'v0.13.0'),
  skipped: fc.constantFrom<string | null>(null, null, null, 'deadline'),
});

const runArb = fc.record({
  mirrors: fc.array(mirrorArb, { maxLength: 6 }),
  withPrivate: fc.boolean(),
  privateSumdb: fc.constantFrom<EndpointOutcome>(404, 403, 200),
  direct: routeOutcome,
  alias: fc.option(routeOutcome, { nil: undefined }),
  fallback: fc.constantFrom<'direct' | 'off'>('direct', 'off'),
  maxMirrors: fc.integer({ min: 1, max: 4 }),
  goVersion: fc.constantFrom<string | null>(null, '1.14', 'go1.21.5'),
  gosumdb: fc.constantFrom('auto', 'auto', 'sum.golang.google.cn', 'off'),
  existing: fc.constantFrom<string | null>(
    null,
    'https://goproxy.cn,direct',
    'https://a.example|off,https://x.example',
  ),
});

describe('selection properties', () => {
  it('always writes values Go accepts, and only sensible ones', () => {
    fc.assert(
      fc.property(runArb, (spec) => {
        const probes = spec.mirrors.map((m) => {
          const url = `https://${m.host}.example`;
          return mirror(url, {
            origin: m.origin,
            latencyMs: m.latencyMs,
            throughput: m.throughput,
            ...(m.failKind && m.failOutcome !== 200
              ? { fail: { kind: m.failKind, outcome: m.failOutcome } }
              : {}),
            sumdbSupported: m.sumdbSupported,
            integrity: m.integrity,
            latest: m.latest,
            skipped: m.skipped,
          });
        });
        if (spec.withPrivate) {
          probes.unshift(
            mirror('https://athens.corp.example', {
              isPrivate: true,
              userinfo: 'u:pass-word',
              sumdbSupported: spec.privateSumdb,
            }),
          );
        }
        const relays = Object.fromEntries(
          spec.mirrors.map((m) => [`https://${m.host}.example`, m.relay]),
        );
        const run = probeRun(probes, {
          sumdbRoutes: routes({ direct: spec.direct, alias: spec.alias, relays }),
        });
        const opts = options({
          fallback: spec.fallback,
          maxMirrors: spec.maxMirrors,
          goVersion: spec.goVersion,
          gosumdb: spec.gosumdb,
          privatePatterns: spec.withPrivate ? ['git.corp.example'] : [],
          existingGoproxy: spec.existing,
        });
        const s = selectSettings(run, opts);

        const goproxy = parseGoproxy(s.settings.GOPROXY);
        expect(goproxy.error).toBeNull();
        expect(goproxy.dead).toEqual([]);
        expect(goproxy.entries.at(-1)?.kind).toBe(spec.fallback);
        expect(parseGosumdb(s.settings.GOSUMDB).ok).toBe(true);
        if (spec.gosumdb !== 'off') expect(s.settings.GOSUMDB).not.toBe('off');

        const publicEntries = s.chain.filter((e) => e.kind === 'mirror');
        expect(publicEntries.length).toBeLessThanOrEqual(spec.maxMirrors);
        for (const entry of publicEntries) {
          expect(entry.probe!.usable).toBe(true);
          expect(['mismatch', 'empty-mod']).not.toContain(entry.probe!.integrity);
        }
        expect(s.routeFound).toBe(publicEntries.length > 0 || spec.fallback === 'direct');
        expect(s.findings.some((f) => f.code === 'no-route')).toBe(!s.routeFound);
        expect(s.findings.filter((f) => f.code === 'decision')).toHaveLength(1);

        const json = reportToJson(
          buildReport({
            run,
            selection: s,
            privatePatterns: [],
            probeModules: [],
            startedAt: 'now',
          }),
        );
        expect(json).not.toContain('pass-word');
      }),
      { numRuns: 300 },
    );
  });
});
