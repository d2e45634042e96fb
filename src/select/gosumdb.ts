/**
 * GOSUMDB: which route the go command will take to the checksum database through a GOPROXY chain
 * (cmd/go `(*dbClient).initBase` over `TryProxies`), whether that route works from here, and
 * which value to write when it does not.
 */
import { InputError } from '../errors.js';
import {
  SUM_GOLANG_GOOGLE_CN as SUM_GOLANG_ALIAS,
  SUM_GOLANG_ORG,
  parseGosumdb,
} from '../goenv/gosumdb.js';
import type { ChecksumDatabase, MirrorProbe, ProbeRun, SumdbRouteProbe } from '../probe/types.js';
import { stripCredentials } from '../redact.js';
import type { EndpointOutcome, Finding, SumdbRouteReport } from '../report/types.js';
import { formatMs } from '../units.js';
import { describeOutcome, isNotFound } from './describe.js';
import type { ChainEntry, MirrorAssessment } from './types.js';
import { checkGosumdb } from './validate.js';

type TriedRoute = SumdbRouteReport['tried'][number];

/** Where Go's walk over the chain ends. */
export interface SumdbWalk {
  /** Base URL lookups go to; null when the walk ends in an error (every lookup fails). */
  readonly route: string | null;
  readonly via: 'mirror' | 'direct' | null;
  /** The chain entry whose relay is used (via 'mirror'). */
  readonly entry: ChainEntry | null;
  /** The entry whose error stops the walk (route null). */
  readonly brokenBy: { readonly entry: ChainEntry; readonly outcome: EndpointOutcome } | null;
  /** Every `/supported` answer that did not win, in the order Go asked (the breaking one included). */
  readonly passed: readonly { readonly entry: ChainEntry; readonly outcome: EndpointOutcome }[];
}

/** Outcome used when the probe has no `/supported` answer for an entry: unknown counts as an error. */
const NOT_PROBED = 'not probed';

/**
 * When Go's walk lands on a public mirror's relay and the database itself answered clearly faster
 * (relay > DIRECT_PIN_RATIO × direct + DIRECT_PIN_MARGIN_MS), the database is pinned by URL.
 * Both figures are one request each. The direct one is the first request to the database's host,
 * so it also pays for opening the connection (TCP and TLS: about two more round trips and the
 * handshake's CPU), while the relay's rides the connection the mirror's probes already opened:
 * the comparison already favours the relay. A quarter and 20 ms on top keep noise, and relays
 * about as fast as the database, on Go's default route.
 */
export const DIRECT_PIN_RATIO = 1.25;
export const DIRECT_PIN_MARGIN_MS = 20;

/**
 * Go's TryProxies for `/sumdb/<name>/supported`: 200 wins; `direct`/`off` answer "not found";
 * after an error the walk continues only past 404/410 or a `|`. At the end, a "not found" best
 * error means the database itself (`https://<name>`). Error ranking as in Go: an error from
 * `direct` beats a proxy error, which beats "not found" — so `A|off` with A answering 500 breaks.
 */
export function walkSumdbRoute(chain: readonly ChainEntry[], databaseName: string): SumdbWalk {
  const passed: { entry: ChainEntry; outcome: EndpointOutcome }[] = [];
  type Best = {
    notExist: boolean;
    rank: number;
    entry: ChainEntry | null;
    outcome: EndpointOutcome;
  };
  const NOT_EXIST_RANK = 0;
  const PROXY_RANK = 1;
  const DIRECT_RANK = 2;
  let best: Best | null = null;
  for (const entry of chain) {
    if (entry.kind === 'direct' || entry.kind === 'off') {
      // errProxyOff: "not found"; only `direct` ranks it above proxy errors.
      if (entry.kind === 'direct')
        best = { notExist: true, rank: DIRECT_RANK, entry: null, outcome: 404 };
      else if (best === null || best.rank === NOT_EXIST_RANK)
        best = { notExist: true, rank: NOT_EXIST_RANK, entry: null, outcome: 404 };
      break;
    }
    const outcome = entry.probe?.sumdbSupported ?? NOT_PROBED;
    if (outcome === 200) {
      return {
        route: relayRoute(entry.display, databaseName),
        via: 'mirror',
        entry,
        brokenBy: null,
        passed,
      };
    }
    const notExist = isNotFound(outcome);
    if (!notExist && (best === null || best.rank <= PROXY_RANK)) {
      best = { notExist, rank: PROXY_RANK, entry, outcome };
    } else if (best === null || best.rank === NOT_EXIST_RANK) {
      best = { notExist, rank: NOT_EXIST_RANK, entry, outcome };
    }
    passed.push({ entry, outcome });
    if (!notExist && entry.separatorAfter !== '|') {
      return { route: null, via: null, entry: null, brokenBy: { entry, outcome }, passed };
    }
  }
  if (best === null || best.notExist) {
    return { route: directRoute(databaseName), via: 'direct', entry: null, brokenBy: null, passed };
  }
  // The error that stops Go is the best proxy error seen, even though the walk fell through it.
  return {
    route: null,
    via: null,
    entry: null,
    brokenBy: { entry: best.entry!, outcome: best.outcome },
    passed,
  };
}

