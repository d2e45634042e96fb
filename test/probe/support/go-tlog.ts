/**
 * Test vectors from the go command's own transparency-log code: Go 1.19 vendors
 * golang.org/x/mod/sumdb/tlog (stdlib-only) under GOROOT/src/cmd/vendor. We copy that package into
 * a throwaway module and ask it, for a log of records `record <i>\n`, which tiles
 * TileHashReader.ReadHashes reads to authenticate a record, what those tiles hold, and the root.
 * Returns null when no Go toolchain (or no vendored tlog) is available.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const MAIN_GO = `package main

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"os"
	"strconv"
	"strings"

	"tlogvec/tlog"
)

type store []tlog.Hash

func (s *store) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = (*s)[x]
	}
	return out, nil
}

// recorder notes the tiles asked for and serves them from the store.
type recorder struct {
	s     *store
	tiles []tlog.Tile
	data  [][]byte
}

func (r *recorder) Height() int { return 8 }
func (r *recorder) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		d, err := tlog.ReadTileData(t, r.s)
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	r.tiles, r.data = tiles, out
	return out, nil
}
func (r *recorder) SaveTiles([]tlog.Tile, [][]byte) {}

func main() {
	s := &store{}
	built := int64(0)
	in := bufio.NewScanner(os.Stdin)
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for in.Scan() {
		f := strings.Fields(in.Text())
		n, _ := strconv.ParseInt(f[0], 10, 64)
		id, _ := strconv.ParseInt(f[1], 10, 64)
		for ; built < n; built++ {
			hs, err := tlog.StoredHashes(built, []byte(fmt.Sprintf("record %d\\n", built)), s)
			if err != nil {
				panic(err)
			}
			*s = append(*s, hs...)
		}
		root, err := tlog.TreeHash(n, s)
		if err != nil {
			panic(err)
		}
		r := &recorder{s: s}
		hashes, err := tlog.TileHashReader(tlog.Tree{N: n, Hash: root}, r).ReadHashes([]int64{tlog.StoredHashIndex(0, id)})
		if err != nil {
			panic(err)
		}
		if hashes[0] != tlog.RecordHash([]byte(fmt.Sprintf("record %d\\n", id))) {
			panic("record hash")
		}
		fmt.Fprintf(w, "case %d %d %s\\n", n, id, root)
		for i, t := range r.tiles {
			fmt.Fprintf(w, "tile %s %s\\n", t.Path(), base64.StdEncoding.EncodeToString(r.data[i]))
		}
	}
}
`;

export interface GoProofVector {
  readonly treeSize: bigint;
  readonly recordId: bigint;
  readonly root: Buffer;
  /** Tiles in the order Go reads them. */
  readonly tiles: readonly { readonly path: string; readonly data: Buffer }[];
}

export function goRecordText(id: bigint): Buffer {
  return Buffer.from(`record ${id}\n`);
}

/** Vectors for each [treeSize, recordId] (records must be requested with non-decreasing sizes). */
export async function goProofVectors(
  cases: readonly (readonly [number, number])[],
): Promise<GoProofVector[] | null> {
  let goroot: string;
  try {
    goroot = (await run('go', ['env', 'GOROOT'])).stdout.trim();
  } catch {
    return null;
  }
  const vendored = join(goroot, 'src/cmd/vendor/golang.org/x/mod/sumdb/tlog');
  let files: string[];
  try {
    files = (await readdir(vendored)).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'));
  } catch {
    return null;
  }
  const dir = await mkdtemp(join(tmpdir(), 'gps-tlog-'));
  try {
    await mkdir(join(dir, 'tlog'));
    for (const file of files) await copyFile(join(vendored, file), join(dir, 'tlog', file));
    await writeFile(join(dir, 'go.mod'), 'module tlogvec\n\ngo 1.19\n');
    await writeFile(join(dir, 'main.go'), MAIN_GO);
    const env = {
      ...process.env,
      GOFLAGS: '-mod=mod',
      GOPROXY: 'off',
      GOTOOLCHAIN: 'local',
      GO111MODULE: 'on',
      GOWORK: 'off',
    };
    await run('go', ['build', '-o', join(dir, 'tlogvec'), '.'], { cwd: dir, env });
    const child = execFile(join(dir, 'tlogvec'), { maxBuffer: 64 * 1024 * 1024 });
    const output = new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk) => {
        out += chunk;
      });
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve(out) : reject(new Error(`tlogvec exited ${code}`)),
      );
    });
    child.stdin!.end(cases.map(([n, id]) => `${n} ${id}\n`).join(''));
    return parseVectors(await output);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function parseVectors(text: string): GoProofVector[] {
  const out: {
    treeSize: bigint;
    recordId: bigint;
    root: Buffer;
    tiles: { path: string; data: Buffer }[];
  }[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f[0] === 'case') {
      out.push({
        treeSize: BigInt(f[1]!),
        recordId: BigInt(f[2]!),
        root: Buffer.from(f[3]!, 'base64'),
        tiles: [],
      });
    } else if (f[0] === 'tile') {
      out.at(-1)!.tiles.push({ path: f[1]!, data: Buffer.from(f[2]!, 'base64') });
    }
  }
  return out;
}
