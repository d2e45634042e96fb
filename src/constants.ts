/** Output names of the action (contract.md). */
export const OUTPUTS = {
  goproxy: 'goproxy',
  gosumdb: 'gosumdb',
  goprivate: 'goprivate',
  fastestMirror: 'fastest-mirror',
  fastestLatencyMs: 'fastest-latency-ms',
  report: 'report',
  cacheHit: 'cache-hit',
} as const;

/** Names of the state handed from the main step to the post step. */
export const STATE = {
  /** JSON of the credentials revert plan (src/private/credentials.ts): what the post step removes. */
  credentials: 'go-proxy-setup-credentials',
  /** JSON of CacheState (src/cache/types.ts): what the module cache restore found, for the save. */
  cache: 'go-proxy-setup-cache',
} as const;

/** Environment variables the go command reads that we may write. */
export const GO_ENV_KEYS = ['GOPROXY', 'GOSUMDB', 'GOPRIVATE', 'GONOPROXY', 'GONOSUMDB'] as const;
export type GoEnvKey = (typeof GO_ENV_KEYS)[number];

export const DEFAULT_GOPROXY = 'https://proxy.golang.org,direct';
export const DEFAULT_GOSUMDB = 'sum.golang.org';
