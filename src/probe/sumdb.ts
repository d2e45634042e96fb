/**
 * Routes to the checksum database and the signed go.sum hashes they serve.
 *
 * Routes: the database itself (`https://<name>`, or the explicit URL of a `key url` GOSUMDB), the
 * alias `https://sum.golang.google.cn` for sum.golang.org, and every candidate whose
 * `/sumdb/<name>/supported` answered 200 (`<mirror>/sumdb/<name>`).
 *
 * A route is ok only when it does what the go command needs for every lookup: its answer's signed
 * tree note verifies with the database key, AND the route serves the tiles that prove the record
 * is in that signed tree (tlog.ts: the same `tile/8/<L>/<N>[.p/<W>]` set Go's TileHashReader reads,
 * hashed up to the signed root). A route probed with `/latest` (no probe version, or the database
 * does not know it) must serve the tiles that rebuild the signed root. Every record accepted later
 * (`lookup`) is proven the same way on the route that served it.
 *
 * Proven, a relayed record is as good as one from the database: a relay cannot forge the root's
 * signature, and the tiles bind the record to that root. So any route's proven record may serve
 * as the reference for integrity, including the relay of the mirror being checked.
 */
import { escapeModulePath, escapeModuleVersion } from '../goenv/escape.js';
import {
  type ModuleHashes,
  NoteError,
  type NoteVerifier,
  type TreeHead,
  type VerifiedLookup,
  parseVerifierKey,
  verifyLatest,
  verifyLookup,
} from '../goenv/note.js';
import { matchPrefixPatterns } from '../goenv/patterns.js';
import {
  HASH_SIZE,
  TILE_HEIGHT,
  type Tile,
  type TilePlan,
  planTileProof,
  tilePath,
  verifyTileProof,
} from '../goenv/tlog.js';
import type { GetOptions, HttpClient, HttpResult } from '../net/http.js';
import { stripCredentials } from '../redact.js';
import type { EndpointOutcome } from '../report/types.js';
import { getWithOneRetry } from './retry.js';
import type { Candidate, ChecksumDatabase, EndpointResult, SumdbRouteProbe } from './types.js';

export const SUM_GOLANG_GOOGLE_CN_URL = 'https://sum.golang.google.cn';
const MAX_SUMDB_BYTES = 256 * 1024;
/** A complete hash tile: 2^8 hashes of 32 bytes. */
const MAX_TILE_BYTES = 2 ** TILE_HEIGHT * HASH_SIZE;
/** Go's words when the tiles hold another record at the id the lookup named. */
const NOT_IN_TREE = 'cannot authenticate record data in server response';

export class PrivacyError extends Error {
  override readonly name = 'PrivacyError';
}

interface RouteState {
  readonly base: string;
  readonly display: string;
  readonly kind: 'direct' | 'alias' | 'mirror';
  readonly mirror?: string;
  outcome: EndpointOutcome;
  ok: boolean;
  latencyMs: number | null;
  error?: string;
  done: boolean;
  /** Records proven to be in a signed tree (tile proof), keyed by `path@version`. */
  readonly answers: Map<string, ModuleHashes>;
  /** Tiles fetched from this route, by path (successes only: a miss may be retried). */
  readonly tiles: Map<string, Promise<TileAnswer>>;
  endpoint: EndpointResult | null;
}

/** One tile from one route: its bytes, or why not. */
interface TileAnswer {
  readonly data: Buffer | null;
  /** The route answered (a status, or bytes that are no tile) rather than our own timer or stop cutting it short. */
  readonly answered: boolean;
  readonly detail: string;
}

/** Why a proof did not hold. `answered`: the route's answers are at fault, not our deadline. */
interface ProofFailure {
  readonly reason: string;
  readonly answered: boolean;
}

export interface SumdbProberOptions {
  readonly http: HttpClient;
  readonly database: ChecksumDatabase;
  /** GONOSUMDB-style patterns: never looked up. */
  readonly privatePatterns: string;
  /** Options for each request (timeouts, deadline signal). */
  readonly requestOptions: () => GetOptions;
  /** Whether the deadline leaves room to ask again after a timeout (retry.ts). Default: never. */
  readonly canRetry?: () => boolean;
}

