// Bundles each entry point with ncc into dist/<entry>/index.js (ESM, not minified, no source maps).
// One bundle per runtime phase so the action's main and post steps and the CLI load only what they need.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entries = ['main', 'post', 'cli'];
const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

for (const entry of entries) {
  const out = join(root, 'dist', entry);
  rmSync(out, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      ncc,
      'build',
      join(root, 'src', `${entry}.ts`),
      '-o',
      out,
      '--license',
      'licenses.txt',
      '--quiet',
      '--target',
      'es2023',
    ],
    { stdio: 'inherit', cwd: root },
  );
}
