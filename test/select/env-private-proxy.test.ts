/**
 * A GOPROXY from the environment headed by a private proxy (credentials, or a non-catalog
 * `,`-headed entry with private paths declared) keeps its head: it is the private proxy, never a
 * public mirror to rank below a faster one. And the user's GONOPROXY/GONOSUMDB survive a private
 * proxy: GONOPROXY is kept, GONOSUMDB extended, never overwritten.
 */
import { describe, expect, it } from 'vitest';
import { MIRROR_CATALOG, buildCandidates, planCandidates } from '../../src/probe/catalog.js';
import { envPrivateProxyFinding } from '../../src/select/findings.js';
import { selectSettings } from '../../src/select/select.js';
import {
  CORP_PROXY,
  GOPROXY_CN,
  PRIVATE_MODULE,
  PROXY_GOLANG,
  endpoint,
  mirror,
  options,
  probeRun,
} from './fixtures.js';

const CREDENTIALED = 'https://ci-bot:pw@corp.example';
const PUB = 'https://pub.example';

describe('planCandidates: the head of the environment GOPROXY', () => {
  it('with credentials it is the private proxy: first, origin env, never a public candidate', () => {
    const plan = planCandidates({ mirrors: 'auto', envGoproxy: `${CREDENTIALED},${PUB},direct` });
    expect(plan.candidates[0]).toEqual({
      url: CREDENTIALED,
      displayUrl: 'https://corp.example',
      origin: 'env',
      isPrivate: true,
    });
    expect(plan.candidates.filter((c) => c.isPrivate)).toHaveLength(1);
    expect(plan.candidates.find((c) => c.url === PUB)).toMatchObject({ isPrivate: false });
    expect(plan.envPrivateProxy).toEqual({
      url: CREDENTIALED,
      displayUrl: 'https://corp.example',
      reason: 'credentials',
      outcome: 'kept',
    });
  });

  it('followed by `,`, not a catalog mirror, with GOPRIVATE/GONOPROXY set: private', () => {
    const head = (privatePathsDeclared: boolean, goproxy = `${CORP_PROXY},${PUB},direct`) =>
      planCandidates({ mirrors: 'auto', envGoproxy: goproxy, privatePathsDeclared })
        .envPrivateProxy;
    expect(head(true)).toMatchObject({ url: CORP_PROXY, reason: 'comma-headed', outcome: 'kept' });
    expect(head(false)).toBeNull();
    // `|` after it: the user wants any error to fall through, as for a public mirror.
    expect(head(true, `${CORP_PROXY}|${PUB}|direct`)).toBeNull();
    // A catalog mirror is public, whatever follows it.
    expect(head(true, `${GOPROXY_CN},direct`)).toBeNull();
    // So is a URL the mirrors input lists.
    expect(
      planCandidates({
        mirrors: [CORP_PROXY],
        envGoproxy: `${CORP_PROXY},direct`,
        privatePathsDeclared: true,
      }).envPrivateProxy,
    ).toBeNull();
  });

  it('kept with an explicit mirrors list too: the mirrors input is about public mirrors', () => {
    const candidates = buildCandidates({
      mirrors: [PUB],
      envGoproxy: `${CREDENTIALED},${PUB},direct`,
    });
    expect(candidates.map((c) => [c.displayUrl, c.origin, c.isPrivate])).toEqual([
      ['https://corp.example', 'env', true],
      [PUB, 'input', false],
    ]);
  });

  it('the private-proxy input wins; the env head is left out (neither probed nor written)', () => {
    const plan = planCandidates({
      mirrors: 'auto',
      envGoproxy: `${CREDENTIALED},${PUB},direct`,
      privateProxy: 'https://athens.corp.example',
    });
    expect(plan.candidates[0]).toMatchObject({ origin: 'private', isPrivate: true });
    expect(plan.candidates.some((c) => c.displayUrl === 'https://corp.example')).toBe(false);
    expect(plan.candidates.some((c) => c.url === PUB)).toBe(true);
    expect(plan.envPrivateProxy).toMatchObject({ outcome: 'replaced', reason: 'credentials' });
    expect(plan.candidates.filter((c) => c.origin === 'catalog')).toHaveLength(
      MIRROR_CATALOG.length,
    );
  });

  it('the same proxy in the input and at the env head is one candidate, no notice', () => {
    const plan = planCandidates({
      mirrors: 'auto',
      envGoproxy: `${CREDENTIALED},direct`,
      privateProxy: CREDENTIALED,
    });
    expect(plan.candidates.filter((c) => c.displayUrl === 'https://corp.example')).toHaveLength(1);
    expect(plan.envPrivateProxy).toBeNull();
  });

  it('the notice says what happened, without credentials', () => {
    const kept = envPrivateProxyFinding(
      { displayUrl: 'https://corp.example', reason: 'credentials', outcome: 'kept' },
      null,
    );
    expect(kept).toMatchObject({ level: 'notice', code: 'env-private-proxy' });
    expect(kept.message).toMatch(/stays first, followed by `,`/);
    expect(kept.message).toMatch(/GONOPROXY is left as you had it/);
    const replaced = envPrivateProxyFinding(
      { displayUrl: 'https://corp.example', reason: 'comma-headed', outcome: 'replaced' },
      'https://athens.corp.example',
    );
    expect(replaced).toMatchObject({ level: 'notice', code: 'env-private-proxy-replaced' });
    expect(replaced.message).toMatch(
      /private-proxy input \(https:\/\/athens\.corp\.example\) takes its place.*not probed and is not in the GOPROXY written/,
    );
    expect(JSON.stringify([kept, replaced])).not.toContain('pw');
  });
});

