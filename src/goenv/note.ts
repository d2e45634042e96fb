/**
 * Signed notes and checksum-database lookup records, as the go command checks them
 * (golang.org/x/mod/sumdb/note, sumdb/tlog ParseRecord/ParseTree, sumdb Client.Lookup).
 * Ed25519 verification uses node:crypto only. Error texts are Go's.
 *
 * The signature shows only that the database signed *a* tree head. That the record is in that
 * tree is the tile proof of tlog.ts, which needs the route's `/tile/…` answers (sumdb.ts runs it
 * for every record it accepts, as the go command does; go-semantics.md §7.3).
 */
import { type KeyObject, createPublicKey, verify } from 'node:crypto';
import { chop, containsGoSpace } from './gostrings.js';
import { keyHash, parseVerifierKey as parseGosumdbKey } from './gosumdb.js';

export class NoteError extends Error {
  override readonly name = 'NoteError';
}

/** SPKI DER prefix of an Ed25519 public key: the 32 key bytes follow. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const SIG_PREFIX = '\u2014 ';
const MAX_SIGNATURES = 100;

export interface NoteVerifier {
  readonly name: string;
  /** The 32-bit key hash written as 8 hex digits in the key and prefixed to each signature. */
  readonly keyHash: number;
  readonly publicKey: KeyObject;
}

/**
 * note.NewVerifier: `<name>+<hash8hex>+<base64(0x01 ‖ ed25519 public key)>`, parsed by
 * gosumdb.ts (Go's error texts), with the key loaded for node:crypto.
 */
export function parseVerifierKey(vkey: string): NoteVerifier {
  let parsed: ReturnType<typeof parseGosumdbKey>;
  try {
    parsed = parseGosumdbKey(vkey);
  } catch (error) {
    throw new NoteError((error as Error).message);
  }
  const publicKey = createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, parsed.publicKey]),
    format: 'der',
    type: 'spki',
  });
  return { name: parsed.name, keyHash: parsed.keyHash, publicKey };
}

export { keyHash };

export interface OpenedNote {
  /** The signed text, ending in a newline. */
  readonly text: string;
  /** Names of the verifiers whose signatures checked out. */
  readonly signedBy: readonly string[];
}

/**
 * note.Open with a single known verifier. Throws NoteError with Go's texts: `malformed note`,
 * `invalid signature`, `note has no verifiable signatures`.
 */
export function openNote(message: string | Uint8Array, verifier: NoteVerifier): OpenedNote {
  const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : Buffer.from(message);
  const msg = decodeUtf8Strict(bytes);
  if (msg === null || hasControlCharacters(msg)) throw new NoteError('malformed note');
  const split = msg.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('malformed note');
  const text = msg.slice(0, split + 1);
  let sigs = msg.slice(split + 2);
  if (sigs.length === 0 || !sigs.endsWith('\n')) throw new NoteError('malformed note');

  const signedBy: string[] = [];
  const seen = new Set<string>();
  let count = 0;
  while (sigs.length > 0) {
    const i = sigs.indexOf('\n');
    const line = sigs.slice(0, i);
    sigs = sigs.slice(i + 1);
    if (!line.startsWith(SIG_PREFIX)) throw new NoteError('malformed note');
    const [name, b64] = chop(line.slice(SIG_PREFIX.length), ' ');
    const sig = decodeBase64Strict(b64);
    if (sig === null || !isValidName(name) || b64 === '' || sig.length < 5)
      throw new NoteError('malformed note');
    if (++count > MAX_SIGNATURES) throw new NoteError('malformed note');
    const hash = sig.readUInt32BE(0);
    // Signatures by keys we do not know are ignored, as Go does (they may be witnesses).
    if (name !== verifier.name || hash !== verifier.keyHash) continue;
    const id = `${name}+${hash}`;
    if (seen.has(id)) continue;
    seen.add(id);
    if (!verify(null, Buffer.from(text, 'utf8'), verifier.publicKey, sig.subarray(4))) {
      throw new NoteError('invalid signature');
    }
    signedBy.push(name);
  }
  if (signedBy.length === 0) throw new NoteError('note has no verifiable signatures');
  return { text, signedBy };
}

export interface TreeHead {
  /** Number of records in the tree (decimal string: sizes may exceed 2^53 in theory). */
  readonly size: bigint;
  /** Base64 root hash (32 bytes). */
  readonly hash: string;
}

