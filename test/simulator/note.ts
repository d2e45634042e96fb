/**
 * Signed notes (golang.org/x/mod/sumdb/note) with Ed25519 keys: the verifier key string
 * `<name>+<hash8hex>+<base64(0x01 ‖ pub32)>`, key hash = first 4 bytes (big-endian) of
 * SHA-256(name + "\n" + 0x01 ‖ pub32), signature lines `— <name> <base64(keyhash4 ‖ sig64)>`.
 */
import {
  type KeyObject,
  createHash,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
} from 'node:crypto';

const ED25519_ALGORITHM = 0x01;
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface NoteSigner {
  readonly name: string;
  /** The verifier key: what GOSUMDB holds. */
  readonly vkey: string;
  readonly keyHash: number;
  sign(text: string): string;
}

export function keyHash(name: string, keyBytes: Uint8Array): number {
  return createHash('sha256').update(`${name}\n`).update(keyBytes).digest().readUInt32BE(0);
}

/** Deterministic signer: the same name and seed always give the same key. */
export function createNoteSigner(name: string, seed: string): NoteSigner {
  if (name === '' || /[\s+]/.test(name)) throw new Error(`invalid note signer name: ${name}`);
  const seed32 = createHash('sha256').update(seed).digest();
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed32]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const keyBytes = Buffer.concat([
    Buffer.from([ED25519_ALGORITHM]),
    spki.subarray(SPKI_ED25519_PREFIX.length),
  ]);
  const hash = keyHash(name, keyBytes);
  const hashHex = hash.toString(16).padStart(8, '0');
  return {
    name,
    vkey: `${name}+${hashHex}+${keyBytes.toString('base64')}`,
    keyHash: hash,
    sign(text: string): string {
      if (!text.endsWith('\n')) throw new Error('note text must end with a newline');
      const signature = sign(null, Buffer.from(text), privateKey);
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(hash);
      return `${text}\n— ${name} ${Buffer.concat([prefix, signature]).toString('base64')}\n`;
    },
  };
}

interface ParsedVerifierKey {
  readonly name: string;
  readonly hash: number;
  readonly publicKey: KeyObject;
}

/** Splits on the first two '+' only: the base64 key may itself contain '+'. */
export function parseVerifierKey(vkey: string): ParsedVerifierKey {
  const first = vkey.indexOf('+');
  const second = vkey.indexOf('+', first + 1);
  if (first <= 0 || second < 0) throw new Error('malformed verifier id');
  const name = vkey.slice(0, first);
  const hash = Number.parseInt(vkey.slice(first + 1, second), 16);
  const keyBytes = Buffer.from(vkey.slice(second + 1), 'base64');
  if (keyBytes.length !== 33 || keyBytes[0] !== ED25519_ALGORITHM)
    throw new Error('unknown verifier algorithm');
  if (keyHash(name, keyBytes) !== hash) throw new Error('invalid verifier hash');
  const publicKey = createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, keyBytes.subarray(1)]),
    format: 'der',
    type: 'spki',
  });
  return { name, hash, publicKey };
}

/** Verifies a signed note with one key; returns the note text, or throws. */
export function verifyNote(signedNote: string, vkey: string): string {
  const key = parseVerifierKey(vkey);
  const split = signedNote.lastIndexOf('\n\n');
  if (split < 0) throw new Error('malformed note');
  const text = signedNote.slice(0, split + 1);
  for (const line of signedNote.slice(split + 2).split('\n')) {
    const m = /^— (\S+) (\S+)$/.exec(line);
    if (!m || m[1] !== key.name) continue;
    const blob = Buffer.from(m[2]!, 'base64');
    if (blob.length < 4 || blob.readUInt32BE(0) !== key.hash) continue;
    if (verify(null, Buffer.from(text), key.publicKey, blob.subarray(4))) return text;
    throw new Error('invalid signature');
  }
  throw new Error('note has no verifiable signature');
}
