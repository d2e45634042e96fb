/**
 * Selection: from a ProbeRun to the Go settings, with reasons and findings. Pure and deterministic.
 */
import { InputError } from '../errors.js';
import type { ProbeRun } from '../probe/types.js';
import { stripCredentials } from '../redact.js';
import type { Finding } from '../report/types.js';
import { formatMs, formatRate } from '../units.js';
import {
  type PrivateProxyKind,
  type PrivateRouting,
  buildChain,
  chainFor,
  formatChain,
  goSupportsPipe,
  privateRouting,
} from './chain.js';
import {
  decisionFinding,
  existingGoproxyFindings,
  mirrorFindings,
  outcomeFindings,
  privateProxyChainFindings,
  privateRoutingFindings,
  sortFindings,
  unservedModuleFindings,
} from './findings.js';
import { chooseGosumdb, resolveSumdbMode, sumdbRouteOkVia } from './gosumdb.js';
import { assessMirrors, unservedProbeModules } from './rank.js';
import type { GoSettings, MirrorAssessment, SelectOptions, Selection, Separator } from './types.js';
import { assertGoAccepts } from './validate.js';

export function selectSettings(run: ProbeRun, options: SelectOptions): Selection {
  checkOptions(options);
  const pipeSupported = goSupportsPipe(options.goVersion);
  const separator: Separator = pipeSupported ? '|' : ',';
  const privateProxy = run.mirrors.find((m) => m.candidate.isPrivate) ?? null;
  const privateKind: PrivateProxyKind | null =
    privateProxy === null ? null : privateProxy.candidate.origin === 'private' ? 'input' : 'env';
  const sumdbMode = resolveSumdbMode(options.gosumdb, run.database);
  const unserved = unservedProbeModules(run);

  const assessments = assessMirrors({
    run,
    maxMirrors: options.maxMirrors,
    privatePatterns: options.privatePatterns,
    excusedModules: unserved,
    sumdbRouteOk: (probe) =>
      sumdbRouteOkVia(sumdbMode, run, chainFor(privateProxy, probe, options.fallback, separator)),
  });
  const chosen = assessments
    .filter((a) => a.verdict === 'chosen' && !a.probe.candidate.isPrivate)
    .sort((a, b) => a.rank! - b.rank!);
  const usableCount = assessments.filter((a) => a.rank !== null).length;
  const chain = buildChain(
    privateProxy,
    chosen.map((a) => a.probe),
    options.fallback,
    separator,
  );
  const routeFound = chosen.length > 0 || options.fallback === 'direct';
  const sumdb = chooseGosumdb(run, chain, sumdbMode, assessments);
  const routing = privateRouting(privateKind, options.privatePatterns, {
    GONOPROXY: options.userGonoproxy ?? null,
    GONOSUMDB: options.userGonosumdb ?? null,
  });

  const settings: GoSettings = {
    GOPROXY: formatChain(chain, true),
    GOSUMDB: sumdb.value,
    GONOPROXY: routing.GONOPROXY,
    GONOSUMDB: routing.GONOSUMDB,
  };
  const display: GoSettings = {
    ...settings,
    GOPROXY: formatChain(chain, false),
    GOSUMDB: gosumdbDisplay(settings.GOSUMDB),
  };
  // The core must be unable to emit a value the go command rejects.
  assertGoAccepts(settings);

  const reasons = explain({
    run,
    options,
    chosen,
    separator,
    sumdbReason: sumdb.reason,
    privateKind,
    routing,
  });
  const privateUrls = [privateProxy?.candidate.url, options.envPrivateProxyUrl].filter(
    (url): url is string => typeof url === 'string' && url !== '',
  );
  const findings: Finding[] = [
    ...outcomeFindings({
      assessments,
      fallback: options.fallback,
      routeFound,
      usableCount,
      goVersion: options.goVersion,
      pipeSupported,
      deadlineHit: run.deadlineHit,
    }),
    ...mirrorFindings(assessments),
    ...privateProxyChainFindings(privateProxy, options.privatePatterns),
    ...privateRoutingFindings(routing, privateProxy?.candidate.displayUrl ?? null, {
      GONOPROXY: options.userGonoproxy ?? null,
      GONOSUMDB: options.userGonosumdb ?? null,
    }),
    ...unservedModuleFindings(unserved, options.fallback),
    ...existingGoproxyFindings(options.existingGoproxy, assessments, privateUrls, pipeSupported),
    ...sumdb.findings,
    decisionFinding(display, reasons[0]!),
  ];

  return {
    settings,
    display,
    routeFound,
    separator,
    chain,
    assessments,
    sumdb: sumdb.report,
    reasons,
    findings: sortFindings(findings),
  };
}

