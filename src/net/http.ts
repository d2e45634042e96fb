/**
 * The one place that talks HTTP. GET only, over undici `Client`s with our own connector, so that:
 * - every phase is timed honestly: DNS, TCP connect (plus the proxy CONNECT), TLS, time to first
 *   byte and total are measured where they happen; a request on a reused connection has null
 *   dns/connect/tls;
 * - the path is the one the go command takes: HTTP(S)_PROXY/NO_PROXY with Go's rules
 *   (proxy-env.ts), CONNECT tunnels for https and absolute-form requests for http through a proxy,
 *   as net/http does; TLS trust = Node's roots + the system store + SSL_CERT_FILE/SSL_CERT_DIR
 *   (Go reads the last two) + NODE_EXTRA_CA_CERTS;
 * - redirects follow Go's securityPreservingHTTPClient: at most 10, never from https to http;
 * - credentials behave as in cmd/go: URL user info becomes Basic auth over https and is refused
 *   over http; .netrc applies over https only and wins over user info;
 * - nothing can hang or flood us: connect, header and body timeouts, a caller deadline signal, a
 *   cap on response bytes and on header size.
 *
 * `get` never throws: every failure is an outcome code (see EndpointResult.outcome).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { readFileSync, readdirSync } from 'node:fs';
import { type Socket, isIP, connect as netConnect } from 'node:net';
import { join } from 'node:path';
import {
  type SecureContext,
  type TLSSocket,
  createSecureContext,
  getCACertificates,
  connect as tlsConnect,
} from 'node:tls';
import { Client } from 'undici';
import type { RequestTiming } from '../probe/types.js';
import { stripCredentials } from '../redact.js';
import type { EndpointOutcome } from '../report/types.js';
import { USER_AGENT } from '../version.js';
import { type NetrcLine, loadNetrc, netrcCredentials } from './netrc.js';
import {
  type ProxyEnvironment,
  effectivePort,
  proxyEnvironment,
  proxyForUrl,
} from './proxy-env.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** Name resolution, injectable so tests can give fake names loopback addresses. */
export type Lookup = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export interface HttpClientOptions {
  /** Proxy variables, SSL_CERT_FILE/SSL_CERT_DIR, NETRC/HOME. Default: process.env. */
  readonly env?: Env;
  readonly userAgent?: string;
  readonly lookup?: Lookup;
  /** More trusted CA certificates (PEM), in addition to the defaults. */
  readonly extraCaCerts?: readonly string[];
  /** .netrc entries to use over https; default: read the file the go command reads. `false`: none. */
  readonly netrc?: readonly NetrcLine[] | false;
  /** Largest response header block accepted (a header flood ends as `too-large`). Default 256 KiB. */
  readonly maxHeaderBytes?: number;
  /** How long an idle connection is kept for reuse. Default 30 s. */
  readonly keepAliveMs?: number;
}

