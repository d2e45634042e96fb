/**
 * End-to-end scenarios on the loopback mirror simulator: the real pipeline in-process
 * (runProbe → selectSettings → buildReport), one scenario per simulator profile plus mixes. Each
 * asserts the chosen GOPROXY and GOSUMDB exactly, the verdicts, the reasons and the finding codes.
 *
 * Then, for every scenario with a route, the real go command (Go 1.19, isolated GOPATH/HOME, no
 * go.sum so the checksum database is consulted) downloads the corpus with exactly the settings
 * chosen. The corpus lives under fake example.com paths, so a chain ending in `direct` fails if Go
 * ever reaches `direct`: success proves the chosen mirrors served everything.
 *
 * Probes run one after the other on a quiet machine; the downloads run afterwards, two at a time.
 * No speed assertions: only generous deadline bounds.
 *
 * runProbe runs on a worker thread of this process (probe-worker.mjs) while the simulator serves
 * from the main thread: a probe that blocks its own event loop then fails its scenario through the
 * watchdog below instead of freezing the simulator and the whole file.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGosumdb, toChecksumDatabase } from '../../src/goenv/gosumdb.js';
import { candidateFromUrl } from '../../src/probe/catalog.js';
import type { ProbeConfig } from '../../src/probe/engine.js';
import type {
  Candidate,
  ChecksumDatabase,
  MirrorProbe,
  ModuleRef,
  ProbeRun,
} from '../../src/probe/types.js';
import { buildReport } from '../../src/report/build.js';
import type { MirrorReport, MirrorVerdict, Report } from '../../src/report/types.js';
import { selectSettings } from '../../src/select/select.js';
import type { Fallback, Selection } from '../../src/select/types.js';
import {
  BIG,
  type CorpusModule,
  DEFAULT_PRIVATE_AUTH,
  HELLO,
  type MirrorProfile,
  PRIVATE_MODULE,
  type RequestRecord,
  type Simulator,
  defaultConsumerModules,
  goSumLines,
  isolatedGoEnv,
  realisticFleet,
  removeGoTree,
  runGo,
  startSimulator,
  twinName,
  writeConsumerModule,
} from '../simulator/index.js';

const TIMEOUT_MS = 8000;
const MAX_MIRRORS = 2;
/** Generous slack on top of the probe deadline (a busy two-core runner, process scheduling). */
const DEADLINE_SLACK_MS = 1500;
const GO_VERSION = 'go1.19.8';
const PRIVATE_PATTERN = 'git.corp.example';
/** HELLO unpinned (resolved through @v/list, so freshness shows), BIG pinned (zip big enough for throughput). */
const PROBE_MODULES: readonly ModuleRef[] = [
  { path: HELLO, version: null },
  { path: BIG, version: 'v1.0.0' },
];
const DOWNLOAD_PARALLELISM = 2;

// ---- simulators: one per checksum-database profile ----

type SimName = 'fleet' | 'db-far' | 'db-500' | 'db-blackhole';

/** Everything with a healthy checksum database: each profile once, plus healthy companions. */
function fleetProfiles(): MirrorProfile[] {
  return [
    // fast (20 ms), slow (400 ms), forbidden (403), nosumdb (no relay: 404), blackhole
    ...realisticFleet(),
    { name: 'good' },
    { name: 'mid', latencyMs: 120 },
    { name: 'crawl', latencyMs: 200 },
    // No relays: the database (0 ms away) is reached directly, so the bandwidth scenario is not
    // also a checksum-route one (a 100 ms relay would now be pinned past: see default-best below).
    { name: 'narrow', latencyMs: 100, bandwidthBps: 150_000, sumdb: 404 },
    { name: 'wide', latencyMs: 100, bandwidthBps: 10_000_000, sumdb: 404 },
    { name: 'not-found', status: 404 },
    { name: 'gone', status: 410 },
    { name: 'teapot', status: 418 },
    { name: 'server-error', status: 500 },
    { name: 'gateway-timeout', status: 504 },
    {
      name: 'drip',
      faults: [{ match: ['list', 'info', 'mod'], fault: { kind: 'slow-body', intervalMs: 100 } }],
    },
    { name: 'reset', faults: [{ match: ['mod', 'zip'], fault: { kind: 'reset' } }] },
    { name: 'redirect-http', faults: [{ fault: { kind: 'redirect', to: 'http' } }] },
    { name: 'tampered-mod', faults: [{ match: 'mod', fault: { kind: 'tamper' } }] },
    { name: 'empty-mod', faults: [{ match: 'mod', fault: { kind: 'empty' } }] },
    { name: 'tampered-zip', faults: [{ match: 'zip', fault: { kind: 'tamper' } }] },
    { name: 'stale', stale: true },
    { name: 'missing', missing: [BIG] },
    { name: 'relay-403', sumdb: 403 },
    { name: 'private', serves: 'private', auth: DEFAULT_PRIVATE_AUTH, sumdb: 404 },
  ];
}

/** Mirrors that do not relay, one that relays, and one that relays but serves no module. */
function dbFarProfiles(): MirrorProfile[] {
  return [
    { name: 'plain', sumdb: 404 },
    { name: 'plain-far', latencyMs: 100, sumdb: 410 },
    { name: 'relay' },
    {
      name: 'relay-only',
      faults: [
        {
          match: ['list', 'info', 'mod', 'zip', 'latest'],
          fault: { kind: 'status', status: 403 },
        },
      ],
    },
  ];
}

const pair = (): MirrorProfile[] => [{ name: 'a' }, { name: 'b', latencyMs: 100 }];

const sims = new Map<SimName, Simulator>();
function simOf(name: SimName): Simulator {
  const sim = sims.get(name);
  if (!sim) throw new Error(`simulator ${name} did not start`);
  return sim;
}

// ---- the pipeline ----

/**
 * How long past its deadline a probe may take to come back before its thread is terminated: past
 * the deadline bound the scenario fails anyway, and a probe whose event loop is blocked must be
 * stopped before it exhausts the thread's heap (which would abort the whole test process).
 */
const WATCHDOG_GRACE_MS = DEADLINE_SLACK_MS + 1500;

/** One long-lived worker thread running runProbe; replaced after a watchdog kill or a crash. */
class ProbeThread {
  #worker: Promise<Worker> | null = null;
  #next = 0;

