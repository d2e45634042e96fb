/**
 * Runs once per vitest run, before any worker starts: generates the mirror simulator's CA and
 * certificates (test/simulator/certs.ts) and exports them to the workers through the environment.
 *
 * - GO_PROXY_SETUP_SIM_CERTS: the directory every simulator reuses (no openssl per test file).
 * - NODE_EXTRA_CA_CERTS: Node reads it only at process start, so it must be set here, before the
 *   workers are forked; then fetch/undici/https in tests trust the simulator without a `ca` option.
 *   An existing value is kept: its certificates and ours go into one combined file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHARED_CERTS_ENV, generateCertificates } from './simulator/certs.js';

export default async function setup(): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'gps-sim-certs-'));
  const bundle = await generateCertificates(dir);
  const previous = { certs: process.env[SHARED_CERTS_ENV], extra: process.env.NODE_EXTRA_CA_CERTS };
  process.env[SHARED_CERTS_ENV] = dir;
  const existing =
    previous.extra && existsSync(previous.extra) ? readFileSync(previous.extra, 'utf8') : '';
  const trusted = join(dir, 'node-extra-ca-certs.pem');
  await writeFile(
    trusted,
    `${existing}${existing.endsWith('\n') || existing === '' ? '' : '\n'}${bundle.caPem}`,
  );
  process.env.NODE_EXTRA_CA_CERTS = trusted;

  return async () => {
    restore(SHARED_CERTS_ENV, previous.certs);
    restore('NODE_EXTRA_CA_CERTS', previous.extra);
    await rm(dir, { recursive: true, force: true });
  };
}

function restore(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}