describe('selectSettings with the private proxy from the environment', () => {
  /** The corp proxy: slow, serves the private module; the public mirror is fast. */
  function run() {
    return probeRun([
      mirror('https://corp.example', {
        isPrivate: true,
        origin: 'env',
        userinfo: 'ci-bot:pw',
        latencyMs: 120,
      }),
      mirror(PUB, { origin: 'env', latencyMs: 5 }),
      mirror(PROXY_GOLANG, { latencyMs: 30 }),
    ]);
  }

  it('stays first followed by `,`, never reordered below a faster public mirror', () => {
    const s = selectSettings(
      run(),
      options({
        existingGoproxy: `${CREDENTIALED},${PUB},direct`,
        envPrivateProxyUrl: CREDENTIALED,
        privatePatterns: [],
        userGonosumdb: 'git.corp.example',
      }),
    );
    expect(s.settings.GOPROXY).toBe(`${CREDENTIALED},${PUB}|${PROXY_GOLANG}|direct`);
    expect(s.display.GOPROXY).toBe(`https://corp.example,${PUB}|${PROXY_GOLANG}|direct`);
    expect(s.assessments[0]!.reason).toMatch(
      /first in the chain \(followed by `,`\) because it heads your GOPROXY and looks like a private proxy/,
    );
    // Routing is the user's: nothing written over GONOPROXY/GONOSUMDB without private patterns.
    expect(s.settings.GONOPROXY).toBe('');
    expect(s.settings.GONOSUMDB).toBe('');
    // Its `,` is not called fragile: that is how a private proxy must be followed.
    const comma = s.findings.find((f) => f.code === 'comma-chain');
    expect(comma?.message ?? '').not.toContain('https://corp.example');
  });

  it('with private patterns: GONOSUMDB covers them, GONOPROXY stays as the user had it', () => {
    const s = selectSettings(
      run(),
      options({
        existingGoproxy: `${CREDENTIALED},${PUB},direct`,
        envPrivateProxyUrl: CREDENTIALED,
        privatePatterns: ['git.corp.example'],
      }),
    );
    expect(s.settings.GONOPROXY).toBe('');
    expect(s.settings.GONOSUMDB).toBe('git.corp.example');
    expect(s.reasons.join('\n')).toMatch(
      /first entry of your GOPROXY looks like a private proxy, so it stays first.*GONOPROXY is left as you had it/,
    );
  });

  it('private-proxy input replacing the env head: that head is not called a fragile `,` entry', () => {
    const s = selectSettings(
      probeRun([mirror(CORP_PROXY, { isPrivate: true }), mirror(PUB, { origin: 'env' })]),
      options({
        existingGoproxy: `${CREDENTIALED},${PUB}|direct`,
        envPrivateProxyUrl: CREDENTIALED,
        privatePatterns: ['git.corp.example'],
      }),
    );
    expect(s.findings.map((f) => f.code)).not.toContain('comma-chain');
  });
});

describe("the user's GONOPROXY/GONOSUMDB with the private-proxy input", () => {
  const run = () =>
    probeRun([
      mirror(CORP_PROXY, {
        isPrivate: true,
        extraEndpoints: [endpoint(CORP_PROXY, 'list', 200, { module: PRIVATE_MODULE })],
      }),
      mirror(PUB),
    ]);

  it('GONOPROXY is kept (not none) with a notice; GONOSUMDB is the union', () => {
    const s = selectSettings(
      run(),
      options({
        privatePatterns: ['git.corp.example', 'github.com/acme'],
        userGonoproxy: 'vcs.other.example',
        userGonosumdb: 'vcs.other.example',
      }),
    );
    expect(s.settings.GONOPROXY).toBe('');
    expect(s.settings.GONOSUMDB).toBe('vcs.other.example,git.corp.example,github.com/acme');
    const kept = s.findings.find((f) => f.code === 'gonoproxy-kept');
    expect(kept?.level).toBe('notice');
    expect(kept?.message).toMatch(
      /GONOPROXY=vcs\.other\.example is set.*skip the private proxy https:\/\/athens\.corp\.example and are fetched straight from version control/,
    );
    expect(s.findings.find((f) => f.code === 'private-routing-extended')?.message).toMatch(
      /GONOSUMDB=vcs\.other\.example,git\.corp\.example,github\.com\/acme is written/,
    );
    expect(s.reasons.join('\n')).toMatch(/your GONOPROXY=vcs\.other\.example is kept/);
  });

  it('without user values: GONOPROXY=none and GONOSUMDB=the patterns, as before', () => {
    const s = selectSettings(run(), options({ privatePatterns: ['git.corp.example'] }));
    expect(s.settings.GONOPROXY).toBe('none');
    expect(s.settings.GONOSUMDB).toBe('git.corp.example');
    expect(s.findings.map((f) => f.code)).not.toContain('gonoproxy-kept');
  });
});
