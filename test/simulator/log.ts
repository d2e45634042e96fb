/**
 * Every request any simulator server saw. Tests use it to prove what reached whom: no private
 * path at a public mirror, no request at all on a cache hit, the forward proxy's targets.
 */
import { performance } from 'node:perf_hooks';

export interface RequestRecord {
  /** Mirror name, `sumdb`, or `forward-proxy`. */
  readonly server: string;
  /** HTTP method; `CONNECT` for tunnels; `ACCEPT` for a connection that never got an HTTP answer (TCP blackhole). */
  readonly method: string;
  /** Request target as received (still percent-encoded), e.g. `/example.com/%21upper/@v/list`. */
  readonly rawPath: string;
  /** Percent-decoded path, e.g. `/example.com/!upper/@v/list`. */
  readonly path: string;
  /** Status sent; 0 while (or if never) answered. */
  readonly status: number;
  /** Milliseconds since the simulator started. */
  readonly time: number;
  /** The request carried an Authorization (or Proxy-Authorization) header. Never its value. */
  readonly authorization: boolean;
  /** For sumdb records: the mirror whose `/sumdb/<name>/…` relay forwarded the request. */
  readonly via?: string;
  /** For the forward proxy: the `host:port` the client asked for. */
  readonly target?: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const MAX_RECORDS = 100_000;

export class RequestLog {
  readonly #origin = performance.now();
  #records: Array<Mutable<RequestRecord>> = [];

  /** Appends a record; the caller sets `status` on it when it answers. */
  add(
    entry: Omit<RequestRecord, 'time' | 'status' | 'path'> & { path?: string },
  ): Mutable<RequestRecord> {
    const record: Mutable<RequestRecord> = {
      ...entry,
      path: entry.path ?? safeDecode(entry.rawPath),
      status: 0,
      time: Math.round((performance.now() - this.#origin) * 10) / 10,
    };
    if (this.#records.length >= MAX_RECORDS) this.#records.shift();
    this.#records.push(record);
    return record;
  }

  all(): readonly RequestRecord[] {
    return [...this.#records];
  }

  for(server: string): readonly RequestRecord[] {
    return this.#records.filter((r) => r.server === server);
  }

  reset(): void {
    this.#records = [];
  }
}

export function safeDecode(raw: string): string {
  const path = raw.split('?')[0]!;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
