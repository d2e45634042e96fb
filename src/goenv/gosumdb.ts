/**
 * GOSUMDB as the go command reads it (`dbDial` in src/cmd/go/internal/modfetch/sumdb.go and
 * `note.NewVerifier` in golang.org/x/mod/sumdb/note), with Go's error texts. The go command does
 * not validate GOSUMDB when it is set; a bad value fails every download that needs a lookup.
 */
import { createHash } from 'node:crypto';
import type { ChecksumDatabase } from '../probe/types.js';
import { chop, containsGoSpace, goFields } from './gostrings.js';
import { type GoUrl, GoUrlError, goUrlStructString, parseGoUrl } from './gourl.js';

/** The one entry of Go's knownGOSUMDB (src/cmd/go/internal/modfetch/key.go). */
export const SUM_GOLANG_ORG = 'sum.golang.org';
export const SUM_GOLANG_ORG_KEY =
  'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';
/** Alias reachable inside mainland China; Go rewrites it to `sum.golang.org https://sum.golang.google.cn`. */
export const SUM_GOLANG_GOOGLE_CN = 'sum.golang.google.cn';

const KNOWN_GOSUMDB: Readonly<Record<string, string>> = { [SUM_GOLANG_ORG]: SUM_GOLANG_ORG_KEY };

/** note's algEd25519. */
const ALG_ED25519 = 1;

export type Gosumdb =
  | { readonly kind: 'off'; readonly value: 'off' }
  | {
      readonly kind: 'db';
      /** Database name (`sum.golang.org` also for the alias). */
      readonly name: string;
      /** Full verifier key `name+hash+base64`. */
      readonly key: string;
      readonly keyHash: number;
      /** The 32-byte Ed25519 public key. */
      readonly publicKey: Uint8Array;
      /** Explicit base URL (second field, or the alias's host); null: derived from the name or via proxies. */
      readonly url: string | null;
      /** The value in canonical spacing, as to write it. */
      readonly value: string;
    };

export type GosumdbResult =
  | { readonly ok: true; readonly db: Gosumdb }
  | { readonly ok: false; readonly error: string };

export interface NoteVerifier {
  readonly name: string;
  readonly keyHash: number;
  readonly publicKey: Uint8Array;
}

/** note.NewVerifier; throws Error with note's message. */
export function parseVerifierKey(vkey: string): NoteVerifier {
  const [name, afterName] = chop(vkey, '+');
  const [hash16, key64] = chop(afterName, '+');
  const key = decodeGoBase64(key64);
  if (!/^[0-9A-Fa-f]{8}$/.test(hash16) || key === null || !isValidName(name) || key.length === 0) {
    throw new Error('malformed verifier id');
  }
  const hash = Number.parseInt(hash16, 16) >>> 0;
  if (hash !== keyHash(name, key)) throw new Error('invalid verifier hash');
  if (key[0] !== ALG_ED25519) throw new Error('unknown verifier algorithm');
  const publicKey = key.subarray(1);
  if (publicKey.length !== 32) throw new Error('malformed verifier id');
  return { name, keyHash: hash, publicKey: new Uint8Array(publicKey) };
}

/** note's keyHash: big-endian uint32 of sha256(name + "\n" + key)[0:4]. */
export function keyHash(name: string, key: Uint8Array): number {
  const digest = createHash('sha256').update(name).update('\n').update(key).digest();
  return digest.readUInt32BE(0);
}

/** Builds a verifier key from a name and a raw Ed25519 public key (for custom databases and tests). */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  const key = Buffer.concat([Buffer.from([ALG_ED25519]), Buffer.from(publicKey)]);
  const hash = keyHash(name, key).toString(16).padStart(8, '0');
  return `${name}+${hash}+${key.toString('base64')}`;
}

function isValidName(name: string): boolean {
  return name !== '' && name.isWellFormed() && !containsGoSpace(name) && !name.includes('+');
}

/** base64.StdEncoding.DecodeString: padding required, CR/LF ignored, trailing bits not checked. */
function decodeGoBase64(text: string): Buffer | null {
  const s = text.replace(/[\r\n]/g, '');
  if (s.length % 4 !== 0) return null;
  if (!/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) return null;
  return Buffer.from(s, 'base64');
}

/** `dbDial` without the dialing: what Go accepts, or Go's error. */
export function parseGosumdb(value: string): GosumdbResult {
  if (value === 'off') return { ok: true, db: { kind: 'off', value: 'off' } };
  const isAlias = value === SUM_GOLANG_GOOGLE_CN;
  const fields = goFields(isAlias ? `${SUM_GOLANG_ORG} https://${SUM_GOLANG_GOOGLE_CN}` : value);
  const written = goFields(value);
  if (fields.length >= 1) fields[0] = KNOWN_GOSUMDB[fields[0]!] ?? fields[0]!;
  if (fields.length === 0) return { ok: false, error: 'missing GOSUMDB' };
  if (fields.length > 2) return { ok: false, error: 'invalid GOSUMDB: too many fields' };

  let verifier: NoteVerifier;
  try {
    verifier = parseVerifierKey(fields[0]!);
  } catch (error) {
    return { ok: false, error: `invalid GOSUMDB: ${(error as Error).message}` };
  }
  const nameProblem = checkDatabaseName(verifier.name);
  if (nameProblem !== null) return { ok: false, error: nameProblem };

  let url: string | null = null;
  if (fields.length === 2) {
    try {
      parseGoUrl(fields[1]!);
    } catch (error) {
      if (!(error instanceof GoUrlError)) throw error;
      return { ok: false, error: `invalid GOSUMDB URL: ${error.message}` };
    }
    url = fields[1]!;
  }
  return {
    ok: true,
    db: {
      kind: 'db',
      name: verifier.name,
      key: fields[0]!,
      keyHash: verifier.keyHash,
      publicKey: verifier.publicKey,
      url,
      value: isAlias ? SUM_GOLANG_GOOGLE_CN : written.join(' '),
    },
  };
}

/** "No funny business in the database name": it must read as https://host[/path]. */
function checkDatabaseName(name: string): string | null {
  const problem = `invalid sumdb name (must be host[/path]): ${name}`;
  let direct: GoUrl;
  try {
    direct = parseGoUrl(`https://${name}`);
  } catch {
    // Go dereferences a nil URL here and panics; report the same problem without the URL dump.
    return problem;
  }
  const hostAndPathOnly =
    direct.opaque === '' &&
    direct.user === null &&
    !direct.omitHost &&
    !direct.forceQuery &&
    direct.rawQuery === '' &&
    direct.fragment === '' &&
    direct.rawFragment === '';
  if (name.endsWith('/') || !hostAndPathOnly || direct.rawPath !== '' || direct.host === '') {
    return `${problem} ${goUrlStructString(direct)}`;
  }
  return null;
}

/** Base URL lookups go to when reached directly (not through a proxy). */
export function directSumdbUrl(db: Extract<Gosumdb, { kind: 'db' }>): string {
  return db.url ?? `https://${db.name}`;
}

/** The shape the probe engine works with. */
export function toChecksumDatabase(db: Extract<Gosumdb, { kind: 'db' }>): ChecksumDatabase {
  return { name: db.name, key: db.key, value: db.value, explicitUrl: db.url };
}
