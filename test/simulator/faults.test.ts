/** Every fault profile, observed with plain undici / node:https requests. */
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_GO_MOD_HASH, goModHash, hash1 } from '../../src/goenv/dirhash.js';
import { HELLO } from './corpus.js';
import { DNS_FAILURE_URL, type Simulator, refusedUrl, startSimulator } from './simulator.js';
import { type SimClient, rawGet, rawTlsExchange, simClient } from './test-client.js';
import { readZip } from './zip.js';

let sim: Simulator;
let client: SimClient;
const MOD = `/${HELLO}/@v/v1.0.0.mod`;
const ZIP = `/${HELLO}/@v/v1.0.0.zip`;
const INFO = `/${HELLO}/@v/v1.0.0.info`;
const STATUSES = [403, 404, 410, 418, 500, 504] as const;

beforeAll(async () => {
  sim = await startSimulator({
    mirrors: [
      ...STATUSES.map((status) => ({ name: `status${status}`, status })),
      { name: 'zip500', faults: [{ match: 'zip', fault: { kind: 'status', status: 500 } }] },
      {
        name: 'flaky',
        faults: [{ match: /\.info$/, fault: { kind: 'status', status: 503 }, times: 1 }],
      },
      { name: 'blackhole', blackhole: true },
      { name: 'hang', faults: [{ match: 'mod', fault: { kind: 'blackhole' } }] },
      {
        name: 'slow-body',
        faults: [{ match: 'mod', fault: { kind: 'slow-body', intervalMs: 20, chunkBytes: 2 } }],
      },
      { name: 'reset', faults: [{ match: 'zip', fault: { kind: 'reset' } }] },
      {
        name: 'reset-plain',
        tls: false,
        faults: [{ match: 'zip', fault: { kind: 'reset', afterBytes: 10 } }],
      },
      { name: 'to-http', faults: [{ fault: { kind: 'redirect', to: 'http' } }] },
      { name: 'loop', faults: [{ fault: { kind: 'redirect', to: 'loop' } }] },
      {
        name: 'tamper',
        faults: [{ match: ['mod', 'zip', 'sumdb-lookup'], fault: { kind: 'tamper' } }],
      },
      { name: 'empty', faults: [{ match: 'mod', fault: { kind: 'empty' } }] },
      { name: 'json', faults: [{ match: ['info', 'latest'], fault: { kind: 'invalid-json' } }] },
      {
        name: 'wrong',
        faults: [{ match: ['mod', 'zip', 'info'], fault: { kind: 'wrong-content' } }],
      },
      { name: 'huge', faults: [{ match: 'zip', fault: { kind: 'huge' } }] },
      { name: 'huge-sized', faults: [{ match: 'mod', fault: { kind: 'huge', bytes: 6_000_000 } }] },
      { name: 'slow-headers', faults: [{ fault: { kind: 'slow-headers', intervalMs: 50 } }] },
      { name: 'flood', faults: [{ fault: { kind: 'header-flood', count: 3000 } }] },
      { name: 'wrong-name', certificate: 'wrong-name' },
      { name: 'untrusted', certificate: 'untrusted' },
    ],
  });
  client = simClient(sim.caPem);
});

afterAll(async () => {
  await client?.close();
  await sim?.close();
});

const url = (mirror: string, path: string): string => `${sim.url(mirror)}${path}`;

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & { cause?: Error & { code?: string }; code?: string };
    return [e.message, e.code, e.cause?.message, e.cause?.code].filter(Boolean).join(' | ');
  }
  throw new Error('expected a failure');
}

describe('fixed statuses', () => {
  it.each(STATUSES)('answers %i with a text/plain body on every path', async (status) => {
    for (const path of [MOD, `/sumdb/${sim.sumdb.name}/supported`, '/anything']) {
      const res = await client.fetch(url(`status${status}`, path));
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await res.text()).toContain(String(status));
    }
  });

  it('applies per-path statuses, and `times` only to the first matches', async () => {
    expect((await client.fetch(url('zip500', MOD))).status).toBe(200);
    expect((await client.fetch(url('zip500', ZIP))).status).toBe(500);
    expect((await client.fetch(url('flaky', INFO))).status).toBe(503);
    expect((await client.fetch(url('flaky', INFO))).status).toBe(200);
    sim.reset();
    expect((await client.fetch(url('flaky', INFO))).status).toBe(503);
  });
});

