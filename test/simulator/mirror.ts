/**
 * One simulated module mirror: its own listener (HTTP or HTTPS, optionally behind a latency and
 * bandwidth relay), the module proxy protocol over the corpus, the `/sumdb/<name>/…` relay, and
 * the misbehaviour its profile asks for.
 */
import {
  type IncomingMessage,
  STATUS_CODES,
  type ServerResponse,
  createServer as createHttpServer,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type Server, createServer as createTcpServer } from 'node:net';
import { unescapeModulePath } from '../../src/goenv/escape.js';
import type { CertBundle } from './certs.js';
import type { Corpus, CorpusModule } from './corpus.js';
import type { Lifetime } from './lifetime.js';
import { listen, startLinkRelay } from './link.js';
import type { RequestLog } from './log.js';
import {
  type Fault,
  type FaultRule,
  type MirrorEndpoint,
  type MirrorProfile,
  twinName,
} from './profile.js';
import {
  type SimpleResponse,
  type StatusSink,
  basicAuthMatches,
  send,
  sendHeaderFlood,
  sendHuge,
  sendSlowBody,
  sendSlowHeaders,
  sendThenReset,
  textResponse,
} from './respond.js';
import { compareVersions } from './semver.js';
import type { SumdbServer } from './sumdb-server.js';
import { writeZip } from './zip.js';

export interface MirrorContext {
  readonly corpus: Corpus;
  readonly sumdb: SumdbServer;
  readonly log: RequestLog;
  readonly lifetime: Lifetime;
  readonly certs: CertBundle;
}

/** Database names a relay answers for: ours, and sum.golang.org (probes ask for it by name). */
function relayedNames(sumdb: SumdbServer): string[] {
  return [sumdb.db.name, 'sum.golang.org'];
}

const JSON_TYPE = 'application/json';
const TEXT_TYPE = 'text/plain; charset=utf-8';
const ZIP_TYPE = 'application/zip';
const HTML_PAGE =
  '<!DOCTYPE html>\n<html><head><title>Mirror maintenance</title></head><body>Back soon.</body></html>\n';

interface Classified {
  readonly endpoint: MirrorEndpoint;
  /** For module endpoints: escaped path and (for .info/.mod/.zip) escaped version. */
  readonly escapedPath?: string;
  readonly escapedVersion?: string;
  /** For sumdb endpoints: the database name and the path below it (`/lookup/…`). */
  readonly dbName?: string;
  readonly dbPath?: string;
}

export function classifyPath(below: string): Classified {
  const sumdb = /^\/sumdb\/(.+?)(\/supported|\/latest|\/lookup\/.+|\/tile\/.+)$/.exec(below);
  if (sumdb) {
    const dbPath = sumdb[2]!;
    const endpoint: MirrorEndpoint =
      dbPath === '/supported'
        ? 'sumdb-supported'
        : dbPath === '/latest'
          ? 'sumdb-latest'
          : dbPath.startsWith('/lookup/')
            ? 'sumdb-lookup'
            : 'sumdb-tile';
    return { endpoint, dbName: sumdb[1]!, dbPath };
  }
  const list = /^\/(.+)\/@v\/list$/.exec(below);
  if (list) return { endpoint: 'list', escapedPath: list[1]! };
  const file = /^\/(.+)\/@v\/([^/]+)\.(info|mod|zip)$/.exec(below);
  if (file)
    return { endpoint: file[3] as MirrorEndpoint, escapedPath: file[1]!, escapedVersion: file[2]! };
  const latest = /^\/(.+)\/@latest$/.exec(below);
  if (latest) return { endpoint: 'latest', escapedPath: latest[1]! };
  return { endpoint: 'other' };
}

function ruleMatches(rule: FaultRule, endpoint: MirrorEndpoint, below: string): boolean {
  const match = rule.match;
  if (match === undefined) return true;
  if (match instanceof RegExp) return match.test(below);
  if (typeof match === 'string') return match === endpoint;
  return match.includes(endpoint);
}

