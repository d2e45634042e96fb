/**
 * Routes to the checksum database and the signed go.sum hashes they serve.
 *
 * Routes: the database itself (`https://<name>`, or the explicit URL of a `key url` GOSUMDB), the
 * alias `https://sum.golang.google.cn` for sum.golang.org, and every candidate whose
 * `/sumdb/<name>/supported` answered 200 (`<mirror>/sumdb/<name>`). A route is ok only when its
 * answer's signed tree note verifies with the database key.
 *
 * A relay could forge a record under a genuine tree note (records are bound to the tree only by an
 * inclusion proof, which needs tiles and is not done here), so when the database is reachable
 * directly its records are the reference and a relay serving another record is marked not ok.
 */
import { escapeModulePath, escapeModuleVersion } from '../goenv/escape.js';
import {
  type ModuleHashes,
  NoteError,
  type NoteVerifier,
  parseVerifierKey,
  verifyLatest,
  verifyLookup,
} from '../goenv/note.js';
import { matchPrefixPatterns } from '../goenv/patterns.js';
import type { GetOptions, HttpClient, HttpResult } from '../net/http.js';
import { stripCredentials } from '../redact.js';
import type { EndpointOutcome } from '../report/types.js';
import type { Candidate, ChecksumDatabase, EndpointResult, SumdbRouteProbe } from './types.js';

export const SUM_GOLANG_GOOGLE_CN_URL = 'https://sum.golang.google.cn';
const MAX_SUMDB_BYTES = 256 * 1024;

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
  readonly answers: Map<string, ModuleHashes>;
  endpoint: EndpointResult | null;
}

export interface SumdbProberOptions {
  readonly http: HttpClient;
  readonly database: ChecksumDatabase;
  /** GONOSUMDB-style patterns: never looked up. */
  readonly privatePatterns: string;
  /** Options for each request (timeouts, deadline signal). */
  readonly requestOptions: () => GetOptions;
}

export class SumdbProber {
  readonly #http: HttpClient;
  readonly #database: ChecksumDatabase;
  readonly #privatePatterns: string;
  readonly #requestOptions: () => GetOptions;
  readonly #verifier: NoteVerifier | null;
  readonly #verifierError: string | null;
  readonly #routes: RouteState[] = [];
  readonly #pending = new Set<Promise<unknown>>();
  readonly #lookups = new Map<string, Promise<ModuleHashes | null>>();
  #probeKey: { path: string; version: string } | null = null;
  #firstOk: Promise<void>;
  #resolveFirstOk!: () => void;
  #standaloneDone = false;
  /** Called whenever a route settles; each waiter checks whether every route is done. */
  readonly #settleWaiters = new Set<() => void>();

  constructor(options: SumdbProberOptions) {
    this.#http = options.http;
    this.#database = options.database;
    this.#privatePatterns = options.privatePatterns;
    this.#requestOptions = options.requestOptions;
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
    this.#track(
      Promise.allSettled(standalone).then(() => {
        this.#standaloneDone = true;
      }),
    );
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

  get standaloneDone(): boolean {
    return this.#standaloneDone;
  }

  /** Whether the database answered directly or through the alias. */
  get databaseReachable(): boolean {
    return this.#routes.some((r) => r.kind !== 'mirror' && r.ok);
  }

  isRouteOk(candidate: Candidate): boolean | null {
    const route = this.#routes.find(
      (r) => r.kind === 'mirror' && r.mirror === candidate.displayUrl,
    );
    if (!route || !route.done) return null;
    return this.#finalOk(route);
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
          try {
            const hashes = verifyLookup(result.http.body, this.#verifier, key.path, key.version);
            route.answers.set(`${key.path}@${key.version}`, { mod: hashes.mod, zip: hashes.zip });
            route.ok = true;
          } catch (error) {
            route.outcome = 'invalid-response';
            route.error = `${error instanceof NoteError ? 'verifying' : 'reading'} ${route.display}/lookup: ${(error as Error).message}`;
          }
          return;
        }
        if (result.http.status !== 404 && result.http.status !== 410) {
          route.error =
            result.http.error ?? `${route.display}/lookup answered ${result.http.outcome}`;
          return;
        }
      }
      // No version to look up, or the database does not know it: a signed /latest proves the route.
      const latest = await this.#get(`${route.base}/latest`, 'sumdb-latest', undefined, signal);
      route.endpoint ??= latest.endpoint;
      route.latencyMs ??= latest.http.timing.totalMs;
      route.outcome = latest.http.outcome;
      if (latest.http.status !== 200) {
        route.error =
          latest.http.error ?? `${route.display}/latest answered ${latest.http.outcome}`;
        return;
      }
      try {
        verifyLatest(latest.http.body, this.#verifier);
        route.ok = true;
      } catch (error) {
        route.outcome = 'invalid-response';
        route.error = `verifying ${route.display}/latest: ${(error as Error).message}`;
      }
    } finally {
      route.done = true;
      if (route.ok) this.#resolveFirstOk();
      for (const waiter of [...this.#settleWaiters]) waiter();
    }
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
      try {
        const hashes = verifyLookup(result.http.body, this.#verifier, path, version);
        route.answers.set(key, { mod: hashes.mod, zip: hashes.zip });
        return this.#reference(key);
      } catch {
        // try the next route
      }
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

  /** Direct or alias answers are the reference; otherwise a strict majority of relays (or the only one). */
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
  ): Promise<{ http: HttpResult; endpoint: EndpointResult }> {
    const base = this.#requestOptions();
    const signals = [base.signal, signal].filter((s): s is AbortSignal => s !== undefined);
    const options: GetOptions = {
      ...base,
      maxBytes: MAX_SUMDB_BYTES,
      ...(signals.length > 0
        ? { signal: signals.length === 1 ? signals[0]! : AbortSignal.any(signals) }
        : {}),
    };
    const http = await this.#http.get(url, options);
    const endpoint: EndpointResult = {
      kind,
      ...(module ? { module } : {}),
      url: http.url,
      outcome: http.outcome,
      ok: http.status === 200,
      timing: http.timing,
      bytes: http.bytes,
      ...(http.error ? { error: http.error } : {}),
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

function rankKind(kind: RouteState['kind']): number {
  return kind === 'direct' ? 0 : kind === 'alias' ? 1 : 2;
}

/** `/lookup/<escaped path>@<escaped version>` (module.EscapePath / EscapeVersion, as the sumdb client sends). */
export function lookupPath(path: string, version: string): string {
  return `${escapeModulePath(path)}@${escapeModuleVersion(version)}`;
}
