/**
 * walkSumdbRoute against the real go command. Loopback proxies `/s<code>` serve a module and answer
 * <code> on `/sumdb/<db>/supported`; the checksum database is a custom one named after a loopback
 * TCP port, so a direct lookup is observable as a connection there. For each GOPROXY chain the
 * route Go takes (relay lookup, direct connection, or neither = broken) must be the one predicted.
 */
import { execFile, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatVerifierKey } from '../../src/goenv/gosumdb.js';
import { walkSumdbRoute } from '../../src/select/gosumdb.js';
import type { ChainEntry } from '../../src/select/types.js';
import { checkGosumdb } from '../../src/select/validate.js';
import { mirror } from './fixtures.js';

const hasGo = spawnSync('go', ['version'], { encoding: 'utf8' }).status === 0;

const MODULE_PATH = 'mod.invalid/hello';
const ZIP = buildZip([
  [`${MODULE_PATH}@v1.0.0/go.mod`, `module ${MODULE_PATH}\n`],
  [`${MODULE_PATH}@v1.0.0/hello.go`, 'package hello\n'],
]);

/** Chains as `s404|s200|direct`; expected: `s<code>` (relay), `direct`, or `broken`. */
const CASES: readonly [string, string][] = [
  ['s404|s200|direct', 's200'],
  ['s500|off', 'broken'],
  ['s404|s500|off', 'broken'],
  ['s500|direct', 'direct'],
  ['s500,s200,direct', 'broken'],
  ['s410,s200', 's200'],
  ['s404|off', 'direct'],
  ['s403|s404|direct', 'direct'],
  ['s404,s410,direct', 'direct'],
  ['s403,direct', 'broken'],
  ['s500|s200|off', 's200'],
  ['s404', 'direct'],
  ['s500', 'broken'],
];

