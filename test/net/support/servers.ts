/**
 * Small loopback servers for the HTTP and probe-engine tests: plain and TLS servers with a CA made
 * at run time (openssl CLI), and a forward proxy (CONNECT + absolute-form) that resolves test names
 * itself, so a request can only reach `*.test` hosts through it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCerts {
  readonly dir: string;
  readonly caFile: string;
  readonly caPem: string;
  readonly key: string;
  readonly cert: string;
  /** Valid names, but signed by a CA nobody trusts. */
  readonly rogueKey: string;
  readonly rogueCert: string;
  cleanup(): void;
}

const NAMES = ['localhost', 'mirror.test', '*.test', '127.0.0.1'];

/** `extraNames`: more DNS names for the leaf (e.g. a real host reached only through a test proxy). */
export function makeCerts(extraNames: readonly string[] = []): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'gps-certs-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const san = [...NAMES, ...extraNames]
    .map((n) => (/^\d/.test(n) ? `IP:${n}` : `DNS:${n}`))
    .join(',');
  writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\n`);
  for (const ca of ['ca', 'rogue']) {
    run(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=${ca} test CA`,
    );
    run(
      'req',
      ...ec,
      '-keyout',
      `${ca}-leaf.key`,
      '-out',
      `${ca}-leaf.csr`,
      '-subj',
      '/CN=localhost',
    );
    run(
      'x509',
      '-req',
      '-in',
      `${ca}-leaf.csr`,
      '-CA',
      `${ca}.pem`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-out',
      `${ca}-leaf.pem`,
      '-days',
      '2',
      '-extfile',
      'ext.cnf',
    );
  }
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    caPem: read('ca.pem'),
    key: read('ca-leaf.key'),
    cert: read('ca-leaf.pem'),
    rogueKey: read('rogue-leaf.key'),
    rogueCert: read('rogue-leaf.pem'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface TestServer {
  readonly port: number;
  readonly origin: string;
  /** Request paths in arrival order (with the Host header). */
  readonly requests: { path: string; host: string; headers: http.IncomingHttpHeaders }[];
  readonly sockets: Set<net.Socket>;
  close(): Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export async function startServer(
  handler: Handler,
  tls?: { key: string; cert: string },
): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const sockets = new Set<net.Socket>();
  const wrapped: Handler = (req, res) => {
    requests.push({ path: req.url ?? '', host: req.headers.host ?? '', headers: req.headers });
    handler(req, res);
  };
  const server = tls
    ? https.createServer({ key: tls.key, cert: tls.cert }, wrapped)
    : http.createServer(wrapped);
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    origin: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A raw TCP server: full control over bytes (garbage, floods, resets, silence). */
export async function startRawServer(onSocket: (socket: net.Socket) => void): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  const requests: TestServer['requests'] = [];
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    requests,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface ForwardProxy extends TestServer {
  /** `CONNECT host:port` targets and absolute-form URLs, in order. */
  readonly seen: string[];
  readonly proxyAuth: (string | undefined)[];
}

/**
 * A forward proxy that maps every host name to 127.0.0.1 (so `*.test` names work only through it).
 * `connectPort` may send a CONNECT target elsewhere (a port) or refuse it (null: 502).
 */
export async function startForwardProxy(
  connectPort: (host: string, port: number) => number | null = (_host, port) => port,
): Promise<ForwardProxy> {
  const seen: string[] = [];
  const proxyAuth: (string | undefined)[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    proxyAuth.push(req.headers['proxy-authorization']);
    const target = new URL(req.url ?? '');
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: Number(target.port || 80),
        path: `${target.pathname}${target.search}`,
        headers: { ...req.headers, host: target.host },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    upstream.end();
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    proxyAuth.push(req.headers['proxy-authorization']);
    const [host, port] = (req.url ?? '').split(':');
    const targetPort = connectPort(host ?? '', Number(port));
    if (targetPort === null) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort }, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    requests: [],
    sockets,
    seen,
    proxyAuth,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Resolves every name to 127.0.0.1 except those in `missing` (ENOTFOUND). */
export function loopbackLookup(missing: readonly string[] = []) {
  return async (hostname: string) => {
    if (missing.includes(hostname))
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return [{ address: '127.0.0.1', family: 4 }];
  };
}
