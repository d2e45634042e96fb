/**
 * The simulator's module corpus: deterministic modules with their `.mod`, `.info`, `.zip` and
 * the go.sum `h1:` hashes the real go command computes for them (src/goenv/dirhash.ts).
 */
import { createHash } from 'node:crypto';
import { hash1 } from '../../src/goenv/dirhash.js';
import { escapeModulePath, escapeModuleVersion } from '../../src/goenv/escape.js';
import { compareVersions, isCanonicalVersion, latestVersion } from './semver.js';
import { type ZipEntry, writeZip } from './zip.js';

export interface ModuleSpec {
  readonly path: string;
  readonly version: string;
  /** Files by name relative to the module root; go.mod defaults to `module <path>\n`. */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  /** RFC 3339 time for `.info`; default: a fixed date derived from the corpus position. */
  readonly time?: string;
  /** Private modules are served only by mirrors with `serves: 'private' | 'all'` and never enter the checksum database. */
  readonly private?: boolean;
}

export interface CorpusModule {
  readonly path: string;
  readonly version: string;
  /** Case-encoded path and version (`example.com/!upper`), before percent-encoding. */
  readonly escapedPath: string;
  readonly escapedVersion: string;
  readonly time: string;
  readonly private: boolean;
  readonly mod: Buffer;
  /** The `.info` JSON body. */
  readonly info: string;
  readonly zip: Buffer;
  /** Zip entry names (`<path>@<version>/…`, unescaped) with their contents. */
  readonly entries: readonly { readonly name: string; readonly content: Buffer }[];
  /** go.sum `<path> <version>/go.mod` hash. */
  readonly modHash: string;
  /** go.sum `<path> <version>` hash. */
  readonly zipHash: string;
}

export interface Corpus {
  readonly modules: readonly CorpusModule[];
  get(path: string, version: string): CorpusModule | undefined;
  /** Every version of a module path, in semver order. */
  versions(path: string): string[];
  /** What `@latest` resolves to among the given (default: all) versions. */
  latest(path: string, among?: readonly string[]): CorpusModule | undefined;
  paths(): string[];
  /** Modules that are in the checksum database (not private). */
  publicModules(): CorpusModule[];
  /** go.sum text (both lines per module, Go's order) for the given modules (default: all public). */
  goSum(modules?: readonly CorpusModule[]): string;
}

export const HELLO = 'example.com/hello';
export const UPPER = 'example.com/Upper';
export const PRERELEASE = 'example.com/pre';
export const BIG = 'example.com/big';
export const PRIVATE_MODULE = 'git.corp.example/team/secret';

/** Size of the incompressible file in example.com/big (the throughput module). */
export const BIG_BLOB_BYTES = 300 * 1024;

/** Deterministic bytes that no compressor can shrink (SHA-256 in counter mode). */
export function incompressibleBytes(size: number, seed: string): Buffer {
  const out = Buffer.alloc(size);
  for (let offset = 0, block = 0; offset < size; offset += 32, block++) {
    createHash('sha256').update(`${seed}:${block}`).digest().copy(out, offset);
  }
  return out;
}

/** The built-in corpus. hello v1.0.0 and Upper v1.0.0 match go-semantics.md §7.1 test vectors. */
export function builtinModuleSpecs(): ModuleSpec[] {
  return [
    {
      path: HELLO,
      version: 'v1.0.0',
      files: { 'hello.go': 'package hello\n\nfunc Hello() string { return "hi" }\n' },
    },
    {
      path: HELLO,
      version: 'v1.1.0',
      files: { 'hello.go': 'package hello\n\nfunc Hello() string { return "hello, world" }\n' },
    },
    { path: UPPER, version: 'v1.0.0', files: { 'u.go': 'package upper\n' } },
    {
      path: PRERELEASE,
      version: 'v0.9.0',
      files: { 'pre.go': 'package pre\n\nconst Stage = "v0.9.0"\n' },
    },
    {
      path: PRERELEASE,
      version: 'v1.0.0-RC1',
      files: { 'pre.go': 'package pre\n\nconst Stage = "release candidate"\n' },
    },
    {
      path: BIG,
      version: 'v1.0.0',
      files: {
        'big.go':
          'package big\n\n// Blob is testdata/blob.bin; it exists to measure throughput.\nconst Blob = "testdata/blob.bin"\n',
        'testdata/blob.bin': incompressibleBytes(BIG_BLOB_BYTES, `${BIG}@v1.0.0`),
      },
    },
    {
      path: PRIVATE_MODULE,
      version: 'v1.0.0',
      private: true,
      files: { 'secret.go': 'package secret\n\nconst Answer = 42\n' },
    },
  ];
}

