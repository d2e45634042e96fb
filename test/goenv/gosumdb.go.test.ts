/**
 * parseGosumdb against the real go command: a download that needs a checksum lookup either fails
 * with exactly our error text, or asks for the lookup under the database name and URL we derived
 * (through the proxy's /sumdb/<name>/ when no URL is given, straight to the URL otherwise).
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  SUM_GOLANG_ORG_KEY,
  formatVerifierKey,
  keyHash,
  parseGosumdb,
} from '../../src/goenv/gosumdb.js';
import {
  type ModuleProxy,
  isolatedGoEnv,
  makeTempRoot,
  runGo,
  startModuleProxy,
} from './go-harness.js';

const MODULE = 'example.com/hello';
const LOOKUP = `/lookup/${MODULE}@v1.0.0`;

function ed25519PublicKey(): Buffer {
  const { publicKey } = generateKeyPairSync('ed25519');
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
}

/** A verifier key with a correct hash over arbitrary key bytes (for algorithm and length errors). */
function keyWithBytes(name: string, keyBytes: Buffer): string {
  return `${name}+${keyHash(name, keyBytes).toString(16).padStart(8, '0')}+${keyBytes.toString('base64')}`;
}

const pub = ed25519PublicKey();
const customKey = formatVerifierKey('sum.example.com', pub);
const [customName, customHash, customB64] = [
  customKey.split('+')[0]!,
  customKey.split('+')[1]!,
  customKey.split('+').slice(2).join('+'),
];
const lastChar = SUM_GOLANG_ORG_KEY.at(-1) === 'n' ? 'm' : 'n';

/** `{S}` is replaced by this run's loopback base. */
const VALUES: readonly string[] = [
  'sum.golang.org',
  'sum.golang.google.cn',
  'off',
  '   ',
  'a b c',
  'sum.example.com',
  'gosum.io',
  'SUM.GOLANG.ORG',
  'sum.golang.google.cn https://sum.golang.google.cn',
  SUM_GOLANG_ORG_KEY,
  `${SUM_GOLANG_ORG_KEY.slice(0, -1)}${lastChar}`,
  'sum.golang.org+033de0ae',
  'sum.golang.org+033de0a+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8',
  customKey,
  `${customName}+${customHash.toUpperCase()}+${customB64}`,
  `${customKey}=`,
  formatVerifierKey('example.com/sumdb', pub),
  formatVerifierKey('Example.COM', pub),
  formatVerifierKey('example.com/', pub),
  formatVerifierKey('example.com?x=1', pub),
  formatVerifierKey('https://example.com', pub),
  formatVerifierKey('user@example.com', pub),
  keyWithBytes('sum.example.com', Buffer.concat([Buffer.from([2]), pub])),
  keyWithBytes('sum.example.com', Buffer.concat([Buffer.from([1]), pub.subarray(1)])),
  'sum.golang.org {S}/sdb',
  `  ${customKey}   {S}/sdb  `,
  'sum.golang.org %zz',
  'sum.golang.org https://sum.golang.google.cn',
  `${customKey} {S}/sdb extra`,
];

describe('GOSUMDB parsing agrees with the go command', () => {
  let proxy: ModuleProxy;
  let temp: { root: string; cleanup: () => Promise<void> };
  const results = new Map<
    string,
    Promise<{ value: string; token: string; run: Awaited<ReturnType<typeof runGo>> }>
  >();

  beforeAll(async () => {
    proxy = await startModuleProxy();
    temp = await makeTempRoot('gps-gosumdb-');
    for (const template of VALUES) {
      const token = proxy.newToken();
      const value = template.replaceAll('{S}', `${proxy.origin}/${token}`);
      const env = isolatedGoEnv(temp.root, token, {
        GOPROXY: `${proxy.origin}/${token}/ok`,
        GOSUMDB: value,
      });
      results.set(
        template,
        runGo(['mod', 'download', `${MODULE}@v1.0.0`], env, temp.root).then((run) => ({
          value,
          token,
          run,
        })),
      );
    }
  });

  afterAll(async () => {
    await Promise.allSettled(results.values());
    await proxy?.close();
    await temp?.cleanup();
  });

  test('the table is large enough', () => {
    expect(VALUES.length).toBeGreaterThanOrEqual(15);
  });

  test.each(VALUES)('%j', async (template) => {
    const { value, token, run } = await results.get(template)!;
    const ours = parseGosumdb(value);
    const asked = proxy.requests(token);
    const sumdbRequests = asked.filter((r) => r.rest.startsWith('/sumdb/') || r.route === 'sdb');

    if (!ours.ok) {
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(`: ${ours.error}\n`);
      expect(sumdbRequests).toEqual([]);
      return;
    }
    const { db } = ours;
    if (db.kind === 'off') {
      expect(run.code).toBe(0);
      expect(sumdbRequests).toEqual([]);
      return;
    }
    expect(run.code).not.toBe(0); // lookups answer 404 on purpose
    expect(run.stderr).not.toMatch(/invalid GOSUMDB|missing GOSUMDB|invalid sumdb name/);
    if (db.url === null) {
      // No URL: Go asks the proxy whether it relays the database, under our name.
      expect(sumdbRequests.map((r) => r.rest)).toEqual([
        `/sumdb/${db.name}/supported`,
        `/sumdb/${db.name}${LOOKUP}`,
      ]);
    } else if (db.url.startsWith(proxy.origin)) {
      expect(sumdbRequests.map((r) => `${r.route}${r.rest}`)).toEqual([`sdb${LOOKUP}`]);
    } else {
      expect(sumdbRequests).toEqual([]);
      expect(run.stderr).toContain(`${db.url}${LOOKUP}`);
    }
  });
});
