/**
 * The mirror simulator: virtual Go module mirrors, a real checksum database and a forward proxy,
 * all on 127.0.0.1, with a request log of everything they served.
 */
import { createServer } from 'node:net';
import { type CertBundle, obtainCertificates } from './certs.js';
import { type Corpus, type ModuleSpec, buildCorpus, builtinModuleSpecs } from './corpus.js';
import { FORWARD_PROXY_SERVER, ForwardProxy } from './forward-proxy.js';
import { Lifetime } from './lifetime.js';
import { listen } from './link.js';
import { type RequestLog as Log, RequestLog, type RequestRecord } from './log.js';
import { Mirror } from './mirror.js';
import { type MirrorProfile, type SumdbProfile, twinName, validateProfiles } from './profile.js';
import { SUMDB_SERVER, SumdbServer } from './sumdb-server.js';
import type { ChecksumDatabase } from './sumdb.js';

export interface SimulatorOptions {
  readonly mirrors?: readonly MirrorProfile[];
  /** Extra modules, appended to the built-in corpus. */
  readonly modules?: readonly ModuleSpec[];
  readonly sumdb?: SumdbProfile;
  /** Close by itself after this many milliseconds (default 10 minutes; 0: never). */
  readonly autoCloseMs?: number;
}

export interface SumdbInfo {
  /** `127.0.0.1:<port>`: the database's name, in its key and in every signature. */
  readonly name: string;
  /** Verifier key `<name>+<hash8>+<base64 key>`. */
  readonly vkey: string;
  /** `https://127.0.0.1:<port>`: where Go goes when no mirror relays the database. */
  readonly url: string;
  /** GOSUMDB value that lets Go find the database itself (mirror relays, else direct). */
  readonly gosumdb: string;
  /** GOSUMDB value `<vkey> <url>`: explicit route, no `/supported` probing. */
  readonly gosumdbWithUrl: string;
  /** `<mirror base>/sumdb/<name>`: the database through a mirror's relay. */
  relayUrl(mirror: string): string;
  readonly database: ChecksumDatabase;
}

export interface UrlOptions {
  /** `sim.test`: `<name>.sim.test` (only through the forward proxy); `localhost`: the name localhost. */
  readonly host?: 'sim.test' | 'localhost';
  /** Put the mirror's basic-auth credentials in the URL. */
  readonly credentials?: boolean;
}

export interface GoproxyOptions {
  /** Separator after each mirror (default `,`). */
  readonly separator?: ',' | '|';
  /** Appended after the mirrors. */
  readonly fallback?: 'direct' | 'off';
  readonly host?: UrlOptions['host'];
}

export interface Simulator {
  readonly caFile: string;
  readonly caPem: string;
  readonly certs: CertBundle;
  readonly corpus: Corpus;
  readonly sumdb: SumdbInfo;
  readonly forwardProxy: { readonly url: string };
  readonly mirrorNames: readonly string[];
  /** Base URL of a mirror (or of `sumdb`, `forward-proxy`, `<mirror>~http` for its redirect twin). */
  url(name: string, options?: UrlOptions): string;
  /** A GOPROXY list of the named mirrors. */
  goproxy(names: readonly string[], options?: GoproxyOptions): string;
  /** SSL_CERT_FILE, NODE_EXTRA_CA_CERTS, GOSUMDB (and GOPROXY when mirrors are named). */
  env(options?: { goproxy?: readonly string[] | string }): Record<string, string>;
  /** Every request served so far, in arrival order. */
  readonly requests: readonly RequestRecord[];
  requestsFor(name: string): readonly RequestRecord[];
  /** Clears the request log and the `times` counters of fault rules. */
  reset(): void;
  readonly closed: boolean;
  /** Stops every listener, destroys every socket (blackholes included), clears every timer. */
  close(): Promise<void>;
}

/** A URL whose host never resolves (RFC 6761 `.invalid`). */
export const DNS_FAILURE_URL = 'https://does-not-exist.invalid';

const DEFAULT_AUTO_CLOSE_MS = 10 * 60_000;

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const profiles = options.mirrors ?? [];
  validateProfiles(profiles);
  const corpus = buildCorpus([...builtinModuleSpecs(), ...(options.modules ?? [])]);
  const { bundle: certs, dispose } = await obtainCertificates();
  const lifetime = new Lifetime();
  const log = new RequestLog();
  try {
    const sumdb = await SumdbServer.start(corpus, options.sumdb ?? {}, log, lifetime, certs);
    const mirrors = new Map<string, Mirror>();
    for (const profile of profiles) {
      mirrors.set(
        profile.name,
        await Mirror.start(profile, { corpus, sumdb, log, lifetime, certs }),
      );
    }
    const forwardProxy = await ForwardProxy.start(resolverFor(mirrors, sumdb), log, lifetime);
    return assemble(
      { certs, dispose, corpus, lifetime, log, sumdb, mirrors, forwardProxy },
      options,
    );
  } catch (error) {
    await lifetime.close();
    await dispose();
    throw error;
  }
}

