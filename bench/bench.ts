/**
 * `npm run bench`: our probe and our choice against the oracle, Go's default route and two peer
 * strategies (nrm's single GET, chsrc's single download), on the loopback mirror simulator, with
 * real `go mod download` runs. A report, not a test: it always exits 0 once it has run, and says
 * which targets of issue 3 failed.
 *
 *   npm run bench [-- --only standard,bandwidth-trap] [--runs 3] [--json out.json]
 *
 * Per scenario (scenarios.ts): (a) our probe + selection on the whole fleet next to the same probe
 * of the chosen mirror alone (probe.ts, in a worker thread watched by a heartbeat); nrm's and
 * chsrc's picks (peers.ts); (b) `go mod download` of the corpus through our settings, every
 * mirror alone (`<mirror>,direct`; the fastest is the oracle), the default route and the peers'
 * picks (download.ts). Takes about 2.5–3 minutes on 2 cores.
 *
 * GPS_BENCH_SRC=/path/to/a/copy/of/src benchmarks another tree (e.g. a candidate fix) with the
 * same scenarios; the header says so. bench/timeline.ts shows where one probe's time goes.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BIG,
  type CorpusModule,
  HELLO,
  type Simulator,
  defaultConsumerModules,
  startSimulator,
  writeConsumerModule,
} from '../test/simulator/index.js';
import { type Route, type RouteResult, makeRoute, routeMedian, timeRoutes } from './download.js';
import { type ChsrcSample, type NrmSample, type PeerPick, chsrcPick, nrmPick } from './peers.js';
import type { ProbeOutcome } from './probe-protocol.js';
import { MAX_MIRRORS, PROBE_TIMEOUT_MS, ProbeHost, detectGoVersion, sourceRoot } from './probe.js';
import {
  DEFAULT_MIRROR,
  SCENARIOS,
  type Scenario,
  describeMirror,
  neverAnswers,
} from './scenarios.js';
import { median, ms, rate, ratio, table, times } from './stats.js';

// ---- targets (issue 3, acceptance) ----
const PROBE_VS_ALONE_MAX = 1.5;
const PROBE_WALL_MAX_MS = 2000;
const DOWNLOAD_VS_ORACLE_MAX = 1.1;
/** Oracle contenders whose first download is this much slower than the fastest are timed once. */
const PRUNE_RATIO = 1.5;
const PROBE_REPEATS = 3;

interface Args {
  readonly only: readonly string[] | null;
  readonly runs: number;
  readonly json: string | null;
}

function parseArgs(argv: readonly string[]): Args {
  let only: string[] | null = null;
  let runs = 3;
  let json: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--only') only = value().split(',');
    else if (arg === '--runs') runs = Math.max(3, Number.parseInt(value(), 10) || 3);
    else if (arg === '--json') json = value();
    else throw new Error(`unknown argument ${arg} (use --only a,b --runs n --json file)`);
  }
  if (only) {
    const unknown = only.filter((n) => !SCENARIOS.some((s) => s.name === n));
    if (unknown.length > 0)
      throw new Error(
        `unknown scenario ${unknown.join(', ')} (have: ${SCENARIOS.map((s) => s.name).join(', ')})`,
      );
  }
  return { only, runs, json };
}

interface TargetResult {
  readonly scenario: string;
  readonly target: string;
  readonly value: string;
  readonly pass: boolean;
}

interface ScenarioResult {
  readonly scenario: string;
  readonly ours: {
    readonly goproxy: string | null;
    readonly gosumdb: string | null;
    /** Wall time per run (ms), or `hung` / `error`. */
    readonly probe: readonly (number | string)[];
    readonly alone: readonly (number | string)[];
    readonly lastAlone: readonly (number | string)[];
    readonly picks: readonly string[];
    readonly earlyStop: boolean | null;
  };
  readonly nrm: string | null;
  readonly chsrc: string | null;
  readonly downloads: Record<string, { runsMs: number[]; ok: boolean; medianMs: number | null }>;
  readonly oracle: string | null;
  readonly targets: readonly TargetResult[];
}

