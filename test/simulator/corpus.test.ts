import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hash1 } from '../../src/goenv/dirhash.js';
import {
  BIG,
  BIG_BLOB_BYTES,
  HELLO,
  PRERELEASE,
  PRIVATE_MODULE,
  UPPER,
  buildCorpus,
} from './corpus.js';
import { createNoteSigner, parseVerifierKey, verifyNote } from './note.js';
import { compareVersions, latestVersion } from './semver.js';
import { ChecksumDatabase, recordText } from './sumdb.js';
import { MerkleLog, nodeHash, parseTilePath, recordHash, tilePath } from './tlog.js';
import { readZip } from './zip.js';

const corpus = buildCorpus();

describe('corpus', () => {
  it('matches the go.sum test vectors of go-semantics.md §7.1 (computed by go1.19)', () => {
    expect(corpus.get(HELLO, 'v1.0.0')!.zipHash).toBe(
      'h1:LoG8+JKYhYPV1zwBRARUDxbnvGii3HXuE/XaLADKBxk=',
    );
    expect(corpus.get(HELLO, 'v1.0.0')!.modHash).toBe(
      'h1:fpu2YBs8Cn+uPELS7pdczZmF9hlK1PibTkwahffYMfo=',
    );
    const upper = corpus.get(UPPER, 'v1.0.0')!;
    expect(upper.escapedPath).toBe('example.com/!upper');
    expect(upper.modHash).toBe('h1:DoiNrfkShlR93D+1C433k40AMu0o6n/IymMdaPGjvQI=');
    expect(upper.zipHash).toBe('h1:/XgJ5pIM+STa6HtfroMM2mM1A5tzlMdWibarfLMLBGU=');
  });

  it('builds zips whose entries carry the unescaped <path>@<version>/ prefix and hash to zipHash', () => {
    for (const m of corpus.modules) {
      const entries = readZip(m.zip);
      expect(entries.length).toBeGreaterThan(0);
      for (const e of entries) expect(e.name.startsWith(`${m.path}@${m.version}/`)).toBe(true);
      expect(hash1(entries)).toBe(m.zipHash);
      expect(JSON.parse(m.info)).toEqual({ Version: m.version, Time: m.time });
    }
  });

  it('is deterministic', () => {
    const again = buildCorpus();
    for (const [i, m] of corpus.modules.entries()) {
      expect(again.modules[i]!.zip.equals(m.zip)).toBe(true);
      expect(again.modules[i]!.zipHash).toBe(m.zipHash);
    }
  });

  it('has a pre-release with an escaped version, a ~300 KB incompressible module and a private one', () => {
    expect(corpus.versions(PRERELEASE)).toEqual(['v0.9.0', 'v1.0.0-RC1']);
    expect(corpus.get(PRERELEASE, 'v1.0.0-RC1')!.escapedVersion).toBe('v1.0.0-!r!c1');
    expect(corpus.latest(PRERELEASE)!.version).toBe('v0.9.0');
    const big = corpus.get(BIG, 'v1.0.0')!;
    expect(big.zip.length).toBeGreaterThan(BIG_BLOB_BYTES);
    expect(big.zip.length).toBeLessThan(BIG_BLOB_BYTES + 4096);
    expect(corpus.get(PRIVATE_MODULE, 'v1.0.0')!.private).toBe(true);
    expect(corpus.publicModules().some((m) => m.path === PRIVATE_MODULE)).toBe(false);
  });

  it('orders versions like semver', () => {
    const sorted = [
      'v1.0.0',
      'v1.0.0-rc.1',
      'v1.0.0-RC1',
      'v0.9.0',
      'v1.0.0-alpha',
      'v1.0.0-alpha.1',
      'v1.10.0',
      'v1.2.0',
    ].sort(compareVersions);
    expect(sorted).toEqual([
      'v0.9.0',
      'v1.0.0-RC1',
      'v1.0.0-alpha',
      'v1.0.0-alpha.1',
      'v1.0.0-rc.1',
      'v1.0.0',
      'v1.2.0',
      'v1.10.0',
    ]);
    expect(latestVersion(['v1.0.0-rc.1', 'v0.1.0'])).toBe('v0.1.0');
    expect(latestVersion(['v1.0.0-rc.1'])).toBe('v1.0.0-rc.1');
  });
});

/** RFC 6962 MTH, written the obvious recursive way, to check MerkleLog against. */
function naiveTreeHash(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 1) return recordHash(leaves[0]!);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(naiveTreeHash(leaves.slice(0, k)), naiveTreeHash(leaves.slice(k)));
}