/** tlog.ParseTree over a verified note text. */
export function parseTreeNote(text: string): TreeHead {
  const f = splitN(text, '\n', 4);
  if (f.length < 4 || f[0] !== 'go.sum database tree') throw new NoteError('malformed tree note');
  const sizeText = f[1]!;
  if (!/^(0|[1-9][0-9]{0,18})$/.test(sizeText)) throw new NoteError('malformed tree note');
  const root = decodeBase64Strict(f[2]!);
  if (root === null || root.length !== 32) throw new NoteError('malformed tree note');
  return { size: BigInt(sizeText), hash: f[2]! };
}

export interface LookupRecord {
  readonly id: bigint;
  /** The record text (go.sum lines), ending in a newline. */
  readonly text: string;
  /** The record text exactly as served: what its leaf hash is computed over. */
  readonly textBytes: Buffer;
  /** The signed tree note that follows the record. */
  readonly note: string;
}

/** tlog.ParseRecord: `<id>\n<record text>\n\n<signed tree note>`. Split on bytes, so the hashed text is the served one. */
export function parseLookupBody(body: string | Uint8Array): LookupRecord {
  const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  const i = raw.indexOf(0x0a);
  if (i < 0) throw new NoteError('malformed record data');
  const idText = raw.subarray(0, i).toString('latin1');
  if (!/^(0|[1-9][0-9]{0,18})$/.test(idText)) throw new NoteError('malformed record data');
  const rest = raw.subarray(i + 1);
  const j = rest.indexOf('\n\n');
  if (j < 0) throw new NoteError('malformed record data');
  const textBytes = rest.subarray(0, j + 1);
  const text = textBytes.toString('utf8');
  if (hasControlCharacters(text)) throw new NoteError('malformed record data');
  return { id: BigInt(idText), text, textBytes, note: rest.subarray(j + 2).toString('utf8') };
}

export interface ModuleHashes {
  /** `h1:` of the module zip (`<path> <version> h1:…`), when recorded. */
  readonly zip: string | null;
  /** `h1:` of the go.mod (`<path> <version>/go.mod h1:…`), when recorded. */
  readonly mod: string | null;
}

/** The go.sum lines of one module version in a record, as Client.Lookup filters them. */
export function recordHashes(recordText: string, path: string, version: string): ModuleHashes {
  const prefix = `${path} ${version} `;
  const modPrefix = `${path} ${version}/go.mod `;
  let zip: string | null = null;
  let mod: string | null = null;
  for (const line of recordText.split('\n')) {
    if (line.startsWith(prefix)) zip ??= line.slice(prefix.length).trim();
    else if (line.startsWith(modPrefix)) mod ??= line.slice(modPrefix.length).trim();
  }
  return { zip, mod };
}

export interface VerifiedLookup extends ModuleHashes {
  readonly tree: TreeHead;
  readonly recordId: bigint;
  /** The record text as served, for its inclusion proof (tlog.ts). */
  readonly recordText: Buffer;
}

/**
 * Parses a `/lookup/<path>@<version>` answer, verifies its tree note with the database key and
 * extracts the module's hashes. Throws NoteError when anything does not hold.
 */
export function verifyLookup(
  body: string | Uint8Array,
  verifier: NoteVerifier,
  path: string,
  version: string,
): VerifiedLookup {
  const record = parseLookupBody(body);
  const note = openNote(record.note, verifier);
  const tree = parseTreeNote(note.text);
  if (record.id >= tree.size)
    throw new NoteError(`record ${record.id} is not in tree of size ${tree.size}`);
  const hashes = recordHashes(record.text, path, version);
  if (hashes.mod === null && hashes.zip === null) {
    throw new NoteError(`record has no go.sum lines for ${path}@${version}`);
  }
  return { ...hashes, tree, recordId: record.id, recordText: record.textBytes };
}

/** Verifies a `/latest` answer (a bare signed tree note). */
export function verifyLatest(body: string | Uint8Array, verifier: NoteVerifier): TreeHead {
  return parseTreeNote(openNote(body, verifier).text);
}

function splitN(s: string, sep: string, n: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}

function isValidName(name: string): boolean {
  return name !== '' && !containsGoSpace(name) && !name.includes('+');
}

/** Go's base64.StdEncoding: padded, no stray characters (Buffer.from is lenient). */
function decodeBase64Strict(text: string): Buffer | null {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return null;
  return Buffer.from(text, 'base64');
}

function decodeUtf8Strict(bytes: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** ASCII control characters other than newline make a note malformed. */
function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return true;
  }
  return false;
}
