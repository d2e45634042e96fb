// test/release/e2e-check.mjs is what e2e.yml asserts on real runners; it can only be trusted if
// it passes on a correct result and fails on each way a result can be wrong. The go-env check
// asks the real go binary.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const script = join(import.meta.dirname, 'e2e-check.mjs');
const version = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
).version;

const GOPROXY = 'https://proxy.golang.org|https://goproxy.io,direct';
const GOSUMDB = 'sum.golang.org';

function report(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    schemaVersion: 1,
    tool: { name: 'go-proxy-setup', version },
    routeFound: true,
    settings: { GOPROXY, GOSUMDB, GOPRIVATE: '', GONOPROXY: '', GONOSUMDB: '' },
    mirrors: [{ url: 'https://proxy.golang.org', verdict: 'chosen', rank: 1 }],
    ...overrides,
  });
}

function goodEnv(): Record<string, string> {
  return {
    GOPROXY,
    GOSUMDB,
    OUT_GOPROXY: GOPROXY,
    OUT_GOSUMDB: GOSUMDB,
    OUT_FASTEST_MIRROR: 'https://proxy.golang.org',
    OUT_FASTEST_LATENCY_MS: '42',
    OUT_REPORT: report(),
    OUT_CACHE_HIT: 'false',
    EXPECT_CACHE_HIT: 'any',
  };
}

function runCheck(env: Record<string, string | undefined>): {
  status: number | null;
  output: string;
} {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  const result = spawnSync(process.execPath, [script], {
    env: { ...base, ...env },
    encoding: 'utf8',
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('e2e-check.mjs', () => {
  it('passes on a correct result, including what the real go command sees', () => {
    const result = runCheck({ ...goodEnv(), CHECK_GO_ENV: 'true' });
    expect(result.output).toContain('e2e check passed');
    expect(result.status).toBe(0);
  });

  it('accepts a chain that ends with direct and has no | fallbacks', () => {
    const chain = 'https://goproxy.cn,direct';
    const settings = { GOPROXY: chain, GOSUMDB };
    const env = {
      ...goodEnv(),
      GOPROXY: chain,
      OUT_GOPROXY: chain,
      OUT_REPORT: report({ settings }),
    };
    expect(runCheck(env).status).toBe(0);
  });

  it.each([
    ['GOPROXY not written', { GOPROXY: '' }, 'GOPROXY is empty'],
    [
      'a chain with no fallback',
      { GOPROXY: 'https://a.example', OUT_GOPROXY: 'https://a.example' },
      'neither contains "|" nor ends with "direct"',
    ],
    ['GOSUMDB switched off', { GOSUMDB: 'off', OUT_GOSUMDB: 'off' }, 'GOSUMDB is "off"'],
    [
      'output differs from the environment',
      { OUT_GOPROXY: 'https://other.example,direct' },
      'output goproxy',
    ],
    ['missing output', { OUT_FASTEST_MIRROR: '' }, 'OUT_FASTEST_MIRROR is empty'],
    [
      'credentials in the fastest mirror',
      { OUT_FASTEST_MIRROR: 'https://user:secret@mirror.example' },
      'carries credentials',
    ],
    ['latency not a number', { OUT_FASTEST_LATENCY_MS: 'fast' }, 'fastest-latency-ms'],
    ['cache-hit not a boolean', { OUT_CACHE_HIT: 'yes' }, 'neither "true" nor "false"'],
    ['no cache hit where one is required', { EXPECT_CACHE_HIT: 'true' }, 'expected "true"'],
    ['report not JSON', { OUT_REPORT: '{"schemaVersion":' }, 'output report is not JSON'],
    [
      'report without schema version',
      { OUT_REPORT: report({ schemaVersion: undefined }) },
      'report.schemaVersion',
    ],
    [
      'report of another version',
      { OUT_REPORT: report({ tool: { name: 'go-proxy-setup', version: '0.0.1' } }) },
      'report.tool.version',
    ],
    ['report without a route', { OUT_REPORT: report({ routeFound: false }) }, 'report.routeFound'],
    [
      'report with other settings',
      { OUT_REPORT: report({ settings: { GOPROXY: 'direct', GOSUMDB } }) },
      'report.settings.GOPROXY',
    ],
  ])('fails on %s', (_label, overrides, message) => {
    const result = runCheck({ ...goodEnv(), ...overrides });
    expect(result.status).toBe(1);
    expect(result.output).toContain(message);
  });
});
