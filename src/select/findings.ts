/**
 * Findings: the annotations come from these. The rule for who gets a warning:
 * - security signals (tampered content, https→http redirects) always warn, whatever the origin:
 *   they point at a broken mirror or something intercepting the runner's traffic;
 * - availability problems (403, 5xx, timeouts, missing modules, staleness) warn only for mirrors
 *   the user configured (`mirrors` input, existing GOPROXY, `private-proxy`) or that we chose; a
 *   catalog mirror the user never asked for being down is a row in the report, not a warning;
 * - the outcome always speaks: no route (error), no usable mirror at all (warning), the decision (notice).
 */
import { DEFAULT_GOPROXY } from '../constants.js';
import { parseGoproxy, withImplicitScheme } from '../goenv/goproxy.js';
import { matchPrefixPatterns } from '../goenv/patterns.js';
import type { MirrorProbe } from '../probe/types.js';
import { redactUrlCredentials } from '../redact.js';
import { DECISION_CODE, type Finding, type MirrorOrigin } from '../report/types.js';
import type { PrivateRouting } from './chain.js';
import {
  describeEndpointFailure,
  firstFailingEndpoint,
  isModuleEndpoint,
  isNotFound,
  isTimeoutLike,
  splitModule,
} from './describe.js';
import type { Fallback, GoSettings, MirrorAssessment } from './types.js';

const USER_ORIGINS: ReadonlySet<MirrorOrigin> = new Set(['input', 'env', 'private']);

function originText(origin: MirrorOrigin): string {
  switch (origin) {
    case 'input':
      return 'listed in the mirrors input';
    case 'env':
      return 'from your GOPROXY';
    case 'private':
      return 'private-proxy';
    default:
      return 'built-in catalog';
  }
}

/** Findings about individual mirrors. */
export function mirrorFindings(assessments: readonly MirrorAssessment[]): Finding[] {
  const findings: Finding[] = [];
  for (const a of assessments) {
    const { candidate } = a.probe;
    const url = candidate.displayUrl;
    if (a.verdict === 'tampered') {
      findings.push({
        level: 'warning',
        code: 'mirror-tampered',
        title: `${url} served tampered content`,
        message: `${url} (${originText(candidate.origin)}) ${a.reason}. ${
          candidate.isPrivate
            ? `It stays first in the chain ${privateRoleText(candidate.origin)}; go will reject what it serves when go.sum disagrees. Check the proxy and its cache.`
            : 'It is never chosen. Remove it from your mirror list; if it is a well-known mirror, something on this network may be altering traffic.'
        }`,
        mirror: url,
      });
      continue;
    }
    const redirect = a.probe.endpoints.find((e) => e.outcome === 'redirect-to-http');
    if (redirect && a.verdict === 'failed') {
      findings.push({
        level: 'warning',
        code: 'redirect-to-http',
        title: `${url} redirects https to http`,
        message: `${url} (${originText(candidate.origin)}) redirected ${redirect.url} to plain http. The go command refuses such redirects, so ${
          candidate.isPrivate ? 'every download through it fails' : 'it is left out of the chain'
        }. Use an https endpoint that does not redirect, or check for a proxy intercepting this runner's traffic.`,
        mirror: url,
      });
      continue;
    }
    // The private proxy's failures are judged per module path in privateProxyChainFindings.
    if (a.verdict === 'failed' && !candidate.isPrivate && USER_ORIGINS.has(candidate.origin)) {
      findings.push({
        level: 'warning',
        code: 'mirror-failed',
        title: `${url} failed the probe`,
        message:
          `${url} (${originText(candidate.origin)}) ${a.reason}; it is left out of the chain. ${failureHint(a.probe)}`.trim(),
        mirror: url,
      });
    }
    if (a.fresh === false && (a.verdict === 'chosen' || USER_ORIGINS.has(candidate.origin))) {
      findings.push({
        level: 'warning',
        code: 'mirror-stale',
        title: `${url} is behind other mirrors`,
        message: `${url} (${originText(candidate.origin)}) is stale: ${a.staleDetail}. Go takes a mirror's @v/list and @latest as final, so resolving "latest" through it gives older versions. ${
          a.verdict === 'chosen'
            ? `It is still in the chain at rank ${a.rank} because no fresher mirror was usable for that place.`
            : 'It ranks below fresh mirrors.'
        }`,
        mirror: url,
      });
    }
  }
  return findings;
}

