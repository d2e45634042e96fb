/**
 * Shared plumbing of the end-to-end tests: the BUNDLED action (dist/main, dist/post) run by the
 * runner-like harness against the mirror simulator, plus the scanners that look for secrets in
 * everything a run left behind.
 *
 * Everything here is asynchronous on purpose: the simulator answers from this process, so a
 * blocking child process (spawnSync/execSync) would starve it.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile, readFile, readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import * as zlib from 'node:zlib';
import {
  type ActionJobOptions,
  type Annotation,
  type AnnotationLevel,
  type JobResult,
  REPO_ROOT,
  type RunnerDirs,
  type StepResult,
  createRunnerDirs,
  parseWorkflowCommands,
  runActionJob,
} from '../harness/runner.js';
import { HELLO, type Simulator } from '../simulator/index.js';

export const ACTION_DIR = process.env.GPS_ACTION_DIR ?? REPO_ROOT;

/** The probe module every test uses unless it needs another: one small public corpus module. */
export const PROBE_MODULE = `${HELLO}@v1.1.0`;

/**
 * The e2e suites run the bundle: a missing or stub build must fail them loudly, never turn them
 * into a green run with no coverage. dist/ must hold the main step with the probe (the
 * orchestrators are bundled) and the post step.
 */
export function assertDistBuilt(): void {
  let ready = false;
  try {
    const main = readFileSync(join(ACTION_DIR, 'dist', 'main', 'index.js'), 'utf8');
    const post = readFileSync(join(ACTION_DIR, 'dist', 'post', 'index.js'), 'utf8');
    ready = main.includes('Probe Go module mirrors') && post.length > 0;
  } catch {
    ready = false;
  }
  if (!ready)
    throw new Error(`dist/ under ${ACTION_DIR} is not built: run \`npm run build\` first`);
}

export interface E2ERunner {
  readonly dirs: RunnerDirs;
  /** The simulator's CA, copied inside the runner tree (SSL_CERT_FILE / NODE_EXTRA_CA_CERTS). */
  readonly caFile: string;
}

/** A fresh simulated runner that trusts the simulator's CA. */
export async function createE2ERunner(sim: Simulator, label: string): Promise<E2ERunner> {
  const dirs = await createRunnerDirs(`e2e-${label}`);
  const caFile = join(dirs.root, 'sim-ca.pem');
  await copyFile(sim.caFile, caFile);
  return { dirs, caFile };
}