export interface GetOptions {
  /** Caller's overall deadline. When it aborts, the outcome is `signal.reason.code` if it is a string, else `deadline`. */
  readonly signal?: AbortSignal;
  /** DNS + TCP + proxy CONNECT + TLS. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** From the start of the request to the end of the response headers. Default 30 s. */
  readonly headersTimeoutMs?: number;
  /** From the response headers to the end of the body (total, not idle: a slow drip cannot extend it). Default 30 s. */
  readonly bodyTimeoutMs?: number;
  /** Largest body accepted; more ends as `too-large`. Default 1 MiB. */
  readonly maxBytes?: number;
  /**
   * Throughput sampling: stop reading after this many milliseconds of body (or at maxBytes), and
   * report what was read with `complete: false` instead of an error. The window is a timer, so a
   * body that stalls is cut at the window too, not only at the body timeout.
   */
  readonly sampleWindowMs?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface HttpResult {
  /** The requested URL without credentials. */
  readonly url: string;
  /** The URL that answered (after redirects), without credentials. */
  readonly finalUrl: string;
  /** HTTP status of the final response, when one arrived. */
  readonly status: number | null;
  /** The status, or an error code. */
  readonly outcome: EndpointOutcome;
  /** Lower-cased response header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly bytes: number;
  /** The body was read to its end. */
  readonly complete: boolean;
  readonly timing: RequestTiming;
  readonly redirects: number;
  /** Went through an HTTP proxy from the environment. */
  readonly proxied: boolean;
  /** Short, credential-free explanation when the outcome is not a status. */
  readonly error?: string;
}

export interface HttpClient {
  get(url: string, options?: GetOptions): Promise<HttpResult>;
  /** Destroys every connection (pending requests fail): nothing may outlive the probe. */
  close(): Promise<void>;
}

/** Outcome codes besides HTTP statuses. */
export const OUTCOME = {
  timeout: 'timeout',
  deadline: 'deadline',
  dns: 'dns',
  refused: 'refused',
  reset: 'reset',
  tls: 'tls',
  proxy: 'proxy',
  redirectToHttp: 'redirect-to-http',
  tooManyRedirects: 'too-many-redirects',
  tooLarge: 'too-large',
  invalidResponse: 'invalid-response',
  insecureCredentials: 'insecure-credentials',
  error: 'error',
} as const;

const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const DEFAULT_MAX_BYTES = 1024 * 1024;
const MAX_CONNECT_RESPONSE_BYTES = 16 * 1024;

/** An error whose outcome code is already known (our timers, connector phases, caps). */
export class HttpFailure extends Error {
  override readonly name = 'HttpFailure';
  constructor(
    readonly outcome: string,
    message: string,
  ) {
    super(message);
  }
}

interface ConnectTiming {
  readonly dnsMs: number | null;
  readonly connectMs: number | null;
  readonly tlsMs: number | null;
}

type RouteMode = 'direct' | 'tunnel' | 'forward';

interface Route {
  readonly key: string;
  /** Origin the undici Client speaks to (the target, or the proxy for absolute-form requests). */
  readonly clientOrigin: string;
  readonly target: URL;
  readonly mode: RouteMode;
  readonly proxy: URL | null;
}

/** One undici Client (= one connection at a time), used by one request at a time. */
interface Slot {
  readonly route: Route;
  client: Client;
  connects: number;
  /** Cancels a connection attempt in progress (a blackholed SYN must not outlive the probe). */
  cancelConnect: (() => void) | null;
  last: ConnectTiming | null;
  connectTimeoutMs: number;
  broken: boolean;
}

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  return new UndiciHttpClient(options);
}

class UndiciHttpClient implements HttpClient {
  readonly #env: Env;
  readonly #proxyEnv: ProxyEnvironment;
  readonly #userAgent: string;
  readonly #lookup: Lookup;
  readonly #extraCa: readonly string[];
  readonly #netrc: readonly NetrcLine[];
  readonly #maxHeaderBytes: number;
  readonly #keepAliveMs: number;
  readonly #idle = new Map<string, Slot[]>();
  readonly #all = new Set<Slot>();
  #secureContext: SecureContext | null = null;
  #closed = false;

  constructor(options: HttpClientOptions) {
    this.#env = options.env ?? process.env;
    this.#proxyEnv = proxyEnvironment(this.#env);
    this.#userAgent = options.userAgent ?? USER_AGENT;
    this.#lookup = options.lookup ?? defaultLookup;
    this.#extraCa = options.extraCaCerts ?? [];
    this.#netrc = options.netrc === false ? [] : (options.netrc ?? loadNetrc(this.#env));
    this.#maxHeaderBytes = options.maxHeaderBytes ?? 256 * 1024;
    this.#keepAliveMs = options.keepAliveMs ?? 30_000;
  }