export function directRoute(databaseName: string): string {
  return `https://${databaseName}`;
}

export function relayRoute(mirrorBase: string, databaseName: string): string {
  return `${mirrorBase.replace(/\/+$/, '')}/sumdb/${databaseName}`;
}

/**
 * Probed routes carry no credentials (SumdbRouteProbe.route), while an explicit GOSUMDB URL may:
 * compare both without them, and without trailing slashes.
 */
function sameUrl(a: string, b: string): boolean {
  const comparable = (url: string) => stripCredentials(url).replace(/\/+$/, '');
  return comparable(a) === comparable(b);
}

/** The probe of a route, matched by its base URL (and mirror for relays). */
export function findRouteProbe(
  routes: readonly SumdbRouteProbe[],
  route: string,
  mirror?: string,
): SumdbRouteProbe | null {
  return (
    routes.find((r) => sameUrl(r.route, route)) ??
    (mirror === undefined
      ? null
      : (routes.find(
          (r) => r.kind === 'mirror' && r.mirror !== undefined && sameUrl(r.mirror, mirror),
        ) ?? null))
  );
}

/** How the `gosumdb` input and the probed database translate into a plan. */
export type SumdbMode =
  | { readonly kind: 'off' }
  /** The route is fixed by the value (explicit URL or the alias): no walk. */
  | {
      readonly kind: 'fixed';
      readonly value: string;
      readonly route: string;
      readonly userSet: boolean;
    }
  /** Go walks the chain; `userSet` false means we may reroute. */
  | { readonly kind: 'walk'; readonly value: string; readonly userSet: boolean };

/** Interprets the `gosumdb` input; throws InputError for a value Go would reject. */
export function resolveSumdbMode(input: string, database: ChecksumDatabase): SumdbMode {
  const value = input.trim();
  if (value === '' || value === 'auto') {
    if (database.explicitUrl) {
      return { kind: 'fixed', value: database.value, route: database.explicitUrl, userSet: false };
    }
    return { kind: 'walk', value: database.value, userSet: false };
  }
  if (value === 'off') return { kind: 'off' };
  const parsed = parseGosumdb(value);
  if (!parsed.ok) {
    throw new InputError(
      `Input gosumdb: ${parsed.error}. Allowed: auto, off, sum.golang.org, sum.golang.google.cn, <name>+<hash>+<key> [<url>].`,
    );
  }
  const db = parsed.db;
  if (db.kind === 'off') return { kind: 'off' };
  if (db.url !== null) return { kind: 'fixed', value: db.value, route: db.url, userSet: true };
  return { kind: 'walk', value: db.value, userSet: true };
}

/** Name of the database a GOSUMDB value designates (`sum.golang.org` for both bare names). */
export function databaseNameOf(value: string): string {
  const parsed = parseGosumdb(value);
  if (parsed.ok && parsed.db.kind === 'db') return parsed.db.name;
  return (value.trim().split(/\s+/)[0] ?? '').split('+')[0] ?? '';
}

/**
 * For ranking: does the checksum database work through the chain this mirror would create
 * (`[private,] mirror <sep> fallback`)? null when the route does not depend on the chain.
 */
