/**
 * Acceptance (issue 4): every annotation type, provoked through the mirror simulator and read back
 * from the workflow commands (`::notice`/`::warning`/`::error`) the BUNDLED main step printed.
 * And the other half of the rule: a healthy run prints no warning at all.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Annotation, JobResult } from '../harness/runner.js';
import { removeRunnerDirs } from '../harness/runner.js';
import { type Simulator, startSimulator } from '../simulator/index.js';
import {
  type E2EJobOptions,
  type E2ERunner,
  annotationsAt,
  assertDistBuilt,
  createE2ERunner,
  describeAnnotations,
  e2eJob,
  findingCodes,
  jobDetail,
  reportOf,
} from './support.js';

assertDistBuilt();

const MODULE_ENDPOINTS = ['list', 'info', 'mod', 'zip', 'latest'] as const;

describe('annotations of the bundled main step', () => {
  let sim: Simulator;
  let runner: E2ERunner;

  beforeAll(async () => {
    sim = await startSimulator({
      mirrors: [
        { name: 'good', latencyMs: 5 },
        { name: 'second', latencyMs: 200 },
        { name: 'forbidden', status: 403 },
        { name: 'broken', status: 500 },
        { name: 'gateway', status: 504 },
        { name: 'blackhole', blackhole: true },
        { name: 'tampered', faults: [{ match: 'mod', fault: { kind: 'tamper' } }] },
        { name: 'to-http', faults: [{ fault: { kind: 'redirect', to: 'http' } }] },
      ],
    });
  });
  afterAll(async () => {
    await sim?.close();
  });
  beforeEach(async () => {
    runner = await createE2ERunner(sim, 'annotations');
    sim.reset();
  });
  afterEach(async () => {
    await removeRunnerDirs(runner.dirs);
  });

  const job = (options: E2EJobOptions = {}): Promise<JobResult> => e2eJob(sim, runner, options);
  const mirrors = (...names: string[]): string => names.map((n) => sim.url(n)).join('\n');
  const warnings = (result: JobResult) => annotationsAt(result.main, 'warning');

  function expectGreen(result: JobResult): void {
    expect(result.main.outcome, jobDetail(result)).toBe('success');
    expect(result.main.exitCode).toBe(0);
  }

  /** The one warning whose title matches, with every annotation in the failure message. */
  function oneWarning(result: JobResult, title: RegExp): Annotation {
    const matching = warnings(result).filter((a) => title.test(a.title ?? ''));
    expect(matching, describeAnnotations(result.main.annotations)).toHaveLength(1);
    return matching[0]!;
  }

  it('a healthy run prints the decision notice and no warning or error', async () => {
    const result = await job({ inputs: { mirrors: mirrors('good', 'second') } });
    expectGreen(result);
    const all = describeAnnotations(result.main.annotations);
    expect(warnings(result), all).toEqual([]);
    expect(annotationsAt(result.main, 'error'), all).toEqual([]);
    const notices = annotationsAt(result.main, 'notice');
    expect(notices, all).toHaveLength(1);
    expect(notices[0]!.title).toBe('Go module proxy settings');
    expect(notices[0]!.message).toContain(`GOPROXY=${sim.url('good')}|`);
    expect(notices[0]!.message).toContain(`GOSUMDB=${sim.sumdb.gosumdb}`);
    // The notice states what was exported.
    expect(result.env.GOPROXY).toBe(`${sim.url('good')}|${sim.url('second')}|direct`);
    expect(notices[0]!.message).toContain(`GOPROXY=${result.env.GOPROXY}`);
  });

  it('catalog mirrors the user never asked for being unreachable is no warning', async () => {
    // mirrors: auto = the built-in catalog plus the environment's GOPROXY entry; the user can act
    // on neither the catalog's reachability nor its absence. The catalog is made unreachable here
    // whatever the network: its hosts go through an HTTPS proxy that refuses connections, while
    // the loopback simulator is never proxied (as in Go).
    const result = await job({
      inputs: { mirrors: 'auto' },
      env: { GOPROXY: sim.url('good'), HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: '' },
    });
    expectGreen(result);
    const all = describeAnnotations(result.main.annotations);
    expect(warnings(result), all).toEqual([]);
    expect(annotationsAt(result.main, 'error'), all).toEqual([]);
    expect(result.env.GOPROXY).toBe(`${sim.url('good')}|direct`);
    // The catalog was really probed, and failed (through the refusing proxy).
    const catalog = reportOf(result).mirrors.filter((m) => m.origin === 'catalog');
    expect(catalog.length).toBeGreaterThan(0);
    for (const mirror of catalog) expect(mirror.rank, mirror.url).toBeNull();
  });

  it.each([
    ['forbidden', /403/],
    ['broken', /500/],
    ['gateway', /504/],
  ])('a listed mirror answering %s gets a warning; the chain skips it', async (name, status) => {
    const result = await job({ inputs: { mirrors: mirrors(name, 'good') } });
    expectGreen(result);
    const warning = oneWarning(result, /failed the probe/);
    expect(warning.title).toBe(`${sim.url(name)} failed the probe`);
    expect(warning.message).toMatch(status);
    expect(warning.message).toContain('left out of the chain');
    expect(result.env.GOPROXY).toBe(`${sim.url('good')}|direct`);
    expect(findingCodes(result)).toContain('mirror-failed');
  });

  it('a listed mirror that never answers gets a timeout warning within the deadline', async () => {
    const result = await job({ inputs: { mirrors: mirrors('blackhole', 'good'), timeout: '5' } });
    expectGreen(result);
    const warning = oneWarning(result, /failed the probe/);
    expect(warning.title).toBe(`${sim.url('blackhole')} failed the probe`);
    expect(warning.message).toMatch(/tim(ed|e) ?out|deadline|no answer/i);
    expect(result.env.GOPROXY).toBe(`${sim.url('good')}|direct`);
    // Generous bound: the probe deadline is 5 s; the step must not hang on the blackhole.
    expect(result.main.durationMs).toBeLessThan(60_000);
  });

  it('a mirror serving tampered content gets a warning and is never chosen', async () => {
    const result = await job({ inputs: { mirrors: mirrors('tampered', 'good') } });
    expectGreen(result);
    const warning = oneWarning(result, /tampered/);
    expect(warning.title).toBe(`${sim.url('tampered')} served tampered content`);
    expect(warning.message).toContain('never chosen');
    expect(result.env.GOPROXY).not.toContain(sim.url('tampered'));
    expect(findingCodes(result)).toContain('mirror-tampered');
  });

  it('a mirror redirecting https to http gets a warning and is left out', async () => {
    const result = await job({ inputs: { mirrors: mirrors('to-http', 'good') } });
    expectGreen(result);
    const warning = oneWarning(result, /redirects https to http/);
    expect(warning.title).toBe(`${sim.url('to-http')} redirects https to http`);
    expect(warning.message).toContain('plain http');
    expect(result.env.GOPROXY).toBe(`${sim.url('good')}|direct`);
    expect(findingCodes(result)).toContain('redirect-to-http');
  });

  it('a goprivate pattern that drags a public go.mod requirement off the proxy gets a warning', async () => {
    await writeFile(
      join(runner.dirs.workspace, 'go.mod'),
      'module example.com/consumer\n\ngo 1.19\n\nrequire (\n\tgithub.com/google/uuid v1.3.0\n\texample.com/hello v1.1.0\n)\n',
    );
    const result = await job({ inputs: { mirrors: mirrors('good'), goprivate: 'github.com' } });
    expectGreen(result);
    const warning = oneWarning(result, /Private pattern matches public modules/);
    expect(warning.message).toContain('"github.com"');
    expect(warning.message).toContain('github.com/google/uuid');
    expect(findingCodes(result)).toContain('broad-private-pattern');
  });

  /**
   * Both patterns also match the built-in probe module (github.com/google/uuid), the fallback
   * when no public probe module is left: the step must still succeed and warn, not crash.
   */
  it.each([
    ['*', /every module/],
    ['github.com', /every module on github\.com/],
  ])(
    'goprivate %j gets a too-broad warning, and the step still succeeds',
    async (pattern, reach) => {
      const result = await job({
        inputs: { mirrors: mirrors('good'), goprivate: pattern, 'probe-modules': 'auto' },
      });
      expectGreen(result);
      const warning = oneWarning(result, /Private pattern/);
      expect(warning.message).toContain(JSON.stringify(pattern));
      expect(warning.message).toMatch(reach);
      expect(findingCodes(result)).toEqual(
        expect.arrayContaining([expect.stringMatching(/^(over)?broad-private-pattern$/)]),
      );
      expect(result.env.GOPRIVATE).toBe(pattern);
    },
  );

  it('an existing GOPROXY joined with `,` gets a warning; the chain written uses `|`', async () => {
    const existing = `${sim.url('broken')},direct`;
    const result = await job({
      inputs: { mirrors: mirrors('good', 'second') },
      env: { GOPROXY: existing },
    });
    expectGreen(result);
    const warning = oneWarning(result, /does not survive a mirror error/);
    expect(warning.message).toContain(existing);
    expect(warning.message).toContain('`|`');
    expect(findingCodes(result)).toContain('comma-chain');
    expect(result.env.GOPROXY).toBe(`${sim.url('good')}|${sim.url('second')}|direct`);
  });

  it('an existing GOPROXY with `,` whose mirror fails says so (mirrors: its own entries)', async () => {
    // Only the environment's mirrors are listed, so the probe measures the fragile one.
    const existing = `${sim.url('gateway')},${sim.url('good')},direct`;
    const result = await job({
      inputs: { mirrors: mirrors('gateway', 'good') },
      env: { GOPROXY: existing },
    });
    expectGreen(result);
    const warning = oneWarning(result, /does not survive a mirror error/);
    expect(warning.message).toContain(`Right now: ${sim.url('gateway')}`);
    expect(warning.message).toMatch(/504/);
  });

  it('no route (fallback off, every mirror failing) is an error annotation and a failed step', async () => {
    const result = await job({
      inputs: { mirrors: mirrors('forbidden', 'broken'), fallback: 'off' },
    });
    expect(result.main.outcome, jobDetail(result)).toBe('failure');
    expect(result.main.exitCode).not.toBe(0);
    expect(result.main.timedOut).toBe(false);
    const errors = annotationsAt(result.main, 'error');
    const all = describeAnnotations(result.main.annotations);
    expect(
      errors.some((a) => a.title === 'No route to Go modules'),
      all,
    ).toBe(true);
    expect(errors.map((a) => a.message).join('\n')).toMatch(/fallback is off/);
    expect(findingCodes(result)).toContain('no-route');
    // The failing mirrors were the user's: each is named.
    expect(warnings(result).map((a) => a.title)).toEqual(
      expect.arrayContaining([
        `${sim.url('forbidden')} failed the probe`,
        `${sim.url('broken')} failed the probe`,
      ]),
    );
  });

  it('no route is one error annotation, not the finding and the failure message twice', async () => {
    const result = await job({
      inputs: { mirrors: mirrors('forbidden', 'broken'), fallback: 'off' },
    });
    expect(result.main.outcome, jobDetail(result)).toBe('failure');
    const noRoute = annotationsAt(result.main, 'error').filter((a) =>
      /no route to go modules/i.test(`${a.title ?? ''} ${a.message}`),
    );
    expect(noRoute, describeAnnotations(result.main.annotations)).toHaveLength(1);
  });
});

