import { STATUS_CODES } from 'node:http';
import type { EndpointResult, MirrorProbe } from '../probe/types.js';
import type { EndpointOutcome } from '../report/types.js';
/**
 * Turns probe outcomes into short sentences a user can act on: which request, what answer
 * (with Go's own status texts), and for errors what happened on the wire.
 */

/** Longest reason we put into a sentence: error texts may come from a hostile mirror. */
const MAX_DETAIL = 160;

/** Where Go's http.StatusText (Go 1.19) differs from Node's table; Go has no text for 509. */
const GO_STATUS_TEXT: Readonly<Record<number, string | undefined>> = {
  413: 'Request Entity Too Large',
  414: 'Request URI Too Long',
  416: 'Requested Range Not Satisfiable',
  418: "I'm a teapot",
  509: undefined,
};

/** `403 Forbidden`, `418 I'm a teapot`, `599 (HTTP 599)`: the wording the go command prints. */
export function statusText(status: number): string {
  const text = status in GO_STATUS_TEXT ? GO_STATUS_TEXT[status] : STATUS_CODES[status];
  return text ? `${status} ${text}` : `${status} (HTTP ${status})`;
}

/** Splits `path@version` at the last `@` (module paths contain no `@`). */
export function splitModule(module: string): { path: string; version: string | null } {
  const at = module.lastIndexOf('@');
  return at > 0
    ? { path: module.slice(0, at), version: module.slice(at + 1) }
    : { path: module, version: null };
}

/** The request as a proxy path: `golang.org/x/text/@v/list`, `…/@v/v0.14.0.info`, `/sumdb/…/supported`. */
export function endpointPath(endpoint: EndpointResult): string {
  const { path, version } = splitModule(endpoint.module ?? '');
  switch (endpoint.kind) {
    case 'list':
      return `${path}/@v/list`;
    case 'latest':
      return `${path}/@latest`;
    case 'info':
    case 'mod':
    case 'zip':
      return `${path}/@v/${version ?? '?'}.${endpoint.kind}`;
    default:
      return sumdbPath(endpoint);
  }
}

function sumdbPath(endpoint: EndpointResult): string {
  const at = endpoint.url.indexOf('/sumdb/');
  if (at >= 0) return endpoint.url.slice(at);
  return `/sumdb/…/${endpoint.kind.replace('sumdb-', '')}`;
}

/** Key for MirrorReport.statuses: `list golang.org/x/text`, `info golang.org/x/text@v0.14.0`, `sumdb/supported`. */
export function statusKey(endpoint: EndpointResult): string {
  const module = endpoint.module ?? '';
  switch (endpoint.kind) {
    case 'list':
    case 'latest':
      return `${endpoint.kind} ${splitModule(module).path}`;
    case 'info':
    case 'mod':
    case 'zip':
      return `${endpoint.kind} ${module}`;
    case 'sumdb-lookup':
      return module ? `sumdb/lookup ${module}` : 'sumdb/lookup';
    default:
      return endpoint.kind.replace('sumdb-', 'sumdb/');
  }
}

/** Seconds for humans: 2500 → `2.5 s`, 3000 → `3 s`. */
export function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** What an outcome means, as a verb phrase: `answered 403 Forbidden`, `timed out after 2.5 s`. */
export function describeOutcome(outcome: EndpointOutcome, elapsedMs: number | null = null): string {
  if (typeof outcome === 'number') return `answered ${statusText(outcome)}`;
  switch (outcome) {
    case 'timeout':
      return elapsedMs !== null ? `timed out after ${seconds(elapsedMs)}` : 'timed out';
    case 'deadline':
      return 'did not answer before the overall probe deadline (`timeout` input)';
    case 'dns':
      return 'could not be resolved (DNS lookup failed)';
    case 'refused':
    case 'ECONNREFUSED':
      return 'refused the connection';
    case 'reset':
    case 'ECONNRESET':
      return 'reset the connection';
    case 'tls':
      return 'failed the TLS handshake';
    case 'redirect-to-http':
      return 'redirected https→http, which the go command refuses';
    case 'too-many-redirects':
      return 'redirected more than 10 times';
    case 'too-large':
      return 'sent a response larger than the size cap';
    case 'invalid-response':
      return 'sent an invalid response';
    default:
      return `failed (${outcome})`;
  }
}

/** Error codes whose probe message adds information the code alone does not carry. */
const DETAILED_CODES = new Set(['tls', 'invalid-response', 'error', 'too-large']);

/** `answered 403 Forbidden on golang.org/x/text/@v/list`; adds the probe's message for generic errors. */
export function describeEndpointFailure(endpoint: EndpointResult): string {
  let text = `${describeOutcome(endpoint.outcome, endpoint.timing.totalMs)} on ${endpointPath(endpoint)}`;
  if (endpoint.outcome === 200 && endpoint.error) {
    // 200 with bad content (empty .mod, JSON that does not parse, wrong version).
    text = `served bad content on ${endpointPath(endpoint)}: ${clip(endpoint.error)}`;
  } else if (
    typeof endpoint.outcome === 'string' &&
    DETAILED_CODES.has(endpoint.outcome) &&
    endpoint.error
  ) {
    text += ` (${clip(endpoint.error)})`;
  } else if (isNotFound(endpoint.outcome) && isModuleEndpoint(endpoint)) {
    text += ': it does not serve this module';
  }
  return text;
}

/** The first failing probe endpoint of a mirror, else the probe's own failure message. */
export function describeMirrorFailure(probe: MirrorProbe): string {
  const failing = firstFailingEndpoint(probe);
  if (failing) return describeEndpointFailure(failing);
  if (probe.failure) return clip(probe.failure.message);
  return 'failed a probe request';
}

/**
 * The endpoint that made the mirror unusable. Prefer the one the probe named in `failure.code`
 * (its outcome); otherwise the first non-ok module endpoint; sumdb endpoints never make a mirror unusable.
 */
export function firstFailingEndpoint(probe: MirrorProbe): EndpointResult | null {
  const failing = probe.endpoints.filter((e) => !e.ok && isModuleEndpoint(e));
  const code = probe.failure?.code;
  return failing.find((e) => String(e.outcome) === code) ?? failing[0] ?? null;
}

export function isModuleEndpoint(endpoint: EndpointResult): boolean {
  return !endpoint.kind.startsWith('sumdb-');
}

export function isNotFound(outcome: EndpointOutcome | null): boolean {
  return outcome === 404 || outcome === 410;
}

export function isTimeoutLike(outcome: EndpointOutcome): boolean {
  return outcome === 'timeout' || outcome === 'deadline';
}

/** Keeps hostile or verbose texts to one short line. */
export function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_DETAIL ? `${line.slice(0, MAX_DETAIL - 1)}…` : line;
}
