/**
 * A probe module that every working mirror answers 404/410 for (one only reachable `direct`) is a
 * fact about the module, not about the mirrors: it is dropped from the judgement, with a notice.
 */
import { describe, expect, it } from 'vitest';
import type { MirrorProbe, ModuleRef } from '../../src/probe/types.js';
import type { EndpointOutcome } from '../../src/report/types.js';
import { unservedProbeModules } from '../../src/select/rank.js';
import { selectSettings } from '../../src/select/select.js';
import {
  GOPROXY_CN,
  MODULE_PATH,
  MODULE_VERSION,
  PROXY_GOLANG,
  endpoint,
  mirror,
  options,
  probeRun,
} from './fixtures.js';

const DIRECT_ONLY = 'example.com/direct-only';
const MODULES: readonly ModuleRef[] = [
  { path: MODULE_PATH, version: MODULE_VERSION },
  { path: DIRECT_ONLY, version: 'v1.0.0' },
];

/** A mirror that answers `outcome` for every request about DIRECT_ONLY. */
function missing(url: string, outcome: EndpointOutcome, latencyMs = 50): MirrorProbe {
  return mirror(url, {
    latencyMs,
    extraEndpoints: [
      endpoint(url, 'list', outcome, { module: DIRECT_ONLY }),
      endpoint(url, 'info', outcome, { module: `${DIRECT_ONLY}@v1.0.0` }),
      endpoint(url, 'mod', outcome, { module: `${DIRECT_ONLY}@v1.0.0` }),
    ],
  });
}

/** A mirror that serves DIRECT_ONLY too. */
function serving(url: string, latencyMs = 50): MirrorProbe {
  return mirror(url, {
    latencyMs,
    extraEndpoints: [
      endpoint(url, 'list', 200, { module: DIRECT_ONLY }),
      endpoint(url, 'info', 200, { module: `${DIRECT_ONLY}@v1.0.0` }),
      endpoint(url, 'mod', 200, { module: `${DIRECT_ONLY}@v1.0.0` }),
    ],
  });
}

describe('a probe module no mirror serves', () => {
  it('does not fail every mirror: it is dropped from the judgement and a notice says so', () => {
    const run = probeRun([missing(PROXY_GOLANG, 404, 20), missing(GOPROXY_CN, 410, 80)], {
      modules: MODULES,
    });
    expect(run.mirrors.every((m) => !m.usable)).toBe(true);
    expect(unservedProbeModules(run)).toEqual([DIRECT_ONLY]);

    const s = selectSettings(run, options());
    expect(s.display.GOPROXY).toBe(`${PROXY_GOLANG}|${GOPROXY_CN}|direct`);
    expect(s.assessments.map((a) => a.verdict)).toEqual(['chosen', 'chosen']);
    const notice = s.findings.find((f) => f.code === 'probe-module-unserved');
    expect(notice).toMatchObject({ level: 'notice', title: `No mirror serves ${DIRECT_ONLY}` });
    expect(notice!.message).toMatch(/fetches it with `direct`/);
    expect(s.findings.map((f) => f.code)).not.toContain('no-mirror');
    expect(s.findings.map((f) => f.code)).not.toContain('mirror-failed');
  });

  it('with fallback off it is a warning: Go cannot download that module', () => {
    const run = probeRun([missing(PROXY_GOLANG, 404), missing(GOPROXY_CN, 404)], {
      modules: MODULES,
    });
    const s = selectSettings(run, options({ fallback: 'off' }));
    expect(s.routeFound).toBe(true);
    expect(s.findings.find((f) => f.code === 'probe-module-unserved')?.level).toBe('warning');
  });

  it('a mirror that misses a module another mirror serves is still at fault', () => {
    const run = probeRun([missing(PROXY_GOLANG, 404, 20), serving(GOPROXY_CN, 80)], {
      modules: MODULES,
    });
    expect(unservedProbeModules(run)).toEqual([]);
    const s = selectSettings(run, options());
    expect(s.display.GOPROXY).toBe(`${GOPROXY_CN}|direct`);
    expect(s.assessments[0]!.verdict).toBe('failed');
  });

  it('a mirror failing otherwise (5xx) is not excused, but does not block the excuse of the others', () => {
    const broken = mirror(PROXY_GOLANG, {
      fail: { kind: 'mod', outcome: 503 },
      extraEndpoints: [endpoint(PROXY_GOLANG, 'list', 404, { module: DIRECT_ONLY })],
    });
    const run = probeRun([broken, missing(GOPROXY_CN, 404)], { modules: MODULES });
    expect(unservedProbeModules(run)).toEqual([DIRECT_ONLY]);
    const s = selectSettings(run, options());
    expect(s.display.GOPROXY).toBe(`${GOPROXY_CN}|direct`);
    expect(s.assessments.map((a) => a.verdict)).toEqual(['failed', 'chosen']);
  });

  it('nothing is excused when no mirror serves any probe module (broken mirrors, not a module)', () => {
    const allMissing = (url: string) =>
      mirror(url, {
        fail: { kind: 'list', outcome: 404 },
        extraEndpoints: [endpoint(url, 'list', 404, { module: DIRECT_ONLY })],
      });
    const run = probeRun([allMissing(PROXY_GOLANG), allMissing(GOPROXY_CN)], { modules: MODULES });
    expect(unservedProbeModules(run)).toEqual([]);
    expect(selectSettings(run, options()).display.GOPROXY).toBe('direct');
  });

  it('with a single probe module, nothing tells a missing module from broken mirrors', () => {
    const notFound = (url: string) => mirror(url, { fail: { kind: 'list', outcome: 404 } });
    const run = probeRun([notFound(PROXY_GOLANG), notFound(GOPROXY_CN)]);
    expect(unservedProbeModules(run)).toEqual([]);
    expect(selectSettings(run, options()).display.GOPROXY).toBe('direct');
  });
});
