/**
 * A transparency log as the checksum database serves it (golang.org/x/mod/sumdb/tlog, written
 * from its documented format): RFC 6962 hashing, tree heads, and tiles of height 8 addressed as
 * `tile/<H>/<L>/<NNN>[.p/<W>]` with `x`-prefixed groups of three digits, `data` for record tiles.
 */
import { createHash } from 'node:crypto';

export const TILE_HEIGHT = 8;
export const HASH_SIZE = 32;

/** RFC 6962 leaf hash: SHA-256(0x00 ‖ record text). */
export function recordHash(text: Uint8Array): Buffer {
  return createHash('sha256')
    .update(Buffer.from([0]))
    .update(text)
    .digest();
}

/** RFC 6962 interior node hash: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256')
    .update(Buffer.from([1]))
    .update(left)
    .update(right)
    .digest();
}

export interface Tile {
  readonly height: number;
  /** Level in the tiling; -1 for a data tile (record texts). */
  readonly level: number;
  readonly index: number;
  /** Number of hashes (or records); 2^height for a complete tile. */
  readonly width: number;
}

export function tilePath(tile: Tile): string {
  let n = tile.index;
  let digits = String(n % 1000).padStart(3, '0');
  while (n >= 1000) {
    n = Math.floor(n / 1000);
    digits = `x${String(n % 1000).padStart(3, '0')}/${digits}`;
  }
  const partial = tile.width === 2 ** tile.height ? '' : `.p/${tile.width}`;
  const level = tile.level === -1 ? 'data' : String(tile.level);
  return `tile/${tile.height}/${level}/${digits}${partial}`;
}

/** Parses a tile path (without leading slash); undefined unless it is in canonical form. */
export function parseTilePath(path: string): Tile | undefined {
  const m = /^tile\/(\d+)\/(data|\d+)\/((?:x\d{3}\/)*\d{3})(?:\.p\/(\d+))?$/.exec(path);
  if (!m) return undefined;
  const height = Number(m[1]);
  const level = m[2] === 'data' ? -1 : Number(m[2]);
  if (height < 1 || height > 30) return undefined;
  const index = m[3]!
    .split('/')
    .reduce((acc, group) => acc * 1000 + Number(group.replace('x', '')), 0);
  const full = 2 ** height;
  const width = m[4] === undefined ? full : Number(m[4]);
  if (!(width >= 1 && width <= full)) return undefined;
  const tile = { height, level, index, width };
  return tilePath(tile) === path ? tile : undefined;
}

/** An append-only log fixed at construction (the simulator never adds records later). */
export class MerkleLog {
  readonly records: readonly Buffer[];
  /** levels[k][i]: hash of the complete subtree of 2^k leaves starting at leaf i·2^k. */
  readonly #levels: Buffer[][];

  constructor(records: readonly Uint8Array[]) {
    this.records = records.map((r) => Buffer.from(r));
    this.#levels = [this.records.map(recordHash)];
    for (let k = 0; this.#levels[k]!.length > 1; k++) {
      const below = this.#levels[k]!;
      const above: Buffer[] = [];
      for (let i = 0; i + 1 < below.length; i += 2) above.push(nodeHash(below[i]!, below[i + 1]!));
      this.#levels.push(above);
    }
  }

  get size(): number {
    return this.records.length;
  }

  /** Hash of the complete subtree at (level, index), if the log is big enough to have it. */
  subtreeHash(level: number, index: number): Buffer | undefined {
    return this.#levels[level]?.[index];
  }

  /** RFC 6962 Merkle tree hash of the whole log. */
  treeHash(): Buffer {
    if (this.size === 0) return Buffer.alloc(HASH_SIZE);
    // Decompose the size into complete subtrees, largest first, and fold from the right.
    const parts: Buffer[] = [];
    let start = 0;
    for (let level = Math.floor(Math.log2(this.size)); level >= 0; level--) {
      if (start + 2 ** level <= this.size) {
        parts.push(this.subtreeHash(level, start / 2 ** level)!);
        start += 2 ** level;
      }
    }
    let hash = parts.pop()!;
    while (parts.length > 0) hash = nodeHash(parts.pop()!, hash);
    return hash;
  }

  /** Tile content, or undefined when the log does not (yet) hold all of it. */
  tile(tile: Tile): Buffer | undefined {
    const first = tile.index * 2 ** tile.height;
    if (tile.level === -1) {
      if (first + tile.width > this.size) return undefined;
      const texts = this.records.slice(first, first + tile.width);
      return Buffer.concat(
        texts.map((text, i) =>
          Buffer.concat([Buffer.from(`${first + i}\n`), text, Buffer.from('\n')]),
        ),
      );
    }
    const hashes: Buffer[] = [];
    for (let i = 0; i < tile.width; i++) {
      const hash = this.subtreeHash(tile.level * tile.height, first + i);
      if (hash === undefined) return undefined;
      hashes.push(hash);
    }
    return Buffer.concat(hashes);
  }
}
