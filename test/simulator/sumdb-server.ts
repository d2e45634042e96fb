/**
 * The checksum database's own HTTPS listener (name `127.0.0.1:<port>`, so `https://<name>` is
 * where the go command goes when no proxy relays the database), plus the entry point mirrors'
 * `/sumdb/<name>/…` relays use.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server } from 'node:net';
import type { CertBundle } from './certs.js';
import type { Corpus } from './corpus.js';
import type { Lifetime } from './lifetime.js';
import { listen, startLinkRelay } from './link.js';
import { type RequestLog, safeDecode } from './log.js';
import type { SumdbProfile } from './profile.js';
import { send, textResponse } from './respond.js';
import { ChecksumDatabase, type SimpleResponse } from './sumdb.js';

export const SUMDB_SERVER = 'sumdb';

/** `hang`: the database is blackholed; the caller must leave its request unanswered. */
export type DatabaseAnswer = SimpleResponse | 'hang';

export class SumdbServer {
  readonly #profile: SumdbProfile;
  readonly #log: RequestLog;
  #db: ChecksumDatabase | undefined;
  #port = 0;

  private constructor(profile: SumdbProfile, log: RequestLog) {
    this.#profile = profile;
    this.#log = log;
  }

  static async start(
    corpus: Corpus,
    profile: SumdbProfile,
    log: RequestLog,
    lifetime: Lifetime,
    certs: CertBundle,
  ): Promise<SumdbServer> {
    const self = new SumdbServer(profile, log);
    const server = createHttpsServer(
      { key: certs.server.key, cert: certs.server.cert },
      (req, res) => self.#handleDirect(req, res),
    );
    server.on('connection', (socket) => lifetime.track(socket));
    lifetime.trackServer(server as unknown as Server);
    const innerPort = await listen(server as unknown as Server);
    const needsLink = (profile.latencyMs ?? 0) > 0 || profile.bandwidthBps !== undefined;
    self.#port = needsLink
      ? await listenPort(await startLinkRelay(innerPort, profile, lifetime))
      : innerPort;
    // The database's name is where it listens: Go accepts host:port names and dials https://<name>.
    self.#db = new ChecksumDatabase(`127.0.0.1:${self.#port}`, corpus);
    return self;
  }

  get db(): ChecksumDatabase {
    return this.#db!;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `https://${this.db.name}`;
  }

  /** Answers a database path for a mirror's relay, logging it as reaching the database `via` that mirror. */
  relay(path: string, via: string, authorization: boolean): DatabaseAnswer {
    const record = this.#log.add({
      server: SUMDB_SERVER,
      method: 'GET',
      rawPath: path,
      via,
      authorization,
    });
    const answer = this.#answer(path);
    if (answer !== 'hang') record.status = answer.status;
    return answer;
  }

  #answer(path: string): DatabaseAnswer {
    if (this.#profile.blackhole) return 'hang';
    if (this.#profile.status !== undefined) {
      return textResponse(
        this.#profile.status,
        `${this.#profile.status} from the simulated checksum database`,
      );
    }
    return this.db.serve(path);
  }

  #handleDirect(req: IncomingMessage, res: ServerResponse): void {
    const rawPath = req.url ?? '/';
    const record = this.#log.add({
      server: SUMDB_SERVER,
      method: req.method ?? 'GET',
      rawPath,
      authorization: req.headers.authorization !== undefined,
    });
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    const answer = this.#answer(safeDecode(rawPath));
    if (answer !== 'hang') send(res, answer);
  }
}

function listenPort(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}