describe('connections that never answer', () => {
  it('blackhole: accepts TCP, never completes the TLS handshake', async () => {
    const port = Number(new URL(sim.url('blackhole')).port);
    const outcome = await new Promise<string>((resolve) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, ca: sim.caPem });
      socket.on('secureConnect', () => resolve('handshake'));
      socket.on('error', (e) => resolve(`error ${e.message}`));
      setTimeout(() => {
        socket.destroy();
        resolve('silent');
      }, 300);
    });
    expect(outcome).toBe('silent');
    expect(sim.requestsFor('blackhole').at(-1)).toMatchObject({ method: 'ACCEPT', status: 0 });
  });

  it('request blackhole: reads the request, never responds', async () => {
    const message = await failure(
      client.fetch(url('hang', MOD), { signal: AbortSignal.timeout(300) }),
    );
    expect(message).toMatch(/abort|timeout/i);
    expect(sim.requestsFor('hang').at(-1)).toMatchObject({ path: MOD, status: 0 });
    expect((await client.fetch(url('hang', INFO))).status).toBe(200);
  });

  it('slow headers: the status line arrives, the headers never end', async () => {
    const bytes = await rawTlsExchange(url('slow-headers', MOD), sim.caPem, 400);
    expect(bytes).toMatch(/^HTTP\/1\.1 200 OK\r\nX-Slow-Drip: a+$/);
    expect(bytes.length).toBeLessThan(60);
    // An idle timeout never fires (a byte keeps coming); only an overall deadline ends it.
    expect(
      await failure(
        rawGet(url('slow-headers', MOD), sim.caPem, { signal: AbortSignal.timeout(300) }),
      ),
    ).toMatch(/abort/i);
    const message2 = await failure(
      client.fetch(url('slow-headers', MOD), { signal: AbortSignal.timeout(400) }),
    );
    expect(message2).toMatch(/abort|timeout/i);
  });
});

describe('bodies', () => {
  it('slow drip: the real body, two bytes every 20 ms', async () => {
    const started = performance.now();
    const body = await (await client.fetch(url('slow-body', MOD))).text();
    const elapsed = performance.now() - started;
    expect(body).toBe(`module ${HELLO}\n`);
    expect(elapsed).toBeGreaterThanOrEqual((body.length / 2) * 20 * 0.8);
  });

  it('reset mid-body: full Content-Length, part of the body, then a reset (TLS and plain)', async () => {
    for (const mirror of ['reset', 'reset-plain']) {
      const res = await client.fetch(url(mirror, ZIP));
      expect(res.status).toBe(200);
      expect(Number(res.headers.get('content-length'))).toBe(
        sim.corpus.get(HELLO, 'v1.0.0')!.zip.length,
      );
      expect(await failure(res.arrayBuffer())).toMatch(/terminated|reset|closed|aborted/i);
    }
    expect(await failure(rawGet(url('reset-plain', ZIP), sim.caPem))).toMatch(
      /ECONNRESET|aborted|socket hang up/i,
    );
  });

  it('huge: an endless body keeps coming (read 6 MB, then hang up); a sized one has Content-Length', async () => {
    const res = await client.fetch(url('huge', ZIP));
    expect(res.headers.get('content-length')).toBeNull();
    const reader = res.body!.getReader();
    let received = 0;
    while (received < 6_000_000) {
      const { value, done } = await reader.read();
      expect(done).toBe(false);
      received += value!.length;
    }
    await reader.cancel();
    const sized = await client.fetch(url('huge-sized', MOD));
    expect(sized.headers.get('content-length')).toBe('6000000');
    expect((await sized.arrayBuffer()).byteLength).toBe(6_000_000);
  });

  it('header flood: thousands of headers before a valid response', async () => {
    const raw = await rawGet(url('flood', MOD), sim.caPem, { maxHeaderSize: 1024 * 1024 });
    expect(raw.rawHeaderCount).toBeGreaterThan(3000);
    expect(raw.body.toString()).toBe(`module ${HELLO}\n`);
    // Default limits (16 KiB of headers) refuse it.
    expect(await failure(client.fetch(url('flood', MOD)))).toMatch(/header|overflow/i);
  });
});

