import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  NoteError,
  keyHash,
  openNote,
  parseLookupBody,
  parseVerifierKey,
  recordHashes,
  verifyLatest,
  verifyLookup,
} from '../../src/goenv/note.js';
import { planTileProof, recordHash, tilePath } from '../../src/goenv/tlog.js';

const SUM_GOLANG_ORG = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';

// A real answer of https://sum.golang.org/lookup/github.com/google/uuid@v1.1.1 (go-semantics.md §7.2).
const REAL_LOOKUP = `842
github.com/google/uuid v1.1.1 h1:Gkbcsh/GbpXz7lPftLA3P6TYMwjCLYm83jiFQZF/3gY=
github.com/google/uuid v1.1.1/go.mod h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo=

go.sum database tree
454425
CF4Gdi7ahAx2DQ1icZRlXpgIZ4mMy3FE7ZH+asIYk9Y=

— sum.golang.org Az3grrJsLRs6sNa2gQWy6G6jb/FLI7opFZErrJT1PWmmP4iUdRxoJhMgfmSkirJgj3zj7n3N61yL16+9521wNu12Sgo=
`;

describe('verifier keys', () => {
  it('parses the sum.golang.org key', () => {
    const v = parseVerifierKey(SUM_GOLANG_ORG);
    expect(v.name).toBe('sum.golang.org');
    expect(v.keyHash).toBe(0x033de0ae);
  });

  it.each([
    ['sum.golang.org', 'malformed verifier id'],
    ['sum.golang.org+033de0ae', 'malformed verifier id'],
    [
      'sum.golang.org+033de0a+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8',
      'malformed verifier id',
    ],
    [
      'sum.golang.org+033de0af+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8',
      'invalid verifier hash',
    ],
    [
      'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn9',
      'invalid verifier hash',
    ],
  ])('%s → %s', (key, message) => {
    expect(() => parseVerifierKey(key)).toThrow(message);
  });

  it('rejects an unknown algorithm', () => {
    const key = Buffer.concat([Buffer.from([2]), Buffer.alloc(32, 7)]);
    const id = `db.example+${keyHash('db.example', key).toString(16).padStart(8, '0')}+${key.toString('base64')}`;
    expect(() => parseVerifierKey(id)).toThrow('unknown verifier algorithm');
  });
});

describe('the real sum.golang.org record', () => {
  it('verifies and yields both hashes', () => {
    const v = parseVerifierKey(SUM_GOLANG_ORG);
    const result = verifyLookup(REAL_LOOKUP, v, 'github.com/google/uuid', 'v1.1.1');
    expect(result.mod).toBe('h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo=');
    expect(result.zip).toBe('h1:Gkbcsh/GbpXz7lPftLA3P6TYMwjCLYm83jiFQZF/3gY=');
    expect(result.tree.size).toBe(454425n);
    expect(result.recordId).toBe(842n);
  });

  it('fails when the tree note is tampered with', () => {
    const v = parseVerifierKey(SUM_GOLANG_ORG);
    expect(() =>
      verifyLookup(REAL_LOOKUP.replace('454425', '454426'), v, 'github.com/google/uuid', 'v1.1.1'),
    ).toThrow('invalid signature');
  });

  it('fails for another database key (no verifiable signature)', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const other = vkeyOf(
      'sum.golang.org',
      publicKey.export({ format: 'der', type: 'spki' }).subarray(12),
    );
    expect(() =>
      verifyLookup(REAL_LOOKUP, parseVerifierKey(other), 'github.com/google/uuid', 'v1.1.1'),
    ).toThrow('note has no verifiable signatures');
  });

  it('has no lines for another module', () => {
    const v = parseVerifierKey(SUM_GOLANG_ORG);
    expect(() => verifyLookup(REAL_LOOKUP, v, 'github.com/google/uuid', 'v1.1.2')).toThrow(
      NoteError,
    );
  });

  it('the record text is not covered by the signature (only the tile proof binds it to the tree)', () => {
    const v = parseVerifierKey(SUM_GOLANG_ORG);
    const forged = REAL_LOOKUP.replace('TIyPZe4MgqvfeYDBFedMoGGpEw', 'AAAAAe4MgqvfeYDBFedMoGGpEw');
    expect(verifyLookup(forged, v, 'github.com/google/uuid', 'v1.1.1').mod).toMatch(/^h1:AAAAA/);
  });

  it('yields the record bytes whose leaf hash is the published one, in the level-0 tile 003', () => {
    const v = parseVerifierKey(SUM_GOLANG_ORG);
    const result = verifyLookup(Buffer.from(REAL_LOOKUP), v, 'github.com/google/uuid', 'v1.1.1');
    // go-semantics.md §7.3 step 5: the leaf hash of this record, a leaf of tile/8/0/003.
    expect(recordHash(result.recordText).toString('base64')).toBe(
      'gCGotQKRpCpTloDkBuQHaEaIfNvKFRiwWgilbJLPPm0=',
    );
    const plan = planTileProof(result.tree.size, result.recordId);
    expect(plan.tiles.map(tilePath)).toContain('tile/8/0/003');
    expect(tilePath(plan.tiles[plan.record!.tile]!)).toBe('tile/8/0/003');
  });
});