/**
 * The checksum database answers relayed lookups at once but is unreachable directly (its own
 * listener sits behind a link with a 2-minute round trip, far beyond the probe deadline). The
 * mirror in the chain does not relay the database, so the route Go would take is the direct one;
 * a second mirror relays it but fails the module endpoints (403), so it is not in the chain.
 */
describe('sumdb-rerouted annotation', () => {
  let sim: Simulator;
  let runner: E2ERunner;

  beforeAll(async () => {
    sim = await startSimulator({
      sumdb: { latencyMs: 120_000 },
      mirrors: [
        { name: 'norelay', latencyMs: 5, sumdb: 404 },
        {
          name: 'relay',
          sumdb: 'supported',
          faults: [{ match: [...MODULE_ENDPOINTS], fault: { kind: 'status', status: 403 } }],
        },
      ],
    });
  });
  afterAll(async () => {
    await sim?.close();
  });
  beforeEach(async () => {
    runner = await createE2ERunner(sim, 'sumdb');
  });
  afterEach(async () => {
    await removeRunnerDirs(runner.dirs);
  });

  it('an unreachable database is rerouted through a verified relay, with a warning', async () => {
    const result = await e2eJob(sim, runner, {
      inputs: { mirrors: `${sim.url('norelay')}\n${sim.url('relay')}`, timeout: '8' },
    });
    expect(result.main.outcome, jobDetail(result)).toBe('success');
    const relay = sim.sumdb.relayUrl('relay');
    const rerouted = annotationsAt(result.main, 'warning').filter((a) =>
      /Checksum database rerouted/.test(a.title ?? ''),
    );
    expect(rerouted, describeAnnotations(result.main.annotations)).toHaveLength(1);
    expect(rerouted[0]!.title).toBe(`Checksum database rerouted to ${relay}`);
    expect(rerouted[0]!.message).toContain(`GOSUMDB=${sim.sumdb.vkey} ${relay}`);
    expect(findingCodes(result)).toContain('sumdb-rerouted');
    expect(result.env.GOSUMDB).toBe(`${sim.sumdb.vkey} ${relay}`);
    expect(result.env.GOPROXY).toBe(`${sim.url('norelay')}|direct`);
  });
});