/** What the user can do about a failure, by its kind. */
function failureHint(probe: MirrorProbe): string {
  const code = firstFailingEndpoint(probe)?.outcome ?? probe.failure?.code ?? '';
  // The probe's failure code is a string: `403` as well as `timeout`.
  const outcome = typeof code === 'string' && /^\d{3}$/.test(code) ? Number(code) : code;
  if (outcome === 401 || outcome === 403) {
    return 'It refuses this runner (credentials, an allow-list or geo-blocking); remove it or give it access.';
  }
  if (outcome === 429) return 'It is rate-limiting this runner.';
  if (typeof outcome === 'number' && outcome >= 500) {
    return 'The mirror is failing right now; with `,` after it Go would stop at this error instead of moving on.';
  }
  if (isNotFound(outcome))
    return 'It does not serve a module this project needs; Go would move past it, but it cannot speed anything up.';
  if (isTimeoutLike(String(outcome)))
    return 'It may be unreachable from this runner; Go itself has no timeout and would hang on it.';
  return '';
}

/**
 * What the private proxy's answers mean for the chain it heads with `,`:
 * - 404/410 for a private module falls through: Go then asks the public mirrors for that private
 *   path (leaking its name) before `direct`;
 * - any other error for a public module stops every public download at the private proxy.
 * Module paths are told apart with the private patterns; with none, every probe of the private
 * proxy is taken as a private path (the probe engine sends it only private modules).
 */
export function privateProxyChainFindings(
  privateProxy: MirrorProbe | null,
  privatePatterns: readonly string[],
): Finding[] {
  if (privateProxy === null) return [];
  const globs = privatePatterns.join(',');
  const isPrivatePath = (module: string | undefined): boolean =>
    globs === '' || matchPrefixPatterns(globs, splitModule(module ?? '').path);
  const url = privateProxy.candidate.displayUrl;
  const findings: Finding[] = [];
  const moduleEndpoints = privateProxy.endpoints.filter(isModuleEndpoint);
  const missing = moduleEndpoints.filter((e) => isNotFound(e.outcome) && isPrivatePath(e.module));
  if (missing.length > 0) {
    findings.push({
      level: 'warning',
      code: 'private-proxy-not-found',
      title: `Private proxy ${url} does not have a private module`,
      message: `The private proxy ${describeEndpointFailure(missing[0]!)}${more(missing.length)}. Go treats 404/410 as "try the next entry", so this private path would be requested from the public mirrors after it. Make the private proxy able to fetch it (credentials, its own GOPRIVATE/GONOSUMDB), or answer 403 instead of 404 for private paths it cannot serve.`,
      mirror: url,
    });
  }
  const failedPrivate = moduleEndpoints.filter(
    (e) =>
      !e.ok &&
      !isNotFound(e.outcome) &&
      e.outcome !== 'redirect-to-http' &&
      isPrivatePath(e.module),
  );
  if (failedPrivate.length > 0) {
    const auth = failedPrivate[0]!.outcome === 401 || failedPrivate[0]!.outcome === 403;
    findings.push({
      level: 'warning',
      code: 'private-proxy-failed',
      title: `Private proxy ${url} failed`,
      message: `The private proxy ${describeEndpointFailure(failedPrivate[0]!)}${more(failedPrivate.length)}. Private modules cannot be downloaded until this is fixed${
        auth
          ? ' (check the credentials in private-proxy or in .netrc; the go command sends .netrc credentials over https only and matches the host without its port)'
          : ''
      }. It stays first in GOPROXY, followed by \`,\`, ${privateRoleText(privateProxy.candidate.origin)}: an error other than 404/410 from it also stops downloads of public modules.`,
      mirror: url,
    });
  }
  const blocking = moduleEndpoints.filter(
    (e) => !e.ok && !isNotFound(e.outcome) && globs !== '' && !isPrivatePath(e.module),
  );
  if (blocking.length > 0) {
    findings.push({
      level: 'warning',
      code: 'private-proxy-blocks-public',
      title: `Private proxy ${url} fails for public modules`,
      message: `The private proxy ${describeEndpointFailure(blocking[0]!)}${more(blocking.length)}. It heads GOPROXY followed by \`,\`, so Go stops at such an error and public modules cannot be downloaded. Make it serve public modules, or answer 404/410 for them so Go moves on to the public mirrors.`,
      mirror: url,
    });
  }
  return findings;
}

