/**
 * parseGoproxy against the real go command: for every value, `go mod download` either fails with
 * exactly our error text before any request, or walks the list exactly as our entries predict
 * (which proxies it asks, in which order, where `,` stops and `|` falls through, that nothing
 * after `direct`/`off` is asked, and the URL it built for an implicit `https://`).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type GoproxyEntry, fallsThrough, parseGoproxy } from '../../src/goenv/goproxy.js';
import {
  type ModuleProxy,
  isolatedGoEnv,
  makeTempRoot,
  runGo,
  startModuleProxy,
} from './go-harness.js';

/** `{S}` is replaced by this run's loopback base (`http://127.0.0.1:<port>/<token>`). */
const VALUES: readonly string[] = [
  '{S}/ok',
  '{S}/404,{S}/ok',
  '{S}/404,{S}/410,{S}/ok',
  '{S}/403,{S}/ok',
  '{S}/403|{S}/ok',
  '{S}/500|{S}/ok',
  '{S}/500,{S}/ok',
  '  {S}/404 ,  {S}/ok  ',
  ',,{S}/ok,,',
  '{S}/404|{S}/403,{S}/ok',
  '{S}/403 | {S}/ok',
  '{S}/404,direct',
  '{S}/404,off',
  'direct,{S}/dead',
  'off,{S}/dead',
  'direct|{S}/dead,{S}/dead',
  ' off ',
  'off',
  'direct',
  '{S}/ok|direct',
  '{S}/410|off',
  '{S}/ok,,direct',
  '{S}/ok|',
  '|{S}/ok',
  '{S}/404?x=1,{S}/ok',
  'ftp://x',
  'foo',
  'noproxy',
  'Direct',
  ',',
  '  ',
  '%zz',
  'http://[::1',
  'http://a b',
  'file://host/x',
  'file:/srv/p',
  'http://u:p@x:bad/',
  ':/x',
  'x:y',
  '/srv/proxy',
  'mailto:x',
  '{S}/404,ftp://x',
  'direct,ftp://x',
  'example.org/p',
  'example.org:8443',
  'https://example.org/p/',
  'https://proxy.golang.org,direct',
  '{S}/404,example.org/p,{S}/ok',
  'HTTP://127.0.0.1:{PORT}/{TOKEN}/ok',
  'file:///nonexistent-go-proxy-setup,{S}/ok',
  'file:///nonexistent-go-proxy-setup',
];

const MODULE = 'example.com/hello';
const INFO = `/${MODULE}/@v/v1.0.0.info`;

interface Prediction {
  /** Loopback routes Go asks for .info, in order. */
  readonly routes: readonly string[];
  readonly succeeds: boolean;
  /** When the walk stops at a non-loopback URL entry: the request URL Go's error names. */
  readonly externalUrl: string | null;
}

/** Walks the entries with the documented fallback rules against the routes' known behaviour. */
function predictWalk(entries: readonly GoproxyEntry[], origin: string): Prediction {
  const routes: string[] = [];
  for (const entry of entries) {
    if (entry.kind !== 'url') return { routes, succeeds: false, externalUrl: null };
    const loopback = entry.url.toLowerCase().startsWith(origin);
    if (entry.url.startsWith('file:')) {
      // A missing directory is fs.ErrNotExist: "not found", falls through like 404.
      if (fallsThrough(entry, 'not-found')) continue;
      return { routes, succeeds: false, externalUrl: null };
    }
    if (!loopback) {
      const requestUrl = `${entry.url.replace(/\/$/, '')}${INFO}`;
      if (fallsThrough(entry, 'terminal')) continue;
      return { routes, succeeds: false, externalUrl: requestUrl };
    }
    const route = new URL(entry.url).pathname.split('/')[2]!;
    routes.push(route);
    if (route === 'ok') return { routes, succeeds: true, externalUrl: null };
    const failure = route === '404' || route === '410' ? 'not-found' : 'terminal';
    if (!fallsThrough(entry, failure)) return { routes, succeeds: false, externalUrl: null };
  }
  return { routes, succeeds: false, externalUrl: null };
}

const CONFIG_ERRORS = [
  'invalid proxy URL',
  'GOPROXY list is not the empty string',
  'parse "',
  'invalid file://',
];

describe('GOPROXY parsing agrees with the go command', () => {
  let proxy: ModuleProxy;
  let temp: { root: string; cleanup: () => Promise<void> };
  const results = new Map<
    string,
    Promise<{ value: string; token: string; run: Awaited<ReturnType<typeof runGo>> }>
  >();

  beforeAll(async () => {
    proxy = await startModuleProxy();
    temp = await makeTempRoot('gps-goproxy-');
    // Start every go run now (two at a time); each test awaits its own.
    for (const template of VALUES) {
      const token = proxy.newToken();
      const value = template
        .replaceAll('{S}', `${proxy.origin}/${token}`)
        .replaceAll('{PORT}', String(proxy.port))
        .replaceAll('{TOKEN}', token);
      const env = isolatedGoEnv(temp.root, token, { GOPROXY: value, GOSUMDB: 'off' });
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
    expect(VALUES.length).toBeGreaterThanOrEqual(40);
  });

  test.each(VALUES)('%j', async (template) => {
    const { value, token, run } = await results.get(template)!;
    const ours = parseGoproxy(value);
    const asked = proxy.requests(token);

    if (ours.error !== null) {
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(`${MODULE}@v1.0.0: ${ours.error}\n`);
      expect(asked).toEqual([]);
      return;
    }

    for (const marker of CONFIG_ERRORS) expect(run.stderr).not.toContain(marker);
    const prediction = predictWalk(ours.entries, proxy.origin);
    const infoRoutes = asked.filter((r) => r.rest === INFO).map((r) => r.route);
    expect(infoRoutes).toEqual(prediction.routes);
    expect(run.code === 0).toBe(prediction.succeeds);
    expect(asked.some((r) => r.route === 'dead')).toBe(false);
    if (prediction.externalUrl !== null)
      expect(run.stderr).toContain(`Get "${prediction.externalUrl}"`);
    const last = ours.entries.at(-1)!;
    if (
      !prediction.succeeds &&
      last.kind === 'off' &&
      prediction.routes.every((r) => r === '404' || r === '410')
    ) {
      expect(run.stderr).toContain('module lookup disabled by GOPROXY=off');
    }
  });
});
