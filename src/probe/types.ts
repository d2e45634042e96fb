/**
 * What the probe engine measures (probe/*) and the selection logic consumes (select/*).
 * Everything here is data: no functions, no credentials in display fields.
 */
import type { EndpointOutcome, IntegrityResult, MirrorOrigin } from '../report/types.js';

export interface ModuleRef {
  readonly path: string;
  /** null: resolve with @v/list / @latest. */
  readonly version: string | null;
}

export interface Candidate {
  /** Base URL as Go will use it (may carry credentials: never print it, use displayUrl). */
  readonly url: string;
  /** Base URL without credentials. */
  readonly displayUrl: string;
  readonly origin: MirrorOrigin;
  /** True for the private proxy: probed only for private modules, never ranked among public mirrors. */
  readonly isPrivate: boolean;
}

/**
 * Phase timings of one request in milliseconds; null when the phase did not happen (a reused
 * connection has no dns/connect/tls; an IP literal has no dns; plain http has no tls).
 * dns/connect/tls are durations (connect includes a proxy's CONNECT); ttfb and total count from
 * the start of the request, so they include the setup of a new connection and any redirects.
 */
export interface RequestTiming {
  readonly dnsMs: number | null;
  readonly connectMs: number | null;
  readonly tlsMs: number | null;
  /** Start of the request to the end of the response headers. */
  readonly ttfbMs: number | null;
  /** Start of the request to the end of the body. */
  readonly totalMs: number | null;
}

export type EndpointKind =
  | 'list'
  | 'latest'
  | 'info'
  | 'mod'
  | 'zip'
  | 'sumdb-supported'
  | 'sumdb-lookup'
  | 'sumdb-latest';

export interface EndpointResult {
  readonly kind: EndpointKind;
  /** Module (path@version) for module endpoints. */
  readonly module?: string;
  /** Request URL without credentials. */
  readonly url: string;
  /**
   * HTTP status, or an error code: `timeout`, `deadline`, `skipped` (early stop), `dns`, `refused`,
   * `reset`, `tls`, `proxy` (the HTTP proxy from the environment failed), `redirect-to-http`,
   * `too-many-redirects`, `too-large`, `invalid-response` (also a 200 whose content cmd/go would
   * reject), `insecure-credentials` (user info over http), `error`.
   */
  readonly outcome: EndpointOutcome;
  /** 200 and valid content. */
  readonly ok: boolean;
  readonly timing: RequestTiming;
  readonly bytes: number;
  /** Short, credential-free explanation when not ok (may contain mirror-supplied text: escape before rendering). */
  readonly error?: string;
  /** Set when the first attempt timed out and this is the one retry (retry.ts): that attempt's error. */
  readonly retriedAfter?: string;
}

/** How a failure behaves in a GOPROXY list: 404/410 fall through `,`; anything else stops a `,` list. */
export type FailureClass = 'not-found' | 'terminal';

export interface MirrorProbe {
  readonly candidate: Candidate;
  readonly endpoints: readonly EndpointResult[];
  /** Per-request timings used for the medians (at least three when the mirror answered). */
  readonly latencySamples: readonly RequestTiming[];
  /** Medians of latencySamples. */
  readonly median: RequestTiming;
  /** Every probe endpoint answered 200 with valid content. */
  readonly usable: boolean;
  /**
   * First failure, when not usable. `code` is the endpoint's outcome (`403`, `timeout`, …), or
   * `empty-mod`, or `no-version` (neither @v/list nor @latest offered one).
   */
  readonly failure: {
    readonly code: string;
    readonly message: string;
    readonly class: FailureClass;
  } | null;
  /** Exact outcome of `<mirror>/sumdb/<db>/supported`. */
  readonly sumdbSupported: EndpointOutcome | null;
  /** `h1:` of each served .mod, keyed by `path@version`. */
  readonly modHashes: Readonly<Record<string, string>>;
  /** `h1:` of each served .zip (when downloaded), keyed by `path@version`. */
  readonly zipHashes: Readonly<Record<string, string>>;
  /** Versions from @v/list, keyed by module path. */
  readonly listedVersions: Readonly<Record<string, readonly string[]>>;
  /** Newest version: the highest release in @v/list, or what @latest answered when the list had none; keyed by module path. */
  readonly latestVersions: Readonly<Record<string, string>>;
  readonly integrity: IntegrityResult;
  /** Why integrity is what it is (e.g. which module's .mod hash differed). */
  readonly integrityDetail: string;
  readonly throughputBytesPerSec: number | null;
  /**
   * Set when the mirror was not (fully) probed and no failure was seen first: a sentence that starts
   * with `deadline: ` or `early stop: `.
   */
  readonly skipped: string | null;
}

/** One way to reach the checksum database, as probed. */
export interface SumdbRouteProbe {
  /** Base URL without credentials: `https://sum.golang.org`, `https://sum.golang.google.cn`, `<mirror>/sumdb/sum.golang.org`. */
  readonly route: string;
  readonly kind: 'direct' | 'alias' | 'mirror';
  /** Mirror display URL when kind is 'mirror'. */
  readonly mirror?: string;
  readonly outcome: EndpointOutcome;
  /** Answered and its signed note verified with the database key. */
  readonly ok: boolean;
  readonly latencyMs: number | null;
  readonly error?: string;
}

export interface ChecksumDatabase {
  /** e.g. `sum.golang.org` */
  readonly name: string;
  /** Verifier key `name+hash+base64`. */
  readonly key: string;
  /** GOSUMDB value that selects it when reached directly (`sum.golang.org`, or the full key). */
  readonly value: string;
  /** Explicit URL from a `key url` GOSUMDB, if any. */
  readonly explicitUrl: string | null;
}

export interface ProbeRun {
  readonly modules: readonly ModuleRef[];
  readonly mirrors: readonly MirrorProbe[];
  readonly database: ChecksumDatabase;
  readonly sumdbRoutes: readonly SumdbRouteProbe[];
  /** Signed go.mod hashes from the checksum database, keyed by `path@version` (empty when unreachable). */
  readonly signedModHashes: Readonly<Record<string, string>>;
  readonly wallTimeMs: number;
  readonly deadlineHit: boolean;
  readonly earlyStop: boolean;
}
