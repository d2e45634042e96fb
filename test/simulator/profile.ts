/** How a simulated mirror (and the checksum database) behaves. */

/** Name (in the request log and for `sim.url`) of a mirror's plain-HTTP twin, the target of `redirect: 'http'`. */
export function twinName(mirror: string): string {
  return `${mirror}~http`;
}

/** The endpoint a request addresses, below the mirror's base path. */
export type MirrorEndpoint =
  | 'list'
  | 'info'
  | 'mod'
  | 'zip'
  | 'latest'
  | 'sumdb-supported'
  | 'sumdb-lookup'
  | 'sumdb-latest'
  | 'sumdb-tile'
  | 'other';

export const MODULE_ENDPOINTS: readonly MirrorEndpoint[] = ['list', 'info', 'mod', 'zip', 'latest'];
export const SUMDB_ENDPOINTS: readonly MirrorEndpoint[] = [
  'sumdb-supported',
  'sumdb-lookup',
  'sumdb-latest',
  'sumdb-tile',
];

export type Fault =
  /** Answer this status (text/plain body) instead of the content. */
  | { readonly kind: 'status'; readonly status: number; readonly body?: string }
  /** Read the request, never answer (the connection stays open until the client gives up or close()). */
  | { readonly kind: 'blackhole' }
  /** Status and headers at once, then the real body `chunkBytes` at a time every `intervalMs` (defaults 1 byte / 100 ms). */
  | { readonly kind: 'slow-body'; readonly intervalMs?: number; readonly chunkBytes?: number }
  /** The status line, then header bytes one at a time every `intervalMs` (default 200), never finishing. */
  | { readonly kind: 'slow-headers'; readonly intervalMs?: number }
  /** Full Content-Length, `afterBytes` of the body (default half), then the connection is reset. */
  | { readonly kind: 'reset'; readonly afterBytes?: number }
  /**
   * Redirect: `http` to the same path on the mirror's plain-HTTP twin (https→http, which Go refuses),
   * `loop` to itself forever, or to a given absolute URL.
   */
  | {
      readonly kind: 'redirect';
      readonly to: 'http' | 'loop' | (string & {});
      readonly status?: 301 | 302 | 307 | 308;
    }
  /** Well-formed but altered content: `.mod` gains a line, `.zip` a changed file, `.info` another time, sumdb lookups a forged record. */
  | { readonly kind: 'tamper' }
  /** 200 with an empty body (an empty `.mod` hashes to Go's emptyGoModHash). */
  | { readonly kind: 'empty' }
  /** `.info` / `@latest` with truncated JSON. */
  | { readonly kind: 'invalid-json' }
  /** The wrong thing with a 200: HTML for `.mod`/list, another module's zip for `.zip`, another version's `.info`. */
  | { readonly kind: 'wrong-content' }
  /** A body of `bytes` bytes (default: endless, chunked) of filler. */
  | { readonly kind: 'huge'; readonly bytes?: number }
  /** A valid response preceded by `count` (default 5000) extra headers. */
  | { readonly kind: 'header-flood'; readonly count?: number };

export interface FaultRule {
  /** Endpoint(s), or a RegExp tested against the percent-decoded path below the base path; default: every request. */
  readonly match?: MirrorEndpoint | readonly MirrorEndpoint[] | RegExp;
  readonly fault: Fault;
  /** Apply to the first `times` matching requests only (then serve normally); default: always. */
  readonly times?: number;
}

export interface BasicAuth {
  readonly user: string;
  readonly password: string;
}

export interface MirrorProfile {
  /** DNS label (`[a-z0-9-]`): used by `sim.url(name)` and as `<name>.sim.test` behind the forward proxy. */
  readonly name: string;
  /** HTTPS (default) or plain HTTP. */
  readonly tls?: boolean;
  /** Round-trip time in ms, applied per chunk in each direction (RTT/2 each way) by a relay. */
  readonly latencyMs?: number;
  /** Server→client bytes per second. */
  readonly bandwidthBps?: number;
  /** Charge the TCP handshake round trip to the first client bytes (default true; see link.ts). */
  readonly chargeConnect?: boolean;
  /** Serve under this path, e.g. `/goproxy` (default: the root). */
  readonly basePath?: string;
  /** Every request answers this status (403, 404, 410, 418, 500, 504, …). */
  readonly status?: number;
  /** Accept TCP connections and never send a byte (TLS handshakes never complete either). */
  readonly blackhole?: boolean;
  /** `wrong-name`: signed by the simulator CA for another host; `untrusted`: signed by an unknown CA. */
  readonly certificate?: 'valid' | 'wrong-name' | 'untrusted';
  /** Request-level misbehaviour, first matching rule wins. */
  readonly faults?: readonly FaultRule[];
  /**
   * `/sumdb/<db>/…` relay: `supported` answers `/supported` with 200 and forwards the rest to the
   * checksum database; a number answers every `/sumdb/` path with that status.
   * Default: `supported` for mirrors serving public modules, 404 for private-only ones.
   */
  readonly sumdb?: 'supported' | number;
  /** Which corpus modules it has (default `public`). */
  readonly serves?: 'public' | 'private' | 'all';
  /** Module paths (`path`) or versions (`path@version`) this mirror does not have. */
  readonly missing?: readonly string[];
  /** Serve an older version set: `true` hides the newest version of every module with several; or the exact versions per path. */
  readonly stale?: boolean | Readonly<Record<string, readonly string[]>>;
  /** Status for unknown modules/versions (default 404). */
  readonly notFoundStatus?: 404 | 410;
  /** Require HTTP basic auth (401 with WWW-Authenticate otherwise). */
  readonly auth?: BasicAuth;
}

export interface SumdbProfile {
  readonly latencyMs?: number;
  readonly bandwidthBps?: number;
  readonly chargeConnect?: boolean;
  /** Every request answers this status. */
  readonly status?: number;
  /** Accept, never answer (direct and relayed requests alike). */
  readonly blackhole?: boolean;
}

const NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const RESERVED = new Set(['sumdb', 'forward-proxy']);

export function validateProfiles(profiles: readonly MirrorProfile[]): void {
  const seen = new Set<string>();
  for (const p of profiles) {
    if (!NAME.test(p.name) || RESERVED.has(p.name)) {
      throw new Error(
        `mirror name ${JSON.stringify(p.name)}: use a DNS label ([a-z0-9-]), not sumdb or forward-proxy`,
      );
    }
    if (seen.has(p.name)) throw new Error(`mirror name ${p.name} used twice`);
    seen.add(p.name);
    if (p.basePath !== undefined && !/^(\/[A-Za-z0-9._~-]+)+$/.test(p.basePath)) {
      throw new Error(`mirror ${p.name}: basePath must look like /a/b (no trailing slash)`);
    }
    for (const n of [p.latencyMs, p.bandwidthBps]) {
      if (n !== undefined && !(Number.isFinite(n) && n >= 0))
        throw new Error(`mirror ${p.name}: latency/bandwidth must be >= 0`);
    }
    if (p.bandwidthBps === 0) throw new Error(`mirror ${p.name}: bandwidthBps must be > 0`);
  }
}
