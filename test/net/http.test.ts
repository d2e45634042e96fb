import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpClient, createHttpClient } from '../../src/net/http.js';
import {
  type TestCerts,
  type TestServer,
  loopbackLookup,
  makeCerts,
  startForwardProxy,
  startRawServer,
  startServer,
} from './support/servers.js';

let certs: TestCerts;
const servers: TestServer[] = [];
const clients: HttpClient[] = [];

beforeAll(() => {
  certs = makeCerts();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
  certs.cleanup();
});

function client(options: Parameters<typeof createHttpClient>[0] = {}): HttpClient {
  const c = createHttpClient({
    env: {},
    netrc: false,
    lookup: loopbackLookup(['nowhere.test']),
    extraCaCerts: [certs.caPem],
    ...options,
  });
  clients.push(c);
  return c;
}

async function server(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const s = await startServer(...args);
  servers.push(s);
  return s;
}

async function raw(...args: Parameters<typeof startRawServer>): Promise<TestServer> {
  const s = await startRawServer(...args);
  servers.push(s);
  return s;
}

describe('timings', () => {
  it('measures dns, connect, ttfb and total on a new connection and none of the setup on a reused one', async () => {
    const s = await server((_req, res) => res.end('hello'));
    const c = client();
    const first = await c.get(`http://localhost:${s.port}/a`);
    expect(first.outcome).toBe(200);
    expect(first.body.toString()).toBe('hello');
    expect(first.timing.dnsMs).not.toBeNull();
    expect(first.timing.connectMs).not.toBeNull();
    expect(first.timing.tlsMs).toBeNull();
    expect(first.timing.ttfbMs).not.toBeNull();
    expect(first.timing.totalMs!).toBeGreaterThanOrEqual(first.timing.ttfbMs!);
    const second = await c.get(`http://localhost:${s.port}/b`);
    expect(second.outcome).toBe(200);
    expect(second.timing).toMatchObject({ dnsMs: null, connectMs: null, tlsMs: null });
    expect(second.timing.ttfbMs).not.toBeNull();
    expect(s.sockets.size).toBe(1);
  });

  it('an IP literal needs no DNS; https measures the TLS handshake', async () => {
    const s = await server((_req, res) => res.end('secure'), certs);
    const r = await client().get(`${s.origin}/x`);
    expect(r.outcome).toBe(200);
    expect(r.timing.dnsMs).toBeNull();
    expect(r.timing.connectMs).not.toBeNull();
    expect(r.timing.tlsMs).not.toBeNull();
  });

  it('sends the user agent', async () => {
    const s = await server((_req, res) => res.end());
    await client().get(`${s.origin}/`);
    expect(s.requests[0]!.headers['user-agent']).toMatch(/^go-proxy-setup\//);
  });
});

describe('TLS trust', () => {
  it('trusts the CAs in SSL_CERT_FILE, as Go does', async () => {
    const s = await server((_req, res) => res.end('ok'), certs);
    const r = await client({ extraCaCerts: [], env: { SSL_CERT_FILE: certs.caFile } }).get(
      `${s.origin}/`,
    );
    expect(r.outcome).toBe(200);
  });

  it('trusts the CAs in SSL_CERT_DIR', async () => {
    const s = await server((_req, res) => res.end('ok'), certs);
    const r = await client({
      extraCaCerts: [],
      env: { SSL_CERT_DIR: `/nonexistent:${certs.dir}` },
    }).get(`${s.origin}/`);
    expect(r.outcome).toBe(200);
  });

  it('rejects a certificate from an unknown CA with outcome tls', async () => {
    const s = await server((_req, res) => res.end('ok'), {
      key: certs.rogueKey,
      cert: certs.rogueCert,
    });
    const r = await client().get(`${s.origin}/`);
    expect(r.outcome).toBe('tls');
    expect(r.error).toMatch(/^tls: /);
    expect(s.requests).toHaveLength(0);
  });

  it('rejects a certificate for another name', async () => {
    const s = await server((_req, res) => res.end('ok'), certs);
    const r = await client().get(`https://other.example:${s.port}/`);
    expect(r.outcome).toBe('tls');
  });
});

describe('errors', () => {
  it('connection refused', async () => {
    const s = await server((_req, res) => res.end());
    const port = s.port;
    await s.close();
    const r = await client().get(`http://127.0.0.1:${port}/`);
    expect(r.outcome).toBe('refused');
    expect(r.error).toBe(`dial tcp 127.0.0.1:${port}: connect: connection refused`);
  });

  it('DNS failure', async () => {
    const r = await client().get('https://nowhere.test/x');
    expect(r.outcome).toBe('dns');
    expect(r.error).toBe('dial tcp: lookup nowhere.test: no such host');
  });

  it('connection reset before any answer', async () => {
    const s = await raw((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const r = await client().get(`${s.origin}/`);
    expect(r.outcome).toBe('reset');
  });

  it('reset in the middle of the body', async () => {
    const s = await raw((socket) =>
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nabc');
        setTimeout(() => socket.resetAndDestroy(), 20);
      }),
    );
    const r = await client().get(`${s.origin}/`);
    expect(r.outcome).toBe('reset');
    expect(r.status).toBe(200);
  });

  it('garbage instead of HTTP is an invalid response', async () => {
    const s = await raw((socket) =>
      socket.once('data', () => socket.end('SSH-2.0-OpenSSH\r\n\r\n')),
    );
    const r = await client().get(`${s.origin}/`);
    expect(r.outcome).toBe('invalid-response');
  });

  it('a header flood ends as too-large', async () => {
    const s = await raw((socket) =>
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\n');
        const line = `X-Flood: ${'a'.repeat(1000)}\r\n`;
        const timer = setInterval(() => {
          if (socket.destroyed) return clearInterval(timer);
          socket.write(line.repeat(64));
        }, 1);
        socket.on('close', () => clearInterval(timer));
      }),
    );
    const r = await client({ maxHeaderBytes: 64 * 1024 }).get(`${s.origin}/`, {
      headersTimeoutMs: 5000,
    });
    expect(r.outcome).toBe('too-large');
  });

  it('refuses non-http schemes', async () => {
    const r = await client().get('ftp://example.com/x');
    expect(r.outcome).toBe('error');
  });
});