export function sumdbRouteOkVia(
  mode: SumdbMode,
  run: ProbeRun,
  chain: readonly ChainEntry[],
): boolean | null {
  if (mode.kind !== 'walk') return null;
  const walk = walkSumdbRoute(chain, databaseNameOf(mode.value));
  if (walk.route === null) return false;
  return findRouteProbe(run.sumdbRoutes, walk.route, walk.entry?.display)?.ok ?? false;
}

export interface SumdbDecision {
  /** GOSUMDB to write (may name a mirror URL; public mirrors carry no credentials). */
  readonly value: string;
  readonly report: SumdbRouteReport;
  readonly reason: string;
  readonly findings: readonly Finding[];
}

/**
 * Chooses GOSUMDB. `auto`: keep the database's own value when the route Go will take works —
 * unless that route is a public mirror's relay clearly slower than the verified database itself,
 * which is then pinned by URL (a notice); otherwise the first working of: the database's host
 * pinned explicitly (bypasses the chain), the sum.golang.google.cn alias (sum.golang.org only), a
 * public mirror's verified relay. A value the user set is kept as given; its route is checked
 * and a failure is a warning.
 */
export function chooseGosumdb(
  run: ProbeRun,
  chain: readonly ChainEntry[],
  mode: SumdbMode,
  assessments: readonly MirrorAssessment[],
): SumdbDecision {
  if (mode.kind === 'off') return offDecision(run);
  const name = databaseNameOf(mode.value);
  const tried: TriedRoute[] = [];
  const natural = naturalRoute(mode, chain, name, run.sumdbRoutes, tried);
  const pin = natural.ok && !mode.userSet ? fasterDirectRoute(run, name, natural) : null;
  if (pin) return pinnedDirectDecision(name, pin, tried);
  if (natural.ok) {
    return {
      value: mode.value,
      report: {
        database: name,
        value: mode.value,
        route: natural.route!,
        reason: natural.why,
        tried,
      },
      reason: `GOSUMDB=${mode.value}: ${natural.why}.`,
      findings: [],
    };
  }
  if (mode.userSet) return keptUserValue(mode.value, name, natural, tried);

  const key = name === SUM_GOLANG_ORG ? SUM_GOLANG_ORG : run.database.key;
  for (const alternative of alternatives(run, name, key, natural.route, chain, assessments)) {
    tried.push({
      route: alternative.route,
      outcome: alternative.probe.outcome,
      ok: alternative.probe.ok,
      note: alternative.note,
    });
    if (!alternative.probe.ok) continue;
    const problem = checkGosumdb(alternative.value);
    if (problem !== null) continue; // never write what Go rejects (e.g. a URL with spaces)
    const why = `${natural.failure}; lookups go to ${alternative.route} instead (${alternative.note})`;
    return {
      value: alternative.value,
      report: {
        database: name,
        value: alternative.value,
        route: alternative.route,
        reason: why,
        tried,
      },
      reason: `GOSUMDB=${alternative.value}: ${why}.`,
      findings: [
        {
          level: 'warning',
          code: 'sumdb-rerouted',
          title: `Checksum database rerouted to ${alternative.route}`,
          message: `${natural.failure}. GOSUMDB=${alternative.value} sends checksum lookups to ${alternative.route}, which answered with a verified signed tree head. Records are still verified with the ${name} key.`,
        },
      ],
    };
  }
  const why = `${natural.failure}, and no other route worked; GOSUMDB stays ${mode.value}`;
  return {
    value: mode.value,
    report: {
      database: name,
      value: mode.value,
      route: natural.route ?? directRoute(name),
      reason: why,
      tried,
    },
    reason: `GOSUMDB=${mode.value}: ${why}.`,
    findings: [
      {
        level: 'warning',
        code: 'sumdb-unreachable',
        title: 'Checksum database unreachable',
        message: `${natural.failure}, and no alternative route (${name === SUM_GOLANG_ORG ? 'sum.golang.google.cn, ' : ''}a mirror's relay) answered. GOSUMDB stays ${mode.value}: builds fail only when a module is missing from go.sum and must be looked up. Commit complete go.sum files, or allow this runner to reach ${directRoute(name)}.`,
      },
    ],
  };
}

