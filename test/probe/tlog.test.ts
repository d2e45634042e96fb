/**
 * The tile proof (src/goenv/tlog.ts) against the go command's own tlog code (Go 1.19's vendored
 * golang.org/x/mod/sumdb/tlog): the same tiles, in the same order, with the same widths, and the
 * tiles Go serves verify — while a forged record or a corrupted tile does not.
 */
import { describe, expect, it } from 'vitest';
import {
  TlogError,
  nodeHash,
  planTileProof,
  recordHash,
  tilePath,
  verifyTileProof,
} from '../../src/goenv/tlog.js';
import { type GoProofVector, goProofVectors, goRecordText } from './support/go-tlog.js';

/** Sizes around tile edges (256 = one full tile, 65536 = one full level-1 tile) and ids at both ends. */
const CASES: (readonly [number, number])[] = [
  [1, 0],
  [2, 1],
  [6, 3],
  [255, 0],
  [256, 255],
  [257, 0],
  [257, 256],
  [513, 300],
  [65535, 12345],
  [65536, 0],
  [65537, 65536],
  [70001, 256],
  [70001, 69999],
];

/** null when this machine has no Go toolchain: those cases are skipped, visibly. */
const vectors = await goProofVectors(CASES);

function dataFor(vector: GoProofVector): Buffer[] {
  return vector.tiles.map((t) => Buffer.from(t.data));
}

describe('tile paths', () => {
  it('encode the index in 3-digit groups, x-prefixed, and a partial width', () => {
    expect(tilePath({ height: 8, level: 0, index: 0n, width: 256 })).toBe('tile/8/0/000');
    expect(tilePath({ height: 8, level: 0, index: 3n, width: 6 })).toBe('tile/8/0/003.p/6');
    expect(tilePath({ height: 8, level: 2, index: 1234067n, width: 256 })).toBe(
      'tile/8/2/x001/x234/067',
    );
    expect(tilePath({ height: 8, level: 1, index: 1000n, width: 1 })).toBe('tile/8/1/x001/000.p/1');
  });
});

describe.skipIf(vectors === null)('against the go command’s tlog (Go 1.19 vendored x/mod)', () => {
  it.each(CASES)('tree %i, record %i: the tiles Go reads, and they verify', (n, id) => {
    const vector = vectors!.find((v) => v.treeSize === BigInt(n) && v.recordId === BigInt(id))!;
    const plan = planTileProof(BigInt(n), BigInt(id));
    expect(plan.tiles.map(tilePath)).toEqual(vector.tiles.map((t) => t.path));
    expect(() =>
      verifyTileProof(plan, dataFor(vector), vector.root, goRecordText(BigInt(id))),
    ).not.toThrow();
    // Another record at that id is refused with Go's words.
    expect(() =>
      verifyTileProof(plan, dataFor(vector), vector.root, Buffer.from('forged record\n')),
    ).toThrow('cannot authenticate record data in server response');
  });

  it('a corrupted byte in any tile is caught', () => {
    for (const vector of vectors!) {
      const plan = planTileProof(vector.treeSize, vector.recordId);
      for (let t = 0; t < vector.tiles.length; t++) {
        const data = dataFor(vector);
        // Flip a byte of the hash the proof actually reads from this tile: the last one it holds.
        data[t]![data[t]!.length - 1]! ^= 0x01;
        expect(() =>
          verifyTileProof(plan, data, vector.root, goRecordText(vector.recordId)),
        ).toThrow(TlogError);
      }
    }
  });

  it('the tree-head-only plan (a route probed with /latest) is the first tiles of a record plan', () => {
    for (const vector of vectors!) {
      const plan = planTileProof(vector.treeSize, null);
      expect(plan.record).toBeNull();
      const paths = plan.tiles.map(tilePath);
      expect(vector.tiles.slice(0, paths.length).map((t) => t.path)).toEqual(paths);
      expect(() =>
        verifyTileProof(plan, dataFor(vector).slice(0, paths.length), vector.root),
      ).not.toThrow();
    }
  });
});

describe('self-contained (no Go needed)', () => {
  /** A 3-record tree: root = H(H(l0, l1), l2). */
  const leaves = ['a\n', 'b\n', 'c\n'].map((t) => recordHash(Buffer.from(t)));
  const root = nodeHash(nodeHash(leaves[0]!, leaves[1]!), leaves[2]!);
  const tile = Buffer.concat(leaves);

  it('a tree of 3 is one partial tile whose hashes fold into the root', () => {
    const plan = planTileProof(3n, 2n);
    expect(plan.tiles.map(tilePath)).toEqual(['tile/8/0/000.p/3']);
    expect(() => verifyTileProof(plan, [tile], root, Buffer.from('c\n'))).not.toThrow();
    expect(() => verifyTileProof(plan, [tile], root, Buffer.from('x\n'))).toThrow(
      'cannot authenticate record data in server response',
    );
  });

  it('tiles that do not rebuild the signed root are inconsistent; a short tile is named', () => {
    const plan = planTileProof(3n, 0n);
    const other = Buffer.from(tile);
    other[40]! ^= 1;
    expect(() => verifyTileProof(plan, [other], root, Buffer.from('a\n'))).toThrow(
      'downloaded inconsistent tile',
    );
    expect(() => verifyTileProof(plan, [tile.subarray(0, 64)], root, Buffer.from('a\n'))).toThrow(
      'TileReader returned bad result slice (tile/8/0/000.p/3 len=64, want 96)',
    );
  });

  it('a record id outside the tree is refused before any tile is planned', () => {
    expect(() => planTileProof(3n, 3n)).toThrow('cannot validate record 3 in tree of size 3');
  });
});
