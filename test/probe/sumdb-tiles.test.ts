/**
 * Checksum-database routes are judged by what the go command needs for every lookup: the signed
 * tree note AND the tiles that prove the record is in that tree (Client.checkRecord). A relay that
 * answers lookups but not tiles is no route; a relay's record counts as a reference only once
 * proven, so a mirror cannot vouch for its own forged content through its own relay.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goModHash } from '../../src/goenv/dirhash.js';
import type { ProbeRun } from '../../src/probe/types.js';
import {
  HELLO,
  type Simulator,
  isolatedGoEnv,
  removeGoTree,
  runGo,
  startSimulator,
  writeConsumerModule,
} from '../simulator/index.js';
import { HELLO_V110, mirrorNamed, probeSim } from './support/sim.js';
import { type WrapperMirror, fetchAnswer, startWrapperMirror } from './support/wrapper-mirror.js';

const NOT_TILES = 'serves lookups but not tiles (Go would fail)';

function relayOf(sim: Simulator, run: ProbeRun, name: string) {
  return run.sumdbRoutes.find((r) => r.mirror === sim.url(name).replace(/\/+$/, ''));
}

describe('a relay must serve the tiles Go verifies every lookup with', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({
      mirrors: [
        { name: 'good', latencyMs: 5 },
        // The reviewers' e1 setup: /supported and /lookup answer, /tile/… is 404.
        {
          name: 'notiles',
          latencyMs: 5,
          faults: [{ match: 'sumdb-tile', fault: { kind: 'status', status: 404 } }],
        },
        {
          name: 'emptytiles',
          latencyMs: 5,
          faults: [{ match: 'sumdb-tile', fault: { kind: 'empty' } }],
        },
      ],
    });
  });
  afterAll(() => sim?.close());

  it('a relay without tiles is not ok, with the reason; a healthy relay is, and its tile was fetched from it', async () => {
    sim.reset();
    const run = await probeSim(sim, { modules: [HELLO_V110], maxMirrors: 3 });
    expect(relayOf(sim, run, 'good')).toMatchObject({ ok: true, outcome: 200 });
    const notiles = relayOf(sim, run, 'notiles')!;
    expect(notiles.ok).toBe(false);
    expect(notiles.error).toMatch(
      new RegExp(
        `^${escapeRegExp(NOT_TILES)}: \\S+/sumdb/\\S+/tile/8/0/000(\\.p/\\d+)? answered 404`,
      ),
    );
    // The proof read the record's level-0 tile from the same route, the way Go addresses it.
    const goodTiles = sim.requestsFor('good').map((r) => r.path);
    expect(goodTiles.some((p) => /\/sumdb\/[^/]+\/tile\/8\/0\/000(\.p\/\d+)?$/.test(p))).toBe(true);
    // The direct route proved the same way; the mirrors' content is still verified.
    expect(run.sumdbRoutes.find((r) => r.kind === 'direct')).toMatchObject({ ok: true });
    expect(mirrorNamed(sim, run, 'notiles').integrity).toBe('verified');
  });

  it('tiles that are not tiles (200, empty) are refused with Go’s words', async () => {
    const run = await probeSim(sim, { modules: [HELLO_V110], maxMirrors: 3 });
    const empty = relayOf(sim, run, 'emptytiles')!;
    expect(empty.ok).toBe(false);
    expect(empty.error).toContain(`${NOT_TILES}: TileReader returned bad result slice`);
  });

  it('probed with /latest (no version to look up), the route must still serve the tiles of its root', async () => {
    const run = await probeSim(sim, { modules: [{ path: HELLO, version: null }], maxMirrors: 3 });
    expect(relayOf(sim, run, 'good')).toMatchObject({ ok: true });
    const notiles = relayOf(sim, run, 'notiles')!;
    expect(notiles.ok).toBe(false);
    expect(notiles.error).toMatch(/^serves \/latest but not tiles \(Go would fail\): /);
  });

  it('the go command indeed fails through that relay (and succeeds through the healthy one)', async () => {
    const work = await mkdtemp(join(tmpdir(), 'gps-tiles-'));
    try {
      const modules = sim.corpus
        .publicModules()
        .filter((m) => m.path === HELLO && m.version === 'v1.1.0');
      const consumer = await writeConsumerModule(join(work, 'consumer'), sim.corpus, { modules });
      const download = async (name: string) => {
        const root = join(work, name);
        await mkdir(root, { recursive: true });
        const env = isolatedGoEnv(root, {
          SSL_CERT_FILE: sim.caFile,
          GOPROXY: sim.goproxy([name], { separator: '|', fallback: 'off' }),
          GOSUMDB: sim.sumdb.gosumdb,
        });
        const result = await runGo(['mod', 'download', `${HELLO}@v1.1.0`], {
          cwd: consumer,
          env,
          timeoutMs: 60_000,
        });
        await removeGoTree(root);
        return result;
      };
      const bad = await download('notiles');
      expect(bad.code, bad.stderr).not.toBe(0);
      expect(bad.stderr).toMatch(/verifying|tile/);
      const good = await download('good');
      expect(good.code, good.stderr).toBe(0);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('a mirror cannot vouch for its own forged content through its own relay', () => {
  let sim: Simulator;
  let liar: WrapperMirror;
  const hello = () => sim.corpus.get('example.com/hello', 'v1.1.0')!;
  beforeAll(async () => {
    // The database is out of reach directly (its round trips outlast the request timeout); the
    // simulator mirrors' relays still reach it.
    sim = await startSimulator({
      sumdb: { latencyMs: 30_000 },
      mirrors: [{ name: 'good', latencyMs: 5 }],
    });
    const forgedMod = (body: Buffer) =>
      Buffer.concat([body, Buffer.from('// not what was signed\n')]);
    const forgedHash = goModHash(forgedMod(hello().mod));
    // Serves good's files with a forged .mod, and a lookup record forged to match it; tiles and the
    // signed tree head are the genuine ones (from good's relay).
    liar = await startWrapperMirror({
      upstream: sim.url('good'),
      latencyMs: 5,
      mod: forgedMod,
      sumdb: async (path) => {
        const genuine = await fetchAnswer(`${sim.sumdb.relayUrl('good')}${path}`);
        if (!path.startsWith('/lookup/') || genuine.status !== 200) return genuine;
        const text = genuine.body.toString('utf8').replace(/(\/go\.mod )h1:\S+/, `$1${forgedHash}`);
        return { status: 200, body: Buffer.from(text) };
      },
    });
  });
  afterAll(async () => {
    await liar?.close();
    await sim?.close();
  });

  const candidate = (url: string) => ({
    url,
    displayUrl: url,
    origin: 'input' as const,
    isPrivate: false,
  });

  it('alone: its relay is no route and its content is not verified', async () => {
    const run = await probeSim(sim, {
      candidates: [candidate(liar.url)],
      modules: [HELLO_V110],
      maxMirrors: 1,
      timeoutMs: 4000,
    });
    const route = run.sumdbRoutes.find((r) => r.mirror === liar.url)!;
    expect(route.ok).toBe(false);
    expect(route.error).toContain('not in the signed tree');
    const probe = run.mirrors[0]!;
    expect(probe.usable).toBe(true);
    expect(probe.integrity).not.toBe('verified');
    expect(run.signedModHashes['example.com/hello@v1.1.0']).toBeUndefined();
  });

  it('next to an honest relay: the proven record is the reference and the liar is a mismatch', async () => {
    const run = await probeSim(sim, {
      candidates: [candidate(liar.url), candidate(sim.url('good').replace(/\/+$/, ''))],
      modules: [HELLO_V110],
      maxMirrors: 2,
      timeoutMs: 4000,
    });
    expect(run.signedModHashes['example.com/hello@v1.1.0']).toBe(hello().modHash);
    expect(run.mirrors[0]!.integrity).toBe('mismatch');
    expect(run.mirrors[1]!.integrity).toBe('verified');
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