interface NaturalRoute {
  readonly route: string | null;
  /** The probe of `route`, when there is one. */
  readonly probe: SumdbRouteProbe | null;
  /** The chain entry whose relay Go uses (null: the route is direct or fixed). */
  readonly relayEntry: ChainEntry | null;
  readonly ok: boolean;
  /** Why it works (when ok). */
  readonly why: string;
  /** Why it does not work (when not ok), as a clause. */
  readonly failure: string;
}

function naturalRoute(
  mode: Exclude<SumdbMode, { kind: 'off' }>,
  chain: readonly ChainEntry[],
  name: string,
  routes: readonly SumdbRouteProbe[],
  tried: TriedRoute[],
): NaturalRoute {
  if (mode.kind === 'fixed') {
    const probe = findRouteProbe(routes, mode.route);
    tried.push(routeTried(mode.route, probe, 'fixed by GOSUMDB (Go does not walk GOPROXY)'));
    return {
      route: mode.route,
      probe,
      relayEntry: null,
      ok: probe?.ok ?? false,
      why: `lookups go straight to ${mode.route}, which answered with a verified signed tree head`,
      failure: `${mode.route} ${routeFailure(probe)}`,
    };
  }
  const walk = walkSumdbRoute(chain, name);
  const brokenBy = walk.brokenBy;
  const fellThrough = brokenBy?.entry.separatorAfter === '|';
  for (const step of walk.passed) {
    const stops = step.entry === brokenBy?.entry;
    tried.push({
      route: relayRoute(step.entry.display, name),
      outcome: step.outcome,
      ok: false,
      note: !stops
        ? `/supported ${describeOutcome(step.outcome)}; Go tries the next entry`
        : fellThrough
          ? `/supported ${describeOutcome(step.outcome)}; Go moves on, but with no \`direct\` later this error fails every lookup`
          : `/supported ${describeOutcome(step.outcome)}; Go stops here and every lookup fails`,
    });
  }
  if (brokenBy !== null) {
    const { entry, outcome } = brokenBy;
    return {
      route: null,
      probe: null,
      relayEntry: null,
      ok: false,
      why: '',
      failure: fellThrough
        ? `${entry.display} ${describeOutcome(outcome)} on /sumdb/${name}/supported and the chain has no \`direct\` after it, so every checksum lookup through GOPROXY fails with that error`
        : `${entry.display} ${describeOutcome(outcome)} on /sumdb/${name}/supported and is not followed by \`|\`, so every checksum lookup through GOPROXY fails`,
    };
  }
  const route = walk.route!; // not broken, so Go has a route
  const probe = findRouteProbe(routes, route, walk.entry?.display);
  const how =
    walk.via === 'mirror'
      ? `through ${walk.entry!.display}, which relays the checksum database`
      : `directly at ${route}`;
  tried.push(
    routeTried(
      route,
      probe,
      walk.via === 'mirror'
        ? '/supported answered 200: the route Go takes'
        : 'the route Go takes (no entry relays the database)',
    ),
  );
  return {
    route,
    probe,
    relayEntry: walk.via === 'mirror' ? walk.entry : null,
    ok: probe?.ok ?? false,
    why: `reached ${how} with a verified signed tree head`,
    failure: `the route Go takes, ${route}, ${routeFailure(probe)}`,
  };
}

interface DirectPin {
  /** `sum.golang.org https://sum.golang.org`, or `<key> <url>` for another database. */
  readonly value: string;
  readonly route: string;
  readonly direct: SumdbRouteProbe;
  readonly relay: SumdbRouteProbe;
  /** The mirror whose relay Go's walk would use. */
  readonly mirror: string;
}

/**
 * The database pinned by URL when Go's walk lands on a public mirror's relay that answered
 * clearly slower than the verified database itself (DIRECT_PIN_RATIO, DIRECT_PIN_MARGIN_MS).
 * The private proxy's relay is left alone: routing checksum lookups through it is the user's
 * infrastructure choice. For sum.golang.org the bare name is written: Go substitutes its known
 * key and uses the URL exclusively (dbDial), with no `/supported` walk.
 */