  async get(url: string, options: GetOptions = {}): Promise<HttpResult> {
    const started = performance.now();
    const display = safeDisplay(url);
    let current: URL;
    try {
      current = new URL(url);
    } catch {
      return failure(display, display, started, OUTCOME.error, `invalid URL ${display}`);
    }
    if (current.protocol !== 'http:' && current.protocol !== 'https:') {
      return failure(
        display,
        display,
        started,
        OUTCOME.error,
        `unsupported protocol scheme "${current.protocol.slice(0, -1)}"`,
      );
    }

    // cmd/go: .netrc only over https, and it wins over user info (net/http adds user info only
    // when no Authorization header is set). User info over plain http is refused outright.
    const hasUserInfo = current.username !== '' || current.password !== '';
    if (hasUserInfo && current.protocol !== 'https:') {
      return failure(
        display,
        display,
        started,
        OUTCOME.insecureCredentials,
        `refusing to pass credentials to insecure URL: ${display}`,
      );
    }
    let authorization: string | undefined;
    let authFromNetrc = false;
    if (current.protocol === 'https:') {
      const line = netrcCredentials(this.#netrc, current.hostname);
      if (line) {
        authorization = basicAuth(line.login, line.password);
        authFromNetrc = true;
      } else if (hasUserInfo) {
        authorization = basicAuth(safeDecode(current.username), safeDecode(current.password));
      }
    }
    const authHost = current.hostname;
    current.username = '';
    current.password = '';

    if (current.protocol === 'https:') this.#ensureSecureContext();

    const acc: MutableTiming = { dnsMs: null, connectMs: null, tlsMs: null };
    let redirects = 0;
    let proxied = false;
    for (;;) {
      const decision = proxyForUrl(this.#proxyEnv, current);
      if (decision.kind === 'refused')
        return failure(display, current.href, started, OUTCOME.proxy, decision.message, acc);
      if (decision.kind === 'proxy' && decision.proxy.protocol === 'socks5:') {
        return failure(
          display,
          current.href,
          started,
          OUTCOME.proxy,
          'socks5 proxies are not supported by the prober',
        );
      }
      const route = routeFor(current, decision.kind === 'proxy' ? decision.proxy : null);
      proxied ||= route.mode !== 'direct';
      const headers: Record<string, string> = { 'user-agent': this.#userAgent, ...options.headers };
      if (authorization) headers.authorization = authorization;
      if (route.mode === 'forward') {
        headers.host = current.host;
        const proxyAuth = proxyAuthorization(route.proxy!);
        if (proxyAuth) headers['proxy-authorization'] = proxyAuth;
      }
      const exchange = await this.#exchange(route, current, headers, options, started);
      addTiming(acc, exchange.connect);
      if (exchange.kind === 'error') {
        return failure(
          display,
          current.href,
          started,
          exchange.outcome,
          exchange.message,
          acc,
          exchange.status,
          proxied,
          redirects,
          exchange.ttfb,
        );
      }
      const location = exchange.headers.location;
      if (REDIRECT_STATUSES.has(exchange.status) && location !== undefined) {
        let next: URL;
        try {
          next = new URL(location, current);
        } catch {
          return failure(
            display,
            current.href,
            started,
            OUTCOME.invalidResponse,
            `failed to parse Location header ${JSON.stringify(location.slice(0, 200))}`,
            acc,
            exchange.status,
            proxied,
            redirects,
          );
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          return failure(
            display,
            current.href,
            started,
            OUTCOME.error,
            `unsupported protocol scheme "${next.protocol.slice(0, -1)}" in redirect`,
            acc,
            exchange.status,
            proxied,
            redirects,
          );
        }
        if (current.protocol === 'https:' && next.protocol !== 'https:') {
          return failure(
            display,
            current.href,
            started,
            OUTCOME.redirectToHttp,
            `redirected from secure URL ${stripCredentials(current.href)} to insecure URL ${stripCredentials(next.href)}`,
            acc,
            exchange.status,
            proxied,
            redirects,
          );
        }
        if (redirects >= MAX_REDIRECTS) {
          return failure(
            display,
            current.href,
            started,
            OUTCOME.tooManyRedirects,
            `stopped after ${MAX_REDIRECTS} redirects`,
            acc,
            exchange.status,
            proxied,
            redirects,
          );
        }
        redirects++;
        // Go copies the netrc Authorization only to the same host or its subdomains; the one made
        // from URL user info is never forwarded.
        if (
          !(authFromNetrc && (next.hostname === authHost || next.hostname.endsWith(`.${authHost}`)))
        )
          authorization = undefined;
        next.username = '';
        next.password = '';
        current = next;
        continue;
      }
      return {
        url: display,
        finalUrl: stripCredentials(current.href),
        status: exchange.status,
        outcome: exchange.status,
        headers: exchange.headers,
        body: exchange.body,
        bytes: exchange.body.length,
        complete: exchange.complete,
        timing: {
          ...acc,
          ttfbMs: round(exchange.ttfb - started),
          totalMs: round(performance.now() - started),
        },
        redirects,
        proxied,
      };
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const slots = [...this.#all];
    this.#all.clear();
    this.#idle.clear();
    for (const slot of slots) slot.cancelConnect?.();
    await Promise.allSettled(slots.map((slot) => slot.client.destroy()));
  }

  #ensureSecureContext(): void {
    // Built before any timer starts: loading the system store costs tens of milliseconds once.
    this.#secureContext ??= createSecureContext({
      ca: trustedCertificates(this.#env, this.#extraCa),
      minVersion: 'TLSv1.2',
    });
  }

  #acquire(route: Route): Slot {
    const idle = this.#idle.get(route.key);
    while (idle && idle.length > 0) {
      const slot = idle.pop()!;
      if (!slot.broken && !slot.client.destroyed && !slot.client.closed) return slot;
      this.#discard(slot);
    }
    const slot: Slot = {
      route,
      connects: 0,
      last: null,
      connectTimeoutMs: 10_000,
      broken: false,
      cancelConnect: null,
      client: null as unknown as Client,
    };
    slot.client = new Client(route.clientOrigin, {
      connect: (_opts, callback) => {
        this.#connect(slot).then(
          ({ socket, timing }) => {
            slot.connects++;
            slot.last = timing;
            callback(null, socket);
          },
          (error: Error) => callback(error, null),
        );
      },
      headersTimeout: 0,
      bodyTimeout: 0,
      keepAliveTimeout: this.#keepAliveMs,
      keepAliveMaxTimeout: this.#keepAliveMs,
      maxHeaderSize: this.#maxHeaderBytes,
      pipelining: 1,
    });
    this.#all.add(slot);
    return slot;
  }

  #release(slot: Slot): void {
    if (this.#closed || slot.broken) {
      this.#discard(slot);
      return;
    }
    const list = this.#idle.get(slot.route.key) ?? [];
    list.push(slot);
    this.#idle.set(slot.route.key, list);
  }