describe('size caps and sampling', () => {
  it('a body over the cap ends as too-large', async () => {
    const s = await server((_req, res) => res.end(Buffer.alloc(200_000)));
    const r = await client().get(`${s.origin}/`, { maxBytes: 100_000 });
    expect(r.outcome).toBe('too-large');
    expect(r.status).toBe(200);
  });

  it('an endless body ends as too-large', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write(Buffer.alloc(16_384)), 1);
      res.on('close', () => clearInterval(timer));
    });
    const r = await client().get(`${s.origin}/`, { maxBytes: 256 * 1024 });
    expect(r.outcome).toBe('too-large');
  });

  it('sampling stops at the cap and reports an incomplete body', async () => {
    const s = await server((_req, res) => res.end(Buffer.alloc(300_000, 1)));
    const r = await client().get(`${s.origin}/`, { maxBytes: 100_000, sampleWindowMs: 10_000 });
    expect(r.outcome).toBe(200);
    expect(r.complete).toBe(false);
    expect(r.bytes).toBe(100_000);
  });

  it('sampling ends at the window even when the body stalls (no chunk to notice it)', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-length': '100000' });
      res.write(Buffer.alloc(1000, 1)); // then nothing: a stalled download
    });
    const t = performance.now();
    const r = await client().get(`${s.origin}/`, {
      maxBytes: 200_000,
      sampleWindowMs: 200,
      bodyTimeoutMs: 20_000,
    });
    // Generous bound: well below the 20 s body timeout, which would otherwise end it.
    expect(performance.now() - t).toBeLessThan(10_000);
    expect(r.outcome).toBe(200);
    expect(r.complete).toBe(false);
    expect(r.bytes).toBe(1000);
  });

  it('a body within the cap is complete', async () => {
    const s = await server((_req, res) => res.end(Buffer.alloc(1000, 1)));
    const r = await client().get(`${s.origin}/`, { maxBytes: 100_000, sampleWindowMs: 10_000 });
    expect(r.complete).toBe(true);
    expect(r.bytes).toBe(1000);
  });
});