/** Why the private proxy heads the chain, as a clause: `because private-proxy is set`. */
export function privateRoleText(origin: MirrorOrigin): string {
  return origin === 'private'
    ? 'because private-proxy is set'
    : 'because it heads your GOPROXY and looks like a private proxy';
}

function more(count: number): string {
  return count > 1 ? ` (and ${count - 1} more request${count > 2 ? 's' : ''})` : '';
}

/**
 * Findings about the GOPROXY the user had: entries after `direct`/`off` are never used, and a URL
 * followed by `,` does not survive that mirror's 5xx/403/timeout. (Not for Go < 1.15, which has no `|`.)
 */
export function existingGoproxyFindings(
  existing: string | null,
  assessments: readonly MirrorAssessment[],
  privateProxyUrls: readonly string[],
  pipeSupported: boolean,
): Finding[] {
  if (existing === null || existing.trim() === '' || existing.trim() === DEFAULT_GOPROXY) return [];
  const shown = redactUrlCredentials(existing.trim());
  const { entries, dead, error } = parseGoproxy(existing);
  const findings: Finding[] = [];
  if (error !== null) {
    findings.push({
      level: 'warning',
      code: 'invalid-goproxy',
      title: 'Your GOPROXY is invalid',
      message: `Your GOPROXY (${shown}) makes every module download fail with: ${redactUrlCredentials(error)}. This job uses the chain written by go-proxy-setup; fix GOPROXY where you set it.`,
    });
  }
  const end = entries.at(-1);
  if (dead.length > 0 && end !== undefined) {
    const names = dead.map(redactUrlCredentials);
    findings.push({
      level: 'warning',
      code: 'dead-goproxy-entries',
      title: `GOPROXY has entries after ${end.raw}`,
      message: `Your GOPROXY (${shown}) lists ${names.join(', ')} after \`${end.raw}\`. Go stops reading the list at \`${end.raw}\`, so ${
        names.length === 1 ? 'that entry is' : 'those entries are'
      } never used. Move ${names.length === 1 ? 'it' : 'them'} before \`${end.raw}\` or remove ${names.length === 1 ? 'it' : 'them'} where you set GOPROXY.`,
    });
  }
  if (!pipeSupported) return findings;
  const fragile = entries.filter(
    (e, i) =>
      e.kind === 'url' &&
      e.separator === ',' &&
      !privateProxyUrls.some((url) => sameUrl(e.url, url)) &&
      entries.slice(i + 1).some((later) => later.kind !== 'off'),
  );
  if (fragile.length > 0) {
    const names = fragile.map((e) => redactUrlCredentials(e.raw));
    const failingNow = fragile
      .map((e) =>
        assessments.find(
          (a) =>
            e.kind === 'url' &&
            (sameUrl(a.probe.candidate.url, e.url) || sameUrl(a.probe.candidate.displayUrl, e.url)),
        ),
      )
      .filter(
        (a): a is MirrorAssessment =>
          a !== undefined && a.verdict === 'failed' && a.probe.failure?.class === 'terminal',
      )
      .map((a) => `${a.probe.candidate.displayUrl} ${a.reason}`);
    findings.push({
      level: 'warning',
      code: 'comma-chain',
      title: 'Your GOPROXY does not survive a mirror error',
      message: `Your GOPROXY (${shown}) follows ${names.join(', ')} with \`,\`: Go moves on only after 404/410, so a 5xx, 403 or timeout from ${
        names.length === 1 ? 'it' : 'them'
      } fails the build instead of falling back.${failingNow.length > 0 ? ` Right now: ${failingNow.join('; ')}.` : ''} This job uses the chain written by go-proxy-setup; where you set GOPROXY, join public mirrors with \`|\` (keep \`,\` only after a private proxy).`,
    });
  }
  return findings;
}