  #discard(slot: Slot): void {
    this.#all.delete(slot);
    slot.cancelConnect?.();
    slot.client.destroy().catch(() => {});
  }

  /** One request/response on one slot, without redirects. */
  async #exchange(
    route: Route,
    url: URL,
    headers: Record<string, string>,
    options: GetOptions,
    started: number,
  ): Promise<Exchange> {
    const slot = this.#acquire(route);
    const connectsBefore = slot.connects;
    const headersTimeoutMs = options.headersTimeoutMs ?? 30_000;
    slot.connectTimeoutMs = Math.min(options.connectTimeoutMs ?? 10_000, headersTimeoutMs);
    const controller = new AbortController();
    const abort = (reason: HttpFailure) => {
      if (controller.signal.aborted) return;
      controller.abort(reason);
      // undici waits for a connection attempt in progress before failing the request: end it now.
      slot.cancelConnect?.();
    };
    const onCallerAbort = () => abort(callerAbortReason(options.signal!));
    if (options.signal?.aborted) onCallerAbort();
    options.signal?.addEventListener('abort', onCallerAbort, { once: true });
    let timer = setTimeout(
      () =>
        abort(
          new HttpFailure(
            OUTCOME.timeout,
            `timeout awaiting response headers after ${headersTimeoutMs} ms`,
          ),
        ),
      headersTimeoutMs,
    );
    const connectTiming = () => (slot.connects !== connectsBefore ? slot.last : null);
    let status: number | null = null;
    let ttfb = started;
    let windowTimer: NodeJS.Timeout | undefined;
    let windowClosed = false;
    const chunks: Buffer[] = [];
    let bytes = 0;
    let responseHeaders: Record<string, string> = {};
    try {
      const path = route.mode === 'forward' ? url.href : `${url.pathname}${url.search}`;
      const response = await slot.client.request({
        path,
        method: 'GET',
        headers,
        signal: controller.signal,
      });
      ttfb = performance.now();
      status = response.statusCode;
      clearTimeout(timer);
      const bodyTimeoutMs = options.bodyTimeoutMs ?? 30_000;
      timer = setTimeout(
        () =>
          abort(
            new HttpFailure(
              OUTCOME.timeout,
              `timeout reading the response body after ${bodyTimeoutMs} ms`,
            ),
          ),
        bodyTimeoutMs,
      );
      responseHeaders = flattenHeaders(response.headers);
      const isRedirect = REDIRECT_STATUSES.has(status) && response.headers.location !== undefined;
      const maxBytes = isRedirect ? 64 * 1024 : (options.maxBytes ?? DEFAULT_MAX_BYTES);
      if (options.sampleWindowMs !== undefined && !isRedirect) {
        // Ends the read at the window even when no chunk arrives (a stalled body).
        windowTimer = setTimeout(() => {
          windowClosed = true;
          (response.body as { destroy(): void }).destroy();
        }, options.sampleWindowMs);
      }
      let complete = true;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        if (bytes > maxBytes) {
          if (options.sampleWindowMs !== undefined) {
            chunks.push(chunk.subarray(0, chunk.length - (bytes - maxBytes)));
            bytes = maxBytes;
            complete = false;
            break;
          }
          throw new HttpFailure(OUTCOME.tooLarge, `response body exceeds ${maxBytes} bytes`);
        }
        chunks.push(chunk);
        if (
          options.sampleWindowMs !== undefined &&
          performance.now() - ttfb >= options.sampleWindowMs
        ) {
          complete = false;
          break;
        }
      }
      if (windowClosed) complete = false;
      if (!complete) slot.broken = true;
      return {
        kind: 'response',
        status,
        headers: responseHeaders,
        body: Buffer.concat(chunks),
        complete,
        ttfb,
        connect: connectTiming(),
      };
    } catch (error) {
      slot.broken = true;
      if (windowClosed && status !== null && !controller.signal.aborted) {
        // Our sampling window ended the read: what arrived is the sample, not an error.
        return {
          kind: 'response',
          status,
          headers: responseHeaders,
          body: Buffer.concat(chunks),
          complete: false,
          ttfb,
          connect: connectTiming(),
        };
      }
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      const { outcome, message } = classifyError(reason, this.#maxHeaderBytes);
      return { kind: 'error', outcome, message, status, ttfb, connect: connectTiming() };
    } finally {
      clearTimeout(timer);
      clearTimeout(windowTimer);
      options.signal?.removeEventListener('abort', onCallerAbort);
      this.#release(slot);
    }
  }

  /** DNS, TCP, proxy CONNECT and TLS, each timed; the whole bounded by the slot's connect timeout. */
  async #connect(slot: Slot): Promise<{ socket: Socket; timing: ConnectTiming }> {
    const { route } = slot;
    const sockets: Socket[] = [];
    const timeoutMs = slot.connectTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      slot.cancelConnect = () =>
        reject(new HttpFailure(OUTCOME.deadline, 'connection attempt cancelled'));
      timer = setTimeout(
        () =>
          reject(
            new HttpFailure(
              OUTCOME.timeout,
              `timeout connecting to ${route.proxy ? `proxy ${route.proxy.host}` : route.target.host} after ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
    });
    const work = (async () => {
      const firstHop = route.proxy ?? route.target;
      const host = unbracket(firstHop.hostname);
      const port = Number(effectivePort(firstHop));
      let dnsMs: number | null = null;
      let addresses: readonly ResolvedAddress[];
      if (isIP(host)) {
        addresses = [{ address: host, family: isIP(host) }];
      } else {
        const t = performance.now();
        try {
          addresses = await this.#lookup(host);
        } catch (error) {
          throw new HttpFailure(
            route.proxy ? OUTCOME.proxy : OUTCOME.dns,
            `${route.proxy ? 'proxyconnect tcp: ' : ''}dial tcp: lookup ${host}: ${dnsMessage(error)}`,
          );
        }
        dnsMs = performance.now() - t;
        if (addresses.length === 0)
          throw new HttpFailure(
            route.proxy ? OUTCOME.proxy : OUTCOME.dns,
            `dial tcp: lookup ${host}: no such host`,
          );
      }
      const t1 = performance.now();
      let socket: Socket = await dialAny(addresses, port, sockets, route.proxy !== null);
      if (route.proxy?.protocol === 'https:') {
        socket = await tlsHandshake(
          socket,
          unbracket(route.proxy.hostname),
          this.#secureContext ?? this.#defaultContext(),
          sockets,
          true,
        );
      }
      if (route.mode === 'tunnel') {
        await openTunnel(socket, route.target, this.#userAgent, proxyAuthorization(route.proxy!));
      }
      const connectMs = performance.now() - t1;
      let tlsMs: number | null = null;
      if (route.target.protocol === 'https:' && route.mode !== 'forward') {
        const t2 = performance.now();
        socket = await tlsHandshake(
          socket,
          unbracket(route.target.hostname),
          this.#secureContext ?? this.#defaultContext(),
          sockets,
          false,
        );
        tlsMs = performance.now() - t2;
      }
      return {
        socket,
        timing: {
          dnsMs: dnsMs === null ? null : round(dnsMs),
          connectMs: round(connectMs),
          tlsMs: tlsMs === null ? null : round(tlsMs),
        },
      };
    })();
    try {
      return await Promise.race([work, timeout]);
    } catch (error) {
      for (const socket of sockets) socket.destroy();
      // A late success after a timeout or cancel must not leave a socket behind.
      work.then(
        ({ socket }) => socket.destroy(),
        () => {},
      );
      throw error;
    } finally {
      clearTimeout(timer);
      slot.cancelConnect = null;
    }
  }

  #defaultContext(): SecureContext {
    this.#ensureSecureContext();
    return this.#secureContext!;
  }
}

type MutableTiming = { dnsMs: number | null; connectMs: number | null; tlsMs: number | null };

type Exchange =
  | {
      kind: 'response';
      status: number;
      headers: Record<string, string>;
      body: Buffer;
      complete: boolean;
      ttfb: number;
      connect: ConnectTiming | null;
    }
  | {
      kind: 'error';
      outcome: string;
      message: string;
      status: number | null;
      ttfb: number;
      connect: ConnectTiming | null;
    };

function routeFor(target: URL, proxy: URL | null): Route {
  const origin = target.origin;
  if (!proxy)
    return {
      key: `direct ${origin}`,
      clientOrigin: origin,
      target: new URL(origin),
      mode: 'direct',
      proxy: null,
    };
  const proxyKey = `${proxy.protocol}//${proxy.username}:${proxy.password}@${proxy.host}`;
  if (target.protocol === 'https:') {
    return {
      key: `tunnel ${proxyKey} ${origin}`,
      clientOrigin: origin,
      target: new URL(origin),
      mode: 'tunnel',
      proxy,
    };
  }
  // net/http sends plain-http requests to the proxy in absolute form instead of tunnelling.
  return {
    key: `forward ${proxyKey}`,
    clientOrigin: `http://${proxy.host}`,
    target: new URL(origin),
    mode: 'forward',
    proxy,
  };
}

async function dialAny(
  addresses: readonly ResolvedAddress[],
  port: number,
  sockets: Socket[],
  toProxy: boolean,
): Promise<Socket> {
  let lastError: unknown;
  for (const { address } of addresses) {
    try {
      return await dial(address, port, sockets);
    } catch (error) {
      lastError = error;
    }
  }
  const code = (lastError as NodeJS.ErrnoException | undefined)?.code;
  const where = `${addresses.length === 1 ? formatHostPort(addresses[0]!.address, port) : `${addresses.length} addresses`}`;
  const prefix = toProxy ? 'proxyconnect tcp: ' : '';
  if (code === 'ECONNREFUSED')
    throw new HttpFailure(
      toProxy ? OUTCOME.proxy : OUTCOME.refused,
      `${prefix}dial tcp ${where}: connect: connection refused`,
    );
  if (code === 'ECONNRESET')
    throw new HttpFailure(
      toProxy ? OUTCOME.proxy : OUTCOME.reset,
      `${prefix}dial tcp ${where}: connect: connection reset by peer`,
    );
  throw new HttpFailure(
    toProxy ? OUTCOME.proxy : OUTCOME.error,
    `${prefix}dial tcp ${where}: ${(lastError as Error | undefined)?.message ?? 'failed'}`,
  );
}

function dial(address: string, port: number, sockets: Socket[]): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: address, port, noDelay: true });
    sockets.push(socket);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error) => {
      socket.destroy();
      reject(error);
    });
  });
}

