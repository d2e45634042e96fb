/** Messages between the benchmark and the probe worker (structured-clone data only). */

export interface ProbeJob {
  readonly id: number;
  /** Base URLs, in `mirrors` input order. */
  readonly mirrors: readonly string[];
  /** go.mod of the consumer module: the probe modules are chosen from it as the action does. */
  readonly goModText: string;
  readonly gosumdb: string;
  readonly goVersion: string | null;
  readonly timeoutMs: number;
  readonly maxMirrors: number;
  readonly env: Readonly<Record<string, string>>;
}

export interface MirrorSummary {
  readonly url: string;
  readonly verdict: string;
  readonly usable: boolean;
  readonly skipped: string | null;
  readonly failure: string | null;
  readonly ttfbMs: number | null;
  readonly totalMs: number | null;
  readonly throughputBytesPerSec: number | null;
  readonly sumdbSupported: string | null;
}

export type ProbeOutcome =
  | {
      readonly kind: 'done';
      /** runProbe + selectSettings. */
      readonly wallMs: number;
      /** ProbeRun.wallTimeMs (runProbe alone, as the engine measures it). */
      readonly engineWallMs: number;
      readonly earlyStop: boolean;
      readonly deadlineHit: boolean;
      readonly probeModules: readonly string[];
      readonly settings: {
        readonly GOPROXY: string;
        readonly GOSUMDB: string;
        readonly GONOPROXY: string;
        readonly GONOSUMDB: string;
      };
      readonly firstChoice: string | null;
      /** Public mirrors of the chosen chain, in order. */
      readonly chainMirrors: readonly string[];
      readonly mirrors: readonly MirrorSummary[];
    }
  | { readonly kind: 'hung'; readonly message: string }
  | { readonly kind: 'error'; readonly message: string };

export type WorkerMessage =
  | { readonly type: 'beat' }
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly id: number; readonly outcome: ProbeOutcome };