  probe(config: ProbeConfig): Promise<{ run: ProbeRun; wallMs: number }> {
    return this.#start().then(
      (worker) =>
        new Promise((resolve, reject) => {
          const id = ++this.#next;
          const watchdogMs = config.timeoutMs + WATCHDOG_GRACE_MS;
          const done = () => {
            clearTimeout(timer);
            worker.off('message', onMessage);
            worker.off('error', onError);
          };
          const timer = setTimeout(() => {
            done();
            void this.close();
            reject(
              new Error(
                `runProbe did not return within ${watchdogMs} ms (deadline ${config.timeoutMs} ms); its thread was terminated`,
              ),
            );
          }, watchdogMs);
          const onMessage = (message: {
            id?: number;
            run?: ProbeRun;
            wallMs?: number;
            error?: string;
          }) => {
            if (message.id !== id) return;
            done();
            if (message.error !== undefined) reject(new Error(message.error));
            else resolve({ run: message.run!, wallMs: message.wallMs! });
          };
          const onError = (error: Error) => {
            done();
            this.#worker = null;
            reject(error);
          };
          worker.on('message', onMessage);
          worker.on('error', onError);
          worker.postMessage({ id, config });
        }),
    );
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    if (worker) await (await worker).terminate();
  }

  #start(): Promise<Worker> {
    this.#worker ??= new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./probe-worker.mjs', import.meta.url), {
        // A runaway probe ends as an error event here, not as the test process running out of memory.
        resourceLimits: { maxOldGenerationSizeMb: 1536 },
      });
      worker.once('message', () => resolve(worker));
      worker.once('error', reject);
    });
    return this.#worker;
  }
}

const probeThread = new ProbeThread();

interface Outcome {
  readonly sim: Simulator;
  readonly run: ProbeRun;
  readonly selection: Selection;
  readonly report: Report;
  /** Wall time of runProbe, measured around the call on its thread. */
  readonly wallMs: number;
  /** Requests the simulator served during the probe. */
  readonly requests: readonly RequestRecord[];
}

function databaseOf(sim: Simulator): ChecksumDatabase {
  const parsed = parseGosumdb(sim.sumdb.gosumdb);
  if (!parsed.ok || parsed.db.kind !== 'db') throw new Error('simulator GOSUMDB rejected');
  return toChecksumDatabase(parsed.db);
}

/** Base URL as the report shows it (candidateFromUrl strips trailing slashes). */
function urlOf(sim: Simulator, name: string): string {
  return sim.url(name).replace(/\/+$/, '');
}

async function runPipeline(scenario: Scenario): Promise<Outcome> {
  const sim = simOf(scenario.sim);
  const privateCandidates: Candidate[] = scenario.privateProxy
    ? [candidateFromUrl(sim.url(scenario.privateProxy, { credentials: true }), 'private')]
    : [];
  const candidates = [
    ...privateCandidates,
    ...scenario.mirrors.map((name) => candidateFromUrl(sim.url(name), 'input')),
  ];
  const privatePatterns = scenario.privateModules ? [PRIVATE_PATTERN] : [];
  const privateModules = scenario.privateModules ?? [];
  sim.reset();
  const startedAt = new Date().toISOString();
  const { run, wallMs } = await probeThread.probe({
    candidates,
    modules: PROBE_MODULES,
    privateModules,
    privatePatterns: privatePatterns.join(','),
    database: databaseOf(sim),
    timeoutMs: scenario.timeoutMs ?? TIMEOUT_MS,
    maxMirrors: MAX_MIRRORS,
    env: { SSL_CERT_FILE: sim.caFile },
  });
  const requests = sim.requests;
  const selection = selectSettings(run, {
    fallback: scenario.fallback ?? 'direct',
    maxMirrors: MAX_MIRRORS,
    gosumdb: 'auto',
    goVersion: GO_VERSION,
    privatePatterns,
    existingGoproxy: null,
  });
  const report = buildReport({
    run,
    selection,
    privatePatterns: privatePatterns.map((pattern) => ({ pattern, source: 'input' as const })),
    probeModules: [...PROBE_MODULES, ...privateModules].map((m) => ({
      path: m.path,
      version: m.version,
      source: 'input' as const,
    })),
    startedAt,
  });
  return { sim, run, selection, report, wallMs, requests };
}

function mirrorReport(o: Outcome, name: string): MirrorReport {
  const url = urlOf(o.sim, name);
  const found = o.report.mirrors.find((m) => m.url === url);
  if (!found) throw new Error(`no report row for mirror ${name} (${url})`);
  return found;
}

function mirrorProbe(o: Outcome, name: string): MirrorProbe {
  const url = urlOf(o.sim, name);
  const found = o.run.mirrors.find((m) => m.candidate.displayUrl === url);
  if (!found) throw new Error(`no probe result for mirror ${name} (${url})`);
  return found;
}

function findingCodes(o: Outcome): string[] {
  return o.report.findings.map((f) => f.code);
}

function findingFor(o: Outcome, code: string, name?: string) {
  const url = name === undefined ? undefined : urlOf(o.sim, name);
  const found = o.report.findings.find(
    (f) => f.code === code && (url === undefined || f.mirror === url),
  );
  if (!found)
    throw new Error(
      `no ${code} finding${name ? ` for ${name}` : ''}: ${findingCodes(o).join(', ')}`,
    );
  return found;
}

// ---- scenarios ----

interface DownloadSpec {
  /** Write go.sum with the corpus hashes first (Go then needs no lookups). */
  readonly goSum?: boolean;
  /** Go settings to use instead of the selected ones (for counter-checks). */
  readonly override?: Readonly<Record<string, string>>;
  /** The download must fail and stderr match this. */
  readonly fails?: RegExp;
  /** Add the private module to the requirements. */
  readonly withPrivate?: boolean;
}