describe('timeouts and the deadline', () => {
  it('no response headers: timeout', async () => {
    const s = await server(() => {});
    const t = performance.now();
    const r = await client().get(`${s.origin}/`, { headersTimeoutMs: 200 });
    expect(r.outcome).toBe('timeout');
    expect(performance.now() - t).toBeLessThan(5000);
  });

  it('slow-drip headers cannot extend the header timeout', async () => {
    const s = await raw((socket) =>
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\n');
        const timer = setInterval(() => socket.write('X-Drip: 1\r\n'), 20);
        socket.on('close', () => clearInterval(timer));
      }),
    );
    const r = await client().get(`${s.origin}/`, { headersTimeoutMs: 300 });
    expect(r.outcome).toBe('timeout');
  });

  it('a slow-drip body cannot extend the body timeout', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-length': '100000' });
      const timer = setInterval(() => res.write('x'), 10);
      res.on('close', () => clearInterval(timer));
    });
    const r = await client().get(`${s.origin}/`, { bodyTimeoutMs: 300 });
    expect(r.outcome).toBe('timeout');
    expect(r.status).toBe(200);
  });

  it('a connect that never finishes times out', async () => {
    const hang = async () => new Promise<never>(() => {});
    const r = await client({ lookup: hang }).get('https://blackhole.test/', {
      connectTimeoutMs: 200,
    });
    expect(r.outcome).toBe('timeout');
  });

  it('an abort during a connection attempt ends the request at once', async () => {
    const hang = async () => new Promise<never>(() => {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const t = performance.now();
    const r = await client({ lookup: hang }).get('https://blackhole.test/', {
      connectTimeoutMs: 20_000,
      headersTimeoutMs: 20_000,
      signal: controller.signal,
    });
    expect(r.outcome).toBe('deadline');
    expect(performance.now() - t).toBeLessThan(5000);
  });

  it("the caller's signal ends the request as deadline (or the reason's code)", async () => {
    const s = await server(() => {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const r = await client().get(`${s.origin}/`, { signal: controller.signal });
    expect(r.outcome).toBe('deadline');
    const early = new AbortController();
    early.abort(Object.assign(new Error('early stop'), { code: 'skipped' }));
    const r2 = await client().get(`${s.origin}/`, { signal: early.signal });
    expect(r2.outcome).toBe('skipped');
  });
});

describe('redirects (Go: at most 10, never https to http)', () => {
  it('follows up to 10 redirects', async () => {
    const s = await server((req, res) => {
      const n = Number(req.url!.slice(1));
      if (n > 0) {
        res.writeHead(302, { location: `/${n - 1}` });
        res.end();
      } else res.end('landed');
    });
    const r = await client().get(`${s.origin}/10`);
    expect(r.outcome).toBe(200);
    expect(r.redirects).toBe(10);
    expect(r.finalUrl).toBe(`${s.origin}/0`);
    const r11 = await client().get(`${s.origin}/11`);
    expect(r11.outcome).toBe('too-many-redirects');
    expect(r11.error).toBe('stopped after 10 redirects');
  });

  it('a redirect loop ends as too-many-redirects', async () => {
    const s = await server((_req, res) => {
      res.writeHead(301, { location: '/loop' });
      res.end();
    });
    const r = await client().get(`${s.origin}/loop`);
    expect(r.outcome).toBe('too-many-redirects');
    expect(s.requests).toHaveLength(11);
  });

  it('refuses a redirect from https to http', async () => {
    const plain = await server((_req, res) => res.end('plain'));
    const s = await server((_req, res) => {
      res.writeHead(302, { location: `${plain.origin}/x` });
      res.end();
    }, certs);
    const r = await client().get(`${s.origin}/`);
    expect(r.outcome).toBe('redirect-to-http');
    expect(r.error).toBe(
      `redirected from secure URL ${s.origin}/ to insecure URL ${plain.origin}/x`,
    );
    expect(plain.requests).toHaveLength(0);
  });

  it('a 3xx without Location is returned as is', async () => {
    const s = await server((_req, res) => {
      res.writeHead(302);
      res.end();
    });
    const r = await client().get(`${s.origin}/`);
    expect(r.outcome).toBe(302);
  });
});

describe('credentials', () => {
  it('user info becomes Basic auth over https, and never appears in returned URLs', async () => {
    const s = await server((_req, res) => res.end('ok'), certs);
    const r = await client().get(`https://alice:s3cret@127.0.0.1:${s.port}/p`);
    expect(r.outcome).toBe(200);
    expect(s.requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('alice:s3cret').toString('base64')}`,
    );
    expect(JSON.stringify(r)).not.toContain('s3cret');
    expect(JSON.stringify(r)).not.toContain('alice');
  });

  it('user info over plain http is refused without a request, like Go', async () => {
    const s = await server((_req, res) => res.end('ok'));
    const r = await client().get(`http://alice:s3cret@127.0.0.1:${s.port}/p`);
    expect(r.outcome).toBe('insecure-credentials');
    expect(r.error).toBe(
      `refusing to pass credentials to insecure URL: http://127.0.0.1:${s.port}/p`,
    );
    expect(s.requests).toHaveLength(0);
  });

  it('.netrc wins over user info, over https only', async () => {
    const s = await server((_req, res) => res.end('ok'), certs);
    const netrc = [{ machine: '127.0.0.1', login: 'bob', password: 'pw' }];
    await client({ netrc }).get(`https://alice:secret@127.0.0.1:${s.port}/p`);
    expect(s.requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('bob:pw').toString('base64')}`,
    );
    const plain = await server((_req, res) => res.end('ok'));
    await client({ netrc }).get(`${plain.origin}/p`);
    expect(plain.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('credentials from user info are not forwarded on a redirect', async () => {
    const s = await server((req, res) => {
      if (req.url === '/start') {
        res.writeHead(302, { location: '/next' });
        res.end();
      } else res.end('ok');
    }, certs);
    await client().get(`https://alice:s3cret@127.0.0.1:${s.port}/start`);
    expect(s.requests[0]!.headers.authorization).toBeDefined();
    expect(s.requests[1]!.headers.authorization).toBeUndefined();
  });
});

describe('proxy from the environment', () => {
  it('tunnels https to a non-loopback name through HTTPS_PROXY and reports proxied', async () => {
    const s = await server((_req, res) => res.end('via proxy'), certs);
    const proxy = await startForwardProxy();
    servers.push(proxy);
    // No lookup for mirror.test exists: only the proxy can reach it.
    const c = client({
      env: { HTTPS_PROXY: `http://user:pw@127.0.0.1:${proxy.port}` },
      lookup: loopbackLookup(['mirror.test']),
    });
    const r = await c.get(`https://mirror.test:${s.port}/x`);
    expect(r.outcome).toBe(200);
    expect(r.body.toString()).toBe('via proxy');
    expect(r.proxied).toBe(true);
    expect(r.timing.tlsMs).not.toBeNull();
    expect(proxy.seen).toEqual([`CONNECT mirror.test:${s.port}`]);
    expect(proxy.proxyAuth[0]).toBe(`Basic ${Buffer.from('user:pw').toString('base64')}`);
    expect(s.requests[0]!.host).toBe(`mirror.test:${s.port}`);
  });

  it('sends plain-http requests in absolute form through HTTP_PROXY', async () => {
    const s = await server((_req, res) => res.end('plain via proxy'));
    const proxy = await startForwardProxy();
    servers.push(proxy);
    const c = client({
      env: { http_proxy: `127.0.0.1:${proxy.port}` },
      lookup: loopbackLookup(['mirror.test']),
    });
    const r = await c.get(`http://mirror.test:${s.port}/y?q=1`);
    expect(r.outcome).toBe(200);
    expect(r.body.toString()).toBe('plain via proxy');
    expect(proxy.seen).toEqual([`http://mirror.test:${s.port}/y?q=1`]);
  });

  it('never uses the proxy for loopback addresses or localhost', async () => {
    const s = await server((_req, res) => res.end('direct'));
    const proxy = await startForwardProxy();
    servers.push(proxy);
    const c = client({ env: { HTTP_PROXY: proxy.origin, HTTPS_PROXY: proxy.origin } });
    expect((await c.get(`${s.origin}/a`)).proxied).toBe(false);
    expect((await c.get(`http://localhost:${s.port}/b`)).proxied).toBe(false);
    expect(proxy.seen).toEqual([]);
    expect(s.requests).toHaveLength(2);
  });

  it('honours NO_PROXY', async () => {
    const s = await server((_req, res) => res.end('direct'));
    const proxy = await startForwardProxy();
    servers.push(proxy);
    const c = client({ env: { HTTP_PROXY: proxy.origin, NO_PROXY: 'example.org, .test' } });
    const r = await c.get(`http://mirror.test:${s.port}/a`);
    expect(r.outcome).toBe(200);
    expect(r.proxied).toBe(false);
    expect(proxy.seen).toEqual([]);
  });

  it('a proxy that refuses CONNECT is reported as a proxy failure', async () => {
    const proxyServer = await server((_req, res) => res.end());
    const c = client({ env: { HTTPS_PROXY: proxyServer.origin } });
    const r = await c.get('https://mirror.test/x');
    expect(r.outcome).toBe('proxy');
  });
});

describe('connection handling', () => {
  it('close() ends pending requests and leaves no sockets', async () => {
    const s = await server(() => {});
    const c = createHttpClient({ env: {}, netrc: false });
    const pending = c.get(`${s.origin}/`);
    await new Promise((r) => setTimeout(r, 50));
    await c.close();
    const r = await pending;
    expect(typeof r.outcome).toBe('string');
    await new Promise((r) => setTimeout(r, 50));
    expect(s.sockets.size).toBe(0);
  });

  it('parallel requests to one origin use separate connections', async () => {
    const s = await server((_req, res) => setTimeout(() => res.end('ok'), 50));
    const c = client();
    const results = await Promise.all([1, 2, 3].map((n) => c.get(`${s.origin}/${n}`)));
    expect(results.map((r) => r.outcome)).toEqual([200, 200, 200]);
    expect(results.every((r) => r.timing.connectMs !== null)).toBe(true);
  });
});
