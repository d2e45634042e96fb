/**
 * The loopback cache service, verified with the REAL @actions/cache 6.3 client in this process
 * (v2 protocol: ACTIONS_CACHE_SERVICE_V2, ACTIONS_RESULTS_URL, a runtime token, no
 * GITHUB_SERVER_URL) and the real Azure SDK for the block-upload path.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as cache from '@actions/cache';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CacheServer, absentServiceEnv, startCacheServer } from './cache-server.js';
import { type StdoutCapture, captureStdout, setCacheEnv } from './in-process.js';

let server: CacheServer;
let root: string;
let workspace: string;
let data: string;
let undoEnv: () => void;
let out: StdoutCapture;

beforeAll(async () => {
  server = await startCacheServer({ token: 'runtime-token' });
  root = await mkdtemp(join(tmpdir(), 'gps-cache-server-'));
});

afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

beforeEach(async () => {
  workspace = join(root, `ws-${randomBytes(3).toString('hex')}`);
  data = join(workspace, 'data');
  await mkdir(data, { recursive: true });
  await mkdir(join(root, 'temp'), { recursive: true });
  undoEnv = setCacheEnv({
    ...server.env(),
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: join(root, 'temp'),
  });
  out = captureStdout();
});

afterEach(() => {
  out.restore();
  undoEnv();
});

async function writeData(name: string, bytes: Buffer): Promise<void> {
  await writeFile(join(data, name), bytes);
}

describe('loopback cache service with the real @actions/cache', () => {
  it('round-trips a save and an exact restore byte for byte', async () => {
    const payload = randomBytes(1024 * 1024);
    await writeData('blob.bin', payload);
    const key = `roundtrip-${randomBytes(4).toString('hex')}`;

    const id = await cache.saveCache([data], key);
    expect(id).toBeGreaterThan(0);

    await rm(data, { recursive: true });
    const matched = await cache.restoreCache([data], key);
    expect(matched).toBe(key);
    expect((await readFile(join(data, 'blob.bin'))).equals(payload)).toBe(true);
    expect(out.text()).toContain(`Cache hit for: ${key}`);

    const kinds = server.log.map((entry) => entry.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'CreateCacheEntry',
        'upload',
        'FinalizeCacheEntryUpload',
        'GetCacheEntryDownloadURL',
        'download',
      ]),
    );
    const create = server.log.find((e) => e.kind === 'CreateCacheEntry' && e.status === 200);
    expect(create?.body).toMatchObject({ key, version: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const finalize = server.log.find((e) => e.kind === 'FinalizeCacheEntryUpload');
    expect(finalize?.body).toMatchObject({ key, size_bytes: expect.stringMatching(/^\d+$/) });
  });

  it('refuses a second save of the same key (-1) and keeps one entry', async () => {
    await writeData('a.txt', Buffer.from('first'));
    const key = `dup-${randomBytes(4).toString('hex')}`;
    expect(await cache.saveCache([data], key)).toBeGreaterThan(0);
    expect(await cache.saveCache([data], key)).toBe(-1);
    expect(server.entries().filter((e) => e.key === key)).toHaveLength(1);
    expect(out.commands()).toContainEqual(
      expect.objectContaining({
        command: 'warning',
        message: expect.stringContaining('Cache reservation failed'),
      }),
    );
  });

  it('matches a restore-key prefix, newest entry first', async () => {
    const prefix = `prefix-${randomBytes(4).toString('hex')}-`;
    await writeData('v.txt', Buffer.from('old'));
    await cache.saveCache([data], `${prefix}old`);
    await writeData('v.txt', Buffer.from('new'));
    await cache.saveCache([data], `${prefix}new`);
    await rm(data, { recursive: true });

    const matched = await cache.restoreCache([data], `${prefix}missing`, [prefix]);
    expect(matched).toBe(`${prefix}new`);
    expect(await readFile(join(data, 'v.txt'), 'utf8')).toBe('new');
    expect(out.text()).toContain(`Cache hit for restore-key: ${prefix}new`);
  });

  it('prefers the exact key over a newer entry that merely starts with it', async () => {
    const key = `exact-${randomBytes(4).toString('hex')}`;
    await writeData('v.txt', Buffer.from('exact'));
    await cache.saveCache([data], key);
    await writeData('v.txt', Buffer.from('longer'));
    await cache.saveCache([data], `${key}-longer`);
    await rm(data, { recursive: true });
    expect(await cache.restoreCache([data], key)).toBe(key);
    expect(await readFile(join(data, 'v.txt'), 'utf8')).toBe('exact');
  });

  it('misses when the path strings (and so the version) differ', async () => {
    const key = `version-${randomBytes(4).toString('hex')}`;
    await writeData('v.txt', Buffer.from('x'));
    await cache.saveCache([data], key);
    expect(await cache.restoreCache([`${data}/`], key)).toBeUndefined();
    expect(await cache.restoreCache([data], key)).toBe(key);
  });

  it('rejects a wrong runtime token: the library warns and reports a miss', async () => {
    const key = `token-${randomBytes(4).toString('hex')}`;
    await writeData('v.txt', Buffer.from('x'));
    await cache.saveCache([data], key);
    process.env.ACTIONS_RUNTIME_TOKEN = 'wrong';
    expect(await cache.restoreCache([data], key)).toBeUndefined();
    expect(server.log.at(-1)).toMatchObject({ kind: 'GetCacheEntryDownloadURL', status: 401 });
    expect(out.commands().some((c) => c.command === 'warning')).toBe(true);
  });

  it('answers an absent service with a warning, not an exception', async () => {
    Object.assign(process.env, await absentServiceEnv());
    await writeData('v.txt', Buffer.from('x'));
    expect(await cache.restoreCache([data], 'absent-key')).toBeUndefined();
    expect(await cache.saveCache([data], 'absent-key')).toBe(-1);
    const warnings = out.commands().filter((c) => c.command === 'warning');
    expect(warnings.map((w) => w.message).join('\n')).toMatch(/ECONNREFUSED/);
  });
});

describe('blob block upload with the real Azure SDK', () => {
  it('assembles blocks in block-list order and finalizes with the assembled size', async () => {
    const { BlockBlobClient } = await import('@azure/storage-blob');
    const key = `blocks-${randomBytes(4).toString('hex')}`;
    const twirp = (method: string, body: unknown) =>
      fetch(`${server.url}twirp/github.actions.results.api.v1.CacheService/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<Record<string, unknown>>);

    const created = await twirp('CreateCacheEntry', { key, version: 'v1' });
    expect(created.ok).toBe(true);
    const payload = randomBytes(3 * 1024 * 1024 + 17);
    const client = new BlockBlobClient(String(created.signed_upload_url));
    await client.uploadData(payload, {
      blockSize: 1024 * 1024,
      maxSingleShotSize: 1024 * 1024,
      concurrency: 4,
    });
    const kinds = server.log.filter((e) => e.path.startsWith('/upload/')).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'upload-block')).toHaveLength(4);
    expect(kinds.at(-1)).toBe('upload-blocklist');

    const finalized = await twirp('FinalizeCacheEntryUpload', {
      key,
      version: 'v1',
      size_bytes: String(payload.length),
    });
    expect(finalized).toMatchObject({ ok: true, entry_id: expect.stringMatching(/^\d+$/) });
    const found = await twirp('GetCacheEntryDownloadURL', { key, version: 'v1' });
    const downloaded = Buffer.from(
      await (await fetch(String(found.signed_download_url))).arrayBuffer(),
    );
    expect(downloaded.equals(payload)).toBe(true);
  });
});
