/**
 * The checksum database's transparency log, as the go command authenticates a record against a
 * signed tree head (golang.org/x/mod/sumdb/tlog: RFC 6962 hashes, tiles of height 8, and the tile
 * set `TileHashReader.ReadHashes` fetches for `Client.checkRecord`). Written from the documented
 * format; no I/O here: `planTileProof` says which tiles to fetch, `verifyTileProof` checks them.
 *
 * Coordinates: the stored hash (level ℓ, n) is the hash of the complete subtree of 2^ℓ records
 * starting at record n·2^ℓ. A tile (L, N, W) holds W consecutive hashes of level L·H, starting at
 * n = N·2^H. Record ids and tree sizes are bigints: the real log is far past 2^31 hashes' worth of
 * shifts, and JavaScript's `<<` is 32-bit.
 */
import { createHash } from 'node:crypto';

export const TILE_HEIGHT = 8;
export const HASH_SIZE = 32;

/** An error with the go command's wording, so a report can say what Go would have said. */
export class TlogError extends Error {
  override readonly name = 'TlogError';
}

/** RFC 6962 leaf hash: SHA-256(0x00 ‖ record text). */
export function recordHash(data: Uint8Array): Buffer {
  return createHash('sha256')
    .update(Buffer.from([0]))
    .update(data)
    .digest();
}

/** RFC 6962 interior hash: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256')
    .update(Buffer.from([1]))
    .update(left)
    .update(right)
    .digest();
}

export interface Tile {
  readonly height: number;
  /** Tile level (hashes of tree level `level·height`). */
  readonly level: number;
  readonly index: bigint;
  /** Hashes in the tile: 2^height when complete. */
  readonly width: number;
}

/** `tile/8/0/x001/234.p/5`: the index in 3-digit groups, `x`-prefixed except the last; `.p/W` when partial. */
export function tilePath(tile: Tile): string {
  let n = tile.index;
  let digits = pad3(n % 1000n);
  while (n >= 1000n) {
    n /= 1000n;
    digits = `x${pad3(n % 1000n)}/${digits}`;
  }
  const partial = tile.width === 2 ** tile.height ? '' : `.p/${tile.width}`;
  return `tile/${tile.height}/${tile.level}/${digits}${partial}`;
}

function pad3(n: bigint): string {
  return n.toString().padStart(3, '0');
}

/** The tiles to fetch for one proof, and how they hang together. Indexes point into `tiles`. */
export interface TilePlan {
  readonly height: number;
  readonly treeSize: bigint;
  readonly tiles: readonly Tile[];
  /** The complete subtrees that fold into the root hash, largest (leftmost) first. */
  readonly roots: readonly { readonly level: number; readonly n: bigint; readonly tile: number }[];
  /** Complete tiles below the root tiles, each authenticated by its hash in `parent`. */
  readonly descendants: readonly { readonly tile: number; readonly parent: number }[];
  /** Where the record's leaf hash is read, when a record is proven. */
  readonly record: { readonly id: bigint; readonly tile: number } | null;
}

/**
 * The tiles the go command reads to authenticate record `recordId` (or, with null, only the tiles
 * that rebuild the root hash) in a tree of `treeSize` records. Same set and widths as Go's
 * TileHashReader: each tile is as wide as the tree allows at its level, so the last tile of a
 * level is partial (`.p/W`).
 */
export function planTileProof(
  treeSize: bigint,
  recordId: bigint | null,
  height = TILE_HEIGHT,
): TilePlan {
  if (treeSize < 0n || (recordId !== null && (recordId < 0n || recordId >= treeSize))) {
    throw new TlogError(`cannot validate record ${recordId} in tree of size ${treeSize}`);
  }
  const tiles: Tile[] = [];
  const byPath = new Map<string, number>();
  const add = (tile: Tile): number => {
    const path = tilePath(tile);
    let at = byPath.get(path);
    if (at === undefined) {
      at = tiles.length;
      tiles.push(tile);
      byPath.set(path, at);
    }
    return at;
  };

  // The root is the fold of the complete subtrees given by the binary digits of the size.
  const roots: { level: number; n: bigint; tile: number }[] = [];
  let start = 0n;
  for (let level = bitLength(treeSize) - 1; level >= 0; level--) {
    const size = 1n << BigInt(level);
    if ((treeSize & size) === 0n) continue;
    const n = start >> BigInt(level);
    roots.push({ level, n, tile: add(tileHolding(level, n, treeSize, height)) });
    start += size;
  }

  // The record's tile, and its ancestors up to the first tile already planned; those in between
  // are complete (only complete tiles have a parent) and each is checked against its parent.
  const descendants: { tile: number; parent: number }[] = [];
  let record: TilePlan['record'] = null;
  if (recordId !== null) {
    const chain: Tile[] = [];
    for (let k = 0; ; k++) {
      const ancestor = tileHolding(k * height, recordId >> BigInt(k * height), treeSize, height);
      if (byPath.has(tilePath(ancestor))) break;
      if (ancestor.width !== 2 ** height)
        throw new TlogError(`bad math in tile plan: ${treeSize} ${recordId}`);
      chain.push(ancestor);
    }
    for (let k = chain.length - 1; k >= 0; k--) {
      const parent = byPath.get(tilePath(chain[k + 1] ?? ancestorOf(chain[k]!, treeSize)))!;
      descendants.push({ tile: add(chain[k]!), parent });
    }
    record = {
      id: recordId,
      tile: byPath.get(tilePath(tileHolding(0, recordId, treeSize, height)))!,
    };
  }
  return { height, treeSize, tiles, roots, descendants, record };
}