function infoJson(module: CorpusModule, time = module.time): string {
  return `${JSON.stringify({ Version: module.version, Time: time })}\n`;
}

function tamperedZip(module: CorpusModule): Buffer {
  const victim = module.entries.findLast((e) => !e.name.endsWith('/go.mod')) ?? module.entries[0]!;
  return writeZip(
    module.entries.map((e) => ({
      name: e.name,
      content:
        e === victim
          ? Buffer.concat([e.content, Buffer.from('\n// tampered by the simulator\n')])
          : e.content,
    })),
  );
}

/** What a module request resolves to before faults: the content, or a not-found answer. */
type Resolved =
  | {
      readonly ok: true;
      readonly endpoint: MirrorEndpoint;
      readonly module?: CorpusModule;
      readonly response: SimpleResponse;
    }
  | { readonly ok: false; readonly response: SimpleResponse };

export class Mirror {
  readonly profile: MirrorProfile;
  readonly #ctx: MirrorContext;
  readonly #hits = new Map<FaultRule, number>();
  readonly #tamperedZips = new Map<CorpusModule, Buffer>();
  #port = 0;
  #twinPort = 0;

  private constructor(profile: MirrorProfile, ctx: MirrorContext) {
    this.profile = profile;
    this.#ctx = ctx;
  }

  static async start(profile: MirrorProfile, ctx: MirrorContext): Promise<Mirror> {
    const mirror = new Mirror(profile, ctx);
    await mirror.#listen();
    return mirror;
  }

  get name(): string {
    return this.profile.name;
  }

  get port(): number {
    return this.#port;
  }

  /** Port of the plain-HTTP twin that `redirect: 'http'` sends clients to (0 when there is none). */
  get twinPort(): number {
    return this.#twinPort;
  }

  get tls(): boolean {
    return this.profile.tls ?? true;
  }

  get basePath(): string {
    return this.profile.basePath ?? '';
  }

  resetCounters(): void {
    this.#hits.clear();
  }