interface Scenario {
  readonly name: string;
  readonly sim: SimName;
  /** Public candidate mirrors, in input order. */
  readonly mirrors: readonly string[];
  /** Name of a mirror used as the private proxy (with its credentials in the URL). */
  readonly privateProxy?: string;
  /** Private modules to probe the private proxy with; sets the private patterns. */
  readonly privateModules?: readonly ModuleRef[];
  readonly fallback?: Fallback;
  readonly timeoutMs?: number;
  /** Expected GOPROXY as written (public mirrors carry no credentials, so also as shown). */
  readonly goproxy: (sim: Simulator) => string;
  readonly gosumdb: (sim: Simulator) => string;
  readonly routeFound?: boolean;
  /** Finding codes exactly, in report order. */
  readonly findings?: readonly string[];
  /** Finding codes that must be present (for mixes whose details may vary). */
  readonly findingsInclude?: readonly string[];
  /** Expected verdict per mirror name; an array allows any of them. */
  readonly verdicts: Readonly<Record<string, MirrorVerdict | readonly MirrorVerdict[]>>;
  /** Mirror reason (report row) must match. */
  readonly mirrorReasons?: Readonly<Record<string, RegExp>>;
  /** Each must match one of report.reasons. */
  readonly reasons?: readonly RegExp[];
  readonly check?: (o: Outcome) => void;
  /** Real go downloads with the chosen settings; default one plain download when a route exists. */
  readonly downloads?: readonly DownloadSpec[];
  /** Serialise this scenario's downloads with others on the same simulator (request-log checks). */
  readonly exclusiveDownloads?: boolean;
  /** Checks on the requests the simulator served during one download. */
  readonly checkDownload?: (
    sim: Simulator,
    requests: readonly RequestRecord[],
    spec: DownloadSpec,
  ) => void;
}

const vkey = (sim: Simulator) => sim.sumdb.gosumdb;
const chain =
  (...entries: string[]) =>
  (sim: Simulator) =>
    entries.map((e) => (e === 'direct' || e === 'off' ? e : urlOf(sim, e))).join('|');
const GOOD_ONLY = chain('good', 'direct');

/** Scenarios where a single faulty mirror competes with a healthy one: the healthy one is the chain. */
function versusGood(
  name: string,
  faulty: string,
  expected: {
    verdict: MirrorVerdict;
    reason: RegExp;
    findings: readonly string[];
    check?: (o: Outcome) => void;
  },
): Scenario {
  return {
    name,
    sim: 'fleet',
    mirrors: [faulty, 'good'],
    goproxy: GOOD_ONLY,
    gosumdb: vkey,
    findings: expected.findings,
    verdicts: { [faulty]: expected.verdict, good: 'chosen' },
    mirrorReasons: { [faulty]: expected.reason, good: /^rank 1: / },
    reasons: [/is the best of 2 mirrors probed/],
    ...(expected.check ? { check: expected.check } : {}),
  };
}

function deadlineHeld(o: Outcome, timeoutMs = TIMEOUT_MS): void {
  expect(o.wallMs).toBeLessThan(timeoutMs + DEADLINE_SLACK_MS);
  expect(o.report.probeWallTimeMs).toBeLessThan(timeoutMs + DEADLINE_SLACK_MS);
}

