import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  SUM_GOLANG_GOOGLE_CN,
  SUM_GOLANG_ORG_KEY,
  directSumdbUrl,
  formatVerifierKey,
  parseGosumdb,
  parseVerifierKey,
  toChecksumDatabase,
} from '../../src/goenv/gosumdb.js';

/** Any Unicode code points, surrogates included (fc.string({ unit: 'binary' }) is slow to generate). */
const anyCodePoints = fc
  .array(fc.integer({ min: 0, max: 0x10ffff }), { maxLength: 24 })
  .map((points) => String.fromCodePoint(...points));

function db(value: string) {
  const result = parseGosumdb(value);
  if (!result.ok) throw new Error(result.error);
  if (result.db.kind !== 'db') throw new Error('off');
  return result.db;
}

describe('parseGosumdb', () => {
  test('sum.golang.org expands to the built-in key (hash 033de0ae, Ed25519)', () => {
    const d = db('sum.golang.org');
    expect(d).toMatchObject({
      name: 'sum.golang.org',
      key: SUM_GOLANG_ORG_KEY,
      keyHash: 0x033de0ae,
      url: null,
      value: 'sum.golang.org',
    });
    expect(d.publicKey).toHaveLength(32);
    expect(directSumdbUrl(d)).toBe('https://sum.golang.org');
  });

  test('the China alias keeps the database name sum.golang.org and pins its host', () => {
    const d = db(SUM_GOLANG_GOOGLE_CN);
    expect(d).toMatchObject({
      name: 'sum.golang.org',
      url: 'https://sum.golang.google.cn',
      value: 'sum.golang.google.cn',
    });
    expect(toChecksumDatabase(d)).toEqual({
      name: 'sum.golang.org',
      key: SUM_GOLANG_ORG_KEY,
      value: 'sum.golang.google.cn',
      explicitUrl: 'https://sum.golang.google.cn',
    });
  });

  test('splits the key on the first two + only (the base64 part contains +)', () => {
    const verifier = parseVerifierKey(SUM_GOLANG_ORG_KEY);
    expect(verifier.name).toBe('sum.golang.org');
    expect(Buffer.from(verifier.publicKey).toString('hex')).toBe(
      Buffer.from('Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8', 'base64')
        .subarray(1)
        .toString('hex'),
    );
  });

  test('explicit URL and canonical spacing', () => {
    expect(db('  sum.golang.org   https://goproxy.cn/sumdb/sum.golang.org ')).toMatchObject({
      url: 'https://goproxy.cn/sumdb/sum.golang.org',
      value: 'sum.golang.org https://goproxy.cn/sumdb/sum.golang.org',
    });
  });

  test('off', () => {
    expect(parseGosumdb('off')).toEqual({ ok: true, db: { kind: 'off', value: 'off' } });
  });

  test.each([
    ['', 'missing GOSUMDB'],
    ['a b c', 'invalid GOSUMDB: too many fields'],
    ['sum.example.com', 'invalid GOSUMDB: malformed verifier id'],
    ['OFF', 'invalid GOSUMDB: malformed verifier id'],
    [`${SUM_GOLANG_ORG_KEY.slice(0, -1)}m`, 'invalid GOSUMDB: invalid verifier hash'],
    ['sum.golang.org %zz', 'invalid GOSUMDB URL: parse "%zz": invalid URL escape "%zz"'],
  ])('%j → %s', (value, error) => {
    expect(parseGosumdb(value)).toEqual({ ok: false, error });
  });

  test('formatVerifierKey produces keys Go-compatible parsing accepts', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    const key = formatVerifierKey('sumdb.corp.example/db', raw);
    expect(db(key)).toMatchObject({ name: 'sumdb.corp.example/db', key });
  });

  test('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          anyCodePoints,
          fc.constantFrom(SUM_GOLANG_ORG_KEY).map((k) => `${k} x`),
        ),
        (value) => {
          const result = parseGosumdb(value);
          expect(typeof result.ok).toBe('boolean');
        },
      ),
      { numRuns: 2000 },
    );
  });
});