  async #listen(): Promise<void> {
    const { lifetime } = this.#ctx;
    if (this.profile.blackhole) {
      this.#port = await listen(this.#tcpBlackhole());
      return;
    }
    const inner = this.#httpServer(false);
    const innerPort = await listen(inner);
    const needsLink = (this.profile.latencyMs ?? 0) > 0 || this.profile.bandwidthBps !== undefined;
    this.#port = needsLink
      ? portOf(await startLinkRelay(innerPort, this.profile, lifetime))
      : innerPort;
    if (this.profile.faults?.some((r) => r.fault.kind === 'redirect' && r.fault.to === 'http')) {
      this.#twinPort = await listen(this.#httpServer(true));
    }
  }

  #tcpBlackhole(): Server {
    const { lifetime, log } = this.#ctx;
    const server = createTcpServer((socket) => {
      lifetime.track(socket);
      socket.on('error', () => {});
      socket.resume();
      log.add({ server: this.name, method: 'ACCEPT', rawPath: '', authorization: false });
    });
    lifetime.trackServer(server);
    return server;
  }

  #httpServer(twin: boolean): Server {
    const { lifetime, certs } = this.#ctx;
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.#handle(req, res, twin).catch(() => res.destroy());
    };
    const certificate =
      this.profile.certificate === 'wrong-name'
        ? certs.wrongName
        : this.profile.certificate === 'untrusted'
          ? certs.untrusted
          : certs.server;
    const server =
      this.tls && !twin
        ? createHttpsServer({ key: certificate.key, cert: certificate.cert }, handler)
        : createHttpServer(handler);
    server.on('connection', (socket) => lifetime.track(socket));
    // Hostile responses may leave a client's request half-read: keep the server quiet about it.
    server.on('clientError', (_error, socket) => socket.destroy());
    lifetime.trackServer(server as unknown as Server);
    return server as unknown as Server;
  }

  async #handle(req: IncomingMessage, res: ServerResponse, twin: boolean): Promise<void> {
    const { log, lifetime } = this.#ctx;
    const rawPath = req.url ?? '/';
    const record = log.add({
      server: twin ? twinName(this.name) : this.name,
      method: req.method ?? 'GET',
      rawPath,
      authorization: req.headers.authorization !== undefined,
    });
    res.on('finish', () => {
      record.status = res.statusCode;
    });

    const auth = this.profile.auth;
    if (auth && !basicAuthMatches(req.headers.authorization, auth.user, auth.password)) {
      send(res, textResponse(401, 'unauthorized'), {
        'WWW-Authenticate': 'Basic realm="simulated private proxy"',
      });
      return;
    }
    if (this.profile.status !== undefined) {
      const status = this.profile.status;
      send(
        res,
        textResponse(
          status,
          `${status} ${STATUS_CODES[status] ?? ''} from simulated mirror ${this.name}`,
        ),
      );
      return;
    }
    const below = this.#belowBase(record.path);
    if (below === undefined) {
      send(res, textResponse(404, '404 page not found'));
      return;
    }
    const classified = classifyPath(below);
    const rule = this.#matchRule(classified.endpoint, below, twin);
    const fault = rule?.fault;

    // Faults that do not need the real content.
    if (fault?.kind === 'blackhole') return;
    if (fault?.kind === 'status') {
      send(
        res,
        textResponse(
          fault.status,
          fault.body ?? `${fault.status} ${STATUS_CODES[fault.status] ?? ''}`,
        ),
      );
      return;
    }
    if (fault?.kind === 'redirect') {
      send(res, textResponse(fault.status ?? 302, 'redirect'), {
        Location: this.#redirectTarget(req, fault.to, rawPath),
      });
      return;
    }
    if (fault?.kind === 'slow-headers') {
      await sendSlowHeaders(req, lifetime, fault.intervalMs ?? 200, record as StatusSink);
      return;
    }

    const resolved = this.#resolve(classified, req);
    if (resolved === 'hang') return;
    if (!resolved.ok || fault === undefined) {
      send(res, resolved.response);
      return;
    }
    await this.#deliverWithFault(req, res, fault, resolved, record as StatusSink);
  }

  #belowBase(path: string): string | undefined {
    const base = this.basePath;
    if (base === '') return path;
    if (path === base) return '/';
    return path.startsWith(`${base}/`) ? path.slice(base.length) : undefined;
  }

  #matchRule(endpoint: MirrorEndpoint, below: string, twin: boolean): FaultRule | undefined {
    for (const rule of this.profile.faults ?? []) {
      if (twin && rule.fault.kind === 'redirect') continue;
      if (!ruleMatches(rule, endpoint, below)) continue;
      const used = this.#hits.get(rule) ?? 0;
      if (rule.times !== undefined && used >= rule.times) continue;
      this.#hits.set(rule, used + 1);
      return rule;
    }
    return undefined;
  }

  #redirectTarget(req: IncomingMessage, to: string, rawPath: string): string {
    if (to === 'loop') return rawPath;
    if (to === 'http') {
      const hostname = new URL(`http://${req.headers.host ?? '127.0.0.1'}`).hostname;
      return `http://${hostname}:${this.#twinPort}${rawPath}`;
    }
    return to;
  }

  async #deliverWithFault(
    req: IncomingMessage,
    res: ServerResponse,
    fault: Fault,
    resolved: Extract<Resolved, { ok: true }>,
    sink: StatusSink,
  ): Promise<void> {
    const { lifetime } = this.#ctx;
    const normal = resolved.response;
    switch (fault.kind) {
      case 'slow-body':
        await sendSlowBody(res, normal, lifetime, fault.intervalMs ?? 100, fault.chunkBytes ?? 1);
        return;
      case 'reset':
        sendThenReset(res, normal, fault.afterBytes ?? Math.floor(normal.body.length / 2));
        return;
      case 'huge':
        await sendHuge(res, normal.contentType, lifetime, fault.bytes);
        return;
      case 'header-flood':
        sendHeaderFlood(req, normal, fault.count ?? 5000, sink);
        return;
      case 'empty':
        send(res, { ...normal, body: Buffer.alloc(0) });
        return;
      case 'invalid-json':
        send(res, {
          ...normal,
          contentType: JSON_TYPE,
          body: Buffer.from('{"Version": "v1.0.0", "Time": '),
        });
        return;
      case 'tamper':
        send(res, this.#tampered(resolved));
        return;
      case 'wrong-content':
        send(res, this.#wrongContent(resolved));
        return;
      default:
        send(res, normal);
    }
  }

  #tampered(resolved: Extract<Resolved, { ok: true }>): SimpleResponse {
    const { endpoint, module, response } = resolved;
    if (endpoint === 'mod' && module) {
      return {
        ...response,
        body: Buffer.concat([module.mod, Buffer.from('// tampered by the simulator\n')]),
      };
    }
    if (endpoint === 'zip' && module) {
      let zip = this.#tamperedZips.get(module);
      if (!zip) {
        zip = tamperedZip(module);
        this.#tamperedZips.set(module, zip);
      }
      return { ...response, body: zip };
    }
    if ((endpoint === 'info' || endpoint === 'latest') && module) {
      return { ...response, body: Buffer.from(infoJson(module, '1999-12-31T23:59:59Z')) };
    }
    if (endpoint === 'sumdb-lookup' && response.status === 200) return this.#forgedLookup(response);
    return response;
  }

  /** The same signed tree with a record whose hashes were changed: the record is no longer in the tree. */
  #forgedLookup(response: SimpleResponse): SimpleResponse {
    const body = response.body.toString('utf8');
    const id = Number.parseInt(body, 10);
    const record = this.#ctx.sumdb.db.log.records[id];
    if (record === undefined) return response;
    const forged = record
      .toString('utf8')
      .replace(/h1:./g, (h) => `h1:${h.endsWith('A') ? 'B' : 'A'}`);
    return { ...response, body: this.#ctx.sumdb.db.lookupBody(id, Buffer.from(forged)) };
  }

  #wrongContent(resolved: Extract<Resolved, { ok: true }>): SimpleResponse {
    const { endpoint, module, response } = resolved;
    const { corpus } = this.#ctx;
    if (endpoint === 'zip' && module) {
      const other = corpus.modules.find((m) => m.path !== module.path) ?? module;
      return { ...response, body: other.zip };
    }
    if ((endpoint === 'info' || endpoint === 'latest') && module) {
      const other = corpus.versions(module.path).find((v) => v !== module.version);
      const json = other
        ? infoJson(corpus.get(module.path, other)!)
        : `${JSON.stringify({ Version: 'v0.0.0-wrong', Time: module.time })}\n`;
      return { ...response, body: Buffer.from(json) };
    }
    return { status: 200, contentType: 'text/html; charset=utf-8', body: Buffer.from(HTML_PAGE) };
  }

  /** The honest answer to a request (before faults), or `hang` when the relayed database is blackholed. */
  #resolve(classified: Classified, req: IncomingMessage): Resolved | 'hang' {
    const { endpoint } = classified;
    if (endpoint.startsWith('sumdb-')) return this.#resolveSumdb(classified, req);
    if (endpoint === 'other')
      return { ok: false, response: textResponse(404, '404 page not found') };
    return this.#resolveModule(classified);
  }

  #resolveSumdb(classified: Classified, req: IncomingMessage): Resolved | 'hang' {
    const { endpoint, dbName, dbPath } = classified;
    const relay = this.profile.sumdb ?? (this.profile.serves === 'private' ? 404 : 'supported');
    if (relay !== 'supported') {
      return {
        ok: false,
        response: textResponse(
          relay,
          `${relay} ${STATUS_CODES[relay] ?? ''}: checksum database not proxied here`,
        ),
      };
    }
    if (!relayedNames(this.#ctx.sumdb).includes(dbName!)) {
      return { ok: false, response: textResponse(404, `unsupported checksum database ${dbName}`) };
    }
    if (endpoint === 'sumdb-supported') {
      return {
        ok: true,
        endpoint,
        response: { status: 200, contentType: TEXT_TYPE, body: Buffer.alloc(0) },
      };
    }
    const answer = this.#ctx.sumdb.relay(
      dbPath!,
      this.name,
      req.headers.authorization !== undefined,
    );
    if (answer === 'hang') return 'hang';
    return answer.status === 200
      ? { ok: true, endpoint, response: answer }
      : { ok: false, response: answer };
  }

  #notFound(text: string): Resolved {
    return {
      ok: false,
      response: textResponse(this.profile.notFoundStatus ?? 404, `not found: ${text}`),
    };
  }

  #resolveModule(classified: Classified): Resolved {
    const { endpoint, escapedPath, escapedVersion } = classified;
    let path: string;
    try {
      path = unescapeModulePath(escapedPath!);
    } catch {
      return this.#notFound(`malformed module path "${escapedPath}"`);
    }
    const versions = this.#visibleVersions(path);
    if (versions.length === 0) return this.#notFound(`module ${path}: no matching versions`);
    const { corpus } = this.#ctx;

    if (endpoint === 'list') {
      return {
        ok: true,
        endpoint,
        response: {
          status: 200,
          contentType: TEXT_TYPE,
          body: Buffer.from(`${versions.join('\n')}\n`),
        },
      };
    }
    if (endpoint === 'latest') {
      const module = corpus.latest(path, versions)!;
      return {
        ok: true,
        endpoint,
        module,
        response: { status: 200, contentType: JSON_TYPE, body: Buffer.from(module.info) },
      };
    }
    let version: string;
    try {
      version = unescapeModulePath(escapedVersion!);
    } catch {
      return this.#notFound(`${path}@${escapedVersion}: invalid escaped version`);
    }
    const module = versions.includes(version) ? corpus.get(path, version) : undefined;
    if (!module)
      return this.#notFound(`${path}@${version}: invalid version: unknown revision ${version}`);
    const response: SimpleResponse =
      endpoint === 'info'
        ? { status: 200, contentType: JSON_TYPE, body: Buffer.from(module.info) }
        : endpoint === 'mod'
          ? { status: 200, contentType: TEXT_TYPE, body: module.mod }
          : { status: 200, contentType: ZIP_TYPE, body: module.zip };
    return { ok: true, endpoint, module, response };
  }

  /** Versions of a module this mirror serves (after `serves`, `missing` and `stale`), in semver order. */
  #visibleVersions(path: string): string[] {
    const { corpus } = this.#ctx;
    const serves = this.profile.serves ?? 'public';
    const missing = new Set(this.profile.missing ?? []);
    if (missing.has(path)) return [];
    let versions = corpus.versions(path).filter((version) => {
      const module = corpus.get(path, version)!;
      if (serves === 'public' && module.private) return false;
      if (serves === 'private' && !module.private) return false;
      return !missing.has(`${path}@${version}`);
    });
    const stale = this.profile.stale;
    if (stale === true && versions.length > 1) versions = versions.slice(0, -1);
    if (typeof stale === 'object' && stale[path]) {
      const kept = new Set(stale[path]);
      versions = versions.filter((v) => kept.has(v));
    }
    return versions.sort(compareVersions);
  }

  /** Base URL; `host: 'sim.test'` gives `<name>.sim.test` (reachable only through the forward proxy). */
  url(options: { host?: 'sim.test' | 'localhost'; credentials?: boolean } = {}): string {
    const scheme = this.tls ? 'https' : 'http';
    const host =
      options.host === 'sim.test'
        ? `${this.name}.sim.test`
        : options.host === 'localhost'
          ? 'localhost'
          : '127.0.0.1';
    const auth = this.profile.auth;
    const userinfo =
      options.credentials && auth
        ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.password)}@`
        : '';
    return `${scheme}://${userinfo}${host}:${this.#port}${this.basePath}`;
  }
}

function portOf(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}