export interface E2EJobOptions extends Partial<Omit<ActionJobOptions, 'dirs'>> {
  /** Inputs merged over the test defaults (see e2eJob). */
  readonly inputs?: Readonly<Record<string, string>>;
  /** Job env merged over the test defaults. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The action as a workflow would run it against the simulator. Defaults that keep a run small and
 * deterministic: one probe module, no derivation from a remote (the workspace is no checkout),
 * no cache (no cache service), a 10 s probe deadline; the simulator's checksum database is the
 * GOSUMDB of the environment, so `gosumdb: auto` probes it.
 */
export function e2eJob(
  sim: Simulator,
  runner: E2ERunner,
  options: E2EJobOptions = {},
): Promise<JobResult> {
  const { inputs, env, ...rest } = options;
  return runActionJob({
    dirs: runner.dirs,
    actionDir: ACTION_DIR,
    cacheService: {},
    timeoutMs: 120_000,
    ...rest,
    inputs: {
      'probe-modules': PROBE_MODULE,
      'goprivate-from-remote': 'false',
      cache: 'false',
      timeout: '10',
      ...inputs,
    },
    env: {
      NODE_EXTRA_CA_CERTS: runner.caFile,
      SSL_CERT_FILE: runner.caFile,
      GOSUMDB: sim.sumdb.gosumdb,
      GOTOOLCHAIN: 'local',
      GOFLAGS: '-mod=mod',
      ...env,
    },
  });
}

/** Everything a step printed, for assertion messages. */
export function stepDetail(step: StepResult | null): string {
  if (step === null) return '(step did not run)';
  return `--- ${step.name}: ${step.outcome} (exit ${step.exitCode}${step.timedOut ? ', timed out' : ''})\n${step.stdout}\n--- stderr\n${step.stderr}`;
}

export function jobDetail(result: JobResult): string {
  return [result.main, ...result.steps, result.post].map(stepDetail).join('\n');
}

export function annotationsAt(
  result: JobResult | StepResult,
  level: AnnotationLevel,
): readonly Annotation[] {
  return result.annotations.filter((a) => a.level === level);
}

/** `title: message` of each annotation, for readable failure output. */
export function describeAnnotations(annotations: readonly Annotation[]): string {
  return annotations.map((a) => `::${a.level} [${a.title ?? ''}] ${a.message}`).join('\n');
}

/** The JSON report the main step set as output. */
export function reportOf(result: JobResult): {
  readonly findings: readonly { level: string; code: string; title: string; message: string }[];
  readonly mirrors: readonly { url: string; origin: string; rank: number | null }[];
  readonly [key: string]: unknown;
} {
  const text = result.outputs.report;
  if (text === undefined) throw new Error('the main step set no report output');
  return JSON.parse(text);
}

export function findingCodes(result: JobResult): string[] {
  return reportOf(result).findings.map((f) => f.code);
}

/** Values registered with `::add-mask::` by a step. */
export function maskedValues(step: StepResult): string[] {
  return parseWorkflowCommands(step.stdout)
    .filter((c) => c.command === 'add-mask')
    .map((c) => c.message);
}

// ---------------------------------------------------------------------------------------------
// Secret scanning

export interface SecretHit {
  /** `stdout of main`, a file path relative to the scanned root, … */
  readonly where: string;
  readonly secret: string;
  /** The line (or a window around the hit) that holds it. */
  readonly context: string;
}

/** Every place `secret` occurs in `text`, one hit per line. */
export function findSecret(text: string, secret: string, where: string): SecretHit[] {
  if (secret === '' || !text.includes(secret)) return [];
  return text
    .split(/\r?\n/)
    .filter((line) => line.includes(secret))
    .map((line) => ({
      where,
      secret,
      context: line.length > 300 ? `${line.slice(0, 300)}…` : line,
    }));
}

/** Every regular file below dir (symlinks not followed). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (current: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) out.push(path);
    }
  };
  await walk(dir);
  return out.sort();
}

/**
 * Scans the bytes of every file below `root` for every secret, also in the forms a file may hold
 * it: as is, percent-encoded, and base64 (a basic-auth header or a netrc-style dump).
 * `exempt(path)` skips the files a test planted the secret in on purpose.
 */
export async function scanTree(
  root: string,
  secrets: readonly string[],
  exempt: (path: string) => boolean = () => false,
): Promise<{ files: number; hits: SecretHit[] }> {
  const files = await listFiles(root);
  const hits: SecretHit[] = [];
  let scanned = 0;
  for (const file of files) {
    if (exempt(file)) continue;
    scanned++;
    const text = (await readFile(file)).toString('latin1');
    hits.push(...scanText(text, secrets, relative(root, file)));
  }
  return { files: scanned, hits };
}

/** A secret in the forms it could take on its way out. */
export function secretForms(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')])];
}

export function scanText(text: string, secrets: readonly string[], where: string): SecretHit[] {
  return secrets.flatMap((secret) =>
    secretForms(secret).flatMap((form) => findSecret(text, form, where)),
  );
}

/** Every stream and file command a step produced, by name. */
export function stepChannels(step: StepResult): Record<string, string> {
  const lines = (values: Readonly<Record<string, string>>): string =>
    Object.entries(values)
      .map(([name, value]) => `${name}=${value}`)
      .join('\n');
  return {
    stdout: step.stdout,
    stderr: step.stderr,
    GITHUB_OUTPUT: lines(step.outputs),
    GITHUB_STATE: lines(step.state),
    GITHUB_STEP_SUMMARY: step.summary,
    GITHUB_PATH: step.path.join('\n'),
    GITHUB_ENV: lines(step.env),
  };
}

/** A cache archive's bytes, decompressed when we can (zstd on Node with zlib zstd, gzip always). */
export function decompressedArchive(blob: Buffer): Buffer {
  if (blob[0] === 0x1f && blob[1] === 0x8b) return zlib.gunzipSync(blob);
  const zstd = (zlib as unknown as { zstdDecompressSync?: (b: Buffer) => Buffer })
    .zstdDecompressSync;
  if (blob.readUInt32LE(0) === 0xfd2fb528 && zstd) return zstd(blob);
  return blob;
}

// ---------------------------------------------------------------------------------------------
// git, asynchronously

export function git(
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string>> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: cwd,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_TERMINAL_PROMPT: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Makes dir a git checkout whose origin is `originUrl` (nothing committed; get-url needs no commit). */
export async function plantCheckout(dir: string, originUrl: string): Promise<void> {
  for (const args of [
    ['init', '-q', '.'],
    ['remote', 'add', 'origin', originUrl],
  ]) {
    const run = await git(args, dir);
    if (run.code !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`);
  }
}

/** A GitHub event payload describing a private repository. */
export async function writePrivateEventPayload(file: string, fullName: string): Promise<void> {
  await writeFile(
    file,
    JSON.stringify({
      ref: 'refs/heads/main',
      repository: { full_name: fullName, private: true, visibility: 'private' },
    }),
  );
}