const scenarios: Scenario[] = [
  {
    name: 'latency: fast (20 ms) beats mid (120 ms) beats slow (400 ms)',
    sim: 'fleet',
    mirrors: ['slow', 'mid', 'fast'],
    goproxy: chain('fast', 'mid', 'direct'),
    gosumdb: vkey,
    findings: ['decision'],
    verdicts: { fast: 'chosen', mid: 'chosen', slow: ['skipped', 'usable'] },
    mirrorReasons: { fast: /^rank 1: /, mid: /^rank 2: / },
    reasons: [/is the best of 3 mirrors probed/],
    check: (o) => {
      expect(mirrorReport(o, 'fast').rank).toBe(1);
      expect(mirrorReport(o, 'mid').rank).toBe(2);
      expect(o.report.fastestMirror).toBe(urlOf(o.sim, 'fast'));
      expect(mirrorReport(o, 'fast').samples).toBeGreaterThanOrEqual(3);
      expect(o.report.sumdb.route).toBe(o.sim.sumdb.relayUrl('fast'));
    },
  },
  {
    name: 'bandwidth cap: equal round trips (100 ms), throughput decides over input order',
    sim: 'fleet',
    mirrors: ['narrow', 'wide'],
    goproxy: chain('wide', 'narrow', 'direct'),
    gosumdb: vkey,
    findings: ['decision'],
    verdicts: { wide: 'chosen', narrow: 'chosen' },
    // Reasons now state the speed estimate (latency + 64 KiB at the measured throughput).
    mirrorReasons: {
      wide: /^rank 1: median latency \d+ ms, [\d.]+ [KM]iB\/s → ~\d+ ms per 64 KiB request$/,
      narrow: /^rank 2: median latency \d+ ms, [\d.]+ KiB\/s → ~\d+ ms per 64 KiB request$/,
    },
    check: (o) => {
      const wide = mirrorReport(o, 'wide');
      const narrow = mirrorReport(o, 'narrow');
      expect(wide.throughputBytesPerSec).not.toBeNull();
      expect(narrow.throughputBytesPerSec).not.toBeNull();
      expect(wide.throughputBytesPerSec!).toBeGreaterThan(narrow.throughputBytesPerSec!);
      expect(o.report.fastestMirror).toBe(urlOf(o.sim, 'wide'));
    },
  },
  versusGood('fixed 403: refused, left out, named in a warning', 'forbidden', {
    verdict: 'failed',
    reason: /^answered 403 Forbidden on example\.com\/hello\/@v\/list$/,
    findings: ['mirror-failed', 'decision'],
    check: (o) => {
      expect(mirrorProbe(o, 'forbidden').failure).toMatchObject({ code: '403', class: 'terminal' });
      expect(mirrorReport(o, 'forbidden').statuses[`list ${HELLO}`]).toBe(403);
      expect(findingFor(o, 'mirror-failed', 'forbidden').message).toMatch(/refuses this runner/);
    },
  }),
  {
    name: '404 and 410: the not-found class (Go would move past them), left out',
    sim: 'fleet',
    mirrors: ['not-found', 'gone', 'good'],
    goproxy: GOOD_ONLY,
    gosumdb: vkey,
    findings: ['mirror-failed', 'mirror-failed', 'decision'],
    verdicts: { 'not-found': 'failed', gone: 'failed', good: 'chosen' },
    mirrorReasons: {
      'not-found':
        /^answered 404 Not Found on example\.com\/hello\/@v\/list: it does not serve this module$/,
      gone: /^answered 410 Gone on example\.com\/hello\/@v\/list: it does not serve this module$/,
    },
    check: (o) => {
      expect(mirrorProbe(o, 'not-found').failure).toMatchObject({
        code: '404',
        class: 'not-found',
      });
      expect(mirrorProbe(o, 'gone').failure).toMatchObject({ code: '410', class: 'not-found' });
      expect(findingFor(o, 'mirror-failed', 'gone').message).toMatch(/Go would move past it/);
      expect(mirrorReport(o, 'gone').sumdbSupported).toBe(410);
    },
  },
  versusGood('418: an unexpected status is terminal', 'teapot', {
    verdict: 'failed',
    reason: /^answered 418 I'm a Teapot on example\.com\/hello\/@v\/list$/i,
    findings: ['mirror-failed', 'decision'],
    check: (o) =>
      expect(mirrorProbe(o, 'teapot').failure).toMatchObject({ code: '418', class: 'terminal' }),
  }),
  versusGood('500: failing mirror, with the `,` hint', 'server-error', {
    verdict: 'failed',
    reason: /^answered 500 Internal Server Error on example\.com\/hello\/@v\/list$/,
    findings: ['mirror-failed', 'decision'],
    check: (o) => {
      expect(mirrorProbe(o, 'server-error').failure).toMatchObject({
        code: '500',
        class: 'terminal',
      });
      expect(findingFor(o, 'mirror-failed', 'server-error').message).toMatch(/failing right now/);
    },
  }),
  versusGood('504: gateway timeout is terminal (why the chain uses `|`)', 'gateway-timeout', {
    verdict: 'failed',
    reason: /^answered 504 Gateway Timeout on example\.com\/hello\/@v\/list$/,
    findings: ['mirror-failed', 'decision'],
    check: (o) => {
      expect(mirrorProbe(o, 'gateway-timeout').failure).toMatchObject({
        code: '504',
        class: 'terminal',
      });
      expect(o.report.reasons).toContain(
        'Mirrors are joined with `|`, so any error from one (5xx, 403, timeout) falls through to the next entry.',
      );
    },
  }),
  versusGood('blackhole: accepts, never answers; cut off by its request timeout', 'blackhole', {
    verdict: 'failed',
    reason: /^timed out after [\d.]+ s on example\.com\/hello\/@v\/list$/,
    findings: ['mirror-failed', 'decision'],
    check: (o) => {
      deadlineHeld(o);
      expect(o.run.deadlineHit).toBe(false);
      expect(findingFor(o, 'mirror-failed', 'blackhole').message).toMatch(/would hang on it/);
    },
  }),
  versusGood('slow-drip body: a byte every 100 ms; cut off, never waited for', 'drip', {
    verdict: 'failed',
    reason: /^timed out after [\d.]+ s on example\.com\/hello\/@v\/v1\.1\.0\.info$/,
    findings: ['mirror-failed', 'decision'],
    check: (o) => deadlineHeld(o),
  }),
  versusGood('reset mid-body on .mod and .zip', 'reset', {
    verdict: 'failed',
    reason: /^reset the connection on example\.com\/hello\/@v\/v1\.1\.0\.mod$/,
    findings: ['mirror-failed', 'decision'],
    check: (o) => expect(mirrorProbe(o, 'reset').failure?.class).toBe('terminal'),
  }),
  versusGood('https→http redirect: refused as Go refuses it, and warned about', 'redirect-http', {
    verdict: 'failed',
    reason:
      /^redirected https→http, which the go command refuses on example\.com\/hello\/@v\/list$/,
    findings: ['redirect-to-http', 'decision'],
    check: (o) => {
      expect(mirrorReport(o, 'redirect-http').statuses[`list ${HELLO}`]).toBe('redirect-to-http');
      // The redirect was not followed: the plain-http twin never saw a request.
      expect(o.requests.filter((r) => r.server === twinName('redirect-http'))).toEqual([]);
    },
  }),
  versusGood('tampered .mod: never chosen, named in the findings', 'tampered-mod', {
    verdict: 'tampered',
    reason: /^served content that does not match the checksum database: .*checksum database has/,
    findings: ['mirror-tampered', 'decision'],
    check: (o) => {
      expect(mirrorReport(o, 'tampered-mod').integrity).toBe('mismatch');
      expect(mirrorReport(o, 'good').integrity).toBe('verified');
      expect(o.report.integrityMethod).toBe('sumdb');
      expect(findingFor(o, 'mirror-tampered', 'tampered-mod').message).toMatch(/never chosen/);
    },
  }),
  versusGood('empty .mod: Go would record the empty-file hash; treated as tampered', 'empty-mod', {
    verdict: 'tampered',
    reason: /^served an empty go\.mod/,
    findings: ['mirror-tampered', 'decision'],
    check: (o) => {
      expect(mirrorReport(o, 'empty-mod').integrity).toBe('empty-mod');
      expect(mirrorReport(o, 'empty-mod').integrityDetail).toContain(
        'h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=',
      );
    },
  }),
  versusGood('tampered .zip: caught by the throughput download of the leaders', 'tampered-zip', {
    verdict: 'tampered',
    reason: /^served content that does not match the checksum database: .*zip/,
    findings: ['mirror-tampered', 'decision'],
    check: (o) => {
      expect(mirrorReport(o, 'tampered-zip').integrity).toBe('mismatch');
      expect(mirrorProbe(o, 'tampered-zip').zipHashes[`${BIG}@v1.0.0`]).toBeDefined();
    },
  }),
  {
    name: 'stale @latest/@v/list: the fresh mirror leads even though the stale one is as fast',
    sim: 'fleet',
    mirrors: ['stale', 'good'],
    goproxy: chain('good', 'stale', 'direct'),
    gosumdb: vkey,
    findings: ['mirror-stale', 'decision'],
    verdicts: { good: 'chosen', stale: 'chosen' },
    mirrorReasons: {
      good: /^rank 1: /,
      stale:
        /^rank 2: .*ranked lower because stale: @latest of example\.com\/hello is v1\.0\.0 here, v1\.1\.0 on another mirror$/,
    },
    check: (o) => {
      expect(mirrorReport(o, 'stale').fresh).toBe(false);
      expect(mirrorReport(o, 'good').fresh).toBe(true);
      expect(findingFor(o, 'mirror-stale', 'stale').message).toMatch(
        /still in the chain at rank 2/,
      );
    },
  },
  versusGood('missing modules: 404 for a probe module, not-found class', 'missing', {
    verdict: 'failed',
    reason:
      /^answered 404 Not Found on example\.com\/big\/@v\/list: it does not serve this module$/,
    findings: ['mirror-failed', 'decision'],
    check: (o) =>
      expect(mirrorProbe(o, 'missing').failure).toMatchObject({ code: '404', class: 'not-found' }),
  }),
  {
    name: 'sumdb relay supported (200) vs not (404): Go reaches the database through the leader',
    sim: 'fleet',
    mirrors: ['nosumdb', 'fast'],
    goproxy: chain('fast', 'nosumdb', 'direct'),
    gosumdb: vkey,
    findings: ['decision'],
    verdicts: { fast: 'chosen', nosumdb: 'chosen' },
    reasons: [
      /^GOSUMDB=.*: reached through https:\/\/127\.0\.0\.1:\d+, which relays the checksum database/,
    ],
    check: (o) => {
      expect(mirrorReport(o, 'fast').sumdbSupported).toBe(200);
      expect(mirrorReport(o, 'nosumdb').sumdbSupported).toBe(404);
      expect(o.report.sumdb.route).toBe(o.sim.sumdb.relayUrl('fast'));
    },
  },
  {
    name: 'default-best: the leader does not relay, a far mirror (200 ms) does, the database is near: pinned by URL',
    sim: 'fleet',
    mirrors: ['crawl', 'nosumdb'],
    goproxy: chain('nosumdb', 'crawl', 'direct'),
    gosumdb: (sim) => `${sim.sumdb.vkey} ${sim.sumdb.url}`,
    findings: ['sumdb-pinned-direct', 'decision'],
    verdicts: { nosumdb: 'chosen', crawl: 'chosen' },
    reasons: [
      /^GOSUMDB=.*: Go's walk over GOPROXY would reach the database through https:\/\/127\.0\.0\.1:\d+, whose relay answered in \d+ ms, while https:\/\/127\.0\.0\.1:\d+ itself answered in [\d.]+ ms with a verified signed tree head; lookups go straight there \(pinned past the chain\)\.$/,
    ],
    check: (o) => {
      expect(findingFor(o, 'sumdb-pinned-direct').level).toBe('notice');
      expect(o.report.sumdb.route).toBe(o.sim.sumdb.url);
      expect(o.report.sumdb.tried.map((t) => [t.route, t.outcome, t.ok])).toEqual([
        [o.sim.sumdb.relayUrl('nosumdb'), 404, false],
        [o.sim.sumdb.relayUrl('crawl'), 200, true],
        [o.sim.sumdb.url, 200, true],
      ]);
    },
    exclusiveDownloads: true,
    // Go uses the pinned URL alone: lookups reach the database directly, and crawl (whose relay
    // Go's walk would use) is never asked for /sumdb/. Other fleet downloads may run meanwhile
    // (nosumdb's /supported is asked by the `no relay` one), so only crawl is checked.
    checkDownload: (_sim, requests) => {
      expect(requests.some((r) => r.server === 'sumdb' && r.via === undefined)).toBe(true);
      expect(requests.filter((r) => r.server === 'sumdb' && r.via === 'crawl')).toEqual([]);
      expect(requests.filter((r) => r.server === 'crawl' && r.path.includes('/sumdb/'))).toEqual(
        [],
      );
    },
  },
  {
    name: 'no relay (404): Go moves on and reaches the database directly',
    sim: 'fleet',
    mirrors: ['nosumdb'],
    goproxy: chain('nosumdb', 'direct'),
    gosumdb: vkey,
    findings: ['decision'],
    verdicts: { nosumdb: 'chosen' },
    check: (o) => {
      expect(o.report.sumdb.route).toBe(o.sim.sumdb.url);
      expect(o.report.sumdb.tried).toEqual([
        expect.objectContaining({
          outcome: 404,
          ok: false,
          note: expect.stringMatching(/Go tries the next entry/),
        }),
        expect.objectContaining({ route: o.sim.sumdb.url, outcome: 200, ok: true }),
      ]);
    },
  },
  {
    name: 'relay answers 403, chain ends in direct: `|` moves past it to the database',
    sim: 'fleet',
    mirrors: ['relay-403'],
    goproxy: chain('relay-403', 'direct'),
    gosumdb: vkey,
    findings: ['decision'],
    verdicts: { 'relay-403': 'chosen' },
    check: (o) => {
      expect(mirrorReport(o, 'relay-403').sumdbSupported).toBe(403);
      expect(o.report.sumdb.route).toBe(o.sim.sumdb.url);
      expect(o.report.sumdb.tried[0]).toMatchObject({ outcome: 403, ok: false });
    },
  },
  {
    name: 'relay answers 403, fallback off: Go would stop at the 403, so the database is pinned',
    sim: 'fleet',
    mirrors: ['relay-403'],
    fallback: 'off',
    goproxy: chain('relay-403', 'off'),
    gosumdb: (sim) => `${sim.sumdb.vkey} ${sim.sumdb.url}`,
    findings: ['sumdb-rerouted', 'decision'],
    verdicts: { 'relay-403': 'chosen' },
    reasons: [
      /^`off` ends the chain/,
      /lookups go to https:\/\/127\.0\.0\.1:\d+ instead \(the database itself, pinned past the chain\)/,
    ],
    check: (o) => {
      expect(o.report.sumdb.tried[0]).toMatchObject({
        outcome: 403,
        ok: false,
        note: expect.stringMatching(/with no `direct` later this error fails every lookup/),
      });
    },
    downloads: [
      {},
      // Go's own walk confirms the reroute was needed: with the plain key the 403 fails the lookups.
      { override: { GOSUMDB: 'VKEY' }, fails: /403 Forbidden/ },
    ],
  },
  {
    name: 'mix: the realistic fleet (fast, slow, 403, no relay, blackhole)',
    sim: 'fleet',
    mirrors: ['fast', 'slow', 'forbidden', 'nosumdb', 'blackhole'],
    goproxy: chain('fast', 'nosumdb', 'direct'),
    gosumdb: vkey,
    findingsInclude: ['mirror-failed', 'decision'],
    verdicts: {
      fast: 'chosen',
      nosumdb: 'chosen',
      forbidden: 'failed',
      slow: ['skipped', 'usable'],
      blackhole: ['skipped', 'failed'],
    },
    reasons: [/is the best of 5 mirrors probed/],
    check: (o) => {
      deadlineHeld(o);
      expect(findingFor(o, 'mirror-failed', 'forbidden').level).toBe('warning');
      expect(o.report.sumdb.route).toBe(o.sim.sumdb.relayUrl('fast'));
      expect(findingCodes(o).filter((c) => c !== 'mirror-failed' && c !== 'decision')).toEqual([]);
    },
  },
  {
    name: 'mix: hostile mirrors around two healthy ones',
    sim: 'fleet',
    mirrors: [
      'drip',
      'blackhole',
      'tampered-mod',
      'empty-mod',
      'redirect-http',
      'teapot',
      'mid',
      'good',
    ],
    goproxy: chain('good', 'mid', 'direct'),
    gosumdb: vkey,
    findingsInclude: ['mirror-tampered', 'redirect-to-http', 'mirror-failed', 'decision'],
    verdicts: {
      good: 'chosen',
      mid: 'chosen',
      'tampered-mod': 'tampered',
      'empty-mod': 'tampered',
      'redirect-http': 'failed',
      teapot: 'failed',
      drip: ['failed', 'skipped'],
      blackhole: ['failed', 'skipped'],
    },
    check: (o) => {
      deadlineHeld(o);
      expect(findingFor(o, 'mirror-tampered', 'tampered-mod')).toBeDefined();
      expect(findingFor(o, 'mirror-tampered', 'empty-mod')).toBeDefined();
      expect(findingFor(o, 'redirect-to-http', 'redirect-http')).toBeDefined();
      expect(findingFor(o, 'mirror-failed', 'teapot')).toBeDefined();
    },
  },
  {
    name: 'no route: every mirror fails and fallback is off',
    sim: 'fleet',
    mirrors: ['forbidden', 'teapot', 'gateway-timeout', 'not-found'],
    fallback: 'off',
    goproxy: () => 'off',
    gosumdb: vkey,
    routeFound: false,
    findings: [
      'no-route',
      'mirror-failed',
      'mirror-failed',
      'mirror-failed',
      'mirror-failed',
      'decision',
    ],
    verdicts: {
      forbidden: 'failed',
      teapot: 'failed',
      'gateway-timeout': 'failed',
      'not-found': 'failed',
    },
    reasons: [
      /^No public mirror is usable \(4 probed\) and fallback is off: there is no route to public modules\.$/,
    ],
    check: (o) => {
      const noRoute = o.report.findings[0]!;
      expect(noRoute).toMatchObject({
        level: 'error',
        code: 'no-route',
        title: 'No route to Go modules',
      });
      expect(noRoute.message).toMatch(/public modules cannot be downloaded/);
      expect(o.report.fastestMirror).toBeNull();
    },
    // Go agrees: GOPROXY=off downloads nothing.
    downloads: [{ fails: /GOPROXY=off/ }],
  },
  {
    name: 'deadline holds (8 s): a blackholed and a slow-drip mirror next to a healthy one',
    sim: 'fleet',
    mirrors: ['blackhole', 'drip', 'good'],
    goproxy: GOOD_ONLY,
    gosumdb: vkey,
    findings: ['mirror-failed', 'mirror-failed', 'decision'],
    verdicts: { blackhole: 'failed', drip: 'failed', good: 'chosen' },
    check: (o) => {
      deadlineHeld(o);
      expect(mirrorReport(o, 'blackhole').reason).toMatch(/timed out/);
      expect(mirrorReport(o, 'drip').reason).toMatch(/timed out/);
    },
  },
  {
    // crawl (200 ms): its first request (~3 round trips) fits the 750 ms request timeout, its
    // module requests (~5 round trips, its two modules side by side) outlast the 900 ms deadline.
    name: 'deadline holds (1 s): it cuts a crawling mirror, and the report says so',
    sim: 'fleet',
    mirrors: ['blackhole', 'drip', 'crawl', 'good'],
    timeoutMs: 1000,
    goproxy: GOOD_ONLY,
    gosumdb: vkey,
    findingsInclude: ['decision'],
    verdicts: { blackhole: 'failed', drip: 'failed', crawl: 'skipped', good: 'chosen' },
    mirrorReasons: {
      crawl: /^not probed: deadline: the 1000 ms probe deadline ended this mirror's probe$/,
    },
    reasons: [/^The probe hit its deadline; 1 mirror was not fully probed\.$/],
    check: (o) => {
      deadlineHeld(o, 1000);
      expect(o.run.deadlineHit).toBe(true);
    },
  },
  {
    name: 'private modules: the private proxy heads the chain; no private path reaches a public server',
    sim: 'fleet',
    privateProxy: 'private',
    privateModules: [{ path: PRIVATE_MODULE, version: 'v1.0.0' }],
    mirrors: ['good', 'fast'],
    goproxy: (sim) => `${urlOf(sim, 'private')},${urlOf(sim, 'good')}|${urlOf(sim, 'fast')}|direct`,
    gosumdb: vkey,
    findings: ['decision'],
    verdicts: { private: 'chosen', good: 'chosen', fast: 'chosen' },
    reasons: [
      /^The private proxy comes first, followed by `,`.*GONOPROXY=none.*GONOSUMDB=git\.corp\.example/,
    ],
    check: (o) => {
      const withCredentials = o.sim.url('private', { credentials: true });
      expect(o.selection.settings.GOPROXY).toBe(
        `${withCredentials},${urlOf(o.sim, 'good')}|${urlOf(o.sim, 'fast')}|direct`,
      );
      expect(o.report.settings).toMatchObject({
        GOPRIVATE: PRIVATE_PATTERN,
        GONOPROXY: 'none',
        GONOSUMDB: PRIVATE_PATTERN,
      });
      expect(JSON.stringify(o.report)).not.toContain(DEFAULT_PRIVATE_AUTH.password);
      expect(mirrorReport(o, 'private').origin).toBe('private');
      // The private proxy was asked, with credentials, about the private module only.
      const privateLog = o.requests.filter((r) => r.server === 'private');
      expect(
        privateLog.some(
          (r) => r.path.includes(PRIVATE_MODULE) && r.authorization && r.status === 200,
        ),
      ).toBe(true);
      expect(privateLog.some((r) => r.path.includes(HELLO) || r.path.includes(BIG))).toBe(false);
      // Every public server (mirrors and the checksum database) was asked, but never about it.
      for (const server of ['good', 'fast', 'sumdb'])
        expect(o.requests.filter((r) => r.server === server).length).toBeGreaterThan(0);
      expect(leaksOfPrivatePaths(o.requests)).toEqual([]);
    },
    downloads: [{ withPrivate: true }],
    checkDownload: (_sim, requests) => expect(leaksOfPrivatePaths(requests)).toEqual([]),
  },
  {
    name: 'database unreachable directly (6 s round trips): the relaying mirror heads the chain',
    sim: 'db-far',
    mirrors: ['plain', 'relay'],
    goproxy: chain('relay', 'plain', 'direct'),
    gosumdb: vkey,
    findings: ['decision'],
    verdicts: { relay: 'chosen', plain: 'chosen' },
    mirrorReasons: {
      relay: /^rank 1: /,
      plain:
        /^rank 2: .*ranked lower because the checksum database is not reachable through the chain it would head$/,
    },
    check: (o) => {
      const direct = o.run.sumdbRoutes.find((r) => r.kind === 'direct')!;
      expect(direct).toMatchObject({ ok: false, outcome: 'timeout' });
      expect(o.report.sumdb.route).toBe(o.sim.sumdb.relayUrl('relay'));
      expect(mirrorReport(o, 'plain').integrity).toBe('verified');
      deadlineHeld(o);
    },
    exclusiveDownloads: true,
    checkDownload: (sim, requests) => {
      const db = requests.filter((r) => r.server === 'sumdb');
      expect(db.length).toBeGreaterThan(0);
      expect(db.every((r) => r.via === 'relay')).toBe(true);
    },
  },
  {
    name: 'database unreachable directly, no usable mirror relays it: rerouted through a relay (`<vkey> <relay url>`)',
    sim: 'db-far',
    mirrors: ['plain', 'plain-far', 'relay-only'],
    goproxy: chain('plain', 'plain-far', 'direct'),
    gosumdb: (sim) => `${sim.sumdb.vkey} ${sim.sumdb.relayUrl('relay-only')}`,
    findings: ['mirror-failed', 'sumdb-rerouted', 'decision'],
    verdicts: { plain: 'chosen', 'plain-far': 'chosen', 'relay-only': 'failed' },
    mirrorReasons: { 'relay-only': /^answered 403 Forbidden on example\.com\/hello\/@v\/list$/ },
    reasons: [/relays the checksum database\)\.$/],
    check: (o) => {
      const rerouted = findingFor(o, 'sumdb-rerouted');
      expect(rerouted.title).toBe(
        `Checksum database rerouted to ${o.sim.sumdb.relayUrl('relay-only')}`,
      );
      expect(o.report.sumdb.route).toBe(o.sim.sumdb.relayUrl('relay-only'));
      expect(o.report.sumdb.tried.at(-1)).toMatchObject({
        ok: true,
        route: o.sim.sumdb.relayUrl('relay-only'),
      });
      expect(mirrorReport(o, 'relay-only').sumdbSupported).toBe(200);
      deadlineHeld(o);
    },
    exclusiveDownloads: true,
    checkDownload: (sim, requests) => {
      const db = requests.filter((r) => r.server === 'sumdb');
      expect(db.length).toBeGreaterThan(0);
      expect(db.every((r) => r.via === 'relay-only')).toBe(true);
    },
  },
  {
    name: 'database answers 500 everywhere: cross-mirror integrity, GOSUMDB kept, warned',
    sim: 'db-500',
    mirrors: ['a', 'b'],
    goproxy: chain('a', 'b', 'direct'),
    gosumdb: vkey,
    findings: ['sumdb-unreachable', 'decision'],
    verdicts: { a: 'chosen', b: 'chosen' },
    check: (o) => {
      expect(o.report.integrityMethod).toBe('cross-mirror');
      expect(mirrorReport(o, 'a').integrity).toBe('agreed');
      expect(mirrorReport(o, 'b').integrity).toBe('agreed');
      expect(o.run.sumdbRoutes.every((r) => !r.ok)).toBe(true);
      expect(findingFor(o, 'sumdb-unreachable').message).toMatch(/Commit complete go\.sum files/);
    },
    exclusiveDownloads: true,
    // As the warning says: with a complete go.sum the build works. Without it every lookup fails,
    // so Go rejects every mirror's content, falls through `|` to `direct` and fails there.
    downloads: [{ goSum: true }, { fails: /unrecognized import path "example\.com\/hello"/ }],
    checkDownload: (_sim, requests, spec) => {
      const db = requests.filter((r) => r.server === 'sumdb');
      if (spec.goSum) expect(db).toEqual([]);
      else expect(db.length > 0 && db.every((r) => r.status === 500 && r.via === 'a')).toBe(true);
    },
  },
  {
    name: 'database blackholed: the deadline holds, GOSUMDB kept, warned',
    sim: 'db-blackhole',
    mirrors: ['a', 'b'],
    goproxy: chain('a', 'b', 'direct'),
    gosumdb: vkey,
    findings: ['sumdb-unreachable', 'decision'],
    verdicts: { a: 'chosen', b: 'chosen' },
    check: (o) => {
      deadlineHeld(o);
      expect(o.report.integrityMethod).toBe('cross-mirror');
      expect(o.run.sumdbRoutes.every((r) => !r.ok)).toBe(true);
    },
    // Without go.sum Go itself would hang on the database (it has no timeout): only the go.sum case.
    downloads: [{ goSum: true }],
    exclusiveDownloads: true,
    checkDownload: (_sim, requests) =>
      expect(requests.filter((r) => r.server === 'sumdb')).toEqual([]),
  },
];

