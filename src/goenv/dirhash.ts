/**
 * go.sum `h1:` hashes (golang.org/x/mod/sumdb/dirhash Hash1): sha256 over a summary of
 * "<hex sha256 of content>  <name>\n" lines, sorted by name in byte order.
 */
import { createHash } from 'node:crypto';

export interface HashedFile {
  readonly name: string;
  readonly content: Uint8Array;
}

export function hash1(files: readonly HashedFile[]): string {
  const sorted = [...files].sort((a, b) =>
    Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)),
  );
  const summary = createHash('sha256');
  for (const file of sorted) {
    if (file.name.includes('\n'))
      throw new Error(
        `dirhash: filenames with newlines are not supported: ${JSON.stringify(file.name)}`,
      );
    const digest = createHash('sha256').update(file.content).digest('hex');
    summary.update(`${digest}  ${file.name}\n`);
  }
  return `h1:${summary.digest('base64')}`;
}

/** The hash of a `.mod` file as recorded in go.sum (`<module> <version>/go.mod h1:…`). */
export function goModHash(mod: Uint8Array): string {
  return hash1([{ name: 'go.mod', content: mod }]);
}

/** Go's hash of an empty go.mod: seeing it means a proxy or cache served a 0-byte .mod. */
export const EMPTY_GO_MOD_HASH = 'h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=';