function checkOptions(options: SelectOptions): void {
  if (options.fallback !== 'direct' && options.fallback !== 'off') {
    throw new InputError(
      `Input fallback: "${options.fallback}" is not allowed. Allowed: direct, off.`,
    );
  }
  if (!Number.isInteger(options.maxMirrors) || options.maxMirrors < 1) {
    throw new InputError(
      `Input max-mirrors: "${options.maxMirrors}" is not allowed. Allowed: a whole number from 1 to 10.`,
    );
  }
}

interface ExplainInput {
  readonly run: ProbeRun;
  readonly options: SelectOptions;
  readonly chosen: readonly MirrorAssessment[];
  readonly separator: Separator;
  readonly sumdbReason: string;
  readonly privateKind: PrivateProxyKind | null;
  readonly routing: PrivateRouting;
}

/** One sentence per decision, most important first. */
function explain(input: ExplainInput): string[] {
  const { run, options, chosen } = input;
  const reasons: string[] = [];
  const publicCount = run.mirrors.filter((m) => !m.candidate.isPrivate).length;
  const [first, ...rest] = chosen;
  if (first) {
    reasons.push(
      `${first.probe.candidate.displayUrl} is the best of ${publicCount} mirror${publicCount === 1 ? '' : 's'} probed (${measurement(first)}).`,
    );
    for (const next of rest) {
      reasons.push(
        `${next.probe.candidate.displayUrl} follows as rank ${next.rank} (${measurement(next)}).`,
      );
    }
  } else if (options.fallback === 'direct') {
    reasons.push(
      `No public mirror is usable (${publicCount} probed), so modules come straight from their version-control hosts (direct).`,
    );
  } else {
    reasons.push(
      `No public mirror is usable (${publicCount} probed) and fallback is off: there is no route to public modules.`,
    );
  }
  if (chosen.length > 0) {
    reasons.push(
      input.separator === '|'
        ? 'Mirrors are joined with `|`, so any error from one (5xx, 403, timeout) falls through to the next entry.'
        : `Go ${options.goVersion} predates \`|\` (Go 1.15), so entries are joined with \`,\`: only 404/410 fall through, any other mirror error stops the download.`,
    );
  }
  if (input.privateKind !== null)
    reasons.push(privateProxyReason(input.privateKind, input.routing));
  reasons.push(
    options.fallback === 'direct'
      ? '`direct` ends the chain: modules no mirror serves come from their version-control hosts.'
      : '`off` ends the chain (fallback input): modules no mirror serves cannot be downloaded.',
  );
  reasons.push(input.sumdbReason);
  const unfinished = run.mirrors.filter((m) => m.skipped !== null).length;
  if (run.deadlineHit) {
    reasons.push(
      `The probe hit its deadline; ${unfinished} mirror${unfinished === 1 ? ' was' : 's were'} not fully probed.`,
    );
  } else if (run.earlyStop) {
    reasons.push(
      'The probe stopped early once the remaining mirrors could no longer change the decision.',
    );
  }
  return reasons;
}

/** Why the private proxy heads the chain and how private modules are routed around it. */
function privateProxyReason(kind: PrivateProxyKind, routing: PrivateRouting): string {
  const head =
    kind === 'input'
      ? 'The private proxy comes first'
      : 'The first entry of your GOPROXY looks like a private proxy, so it stays first';
  const parts: string[] = [];
  if (routing.GONOPROXY === 'none')
    parts.push(
      'GONOPROXY=none routes private modules to it instead of straight to version control',
    );
  else if (routing.keptGonoproxy !== null)
    parts.push(
      `your GONOPROXY=${routing.keptGonoproxy} is kept, so the modules it matches bypass the private proxy`,
    );
  else if (kind === 'env')
    parts.push('GONOPROXY is left as you had it, so private modules keep the route they had');
  if (routing.GONOSUMDB)
    parts.push(`GONOSUMDB=${routing.GONOSUMDB} keeps them away from the checksum database`);
  return `${head}, followed by \`,\`: only its 404/410 answers move on, so its outages never send private module paths to public mirrors${
    parts.length > 0 ? `; ${parts.join(', and ')}` : ''
  }.`;
}

function measurement(a: MirrorAssessment): string {
  const parts = [
    a.latencyMs === null ? 'latency not measured' : `median latency ${formatMs(a.latencyMs)}`,
  ];
  if (a.probe.throughputBytesPerSec !== null) parts.push(formatRate(a.probe.throughputBytesPerSec));
  if (a.probe.integrity === 'verified')
    parts.push('content verified against the checksum database');
  else if (a.probe.integrity === 'agreed') parts.push('content agrees with the other mirrors');
  if (a.fresh === false) parts.push('stale');
  return parts.join(', ');
}

/** GOSUMDB as shown: an explicit `<key> <url>` keeps its URL, without credentials. */
function gosumdbDisplay(value: string): string {
  const fields = value.trim().split(/\s+/);
  return fields.length === 2 ? `${fields[0]} ${stripCredentials(fields[1]!)}` : value;
}