export class SumdbProber {
  readonly #http: HttpClient;
  readonly #database: ChecksumDatabase;
  readonly #privatePatterns: string;
  readonly #requestOptions: () => GetOptions;
  readonly #canRetry: () => boolean;
  readonly #verifier: NoteVerifier | null;
  readonly #verifierError: string | null;
  readonly #routes: RouteState[] = [];
  readonly #pending = new Set<Promise<unknown>>();
  readonly #lookups = new Map<string, Promise<ModuleHashes | null>>();
  #probeKey: { path: string; version: string } | null = null;
  #firstOk: Promise<void>;
  #resolveFirstOk!: () => void;
  /** Called whenever a route settles; each waiter checks whether every route is done. */
  readonly #settleWaiters = new Set<() => void>();

  constructor(options: SumdbProberOptions) {
    this.#http = options.http;
    this.#database = options.database;
    this.#privatePatterns = options.privatePatterns;
    this.#requestOptions = options.requestOptions;
    this.#canRetry = options.canRetry ?? (() => false);
    let verifier: NoteVerifier | null = null;
    let problem: string | null = null;
    try {
      verifier = parseVerifierKey(options.database.key);
    } catch (error) {
      problem = `invalid GOSUMDB: ${(error as Error).message}`;
    }
    this.#verifier = verifier;
    this.#verifierError = problem;
    this.#firstOk = new Promise((resolve) => {
      this.#resolveFirstOk = resolve;
    });
  }

  /** Starts the routes that need no mirror: the database (or its explicit URL) and the CN alias. */
  startStandaloneRoutes(probeKey: { path: string; version: string } | null): void {
    this.#probeKey = probeKey && !this.#isPrivate(probeKey.path) ? probeKey : null;
    const db = this.#database;
    const direct = (db.explicitUrl ?? `https://${db.name}`).replace(/\/+$/, '');
    const standalone = [this.#probeRoute(this.#newRoute(direct, 'direct'))];
    if (db.name === 'sum.golang.org' && db.explicitUrl === null) {
      standalone.push(this.#probeRoute(this.#newRoute(SUM_GOLANG_GOOGLE_CN_URL, 'alias')));
    }
    this.#track(Promise.allSettled(standalone));
  }

  /** Probes `<candidate>/sumdb/<name>` (call after its `/supported` answered 200). */
  async probeMirrorRoute(
    candidate: Candidate,
    signal?: AbortSignal,
  ): Promise<EndpointResult | null> {
    const route = this.#newRoute(
      `${candidate.url}/sumdb/${this.#database.name}`,
      'mirror',
      candidate.displayUrl,
    );
    await this.#probeRoute(route, signal);
    return route.endpoint;
  }

  /** Signed hashes of one module version, through the best route that works (cached). */
  lookup(path: string, version: string): Promise<ModuleHashes | null> {
    if (this.#isPrivate(path)) return Promise.resolve(null);
    const key = `${path}@${version}`;
    let pending = this.#lookups.get(key);
    if (!pending) {
      pending = this.#lookupViaRoutes(path, version);
      this.#lookups.set(key, pending);
      // A miss is not remembered: a route that works may appear later (a mirror relay).
      void pending.then((hashes) => {
        if (hashes === null) this.#lookups.delete(key);
      });
      this.#track(pending);
    }
    return pending;
  }

  /** Waits for everything started so far (each request is bounded by its own timeouts and the deadline). */
  async settle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Signed hashes known now, keyed by `path@version` (reference routes first; see the header comment). */
  signedHashes(): Record<string, ModuleHashes> {
    const out: Record<string, ModuleHashes> = {};
    const keys = new Set<string>();
    for (const route of this.#routes) for (const key of route.answers.keys()) keys.add(key);
    for (const key of keys) {
      const reference = this.#reference(key);
      if (reference) out[key] = reference;
    }
    return out;
  }

  routeResults(): SumdbRouteProbe[] {
    return this.#routes.map((route) => {
      const ok = this.#finalOk(route);
      const conflict = route.ok && !ok;
      const result: SumdbRouteProbe = {
        route: route.display,
        kind: route.kind,
        ...(route.mirror ? { mirror: route.mirror } : {}),
        outcome: route.outcome,
        ok,
        latencyMs: route.latencyMs,
        ...(conflict
          ? {
              error: `served a record that differs from what ${this.#database.name} serves directly`,
            }
          : route.error !== undefined
            ? { error: route.error }
            : {}),
      };
      return result;
    });
  }

  #newRoute(base: string, kind: RouteState['kind'], mirror?: string): RouteState {
    const display = stripCredentials(base);
    const route: RouteState = {
      base,
      display,
      kind,
      ...(mirror ? { mirror } : {}),
      outcome: 'pending',
      ok: false,
      latencyMs: null,
      done: false,
      answers: new Map(),
      tiles: new Map(),
      endpoint: null,
    };
    this.#routes.push(route);
    return route;
  }

  async #probeRoute(route: RouteState, signal?: AbortSignal): Promise<void> {
    try {
      if (!this.#verifier) {
        route.outcome = 'error';
        route.error = this.#verifierError ?? 'invalid database key';
        return;
      }
      const key = this.#probeKey;
      if (key) {
        const result = await this.#get(
          this.#lookupUrl(route, key.path, key.version),
          'sumdb-lookup',
          `${key.path}@${key.version}`,
          signal,
        );
        route.endpoint = result.endpoint;
        route.latencyMs = result.http.timing.totalMs;
        route.outcome = result.http.outcome;
        if (result.http.status === 200) {
          let verified: VerifiedLookup;
          try {
            verified = verifyLookup(result.http.body, this.#verifier, key.path, key.version);
          } catch (error) {
            route.outcome = 'invalid-response';
            route.error = `${error instanceof NoteError ? 'verifying' : 'reading'} ${route.display}/lookup: ${(error as Error).message}`;
            return;
          }
          const failure = await this.#proveRecord(route, verified, signal);
          if (failure) route.error = failure.reason;
          else {
            route.answers.set(`${key.path}@${key.version}`, {
              mod: verified.mod,
              zip: verified.zip,
            });
            route.ok = true;
          }
          return;
        }
        if (result.http.status !== 404 && result.http.status !== 410) {
          route.error =
            result.http.error ?? `${route.display}/lookup answered ${result.http.outcome}`;
          return;
        }
      }
      // No version to look up, or the database does not know it: a signed /latest whose tiles
      // rebuild its root proves the route.
      const latest = await this.#get(`${route.base}/latest`, 'sumdb-latest', undefined, signal);
      route.endpoint ??= latest.endpoint;
      route.latencyMs ??= latest.http.timing.totalMs;
      route.outcome = latest.http.outcome;
      if (latest.http.status !== 200) {
        route.error =
          latest.http.error ?? `${route.display}/latest answered ${latest.http.outcome}`;
        return;
      }
      let tree: TreeHead;
      try {
        tree = verifyLatest(latest.http.body, this.#verifier);
      } catch (error) {
        route.outcome = 'invalid-response';
        route.error = `verifying ${route.display}/latest: ${(error as Error).message}`;
        return;
      }
      const failure = await this.#checkTiles(
        route,
        planTileProof(tree.size, null),
        tree,
        undefined,
        '/latest',
        signal,
      );
      if (failure) route.error = failure.reason;
      else route.ok = true;
    } finally {
      route.done = true;
      if (route.ok) this.#resolveFirstOk();
      for (const waiter of [...this.#settleWaiters]) waiter();
    }
  }

  /** Go's Client.checkRecord: the record's leaf hash, read from the route's tiles, under the signed root. */
  #proveRecord(
    route: RouteState,
    verified: VerifiedLookup,
    signal?: AbortSignal,
  ): Promise<ProofFailure | null> {
    let plan: TilePlan;
    try {
      plan = planTileProof(verified.tree.size, verified.recordId);
    } catch (error) {
      return Promise.resolve({ reason: (error as Error).message, answered: true });
    }
    return this.#checkTiles(route, plan, verified.tree, verified.recordText, 'lookups', signal);
  }

  async #checkTiles(
    route: RouteState,
    plan: TilePlan,
    tree: TreeHead,
    recordText: Buffer | undefined,
    serves: 'lookups' | '/latest',
    signal?: AbortSignal,
  ): Promise<ProofFailure | null> {
    const notTiles = `serves ${serves} but not tiles (Go would fail)`;
    // In parallel, as Go reads them: on a far route one round trip instead of one per tile.
    const answers = await Promise.all(plan.tiles.map((tile) => this.#tile(route, tile, signal)));
    const missing = answers.find((a) => a.data === null);
    if (missing) {
      return missing.answered
        ? { reason: `${notTiles}: ${missing.detail}`, answered: true }
        : { reason: `tile check not finished: ${missing.detail}`, answered: false };
    }
    try {
      verifyTileProof(
        plan,
        answers.map((a) => a.data!),
        Buffer.from(tree.hash, 'base64'),
        recordText,
      );
      return null;
    } catch (error) {
      const message = (error as Error).message;
      return {
        reason:
          message === NOT_IN_TREE
            ? `served a record that is not in the signed tree (Go would fail: ${message})`
            : `${notTiles}: ${message}`,
        answered: true,
      };
    }
  }

  /** One tile, as Go's readTile gets it: the partial tile, else the full one cut to width. */
  #tile(route: RouteState, tile: Tile, signal?: AbortSignal): Promise<TileAnswer> {
    const path = tilePath(tile);
    let pending = route.tiles.get(path);
    if (!pending) {
      pending = this.#fetchTile(route, tile, signal);
      route.tiles.set(path, pending);
      void pending.then((answer) => {
        if (answer.data === null) route.tiles.delete(path);
      });
    }
    return pending;
  }

  async #fetchTile(route: RouteState, tile: Tile, signal?: AbortSignal): Promise<TileAnswer> {
    const path = tilePath(tile);
    const first = await this.#getTile(`${route.base}/${path}`, signal);
    if (first.status === 200) return { data: first.body, answered: true, detail: '' };
    const fullWidth = 2 ** tile.height;
    if (tile.width < fullWidth && typeof first.outcome === 'number') {
      const full = await this.#getTile(
        `${route.base}/${tilePath({ ...tile, width: fullWidth })}`,
        signal,
      );
      if (full.status === 200) {
        const keep = Math.floor(full.body.length / fullWidth) * tile.width;
        return { data: full.body.subarray(0, keep), answered: true, detail: '' };
      }
    }
    // Go reports the error of the tile it asked for, not of the full-tile fallback.
    const answered = typeof first.outcome === 'number' || !CUT_SHORT.has(first.outcome);
    const what = typeof first.outcome === 'number' ? `answered ${first.outcome}` : first.outcome;
    return {
      data: null,
      answered,
      detail: `${route.display}/${path} ${what}${first.error ? ` (${first.error})` : ''}`,
    };
  }

  #getTile(url: string, signal?: AbortSignal): Promise<HttpResult> {
    return this.#get(url, 'sumdb-lookup', undefined, signal, MAX_TILE_BYTES).then((r) => r.http);
  }

  async #lookupViaRoutes(path: string, version: string): Promise<ModuleHashes | null> {
    const key = `${path}@${version}`;
    const known = this.#reference(key);
    if (known) return known;
    // Wait for a working route, or for every route started so far to fail.
    await Promise.race([this.#firstOk, this.#allRoutesDone()]);
    const order = [...this.#routes]
      .filter((r) => r.ok)
      .sort((a, b) => rankKind(a.kind) - rankKind(b.kind));
    for (const route of order) {
      const existing = route.answers.get(key);
      if (existing) return this.#reference(key) ?? existing;
      const result = await this.#get(this.#lookupUrl(route, path, version), 'sumdb-lookup', key);
      if (result.http.status !== 200 || !this.#verifier) continue;
      let verified: VerifiedLookup;
      try {
        verified = verifyLookup(result.http.body, this.#verifier, path, version);
      } catch {
        continue; // try the next route
      }
      const failure = await this.#proveRecord(route, verified);
      if (failure) {
        // What Go would reject makes the route fail; our own timer cutting a tile short does not.
        if (failure.answered) {
          route.ok = false;
          route.error = failure.reason;
        }
        continue;
      }
      route.answers.set(key, { mod: verified.mod, zip: verified.zip });
      return this.#reference(key);
    }
    return null;
  }

  /**
   * Resolves once every route started so far has settled. Event-driven on purpose: a polling loop
   * raced against an already-resolved promise never yields to the event loop, so no timer (request
   * timeouts, the deadline) could fire and the pending route could never finish.
   */
  #allRoutesDone(): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.#routes.some((r) => !r.done)) return;
        this.#settleWaiters.delete(check);
        resolve();
      };
      this.#settleWaiters.add(check);
      check();
    });
  }

  /**
   * The record to judge mirrors by. Every answer is proven to be in a signed tree, so one is as good
   * as another; direct or alias answers come first, then a strict majority of relays (a single
   * relay is enough: its record is proven). Two proven records can only differ if the database
   * signed two different trees, and then no relay majority is trusted.
   */
  #reference(key: string): ModuleHashes | null {
    for (const route of this.#routes) {
      if (route.kind !== 'mirror' && route.answers.has(key)) return route.answers.get(key)!;
    }
    const relayed = this.#routes
      .filter((r) => r.kind === 'mirror' && r.answers.has(key))
      .map((r) => r.answers.get(key)!);
    if (relayed.length === 0) return null;
    const counts = new Map<string, { hashes: ModuleHashes; n: number }>();
    for (const h of relayed) {
      const id = `${h.mod} ${h.zip}`;
      const entry = counts.get(id) ?? { hashes: h, n: 0 };
      entry.n++;
      counts.set(id, entry);
    }
    const best = [...counts.values()].sort((a, b) => b.n - a.n)[0]!;
    return best.n * 2 > relayed.length ? best.hashes : null;
  }

  /** A relay that verified but disagrees with the reference record is not a route to trust. */
  #finalOk(route: RouteState): boolean {
    if (!route.ok || route.kind !== 'mirror') return route.ok;
    for (const [key, hashes] of route.answers) {
      const reference = this.#reference(key);
      if (reference && (reference.mod !== hashes.mod || reference.zip !== hashes.zip)) return false;
    }
    return true;
  }

  async #get(
    url: string,
    kind: EndpointResult['kind'],
    module: string | undefined,
    signal?: AbortSignal,
    maxBytes = MAX_SUMDB_BYTES,
  ): Promise<{ http: HttpResult; endpoint: EndpointResult }> {
    const options = (): GetOptions => {
      const base = this.#requestOptions();
      const signals = [base.signal, signal].filter((s): s is AbortSignal => s !== undefined);
      return {
        ...base,
        maxBytes,
        ...(signals.length > 0
          ? { signal: signals.length === 1 ? signals[0]! : AbortSignal.any(signals) }
          : {}),
      };
    };
    const canRetry = () => !signal?.aborted && this.#canRetry();
    const { http, retriedAfter } = await getWithOneRetry(this.#http, url, options, canRetry);
    const endpoint: EndpointResult = {
      kind,
      ...(module ? { module } : {}),
      url: http.url,
      outcome: http.outcome,
      ok: http.status === 200,
      timing: http.timing,
      bytes: http.bytes,
      ...(http.error ? { error: http.error } : {}),
      ...(retriedAfter ? { retriedAfter } : {}),
    };
    return { http, endpoint };
  }

  /** The only place lookup URLs are made: a private module path never reaches the checksum database. */
  #lookupUrl(route: RouteState, path: string, version: string): string {
    if (this.#isPrivate(path))
      throw new PrivacyError(`refusing to look up private module ${path} in the checksum database`);
    return `${route.base}/lookup/${lookupPath(path, version)}`;
  }

  #isPrivate(path: string): boolean {
    return this.#privatePatterns !== '' && matchPrefixPatterns(this.#privatePatterns, path);
  }

  #track(promise: Promise<unknown>): void {
    const tracked = promise.catch(() => {}).finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }
}

/** Outcomes of a request we ended ourselves (probe deadline, early stop), which say nothing about the route. */
const CUT_SHORT: ReadonlySet<string> = new Set(['deadline', 'skipped']);

function rankKind(kind: RouteState['kind']): number {
  return kind === 'direct' ? 0 : kind === 'alias' ? 1 : 2;
}

/** `/lookup/<escaped path>@<escaped version>` (module.EscapePath / EscapeVersion, as the sumdb client sends). */
export function lookupPath(path: string, version: string): string {
  return `${escapeModulePath(path)}@${escapeModuleVersion(version)}`;
}
