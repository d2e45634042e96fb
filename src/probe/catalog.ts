/**
 * The built-in catalog of public module mirrors for `mirrors: auto`, and how candidates are built
 * from it, from the `mirrors` input and from the GOPROXY already in the environment.
 * Evidence for each entry: go-semantics.md §6. Whether a mirror relays the checksum database is
 * noted for the reader only: the probe measures `/sumdb/<db>/supported` at run time.
 */
import { parseGoproxy } from '../goenv/goproxy.js';
import { stripCredentials } from '../redact.js';
import type { MirrorOrigin } from '../report/types.js';
import type { Candidate } from './types.js';

export interface CatalogEntry {
  readonly url: string;
  readonly operator: string;
  /** Whether `/sumdb/sum.golang.org/supported` answered 200 when last reported (not relied upon). */
  readonly sumdbRelay: 'yes' | 'no' | 'unknown';
  readonly note: string;
}

export const MIRROR_CATALOG: readonly CatalogEntry[] = [
  {
    url: 'https://proxy.golang.org',
    operator: 'Google',
    sumdbRelay: 'no',
    note: "Go's default. /sumdb/…/supported is 404, so the go command goes to sum.golang.org directly.",
  },
  {
    url: 'https://goproxy.cn',
    operator: 'Qiniu',
    sumdbRelay: 'yes',
    note: 'Relays sum.golang.org only (config proxied_sumdbs); CDN-fronted, had overseas-node 404s on .zip (goproxy.cn#149).',
  },
  {
    url: 'https://goproxy.io',
    operator: 'goproxy.io',
    sumdbRelay: 'yes',
    note: 'Open-source server relays sum.golang.org; reported h1 mismatches for re-tagged versions (goproxy.io#232, goproxy.cn#183).',
  },
  {
    url: 'https://mirrors.aliyun.com/goproxy',
    operator: 'Alibaba Cloud',
    sumdbRelay: 'no',
    note: 'Does not relay the checksum database (reported ~2019-2020; probed at run time).',
  },
  {
    url: 'https://mirrors.tencent.com/go',
    operator: 'Tencent Cloud',
    sumdbRelay: 'no',
    note: 'Third-party report only; kept because the probe decides. /golang/ on the same host is toolchains, not a proxy.',
  },
  // Not listed: Huawei (repo.huaweicloud.com/repository/goproxy/) answered 418 and its sumdb
  // lookups timed out in China (chsrc#227, removed there); Baidu (goproxy.baidu.com) has no report
  // newer than one article. Users can still name them in `mirrors`.
];

