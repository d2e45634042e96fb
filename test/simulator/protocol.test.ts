/** The module proxy protocol, the checksum database and the request log, over real loopback HTTP(S). */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { goModHash } from '../../src/goenv/dirhash.js';
import { HELLO, PRERELEASE, PRIVATE_MODULE, UPPER } from './corpus.js';
import { parseVerifierKey, verifyNote } from './note.js';
import { DEFAULT_PRIVATE_AUTH } from './presets.js';
import { type Simulator, startSimulator } from './simulator.js';
import { type SimClient, simClient } from './test-client.js';

let sim: Simulator;
let client: SimClient;

beforeAll(async () => {
  sim = await startSimulator({
    mirrors: [
      { name: 'main' },
      { name: 'plain', tls: false, basePath: '/goproxy', notFoundStatus: 410 },
      { name: 'private', serves: 'private', auth: DEFAULT_PRIVATE_AUTH },
      { name: 'stale', stale: true, missing: [UPPER] },
      { name: 'sumdb410', sumdb: 410 },
      { name: 'sumdb403', sumdb: 403 },
      { name: 'sumdb500', sumdb: 500 },
      { name: 'sumdb502', sumdb: 502 },
    ],
  });
  client = simClient(sim.caPem);
});

afterAll(async () => {
  await client?.close();
  await sim?.close();
});

beforeEach(() => sim.reset());

async function get(url: string, init?: Parameters<SimClient['fetch']>[1]) {
  const res = await client.fetch(url, init);
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: Buffer.from(await res.arrayBuffer()),
  };
}

