/**
 * An HTTP forward proxy on loopback (CONNECT tunnels and absolute-form requests) that resolves
 * `<mirror>.sim.test` to the mirror's listener and logs every target. Go never proxies requests
 * to localhost/127.0.0.1, so tests that check HTTPS_PROXY/NO_PROXY handling use `.sim.test` names.
 */
import { type IncomingMessage, type ServerResponse, createServer, request } from 'node:http';
import { type Server, type Socket, connect } from 'node:net';
import type { Lifetime } from './lifetime.js';
import { listen } from './link.js';
import type { RequestLog } from './log.js';

export const FORWARD_PROXY_SERVER = 'forward-proxy';

/** Maps a requested host and port to a loopback port, or undefined when the target is unknown. */
export type TargetResolver = (host: string, port: number) => number | undefined;

function splitHostPort(target: string, defaultPort: number): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(target);
  return { host: (m?.[1] ?? target).toLowerCase(), port: m?.[2] ? Number(m[2]) : defaultPort };
}

export class ForwardProxy {
  readonly #resolve: TargetResolver;
  readonly #log: RequestLog;
  readonly #lifetime: Lifetime;
  #port = 0;

  private constructor(resolve: TargetResolver, log: RequestLog, lifetime: Lifetime) {
    this.#resolve = resolve;
    this.#log = log;
    this.#lifetime = lifetime;
  }

  static async start(
    resolve: TargetResolver,
    log: RequestLog,
    lifetime: Lifetime,
  ): Promise<ForwardProxy> {
    const proxy = new ForwardProxy(resolve, log, lifetime);
    const server = createServer((req, res) => proxy.#forward(req, res));
    server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) =>
      proxy.#tunnel(req, socket, head),
    );
    server.on('connection', (socket) => lifetime.track(socket));
    server.on('clientError', (_error, socket) => socket.destroy());
    lifetime.trackServer(server as unknown as Server);
    proxy.#port = await listen(server as unknown as Server);
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  #record(req: IncomingMessage, target: string) {
    return this.#log.add({
      server: FORWARD_PROXY_SERVER,
      method: req.method ?? 'GET',
      rawPath: req.url ?? '',
      target,
      authorization:
        req.headers['proxy-authorization'] !== undefined || req.headers.authorization !== undefined,
    });
  }

  #tunnel(req: IncomingMessage, client: Socket, head: Buffer): void {
    const target = req.url ?? '';
    const record = this.#record(req, target);
    const { host, port } = splitHostPort(target, 443);
    const loopbackPort = this.#resolve(host, port);
    client.on('error', () => {});
    if (loopbackPort === undefined) {
      record.status = 502;
      client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const upstream = connect({ port: loopbackPort, host: '127.0.0.1' });
    this.#lifetime.track(upstream);
    upstream.on('error', () => client.destroy());
    upstream.on('connect', () => {
      record.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  #forward(req: IncomingMessage, res: ServerResponse): void {
    const raw = req.url ?? '';
    let url: URL | undefined;
    try {
      url = raw.startsWith('http://') ? new URL(raw) : undefined;
    } catch {
      url = undefined;
    }
    const record = this.#record(req, url ? url.host : '');
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    const loopbackPort = url
      ? this.#resolve(url.hostname.replace(/^\[|\]$/g, ''), Number(url.port || 80))
      : undefined;
    if (!url || loopbackPort === undefined) {
      res.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`bad gateway: ${url ? url.host : 'not an absolute http URL'}\n`);
      return;
    }
    const upstream = request(
      {
        host: '127.0.0.1',
        port: loopbackPort,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers: req.headers,
        agent: false,
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstream.on('socket', (socket) => this.#lifetime.track(socket));
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
}