/** A base URL the way candidates are compared: lower-case scheme and host, no trailing slash. */
export function normalizeBaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}${parsed.search}`;
  } catch {
    return url.replace(/\/+$/, '');
  }
}

export function candidateFromUrl(url: string, origin: MirrorOrigin): Candidate {
  const base = url.replace(/\/+$/, '');
  return { url: base, displayUrl: stripCredentials(base), origin, isPrivate: origin === 'private' };
}

export interface CandidateSources {
  /** `auto`, or the URLs of the `mirrors` input (already validated). */
  readonly mirrors: 'auto' | readonly string[];
  /** GOPROXY as the go command sees it now (environment or go env file). */
  readonly envGoproxy?: string | null;
  /** The `private-proxy` input, if any. */
  readonly privateProxy?: string | null;
  /**
   * Whether private paths are declared (GOPRIVATE or GONOPROXY non-empty, or private patterns
   * from the inputs/repository): with them, a `,`-headed non-catalog first GOPROXY entry is the
   * user's private proxy.
   */
  readonly privatePathsDeclared?: boolean;
}

/** Why the first GOPROXY entry of the environment is taken for the user's private proxy. */
export type EnvPrivateProxyReason = 'credentials' | 'comma-headed';

/** What happened to the environment's GOPROXY head judged to be a private proxy. */
export interface EnvPrivateProxy {
  /** The entry as Go uses it (may carry credentials: never print it). */
  readonly url: string;
  readonly displayUrl: string;
  readonly reason: EnvPrivateProxyReason;
  /** `kept`: it heads the chain as the private proxy; `replaced`: the private-proxy input does. */
  readonly outcome: 'kept' | 'replaced';
}

export interface CandidatePlan {
  readonly candidates: Candidate[];
  /** The environment's GOPROXY head taken for a private proxy, or null. */
  readonly envPrivateProxy: EnvPrivateProxy | null;
}

/**
 * The first entry of the environment's GOPROXY is the user's private proxy — not a public mirror
 * to rank and reorder — when it carries user info (nobody puts credentials on a public mirror), or
 * when it is not a catalog mirror or a `mirrors` URL, is followed by `,` (only 404/410 fall
 * through: the classic private-proxy head) and private paths are declared. Null otherwise.
 */
export function envGoproxyPrivateHead(sources: CandidateSources): {
  url: string;
  reason: EnvPrivateProxyReason;
} | null {
  if (!sources.envGoproxy) return null;
  const first = parseGoproxy(sources.envGoproxy).entries[0];
  if (first === undefined || first.kind !== 'url' || !/^https?:\/\//i.test(first.url)) return null;
  if (hasUserinfo(first.url)) return { url: first.url, reason: 'credentials' };
  const key = normalizeBaseUrl(first.url);
  const known = [
    ...MIRROR_CATALOG.map((entry) => entry.url),
    ...(sources.mirrors === 'auto' ? [] : sources.mirrors),
  ].some((url) => normalizeBaseUrl(url) === key);
  if (!known && first.separator === ',' && sources.privatePathsDeclared === true)
    return { url: first.url, reason: 'comma-headed' };
  return null;
}

function hasUserinfo(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return /^[a-z][a-z0-9+.-]*:\/\/[^/@]*@/i.test(url);
  }
}

/**
 * The candidates to probe, private proxy first. With `auto`: the catalog plus every URL entry of
 * the environment's GOPROXY (origin `env` wins over `catalog` for the same URL; an entry equal to
 * the private proxy is that proxy, never a public candidate).
 */
export function buildCandidates(sources: CandidateSources): Candidate[] {
  return planCandidates(sources).candidates;
}

/**
 * buildCandidates, and what became of a private proxy heading the environment's GOPROXY: without
 * the `private-proxy` input it is the private proxy (origin `env`, first, never ranked or
 * reordered), whatever the `mirrors` input says; with the input, the input's proxy takes its place
 * and the entry is left out.
 */
export function planCandidates(sources: CandidateSources): CandidatePlan {
  const out: Candidate[] = [];
  const seen = new Map<string, number>();
  const add = (url: string, origin: MirrorOrigin, isPrivate = origin === 'private') => {
    const key = normalizeBaseUrl(url);
    const existing = seen.get(key);
    if (existing !== undefined) {
      if (existing >= 0 && origin === 'env' && out[existing]!.origin === 'catalog')
        out[existing] = candidateFromUrl(url, 'env');
      return;
    }
    seen.set(key, out.length);
    out.push({ ...candidateFromUrl(url, origin), isPrivate });
  };
  const head = envGoproxyPrivateHead(sources);
  let envPrivateProxy: EnvPrivateProxy | null = null;
  if (sources.privateProxy) {
    add(sources.privateProxy, 'private');
    if (head && normalizeBaseUrl(head.url) !== normalizeBaseUrl(sources.privateProxy)) {
      envPrivateProxy = { ...head, displayUrl: stripCredentials(head.url), outcome: 'replaced' };
      // Never probed as a public mirror: it is someone's private proxy.
      seen.set(normalizeBaseUrl(head.url), -1);
    }
  } else if (head) {
    add(head.url, 'env', true);
    envPrivateProxy = { ...head, displayUrl: stripCredentials(head.url), outcome: 'kept' };
  }
  if (sources.mirrors === 'auto') {
    for (const entry of MIRROR_CATALOG) add(entry.url, 'catalog');
    for (const url of envGoproxyUrls(sources.envGoproxy)) add(url, 'env');
  } else {
    for (const url of sources.mirrors) add(url, 'input');
  }
  return { candidates: out, envPrivateProxy };
}

/** The http(s) URL entries of a GOPROXY value, in order (keywords, file:// and invalid entries dropped). */
export function envGoproxyUrls(goproxy: string | null | undefined): string[] {
  if (!goproxy) return [];
  return parseGoproxy(goproxy)
    .entries.flatMap((entry) => (entry.kind === 'url' ? [entry.url] : []))
    .filter((url) => /^https?:\/\//i.test(url));
}