describe('module proxy protocol', () => {
  it('serves list, .info, .mod, .zip and @latest', async () => {
    const base = sim.url('main');
    const list = await get(`${base}/${HELLO}/@v/list`);
    expect(list).toMatchObject({ status: 200, type: 'text/plain; charset=utf-8' });
    expect(list.body.toString()).toBe('v1.0.0\nv1.1.0\n');
    const info = await get(`${base}/${HELLO}/@v/v1.0.0.info`);
    expect(info.type).toBe('application/json');
    expect(JSON.parse(info.body.toString())).toEqual({
      Version: 'v1.0.0',
      Time: sim.corpus.get(HELLO, 'v1.0.0')!.time,
    });
    const mod = await get(`${base}/${HELLO}/@v/v1.0.0.mod`);
    expect(goModHash(mod.body)).toBe(sim.corpus.get(HELLO, 'v1.0.0')!.modHash);
    const zip = await get(`${base}/${HELLO}/@v/v1.0.0.zip`);
    expect(zip.type).toBe('application/zip');
    expect(zip.body.equals(sim.corpus.get(HELLO, 'v1.0.0')!.zip)).toBe(true);
    const latest = await get(`${base}/${HELLO}/@latest`);
    expect(JSON.parse(latest.body.toString()).Version).toBe('v1.1.0');
  });

  it('accepts case-encoded paths and versions with ! or %21', async () => {
    const base = sim.url('main');
    for (const path of ['example.com/!upper', 'example.com/%21upper']) {
      expect((await get(`${base}/${path}/@v/v1.0.0.mod`)).body.toString()).toBe(
        `module ${UPPER}\n`,
      );
    }
    const info = await get(`${base}/${PRERELEASE}/@v/v1.0.0-%21r%21c1.info`);
    expect(JSON.parse(info.body.toString()).Version).toBe('v1.0.0-RC1');
    expect((await get(`${base}/${PRERELEASE}/@latest`)).body.toString()).toContain('"v0.9.0"');
    // Upper-case letters on the wire are not a valid escaped path.
    expect((await get(`${base}/${UPPER}/@v/list`)).status).toBe(404);
  });

  it('answers unknown modules and versions with text/plain 404 (or the profile 410), under a base path, over plain HTTP', async () => {
    const main = await get(`${sim.url('main')}/example.com/nope/@v/list`);
    expect(main).toMatchObject({ status: 404, type: 'text/plain; charset=utf-8' });
    expect(main.body.toString()).toContain('not found');
    expect((await get(`${sim.url('main')}/${HELLO}/@v/v9.9.9.info`)).status).toBe(404);
    expect(sim.url('plain')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/goproxy$/);
    expect((await get(`${sim.url('plain')}/${HELLO}/@v/list`)).status).toBe(200);
    expect((await get(`${sim.url('plain')}/example.com/nope/@v/list`)).status).toBe(410);
    expect((await get(`${sim.url('plain').replace('/goproxy', '')}/${HELLO}/@v/list`)).status).toBe(
      404,
    );
  });

  it('serves an older version set and hides missing modules on a stale mirror', async () => {
    const base = sim.url('stale');
    expect((await get(`${base}/${HELLO}/@v/list`)).body.toString()).toBe('v1.0.0\n');
    expect(JSON.parse((await get(`${base}/${HELLO}/@latest`)).body.toString()).Version).toBe(
      'v1.0.0',
    );
    expect((await get(`${base}/${HELLO}/@v/v1.1.0.info`)).status).toBe(404);
    expect((await get(`${base}/example.com/!upper/@v/v1.0.0.info`)).status).toBe(404);
  });

  it('keeps private modules off public mirrors and requires basic auth on the private proxy', async () => {
    const secret = `${PRIVATE_MODULE}/@v/v1.0.0.mod`;
    expect((await get(`${sim.url('main')}/${secret}`)).status).toBe(404);
    const denied = await client.fetch(`${sim.url('private')}/${secret}`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toMatch(/^Basic /);
    await denied.arrayBuffer();
    const auth = `Basic ${Buffer.from(`${DEFAULT_PRIVATE_AUTH.user}:${DEFAULT_PRIVATE_AUTH.password}`).toString('base64')}`;
    const ok = await get(`${sim.url('private')}/${secret}`, { headers: { authorization: auth } });
    expect(ok.body.toString()).toBe(`module ${PRIVATE_MODULE}\n`);
    expect(
      (await get(`${sim.url('private')}/${HELLO}/@v/list`, { headers: { authorization: auth } }))
        .status,
    ).toBe(404);
    expect(sim.url('private', { credentials: true })).toBe(
      sim
        .url('private')
        .replace(
          'https://',
          `https://${DEFAULT_PRIVATE_AUTH.user}:${DEFAULT_PRIVATE_AUTH.password}@`,
        ),
    );

    const privateLog = sim.requestsFor('private');
    expect(privateLog.map((r) => [r.status, r.authorization])).toEqual([
      [401, false],
      [200, true],
      [404, true],
    ]);
    // The log is how e2e tests prove no private path reached a public mirror.
    expect(sim.requestsFor('main').map((r) => r.path)).toEqual([`/${secret}`]);
  });
});

describe('checksum database', () => {
  it('is named after its own address and signs its tree with the advertised key', async () => {
    expect(sim.sumdb.name).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(sim.sumdb.url).toBe(`https://${sim.sumdb.name}`);
    expect(parseVerifierKey(sim.sumdb.vkey).name).toBe(sim.sumdb.name);
    expect(sim.sumdb.gosumdbWithUrl).toBe(`${sim.sumdb.vkey} ${sim.sumdb.url}`);
    const latest = await get(`${sim.sumdb.url}/latest`);
    expect(verifyNote(latest.body.toString(), sim.sumdb.vkey)).toMatch(
      /^go\.sum database tree\n\d+\n/,
    );
  });

  it('answers lookups with the record and the signed tree, by escaped path, and 404 for private modules', async () => {
    const lookup = await get(`${sim.sumdb.url}/lookup/example.com/!upper@v1.0.0`);
    const upper = sim.corpus.get(UPPER, 'v1.0.0')!;
    const text = lookup.body.toString();
    expect(text).toContain(
      `\n${UPPER} v1.0.0 ${upper.zipHash}\n${UPPER} v1.0.0/go.mod ${upper.modHash}\n\ngo.sum database tree\n`,
    );
    expect(text).toMatch(/\n— 127\.0\.0\.1:\d+ \S+\n$/);
    expect((await get(`${sim.sumdb.url}/lookup/${PRIVATE_MODULE}@v1.0.0`)).status).toBe(404);
    const tile = await get(`${sim.sumdb.url}/tile/8/0/000.p/2`);
    expect(tile).toMatchObject({ status: 200, type: 'application/octet-stream' });
    expect(tile.body).toHaveLength(64);
    expect(sim.requestsFor('sumdb').map((r) => r.path)).toEqual([
      '/lookup/example.com/!upper@v1.0.0',
      `/lookup/${PRIVATE_MODULE}@v1.0.0`,
      '/tile/8/0/000.p/2',
    ]);
  });

  it('is relayed by mirrors under /sumdb/<name>/ (and sum.golang.org) or refused with the profile status', async () => {
    expect((await get(`${sim.sumdb.relayUrl('main')}/supported`)).status).toBe(200);
    expect((await get(`${sim.url('main')}/sumdb/sum.golang.org/supported`)).status).toBe(200);
    expect((await get(`${sim.url('main')}/sumdb/sum.example.org/supported`)).status).toBe(404);
    const relayed = await get(`${sim.sumdb.relayUrl('main')}/lookup/example.com/hello@v1.0.0`);
    expect(relayed.body.toString()).toContain(`${HELLO} v1.0.0/go.mod`);
    expect(sim.requestsFor('sumdb')).toMatchObject([
      { path: '/lookup/example.com/hello@v1.0.0', via: 'main', status: 200 },
    ]);
    for (const [mirror, status] of [
      ['sumdb410', 410],
      ['sumdb403', 403],
      ['sumdb500', 500],
      ['sumdb502', 502],
      ['private', 401],
    ] as const) {
      expect((await get(`${sim.sumdb.relayUrl(mirror)}/supported`)).status).toBe(status);
      expect((await get(`${sim.sumdb.relayUrl(mirror)}/latest`)).status).toBe(status);
    }
  });

  it('builds GOPROXY lists and the environment for Go and Node', () => {
    expect(sim.goproxy(['main', 'plain'], { separator: '|', fallback: 'direct' })).toBe(
      `${sim.url('main')}|${sim.url('plain')}|direct`,
    );
    expect(sim.env({ goproxy: ['main'] })).toEqual({
      SSL_CERT_FILE: sim.caFile,
      NODE_EXTRA_CA_CERTS: sim.caFile,
      GOSUMDB: sim.sumdb.vkey,
      GOPROXY: sim.url('main'),
    });
    expect(sim.caPem).toContain('BEGIN CERTIFICATE');
    expect(() => sim.url('nope')).toThrow(/no simulated mirror named nope/);
  });
});