function leaksOfPrivatePaths(requests: readonly RequestRecord[]): RequestRecord[] {
  return requests.filter((r) => r.server !== 'private' && r.path.includes(PRIVATE_PATTERN));
}

// ---- the real go command ----

interface DownloadResult {
  readonly code: number | null;
  readonly stderr: string;
  readonly goSum: string;
  readonly modules: readonly CorpusModule[];
  readonly requests: readonly RequestRecord[];
  readonly error?: unknown;
}

/** Serialises downloads on one simulator when their request log must be their own. */
const simLocks = new Map<Simulator, Promise<void>>();
async function withSimLock<T>(sim: Simulator, work: () => Promise<T>): Promise<T> {
  const previous = simLocks.get(sim) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  simLocks.set(
    sim,
    previous.then(() => mine),
  );
  await previous;
  try {
    return await work();
  } finally {
    release();
  }
}

function goSettingsEnv(o: Outcome, spec: DownloadSpec): Record<string, string> {
  const { settings } = o.selection;
  const env: Record<string, string> = { GOPROXY: settings.GOPROXY, GOSUMDB: settings.GOSUMDB };
  if (settings.GONOPROXY) env.GONOPROXY = settings.GONOPROXY;
  if (settings.GONOSUMDB) env.GONOSUMDB = settings.GONOSUMDB;
  if (o.report.settings.GOPRIVATE) env.GOPRIVATE = o.report.settings.GOPRIVATE;
  for (const [key, value] of Object.entries(spec.override ?? {}))
    env[key] = value === 'VKEY' ? o.sim.sumdb.vkey : value;
  return env;
}

