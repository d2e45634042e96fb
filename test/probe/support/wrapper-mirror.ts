/**
 * A module mirror on plain http://127.0.0.1 that serves a simulator mirror's module files (fetched
 * per request), with its own checksum-database relay and optional lies: for tests needing a
 * behaviour the simulator has no fault for (a relay of another database, a relay whose forged
 * record matches forged content).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type net from 'node:net';

export interface Answer {
  readonly status: number;
  readonly body: Buffer;
}

export interface WrapperOptions {
  /** Base URL of the mirror whose module files are served (trusted through NODE_EXTRA_CA_CERTS). */
  readonly upstream: string;
  /** Delay before every answer. */
  readonly latencyMs?: number;
  /** `/sumdb/<name>/…` below the name (`/lookup/…`, `/tile/…`, `/latest`); absent: every `/sumdb/` path is 404. */
  readonly sumdb?: (path: string) => Promise<Answer>;
  /** Rewrites `.mod` bodies. */
  readonly mod?: (body: Buffer) => Buffer;
}

export interface WrapperMirror {
  readonly url: string;
  /** Paths asked, in order. */
  readonly paths: string[];
  close(): Promise<void>;
}

export async function fetchAnswer(url: string): Promise<Answer> {
  const response = await fetch(url);
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
}

export async function startWrapperMirror(options: WrapperOptions): Promise<WrapperMirror> {
  const paths: string[] = [];
  const sockets = new Set<net.Socket>();
  const answer = async (path: string): Promise<Answer> => {
    const sumdb = /^\/sumdb\/[^/]+(\/.*)$/.exec(path);
    if (sumdb) {
      if (!options.sumdb) return { status: 404, body: Buffer.from('not found\n') };
      if (sumdb[1] === '/supported') return { status: 200, body: Buffer.alloc(0) };
      return options.sumdb(sumdb[1]!);
    }
    const upstream = await fetchAnswer(`${options.upstream.replace(/\/+$/, '')}${path}`);
    if (options.mod && upstream.status === 200 && path.endsWith('.mod')) {
      return { status: 200, body: options.mod(upstream.body) };
    }
    return upstream;
  };
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    paths.push(path);
    void (async () => {
      try {
        const [result] = await Promise.all([
          answer(path),
          new Promise((resolve) => setTimeout(resolve, options.latencyMs ?? 0)),
        ]);
        res.writeHead(result.status, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(result.body);
      } catch {
        res.writeHead(502);
        res.end();
      }
    })();
  });
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
