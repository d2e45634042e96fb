/**
 * checkModulePath against the real go command: with GOPROXY=off, `go mod download path@v1.0.0`
 * reports Go's own path error, or (for a valid path) that lookups are disabled.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkModulePath } from '../../src/goenv/modpath.js';
import { isolatedGoEnv, makeTempRoot, runGo } from './go-harness.js';

const PATHS: readonly string[] = [
  'foo',
  'Example.com/x',
  'exa_mple.com/x',
  'example.com//x',
  'example.com/x/',
  'example.com/.x',
  'example.com/x.',
  'example.com/..',
  'example.com/x~1',
  'example.com/x~a',
  'example.com/con',
  'example.com/LPT1.txt',
  'example.com/x y',
  'example.com/x/v1',
  'example.com/x/v2',
  'example.com/x/v0',
  'example.com/x/v2.1',
  'gopkg.in/yaml.v3',
  'gopkg.in/yaml',
  'github.com/Azure/azure-sdk-for-go',
  'golang.org/x/text',
  'example.com/é',
  'example.com/a+b',
  'example.com/a!b',
  'x.y',
  '.x.com/y',
];

describe('module path checks agree with the go command', () => {
  let temp: { root: string; cleanup: () => Promise<void> };
  const runs = new Map<string, ReturnType<typeof runGo>>();

  beforeAll(async () => {
    temp = await makeTempRoot('gps-modpath-');
    PATHS.forEach((path, i) => {
      const env = isolatedGoEnv(temp.root, `p${i}`, { GOPROXY: 'off', GOSUMDB: 'off' });
      runs.set(path, runGo(['mod', 'download', `${path}@v1.0.0`], env, temp.root));
    });
  });
  afterAll(async () => {
    await Promise.allSettled(runs.values());
    await temp?.cleanup();
  });

  test.each(PATHS)('%j', async (path) => {
    const run = await runs.get(path)!;
    const ours = checkModulePath(path);
    if (ours === null) expect(run.stderr).toContain('module lookup disabled by GOPROXY=off');
    else expect(run.stderr).toContain(`${path}@v1.0.0: ${ours}\n`);
  });
});