describe('transparency log', () => {
  const records = (n: number): Buffer[] =>
    Array.from({ length: n }, (_, i) => Buffer.from(`record ${i}\n`));

  it('computes RFC 6962 tree hashes for every size', () => {
    for (let n = 1; n <= 20; n++) {
      expect(new MerkleLog(records(n)).treeHash().toString('hex')).toBe(
        naiveTreeHash(records(n)).toString('hex'),
      );
    }
  });

  it('formats and parses tile paths like golang.org/x/mod/sumdb/tlog', () => {
    const cases: Array<[Parameters<typeof tilePath>[0], string]> = [
      [{ height: 8, level: 0, index: 0, width: 256 }, 'tile/8/0/000'],
      [{ height: 8, level: 0, index: 0, width: 5 }, 'tile/8/0/000.p/5'],
      [{ height: 8, level: 1, index: 1234567, width: 256 }, 'tile/8/1/x001/x234/567'],
      [{ height: 8, level: -1, index: 3, width: 2 }, 'tile/8/data/003.p/2'],
    ];
    for (const [tile, path] of cases) {
      expect(tilePath(tile)).toBe(path);
      expect(parseTilePath(path)).toEqual(tile);
    }
    for (const bad of [
      'tile/8/0/0',
      'tile/8/0/000.p/256',
      'tile/8/0/x000/001',
      'tile/8/0/1000',
      'tile/08/0/000',
      'tiles/8/0/000',
    ]) {
      expect(parseTilePath(bad)).toBeUndefined();
    }
  });

  it('serves hash tiles and data tiles only for what the log holds', () => {
    const log = new MerkleLog(records(300));
    const level0 = log.tile({ height: 8, level: 0, index: 0, width: 256 })!;
    expect(level0.subarray(0, 32).equals(recordHash(records(1)[0]!))).toBe(true);
    const level1 = log.tile({ height: 8, level: 1, index: 0, width: 1 })!;
    expect(level1.equals(naiveTreeHash(records(256)))).toBe(true);
    expect(log.tile({ height: 8, level: 0, index: 1, width: 44 })).toHaveLength(44 * 32);
    expect(log.tile({ height: 8, level: 0, index: 1, width: 45 })).toBeUndefined();
    expect(log.tile({ height: 8, level: 1, index: 0, width: 2 })).toBeUndefined();
    expect(log.tile({ height: 8, level: -1, index: 1, width: 2 })!.toString()).toBe(
      '256\nrecord 256\n\n257\nrecord 257\n\n',
    );
  });
});

describe('signed notes', () => {
  it('verifies the real sum.golang.org note of go-semantics.md §7.2', () => {
    const vkey = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';
    const note =
      'go.sum database tree\n454425\nCF4Gdi7ahAx2DQ1icZRlXpgIZ4mMy3FE7ZH+asIYk9Y=\n\n' +
      '— sum.golang.org Az3grrJsLRs6sNa2gQWy6G6jb/FLI7opFZErrJT1PWmmP4iUdRxoJhMgfmSkirJgj3zj7n3N61yL16+9521wNu12Sgo=\n';
    expect(parseVerifierKey(vkey).hash).toBe(0x033de0ae);
    expect(verifyNote(note, vkey)).toBe(
      'go.sum database tree\n454425\nCF4Gdi7ahAx2DQ1icZRlXpgIZ4mMy3FE7ZH+asIYk9Y=\n',
    );
    expect(() => verifyNote(note.replace('454425', '454426'), vkey)).toThrow(/invalid signature/);
  });

  it('signs with a key whose hash is computed as Go does', () => {
    const signer = createNoteSigner('127.0.0.1:1234', 'seed');
    const [name, hash, key] = [
      signer.vkey.split('+')[0],
      signer.vkey.split('+')[1],
      signer.vkey.split('+').slice(2).join('+'),
    ];
    expect(name).toBe('127.0.0.1:1234');
    const keyBytes = Buffer.from(key!, 'base64');
    expect(keyBytes).toHaveLength(33);
    expect(keyBytes[0]).toBe(1);
    const expected = createHash('sha256')
      .update('127.0.0.1:1234\n')
      .update(keyBytes)
      .digest()
      .readUInt32BE(0);
    expect(hash).toBe(expected.toString(16).padStart(8, '0'));
    expect(verifyNote(signer.sign('hello\n'), signer.vkey)).toBe('hello\n');
    expect(() =>
      verifyNote(signer.sign('hello\n'), createNoteSigner('127.0.0.1:1234', 'other').vkey),
    ).toThrow();
  });

  it('builds a database whose tree head covers one record per public module version', () => {
    const db = new ChecksumDatabase('127.0.0.1:9', corpus);
    expect(db.log.size).toBe(corpus.publicModules().length);
    const text = verifyNote(db.signedTree, db.vkey);
    expect(text).toBe(
      `go.sum database tree\n${db.log.size}\n${db.log.treeHash().toString('base64')}\n`,
    );
    const lookup = db.serve('/lookup/example.com/!upper@v1.0.0');
    expect(lookup.status).toBe(200);
    const id = db.recordId(UPPER, 'v1.0.0')!;
    expect(lookup.body.toString()).toBe(
      `${id}\n${recordText(corpus.get(UPPER, 'v1.0.0')!)}\n${db.signedTree}`,
    );
    expect(db.serve(`/lookup/${PRIVATE_MODULE}@v1.0.0`).status).toBe(404);
    expect(db.serve('/lookup/example.com/hello@latest').status).toBe(400);
    expect(db.serve(`/tile/8/0/000.p/${db.log.size}`).body).toHaveLength(32 * db.log.size);
    expect(db.serve(`/tile/8/0/000.p/${db.log.size + 1}`).status).toBe(404);
  });
});