const log = (line = '') => console.log(line);
const progress = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const scenarios = SCENARIOS.filter((s) => !args.only || args.only.includes(s.name));
  const goVersion = await detectGoVersion();
  const started = performance.now();
  const srcRoot = sourceRoot();

  log('go-proxy-setup benchmark — loopback mirror simulator, real go command');
  log(
    `${goVersion ?? 'go (version unknown)'} · probe: timeout ${PROBE_TIMEOUT_MS / 1000} s, max-mirrors ${MAX_MIRRORS}, fallback direct · downloads: median of ${args.runs}, fresh GOPATH/GOMODCACHE/GOCACHE per run, no go.sum`,
  );
  log(
    `Probed sources: ${srcRoot}${process.env.GPS_BENCH_SRC ? "  (GPS_BENCH_SRC: NOT this repository's src/)" : ''}`,
  );
  log(
    `Targets: probe ≤ ${PROBE_VS_ALONE_MAX}× the chosen mirror alone and < ${ms(PROBE_WALL_MAX_MS)} (standard); our download ≤ ${DOWNLOAD_VS_ORACLE_MAX.toFixed(2)}× the oracle (every scenario).`,
  );

  const host = new ProbeHost(srcRoot);
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of scenarios)
      results.push(await runScenario(scenario, goVersion, args.runs, host));
  } finally {
    await host.close();
  }

  printSummary(results, performance.now() - started);
  const cold = host.warmUps.map((o) => (o.kind === 'done' ? ms(o.wallMs) : o.kind.toUpperCase()));
  log(
    `Cold first probe of each probe worker (not counted; a real CI run is cold like this): ${cold.join(', ') || '–'}`,
  );
  if (args.json) {
    await writeFile(args.json, `${JSON.stringify({ goVersion, results }, null, 2)}\n`);
    log(`JSON: ${args.json}`);
  }
}

async function runScenario(
  scenario: Scenario,
  goVersion: string | null,
  runs: number,
  host: ProbeHost,
): Promise<ScenarioResult> {
  progress(`[${scenario.name}] starting the simulator…`);
  const sim = await startSimulator({
    mirrors: scenario.mirrors,
    sumdb: scenario.sumdb,
    autoCloseMs: 5 * 60_000,
  });
  const home = await mkdtemp(join(tmpdir(), 'gps-bench-home-'));
  try {
    return await measureScenario(scenario, sim, home, goVersion, runs, host);
  } finally {
    await sim.close();
    await rm(home, { recursive: true, force: true });
  }
}

