/**
 * A loopback implementation of the GitHub Actions cache service v2 as @actions/cache 6.3 speaks
 * it (ci-platforms.md §3.3, §3.5), on node:http with no dependencies:
 *
 * - Twirp JSON control plane: `POST /twirp/github.actions.results.api.v1.CacheService/<Method>`
 *   for CreateCacheEntry, FinalizeCacheEntryUpload and GetCacheEntryDownloadURL, with a Bearer
 *   token check; bodies use the proto field names, int64 as strings.
 * - Blob data plane as the Azure SDK uses it against a SAS URL: a single `PUT` (≤ 128 MiB), or
 *   `PUT ?comp=block&blockid=…` per block then `PUT ?comp=blocklist` with the XML block list.
 * - Download: a plain `GET` with Content-Length (the library uses plain HTTP for any host that is
 *   not `*.blob.core.windows.net`).
 *
 * Matching (GitHub's documented order): only finalized entries of the same version; the primary
 * key exactly, then entries whose key starts with it, then each restore key (exactly, then as a
 * prefix); among several, the newest. A second CreateCacheEntry for a key+version that exists
 * (or is being uploaded) answers ok:false, which the library turns into a reservation failure.
 *
 * Fault modes: `error-500` answers 500 to every request (the library retries each Twirp call 5
 * times with 3 s, 4.5 s… back-off, ~25–35 s per call); `absentServiceEnv()` gives the
 * environment of a runner whose cache service does not answer at all (connection refused).
 * Not emulated: scopes/branches, JWT validation, eviction, quotas.
 */
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.CacheService/';

export type CacheServerMode = 'ok' | 'error-500';

export interface CacheServerOptions {
  /** The runtime token clients must send as `Authorization: Bearer <token>`; default random. */
  readonly token?: string;
  readonly mode?: CacheServerMode;
}

export interface RequestLogEntry {
  readonly method: string;
  /** Path without the query string (the SAS signature stays out of the log). */
  readonly path: string;
  /** `CreateCacheEntry`, …, `upload`, `upload-block`, `upload-blocklist`, `download`, or `unknown`. */
  readonly kind: string;
  readonly status: number;
  /** Parsed JSON body of Twirp calls. */
  readonly body?: unknown;
  readonly bytes: number;
}

export interface CacheEntry {
  readonly id: number;
  readonly key: string;
  readonly version: string;
  /** Creation order: larger is newer. */
  readonly sequence: number;
  readonly finalized: boolean;
  readonly sizeBytes: number;
  readonly blob: Buffer | null;
}

export interface CacheServer {
  /** ACTIONS_RESULTS_URL value (ends with `/`). */
  readonly url: string;
  readonly token: string;
  readonly log: readonly RequestLogEntry[];
  /** Every entry, finalized or not, oldest first. */
  entries(): CacheEntry[];
  setMode(mode: CacheServerMode): void;
  /** Environment for a process that should use this server through @actions/cache. */
  env(): Record<string, string>;
  close(): Promise<void>;
}

interface MutableEntry {
  id: number;
  key: string;
  version: string;
  sequence: number;
  finalized: boolean;
  sizeBytes: number;
  signature: string;
  blob: Buffer | null;
  blocks: Map<string, Buffer>;
}

