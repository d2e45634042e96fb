/**
 * A minimal zip reader for module zips: the central directory, stored and deflated entries, CRC
 * checks and a cap on the inflated size (a hostile mirror may serve a zip bomb). Enough to compute
 * the go.sum zip hash (dirhash.HashZip: Hash1 over every entry name as stored and its content).
 * No zip64, encryption or multi-disk archives: module zips do not need them.
 */
import { crc32, inflateRawSync } from 'node:zlib';
import { type HashedFile, hash1 } from './dirhash.js';

export class ZipError extends Error {
  override readonly name = 'ZipError';
}

export interface ZipEntry {
  readonly name: string;
  readonly content: Buffer;
}

export interface ReadZipOptions {
  /** Upper bound on the sum of inflated entry sizes. Default 64 MiB. */
  readonly maxTotalBytes?: number;
  /** Upper bound on the number of entries. Default 100 000. */
  readonly maxEntries?: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_MIN = 22;
const CENTRAL_MIN = 46;
const LOCAL_MIN = 30;
const METHOD_STORE = 0;
const METHOD_DEFLATE = 8;

export function readZip(data: Uint8Array, options: ReadZipOptions = {}): ZipEntry[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const maxTotal = options.maxTotalBytes ?? 64 * 1024 * 1024;
  const maxEntries = options.maxEntries ?? 100_000;
  const eocd = findEndOfCentralDirectory(buf);
  const count = buf.readUInt16LE(eocd + 10);
  const dirSize = buf.readUInt32LE(eocd + 12);
  const dirOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || dirOffset === 0xffffffff)
    throw new ZipError('zip64 archives are not supported');
  if (count > maxEntries) throw new ZipError(`zip has too many entries (${count})`);
  if (dirOffset + dirSize > eocd) throw new ZipError('zip central directory out of range');

  const entries: ZipEntry[] = [];
  let total = 0;
  let at = dirOffset;
  for (let n = 0; n < count; n++) {
    if (at + CENTRAL_MIN > buf.length || buf.readUInt32LE(at) !== CENTRAL_SIGNATURE) {
      throw new ZipError('zip central directory is corrupt');
    }
    const flags = buf.readUInt16LE(at + 8);
    const method = buf.readUInt16LE(at + 10);
    const crc = buf.readUInt32LE(at + 16);
    const compressedSize = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    const localOffset = buf.readUInt32LE(at + 42);
    const nameEnd = at + CENTRAL_MIN + nameLength;
    if (nameEnd > buf.length) throw new ZipError('zip central directory is corrupt');
    const name = buf.subarray(at + CENTRAL_MIN, nameEnd).toString('utf8');
    at = nameEnd + extraLength + commentLength;

    if (flags & 0x1) throw new ZipError(`zip entry ${JSON.stringify(name)} is encrypted`);
    total += size;
    if (total > maxTotal) throw new ZipError(`zip content exceeds ${maxTotal} bytes`);
    const raw = localData(buf, localOffset, compressedSize, name);
    const content = decompress(raw, method, size, name);
    if (crc32(content) !== crc)
      throw new ZipError(`zip entry ${JSON.stringify(name)} fails its CRC check`);
    entries.push({ name, content });
  }
  return entries;
}

/** dirhash.HashZip: Hash1 over every entry (a later duplicate name supplies the content, as Go's map does). */
export function hashZip(data: Uint8Array, options?: ReadZipOptions): string {
  const entries = readZip(data, options);
  const byName = new Map<string, Buffer>();
  for (const entry of entries) byName.set(entry.name, entry.content);
  const files: HashedFile[] = entries.map((entry) => ({
    name: entry.name,
    content: byName.get(entry.name)!,
  }));
  return hash1(files);
}

/**
 * The go command's check of a module zip (modfetch `checkMod`/`zip.CheckZip` in short): every
 * entry must sit under `<module>@<version>/`. Returns Go's error text, or null.
 */
export function checkModuleZipNames(
  entries: readonly ZipEntry[],
  modulePath: string,
  version: string,
): string | null {
  const prefix = `${modulePath}@${version}/`;
  for (const entry of entries) {
    if (!entry.name.startsWith(prefix)) {
      return `zip for ${prefix.slice(0, -1)} has unexpected file ${entry.name}`;
    }
  }
  return null;
}

function findEndOfCentralDirectory(buf: Buffer): number {
  if (buf.length < EOCD_MIN) throw new ZipError('not a zip file');
  // The record sits at the end, followed by a comment of at most 65535 bytes.
  const lowest = Math.max(0, buf.length - EOCD_MIN - 0xffff);
  for (let i = buf.length - EOCD_MIN; i >= lowest; i--) {
    if (
      buf.readUInt32LE(i) === EOCD_SIGNATURE &&
      i + EOCD_MIN + buf.readUInt16LE(i + 20) === buf.length
    )
      return i;
  }
  throw new ZipError('not a zip file');
}

function localData(buf: Buffer, offset: number, compressedSize: number, name: string): Buffer {
  if (offset + LOCAL_MIN > buf.length || buf.readUInt32LE(offset) !== LOCAL_SIGNATURE) {
    throw new ZipError(`zip entry ${JSON.stringify(name)} has a corrupt local header`);
  }
  const start = offset + LOCAL_MIN + buf.readUInt16LE(offset + 26) + buf.readUInt16LE(offset + 28);
  const end = start + compressedSize;
  if (end > buf.length) throw new ZipError(`zip entry ${JSON.stringify(name)} is truncated`);
  return buf.subarray(start, end);
}

function decompress(raw: Buffer, method: number, size: number, name: string): Buffer {
  if (method === METHOD_STORE) {
    if (raw.length !== size)
      throw new ZipError(`zip entry ${JSON.stringify(name)} has a wrong size`);
    return raw;
  }
  if (method !== METHOD_DEFLATE)
    throw new ZipError(`zip entry ${JSON.stringify(name)} uses unsupported method ${method}`);
  let out: Buffer;
  try {
    // One byte more than declared: inflating past the declared size is caught below, not buffered.
    out = inflateRawSync(raw, { maxOutputLength: size + 1 });
  } catch (error) {
    throw new ZipError(
      `zip entry ${JSON.stringify(name)} does not inflate: ${(error as Error).message}`,
    );
  }
  if (out.length !== size) throw new ZipError(`zip entry ${JSON.stringify(name)} has a wrong size`);
  return out;
}
