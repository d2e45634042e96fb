/**
 * Runs the real go command for the fidelity tests: a loopback module proxy that records what Go
 * asks for, an isolated environment (temp HOME, GOPATH, module cache, env file; nothing inherited
 * from the machine's Go settings), bounded parallelism and short deadlines.
 *
 * Requests to any non-loopback host go through HTTP(S)_PROXY=127.0.0.1:1 and fail at once with
 * "connection refused": no DNS, no network, and Go's error text still names the URL it built.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { unescapeModulePath } from '../../src/goenv/escape.js';

export interface GoRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** At most `limit` go processes at once (two cores). */
export function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

const runLimited = limiter(2);

export function runGo(
  args: readonly string[],
  env: Record<string, string>,
  cwd: string,
  timeoutMs = 20_000,
): Promise<GoRun> {
  return runLimited(
    () =>
      new Promise<GoRun>((resolve) => {
        execFile('go', [...args], { env, cwd, timeout: timeoutMs }, (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
          resolve({ code, stdout, stderr });
        });
      }),
  );
}

/** A clean environment for go: nothing from the machine's GOPROXY/GOPRIVATE/GOFLAGS leaks in. */
export function isolatedGoEnv(
  root: string,
  name: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(root, 'home'),
    GOPATH: join(root, 'gopath'),
    GOCACHE: join(root, 'gocache'),
    // One module cache per run: a cached module would skip the proxy and hide what Go asks for.
    GOMODCACHE: join(root, `modcache-${name}`),
    GOENV: join(root, `env-${name}`),
    GOFLAGS: '-mod=mod -modcacherw',
    GO111MODULE: 'on',
    GOTOOLCHAIN: 'local',
    HTTP_PROXY: 'http://127.0.0.1:1',
    HTTPS_PROXY: 'http://127.0.0.1:1',
    ...extra,
  };
}

export async function makeTempRoot(
  prefix: string,
): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export interface RecordedRequest {
  readonly route: string;
  /** Path after /<token>/<route>, percent-decoded. */
  readonly rest: string;
}

export interface ModuleProxy {
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  readonly port: number;
  /** A fresh token: `${origin}/${token}` separates one go run's requests from another's. */
  newToken(): string;
  requests(token: string): readonly RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Routes under /<token>/<route>/:
 * - `ok`: serves every module at the requested version (.info, .mod, .zip); `/sumdb/<name>/supported`
 *   answers 200 and lookups 404 (so Go reveals the database name it uses, then stops).
 * - `404`, `410`, `403`, `500`: that status for everything.
 * - `sdb`: a checksum database base URL whose lookups answer 404.
 * - anything else (`dead`): 418, and tests assert it was never asked.
 */
export async function startModuleProxy(): Promise<ModuleProxy> {
  const log = new Map<string, RecordedRequest[]>();
  let counter = 0;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const [, token = '', route = '', ...restParts] = url.pathname.split('/');
    const rest = decodeURIComponent(`/${restParts.join('/')}`);
    const entries = log.get(token) ?? [];
    entries.push({ route, rest });
    log.set(token, entries);
    const send = (
      status: number,
      body: string | Buffer,
      type = 'text/plain; charset=utf-8',
    ): void => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (/^\d{3}$/.test(route)) return send(Number(route), `${route} from test server\n`);
    if (route === 'sdb') return send(404, 'not found\n');
    if (route !== 'ok') return send(418, 'this route must never be asked\n');
    if (rest.startsWith('/sumdb/')) {
      return rest.endsWith('/supported') ? send(200, '') : send(404, 'not found\n');
    }
    const m = /^\/(.+)\/@v\/(.+)\.(info|mod|zip)$/.exec(rest);
    if (m === null) return send(404, 'not found\n');
    const modulePath = unescapeModulePath(m[1]!);
    const version = unescapeModulePath(m[2]!);
    if (m[3] === 'info')
      return send(
        200,
        JSON.stringify({ Version: version, Time: '2023-01-01T00:00:00Z' }),
        'application/json',
      );
    if (m[3] === 'mod') return send(200, `module ${modulePath}\n`);
    const prefix = `${modulePath}@${version}/`;
    return send(
      200,
      storedZip([
        { name: `${prefix}go.mod`, content: Buffer.from(`module ${modulePath}\n`) },
        { name: `${prefix}x.go`, content: Buffer.from('package x\n') },
      ]),
      'application/zip',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    newToken: () => `t${++counter}`,
    requests: (token) => log.get(token) ?? [],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A zip archive with stored (uncompressed) entries: enough for the go command. */
export function storedZip(files: readonly { name: string; content: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name);
    const crc = crc32(file.content);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(file.content.length, 18);
    local.writeUInt32LE(file.content.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(file.content.length, 20);
    central.writeUInt32LE(file.content.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, file.content);
    centrals.push(central, name);
    offset += local.length + name.length + file.content.length;
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

/** The version Go accepts for a path: v1.0.0, or vN.0.0 for a /vN major-version suffix. */
export function versionFor(modulePath: string): string {
  const major = /\/v(\d+)$/.exec(modulePath)?.[1];
  return major && Number(major) >= 2 ? `v${major}.0.0` : 'v1.0.0';
}

/** Builds test/goenv/oracle (standard library only) and answers questions with real Go. */
export async function buildOracle(
  root: string,
): Promise<(requests: readonly object[]) => Promise<OracleAnswer[]>> {
  const binary = join(root, 'oracle');
  const source = join(import.meta.dirname, 'oracle', 'main.go');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: root,
    GOCACHE: join(root, 'gocache'),
    GO111MODULE: 'off',
    GOFLAGS: '',
    GOTOOLCHAIN: 'local',
  };
  await new Promise<void>((resolve, reject) => {
    execFile(
      'go',
      ['build', '-o', binary, source],
      { env, timeout: 60_000 },
      (error, _out, stderr) =>
        error ? reject(new Error(`building the oracle failed: ${stderr}`)) : resolve(),
    );
  });
  return (requests) =>
    new Promise((resolve, reject) => {
      const child = execFile(
        binary,
        [],
        { maxBuffer: 64 * 1024 * 1024, timeout: 30_000 },
        (error, stdout) => {
          if (error) return reject(error);
          resolve(
            stdout
              .trim()
              .split('\n')
              .map((line) => JSON.parse(line) as OracleAnswer),
          );
        },
      );
      child.stdin!.end(`${requests.map((r) => JSON.stringify(r)).join('\n')}\n`);
    });
}

export interface OracleAnswer {
  readonly bool: boolean;
  readonly err: string;
  readonly text: string;
  readonly redacted: string;
  readonly fields: string[] | null;
  readonly url?: {
    readonly Scheme: string;
    readonly Opaque: string;
    readonly Host: string;
    readonly Path: string;
    readonly RawPath: string;
    readonly RawQuery: string;
    readonly Fragment: string;
    readonly RawFragment: string;
    readonly HasUser: boolean;
    readonly PasswordSet: boolean;
    readonly OmitHost: boolean;
    readonly ForceQuery: boolean;
    readonly Username: string;
    readonly Password: string;
  };
}