/** The tile, as wide as a tree of `treeSize` allows, that holds the stored hash (level, n). */
function tileHolding(level: number, n: bigint, treeSize: bigint, height: number): Tile {
  const tileLevel = Math.floor(level / height);
  const within = BigInt(level - tileLevel * height);
  const index = (n << within) >> BigInt(height);
  const available = (treeSize >> BigInt(tileLevel * height)) - (index << BigInt(height));
  const full = 2n ** BigInt(height);
  return {
    height,
    level: tileLevel,
    index,
    width: Number(available < full ? available : full),
  };
}

function ancestorOf(tile: Tile, treeSize: bigint): Tile {
  return tileHolding((tile.level + 1) * tile.height, tile.index, treeSize, tile.height);
}

/**
 * Checks fetched tiles the way Go's TileHashReader does and, when the plan proves a record, that
 * the leaf hash at its id is the hash of `recordText`. `data[i]` is the body for `plan.tiles[i]`.
 * Throws TlogError with Go's texts: `downloaded inconsistent tile` (tiles do not rebuild the
 * signed root, or a tile does not match its parent), `cannot authenticate record data in server
 * response` (the tree does not hold this record at this id).
 */
export function verifyTileProof(
  plan: TilePlan,
  data: readonly Uint8Array[],
  rootHash: Uint8Array,
  recordText?: Uint8Array,
): void {
  plan.tiles.forEach((tile, i) => {
    const want = tile.width * HASH_SIZE;
    const got = data[i]?.length ?? 0;
    if (got !== want)
      throw new TlogError(
        `TileReader returned bad result slice (${tilePath(tile)} len=${got}, want ${want})`,
      );
  });
  if (plan.roots.length > 0) {
    let root: Buffer | null = null;
    for (let i = plan.roots.length - 1; i >= 0; i--) {
      const part = plan.roots[i]!;
      const hash = hashInTile(plan.tiles[part.tile]!, data[part.tile]!, part.level, part.n);
      root = root === null ? hash : nodeHash(hash, root);
    }
    if (!Buffer.from(rootHash).equals(root!)) throw new TlogError('downloaded inconsistent tile');
  } else if (!Buffer.from(rootHash).equals(Buffer.alloc(HASH_SIZE))) {
    throw new TlogError('downloaded inconsistent tile'); // the empty tree's hash is all zeros
  }
  for (const { tile, parent } of plan.descendants) {
    const child = plan.tiles[tile]!;
    const expected = hashInTile(
      plan.tiles[parent]!,
      data[parent]!,
      (child.level + 1) * child.height,
      child.index,
    );
    if (!expected.equals(subtreeHash(data[tile]!))) {
      throw new TlogError('downloaded inconsistent tile');
    }
  }
  if (plan.record !== null) {
    if (recordText === undefined) throw new TlogError('no record text to authenticate');
    const leaf = hashInTile(
      plan.tiles[plan.record.tile]!,
      data[plan.record.tile]!,
      0,
      plan.record.id,
    );
    if (!leaf.equals(recordHash(recordText)))
      throw new TlogError('cannot authenticate record data in server response');
  }
}

/** The stored hash (level, n) from the tile holding it: the subtree hash of its run of tile hashes. */
function hashInTile(tile: Tile, data: Uint8Array, level: number, n: bigint): Buffer {
  const within = level - tile.level * tile.height;
  const first = (n << BigInt(within)) - (tile.index << BigInt(tile.height));
  const count = 2 ** within;
  if (within < 0 || within >= tile.height || first < 0n || Number(first) + count > tile.width) {
    throw new TlogError(`hash (${level}, ${n}) is not in ${tilePath(tile)}`);
  }
  const from = Number(first) * HASH_SIZE;
  return subtreeHash(data.subarray(from, from + count * HASH_SIZE));
}

/** Hash of a complete subtree from its 2^k consecutive hashes one level down the tile. */
function subtreeHash(hashes: Uint8Array): Buffer {
  if (hashes.length === HASH_SIZE) return Buffer.from(hashes);
  const half = hashes.length / 2;
  return nodeHash(subtreeHash(hashes.subarray(0, half)), subtreeHash(hashes.subarray(half)));
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}