function tlsHandshake(
  socket: Socket,
  servername: string,
  secureContext: SecureContext,
  sockets: Socket[],
  toProxy: boolean,
): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const tlsSocket = tlsConnect({
      socket,
      servername: isIP(servername) ? undefined : servername,
      secureContext,
      ALPNProtocols: ['http/1.1'],
      rejectUnauthorized: true,
    });
    sockets.push(tlsSocket);
    tlsSocket.once('secureConnect', () => {
      tlsSocket.removeAllListeners('error');
      resolve(tlsSocket);
    });
    tlsSocket.once('error', (error: NodeJS.ErrnoException) => {
      tlsSocket.destroy();
      const prefix = toProxy ? 'proxyconnect tcp: ' : '';
      if (error.code === 'ECONNRESET')
        reject(new HttpFailure(OUTCOME.reset, `${prefix}TLS handshake: connection reset by peer`));
      else
        reject(
          new HttpFailure(toProxy ? OUTCOME.proxy : OUTCOME.tls, `${prefix}tls: ${error.message}`),
        );
    });
  });
}

/** CONNECT host:port through the proxy; resolves once the proxy answers 200. */
function openTunnel(
  socket: Socket,
  target: URL,
  userAgent: string,
  proxyAuth: string | undefined,
): Promise<void> {
  const authority = `${target.hostname}:${effectivePort(target)}`;
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const cleanup = () => {
      socket.removeListener('data', onData);
      socket.removeListener('error', onError);
      socket.removeListener('end', onEnd);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new HttpFailure(OUTCOME.proxy, `proxyconnect tcp: ${error.message}`));
    };
    const onEnd = () => {
      cleanup();
      reject(new HttpFailure(OUTCOME.proxy, 'proxy closed the connection during CONNECT'));
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffered.length > MAX_CONNECT_RESPONSE_BYTES) {
          cleanup();
          reject(new HttpFailure(OUTCOME.proxy, 'proxy CONNECT response headers too large'));
        }
        return;
      }
      cleanup();
      const statusLine = buffered.subarray(0, buffered.indexOf('\r\n')).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
      if (!match) {
        reject(
          new HttpFailure(OUTCOME.proxy, 'proxy answered CONNECT with a malformed status line'),
        );
        return;
      }
      if (match[1] !== '200') {
        reject(
          new HttpFailure(
            OUTCOME.proxy,
            `proxy refused CONNECT ${authority}: ${match[1]} ${match[2] ?? ''}`.trim(),
          ),
        );
        return;
      }
      const rest = buffered.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve();
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('end', onEnd);
    let request = `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\nUser-Agent: ${userAgent}\r\n`;
    if (proxyAuth) request += `Proxy-Authorization: ${proxyAuth}\r\n`;
    socket.write(`${request}\r\n`);
  });
}

