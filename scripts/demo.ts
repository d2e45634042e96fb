/**
 * `npm run demo`: the main job, offline. Starts a realistic fleet of simulated mirrors on loopback
 * (fast, slow, 403, no checksum-database relay, blackholed) and runs the bundled CLI against it,
 * exactly as a CI job would run it. Nothing on this machine is changed.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIG, HELLO, realisticFleet, startSimulator } from '../test/simulator/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = process.env.GPS_DEMO_CLI ?? join(root, 'dist', 'cli', 'index.js');

const sim = await startSimulator({ mirrors: realisticFleet() });
const home = await mkdtemp(join(tmpdir(), 'go-proxy-setup-demo-'));
try {
  const mirrors = sim.mirrorNames.map((name) => sim.url(name));
  console.error(
    `Simulated mirrors: ${sim.mirrorNames.map((n) => `${n} ${sim.url(n)}`).join(', ')}`,
  );
  console.error(`Simulated checksum database: ${sim.sumdb.name}\n`);
  const args = [
    // Running the TypeScript sources (GPS_DEMO_CLI=src/cli.ts) needs tsx's loader; the bundle does not.
    ...(cli.endsWith('.ts')
      ? ['--import', join(root, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')]
      : []),
    cli,
    '--mirrors',
    mirrors.join(','),
    '--probe-modules',
    `${HELLO}@v1.1.0,${BIG}@v1.0.0`,
    '--timeout',
    '5',
    ...process.argv.slice(2),
  ];
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: home,
      stdio: 'inherit',
      // An empty HOME and no CI variables: the demo reads nothing of yours and writes nowhere.
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        TERM: process.env.TERM ?? 'dumb',
        ...sim.env(),
      },
    });
    child.on('exit', (exitCode) => resolve(exitCode ?? 1));
  });
  process.exitCode = code;
} finally {
  await sim.close();
  await rm(home, { recursive: true, force: true });
}
