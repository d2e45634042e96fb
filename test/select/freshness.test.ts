/**
 * Freshness compares what Go would resolve as latest, not the raw highest line of @v/list:
 * pseudo-versions are ignored and a release beats any pre-release.
 */
import { describe, expect, it } from 'vitest';
import type { MirrorProbe } from '../../src/probe/types.js';
import { compareAsLatest, judgeFreshness } from '../../src/select/rank.js';
import { selectSettings } from '../../src/select/select.js';
import { GOPROXY_CN, PROXY_GOLANG, mirror, options, probeRun } from './fixtures.js';

const PATH = 'm.io/x';

function listing(listed: string[], latest = 'v1.3.0'): MirrorProbe {
  return {
    ...mirror('https://a.example'),
    latestVersions: { [PATH]: latest },
    listedVersions: { [PATH]: listed },
  };
}

describe('judgeFreshness', () => {
  it('a pseudo-version another mirror lists does not make the others stale', () => {
    expect(
      judgeFreshness([
        listing(['v1.2.0', 'v1.3.0']),
        listing(['v1.2.0', 'v1.3.0', 'v1.3.1-0.20240101000000-abcdefabcdef']),
      ]),
    ).toEqual([
      { fresh: true, detail: null },
      { fresh: true, detail: null },
    ]);
  });

  it('a pre-release above the latest release does not make the others stale', () => {
    expect(
      judgeFreshness([listing(['v1.2.0', 'v1.3.0']), listing(['v1.2.0', 'v1.3.0', 'v1.4.0-rc.1'])]),
    ).toEqual([
      { fresh: true, detail: null },
      { fresh: true, detail: null },
    ]);
  });

  it('a missing release still does', () => {
    const [behind, ahead] = judgeFreshness([
      listing(['v1.2.0', 'v1.3.0']),
      listing(['v1.2.0', 'v1.3.0', 'v1.4.0']),
    ]);
    expect(behind).toEqual({
      fresh: false,
      detail: '@v/list of m.io/x stops at v1.3.0 here, another mirror lists v1.4.0',
    });
    expect(ahead).toEqual({ fresh: true, detail: null });
  });

  it('a list with pre-releases only, next to one with a release, resolves lower', () => {
    const [prerelease, release] = judgeFreshness([
      listing(['v2.0.0-rc.1'], 'v2.0.0-rc.1'),
      listing(['v1.0.0'], 'v1.0.0'),
    ]);
    expect(prerelease.fresh).toBe(false);
    expect(release.fresh).toBe(true);
  });

  it('@latest: a pseudo-version answer is behind a tagged one', () => {
    const [pseudo, tagged] = judgeFreshness([
      { ...listing([], 'v1.3.1-0.20240101000000-abcdefabcdef'), listedVersions: {} },
      { ...listing([], 'v1.3.0'), listedVersions: {} },
    ]);
    expect(pseudo.fresh).toBe(false);
    expect(tagged.fresh).toBe(true);
  });

  it('compareAsLatest: release > pre-release > pseudo-version, then semver', () => {
    expect(compareAsLatest('v1.3.0', 'v1.4.0-rc.1')).toBeGreaterThan(0);
    expect(compareAsLatest('v1.0.0-rc.1', 'v1.3.1-0.20240101000000-abcdefabcdef')).toBeGreaterThan(
      0,
    );
    expect(compareAsLatest('v1.3.0', 'v1.10.0')).toBeLessThan(0);
    expect(compareAsLatest('v1.3.0', 'v1.3.0')).toBe(0);
  });
});

describe('selection', () => {
  it('a mirror listing an extra pseudo-version does not demote the faster mirror', () => {
    const fast = mirror(PROXY_GOLANG, { latencyMs: 20, listed: ['v0.13.0', 'v0.14.0'] });
    const slow = mirror(GOPROXY_CN, {
      latencyMs: 200,
      listed: ['v0.13.0', 'v0.14.0', 'v0.14.1-0.20240101000000-abcdefabcdef'],
    });
    const s = selectSettings(probeRun([slow, fast]), options({ maxMirrors: 1 }));
    expect(s.display.GOPROXY).toBe(`${PROXY_GOLANG}|direct`);
    expect(s.findings.map((f) => f.code)).not.toContain('mirror-stale');
  });
});