function defaultTime(index: number): string {
  return new Date(Date.UTC(2024, 0, 1 + index, 12, 0, 0)).toISOString().replace('.000Z', 'Z');
}

function looksIncompressible(content: Buffer): boolean {
  return (
    content.length > 4096 &&
    !content.subarray(0, 4096).every((b) => b === 9 || b === 10 || (b >= 32 && b < 127))
  );
}

export function buildModule(spec: ModuleSpec, index: number): CorpusModule {
  if (!isCanonicalVersion(spec.version))
    throw new Error(`corpus: not a canonical version: ${spec.version}`);
  const files = new Map<string, Buffer>();
  files.set('go.mod', Buffer.from(`module ${spec.path}\n`));
  for (const [name, content] of Object.entries(spec.files ?? {})) {
    files.set(name, Buffer.from(content));
  }
  const prefix = `${spec.path}@${spec.version}/`;
  const names = [...files.keys()].sort((a, b) =>
    a === 'go.mod' ? -1 : b === 'go.mod' ? 1 : a < b ? -1 : 1,
  );
  const entries = names.map((name) => ({ name: prefix + name, content: files.get(name)! }));
  const zipEntries: ZipEntry[] = entries.map((e) => ({
    ...e,
    method: looksIncompressible(e.content) ? 'store' : 'deflate',
  }));
  const mod = files.get('go.mod')!;
  const time = spec.time ?? defaultTime(index);
  return {
    path: spec.path,
    version: spec.version,
    escapedPath: escapeModulePath(spec.path),
    escapedVersion: escapeModuleVersion(spec.version),
    time,
    private: spec.private ?? false,
    mod,
    info: `${JSON.stringify({ Version: spec.version, Time: time })}\n`,
    zip: writeZip(zipEntries),
    entries,
    modHash: hash1([{ name: 'go.mod', content: mod }]),
    zipHash: hash1(entries),
  };
}

export function buildCorpus(specs: readonly ModuleSpec[] = builtinModuleSpecs()): Corpus {
  const modules = specs.map((spec, i) => buildModule(spec, i));
  const key = (path: string, version: string): string => `${path}@${version}`;
  const byKey = new Map(modules.map((m) => [key(m.path, m.version), m]));
  if (byKey.size !== modules.length) throw new Error('corpus: duplicate module version');
  const versions = (path: string): string[] =>
    modules
      .filter((m) => m.path === path)
      .map((m) => m.version)
      .sort(compareVersions);
  return {
    modules,
    get: (path, version) => byKey.get(key(path, version)),
    versions,
    latest(path, among) {
      const version = latestVersion(among ?? versions(path));
      return version === undefined ? undefined : byKey.get(key(path, version));
    },
    paths: () => [...new Set(modules.map((m) => m.path))],
    publicModules: () => modules.filter((m) => !m.private),
    goSum(selected = modules.filter((m) => !m.private)) {
      return selected
        .map(
          (m) =>
            `${m.path} ${m.version} ${m.zipHash}\n${m.path} ${m.version}/go.mod ${m.modHash}\n`,
        )
        .join('');
    },
  };
}