async function download(o: Outcome, spec: DownloadSpec): Promise<DownloadResult> {
  const { sim } = o;
  const modules = [
    ...defaultConsumerModules(sim.corpus),
    ...(spec.withPrivate ? [sim.corpus.get(PRIVATE_MODULE, 'v1.0.0')!] : []),
  ];
  const root = await mkdtemp(join(tmpdir(), 'gps-scenario-go-'));
  try {
    const dir = await writeConsumerModule(join(root, 'consumer'), sim.corpus, {
      modules,
      goSum: spec.goSum ?? false,
    });
    const env = isolatedGoEnv(root, { SSL_CERT_FILE: sim.caFile, ...goSettingsEnv(o, spec) });
    const from = sim.requests.length;
    const result = await runGo(['mod', 'download', ...modules.map((m) => m.path)], {
      cwd: dir,
      env,
      timeoutMs: 60_000,
    });
    const requests = sim.requests.slice(from);
    const goSum = await readFile(join(dir, 'go.sum'), 'utf8').catch(() => '');
    return { code: result.code, stderr: result.stderr, goSum, modules, requests };
  } finally {
    await removeGoTree(root);
  }
}

/** Runs jobs with at most `limit` at once; a failing job rejects only its own promise. */
function pool<T>(jobs: readonly (() => Promise<T>)[], limit: number): Promise<T>[] {
  const results = jobs.map(() => {
    let settle!: (value: T) => void;
    let fail!: (error: unknown) => void;
    const promise = new Promise<T>((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    return { promise, settle, fail };
  });
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      try {
        results[index]!.settle(await jobs[index]!());
      } catch (error) {
        results[index]!.fail(error);
      }
    }
  };
  for (let i = 0; i < Math.min(limit, jobs.length); i++) void worker();
  for (const r of results) r.promise.catch(() => {});
  return results.map((r) => r.promise);
}