export async function startCacheServer(options: CacheServerOptions = {}): Promise<CacheServer> {
  const token = options.token ?? randomBytes(8).toString('hex');
  let mode: CacheServerMode = options.mode ?? 'ok';
  const log: RequestLogEntry[] = [];
  const entries: MutableEntry[] = [];
  let sequence = 0;
  let baseUrl = '';

  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => {
        const entry = handle(req, body, res);
        log.push({ ...entry, method: req.method ?? '', path: pathOf(req), bytes: body.length });
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  function handle(
    req: IncomingMessage,
    body: Buffer,
    res: ServerResponse,
  ): Omit<RequestLogEntry, 'method' | 'path' | 'bytes'> {
    const url = new URL(req.url ?? '/', baseUrl);
    if (mode === 'error-500') {
      const kind = url.pathname.startsWith(TWIRP_PREFIX)
        ? url.pathname.slice(TWIRP_PREFIX.length)
        : (url.pathname.split('/')[1] ?? 'unknown');
      return sendJson(res, 500, { code: 'internal', msg: 'simulated cache service failure' }, kind);
    }
    if (url.pathname.startsWith(TWIRP_PREFIX) && req.method === 'POST') {
      return twirp(url.pathname.slice(TWIRP_PREFIX.length), req, body, res);
    }
    const upload = /^\/upload\/(\d+)$/.exec(url.pathname);
    if (upload && req.method === 'PUT') return blobPut(Number(upload[1]), url, body, res);
    const download = /^\/download\/(\d+)$/.exec(url.pathname);
    if (download && req.method === 'GET') return blobGet(Number(download[1]), url, res);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return { kind: 'unknown', status: 404 };
  }

  function twirp(
    method: string,
    req: IncomingMessage,
    body: Buffer,
    res: ServerResponse,
  ): Omit<RequestLogEntry, 'method' | 'path' | 'bytes'> {
    if (req.headers.authorization !== `Bearer ${token}`) {
      return sendJson(res, 401, { code: 'unauthenticated', msg: 'invalid token' }, method);
    }
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return sendJson(res, 400, { code: 'malformed', msg: 'body is not JSON' }, method);
    }
    const key = String(request.key ?? '');
    const version = String(request.version ?? '');
    const answer = (status: number, payload: unknown) => ({
      ...sendJson(res, status, payload, method),
      body: request,
    });
    switch (method) {
      case 'CreateCacheEntry': {
        if (entries.some((e) => e.key === key && e.version === version)) {
          return answer(200, {
            ok: false,
            message: `cache entry with the same key, version, and scope already exists: ${key}`,
          });
        }
        const entry: MutableEntry = {
          id: entries.length + 1,
          key,
          version,
          sequence: ++sequence,
          finalized: false,
          sizeBytes: 0,
          signature: randomBytes(8).toString('hex'),
          blob: null,
          blocks: new Map(),
        };
        entries.push(entry);
        return answer(200, {
          ok: true,
          signed_upload_url: `${baseUrl}upload/${entry.id}?sig=${entry.signature}`,
        });
      }
      case 'FinalizeCacheEntryUpload': {
        const entry = entries.find((e) => e.key === key && e.version === version && !e.finalized);
        if (!entry || entry.blob === null) {
          return answer(200, { ok: false, message: `no upload for ${key}` });
        }
        entry.finalized = true;
        entry.sizeBytes = entry.blob.length;
        return answer(200, { ok: true, entry_id: String(entry.id) });
      }
      case 'GetCacheEntryDownloadURL': {
        const restoreKeys = Array.isArray(request.restore_keys)
          ? request.restore_keys.map(String)
          : [];
        const entry = findEntry(key, restoreKeys, version);
        if (!entry) return answer(200, { ok: false });
        return answer(200, {
          ok: true,
          signed_download_url: `${baseUrl}download/${entry.id}?sig=${entry.signature}`,
          matched_key: entry.key,
        });
      }
      default:
        return answer(404, { code: 'bad_route', msg: `no handler for ${method}` });
    }
  }

  function findEntry(key: string, restoreKeys: string[], version: string): MutableEntry | null {
    const candidates = entries.filter((e) => e.finalized && e.version === version);
    const newest = (list: MutableEntry[]) =>
      list.sort((a, b) => b.sequence - a.sequence)[0] ?? null;
    const exact = newest(candidates.filter((e) => e.key === key));
    if (exact) return exact;
    const prefixed = newest(candidates.filter((e) => e.key.startsWith(key)));
    if (prefixed) return prefixed;
    for (const restoreKey of restoreKeys) {
      const match =
        newest(candidates.filter((e) => e.key === restoreKey)) ??
        newest(candidates.filter((e) => e.key.startsWith(restoreKey)));
      if (match) return match;
    }
    return null;
  }

  function blobPut(
    id: number,
    url: URL,
    body: Buffer,
    res: ServerResponse,
  ): Omit<RequestLogEntry, 'method' | 'path' | 'bytes'> {
    const entry = entries.find((e) => e.id === id);
    if (!entry || url.searchParams.get('sig') !== entry.signature || entry.finalized) {
      res
        .writeHead(403, { 'content-type': 'application/xml' })
        .end(azureError('AuthenticationFailed'));
      return { kind: 'upload', status: 403 };
    }
    const comp = url.searchParams.get('comp');
    if (comp === 'block') {
      entry.blocks.set(url.searchParams.get('blockid') ?? '', body);
      return blobCreated(res, 'upload-block');
    }
    if (comp === 'blocklist') {
      const ids = [
        ...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)</g),
      ].map((m) => m[1] ?? '');
      const missing = ids.find((blockId) => !entry.blocks.has(blockId));
      if (missing !== undefined) {
        res
          .writeHead(400, { 'content-type': 'application/xml' })
          .end(azureError('InvalidBlockList'));
        return { kind: 'upload-blocklist', status: 400 };
      }
      entry.blob = Buffer.concat(ids.map((blockId) => entry.blocks.get(blockId)!));
      entry.blocks.clear();
      return blobCreated(res, 'upload-blocklist');
    }
    entry.blob = body;
    return blobCreated(res, 'upload');
  }

  function blobGet(
    id: number,
    url: URL,
    res: ServerResponse,
  ): Omit<RequestLogEntry, 'method' | 'path' | 'bytes'> {
    const entry = entries.find((e) => e.id === id);
    if (!entry?.finalized || !entry.blob || url.searchParams.get('sig') !== entry.signature) {
      res.writeHead(404).end();
      return { kind: 'download', status: 404 };
    }
    res
      .writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(entry.blob.length),
      })
      .end(entry.blob);
    return { kind: 'download', status: 200 };
  }

  return {
    url: baseUrl,
    token,
    log,
    entries: () =>
      entries.map((e) => ({
        id: e.id,
        key: e.key,
        version: e.version,
        sequence: e.sequence,
        finalized: e.finalized,
        sizeBytes: e.sizeBytes,
        blob: e.blob,
      })),
    setMode: (next) => {
      mode = next;
    },
    env: () => cacheServiceEnv(baseUrl, token),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The variables the runner gives a node action for cache service v2. */
export function cacheServiceEnv(url: string, token: string): Record<string, string> {
  return {
    ACTIONS_CACHE_SERVICE_V2: 'true',
    ACTIONS_RESULTS_URL: url,
    ACTIONS_RUNTIME_TOKEN: token,
  };
}

/** A cache service URL on which nothing listens (ECONNREFUSED): the service is "absent". */
export async function absentServiceEnv(): Promise<Record<string, string>> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return cacheServiceEnv(`http://127.0.0.1:${port}/`, 'absent');
}

function sendJson(
  res: ServerResponse,
  status: number,
  payload: unknown,
  kind: string,
): { kind: string; status: number } {
  const text = JSON.stringify(payload);
  res
    .writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
    })
    .end(text);
  return { kind, status };
}

/** What the Azure SDK needs to accept a PUT: 201 and the usual x-ms headers. */
function blobCreated(res: ServerResponse, kind: string): { kind: string; status: number } {
  res
    .writeHead(201, {
      'x-ms-request-id': randomBytes(8).toString('hex'),
      'x-ms-version': '2025-01-05',
      'x-ms-request-server-encrypted': 'true',
      etag: `"0x${randomBytes(8).toString('hex').toUpperCase()}"`,
      'last-modified': new Date().toUTCString(),
      date: new Date().toUTCString(),
      'content-length': '0',
    })
    .end();
  return { kind, status: 201 };
}

function azureError(code: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`;
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0] ?? '/';
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
