/**
 * What selection takes and gives. Selection is pure: it reads a ProbeRun and options and decides
 * GOPROXY, GOSUMDB, GONOPROXY and GONOSUMDB, with a reason for every decision.
 */
import type { MirrorProbe } from '../probe/types.js';
import type { Finding, MirrorVerdict, SumdbRouteReport } from '../report/types.js';

export type Fallback = 'direct' | 'off';

export interface SelectOptions {
  /** What ends the chain. */
  readonly fallback: Fallback;
  /** How many public mirrors enter the chain (≥ 1). */
  readonly maxMirrors: number;
  /** The `gosumdb` input: `auto`, or a value used as given after validation. */
  readonly gosumdb: string;
  /** Go version of the toolchain that will use the settings (`1.14`, `go1.22.3`…); null = unknown, assume modern. */
  readonly goVersion: string | null;
  /** Effective private patterns (GOPRIVATE), already merged; they become GONOSUMDB with a private proxy. */
  readonly privatePatterns: readonly string[];
  /** GOPROXY the user had set before we ran (environment or go env file); null when unset or Go's default. */
  readonly existingGoproxy: string | null;
  /** GONOPROXY the user had set (environment or go env file); null or '' when unset. */
  readonly userGonoproxy?: string | null;
  /** GONOSUMDB the user had set (environment or go env file); null or '' when unset. */
  readonly userGonosumdb?: string | null;
  /**
   * The first entry of the user's GOPROXY when it was judged a private proxy (catalog.ts
   * planCandidates), whether it heads the chain or the private-proxy input replaced it.
   */
  readonly envPrivateProxyUrl?: string | null;
}

/** The Go settings as written. Empty string = leave unset (Go's default applies). */
export interface GoSettings {
  readonly GOPROXY: string;
  readonly GOSUMDB: string;
  readonly GONOPROXY: string;
  readonly GONOSUMDB: string;
}

export type Separator = ',' | '|';

/** One entry of the GOPROXY chain, with the separator that follows it (null for the last). */
export interface ChainEntry {
  readonly kind: 'private' | 'mirror' | 'direct' | 'off';
  /** URL as Go uses it (may carry credentials); null for keywords. */
  readonly url: string | null;
  /** URL without credentials, or the keyword. */
  readonly display: string;
  readonly separatorAfter: Separator | null;
  /** The probe of this entry, for URL entries. */
  readonly probe: MirrorProbe | null;
}

/** Selection's judgement of one probed mirror (public or private). */
export interface MirrorAssessment {
  readonly probe: MirrorProbe;
  /** Position in ProbeRun.mirrors (the deterministic tie-break). */
  readonly index: number;
  readonly verdict: MirrorVerdict;
  /** 1 = best among usable public mirrors; null when not ranked. */
  readonly rank: number | null;
  /** One sentence a user can act on. */
  readonly reason: string;
  /** false when behind the freshest usable mirror on @v/list or @latest; null when unknown. */
  readonly fresh: boolean | null;
  /** Why the mirror is stale (null when fresh or unknown). */
  readonly staleDetail: string | null;
  /** The latency the ranking used: median total time of the probe requests, else median TTFB (ms). */
  readonly latencyMs: number | null;
  /** Would the checksum database work through the chain this mirror creates? null when not applicable. */
  readonly sumdbRouteOk: boolean | null;
}

export interface Selection {
  /** What to write: GOPROXY may carry the private proxy's credentials. Never print it; use `display`. */
  readonly settings: GoSettings;
  /** The same settings without credentials, for logs, outputs and the report. */
  readonly display: GoSettings;
  /** True when a route to public modules exists (a usable mirror, or `direct`). */
  readonly routeFound: boolean;
  /** Separator between public mirrors and before the fallback (`,` only for Go < 1.15). */
  readonly separator: Separator;
  readonly chain: readonly ChainEntry[];
  /** Every probed mirror, in ProbeRun order. */
  readonly assessments: readonly MirrorAssessment[];
  readonly sumdb: SumdbRouteReport;
  /** Why the settings are what they are, most important first. */
  readonly reasons: readonly string[];
  readonly findings: readonly Finding[];
}