// ---- the tests ----

const outcomes = new Map<string, Outcome>();

beforeAll(async () => {
  const started = await Promise.all([
    startSimulator({ mirrors: fleetProfiles() }),
    // Round trips of 6 s: every direct request times out, relayed ones are in-process and quick.
    startSimulator({ mirrors: dbFarProfiles(), sumdb: { latencyMs: 6000 } }),
    startSimulator({ mirrors: pair(), sumdb: { status: 500 } }),
    startSimulator({ mirrors: pair(), sumdb: { blackhole: true } }),
  ]);
  sims.set('fleet', started[0]);
  sims.set('db-far', started[1]);
  sims.set('db-500', started[2]);
  sims.set('db-blackhole', started[3]);
});

afterAll(async () => {
  await probeThread.close();
  await Promise.all([...sims.values()].map((sim) => sim.close()));
});

describe('simulator scenarios: probe → select → report', () => {
  it('covers at least 15 scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(15);
    expect(new Set(scenarios.map((s) => s.name)).size).toBe(scenarios.length);
  });

  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const o = await runPipeline(scenario);
      outcomes.set(scenario.name, o);
      const { report, selection, sim } = o;

      expect(report.settings.GOPROXY).toBe(scenario.goproxy(sim));
      if (!scenario.privateProxy) expect(selection.settings.GOPROXY).toBe(scenario.goproxy(sim));
      expect(report.settings.GOSUMDB).toBe(scenario.gosumdb(sim));
      expect(selection.settings.GOSUMDB).toBe(scenario.gosumdb(sim));
      expect(report.sumdb.value).toBe(scenario.gosumdb(sim));
      expect(report.routeFound).toBe(scenario.routeFound ?? true);

      const verdicts = Object.fromEntries(
        Object.keys(scenario.verdicts).map((name) => [name, mirrorReport(o, name).verdict]),
      );
      for (const [name, expected] of Object.entries(scenario.verdicts)) {
        const allowed = typeof expected === 'string' ? [expected] : expected;
        expect(allowed, `verdict of ${name}: ${mirrorReport(o, name).reason}`).toContain(
          verdicts[name],
        );
      }
      for (const [name, pattern] of Object.entries(scenario.mirrorReasons ?? {}))
        expect(mirrorReport(o, name).reason, `reason of ${name}`).toMatch(pattern);
      if (scenario.findings) expect(findingCodes(o)).toEqual(scenario.findings);
      for (const code of scenario.findingsInclude ?? []) expect(findingCodes(o)).toContain(code);
      for (const pattern of scenario.reasons ?? [])
        expect(
          report.reasons.some((r) => pattern.test(r)),
          `a reason matching ${pattern}: ${report.reasons.join(' | ')}`,
        ).toBe(true);
      // The decision notice carries the settings as shown.
      expect(findingFor(o, 'decision').message).toContain(
        `GOPROXY=${report.settings.GOPROXY} GOSUMDB=${report.settings.GOSUMDB}`,
      );
      scenario.check?.(o);
    });
  }
});

