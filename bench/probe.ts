/**
 * Our side: the probe and the selection exactly as src/orchestrators/configure.ts wires them
 * (candidates from the `mirrors` input, probe modules chosen from go.mod, the database from
 * GOSUMDB), with the action's realistic settings: timeout 10 s, max-mirrors 2, fallback direct.
 */
import { execFile } from 'node:child_process';
import { parseGoMod } from '../src/goenv/gomod.js';
import { parseGosumdb, toChecksumDatabase } from '../src/goenv/gosumdb.js';
import { buildCandidates } from '../src/probe/catalog.js';
import { runProbe } from '../src/probe/engine.js';
import { chooseProbeModules } from '../src/probe/modules.js';
import type { Candidate, ChecksumDatabase, ModuleRef, ProbeRun } from '../src/probe/types.js';
import { selectSettings } from '../src/select/select.js';
import type { Selection } from '../src/select/types.js';

export const PROBE_TIMEOUT_MS = 10_000;
export const MAX_MIRRORS = 2;

export interface ProbeSetup {
  readonly modules: readonly ModuleRef[];
  readonly database: ChecksumDatabase;
  readonly goVersion: string | null;
  /** What the http client reads: SSL_CERT_FILE (the simulator CA), HOME (no .netrc), no proxies. */
  readonly env: Readonly<Record<string, string>>;
}

export interface OurRun {
  /** runProbe + selectSettings, wall clock. */
  readonly wallMs: number;
  readonly run: ProbeRun;
  readonly selection: Selection;
}

export function probeSetup(
  goModText: string,
  gosumdb: string,
  goVersion: string | null,
  env: Readonly<Record<string, string>>,
): ProbeSetup {
  const modules = chooseProbeModules('auto', parseGoMod(goModText), '').public;
  const parsed = parseGosumdb(gosumdb);
  if (!parsed.ok || parsed.db.kind !== 'db') throw new Error(`bad GOSUMDB for the bench: ${gosumdb}`);
  return { modules, database: toChecksumDatabase(parsed.db), goVersion, env };
}

export function candidatesFor(urls: readonly string[]): Candidate[] {
  return buildCandidates({ mirrors: urls });
}

export async function runOurs(setup: ProbeSetup, candidates: readonly Candidate[]): Promise<OurRun> {
  const started = performance.now();
  const run = await runProbe({
    candidates,
    modules: setup.modules,
    privateModules: [],
    privatePatterns: '',
    database: setup.database,
    timeoutMs: PROBE_TIMEOUT_MS,
    maxMirrors: MAX_MIRRORS,
    env: setup.env,
  });
  const selection = selectSettings(run, {
    fallback: 'direct',
    maxMirrors: MAX_MIRRORS,
    gosumdb: 'auto',
    goVersion: setup.goVersion,
    privatePatterns: [],
    existingGoproxy: null,
  });
  return { wallMs: performance.now() - started, run, selection };
}

/** The chosen public mirror of rank 1, if any. */
export function firstChoice(selection: Selection): Candidate | null {
  const first = selection.chain.find((e) => e.kind === 'mirror');
  return first?.probe?.candidate ?? null;
}

/** `go env GOVERSION`, as configure.ts detects it (GOTOOLCHAIN=local). */
export function detectGoVersion(): Promise<string | null> {
  return new Promise((done) => {
    execFile(
      'go',
      ['env', 'GOVERSION'],
      { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', GOTOOLCHAIN: 'local', GOFLAGS: '' }, timeout: 10_000 },
      (error, stdout) => done(error ? null : stdout.trim() || null),
    );
  });
}
