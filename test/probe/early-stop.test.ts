/**
 * The early stop judges the checksum-database route exactly as the ranking does (the route Go
 * takes through `mirror | direct`), so it never stops a mirror the ranking would put first.
 *
 * The world: a database named sum.golang.org (our own key) whose host is unreachable while its
 * alias sum.golang.google.cn answers — both reached through an HTTPS proxy that maps the alias to
 * a loopback server. A fast mirror without a relay sends Go to sum.golang.org itself (down); a
 * slower one relays the database. Counting the alias as "the database is reachable" would make the
 * fast mirror look perfect and stop the relaying one, which the ranking puts first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbe } from '../../src/probe/engine.js';
import type { Candidate, ProbeRun } from '../../src/probe/types.js';
import { selectSettings } from '../../src/select/select.js';
import {
  type ForwardProxy,
  type TestCerts,
  type TestServer,
  makeCerts,
  startForwardProxy,
  startServer,
} from '../net/support/servers.js';
import { options } from '../select/fixtures.js';
import { type Simulator, startSimulator } from '../simulator/index.js';
import { ChecksumDatabase } from '../simulator/sumdb.js';
import { HELLO_V110, noNames } from './support/sim.js';
import { type WrapperMirror, startWrapperMirror } from './support/wrapper-mirror.js';

const ALIAS = 'sum.golang.google.cn';

describe('early stop and ranking agree on the checksum-database route', () => {
  let sim: Simulator;
  let certs: TestCerts;
  let db: ChecksumDatabase;
  let alias: TestServer;
  let proxy: ForwardProxy;
  let fast: WrapperMirror;
  let relay: WrapperMirror;
  let run: ProbeRun;

  beforeAll(async () => {
    sim = await startSimulator({ mirrors: [{ name: 'files' }] });
    certs = makeCerts([ALIAS]);
    db = new ChecksumDatabase('sum.golang.org', sim.corpus, 'early-stop test database');
    const serveDb = (path: string) => {
      const answer = db.serve(path);
      return { status: answer.status, body: answer.body };
    };
    alias = await startServer((req, res) => {
      const answer = serveDb(decodeURIComponent(req.url ?? '/'));
      res.writeHead(answer.status);
      res.end(answer.body);
    }, certs);
    // The alias is reachable through the proxy; sum.golang.org is not (502 to CONNECT).
    proxy = await startForwardProxy((host) => (host === ALIAS ? alias.port : null));
    fast = await startWrapperMirror({ upstream: sim.url('files') });
    relay = await startWrapperMirror({
      upstream: sim.url('files'),
      latencyMs: 120,
      sumdb: async (path) => serveDb(decodeURIComponent(path)),
    });
    const candidate = (url: string): Candidate => ({
      url,
      displayUrl: url,
      origin: 'input',
      isPrivate: false,
    });
    run = await runProbe(
      {
        candidates: [candidate(fast.url), candidate(relay.url)],
        modules: [HELLO_V110],
        privatePatterns: '',
        database: { name: 'sum.golang.org', key: db.vkey, value: db.vkey, explicitUrl: null },
        timeoutMs: 8000,
        maxMirrors: 1,
        concurrency: 8,
        env: { HTTPS_PROXY: proxy.origin },
      },
      { httpOptions: { extraCaCerts: [certs.caPem], netrc: false, lookup: noNames } },
    );
  }, 60_000);
  afterAll(async () => {
    await Promise.all([fast?.close(), relay?.close(), alias?.close(), proxy?.close()]);
    await sim?.close();
    certs?.cleanup();
  });

  it('the world is as described: the alias verifies, sum.golang.org does not answer', () => {
    expect(run.sumdbRoutes.find((r) => r.kind === 'alias')).toMatchObject({ ok: true });
    expect(run.sumdbRoutes.find((r) => r.kind === 'direct')).toMatchObject({ ok: false });
    expect(run.sumdbRoutes.find((r) => r.mirror === relay.url)).toMatchObject({ ok: true });
  });

  it('the relaying mirror is not stopped, and the ranking puts it first', () => {
    const relayProbe = run.mirrors.find((m) => m.candidate.url === relay.url)!;
    expect(relayProbe.skipped).toBeNull();
    expect(relayProbe.usable).toBe(true);
    const selection = selectSettings(run, options({ maxMirrors: 1 }));
    const chosen = selection.assessments.filter((a) => a.verdict === 'chosen');
    expect(chosen.map((a) => a.probe.candidate.url)).toEqual([relay.url]);
  });
});