async function measureScenario(
  scenario: Scenario,
  sim: Simulator,
  home: string,
  goVersion: string | null,
  runs: number,
  host: ProbeHost,
): Promise<ScenarioResult> {
  const names = sim.mirrorNames;
  const urlOf = (name: string) => sim.url(name).replace(/\/+$/, '');
  const display = displayer(sim);

  // The consumer module as `go mod tidy` writes it: requirements sorted by path.
  const modules: CorpusModule[] = defaultConsumerModules(sim.corpus).sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
  const consumerDir = await writeConsumerModule(join(home, 'consumer'), sim.corpus, { modules });
  const goModText = await readFile(join(consumerDir, 'go.mod'), 'utf8');
  const probeEnv = { PATH: process.env.PATH ?? '', HOME: home, SSL_CERT_FILE: sim.caFile };
  const request = {
    mirrors: names.map(urlOf),
    goModText,
    gosumdb: sim.sumdb.gosumdb,
    goVersion,
    env: probeEnv,
  };

  log('');
  log(`━━ ${scenario.name}: ${scenario.title}`);
  log(`   mirrors: ${scenario.mirrors.map(describeMirror).join(' · ')}`);
  log(
    `   checksum database: ${scenario.sumdb.latencyMs ?? 0} ms away · corpus: ${modules.map((m) => `${m.path}@${m.version}`).join(', ')}`,
  );

  // ---- (a) our probe: full fleet and the chosen mirror alone, interleaved ----
  progress(`[${scenario.name}] probing…`);
  const repeats = scenario.probeTargets ? PROBE_REPEATS : 1;
  const full: ProbeOutcome[] = [];
  const alone: ProbeOutcome[] = [];
  /** The chain's last mirror alone: with max-mirrors 2 the probe cannot settle before it does. */
  const lastAlone: ProbeOutcome[] = [];
  let chain: readonly string[] = [];
  const completed = (list: readonly ProbeOutcome[]) => !list.some((o) => o.kind !== 'done');
  for (let i = 0; i < repeats; i++) {
    const outcome = await host.run(request);
    full.push(outcome);
    // A probe that hung or threw is reported once, not repeated.
    if (outcome.kind !== 'done') break;
    if (chain.length === 0) chain = outcome.chainMirrors;
    if (chain[0] && completed(alone))
      alone.push(await host.run({ ...request, mirrors: [chain[0]] }));
    if (scenario.probeTargets && chain.length > 1 && completed(lastAlone))
      lastAlone.push(await host.run({ ...request, mirrors: [chain[chain.length - 1]!] }));
  }
  const chosenUrl = chain[0] ?? null;
  const done = full.filter((o): o is Done => o.kind === 'done');
  const first = done[0] ?? null;
  const settings = first?.settings ?? null;
  const medianWall = (list: readonly ProbeOutcome[]) =>
    list.length > 0 && completed(list) ? median(list.map((o) => (o as Done).wallMs)) : null;
  const fullWall = medianWall(full);
  const aloneWall = medianWall(alone);
  const picks = done.map((o) => display(o.settings.GOPROXY));

  log(
    `   probe modules (chosen from go.mod as the action does): ${first?.probeModules.join(', ') ?? '–'}`,
  );
  log('');
  log(
    `   Our probe (runProbe + selectSettings, in a worker thread; ${repeats === 1 ? '1 run' : `median of ${repeats}`}):`,
  );
  if (settings)
    log(`     chose   GOPROXY=${display(settings.GOPROXY)}  GOSUMDB=${display(settings.GOSUMDB)}`);
  if (new Set(picks).size > 1) log(`     (choices differed between runs: ${picks.join(' / ')})`);
  if (first) {
    log(
      `     mirrors ${first.mirrors
        .map((m) => {
          const what = m.usable
            ? `TTFB ${ms(m.ttfbMs)}${m.throughputBytesPerSec !== null ? `, ${rate(m.throughputBytesPerSec)}` : ''}`
            : m.skipped !== null
              ? 'not finished'
              : `${m.failure ?? 'failed'}`;
          return `${display(m.url)} ${m.verdict} (${what})`;
        })
        .join(' · ')}`,
    );
  }
  const describeRuns = (outcomes: readonly ProbeOutcome[]) =>
    outcomes.map((o) => (o.kind === 'done' ? ms(o.wallMs) : o.kind.toUpperCase())).join(' / ');
  const probeRows: string[][] = [
    ['', 'wall', 'runs'],
    [
      'full fleet',
      ms(fullWall),
      `${describeRuns(full)}${first?.earlyStop ? '  (early stop)' : ''}${first?.deadlineHit ? '  (DEADLINE HIT)' : ''}`,
    ],
    [
      `chosen mirror alone (${chosenUrl ? display(chosenUrl) : 'none'})`,
      ms(aloneWall),
      describeRuns(alone),
    ],
  ];
  if (lastAlone.length > 0)
    probeRows.push([
      `last chain mirror alone (${display(chain[chain.length - 1]!)})`,
      ms(medianWall(lastAlone)),
      `${describeRuns(lastAlone)}  (max-mirrors ${MAX_MIRRORS}: the probe must settle it too)`,
    ]);
  log(table(probeRows, '     '));
  for (const o of [...full, ...alone, ...lastAlone])
    if (o.kind !== 'done') log(`     ${o.kind.toUpperCase()}: ${o.message}`);

  const targets: TargetResult[] = [];
  if (scenario.probeTargets) {
    const r = ratio(fullWall, aloneWall);
    targets.push({
      scenario: scenario.name,
      target: `probe ≤ ${PROBE_VS_ALONE_MAX}× chosen mirror alone`,
      value:
        r === null ? 'probe did not complete' : `${times(r)} (${ms(fullWall)} vs ${ms(aloneWall)})`,
      pass: r !== null && r <= PROBE_VS_ALONE_MAX,
    });
    targets.push({
      scenario: scenario.name,
      target: `probe < ${ms(PROBE_WALL_MAX_MS)}`,
      value: fullWall === null ? 'probe did not complete' : ms(fullWall),
      pass: fullWall !== null && fullWall < PROBE_WALL_MAX_MS,
    });
  }

  // ---- peers ----
  progress(`[${scenario.name}] nrm and chsrc…`);
  const peerMirrors = names.map((name) => ({ name, url: urlOf(name) }));
  const warmUpUrl = `${sim.sumdb.url}/latest`;
  const nrm = await nrmPick(peerMirrors, `${HELLO}/@v/list`, sim.caPem, warmUpUrl);
  const bigModule = modules.find((m) => m.path === BIG)!;
  const chsrc = await chsrcPick(
    peerMirrors,
    `${BIG}/@v/${bigModule.escapedVersion}.zip`,
    sim.caPem,
    [DEFAULT_MIRROR],
    warmUpUrl,
  );
  log('');
  printNrm(nrm);
  printChsrc(chsrc);

  // ---- (b) real go mod download ----
  const single = new Map<string, Route>();
  for (const profile of scenario.mirrors) {
    if (neverAnswers(profile)) continue;
    single.set(profile.name, makeRoute(`${urlOf(profile.name)},direct`, sim.sumdb.gosumdb));
  }
  const extra: Record<string, string> = {};
  if (settings?.GONOPROXY) extra.GONOPROXY = settings.GONOPROXY;
  if (settings?.GONOSUMDB) extra.GONOSUMDB = settings.GONOSUMDB;
  // No settings (the probe hung): nothing of ours to download with.
  const ours = settings ? makeRoute(settings.GOPROXY, settings.GOSUMDB, extra) : null;
  const mustRepeat = new Set<string>([single.get(DEFAULT_MIRROR)!.key]);
  if (ours) mustRepeat.add(ours.key);
  for (const pick of [nrm.pick, chsrc.pick])
    if (pick && single.has(pick)) mustRepeat.add(single.get(pick)!.key);
  const singleKeys = new Set([...single.values()].map((r) => r.key));
  const routes = [
    ...(ours ? [ours] : []),
    ...[...single.values()].filter((r) => r.key !== ours?.key),
  ];

  progress(`[${scenario.name}] go mod download through ${routes.length} routes…`);
  const timed = await timeRoutes(sim, modules, routes, {
    runs,
    oracleCandidate: (route) => singleKeys.has(route.key),
    mustRepeat: (route) => mustRepeat.has(route.key),
    pruneRatio: PRUNE_RATIO,
  });

  // The oracle: the fastest single mirror, over the routes timed `runs` times without a failure.
  let oracleName: string | null = null;
  let oracleMs: number | null = null;
  for (const [name, route] of single) {
    const result = timed.get(route.key)!;
    const m = routeMedian(result);
    if (m === null || result.runs.length < runs) continue;
    if (oracleMs === null || m < oracleMs) {
      oracleMs = m;
      oracleName = name;
    }
  }
  const oursResult: RouteResult = ours
    ? timed.get(ours.key)!
    : {
        route: makeRoute('(none: our probe did not complete)', ''),
        runs: [{ ms: 0, ok: false, error: 'no settings to download with' }],
      };
  const oursMs = routeMedian(oursResult);

  log('');
  log(`   go mod download (median of ${runs}; each run: fresh module cache, no go.sum):`);
  const rows: string[][] = [['route', 'GOPROXY', 'median', 'vs oracle', 'runs']];
  const row = (label: string, result: RouteResult) => {
    const m = routeMedian(result);
    const failed = result.runs.find((r) => !r.ok);
    rows.push([
      label,
      display(result.route.goproxy),
      failed ? 'FAILED' : ms(m),
      failed ? '–' : times(ratio(m, oracleMs)),
      failed
        ? clip(
            `${result.runs.filter((r) => !r.ok).length}/${result.runs.length} failed: ${display(failed.error ?? '')}`,
          )
        : `${result.runs.map((r) => ms(r.ms)).join(' / ')}${result.runs.length < runs ? '  (1 run: out of contention)' : ''}`,
    ]);
  };
  row('ours', oursResult);
  if (oracleName) row(`oracle = ${oracleName}`, timed.get(single.get(oracleName)!.key)!);
  row('default route', timed.get(single.get(DEFAULT_MIRROR)!.key)!);
  row(`nrm pick = ${nrm.pick ?? '(none)'}`, pickResult(nrm.pick));
  row(`chsrc pick = ${chsrc.pick ?? '(none)'}`, pickResult(chsrc.pick));
  for (const [name, route] of single) {
    if (name === oracleName || name === DEFAULT_MIRROR) continue;
    row(`  ${name} alone`, timed.get(route.key)!);
  }
  for (const profile of scenario.mirrors)
    if (neverAnswers(profile))
      rows.push([
        `  ${profile.name} alone`,
        '',
        'not run',
        '',
        'blackholed: go would wait for its timeout',
      ]);
  log(table(rows, '     '));

  const dr = ratio(oursMs, oracleMs);
  targets.push({
    scenario: scenario.name,
    target: `download ≤ ${DOWNLOAD_VS_ORACLE_MAX.toFixed(2)}× oracle`,
    value:
      oursMs === null
        ? settings
          ? 'our download FAILED'
          : 'our probe did not complete: no settings to download with'
        : `${times(dr)} (${ms(oursMs)} vs ${oracleName} ${ms(oracleMs)})`,
    pass: dr !== null && dr <= DOWNLOAD_VS_ORACLE_MAX,
  });
  log('');
  for (const t of targets) log(`   ${t.pass ? 'PASS' : 'FAIL'}  ${t.target}: ${t.value}`);

  const downloads: ScenarioResult['downloads'] = {};
  for (const [label, route] of [['ours', oursResult.route] as const, ...single]) {
    const result = timed.get(route.key) ?? oursResult;
    downloads[label] = {
      runsMs: result.runs.map((r) => Math.round(r.ms)),
      ok: result.runs.every((r) => r.ok),
      medianMs: routeMedian(result),
    };
  }
  return {
    scenario: scenario.name,
    ours: {
      goproxy: settings ? display(settings.GOPROXY) : null,
      gosumdb: settings ? display(settings.GOSUMDB) : null,
      probe: full.map((o) => (o.kind === 'done' ? Math.round(o.wallMs) : o.kind)),
      alone: alone.map((o) => (o.kind === 'done' ? Math.round(o.wallMs) : o.kind)),
      lastAlone: lastAlone.map((o) => (o.kind === 'done' ? Math.round(o.wallMs) : o.kind)),
      picks,
      earlyStop: first?.earlyStop ?? null,
    },
    nrm: nrm.pick,
    chsrc: chsrc.pick,
    downloads,
    oracle: oracleName,
    targets,
  };

  function pickResult(pick: string | null): RouteResult {
    const route = pick ? single.get(pick) : undefined;
    if (!route)
      return {
        route: makeRoute('(nothing picked)', ''),
        runs: [{ ms: 0, ok: false, error: 'no mirror qualified' }],
      };
    return timed.get(route.key)!;
  }
}