function proxyAuthorization(proxy: URL): string | undefined {
  if (proxy.username === '' && proxy.password === '') return undefined;
  return basicAuth(safeDecode(proxy.username), safeDecode(proxy.password));
}

function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

const defaultLookup: Lookup = (hostname) => dnsLookup(hostname, { all: true });

function dnsMessage(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_NONAME' || code === 'EAI_NODATA') return 'no such host';
  if (code === 'EAI_AGAIN') return 'temporary failure in name resolution';
  return (error as Error | undefined)?.message ?? 'lookup failed';
}

function callerAbortReason(signal: AbortSignal): HttpFailure {
  const reason = signal.reason as { code?: unknown; message?: unknown } | undefined;
  if (reason instanceof HttpFailure) return reason;
  const code = typeof reason?.code === 'string' ? reason.code : OUTCOME.deadline;
  const message =
    typeof reason?.message === 'string' && reason.message !== ''
      ? reason.message
      : 'overall probe deadline reached';
  return new HttpFailure(code, message);
}

const TLS_CODE =
  /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_OSSL_)/;

/** Maps an error from undici, the connector or our timers to an outcome code and a short message. */
export function classifyError(
  error: unknown,
  maxHeaderBytes = 256 * 1024,
): { outcome: string; message: string } {
  if (error instanceof HttpFailure) return { outcome: error.outcome, message: error.message };
  const err = error as (Error & { code?: string }) | undefined;
  const code = err?.code ?? '';
  const message = err?.message ?? String(error);
  switch (code) {
    case 'UND_ERR_HEADERS_OVERFLOW':
      return {
        outcome: OUTCOME.tooLarge,
        message: `response headers exceed ${maxHeaderBytes} bytes`,
      };
    case 'UND_ERR_RESPONSE_EXCEEDED_MAX_SIZE':
      return { outcome: OUTCOME.tooLarge, message: 'response too large' };
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
    case 'ECONNRESET':
    case 'EPIPE':
      return { outcome: OUTCOME.reset, message: `connection reset: ${message}` };
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return { outcome: OUTCOME.timeout, message };
    case 'ECONNREFUSED':
      return { outcome: OUTCOME.refused, message };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NODATA':
    case 'EAI_NONAME':
      return { outcome: OUTCOME.dns, message };
    case 'UND_ERR_ABORTED':
      return { outcome: OUTCOME.deadline, message: 'overall probe deadline reached' };
  }
  if (code.startsWith('HPE_') || err?.name === 'HTTPParserError')
    return { outcome: OUTCOME.invalidResponse, message: `malformed HTTP response: ${message}` };
  if (TLS_CODE.test(code)) return { outcome: OUTCOME.tls, message: `tls: ${message}` };
  if (err?.name === 'AbortError')
    return { outcome: OUTCOME.deadline, message: 'overall probe deadline reached' };
  return { outcome: OUTCOME.error, message };
}