describe('redirects', () => {
  it('https→http: Location points at the mirror’s plain-HTTP twin, which serves the same content', async () => {
    const res = await client.fetch(url('to-http', MOD), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(location).toBe(`${sim.url('to-http~http')}${MOD}`);
    expect(location.startsWith('http://127.0.0.1:')).toBe(true);
    expect(await (await client.fetch(location)).text()).toBe(`module ${HELLO}\n`);
    expect(sim.requestsFor('to-http~http').at(-1)).toMatchObject({ path: MOD, status: 200 });
  });

  it('loop: redirects to itself forever', async () => {
    sim.reset();
    expect(await failure(client.fetch(url('loop', MOD)))).toMatch(/redirect/i);
    expect(sim.requestsFor('loop').length).toBeGreaterThan(10);
  });
});

describe('wrong content', () => {
  it('tamper: well-formed .mod, .zip and sumdb record with different hashes', async () => {
    const hello = sim.corpus.get(HELLO, 'v1.0.0')!;
    const mod = Buffer.from(await (await client.fetch(url('tamper', MOD))).arrayBuffer());
    expect(mod.toString().startsWith(`module ${HELLO}\n`)).toBe(true);
    expect(goModHash(mod)).not.toBe(hello.modHash);
    const zip = Buffer.from(await (await client.fetch(url('tamper', ZIP))).arrayBuffer());
    const entries = readZip(zip);
    expect(entries.map((e) => e.name)).toEqual(hello.entries.map((e) => e.name));
    expect(hash1(entries)).not.toBe(hello.zipHash);
    const lookup = await (
      await client.fetch(`${sim.sumdb.relayUrl('tamper')}/lookup/${HELLO}@v1.0.0`)
    ).text();
    expect(lookup).not.toContain(hello.zipHash);
    expect(lookup).toContain(sim.sumdb.database.signedTree);
  });

  it('empty .mod hashes to Go’s emptyGoModHash', async () => {
    const mod = Buffer.from(await (await client.fetch(url('empty', MOD))).arrayBuffer());
    expect(mod).toHaveLength(0);
    expect(goModHash(mod)).toBe(EMPTY_GO_MOD_HASH);
  });

  it('invalid JSON in .info and @latest', async () => {
    for (const path of [INFO, `/${HELLO}/@latest`]) {
      const text = await (await client.fetch(url('json', path))).text();
      expect(() => JSON.parse(text)).toThrow();
    }
  });

  it('wrong content: HTML .mod, another module’s zip, another version’s .info', async () => {
    const mod = await client.fetch(url('wrong', MOD));
    expect(mod.headers.get('content-type')).toMatch(/text\/html/);
    expect(await mod.text()).toMatch(/^<!DOCTYPE html>/);
    const entries = readZip(
      Buffer.from(await (await client.fetch(url('wrong', ZIP))).arrayBuffer()),
    );
    expect(entries.every((e) => !e.name.startsWith(`${HELLO}@v1.0.0/`))).toBe(true);
    expect(JSON.parse(await (await client.fetch(url('wrong', INFO))).text()).Version).not.toBe(
      'v1.0.0',
    );
  });
});

describe('TLS and DNS failures', () => {
  it('wrong host name and untrusted CA are refused by a client that trusts the simulator CA', async () => {
    expect(await failure(client.fetch(url('wrong-name', MOD)))).toMatch(
      /ERR_TLS_CERT_ALTNAME_INVALID|altname/i,
    );
    expect(await failure(client.fetch(url('untrusted', MOD)))).toMatch(
      /UNABLE_TO_VERIFY|self.signed|issuer/i,
    );
  });

  it('a .invalid host fails name resolution; a closed port refuses', async () => {
    expect(await failure(client.fetch(`${DNS_FAILURE_URL}${MOD}`))).toMatch(/ENOTFOUND|EAI_AGAIN/);
    expect(await failure(client.fetch(`${await refusedUrl()}${MOD}`))).toMatch(/ECONNREFUSED/);
  });
});