function printNrm(nrm: PeerPick<NrmSample>): void {
  log(
    `   nrm   (concurrent GET of @v/list, 5 s timeout, lowest ms of the 2xx answers) → ${nrm.pick ?? 'nothing'}  [decided in ${ms(nrm.wallMs)}]`,
  );
  log(
    `         ${nrm.samples
      .map(
        (s) =>
          `${s.name} ${s.isTimeout ? 'timeout' : s.success ? `${s.timeMs} ms` : `${s.timeMs} ms (${s.status ?? 'error'})`}`,
      )
      .join(' · ')}`,
  );
}

function printChsrc(chsrc: PeerPick<ChsrcSample>): void {
  log(
    `   chsrc (one download of the big module's zip per mirror in turn, 8 s cap, max bytes/s, HTTP code ignored) → ${chsrc.pick ?? 'nothing'}  [decided in ${ms(chsrc.wallMs)}]`,
  );
  log(
    `         ${chsrc.samples
      .map((s) =>
        s.note
          ? `${s.name} ${s.note}`
          : `${s.name} ${rate(s.bytesPerSec)} (HTTP ${s.httpCode === 0 ? '000' : s.httpCode}, ${Math.round(s.bytes / 1024)} KiB)`,
      )
      .join(' · ')}`,
  );
  const picked = chsrc.samples.find((s) => s.name === chsrc.pick);
  if (picked && picked.httpCode !== 200)
    log(
      `         note: chsrc picked a mirror that answered HTTP ${picked.httpCode}: it counts error pages as speed`,
    );
}