describe('the real go command with the chosen settings (Go 1.19, no go.sum unless said)', () => {
  const jobs: { scenario: Scenario; spec: DownloadSpec; label: string }[] = [];
  for (const scenario of scenarios) {
    const specs = scenario.downloads ?? ((scenario.routeFound ?? true) ? [{}] : []);
    specs.forEach((spec, i) => {
      const variant = [
        spec.goSum ? 'with go.sum' : 'without go.sum',
        spec.override ? 'GOSUMDB without the pinned route' : '',
        spec.fails ? 'must fail' : '',
      ]
        .filter(Boolean)
        .join(', ');
      jobs.push({ scenario, spec, label: `${scenario.name} [${i + 1}: ${variant}]` });
    });
  }
  const results = new Map<string, Promise<DownloadResult>>();

  beforeAll(() => {
    const runnable = jobs.filter((job) => outcomes.has(job.scenario.name));
    const promises = pool(
      runnable.map((job) => () => {
        const o = outcomes.get(job.scenario.name)!;
        return job.scenario.exclusiveDownloads
          ? withSimLock(o.sim, () => download(o, job.spec))
          : download(o, job.spec);
      }),
      DOWNLOAD_PARALLELISM,
    );
    runnable.forEach((job, i) => results.set(job.label, promises[i]!));
  });

  for (const job of jobs) {
    it(job.label, async () => {
      const pending = results.get(job.label);
      if (!pending) throw new Error('the probe of this scenario failed; nothing to download with');
      const result = await pending;
      const o = outcomes.get(job.scenario.name)!;
      if (job.spec.fails) {
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(job.spec.fails);
      } else {
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(goSumLines(result.goSum)).toEqual(goSumLines(o.sim.corpus.goSum(result.modules)));
      }
      job.scenario.checkDownload?.(o.sim, result.requests, job.spec);
    });
  }
});
