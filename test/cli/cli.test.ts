/**
 * The bundled CLI (dist/cli/index.js) as a user runs it: real processes, the mirror simulator on
 * loopback, the real go binary for --apply.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCredentialFree } from '../../src/orchestrators/cli.js';
import { Redactor } from '../../src/redact.js';
import { validateDotenv } from '../../src/writers/dotenv.js';
import { HELLO, type Simulator, startSimulator } from '../simulator/index.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'index.js');

let sim: Simulator;
let home: string;

beforeAll(async () => {
  sim = await startSimulator({ mirrors: [{ name: 'fast' }, { name: 'forbidden', status: 403 }] });
});
const temporaryDirs: string[] = [];
afterAll(async () => {
  await sim?.close();
  for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  home = mkdtempSync(join(tmpdir(), 'gps-cli-'));
  temporaryDirs.push(home);
  return runIn(home, args, extraEnv);
}

/** Asynchronous on purpose: the simulator lives in this process and must keep answering. */
function runIn(
  dir: string,
  args: readonly string[],
  extraEnv: Record<string, string> = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        XDG_CONFIG_HOME: join(dir, '.config'),
        ...sim.env(),
        ...extraEnv,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const probeArgs = () => [
  '--mirrors',
  `${sim.url('fast')},${sim.url('forbidden')}`,
  '--probe-modules',
  `${HELLO}@v1.1.0`,
  '--timeout',
  '10',
];

describe('CLI', () => {
  it('--format json prints the versioned report with the chosen chain', async () => {
    const run = await cli([...probeArgs(), '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.schemaVersion).toBe(1);
    expect(report.settings.GOPROXY).toBe(`${sim.url('fast')}|direct`);
    expect(report.settings.GOSUMDB).toBe(sim.sumdb.gosumdb);
    const forbidden = report.mirrors.find((m: { url: string }) => m.url === sim.url('forbidden'));
    expect(forbidden.verdict).toBe('failed');
  });

  it('--format markdown prints a table with the verdict', async () => {
    const run = await cli([...probeArgs(), '--format', 'markdown']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('GOPROXY');
    expect(run.stdout).toMatch(/^\|.*\|$/m);
    expect(run.stdout).toContain(sim.url('fast'));
  });

  it('text output off a terminal has no colour codes and ends with pasteable settings', async () => {
    const run = await cli(probeArgs());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain('\x1b[');
    expect(run.stdout).toMatch(
      new RegExp(`^GOPROXY=${sim.url('fast').replaceAll('.', '\\.')}\\|direct$`, 'm'),
    );
  });

  it('--dotenv writes a file that obeys GitLab dotenv rules', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gps-cli-'));
    temporaryDirs.push(dir);
    const run = await runIn(dir, [...probeArgs(), '--dotenv', 'out/go.env']);
    expect(run.code, run.stderr).toBe(0);
    const text = readFileSync(join(dir, 'out', 'go.env'), 'utf8');
    expect(validateDotenv(text)).toEqual([]);
    expect(text).toContain(`GOPROXY=${sim.url('fast')}|direct\n`);
    expect(text).toContain(`GOSUMDB=${sim.sumdb.gosumdb}\n`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('--apply twice leaves a byte-identical go env file that go reads back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gps-cli-'));
    temporaryDirs.push(dir);
    const first = await runIn(dir, [...probeArgs(), '--apply']);
    expect(first.code, first.stderr).toBe(0);
    const envFile = join(dir, '.config', 'go', 'env');
    const afterFirst = readFileSync(envFile);
    const second = await runIn(dir, [...probeArgs(), '--apply']);
    expect(second.code, second.stderr).toBe(0);
    expect(readFileSync(envFile).equals(afterFirst)).toBe(true);
    const go = spawnSync('go', ['env', 'GOPROXY'], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        XDG_CONFIG_HOME: join(dir, '.config'),
        GOTOOLCHAIN: 'local',
      },
    });
    expect(go.stdout.trim()).toBe(`${sim.url('fast')}|direct`);
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    [['--max-mirrors', 'abc'], /max-mirrors/],
    [['--fallback', 'sometimes'], /fallback/],
    [['--bogus'], /--bogus/],
    [['--format', 'yaml'], /--format/],
    [['--mirrors', 'ftp://example.com'], /mirrors/],
  ])('bad option %j exits 2 with one clear line and writes nothing', async (args, pattern) => {
    const dir = mkdtempSync(join(tmpdir(), 'gps-cli-'));
    temporaryDirs.push(dir);
    const run = await runIn(dir, [...args, '--dotenv', 'go.env']);
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe('');
    expect(existsSync(join(dir, 'go.env'))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it('no route (every mirror fails, fallback off) exits 1 and says so', async () => {
    const run = await cli([
      '--mirrors',
      sim.url('forbidden'),
      '--probe-modules',
      `${HELLO}@v1.1.0`,
      '--fallback',
      'off',
      '--format',
      'json',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/No route to Go modules/);
    expect(JSON.parse(run.stdout).routeFound).toBe(false);
  });

  it('--help and --version exit 0', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: go-proxy-setup/);
    const version = await cli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('CLI output passes the redactor', () => {
  /** A registered secret that also appears in the report: the port of a mirror, given as --token. */
  const portOf = (name: string) => new URL(sim.url(name)).port;

  it('--report-file and --metrics-file are redacted like stdout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gps-cli-'));
    temporaryDirs.push(dir);
    const secret = portOf('forbidden');
    const run = await runIn(dir, [
      ...probeArgs(),
      '--token',
      secret,
      '--format',
      'json',
      '--report-file',
      'report.json',
      '--metrics-file',
      'metrics.txt',
    ]);
    expect(run.code, run.stderr).toBe(0);
    for (const file of ['report.json', 'metrics.txt']) {
      const text = readFileSync(join(dir, file), 'utf8');
      expect(text).not.toContain(secret);
      expect(text).toContain('127.0.0.1:***');
    }
    expect(run.stdout).not.toContain(secret);
  });

  it('--dotenv refuses, loudly, to write a value that masking would change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gps-cli-'));
    temporaryDirs.push(dir);
    const secret = portOf('fast'); // part of the GOPROXY written
    const run = await runIn(dir, [...probeArgs(), '--token', secret, '--dotenv', 'go.env']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/refusing to write the dotenv file: GOPROXY would be changed/);
    expect(run.stderr).not.toContain(secret);
    expect(existsSync(join(dir, 'go.env'))).toBe(false);
  });

  it('a rejected private-proxy shows none of its password, whatever it holds', async () => {
    const run = await cli(['--private-proxy', 'https://user:ab/cd SECRET#x@athens.corp']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^go-proxy-setup: Invalid input 'private-proxy': "https:\/\/\*\*\*@athens\.corp"/,
    );
    expect(run.stderr).not.toMatch(/SECRET|ab\/cd/);
  });

  it('assertCredentialFree names the variable, never the value', () => {
    const redactor = new Redactor();
    redactor.addUrl('https://ci:s3cretPASS@athens.corp');
    expect(() =>
      assertCredentialFree(
        { GOPROXY: 'https://athens.corp,direct', GOPRIVATE: 'corp.example' },
        redactor,
      ),
    ).not.toThrow();
    let message = '';
    try {
      assertCredentialFree(
        { GOPROXY: 'https://athens.corp,direct', GOSUMDB: 'k https://ci:s3cretPASS@sum.corp' },
        redactor,
      );
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^refusing to write the dotenv file: GOSUMDB would be changed/);
    expect(message).not.toMatch(/s3cretPASS|sum\.corp/);
  });
});

describe('CLI --apply without go', () => {
  it('warns that go is missing, still prints the report and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gps-cli-'));
    temporaryDirs.push(dir);
    // A PATH with no go on it (node is found through process.execPath, not PATH).
    const run = await runIn(dir, [...probeArgs(), '--apply', '--format', 'json'], {
      PATH: '/nonexistent',
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/go env -w skipped: go is not on PATH/);
    expect(JSON.parse(run.stdout).settings.GOPROXY).toBe(`${sim.url('fast')}|direct`);
    expect(existsSync(join(dir, '.config', 'go', 'env'))).toBe(false);
  });
});

describe('CLI inputs from GO_PROXY_SETUP_<NAME>', () => {
  it('takes inputs from the environment, the command line winning', async () => {
    const run = await cli(['--format', 'json', '--max-mirrors', '1'], {
      GO_PROXY_SETUP_MIRRORS: `${sim.url('fast')},${sim.url('forbidden')}`,
      GO_PROXY_SETUP_PROBE_MODULES: `${HELLO}@v1.1.0`,
      GO_PROXY_SETUP_MAX_MIRRORS: '5',
      GO_PROXY_SETUP_FALLBACK: 'off',
    });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.settings.GOPROXY).toBe(`${sim.url('fast')}|off`);
    expect(report.mirrors).toHaveLength(2);
  });

  it('a bad value in the environment is bad input: exit 2, one line naming the input', async () => {
    const run = await cli(['--format', 'json'], { GO_PROXY_SETUP_MAX_MIRRORS: 'lots' });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/max-mirrors/);
  });
});