/** `<mirror>.sim.test` and `sumdb.sim.test` map to their listeners; loopback names only to our own ports. */
function resolverFor(mirrors: ReadonlyMap<string, Mirror>, sumdb: SumdbServer) {
  return (host: string, port: number): number | undefined => {
    const label = host.endsWith('.sim.test') ? host.slice(0, -'.sim.test'.length) : undefined;
    if (label === SUMDB_SERVER) return sumdb.port;
    if (label !== undefined) {
      const mirror = mirrors.get(label);
      if (!mirror) return undefined;
      // A redirect to the plain-HTTP twin keeps the host name and changes the port.
      return mirror.twinPort !== 0 && port === mirror.twinPort ? mirror.twinPort : mirror.port;
    }
    if (host === '127.0.0.1' || host === 'localhost' || host === '::1') {
      const ours = [sumdb.port, ...[...mirrors.values()].flatMap((m) => [m.port, m.twinPort])];
      return ours.includes(port) ? port : undefined;
    }
    return undefined;
  };
}

interface Parts {
  readonly certs: CertBundle;
  readonly dispose: () => Promise<void>;
  readonly corpus: Corpus;
  readonly lifetime: Lifetime;
  readonly log: Log;
  readonly sumdb: SumdbServer;
  readonly mirrors: ReadonlyMap<string, Mirror>;
  readonly forwardProxy: ForwardProxy;
}

function assemble(parts: Parts, options: SimulatorOptions): Simulator {
  const { certs, corpus, lifetime, log, sumdb, mirrors, forwardProxy } = parts;
  const mirror = (name: string): Mirror => {
    const m = mirrors.get(name);
    if (!m)
      throw new Error(
        `no simulated mirror named ${name} (have: ${[...mirrors.keys()].join(', ')})`,
      );
    return m;
  };
  const url = (name: string, urlOptions: UrlOptions = {}): string => {
    if (name === SUMDB_SERVER)
      return urlOptions.host === 'sim.test' ? `https://sumdb.sim.test:${sumdb.port}` : sumdb.url;
    if (name === FORWARD_PROXY_SERVER) return forwardProxy.url;
    const twin = [...mirrors.values()].find((m) => twinName(m.name) === name && m.twinPort !== 0);
    if (twin) return `http://127.0.0.1:${twin.twinPort}${twin.basePath}`;
    return mirror(name).url(urlOptions);
  };
  const goproxy = (names: readonly string[], o: GoproxyOptions = {}): string => {
    const separator = o.separator ?? ',';
    const list = names.map((n) => url(n, o.host ? { host: o.host } : {})).join(separator);
    return o.fallback ? `${list}${separator}${o.fallback}` : list;
  };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearTimeout(autoClose);
      await lifetime.close();
      await parts.dispose();
    })();
    return closing;
  };
  const autoCloseMs = options.autoCloseMs ?? DEFAULT_AUTO_CLOSE_MS;
  const autoClose = setTimeout(() => void close(), autoCloseMs > 0 ? autoCloseMs : 2 ** 31 - 1);
  autoClose.unref();

  const db = sumdb.db;
  return {
    caFile: certs.caFile,
    caPem: certs.caPem,
    certs,
    corpus,
    sumdb: {
      name: db.name,
      vkey: db.vkey,
      url: sumdb.url,
      gosumdb: db.vkey,
      gosumdbWithUrl: `${db.vkey} ${sumdb.url}`,
      relayUrl: (name) => `${url(name)}/sumdb/${db.name}`,
      database: db,
    },
    forwardProxy: { url: forwardProxy.url },
    mirrorNames: [...mirrors.keys()],
    url,
    goproxy,
    env(envOptions = {}) {
      const env: Record<string, string> = {
        SSL_CERT_FILE: certs.caFile,
        NODE_EXTRA_CA_CERTS: certs.caFile,
        GOSUMDB: db.vkey,
      };
      const list = envOptions.goproxy;
      if (list !== undefined) env.GOPROXY = typeof list === 'string' ? list : goproxy(list);
      return env;
    },
    get requests() {
      return log.all();
    },
    requestsFor: (name) => log.for(name),
    reset() {
      log.reset();
      for (const m of mirrors.values()) m.resetCounters();
    },
    get closed() {
      return lifetime.closed;
    },
    close,
  };
}

/** A loopback URL where nothing listens (connection refused), for fault tests. */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