describe('notes signed here', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
  const vkey = vkeyOf('sum.example.test', raw);
  const verifier = parseVerifierKey(vkey);
  const hash = keyHash('sum.example.test', Buffer.concat([Buffer.from([1]), raw]));
  const signNote = (text: string, name = 'sum.example.test') => {
    const sig = sign(null, Buffer.from(text), privateKey);
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(hash);
    return `${text}\n— ${name} ${Buffer.concat([prefix, sig]).toString('base64')}\n`;
  };
  const root = createHash('sha256').update('root').digest('base64');

  it('round-trips a /latest note', () => {
    const note = signNote(`go.sum database tree\n12\n${root}\n`);
    expect(verifyLatest(note, verifier)).toEqual({ size: 12n, hash: root });
  });

  it('ignores signatures of unknown keys next to a valid one', () => {
    const note = signNote(`go.sum database tree\n12\n${root}\n`);
    const witness = `— witness.example ${Buffer.alloc(68, 1).toString('base64')}\n`;
    expect(openNote(note + witness, verifier).signedBy).toEqual(['sum.example.test']);
  });

  it.each([
    ['no blank line', `go.sum database tree\n12\n${root}\n— x y\n`],
    ['no final newline', `go.sum database tree\n12\n${root}\n\n— sum.example.test AAAA`],
    ['control character', `go.sum database tree\t\n12\n${root}\n\n— sum.example.test AAAAAAAA\n`],
    ['bad signature line', `go.sum database tree\n12\n${root}\n\n- sum.example.test AAAAAAAA\n`],
  ])('malformed: %s', (_name, note) => {
    expect(() => openNote(note, verifier)).toThrow('malformed note');
  });

  it('a record id beyond the tree size is refused', () => {
    const body = `12\nm.test/a v1.0.0 h1:x=\nm.test/a v1.0.0/go.mod h1:y=\n\n${signNote(`go.sum database tree\n12\n${root}\n`)}`;
    expect(() => verifyLookup(body, verifier, 'm.test/a', 'v1.0.0')).toThrow('not in tree');
    const ok = body.replace(/^12\n/, '11\n');
    expect(verifyLookup(ok, verifier, 'm.test/a', 'v1.0.0')).toMatchObject({
      zip: 'h1:x=',
      mod: 'h1:y=',
    });
  });
});

describe('records', () => {
  it('parses id, text and note', () => {
    const r = parseLookupBody(REAL_LOOKUP);
    expect(r.id).toBe(842n);
    expect(r.text.split('\n')).toHaveLength(3);
    expect(r.note.startsWith('go.sum database tree\n')).toBe(true);
  });

  it('keeps only lines of the module version asked for (Client.Lookup prefix rule)', () => {
    const text = 'a.test/m v1.0.0 h1:z=\na.test/m v1.0.0/go.mod h1:m=\na.test/m v1.0.01 h1:bad=\n';
    expect(recordHashes(text, 'a.test/m', 'v1.0.0')).toEqual({ zip: 'h1:z=', mod: 'h1:m=' });
  });

  it.each(['', 'x\n', '842', '842\nno blank line\n', '-1\na b h1:c\n\nnote'])(
    'malformed record %j',
    (body) => {
      expect(() => parseLookupBody(body)).toThrow(NoteError);
    },
  );
});

function vkeyOf(name: string, raw: Uint8Array): string {
  const key = Buffer.concat([Buffer.from([1]), raw]);
  return `${name}+${keyHash(name, key).toString(16).padStart(8, '0')}+${key.toString('base64')}`;
}
