/**
 * Issue 6.4: every hostile mirror ends in a recorded verdict within the deadline, through the real
 * probe engine — never a crash, a hang or a verdict of "usable" for a broken mirror.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidateFromUrl } from '../../src/probe/catalog.js';
import type { MirrorProbe, ProbeRun } from '../../src/probe/types.js';
import {
  DNS_FAILURE_URL,
  type Simulator,
  hostileFleet,
  refusedUrl,
  startSimulator,
} from '../simulator/index.js';
import { mirrorNamed, probeSim, simCandidates } from './support/sim.js';

const TIMEOUT_MS = 10_000;

let sim: Simulator;
let run: ProbeRun;
let wallMs: number;
let refused: string;

beforeAll(async () => {
  sim = await startSimulator({
    mirrors: [
      ...hostileFleet(),
      { name: 'wrong-info', faults: [{ match: 'info', fault: { kind: 'wrong-content' } }] },
      { name: 'healthy' },
    ],
  });
  refused = await refusedUrl();
  const t = performance.now();
  run = await probeSim(sim, {
    candidates: [
      ...simCandidates(sim, sim.mirrorNames),
      candidateFromUrl(DNS_FAILURE_URL, 'input'),
      candidateFromUrl(refused, 'input'),
    ],
    timeoutMs: TIMEOUT_MS,
    // Every usable mirror is a leader, so every one gets its zip checked.
    maxMirrors: 50,
  });
  wallMs = performance.now() - t;
}, 60_000);
afterAll(() => sim?.close());

const m = (name: string): MirrorProbe => mirrorNamed(sim, run, name);

it('the whole hostile fleet ends within the deadline, each mirror with a verdict', () => {
  expect(wallMs).toBeLessThan(TIMEOUT_MS + 1500);
  for (const probe of run.mirrors) {
    const verdict =
      probe.usable ||
      probe.failure !== null ||
      probe.skipped !== null ||
      probe.integrity === 'mismatch' ||
      probe.integrity === 'empty-mod';
    expect(verdict, probe.candidate.displayUrl).toBe(true);
  }
  expect(m('healthy').usable).toBe(true);
  expect(m('healthy').integrity).toBe('verified');
});

describe.each([
  ['huge', 'too-large'],
  ['slow-headers', 'timeout'],
  ['slow-body', 'timeout'],
  ['reset', 'reset'],
  ['redirect-loop', 'too-many-redirects'],
  ['redirect-http', 'redirect-to-http'],
  ['invalid-json', 'invalid-response'],
  ['wrong-info', 'invalid-response'],
  ['wrong-zip', 'invalid-response'],
  ['tls-wrong-name', 'tls'],
  ['tls-untrusted', 'tls'],
  ['blackhole', 'timeout'],
  ['teapot', '418'],
  ['gateway-timeout', '504'],
])('%s', (name, code) => {
  it(`fails with ${code}, terminal for a comma list`, () => {
    const probe = m(name);
    expect(probe.usable).toBe(false);
    expect(probe.failure).toMatchObject({ code, class: 'terminal' });
  });
});

it('invalid .info JSON is reported with Go wording', () => {
  expect(m('invalid-json').failure!.message).toMatch(
    /^invalid response from proxy "https:\/\/127\.0\.0\.1:\d+": /,
  );
});

it('an .info for another version is refused as Go refuses it', () => {
  expect(m('wrong-info').failure!.message).toMatch(
    /^proxy returned info for version v\S+ instead of requested version$/,
  );
});

it('a zip of another module is refused as Go refuses it', () => {
  expect(m('wrong-zip').failure!.message).toMatch(
    /^zip for example\.com\/\S+ has unexpected file /,
  );
});

it('https→http redirect names both URLs, like Go', () => {
  expect(m('redirect-http').failure!.message).toMatch(
    /^redirected from secure URL https:\/\/\S+ to insecure URL http:\/\/\S+$/,
  );
});

it('wrong .mod content, tampered .mod and tampered .zip are integrity mismatches', () => {
  for (const name of ['wrong-mod', 'tampered-mod', 'tampered-zip']) {
    expect(m(name).integrity, name).toBe('mismatch');
  }
  expect(m('tampered-zip').integrityDetail).toContain('zip');
});

it('an empty .mod is named as such', () => {
  expect(m('empty-mod').integrity).toBe('empty-mod');
  expect(m('empty-mod').failure?.code).toBe('empty-mod');
});

it('a stale mirror misses the newest version: not found, which a comma list falls through', () => {
  const stale = m('stale');
  expect(stale.usable).toBe(false);
  expect(stale.failure?.class).toBe('not-found');
  expect(stale.listedVersions['example.com/hello']).not.toContain('v1.1.0');
  expect(stale.latestVersions['example.com/hello']).toBe('v1.0.0');
});

it('a header flood within what Go accepts is survived and judged on its content', () => {
  const flood = m('header-flood');
  expect(flood.usable || flood.failure?.code === 'too-large').toBe(true);
});

it('DNS failure and connection refused', () => {
  const dns = run.mirrors.find((p) => p.candidate.url === DNS_FAILURE_URL)!;
  expect(dns.failure).toMatchObject({ code: 'dns', class: 'terminal' });
  const ref = run.mirrors.find((p) => p.candidate.url === refused)!;
  expect(ref.failure).toMatchObject({ code: 'refused', class: 'terminal' });
});
