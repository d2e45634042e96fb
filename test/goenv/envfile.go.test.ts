/**
 * updateEnvFile against the real `go env -w` / `go env -u`: same starting file, same arguments,
 * byte-identical result.
 */
import { readFile, writeFile } from 'node:fs/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { updateEnvFile } from '../../src/goenv/envfile.js';
import { isolatedGoEnv, makeTempRoot, runGo } from './go-harness.js';

interface Case {
  readonly start: string | null;
  readonly add?: Readonly<Record<string, string>>;
  readonly del?: readonly string[];
}

const CASES: readonly Case[] = [
  { start: null, add: { GOPROXY: 'https://goproxy.cn,direct', GOSUMDB: 'sum.golang.google.cn' } },
  {
    start: '# comment\nGOPROXY=a\nlowercase=1\nGOSUMDB=off\nGOPROXY=b\n\nbad line\nGOPRIVATE=x=y\n',
    add: { GONOSUMDB: 'z', GOPROXY: 'c' },
  },
  { start: 'GOSUMDB=off', add: { GOPROXY: 'x' } },
  {
    start: 'GOPROXY=a\r\nGOSUMDB=b\r\n',
    add: { GOSUMDB: 'sum.golang.org https://goproxy.cn/sumdb/sum.golang.org' },
  },
  {
    start: '=x\nA#B=1\n  GONOSUMDB=z\nZZZ=1\nGOPROXY=a\n',
    add: { GOPRIVATE: 'corp.com', GOPROXY: 'b' },
  },
  { start: 'GOPROXY=a\n# keep\nGOPROXY=b\nGOPRIVATE=p\n', del: ['GOPROXY'] },
  { start: 'GOPROXY=\nGOSUMDB=off\n', del: ['GOPROXY', 'GOSUMDB'] },
  { start: 'GOPRIVATE=a\n', del: ['GONOSUMDB'] },
  { start: '', add: { GOINSECURE: 'x.corp', GOFLAGS: '-mod=mod', GONOPROXY: 'none' } },
];

const LINES = [
  'GOPROXY=a',
  'GOSUMDB=off',
  'lowercase=1',
  '# c',
  '',
  'bad line',
  '=x',
  'A#B=1',
  'GOPRIVATE=x=y',
  'GOPROXY=b\r',
  '  GONOSUMDB=z',
  'ZZZ=1',
  'GONOPROXY=n',
];
const KEYS = ['GOPROXY', 'GOSUMDB', 'GOPRIVATE', 'GONOSUMDB', 'GONOPROXY', 'GOINSECURE'];

const randomCases: Case[] = fc
  .sample(
    fc.record({
      lines: fc.array(fc.constantFrom(...LINES), { maxLength: 8 }),
      finalNewline: fc.boolean(),
      add: fc.dictionary(
        fc.constantFrom(...KEYS),
        fc.constantFrom('v1', 'v2', 'x=y', 'https://a.example|direct'),
      ),
    }),
    { numRuns: 20, seed: 42 },
  )
  .map(({ lines, finalNewline, add }) => ({
    start: lines.join('\n') + (finalNewline && lines.length > 0 ? '\n' : ''),
    add: Object.keys(add).length > 0 ? add : { GOPROXY: 'z' },
  }));

describe('updateEnvFile is byte-identical to go env -w / -u', () => {
  let temp: { root: string; cleanup: () => Promise<void> };
  const all = [...CASES, ...randomCases];
  const results = new Map<number, Promise<{ code: number | null; stderr: string; text: string }>>();

  beforeAll(async () => {
    temp = await makeTempRoot('gps-envfile-');
    all.forEach((c, i) => {
      results.set(
        i,
        (async () => {
          const env = isolatedGoEnv(temp.root, `e${i}`, { GOFLAGS: '' });
          if (c.start !== null) await writeFile(env.GOENV!, c.start);
          const args = c.del
            ? ['env', '-u', ...c.del]
            : ['env', '-w', ...Object.entries(c.add!).map(([k, v]) => `${k}=${v}`)];
          const run = await runGo(args, env, temp.root);
          const text = await readFile(env.GOENV!, 'utf8').catch(() => '<missing>');
          return { code: run.code, stderr: run.stderr, text };
        })(),
      );
    });
  });
  afterAll(async () => {
    await Promise.allSettled(results.values());
    await temp?.cleanup();
  });

  test.each(all.map((c, i) => [i, c] as const))('case %i %j', async (i, c) => {
    const go = await results.get(i)!;
    expect(go.stderr).toBe('');
    expect(go.code).toBe(0);
    expect(updateEnvFile(c.start ?? '', c.add ?? {}, c.del ?? [])).toBe(go.text);
  });
});
