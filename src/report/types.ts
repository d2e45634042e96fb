/**
 * The JSON report (contract.md): every measurement, verdict and reason behind the chosen settings.
 * Produced by the pure core, rendered by render/*, published as the `report` output, the CLI's
 * `--format json` and the GitLab artifact. URLs in it are always credential-free.
 */

/** Where an effective value came from. */
export type ValueSource = 'input' | 'env' | 'default' | 'derived';

export type MirrorOrigin =
  /** built-in catalog (mirrors: auto) */
  | 'catalog'
  /** listed in the `mirrors` input */
  | 'input'
  /** an entry of the GOPROXY already in the environment */
  | 'env'
  /** the `private-proxy` input */
  | 'private';

/** Code of the finding that states the settings chosen (one per report, listed last). */
export const DECISION_CODE = 'decision';

export type MirrorVerdict =
  /** in the written chain */
  | 'chosen'
  /** works, but ranked below `max-mirrors` */
  | 'usable'
  /** answered, but failed a probe endpoint (403, 5xx, timeout, bad content…) */
  | 'failed'
  /** served content that does not match the checksum database or the other mirrors */
  | 'tampered'
  /** not probed or not finished (deadline, early stop, private-only) */
  | 'skipped';

export type IntegrityResult =
  /** every probed .mod matched the signed checksum-database record */
  | 'verified'
  /** checksum database unreachable: matched what the other mirrors served */
  | 'agreed'
  | 'mismatch'
  | 'empty-mod'
  | 'unchecked';

/** Median phase timings in milliseconds; null where the phase did not happen (reused connection, plain http). */
export interface PhaseTimings {
  readonly dnsMs: number | null;
  readonly connectMs: number | null;
  readonly tlsMs: number | null;
  readonly ttfbMs: number | null;
  readonly totalMs: number | null;
}

/** One endpoint's outcome: an HTTP status, or an error code such as `timeout`, `ECONNREFUSED`, `tls`, `redirect-to-http`. */
export type EndpointOutcome = number | string;

export interface MirrorReport {
  /** Base URL without credentials. */
  readonly url: string;
  readonly origin: MirrorOrigin;
  /** 1 = best; null when not ranked (failed, tampered, skipped). */
  readonly rank: number | null;
  readonly verdict: MirrorVerdict;
  /** One sentence a user can act on. */
  readonly reason: string;
  /** Outcome per probed endpoint, keyed by a short label (`list golang.org/x/text`, `info …`, `mod …`, `zip …`, `sumdb/supported`). */
  readonly statuses: Readonly<Record<string, EndpointOutcome>>;
  readonly timings: PhaseTimings;
  /** How many latency samples the medians come from. */
  readonly samples: number;
  /** Raw per-request total times (ms), in order, for the details section. */
  readonly latencySamplesMs: readonly number[];
  readonly throughputBytesPerSec: number | null;
  /** Exact outcome of `/sumdb/<name>/supported` (200 = relays the checksum database). */
  readonly sumdbSupported: EndpointOutcome | null;
  readonly integrity: IntegrityResult;
  /** Why integrity is what it is (which module's hash differed, which source it was checked against). */
  readonly integrityDetail?: string;
  /** false when the mirror is behind the others on @v/list or @latest. null when unknown. */
  readonly fresh: boolean | null;
  readonly errors: readonly string[];
}

export interface SumdbRouteReport {
  /** Database name (e.g. `sum.golang.org`). */
  readonly database: string;
  /** The GOSUMDB value written. */
  readonly value: string;
  /** Base URL lookups go to, without credentials (`https://sum.golang.org`, `<mirror>/sumdb/sum.golang.org`). */
  readonly route: string;
  readonly reason: string;
  /** Each route tried with its outcome, in the order tried. */
  readonly tried: readonly {
    readonly route: string;
    readonly outcome: EndpointOutcome;
    readonly ok: boolean;
    /** What this attempt was (`/supported answered 404 Not Found; Go tries the next entry`, `the sum.golang.org alias`). */
    readonly note?: string;
  }[];
}

export interface PrivatePatternReport {
  readonly pattern: string;
  /** `env` (GOPRIVATE), `input` (goprivate), `remote` (git remote), `ci` (CI variables), `go.mod` (module path). */
  readonly source: 'env' | 'input' | 'remote' | 'ci' | 'go.mod';
}

export type FindingLevel = 'notice' | 'warning' | 'error';

/** Something the user should know; warnings only for what the user can act on. */
export interface Finding {
  readonly level: FindingLevel;
  /** Stable machine code, e.g. `mirror-failed`, `mirror-tampered`, `redirect-to-http`, `sumdb-rerouted`, `broad-private-pattern`, `comma-chain`. */
  readonly code: string;
  readonly title: string;
  readonly message: string;
  /** Mirror URL (credential-free) when the finding is about one. */
  readonly mirror?: string;
}

export interface Report {
  readonly schemaVersion: number;
  readonly tool: { readonly name: 'go-proxy-setup'; readonly version: string };
  readonly startedAt: string;
  /** Wall time of the probe in milliseconds. */
  readonly probeWallTimeMs: number;
  /** The settings written (all credential-free). Empty string = not written. */
  readonly settings: {
    readonly GOPROXY: string;
    readonly GOSUMDB: string;
    readonly GOPRIVATE: string;
    readonly GONOPROXY: string;
    readonly GONOSUMDB: string;
  };
  /** True when a route to public modules exists (false: CLI exits 1, action fails). */
  readonly routeFound: boolean;
  /** Why the chain is what it is, one sentence each, most important first. */
  readonly reasons: readonly string[];
  readonly fastestMirror: string | null;
  /** The fastest mirror's median time to first byte in ms (its median total time when TTFB was not measured). */
  readonly fastestLatencyMs: number | null;
  /** Median TTFB of the default route (proxy.golang.org) divided by the chosen first mirror's, when both were measured. */
  readonly speedupOverDefault: number | null;
  readonly mirrors: readonly MirrorReport[];
  readonly sumdb: SumdbRouteReport;
  readonly integrityMethod: 'sumdb' | 'cross-mirror' | 'none';
  readonly privatePatterns: readonly PrivatePatternReport[];
  readonly probeModules: readonly {
    readonly path: string;
    readonly version: string | null;
    readonly source: ValueSource | 'go.mod' | 'builtin';
  }[];
  readonly findings: readonly Finding[];
}
