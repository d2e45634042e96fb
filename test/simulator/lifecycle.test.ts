/** close() releases everything; the simulator stops by itself; the forward proxy routes and logs. */
import { request as httpRequest } from 'node:http';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ProxyAgent, fetch } from 'undici';
import { describe, expect, it } from 'vitest';
import { SHARED_CERTS_ENV } from './certs.js';
import { HELLO, PRIVATE_MODULE } from './corpus.js';
import { startSimulator } from './simulator.js';
import { rawTlsExchange } from './test-client.js';

const MOD = `/${HELLO}/@v/v1.0.0.mod`;

/** Counts of the handle kinds the simulator creates (servers, sockets, timers). */
function handleCounts(): Record<string, number> {
  const counts: Record<string, number> = { TCPServerWrap: 0, TCPSocketWrap: 0, Timeout: 0 };
  for (const kind of process.getActiveResourcesInfo()) if (kind in counts) counts[kind]! += 1;
  return counts;
}

async function waitFor(condition: () => boolean, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('close()', () => {
  it('destroys busy connections (blackhole, hanging request, slow drip, endless body) and leaves no handles', async () => {
    await settle();
    const before = handleCounts();
    const sim = await startSimulator({
      mirrors: [
        { name: 'blackhole', blackhole: true },
        { name: 'hang', latencyMs: 30, faults: [{ fault: { kind: 'blackhole' } }] },
        { name: 'drip', faults: [{ fault: { kind: 'slow-body', intervalMs: 1000 } }] },
        { name: 'endless', bandwidthBps: 100_000, faults: [{ fault: { kind: 'huge' } }] },
        { name: 'slow-headers', faults: [{ fault: { kind: 'slow-headers', intervalMs: 1000 } }] },
      ],
    });
    expect(handleCounts().TCPServerWrap).toBeGreaterThan(before.TCPServerWrap!);

    const closedSockets: Array<Promise<void>> = [];
    const port = (name: string): number => Number(new URL(sim.url(name)).port);
    for (const name of ['blackhole', 'hang', 'drip', 'endless', 'slow-headers']) {
      const socket = tlsConnect({ host: '127.0.0.1', port: port(name), ca: sim.caPem }, () => {
        socket.write(`GET ${MOD} HTTP/1.1\r\nHost: x\r\n\r\n`);
      });
      socket.on('error', () => {});
      socket.resume();
      closedSockets.push(new Promise((resolve) => socket.on('close', () => resolve())));
    }
    await waitFor(() => sim.requests.length >= 5, 5000); // one ACCEPT and four GETs
    expect(sim.requestsFor('blackhole')).toHaveLength(1);
    expect(sim.requestsFor('hang')).toMatchObject([{ path: MOD, status: 0 }]);

    await sim.close();
    expect(sim.closed).toBe(true);
    let giveUp: NodeJS.Timeout | undefined;
    const allClosed = await Promise.race([
      Promise.all(closedSockets).then(() => true),
      new Promise<boolean>((resolve) => {
        giveUp = setTimeout(() => resolve(false), 5000);
      }),
    ]);
    clearTimeout(giveUp); // its own timer must not count as a leaked handle below
    expect(allClosed, 'every client socket was closed by sim.close()').toBe(true);
    // Socket and timer handles leave the list a few ticks after 'close'; a leak never does.
    const noMoreThanBefore = (): boolean =>
      Object.keys(before).every((kind) => handleCounts()[kind]! <= before[kind]!);
    await waitFor(noMoreThanBefore, 2000);
    await settle();
    const after = handleCounts();
    for (const kind of Object.keys(before)) {
      expect(after[kind], `${kind} handles after close()`).toBeLessThanOrEqual(before[kind]!);
    }

    // Nothing listens any more; a second close is harmless.
    const refused = await new Promise<string>((resolve) => {
      const s = netConnect(port('drip'), '127.0.0.1');
      s.on('connect', () => resolve('connected'));
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
    await sim.close();
  });

  it('closes by itself after autoCloseMs', async () => {
    const sim = await startSimulator({ mirrors: [{ name: 'a' }], autoCloseMs: 200 });
    expect(sim.closed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(sim.closed).toBe(true);
    await sim.close();
  });

  it('rejects bad profiles before listening on anything', async () => {
    const before = handleCounts();
    await expect(startSimulator({ mirrors: [{ name: 'Bad_Name' }] })).rejects.toThrow(/DNS label/);
    await expect(startSimulator({ mirrors: [{ name: 'a' }, { name: 'a' }] })).rejects.toThrow(
      /twice/,
    );
    await expect(startSimulator({ mirrors: [{ name: 'sumdb' }] })).rejects.toThrow(/sumdb/);
    expect(handleCounts().TCPServerWrap).toBe(before.TCPServerWrap);
  });
});

describe('forward proxy', () => {
  it('tunnels CONNECT to <mirror>.sim.test, forwards absolute-form GETs, refuses unknown hosts, and logs every target', async () => {
    const sim = await startSimulator({
      mirrors: [
        { name: 'alpha' },
        { name: 'plain', tls: false },
        { name: 'private', serves: 'private' },
      ],
    });
    const agent = new ProxyAgent({ uri: sim.forwardProxy.url, requestTls: { ca: sim.caPem } });
    try {
      const alpha = sim.url('alpha', { host: 'sim.test' });
      expect(alpha).toMatch(/^https:\/\/alpha\.sim\.test:\d+$/);
      const res = await fetch(`${alpha}${MOD}`, { dispatcher: agent });
      expect(await res.text()).toBe(`module ${HELLO}\n`);

      const plain = sim.url('plain', { host: 'sim.test' });
      const viaGet = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const proxy = new URL(sim.forwardProxy.url);
        const req = httpRequest(
          { host: proxy.hostname, port: proxy.port, path: `${plain}${MOD}`, agent: false },
          (r) => {
            let body = '';
            r.on('data', (c) => {
              body += c;
            });
            r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(viaGet).toEqual({ status: 200, body: `module ${HELLO}\n` });

      const unknown = await fetch(`https://nowhere.sim.test:2${MOD}`, { dispatcher: agent }).catch(
        (e: Error) => e,
      );
      expect(unknown).toBeInstanceOf(Error);
      // The proxy refuses arbitrary loopback ports (only the simulator's own).
      const loopback = await fetch(`https://127.0.0.1:2${MOD}`, { dispatcher: agent }).catch(
        (e: Error) => e,
      );
      expect(loopback).toBeInstanceOf(Error);

      const log = sim.requestsFor('forward-proxy');
      expect(log.map((r) => [r.method, r.target, r.status])).toEqual([
        ['CONNECT', `alpha.sim.test:${new URL(alpha).port}`, 200],
        ['GET', `plain.sim.test:${new URL(plain).port}`, 200],
        ['CONNECT', 'nowhere.sim.test:2', 502],
        ['CONNECT', '127.0.0.1:2', 502],
      ]);
      expect(sim.requestsFor('alpha').map((r) => r.path)).toEqual([MOD]);
      expect(sim.requestsFor('plain').map((r) => r.path)).toEqual([MOD]);
      expect(sim.requests.some((r) => r.path.includes(PRIVATE_MODULE))).toBe(false);

      // The sumdb is reachable as sumdb.sim.test too (same certificate covers *.sim.test).
      const latest = await fetch(`${sim.url('sumdb', { host: 'sim.test' })}/latest`, {
        dispatcher: agent,
      });
      expect(await latest.text()).toContain('go.sum database tree');
    } finally {
      await agent.destroy();
      await sim.close();
    }
  });

  it.runIf(process.env[SHARED_CERTS_ENV])(
    'under test/global-setup.ts, Node’s own fetch trusts the simulator (NODE_EXTRA_CA_CERTS set before workers start)',
    async () => {
      const sim = await startSimulator({ mirrors: [{ name: 'a' }] });
      try {
        expect(sim.caFile.startsWith(process.env[SHARED_CERTS_ENV]!)).toBe(true);
        const res = await globalThis.fetch(`${sim.url('a')}${MOD}`);
        expect(await res.text()).toBe(`module ${HELLO}\n`);
      } finally {
        await sim.close();
      }
    },
  );

  it('works for raw TLS clients without NODE_EXTRA_CA_CERTS (the CA PEM is exposed)', async () => {
    const sim = await startSimulator({ mirrors: [{ name: 'a' }] });
    try {
      const bytes = await rawTlsExchange(`${sim.url('a')}${MOD}`, sim.caPem, 300);
      expect(bytes).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    } finally {
      await sim.close();
    }
  });
});
