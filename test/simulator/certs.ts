/**
 * Certificates for the simulator, generated at run time with the openssl CLI: a CA (trusted by
 * Node through NODE_EXTRA_CA_CERTS or an explicit `ca`, by Go through SSL_CERT_FILE), a server
 * certificate for every loopback name we serve, and two deliberately bad certificates for the
 * TLS-error profiles (wrong host name; signed by a CA nobody trusts).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Environment variable naming a directory of certificates generated once per test run. */
export const SHARED_CERTS_ENV = 'GO_PROXY_SETUP_SIM_CERTS';

/** Host names the server certificate covers; `*.sim.test` is for forward-proxy tests. */
export const SERVER_NAMES = ['127.0.0.1', '::1', 'localhost', '*.sim.test'] as const;

export interface KeyPair {
  readonly key: string;
  readonly cert: string;
}

export interface CertBundle {
  readonly dir: string;
  /** PEM file of the simulator CA: SSL_CERT_FILE for Go, NODE_EXTRA_CA_CERTS for Node. */
  readonly caFile: string;
  readonly caPem: string;
  readonly server: KeyPair;
  /** Signed by the simulator CA, but only for `wrong-name.invalid`. */
  readonly wrongName: KeyPair;
  /** Valid names, signed by a CA that is not in caFile. */
  readonly untrusted: KeyPair;
}

const FILES = {
  caKey: 'ca.key',
  ca: 'ca.pem',
  serverKey: 'server.key',
  server: 'server.pem',
  wrongNameKey: 'wrong-name.key',
  wrongName: 'wrong-name.pem',
  rogueCaKey: 'rogue-ca.key',
  rogueCa: 'rogue-ca.pem',
  untrustedKey: 'untrusted.key',
  untrusted: 'untrusted.pem',
} as const;

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function openssl(args: readonly string[], cwd: string): Promise<void> {
  await run('openssl', args, { cwd, timeout: 30_000 });
}

async function makeCa(dir: string, keyFile: string, certFile: string, cn: string): Promise<void> {
  await openssl(
    [
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '3650',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
}

function subjectAltName(names: readonly string[]): string {
  const entries = names.map((name) => (/^[\d.]+$|:/.test(name) ? `IP:${name}` : `DNS:${name}`));
  return `subjectAltName=${entries.join(',')}`;
}

async function makeLeaf(
  dir: string,
  ca: { key: string; cert: string },
  out: { key: string; cert: string },
  names: readonly string[],
): Promise<void> {
  const csr = `${out.cert}.csr`;
  const ext = `${out.cert}.ext`;
  await openssl(
    ['req', '-new', ...EC_KEY, '-keyout', out.key, '-out', csr, '-subj', `/CN=${names[0]}`],
    dir,
  );
  await writeFile(
    join(dir, ext),
    [
      subjectAltName(names),
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      '',
    ].join('\n'),
  );
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-set_serial',
      `0x${randomBytes(12).toString('hex')}`,
      '-days',
      '825',
      '-out',
      out.cert,
      '-extfile',
      ext,
    ],
    dir,
  );
  await rm(join(dir, csr));
  await rm(join(dir, ext));
}

/** Writes a fresh CA and certificates into dir (created if needed). */
export async function generateCertificates(dir: string): Promise<CertBundle> {
  await mkdir(dir, { recursive: true });
  const ca = { key: FILES.caKey, cert: FILES.ca };
  await makeCa(dir, ca.key, ca.cert, 'go-proxy-setup simulator CA');
  await makeLeaf(dir, ca, { key: FILES.serverKey, cert: FILES.server }, SERVER_NAMES);
  await makeLeaf(dir, ca, { key: FILES.wrongNameKey, cert: FILES.wrongName }, [
    'wrong-name.invalid',
  ]);
  const rogue = { key: FILES.rogueCaKey, cert: FILES.rogueCa };
  await makeCa(dir, rogue.key, rogue.cert, 'untrusted rogue CA');
  await makeLeaf(dir, rogue, { key: FILES.untrustedKey, cert: FILES.untrusted }, SERVER_NAMES);
  return loadCertificates(dir);
}

export async function loadCertificates(dir: string): Promise<CertBundle> {
  const read = (name: string): Promise<string> => readFile(join(dir, name), 'utf8');
  return {
    dir,
    caFile: join(dir, FILES.ca),
    caPem: await read(FILES.ca),
    server: { key: await read(FILES.serverKey), cert: await read(FILES.server) },
    wrongName: { key: await read(FILES.wrongNameKey), cert: await read(FILES.wrongName) },
    untrusted: { key: await read(FILES.untrustedKey), cert: await read(FILES.untrusted) },
  };
}

function isComplete(dir: string): boolean {
  return Object.values(FILES).every((name) => existsSync(join(dir, name)));
}

/**
 * The certificates of this test run (from SHARED_CERTS_ENV, see test/global-setup.ts) or, when
 * there are none, fresh ones in a temporary directory that `dispose` removes.
 */
export async function obtainCertificates(): Promise<{
  bundle: CertBundle;
  dispose: () => Promise<void>;
}> {
  const shared = process.env[SHARED_CERTS_ENV];
  if (shared && isComplete(shared)) {
    return { bundle: await loadCertificates(shared), dispose: async () => {} };
  }
  const dir = await mkdtemp(join(tmpdir(), 'gps-sim-certs-'));
  try {
    const bundle = await generateCertificates(dir);
    return { bundle, dispose: () => rm(dir, { recursive: true, force: true }) };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
