import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ZipError, checkModuleZipNames, hashZip, readZip } from '../../src/goenv/zip.js';
import { writeZip } from './support/zip-writer.js';

const HELLO_GO = 'package hello\n\nfunc Hello() string { return "hi" }\n';

describe('hashZip (dirhash.HashZip) against go-semantics.md §7.1 vectors', () => {
  it('example.com/hello@v1.0.0', () => {
    const zip = writeZip([
      { name: 'example.com/hello@v1.0.0/hello.go', content: HELLO_GO },
      {
        name: 'example.com/hello@v1.0.0/go.mod',
        content: 'module example.com/hello\n',
        method: 'store',
      },
    ]);
    expect(hashZip(zip)).toBe('h1:LoG8+JKYhYPV1zwBRARUDxbnvGii3HXuE/XaLADKBxk=');
  });

  it('example.com/Upper@v1.0.0 (entry names keep the unescaped path)', () => {
    const zip = writeZip([
      { name: 'example.com/Upper@v1.0.0/go.mod', content: 'module example.com/Upper\n' },
      { name: 'example.com/Upper@v1.0.0/u.go', content: 'package upper\n' },
    ]);
    expect(hashZip(zip)).toBe('h1:/XgJ5pIM+STa6HtfroMM2mM1A5tzlMdWibarfLMLBGU=');
  });

  it('ignores order, compression and a trailing comment', () => {
    const a = writeZip(
      [
        { name: 'example.com/hello@v1.0.0/go.mod', content: 'module example.com/hello\n' },
        { name: 'example.com/hello@v1.0.0/hello.go', content: HELLO_GO, method: 'store' },
      ],
      'a comment',
    );
    expect(hashZip(a)).toBe('h1:LoG8+JKYhYPV1zwBRARUDxbnvGii3HXuE/XaLADKBxk=');
  });
});

const hasPython = spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasPython)(
  'reads a zip written by another implementation (python zipfile)',
  () => {
    it('same hash as the vector', () => {
      const dir = mkdtempSync(join(tmpdir(), 'gps-zip-'));
      try {
        const out = join(dir, 'm.zip');
        const script = `import zipfile,sys\nz=zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED)\nz.writestr('example.com/hello@v1.0.0/go.mod','module example.com/hello\\n')\nz.writestr('example.com/hello@v1.0.0/hello.go',${JSON.stringify(HELLO_GO)})\nz.close()\n`;
        execFileSync('python3', ['-c', script, out]);
        expect(hashZip(readFileSync(out))).toBe('h1:LoG8+JKYhYPV1zwBRARUDxbnvGii3HXuE/XaLADKBxk=');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);

describe('hostile zips', () => {
  const good = writeZip([{ name: 'm.test/a@v1.0.0/go.mod', content: 'module m.test/a\n' }]);

  it('not a zip', () => {
    expect(() => readZip(Buffer.from('<html>not found</html>'))).toThrow(ZipError);
    expect(() => readZip(Buffer.alloc(0))).toThrow('not a zip file');
  });

  it('truncated', () => {
    expect(() => readZip(good.subarray(0, good.length - 30))).toThrow(ZipError);
  });

  it('a corrupted byte fails the CRC or inflate', () => {
    const bad = Buffer.from(good);
    bad[35 + 'm.test/a@v1.0.0/go.mod'.length] ^= 0xff;
    expect(() => readZip(bad)).toThrow(ZipError);
  });

  it('a zip bomb stops at the size cap', () => {
    const bomb = writeZip([{ name: 'm.test/a@v1.0.0/big', content: Buffer.alloc(5_000_000) }]);
    expect(bomb.length).toBeLessThan(20_000);
    expect(() => readZip(bomb, { maxTotalBytes: 1_000_000 })).toThrow('exceeds');
  });

  it('names outside <module>@<version>/ are refused with Go wording', () => {
    const entries = readZip(
      writeZip([
        { name: 'm.test/a@v1.0.0/go.mod', content: 'x' },
        { name: 'evil/../../etc/passwd', content: 'x' },
      ]),
    );
    expect(checkModuleZipNames(entries, 'm.test/a', 'v1.0.0')).toBe(
      'zip for m.test/a@v1.0.0 has unexpected file evil/../../etc/passwd',
    );
    expect(checkModuleZipNames(entries.slice(0, 1), 'm.test/a', 'v1.0.0')).toBeNull();
  });
});