function sameUrl(a: string, b: string): boolean {
  return withImplicitScheme(a).replace(/\/+$/, '') === withImplicitScheme(b).replace(/\/+$/, '');
}

/** Findings about the outcome: no route (error), no usable mirror (warning), an old Go (notice). */
export function outcomeFindings(input: {
  readonly assessments: readonly MirrorAssessment[];
  readonly fallback: Fallback;
  readonly routeFound: boolean;
  readonly usableCount: number;
  readonly goVersion: string | null;
  readonly pipeSupported: boolean;
  readonly deadlineHit: boolean;
}): Finding[] {
  const findings: Finding[] = [];
  const publicMirrors = input.assessments.filter((a) => !a.probe.candidate.isPrivate);
  const summary = publicMirrors
    .slice(0, 4)
    .map((a) => `${a.probe.candidate.displayUrl} ${a.reason}`)
    .join('; ');
  const more = publicMirrors.length > 4 ? `; and ${publicMirrors.length - 4} more` : '';
  const deadline = input.deadlineHit
    ? ' The probe hit its deadline: raise the timeout input if mirrors are slow but working.'
    : '';
  if (!input.routeFound) {
    findings.push({
      level: 'error',
      code: 'no-route',
      title: 'No route to Go modules',
      message: `No public mirror is usable (${publicMirrors.length} probed${summary ? `: ${summary}${more}` : ''}) and fallback is off, so public modules cannot be downloaded. Set fallback: direct, or list a mirror this runner can reach in the mirrors input.${deadline}`,
    });
  } else if (input.usableCount === 0 && input.fallback === 'direct') {
    findings.push({
      level: 'warning',
      code: 'no-mirror',
      title: 'No module mirror is usable; downloading directly',
      message: `No public mirror is usable (${publicMirrors.length} probed${summary ? `: ${summary}${more}` : ''}). GOPROXY falls back to direct: every module is fetched from its version-control host, which is slower and needs git access to each host.${deadline}`,
    });
  }
  if (!input.pipeSupported) {
    findings.push({
      level: 'notice',
      code: 'comma-separators',
      title: 'Go older than 1.15: GOPROXY joined with `,`',
      message: `Go ${input.goVersion} does not understand \`|\` (added in Go 1.15), so GOPROXY uses \`,\`: only 404/410 move to the next entry, and a 5xx, 403 or timeout from the first mirror fails the download. Upgrade Go to get fall-through on any error.`,
    });
  }
  return findings;
}

/**
 * What became of GONOPROXY/GONOSUMDB values the user had set: a GONOPROXY kept although a
 * private proxy could take those modules, or a value extended by private patterns it missed.
 */
export function privateRoutingFindings(
  routing: PrivateRouting,
  privateProxyDisplay: string | null,
  user: { readonly GONOPROXY: string | null; readonly GONOSUMDB: string | null },
): Finding[] {
  const findings: Finding[] = [];
  if (routing.keptGonoproxy !== null && privateProxyDisplay !== null) {
    findings.push({
      level: 'notice',
      code: 'gonoproxy-kept',
      title: 'Your GONOPROXY is kept',
      message: `GONOPROXY=${routing.keptGonoproxy} is set, so go-proxy-setup keeps it instead of writing GONOPROXY=none: modules matching it skip the private proxy ${privateProxyDisplay} and are fetched straight from version control (they need git access to their hosts). Every other private module goes to the private proxy. Unset GONOPROXY to send all private modules through the proxy.`,
    });
  }
  for (const name of routing.extended) {
    const value = routing[name];
    const theirs = user[name] ?? '';
    findings.push({
      level: 'notice',
      code: 'private-routing-extended',
      title: `${name} extended with the private patterns`,
      message: `Your ${name} (${theirs}) does not cover every private pattern, so ${name}=${value} is written: ${
        name === 'GONOSUMDB'
          ? 'private modules are never looked up in the checksum database'
          : 'private modules are never requested from the public mirrors in GOPROXY'
      }. Your own entries are kept.`,
    });
  }
  return findings;
}