function fasterDirectRoute(run: ProbeRun, name: string, natural: NaturalRoute): DirectPin | null {
  const relay = natural.probe;
  if (natural.relayEntry?.kind !== 'mirror' || relay === null || !relay.ok) return null;
  const route = directRoute(name);
  const direct = run.sumdbRoutes.find((r) => r.kind === 'direct' && sameUrl(r.route, route));
  if (direct === undefined || !direct.ok) return null;
  if (!clearlySlower(relay.latencyMs, direct.latencyMs)) return null;
  const key = name === SUM_GOLANG_ORG ? SUM_GOLANG_ORG : run.database.key;
  const value = `${key} ${route}`;
  if (checkGosumdb(value) !== null) return null; // never write what Go rejects
  return { value, route, direct, relay, mirror: natural.relayEntry.display };
}

/** Is the relay's time clearly above the database's own? Unknown times never are. */
export function clearlySlower(relayMs: number | null, directMs: number | null): boolean {
  if (relayMs === null || directMs === null) return false;
  return relayMs > DIRECT_PIN_RATIO * directMs + DIRECT_PIN_MARGIN_MS;
}

function pinnedDirectDecision(name: string, pin: DirectPin, tried: TriedRoute[]): SumdbDecision {
  const relayMs = formatMs(pin.relay.latencyMs!);
  const directMs = formatMs(pin.direct.latencyMs!);
  const walked = tried.pop()!; // the relay Go's walk lands on
  tried.push(
    {
      ...walked,
      note: `/supported answered 200: the route Go's walk would take; its lookup took ${relayMs}`,
    },
    {
      route: pin.route,
      outcome: pin.direct.outcome,
      ok: true,
      note: `the database itself, pinned past the chain: ${directMs} against ${relayMs} through the relay`,
    },
  );
  const why = `Go's walk over GOPROXY would reach the database through ${pin.mirror}, whose relay answered in ${relayMs}, while ${pin.route} itself answered in ${directMs} with a verified signed tree head; lookups go straight there (pinned past the chain)`;
  return {
    value: pin.value,
    report: { database: name, value: pin.value, route: pin.route, reason: why, tried },
    reason: `GOSUMDB=${pin.value}: ${why}.`,
    findings: [
      {
        level: 'notice',
        code: 'sumdb-pinned-direct',
        title: `Checksum database pinned to ${pin.route}`,
        message: `The go command would reach the checksum database through ${pin.mirror}'s relay, which answered in ${relayMs}; ${pin.route} answered in ${directMs}. GOSUMDB=${pin.value} sends checksum lookups straight there: with a URL, Go uses it alone and skips the /supported walk. Records are still verified with the ${name} key.`,
      },
    ],
  };
}

function routeTried(route: string, probe: SumdbRouteProbe | null, note: string): TriedRoute {
  return { route, outcome: probe?.outcome ?? NOT_PROBED, ok: probe?.ok ?? false, note };
}

/** `timed out`, `answered 403 Forbidden`, `answered, but its signed tree head did not verify`. */
function routeFailure(probe: SumdbRouteProbe | null): string {
  if (probe === null) return 'was not probed';
  if (probe.outcome === 200 && !probe.ok) {
    return `answered, but its signed tree head did not verify${probe.error ? ` (${probe.error})` : ''}`;
  }
  return describeOutcome(probe.outcome);
}

interface Alternative {
  readonly value: string;
  readonly route: string;
  readonly probe: SumdbRouteProbe;
  readonly note: string;
}

