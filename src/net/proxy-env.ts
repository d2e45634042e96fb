/**
 * Which HTTP proxy the go command uses for a URL: net/http.ProxyFromEnvironment, i.e.
 * golang.org/x/net/http/httpproxy `FromEnvironment` + `ProxyForURL`. A prober that ignores these
 * variables measures a network path the go command will not take.
 *
 * Rules (httpproxy config.init / useProxy):
 * - HTTPS_PROXY|https_proxy for https URLs, HTTP_PROXY|http_proxy for http URLs; upper case first,
 *   the first non-empty value wins. A value that does not parse with an http/https/socks5 scheme is
 *   retried with `http://` prepended.
 * - HTTP_PROXY is refused when REQUEST_METHOD is set (CGI).
 * - Never for `localhost` or a loopback IP.
 * - NO_PROXY|no_proxy, comma separated, trimmed and lower-cased: `*` = everything; an IP or CIDR
 *   matches IPs (optionally with `:port`); `foo.com` matches foo.com and its subdomains;
 *   `.foo.com` and `*.foo.com` only subdomains; `host:port` restricts to that port.
 */
import { BlockList, isIP } from 'node:net';

export interface ProxyEnvironment {
  readonly httpProxy: URL | null;
  readonly httpsProxy: URL | null;
  readonly cgi: boolean;
  readonly noProxy: NoProxyRules;
}

interface NoProxyRules {
  readonly all: boolean;
  readonly ips: readonly { readonly ip: string; readonly port: string }[];
  readonly cidrs: BlockList;
  readonly domains: readonly {
    readonly host: string;
    readonly port: string;
    readonly matchHost: boolean;
  }[];
}

type Env = Readonly<Record<string, string | undefined>>;

function getEnvAny(env: Env, ...names: string[]): string {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
  }
  return '';
}

export function proxyEnvironment(env: Env = process.env): ProxyEnvironment {
  return {
    httpProxy: parseProxy(getEnvAny(env, 'HTTP_PROXY', 'http_proxy')),
    httpsProxy: parseProxy(getEnvAny(env, 'HTTPS_PROXY', 'https_proxy')),
    cgi: (env.REQUEST_METHOD ?? '') !== '',
    noProxy: parseNoProxy(getEnvAny(env, 'NO_PROXY', 'no_proxy')),
  };
}

/** httpproxy.parseProxy; an unusable value means "no proxy", as in Go (the error is dropped there too). */
export function parseProxy(value: string): URL | null {
  if (value === '') return null;
  const direct = tryUrl(value);
  if (direct && ['http:', 'https:', 'socks5:'].includes(direct.protocol) && direct.hostname !== '')
    return direct;
  const withScheme = tryUrl(`http://${value}`);
  if (withScheme && withScheme.hostname !== '') return withScheme;
  return null;
}

function tryUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

export function parseNoProxy(value: string): NoProxyRules {
  const ips: { ip: string; port: string }[] = [];
  const cidrs = new BlockList();
  const domains: { host: string; port: string; matchHost: boolean }[] = [];
  for (const part of value.split(',')) {
    const p = part.trim().toLowerCase();
    if (p === '') continue;
    if (p === '*') return { all: true, ips: [], cidrs: new BlockList(), domains: [] };
    if (addCidr(cidrs, p)) continue;
    let [phost, pport] = splitHostPort(p) ?? [p, ''];
    if (phost === '') continue;
    if (phost.startsWith('[') && phost.endsWith(']')) phost = phost.slice(1, -1);
    if (isIP(phost)) {
      ips.push({ ip: normalizeIp(phost), port: pport });
      continue;
    }
    if (phost.startsWith('*.')) phost = phost.slice(1);
    let matchHost = false;
    if (!phost.startsWith('.')) {
      matchHost = true;
      phost = `.${phost}`;
    }
    domains.push({ host: phost, port: pport, matchHost });
  }
  return { all: false, ips, cidrs, domains };
}

function addCidr(list: BlockList, text: string): boolean {
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const address = text.slice(0, slash);
  const bitsText = text.slice(slash + 1);
  const family = isIP(address);
  if (family === 0 || !/^[0-9]{1,3}$/.test(bitsText)) return false;
  const bits = Number(bitsText);
  if (bits > (family === 4 ? 32 : 128)) return false;
  list.addSubnet(address, bits, family === 4 ? 'ipv4' : 'ipv6');
  return true;
}

/** net.SplitHostPort for NO_PROXY entries; null when there is no port part. */
function splitHostPort(text: string): [string, string] | null {
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end < 0 || text[end + 1] !== ':') return null;
    return [text.slice(0, end + 1), text.slice(end + 2)];
  }
  const colon = text.lastIndexOf(':');
  if (colon < 0 || text.indexOf(':') !== colon) return null;
  return [text.slice(0, colon), text.slice(colon + 1)];
}

function normalizeIp(ip: string): string {
  // IPv4-mapped IPv6 compares equal to its IPv4 form in Go's net.IP.Equal.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return (mapped ? mapped[1]! : ip).toLowerCase();
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

function isLoopback(ip: string): boolean {
  const v = normalizeIp(ip);
  return LOOPBACK.check(v, isIP(v) === 4 ? 'ipv4' : 'ipv6');
}

/** httpproxy useProxy: false when the address must be reached directly. */
export function useProxy(environment: ProxyEnvironment, hostname: string, port: string): boolean {
  const host =
    hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  if (host === 'localhost') return false;
  const ipFamily = isIP(host);
  if (ipFamily !== 0 && isLoopback(host)) return false;
  const rules = environment.noProxy;
  if (rules.all) return false;
  const addr = host.trim().toLowerCase();
  if (ipFamily !== 0) {
    const ip = normalizeIp(addr);
    for (const m of rules.ips) if (m.ip === ip && (m.port === '' || m.port === port)) return false;
    if (rules.cidrs.check(ip, isIP(ip) === 4 ? 'ipv4' : 'ipv6')) return false;
  }
  for (const m of rules.domains) {
    if (addr.endsWith(m.host) || (m.matchHost && addr === m.host.slice(1))) {
      if (m.port === '' || m.port === port) return false;
    }
  }
  return true;
}

export type ProxyDecision =
  | { readonly kind: 'direct' }
  | { readonly kind: 'proxy'; readonly proxy: URL }
  | { readonly kind: 'refused'; readonly message: string };

/** httpproxy ProxyForURL. */
export function proxyForUrl(environment: ProxyEnvironment, url: URL): ProxyDecision {
  let proxy: URL | null = null;
  if (url.protocol === 'https:') proxy = environment.httpsProxy;
  else if (url.protocol === 'http:') {
    proxy = environment.httpProxy;
    if (proxy && environment.cgi) {
      return {
        kind: 'refused',
        message:
          'refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy',
      };
    }
  }
  if (!proxy) return { kind: 'direct' };
  if (!useProxy(environment, url.hostname, effectivePort(url))) return { kind: 'direct' };
  return { kind: 'proxy', proxy };
}

export function effectivePort(url: URL): string {
  if (url.port !== '') return url.port;
  return url.protocol === 'https:' ? '443' : url.protocol === 'socks5:' ? '1080' : '80';
}