function failure(
  url: string,
  finalUrl: string,
  started: number,
  outcome: string,
  message: string,
  acc: MutableTiming = { dnsMs: null, connectMs: null, tlsMs: null },
  status: number | null = null,
  proxied = false,
  redirects = 0,
  ttfb: number | null = null,
): HttpResult {
  return {
    url,
    finalUrl: stripCredentials(finalUrl),
    status,
    outcome,
    headers: {},
    body: Buffer.alloc(0),
    bytes: 0,
    complete: false,
    timing: {
      ...acc,
      ttfbMs: status !== null && ttfb !== null ? round(ttfb - started) : null,
      totalMs: round(performance.now() - started),
    },
    redirects,
    proxied,
    error: message,
  };
}

function addTiming(acc: MutableTiming, timing: ConnectTiming | null): void {
  if (!timing) return;
  for (const key of ['dnsMs', 'connectMs', 'tlsMs'] as const) {
    const value = timing[key];
    if (value !== null) acc[key] = round((acc[key] ?? 0) + value);
  }
}

function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function safeDisplay(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return stripCredentials(url);
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function formatHostPort(address: string, port: number): string {
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/**
 * CA certificates trusted for mirrors: Node's defaults (bundled + NODE_EXTRA_CA_CERTS), the
 * operating system's store (which Go uses), and Go's SSL_CERT_FILE / SSL_CERT_DIR.
 */
export function trustedCertificates(
  env: Env = process.env,
  extra: readonly string[] = [],
): string[] {
  const certs = new Set<string>(getCACertificates('default'));
  try {
    for (const cert of getCACertificates('system')) certs.add(cert);
  } catch {
    // no readable system store: Node's bundle still applies
  }
  const file = env.SSL_CERT_FILE;
  if (file) for (const cert of pemBlocks(readQuietly(file))) certs.add(cert);
  const dirs = env.SSL_CERT_DIR;
  if (dirs) {
    for (const dir of dirs.split(':').filter(Boolean)) {
      let names: string[] = [];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const name of names)
        for (const cert of pemBlocks(readQuietly(join(dir, name)))) certs.add(cert);
    }
  }
  for (const pem of extra) for (const cert of pemBlocks(pem)) certs.add(cert);
  return [...certs];
}

function readQuietly(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