describe.skipIf(!hasGo)('walkSumdbRoute matches the go command', () => {
  const requests: string[] = [];
  let directConnections = 0;
  let proxy: http.Server;
  let database: net.Server;
  let proxyBase = '';
  let dbName = '';
  let dbKey = '';

  beforeAll(async () => {
    proxy = http.createServer((req, res) => {
      const url = req.url ?? '';
      requests.push(url);
      const match = /^\/s(\d+)(\/.*)$/.exec(url);
      const rest = match?.[2] ?? '';
      if (match && rest.endsWith('/supported')) {
        res.writeHead(Number(match[1]), { 'content-type': 'text/plain' }).end('supported\n');
      } else if (rest.startsWith('/sumdb/')) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('relay reached\n');
      } else if (rest === `/${MODULE_PATH}/@v/v1.0.0.info`) {
        res.writeHead(200).end('{"Version":"v1.0.0","Time":"2020-01-01T00:00:00Z"}');
      } else if (rest === `/${MODULE_PATH}/@v/v1.0.0.mod`) {
        res.writeHead(200).end(`module ${MODULE_PATH}\n`);
      } else if (rest === `/${MODULE_PATH}/@v/v1.0.0.zip`) {
        res.writeHead(200).end(ZIP);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      }
    });
    database = net.createServer((socket) => {
      directConnections++;
      socket.destroy();
    });
    await Promise.all([listen(proxy), listen(database)]);
    proxyBase = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    dbName = `127.0.0.1:${(database.address() as net.AddressInfo).port}`;
    const { publicKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    dbKey = formatVerifierKey(dbName, raw);
  });

  afterAll(async () => {
    await Promise.all([close(proxy), close(database)]);
  });

  for (const [spec, expected] of CASES) {
    it(`${spec} → ${expected}`, async () => {
      const chain = chainOf(spec, proxyBase);
      const walk = walkSumdbRoute(chain, dbName);
      const predicted =
        walk.route === null
          ? 'broken'
          : walk.via === 'direct'
            ? 'direct'
            : walk.entry!.display.slice(proxyBase.length + 1);
      expect(predicted).toBe(expected);

      const observed = await runGo(
        spec.replaceAll(/s\d+/g, (s) => `${proxyBase}/${s}`),
        dbKey,
      );
      expect(observed, `go output:\n${observed.output}`).toMatchObject({ route: expected });
      if (expected === 'broken') {
        // Positive evidence, not just silence: Go names the /supported answer that stopped it.
        expect(observed.output).toMatch(
          /verifying go\.mod: .*reading http:\/\/127\.0\.0\.1:\d+\/s\d+\/sumdb\/[^ ]+\/supported: \d{3} /,
        );
      }
    });
  }

  // The values chooseGosumdb writes when Go's walk would land on a relay clearly slower than the
  // database itself: the database pinned by URL. Go must accept them and use the URL alone.
  describe('a database pinned by URL (GOPROXY relays, yet the walk is skipped)', () => {
    const lookup = `/lookup/${MODULE_PATH}@v1.0.0`;

    it('`sum.golang.org <url>`: the known key stands in for the bare name; lookups go to the URL only', async () => {
      const value = `sum.golang.org ${proxyBase}/db`;
      expect(checkGosumdb(value)).toBeNull();
      const observed = await runGo(`${proxyBase}/s200`, value);
      expect(observed.requests, observed.output).toContain(`/db${lookup}`);
      expect(observed.requests.some((r) => r.includes('/sumdb/'))).toBe(false);
      expect(observed.output).not.toMatch(/invalid GOSUMDB|malformed/);
    });

    it('exactly `sum.golang.org https://sum.golang.org`: accepted, straight to sum.golang.org', async () => {
      const value = 'sum.golang.org https://sum.golang.org';
      expect(checkGosumdb(value)).toBeNull();
      const observed = await runGo(`${proxyBase}/s200`, value);
      // Offline the lookup fails to connect, online sum.golang.org does not know the module:
      // either way Go names the URL it used, and never asked the relay.
      expect(observed.output).toContain(`https://sum.golang.org${lookup}`);
      expect(observed.requests.some((r) => r.includes('/sumdb/'))).toBe(false);
      expect(observed.output).not.toMatch(/invalid GOSUMDB|malformed/);
    });

    it('`<key> <url>` for another database: lookups go to the URL only', async () => {
      const value = `${dbKey} ${proxyBase}/db`;
      expect(checkGosumdb(value)).toBeNull();
      const connectionsBefore = directConnections;
      const observed = await runGo(`${proxyBase}/s200`, value);
      expect(observed.requests, observed.output).toContain(`/db${lookup}`);
      expect(observed.requests.some((r) => r.includes('/sumdb/'))).toBe(false);
      expect(directConnections).toBe(connectionsBefore);
    });
  });

  // Asynchronous on purpose: the loopback servers run in this process and must keep answering.
  async function runGo(
    goproxy: string,
    gosumdb: string,
  ): Promise<{ route: string; output: string; requests: readonly string[] }> {
    const home = mkdtempSync(path.join(os.tmpdir(), 'gps-walk-'));
    const before = requests.length;
    const connectionsBefore = directConnections;
    try {
      const result = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
        execFile(
          'go',
          ['mod', 'download', '-json', `${MODULE_PATH}@v1.0.0`],
          {
            cwd: home,
            encoding: 'utf8',
            timeout: 30_000,
            env: {
              PATH: process.env.PATH,
              HOME: home,
              GOPATH: path.join(home, 'gopath'),
              GOMODCACHE: path.join(home, 'modcache'),
              GOCACHE: path.join(home, 'gocache'),
              GOFLAGS: '-modcacherw',
              GOTOOLCHAIN: 'local',
              GOPROXY: goproxy,
              GOSUMDB: gosumdb,
              GONOSUMDB: '',
              GOPRIVATE: '',
              GONOPROXY: '',
              GOINSECURE: '',
            },
          },
          (_error, stdout, stderr) => resolve({ stdout, stderr }),
        );
      });
      const seen = requests.slice(before);
      const relay = seen
        .map((r) => /^\/(s\d+)\/sumdb\/[^/]+\/lookup\//.exec(r)?.[1])
        .find((s) => s !== undefined);
      const route = relay ?? (directConnections > connectionsBefore ? 'direct' : 'broken');
      return {
        route,
        output: `${result.stdout}${result.stderr}\nrequests: ${seen.join(' ')}`,
        requests: seen,
      };
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }
});

function chainOf(spec: string, base: string): ChainEntry[] {
  const tokens = spec.split(/([,|])/);
  const entries: ChainEntry[] = [];
  for (let i = 0; i < tokens.length; i += 2) {
    const text = tokens[i]!;
    const separatorAfter = (tokens[i + 1] as ',' | '|' | undefined) ?? null;
    if (text === 'direct' || text === 'off') {
      entries.push({ kind: text, url: null, display: text, separatorAfter, probe: null });
      continue;
    }
    const url = `${base}/${text}`;
    const probe = mirror(url, { sumdbSupported: Number(text.slice(1)) });
    entries.push({ kind: 'mirror', url, display: url, separatorAfter, probe });
  }
  return entries;
}

function listen(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A stored (uncompressed) zip: enough for the go command's module zip reader. */
function buildZip(files: readonly [string, string][]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of files) {
    const nameBytes = Buffer.from(name);
    const data = Buffer.from(text);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    locals.push(local, nameBytes, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
