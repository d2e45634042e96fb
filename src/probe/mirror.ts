/**
 * The probe of one candidate, as the go command would talk to it: per module `@v/list` (`@latest`
 * only when the list offers no version), `.info`, `.mod`, one request after the other on one
 * kept-alive connection; different modules side by side on their own connections, as the go
 * command fetches modules in parallel (at most MAX_LANES at once, see `run`); then
 * `/sumdb/<db>/supported` (and a lookup through it when 200); later, for leaders only, a `.zip`.
 * Content is checked the way cmd/go checks it (`.info` JSON and version, zip entry names) and
 * hashed (go.sum `h1:`); every answer with a status is a latency sample.
 */
import { EMPTY_GO_MOD_HASH, goModHash } from '../goenv/dirhash.js';
import { escapeModuleVersion, proxyPath } from '../goenv/escape.js';
import { matchPrefixPatterns } from '../goenv/patterns.js';
import { checkModuleZipNames, hashZip, readZip } from '../goenv/zip.js';
import type { GetOptions, HttpClient, HttpResult } from '../net/http.js';
import type { EndpointOutcome } from '../report/types.js';
import { latestFromList, listHasVersionLines, parseVersionList } from './modules.js';
import { getWithOneRetry } from './retry.js';
import { PrivacyError, type SumdbProber } from './sumdb.js';
import type { ProgressView } from './timing.js';
import type { Candidate, EndpointKind, EndpointResult, ModuleRef, RequestTiming } from './types.js';

const MAX_BYTES: Record<EndpointKind, number> = {
  list: 2 * 1024 * 1024,
  latest: 64 * 1024,
  info: 64 * 1024,
  mod: 4 * 1024 * 1024,
  zip: 4 * 1024 * 1024,
  'sumdb-supported': 64 * 1024,
  'sumdb-lookup': 256 * 1024,
  'sumdb-latest': 64 * 1024,
};

/** Below this many body bytes a throughput figure measures round trips, not bandwidth. */
export const MIN_THROUGHPUT_BYTES = 32 * 1024;

/**
 * Modules probed at once on one mirror, each on its own connection. Every lane's first request
 * opens a connection (setup round trips included in its total), so the lanes must stay fewer
 * than half of the latency samples for the median to remain a request on a warm connection:
 * with m modules there are at least 3m + 1 samples and min(m, MAX_LANES) openers, always fewer
 * than half.
 */
export const MAX_LANES = 2;

export interface MirrorRunOptions {
  readonly http: HttpClient;
  readonly candidate: Candidate;
  /** Public modules for public mirrors, private modules for the private proxy. */
  readonly modules: readonly ModuleRef[];
  /** Module path patterns a public mirror must never be asked about. */
  readonly privatePatterns: string;
  readonly databaseName: string;
  readonly sumdb: SumdbProber;
  readonly requestOptions: () => GetOptions;
  /** Whether the deadline leaves room to ask again after a timeout (retry.ts). */
  readonly canRetry: () => boolean;
  /** Called after every answer, so the engine can re-evaluate the early stop. */
  readonly onProgress: () => void;
  /** Whether requests to this candidate go through an HTTP proxy from the environment. */
  readonly proxied: boolean;
}

export interface StopReason {
  readonly code: 'deadline' | 'skipped';
  readonly message: string;
}

export class MirrorRun {
  readonly candidate: Candidate;
  readonly endpoints: EndpointResult[] = [];
  readonly samples: RequestTiming[] = [];
  readonly listed: Record<string, string[]> = {};
  readonly latest: Record<string, string> = {};
  readonly modHashes: Record<string, string> = {};
  readonly zipHashes: Record<string, string> = {};
  /** `path@version` probed per module path. */
  readonly probedVersions: Record<string, string> = {};
  supported: EndpointOutcome | null = null;
  state: 'queued' | 'running' | 'settled' = 'queued';
  stopReason: StopReason | null = null;
  /** A transport failure (no HTTP answer) ended the sequence early. */
  transportFailure = false;
  throughputBytesPerSec: number | null = null;
  readonly #options: MirrorRunOptions;
  readonly #controller = new AbortController();
  /** Start of each latency sample in flight (one per lane at most). */
  readonly #pendingSince = new Map<object, number>();
  #firstDnsMs: number | null = null;
  #tcpRttMs: number | null = null;

  constructor(options: MirrorRunOptions) {
    this.#options = options;
    this.candidate = options.candidate;
  }

