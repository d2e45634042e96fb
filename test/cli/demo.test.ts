/**
 * Issue 5: `npm run demo` shows a newcomer the whole report offline: the simulated fleet is
 * probed by the bundled CLI, the 403 mirror is named, and pasteable settings are printed.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

function runDemo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // The same command npm runs for `npm run demo`, without npm's own banner.
    const child = spawn(
      process.execPath,
      [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/demo.ts'],
      {
        cwd: ROOT,
        // No proxy variables: the demo must need no network at all.
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run demo', () => {
  it('probes the simulated fleet with the bundled CLI and prints the decision', async () => {
    const run = await runDemo();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Simulated mirrors: fast https:\/\/127\.0\.0\.1:\d+/);
    expect(run.stdout).toMatch(
      /^GOPROXY=https:\/\/127\.0\.0\.1:\d+\|https:\/\/127\.0\.0\.1:\d+\|direct$/m,
    );
    expect(run.stdout).toMatch(/^GOSUMDB=127\.0\.0\.1:\d+\+[0-9a-f]{8}\+\S+$/m);
    expect(run.stdout).toMatch(/403 Forbidden/);
  });
});
