/**
 * The checksum database, served for real: one record per public corpus module version in a
 * transparency log, a signed tree head, `/lookup/…`, `/latest` and `/tile/…` exactly as
 * golang.org/x/mod/sumdb/server.go answers them, so the real go command verifies against it.
 */
import { unescapeModulePath } from '../../src/goenv/escape.js';
import type { Corpus, CorpusModule } from './corpus.js';
import { type NoteSigner, createNoteSigner } from './note.js';
import { MerkleLog, TILE_HEIGHT, parseTilePath } from './tlog.js';

export interface SimpleResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

/** What `go.sum database tree` notes say; signed with the database key. */
export function formatTree(size: number, hash: Buffer): string {
  return `go.sum database tree\n${size}\n${hash.toString('base64')}\n`;
}

export function recordText(module: CorpusModule): string {
  return `${module.path} ${module.version} ${module.zipHash}\n${module.path} ${module.version}/go.mod ${module.modHash}\n`;
}

/** The server's own module@version check (sumdb/server.go modVerRE). */
const MOD_VER = /^[^@]+@v[0-9]+\.[0-9]+\.[0-9]+(-[^@]*)?(\+incompatible)?$/;

function text(status: number, body: string): SimpleResponse {
  return { status, contentType: 'text/plain; charset=utf-8', body: Buffer.from(`${body}\n`) };
}

export class ChecksumDatabase {
  readonly name: string;
  readonly signer: NoteSigner;
  readonly log: MerkleLog;
  /** The signed tree head (`/latest`). */
  readonly signedTree: string;
  readonly #ids = new Map<string, number>();

  constructor(name: string, corpus: Corpus, seed = 'go-proxy-setup simulator checksum database') {
    this.name = name;
    this.signer = createNoteSigner(name, seed);
    const modules = corpus.publicModules();
    modules.forEach((m, id) => this.#ids.set(`${m.path}@${m.version}`, id));
    this.log = new MerkleLog(modules.map((m) => Buffer.from(recordText(m))));
    this.signedTree = this.signer.sign(formatTree(this.log.size, this.log.treeHash()));
  }

  get vkey(): string {
    return this.signer.vkey;
  }

  /** Record id of a module version, if the database has it. */
  recordId(path: string, version: string): number | undefined {
    return this.#ids.get(`${path}@${version}`);
  }

  /** Answers a database path (`/lookup/…`, `/latest`, `/tile/…`, already percent-decoded). */
  serve(path: string): SimpleResponse {
    if (path.startsWith('/lookup/')) return this.#lookup(path.slice('/lookup/'.length));
    if (path === '/latest') {
      return {
        status: 200,
        contentType: 'text/plain; charset=UTF-8',
        body: Buffer.from(this.signedTree),
      };
    }
    if (path.startsWith('/tile/')) return this.#tile(path.slice(1));
    return text(404, '404 page not found');
  }

  /** The lookup body for a record id: `<id>\n<record text>\n` followed by the signed tree. */
  lookupBody(id: number, record: Buffer = this.log.records[id]!): Buffer {
    return Buffer.concat([
      Buffer.from(`${id}\n`),
      record,
      Buffer.from('\n'),
      Buffer.from(this.signedTree),
    ]);
  }

  #lookup(modVer: string): SimpleResponse {
    if (!MOD_VER.test(modVer)) return text(400, 'invalid module@version syntax');
    const at = modVer.indexOf('@');
    let path: string;
    let version: string;
    try {
      path = unescapeModulePath(modVer.slice(0, at));
      version = unescapeModulePath(modVer.slice(at + 1));
    } catch (error) {
      return text(404, `not found: ${(error as Error).message}`);
    }
    const id = this.recordId(path, version);
    if (id === undefined) return text(404, `not found: ${path}@${version}: unknown module version`);
    return { status: 200, contentType: 'text/plain; charset=UTF-8', body: this.lookupBody(id) };
  }

  #tile(tilePath: string): SimpleResponse {
    const tile = parseTilePath(tilePath);
    if (tile === undefined || tile.height !== TILE_HEIGHT) return text(400, 'invalid tile syntax');
    const data = this.log.tile(tile);
    if (data === undefined) return text(404, `not found: ${tilePath}`);
    const contentType =
      tile.level === -1 ? 'text/plain; charset=UTF-8' : 'application/octet-stream';
    return { status: 200, contentType, body: data };
  }
}