/** Alternatives in order of preference; only routes the probe measured. */
function alternatives(
  run: ProbeRun,
  name: string,
  key: string,
  naturalRouteUrl: string | null,
  chain: readonly ChainEntry[],
  assessments: readonly MirrorAssessment[],
): Alternative[] {
  const out: Alternative[] = [];
  const direct = directRoute(name);
  const directProbe = findRouteProbe(run.sumdbRoutes, direct);
  // Same host as the default, pinned so the chain's relays are bypassed.
  if (directProbe && (naturalRouteUrl === null || !sameUrl(naturalRouteUrl, direct))) {
    out.push({
      value: `${key} ${direct}`,
      route: direct,
      probe: directProbe,
      note: 'the database itself, pinned past the chain',
    });
  }
  if (name === SUM_GOLANG_ORG) {
    const alias = run.sumdbRoutes.find((r) => r.kind === 'alias');
    if (alias)
      out.push({
        value: SUM_GOLANG_ALIAS,
        route: alias.route,
        probe: alias,
        note: 'the sum.golang.org alias',
      });
  }
  for (const relay of orderedRelays(run, chain, assessments)) {
    if (naturalRouteUrl !== null && sameUrl(relay.route, naturalRouteUrl)) continue;
    out.push({
      value: `${key} ${relay.route}`,
      route: relay.route,
      probe: relay,
      note: `${relay.mirror ?? 'a mirror'} relays the checksum database`,
    });
  }
  return out;
}

/**
 * Public mirror relays: chain members first (already trusted with modules), then by rank, then
 * probe order. The private proxy is left out: its URL may carry credentials, and GOSUMDB is printed.
 */
function orderedRelays(
  run: ProbeRun,
  chain: readonly ChainEntry[],
  assessments: readonly MirrorAssessment[],
): SumdbRouteProbe[] {
  const publicMirrors = new Map<string, MirrorProbe>();
  for (const m of run.mirrors) {
    if (!m.candidate.isPrivate && m.candidate.url === m.candidate.displayUrl) {
      publicMirrors.set(m.candidate.displayUrl.replace(/\/+$/, ''), m);
    }
  }
  const order = (relay: SumdbRouteProbe): number[] => {
    const mirror = (relay.mirror ?? '').replace(/\/+$/, '');
    const inChain = chain.findIndex(
      (e) => e.kind === 'mirror' && e.display.replace(/\/+$/, '') === mirror,
    );
    const assessment = assessments.find(
      (a) => a.probe.candidate.displayUrl.replace(/\/+$/, '') === mirror,
    );
    return [
      inChain < 0 ? Number.MAX_SAFE_INTEGER : inChain,
      assessment?.rank ?? Number.MAX_SAFE_INTEGER,
    ];
  };
  const relays = run.sumdbRoutes
    .map((route, index) => ({ route, index }))
    .filter(
      ({ route }) =>
        route.kind === 'mirror' && publicMirrors.has((route.mirror ?? '').replace(/\/+$/, '')),
    );
  return relays
    .sort((a, b) => {
      const [ca, ra] = order(a.route);
      const [cb, rb] = order(b.route);
      return ca! - cb! || ra! - rb! || a.index - b.index;
    })
    .map(({ route }) => route);
}

function keptUserValue(
  value: string,
  name: string,
  natural: NaturalRoute,
  tried: TriedRoute[],
): SumdbDecision {
  const why = `set by the gosumdb input, but ${natural.failure}`;
  return {
    value,
    report: {
      database: name,
      value,
      route: natural.route ?? directRoute(name),
      reason: why,
      tried,
    },
    reason: `GOSUMDB=${value}: ${why}.`,
    findings: [
      {
        level: 'warning',
        code: 'sumdb-route-failed',
        title: 'The checksum database you set is not reachable',
        message: `GOSUMDB=${value} (gosumdb input): ${natural.failure}. Builds fail when a module is missing from go.sum. Use gosumdb: auto to let go-proxy-setup pick a working route.`,
      },
    ],
  };
}

function offDecision(run: ProbeRun): SumdbDecision {
  const why =
    'checksum verification against the database is disabled because the gosumdb input says off';
  return {
    value: 'off',
    report: { database: run.database.name, value: 'off', route: '', reason: why, tried: [] },
    reason: `GOSUMDB=off: ${why}.`,
    findings: [
      {
        level: 'notice',
        code: 'gosumdb-off',
        title: 'Checksum database disabled (gosumdb: off)',
        message:
          'GOSUMDB=off as requested: new modules are checked only against go.sum, not against the checksum database, and Go ≥ 1.21 cannot switch toolchains (GOTOOLCHAIN=auto).',
      },
    ],
  };
}