/** The database answers 500 to everyone (directly and through every relay): no route works. */
describe('sumdb-unreachable annotation', () => {
  let sim: Simulator;
  let runner: E2ERunner;

  beforeAll(async () => {
    sim = await startSimulator({
      sumdb: { status: 500 },
      mirrors: [{ name: 'relaying', latencyMs: 5 }],
    });
  });
  afterAll(async () => {
    await sim?.close();
  });
  beforeEach(async () => {
    runner = await createE2ERunner(sim, 'sumdb-down');
  });
  afterEach(async () => {
    await removeRunnerDirs(runner.dirs);
  });

  it('a database failing on every route gets a warning; GOSUMDB is kept, never off', async () => {
    const result = await e2eJob(sim, runner, { inputs: { mirrors: sim.url('relaying') } });
    expect(result.main.outcome, jobDetail(result)).toBe('success');
    const unreachable = annotationsAt(result.main, 'warning').filter(
      (a) => a.title === 'Checksum database unreachable',
    );
    expect(unreachable, describeAnnotations(result.main.annotations)).toHaveLength(1);
    expect(unreachable[0]!.message).toMatch(/500/);
    expect(findingCodes(result)).toContain('sumdb-unreachable');
    expect(result.env.GOSUMDB).toBe(sim.sumdb.gosumdb);
  });
});
