/**
 * Types shared by the GOMODCACHE cache phases (restore in the main step, save in the post step)
 * and the seam to the cache service. Nothing here imports @actions/*: the GitHub implementation
 * of CacheApi lives in src/platform/github-cache.ts, tests inject fakes.
 */

export interface RestoreRequest {
  /** Literal path strings; the service's cache "version" hashes them, so save must pass the same. */
  readonly paths: readonly string[];
  readonly primaryKey: string;
  /** Prefixes tried, in order, after the primary key (exact, then prefix) missed. */
  readonly restoreKeys: readonly string[];
  /**
   * Extract the archive as if the workspace were this directory instead of GITHUB_WORKSPACE.
   * Archives store the cached paths relative to the workspace, so a mirror of the workspace path
   * under a staging directory makes the module cache land inside the staging directory.
   */
  readonly extractAsWorkspace?: string;
}

export interface SaveRequest {
  readonly paths: readonly string[];
  readonly key: string;
}

/** The cache service as the phases see it (GitHub: @actions/cache; tests: fakes). */
export interface CacheApi {
  /** False when the runner offers no cache service (no service URL in the environment). */
  isAvailable(): boolean;
  /**
   * Resolves the matched key, or undefined when nothing matched. Service failures reject: with a
   * {@link ReportedCacheFailure} when the library already showed its own warning, else with the
   * error itself; both count as a failed restore, never as a miss. A rejection named
   * `ValidationError` is a bug in the caller and is rethrown by the phases.
   */
  restore(request: RestoreRequest): Promise<string | undefined>;
  /**
   * Resolves the new entry's id, or -1 when the service did not store it (reservation refused
   * because another job saved the key first, read-only token or ACTIONS_CACHE_MODE, or a service
   * failure the library already logged). Rejects on other failures.
   */
  save(request: SaveRequest): Promise<number>;
}

/** What the module cache held at one moment; measured over `cache/download` (see modcache.ts). */
export interface ModCacheSnapshot {
  /** Module versions with source: `.zip` files under cache/download (checksum-database data excluded). */
  readonly modules: number;
  /** Every file under cache/download (.zip, .mod, .info, .ziphash, list, locks, sumdb tiles). */
  readonly files: number;
  /** Their total size in bytes: what the network delivered. */
  readonly bytes: number;
  /** sha256 (hex) over the sorted `path NUL size` of those files; changes when anything is added. */
  readonly fingerprint: string;
}

export type RestoreOutcome =
  /** the primary key matched exactly */
  | 'exact-hit'
  /** a restore-key prefix (or a prefix of the primary key) matched */
  | 'partial-hit'
  | 'miss'
  /** the service failed or the archive could not be extracted; treated as a miss */
  | 'failed'
  /** GOMODCACHE was already populated and could not be staged safely: nothing restored */
  | 'skipped-populated';

/** State handed from the main step to the post step, as one JSON object (STATE.cache). */
export interface CacheState {
  readonly schema: 1;
  /** GOMODCACHE exactly as passed to restore; save passes the same string. */
  readonly path: string;
  readonly primaryKey: string;
  readonly restoreKeys: readonly string[];
  readonly matchedKey: string | null;
  readonly outcome: RestoreOutcome;
  /** GOMODCACHE had content before the restore (another cache, an earlier go command, a self-hosted runner). */
  readonly prepopulated: boolean;
  /** The module cache right after the restore: the baseline for "changed" and "added". */
  readonly baseline: ModCacheSnapshot;
}

export type SaveReason =
  | 'saved'
  /** `cache: false` */
  | 'disabled'
  /** the main step recorded no cache state (cache disabled or unavailable there, or it failed) */
  | 'no-state'
  | 'job-failed'
  /** the primary key was restored exactly; cache entries are immutable */
  | 'exact-hit'
  /** restore was skipped because GOMODCACHE was populated by something else; saving would duplicate it */
  | 'prepopulated'
  | 'empty'
  | 'unchanged'
  | 'unavailable'
  /** the service did not store the entry (-1: another job saved the key first, read-only token or ACTIONS_CACHE_MODE, failure) */
  | 'not-stored'
  | 'failed';

export interface ModCacheGrowth {
  readonly modules: number;
  readonly files: number;
  readonly bytes: number;
}

/** What the post step did, for the job summary. */
export interface SaveResult {
  readonly saved: boolean;
  readonly reason: SaveReason;
  /** One sentence for the log. */
  readonly message: string;
  /** A few words for the summary table ("exact key hit", "unchanged", "job failed", "saved"…). */
  readonly summaryReason: string;
  readonly key: string | null;
  /** What the main step's restore did (from its state); null without state. */
  readonly restoreOutcome: RestoreOutcome | null;
  /** The key the main step restored (exact or by prefix); null on a miss or without state. */
  readonly matchedKey: string | null;
  /** What the job added to the module cache since the restore; null without state. */
  readonly added: ModCacheGrowth | null;
  /** The module cache at the end of the job; null when it was not measured. */
  readonly final: ModCacheSnapshot | null;
}

/**
 * A cache service failure that the cache library has already shown to the user with its own
 * warning (@actions/cache: `Failed to restore: …`): the phases do not warn a second time, and
 * never describe it as a miss.
 */
export class ReportedCacheFailure extends Error {
  override readonly name = 'ReportedCacheFailure';
}

/** A thrown value that @actions/cache raises for invalid keys or paths: a bug, never swallowed. */
export function isValidationError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationError';
}