/** Replaces simulator URLs with mirror names and the database key with `<db>`, for short lines. */
/** Go's error lines name the whole URL; keep table rows readable. */
function clip(text: string, max = 140): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

type Done = Extract<ProbeOutcome, { kind: 'done' }>;

function displayer(sim: Simulator): (text: string) => string {
  const pairs: [string, string][] = sim.mirrorNames.map((n) => [sim.url(n).replace(/\/+$/, ''), n]);
  pairs.push([sim.sumdb.url, 'sumdb']);
  pairs.sort((a, b) => b[0].length - a[0].length);
  return (text) => {
    let out = text.split(sim.sumdb.vkey).join('<db>');
    for (const [url, name] of pairs) out = out.split(url).join(name);
    return out;
  };
}

function printSummary(results: readonly ScenarioResult[], totalMs: number): void {
  log('');
  log('━━ Summary');
  const rows: string[][] = [['scenario', 'ours', 'oracle', 'nrm', 'chsrc', 'target', 'result', '']];
  for (const r of results) {
    const med = (key: string | null) => (key ? (r.downloads[key]?.medianMs ?? null) : null);
    const oracleMs = med(r.oracle);
    const cell = (key: string | null) => {
      if (!key) return '–';
      const d = r.downloads[key];
      if (!d || !d.ok) return `${key} FAILED`;
      return `${key} ${times(ratio(d.medianMs, oracleMs))}`;
    };
    r.targets.forEach((t, i) =>
      rows.push([
        i === 0 ? r.scenario : '',
        i === 0 ? `${ms(med('ours'))} (${times(ratio(med('ours'), oracleMs))})` : '',
        i === 0 ? `${r.oracle ?? '–'} ${ms(oracleMs)}` : '',
        i === 0 ? cell(r.nrm) : '',
        i === 0 ? cell(r.chsrc) : '',
        t.target,
        t.value,
        t.pass ? 'PASS' : 'FAIL',
      ]),
    );
  }
  log(table(rows));
  const hung = results.filter((r) => r.ours.probe.some((p) => typeof p === 'string'));
  if (hung.length > 0) {
    log('');
    log(
      `Our probe did NOT complete in: ${hung.map((r) => `${r.scenario} (${r.ours.probe.find((p) => typeof p === 'string')})`).join(', ')}. HUNG = its event loop stopped (so its own deadline could not fire); the go command was never given settings there.`,
    );
  }
  const failed = results.flatMap((r) => r.targets.filter((t) => !t.pass));
  const total = results.reduce((n, r) => n + r.targets.length, 0);
  log('');
  log(
    failed.length === 0
      ? `All ${total} targets met.`
      : `${failed.length} of ${total} targets FAILED: ${failed.map((t) => `${t.scenario} — ${t.target}`).join('; ')}`,
  );
  log(`Benchmark wall time: ${ms(totalMs)}`);
}

main().then(
  () => {
    process.exitCode = 0;
  },
  (error: unknown) => {
    console.error(
      `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exitCode = 1;
  },
);