/** A notice (a warning when nothing else can fetch them) for probe modules no mirror serves. */
export function unservedModuleFindings(modules: readonly string[], fallback: Fallback): Finding[] {
  if (modules.length === 0) return [];
  const names = modules.join(', ');
  const one = modules.length === 1;
  return [
    {
      level: fallback === 'direct' ? 'notice' : 'warning',
      code: 'probe-module-unserved',
      title: `No mirror serves ${names}`,
      message: `Every mirror that answered said 404/410 for ${names}, while serving the other probe modules, so ${
        one ? 'it was' : 'they were'
      } left out of the judgement instead of failing every mirror. ${
        fallback === 'direct'
          ? `Go moves past a 404/410 and fetches ${one ? 'it' : 'them'} with \`direct\` from version control.`
          : `With fallback off, Go cannot download ${one ? 'it' : 'them'}: set fallback: direct, or make a mirror serve ${one ? 'it' : 'them'}.`
      }`,
    },
  ];
}

/** What became of the first entry of the user's GOPROXY, judged a private proxy (catalog.ts planCandidates). */
export function envPrivateProxyFinding(
  head: {
    readonly displayUrl: string;
    readonly reason: 'credentials' | 'comma-headed';
    readonly outcome: 'kept' | 'replaced';
  },
  privateProxyInputDisplay: string | null,
): Finding {
  const why =
    head.reason === 'credentials'
      ? 'it carries credentials'
      : 'it is not a known public mirror, is followed by `,` and private paths are declared (GOPRIVATE/GONOPROXY)';
  if (head.outcome === 'replaced') {
    return {
      level: 'notice',
      code: 'env-private-proxy-replaced',
      title: 'Your GOPROXY head is replaced by private-proxy',
      message: `Your GOPROXY starts with ${head.displayUrl}, which looks like a private proxy (${why}). The private-proxy input${
        privateProxyInputDisplay ? ` (${privateProxyInputDisplay})` : ''
      } takes its place at the head of the chain, so ${head.displayUrl} was not probed and is not in the GOPROXY written.`,
    };
  }
  return {
    level: 'notice',
    code: 'env-private-proxy',
    title: 'Your GOPROXY head is kept as a private proxy',
    message: `Your GOPROXY starts with ${head.displayUrl}, which looks like a private proxy (${why}), so it stays first, followed by \`,\`, and is never ranked or reordered among the public mirrors: Go reaches the public mirrors after it only on its 404/410 answers. GONOPROXY is left as you had it, so private modules keep their route. Set the private-proxy input to make this explicit.`,
  };
}

/** The notice that carries the decision. */
export function decisionFinding(display: GoSettings, headline: string): Finding {
  const extra = [
    display.GONOPROXY ? `GONOPROXY=${display.GONOPROXY}` : '',
    display.GONOSUMDB ? `GONOSUMDB=${display.GONOSUMDB}` : '',
  ].filter((s) => s !== '');
  return {
    level: 'notice',
    code: DECISION_CODE,
    title: 'Go module proxy settings',
    message: `GOPROXY=${display.GOPROXY} GOSUMDB=${display.GOSUMDB}${extra.length > 0 ? ` ${extra.join(' ')}` : ''}. ${headline}`,
  };
}

/** Errors first, then warnings, then notices; otherwise the order they were made in. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const order: Record<Finding['level'], number> = { error: 0, warning: 1, notice: 2 };
  return findings
    .map((finding, index) => ({ finding, index }))
    .sort((a, b) => order[a.finding.level] - order[b.finding.level] || a.index - b.index)
    .map(({ finding }) => finding);
}
