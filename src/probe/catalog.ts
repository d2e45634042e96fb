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
  /** GOPROXY as the go command sees it now (used with `auto` only). */
  readonly envGoproxy?: string | null;
  /** The `private-proxy` input, if any. */
  readonly privateProxy?: string | null;
}

/**
 * The candidates to probe, private proxy first. With `auto`: the catalog plus every URL entry of
 * the environment's GOPROXY (origin `env` wins over `catalog` for the same URL; an entry equal to
 * the private proxy is that proxy, never a public candidate).
 */
export function buildCandidates(sources: CandidateSources): Candidate[] {
  const out: Candidate[] = [];
  const seen = new Map<string, number>();
  const add = (url: string, origin: MirrorOrigin) => {
    const key = normalizeBaseUrl(url);
    const existing = seen.get(key);
    if (existing !== undefined) {
      if (origin === 'env' && out[existing]!.origin === 'catalog')
        out[existing] = candidateFromUrl(url, 'env');
      return;
    }
    seen.set(key, out.length);
    out.push(candidateFromUrl(url, origin));
  };
  if (sources.privateProxy) add(sources.privateProxy, 'private');
  if (sources.mirrors === 'auto') {
    for (const entry of MIRROR_CATALOG) add(entry.url, 'catalog');
    for (const url of envGoproxyUrls(sources.envGoproxy)) add(url, 'env');
  } else {
    for (const url of sources.mirrors) add(url, 'input');
  }
  return out;
}

/** The http(s) URL entries of a GOPROXY value, in order (keywords, file:// and invalid entries dropped). */
export function envGoproxyUrls(goproxy: string | null | undefined): string[] {
  if (!goproxy) return [];
  return parseGoproxy(goproxy)
    .entries.flatMap((entry) => (entry.kind === 'url' ? [entry.url] : []))
    .filter((url) => /^https?:\/\//i.test(url));
}