  /** list, info, mod per module (plus @latest for a module without a pinned version), then /supported. */
  get plannedSamples(): number {
    return this.#options.modules.reduce((n, m) => n + (m.version === null ? 4 : 3), 0) + 1;
  }

  get modules(): readonly ModuleRef[] {
    return this.#options.modules;
  }

  /** Stops the sequence; the request in flight ends with `reason.code` as its outcome. */
  stop(reason: StopReason): void {
    if (this.stopReason || this.state === 'settled') return;
    this.stopReason = reason;
    this.#controller.abort(Object.assign(new Error(reason.message), { code: reason.code }));
  }

  /**
   * The latency sequence. Modules are shared out to at most MAX_LANES lanes that run side by side,
   * each one module's requests in order on one connection; the lane that runs out of modules first
   * asks `/supported`. A transport failure (no HTTP answer) or a stop ends every lane: no lane
   * takes more work after it (the request already in flight on another lane finishes or times out).
   */
  async run(): Promise<void> {
    this.state = 'running';
    try {
      const work: Array<ModuleRef | 'supported'> = [...this.#options.modules, 'supported'];
      let ended = false;
      const lane = async (): Promise<void> => {
        for (let task = work.shift(); task !== undefined && !ended; task = work.shift()) {
          if (task === 'supported') await this.#probeSumdbSupport();
          else if (!(await this.#probeModule(task))) ended = true;
        }
      };
      const lanes = Math.max(1, Math.min(MAX_LANES, this.#options.modules.length));
      await Promise.all(Array.from({ length: lanes }, lane));
    } finally {
      this.state = 'settled';
      this.#options.onProgress();
    }
  }

  /** What the early stop may assume about this mirror now. */
  progressView(now: number): ProgressView {
    const completed = this.samples.map((s) => s.totalMs ?? 0);
    const url = safeUrl(this.candidate.url);
    const https = url?.protocol === 'https:';
    return {
      completed,
      firstDnsMs: this.#firstDnsMs,
      tcpRttMs: this.#options.proxied ? null : this.#tcpRttMs,
      pendingMs: [...this.#pendingSince.values()].map((since) => now - since),
      planned: this.plannedSamples,
      setupRoundTrips: 1 + (https ? 2 : 0) + (this.#options.proxied ? 1 : 0),
      resolvesName: url !== null && !/^[\d.]+$|^\[/.test(url.hostname),
    };
  }

  /**
   * Throughput sample and zip hashes: the probe modules' `.zip` files, one after the other, within
   * `windowMs` of body time. Throughput is body bytes over body time (setup and time to first byte
   * excluded), reported only past MIN_THROUGHPUT_BYTES, below which round trips dominate.
   *
   * Measure-only: a download that our window, a request timeout or the deadline cut short leaves
   * the throughput unmeasured and says so (`throughput not measured: …`); only what the mirror
   * answered — a status other than 200, a zip Go would refuse — can count against it (isZipFailure).
   */
  async downloadZips(windowMs: number): Promise<void> {
    const deadline = performance.now() + windowMs;
    let bytes = 0;
    let bodyMs = 0;
    for (const module of this.#options.modules) {
      const version = this.probedVersions[module.path];
      const left = deadline - performance.now();
      if (version === undefined || left <= 0 || this.stopReason) continue;
      const key = `${module.path}@${version}`;
      const { http, record } = await this.#request(
        'zip',
        this.#moduleUrl(module.path, `@v/${escapeModuleVersion(version)}.zip`),
        key,
        { sampleWindowMs: left },
      );
      if (isCutShort(http.outcome)) {
        record({ error: `throughput not measured: ${http.error ?? http.outcome}` });
        break; // the time for this mirror is used up
      }
      if (http.outcome !== 200) continue;
      bytes += http.bytes;
      bodyMs += Math.max(0, (http.timing.totalMs ?? 0) - (http.timing.ttfbMs ?? 0));
      if (!http.complete) break;
      try {
        const entries = readZip(http.body);
        const problem = checkModuleZipNames(entries, module.path, version);
        if (problem) record({ outcome: 'invalid-response', ok: false, error: problem });
        else this.zipHashes[key] = hashZip(http.body);
      } catch (error) {
        record({
          outcome: 'invalid-response',
          ok: false,
          error: `zip for ${key}: ${(error as Error).message}`,
        });
      }
    }
    if (bytes >= MIN_THROUGHPUT_BYTES && bodyMs > 0)
      this.throughputBytesPerSec = Math.round(bytes / (bodyMs / 1000));
  }

  /**
   * Returns false when the sequence must end: a transport failure (on this lane or another) or a
   * stop. The module's later requests are not sent then, as in the sequential probe.
   */
  async #probeModule(module: ModuleRef): Promise<boolean> {
    const { path } = module;
    const key = (v: string) => `${path}@${v}`;

    const list = await this.#request('list', this.#moduleUrl(path, '@v/list'), path);
    if (!list.answered) return false;
    if (list.http.status === 200) {
      const body = list.http.body.toString('utf8');
      const versions = parseVersionList(body);
      this.listed[path] = versions;
      // A list of pseudo-versions only is well formed (Go just finds no tagged version in it).
      if (versions.length === 0 && !listHasVersionLines(body)) {
        list.record({
          outcome: 'invalid-response',
          ok: false,
          error: `no valid version in ${path}/@v/list`,
        });
      }
    }

    if (this.transportFailure) return false;

    // Like the go command, ask @latest only when the list has no version to offer (and only when
    // no version is pinned): the list alone already shows how fresh the mirror is.
    const fromList = latestFromList(this.listed[path] ?? []);
    if (fromList) this.latest[path] = fromList;
    else if (module.version === null) {
      const latest = await this.#request('latest', this.#moduleUrl(path, '@latest'), path);
      if (!latest.answered) return false;
      if (latest.http.status === 200) {
        const info = parseInfo(latest.http.body);
        if (typeof info === 'string')
          latest.record({
            outcome: 'invalid-response',
            ok: false,
            error: `invalid response from proxy "${this.candidate.displayUrl}": ${info}`,
          });
        else if (info.version) this.latest[path] = info.version;
      }
      if (this.transportFailure) return false;
    }

    const version = module.version ?? fromList ?? this.latest[path] ?? null;
    if (version === null) return true;
    this.probedVersions[path] = version;

    const info = await this.#request(
      'info',
      this.#moduleUrl(path, `@v/${escapeModuleVersion(version)}.info`),
      key(version),
    );
    if (!info.answered) return false;
    if (info.http.status === 200) {
      const parsed = parseInfo(info.http.body);
      if (typeof parsed === 'string') {
        info.record({
          outcome: 'invalid-response',
          ok: false,
          error: `invalid response from proxy "${this.candidate.displayUrl}": ${parsed}`,
        });
      } else if (parsed.version !== version) {
        info.record({
          outcome: 'invalid-response',
          ok: false,
          error: `proxy returned info for version ${parsed.version} instead of requested version`,
        });
      }
    }
    if (this.transportFailure) return false;

    const mod = await this.#request(
      'mod',
      this.#moduleUrl(path, `@v/${escapeModuleVersion(version)}.mod`),
      key(version),
    );
    if (!mod.answered) return false;
    if (mod.http.status === 200) {
      const hash = goModHash(mod.http.body);
      this.modHashes[key(version)] = hash;
      if (hash === EMPTY_GO_MOD_HASH)
        mod.record({
          outcome: 200,
          ok: false,
          error: `empty .mod for ${key(version)} (go.sum would read ${EMPTY_GO_MOD_HASH})`,
        });
      else this.#options.sumdb.lookup(path, version);
    }
    return !this.transportFailure;
  }

  async #probeSumdbSupport(): Promise<void> {
    const url = `${this.candidate.url}/sumdb/${this.#options.databaseName}/supported`;
    const supported = await this.#request('sumdb-supported', url, undefined);
    this.supported = supported.http.outcome;
    if (supported.http.status === 200 && !this.stopReason) {
      const endpoint = await this.#options.sumdb.probeMirrorRoute(
        this.candidate,
        this.#controller.signal,
      );
      if (endpoint) this.endpoints.push(endpoint);
    }
  }

  /**
   * The only place module URLs are made. A public mirror is never asked about a module matching
   * the private patterns: building such a request is refused, not filtered later.
   */
  #moduleUrl(path: string, suffix: string): string {
    if (
      !this.candidate.isPrivate &&
      this.#options.privatePatterns !== '' &&
      matchPrefixPatterns(this.#options.privatePatterns, path)
    ) {
      throw new PrivacyError(
        `refusing to ask public mirror ${this.candidate.displayUrl} about private module ${path}`,
      );
    }
    return `${this.candidate.url}/${proxyPath(path, suffix)}`;
  }

  async #request(
    kind: EndpointKind,
    url: string,
    module: string | undefined,
    extra: Partial<GetOptions> = {},
  ): Promise<{
    http: HttpResult;
    answered: boolean;
    record: (patch: Partial<EndpointResult>) => void;
  }> {
    // Every request but the throughput download is a latency sample.
    const sample = kind !== 'zip';
    const inFlight = {};
    const options = (): GetOptions => {
      const base = this.#options.requestOptions();
      const signals = [base.signal, this.#controller.signal].filter(
        (s): s is AbortSignal => s !== undefined,
      );
      // The sample in flight is the current attempt (a retry starts the clock again).
      if (sample) this.#pendingSince.set(inFlight, performance.now());
      return { ...base, maxBytes: MAX_BYTES[kind], ...extra, signal: AbortSignal.any(signals) };
    };
    // The throughput phase only measures: a slow zip is not asked twice.
    const canRetry = () => kind !== 'zip' && !this.stopReason && this.#options.canRetry();
    let http: HttpResult;
    let retriedAfter: string | undefined;
    try {
      ({ http, retriedAfter } = await getWithOneRetry(this.#options.http, url, options, canRetry));
    } finally {
      this.#pendingSince.delete(inFlight);
    }
    const index = this.endpoints.length;
    this.endpoints.push({
      kind,
      ...(module ? { module } : {}),
      url: http.url,
      outcome: http.outcome,
      ok: http.status === 200 && typeof http.outcome === 'number',
      timing: http.timing,
      bytes: http.bytes,
      ...(http.error ? { error: http.error } : {}),
      ...(retriedAfter ? { retriedAfter } : {}),
    });
    const answered = typeof http.outcome === 'number';
    if (answered && sample && http.timing.ttfbMs !== null) {
      if (this.samples.length === 0) {
        this.#firstDnsMs = http.timing.dnsMs;
      }
      if (http.timing.connectMs !== null && this.#tcpRttMs === null)
        this.#tcpRttMs = http.timing.connectMs;
      this.samples.push(http.timing);
    }
    if (!answered && kind !== 'zip' && !this.stopReason) this.transportFailure = true;
    this.#options.onProgress();
    const record = (patch: Partial<EndpointResult>) => {
      this.endpoints[index] = { ...this.endpoints[index]!, ...patch };
    };
    return { http, answered: answered && !this.stopReason, record };
  }
}

/** Outcomes our own timers or stops produce: they say how long we waited, not what the mirror served. */
export function isCutShort(outcome: EndpointOutcome): boolean {
  return outcome === 'timeout' || outcome === 'deadline' || outcome === 'skipped';
}

/**
 * Whether a `.zip` answer fails the mirror: a status other than 200, or content Go would refuse
 * (`invalid-response`, also set when the entry names are wrong), or a redirect/transport error Go
 * would hit too. A download cut short by our window, a request timeout or the deadline does not:
 * the throughput phase only measures.
 */
export function isZipFailure(endpoint: EndpointResult): boolean {
  return endpoint.kind === 'zip' && !endpoint.ok && !isCutShort(endpoint.outcome);
}

interface Info {
  readonly version: string;
}

/**
 * json.Unmarshal into cmd/go's RevInfo {Version string; Time time.Time}: an object (or null) whose
 * Version is a string and whose Time, when present, is an RFC 3339 string. Returns Go-like error
 * text when it is not.
 */
export function parseInfo(body: Buffer): Info | string {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return (error as Error).message.replace(/^JSON\.parse: /, '');
  }
  if (value === null) return { version: '' };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return `json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value of type modfetch.RevInfo`;
  }
  const fields = caseInsensitive(value as Record<string, unknown>);
  const version = fields.version;
  if (version !== undefined && version !== null && typeof version !== 'string') {
    return 'json: cannot unmarshal into Go struct field RevInfo.Version of type string';
  }
  const time = fields.time;
  if (time !== undefined && time !== null) {
    if (typeof time !== 'string' || !RFC3339.test(time) || Number.isNaN(Date.parse(time))) {
      return `parsing time ${JSON.stringify(time)} as RFC 3339 failed`;
    }
  }
  return { version: typeof version === 'string' ? version : '' };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** encoding/json matches field names case-insensitively. */
function caseInsensitive(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(object)) {
    const lower = name.toLowerCase();
    if (!(lower in out) || name === 'Version' || name === 'Time') out[lower] = value;
  }
  return out;
}

function safeUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}
