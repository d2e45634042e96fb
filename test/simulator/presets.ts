/** Ready-made mirror sets for the demo, the benchmark and `serve.ts`. */
import type { BasicAuth, MirrorProfile } from './profile.js';

/**
 * A realistic fleet: a fast mirror, a slow one, a 403 gatekeeper, one without a checksum-database
 * relay, and a blackholed one. Round trips 20–400 ms as in the benchmark's brief.
 */
export function realisticFleet(): MirrorProfile[] {
  return [
    { name: 'fast', latencyMs: 20, bandwidthBps: 20_000_000 },
    { name: 'slow', latencyMs: 400, bandwidthBps: 250_000 },
    { name: 'forbidden', latencyMs: 40, status: 403 },
    { name: 'nosumdb', latencyMs: 60, bandwidthBps: 5_000_000, sumdb: 404 },
    { name: 'blackhole', blackhole: true },
  ];
}

/** One mirror per hostile behaviour of issue 6 (plus integrity faults), each otherwise healthy. */
export function hostileFleet(): MirrorProfile[] {
  return [
    { name: 'huge', faults: [{ fault: { kind: 'huge' } }] },
    { name: 'slow-headers', faults: [{ fault: { kind: 'slow-headers', intervalMs: 200 } }] },
    {
      name: 'slow-body',
      faults: [{ match: ['mod', 'zip', 'info'], fault: { kind: 'slow-body', intervalMs: 100 } }],
    },
    { name: 'reset', faults: [{ match: ['mod', 'zip'], fault: { kind: 'reset' } }] },
    { name: 'redirect-loop', faults: [{ fault: { kind: 'redirect', to: 'loop' } }] },
    { name: 'redirect-http', faults: [{ fault: { kind: 'redirect', to: 'http' } }] },
    {
      name: 'invalid-json',
      faults: [{ match: ['info', 'latest'], fault: { kind: 'invalid-json' } }],
    },
    { name: 'wrong-mod', faults: [{ match: 'mod', fault: { kind: 'wrong-content' } }] },
    { name: 'wrong-zip', faults: [{ match: 'zip', fault: { kind: 'wrong-content' } }] },
    { name: 'header-flood', faults: [{ fault: { kind: 'header-flood', count: 5000 } }] },
    { name: 'tls-wrong-name', certificate: 'wrong-name' },
    { name: 'tls-untrusted', certificate: 'untrusted' },
    { name: 'tampered-mod', faults: [{ match: 'mod', fault: { kind: 'tamper' } }] },
    { name: 'tampered-zip', faults: [{ match: 'zip', fault: { kind: 'tamper' } }] },
    { name: 'empty-mod', faults: [{ match: 'mod', fault: { kind: 'empty' } }] },
    { name: 'stale', stale: true },
    { name: 'blackhole', blackhole: true },
    { name: 'teapot', status: 418 },
    { name: 'gateway-timeout', status: 504 },
  ];
}

export const DEFAULT_PRIVATE_AUTH: BasicAuth = { user: 'ci-bot', password: 's3cret-pw' };

/** A credentialed private proxy (private modules only, no sumdb relay) next to a public mirror. */
export function privateFleet(auth: BasicAuth = DEFAULT_PRIVATE_AUTH): MirrorProfile[] {
  return [
    { name: 'private', serves: 'private', auth, sumdb: 404 },
    { name: 'public', latencyMs: 20 },
  ];
}

export const PRESETS: Readonly<Record<string, () => MirrorProfile[]>> = {
  fleet: realisticFleet,
  hostile: hostileFleet,
  private: () => privateFleet(),
};
