/**
 * The benchmark's fleets. Every scenario has a mirror named `default` that plays
 * https://proxy.golang.org (no checksum-database relay, like the real one: Go then goes to the
 * database directly, whose round trip is the scenario's `sumdb.latencyMs`).
 */
import type { MirrorProfile, SumdbProfile } from '../test/simulator/index.js';

export interface Scenario {
  readonly name: string;
  /** One line: what the fleet looks like and what it tests. */
  readonly title: string;
  readonly mirrors: readonly MirrorProfile[];
  readonly sumdb: SumdbProfile;
  /** Whether the probe wall-time targets apply here (the standard scenario only). */
  readonly probeTargets: boolean;
}

/** The proxy.golang.org stand-in's name; its route is `<default>,direct`. */
export const DEFAULT_MIRROR = 'default';

const MB = 1_000_000;

/** A block page as a WAF or CDN sends it with a 403: large enough to look "fast" to a byte counter. */
const BLOCK_PAGE = `<!DOCTYPE html><html><head><title>403 Forbidden</title></head><body><h1>Access denied</h1><!-- ${'x'.repeat(96 * 1024)} --></body></html>\n`;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'standard',
    title:
      'realistic fleet, round trips 20–400 ms: default 150 ms, fast, slow, a 403, one without a sumdb relay, one blackholed',
    probeTargets: true,
    sumdb: { latencyMs: 150 },
    mirrors: [
      { name: DEFAULT_MIRROR, latencyMs: 150, bandwidthBps: 10 * MB, sumdb: 404 },
      { name: 'fast', latencyMs: 20, bandwidthBps: 20 * MB },
      { name: 'slow', latencyMs: 400, bandwidthBps: 1 * MB },
      { name: 'forbidden', latencyMs: 40, status: 403 },
      { name: 'nosumdb', latencyMs: 60, bandwidthBps: 5 * MB, sumdb: 404 },
      { name: 'blackhole', blackhole: true },
    ],
  },
  {
    name: 'far-default',
    title: 'proxy.golang.org far away (250 ms, 2 MB/s), a near mirror (15 ms) and a middle one',
    probeTargets: false,
    sumdb: { latencyMs: 250 },
    mirrors: [
      { name: DEFAULT_MIRROR, latencyMs: 250, bandwidthBps: 2 * MB, sumdb: 404 },
      { name: 'near', latencyMs: 15, bandwidthBps: 20 * MB },
      { name: 'middle', latencyMs: 80, bandwidthBps: 10 * MB },
    ],
  },
  {
    name: 'default-best',
    title: 'proxy.golang.org is the nearest (20 ms, 50 MB/s); the other mirrors are far',
    probeTargets: false,
    sumdb: { latencyMs: 20 },
    mirrors: [
      { name: DEFAULT_MIRROR, latencyMs: 20, bandwidthBps: 50 * MB, sumdb: 404 },
      { name: 'far-a', latencyMs: 180, bandwidthBps: 5 * MB },
      { name: 'far-b', latencyMs: 250, bandwidthBps: 2 * MB },
    ],
  },
  {
    name: 'bandwidth-trap',
    title:
      'the lowest-latency mirror (10 ms) is capped at 192 KB/s; another is 50 ms at 20 MB/s (single-GET raters pick the trap)',
    probeTargets: false,
    sumdb: { latencyMs: 150 },
    mirrors: [
      { name: DEFAULT_MIRROR, latencyMs: 150, bandwidthBps: 10 * MB, sumdb: 404 },
      { name: 'thin', latencyMs: 10, bandwidthBps: 192_000 },
      { name: 'thick', latencyMs: 50, bandwidthBps: 20 * MB },
    ],
  },
  {
    name: 'sumdb-trap',
    title:
      'the checksum database is far (450 ms); the nearest mirror (15 ms) does not relay it, another (45 ms) does',
    probeTargets: false,
    sumdb: { latencyMs: 450 },
    mirrors: [
      { name: DEFAULT_MIRROR, latencyMs: 150, bandwidthBps: 10 * MB, sumdb: 404 },
      { name: 'norelay', latencyMs: 15, bandwidthBps: 20 * MB, sumdb: 404 },
      { name: 'relay', latencyMs: 45, bandwidthBps: 10 * MB },
    ],
  },
  {
    name: '403-trap',
    title:
      'a 5 ms gatekeeper answers every request 403 with a 96 KB block page (chsrc counts its bytes); a 30 ms mirror works',
    probeTargets: false,
    sumdb: { latencyMs: 150 },
    mirrors: [
      { name: DEFAULT_MIRROR, latencyMs: 150, bandwidthBps: 10 * MB, sumdb: 404 },
      {
        name: 'gate',
        latencyMs: 5,
        faults: [{ fault: { kind: 'status', status: 403, body: BLOCK_PAGE } }],
      },
      { name: 'near', latencyMs: 30, bandwidthBps: 10 * MB },
    ],
  },
];

/** Mirrors a go download cannot finish through (it would wait for the run timeout): not timed alone. */
export function neverAnswers(profile: MirrorProfile): boolean {
  return profile.blackhole === true;
}

/** One short line per mirror for the scenario header. */
export function describeMirror(profile: MirrorProfile): string {
  if (profile.blackhole) return `${profile.name}: blackholed`;
  const parts = [`${profile.latencyMs ?? 0} ms`];
  if (profile.bandwidthBps !== undefined) parts.push(rate(profile.bandwidthBps));
  if (profile.status !== undefined) parts.push(`always ${profile.status}`);
  const statusFault = profile.faults?.find((f) => f.fault.kind === 'status');
  if (statusFault && statusFault.fault.kind === 'status')
    parts.push(`always ${statusFault.fault.status}`);
  if (profile.sumdb !== undefined && profile.sumdb !== 'supported') parts.push('no sumdb relay');
  return `${profile.name}: ${parts.join(', ')}`;
}

function rate(bps: number): string {
  return bps >= MB ? `${bps / MB} MB/s` : `${Math.round(bps / 1000)} KB/s`;
}
