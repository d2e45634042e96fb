/**
 * The phase every front end shares: read the repository, derive the private patterns, probe the
 * candidate mirrors, select the settings and build the report. It decides; it writes nothing —
 * the callers (GitHub main step, CLI, GitLab job) apply the result their own way.
 */
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_GOSUMDB } from '../constants.js';
import { InputError } from '../errors.js';
import { type GoMod, parseGoMod } from '../goenv/gomod.js';
import { parseGosumdb, toChecksumDatabase } from '../goenv/gosumdb.js';
import { parseGoVersion } from '../goenv/goversion.js';
import type { Inputs } from '../inputs/inputs.js';
import type { Platform } from '../platform/platform.js';
import { derivePrivatePatterns } from '../private/derive.js';
import { readEventRepository, readOriginUrl } from '../private/git.js';
import { buildCandidates } from '../probe/catalog.js';
import { runProbe } from '../probe/engine.js';
import { chooseProbeModules } from '../probe/modules.js';
import type { ChecksumDatabase } from '../probe/types.js';
import type { Redactor } from '../redact.js';
import { buildReport } from '../report/build.js';
import type { Finding, Report } from '../report/types.js';
import { selectSettings } from '../select/select.js';
import type { Selection } from '../select/types.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ConfigureContext {
  readonly inputs: Inputs;
  readonly platform: Platform;
  readonly redactor: Redactor;
  readonly env: Env;
  /** Directory `working-directory` is relative to. */
  readonly cwd: string;
  /** Findings from the caller's earlier phases (e.g. the cache restore), merged into the report. */
  readonly extraFindings?: readonly Finding[];
}

export interface Configured {
  readonly report: Report;
  readonly selection: Selection;
  /** GOPRIVATE as written (merged, no spaces); empty when there are no private patterns. */
  readonly goprivate: string;
  /** Owners/hosts the private patterns came from, for opt-in credentials. */
  readonly privatePatterns: readonly string[];
}

export async function configure(ctx: ConfigureContext): Promise<Configured> {
  const { inputs, platform, env } = ctx;
  const startedAt = new Date().toISOString();
  const workDir = resolve(ctx.cwd, inputs.workingDirectory.value);
  const goMod = await readGoMod(workDir, platform);

  const originUrl = await readOriginUrl(workDir, { env });
  if (originUrl) ctx.redactor.addUrl(originUrl);
  const privacy = derivePrivatePatterns({
    mode: modeOf(inputs.goprivateFromRemote.value),
    env,
    goprivateInput: inputs.goprivate.value,
    originUrl,
    eventRepository: await readEventRepository(env),
    goMod: goMod
      ? { modulePath: goMod.module, requirements: goMod.requires.map((r) => r.path) }
      : null,
  });
  const privatePatterns = privacy.patterns.map((p) => p.pattern);
  const offPublicPatterns = [privacy.goprivate, env.GONOPROXY ?? '', env.GONOSUMDB ?? '']
    .filter((value) => value !== '')
    .join(',');

  const modules = chooseProbeModules(inputs.probeModules.value, goMod, offPublicPatterns);
  const candidates = buildCandidates({
    mirrors: inputs.mirrors.value,
    envGoproxy: inputs.environment.GOPROXY?.raw ?? null,
    privateProxy: inputs.privateProxy.value,
  });
  const database = checksumDatabase(inputs, env);
  const goVersion = await detectGoVersion(env);
  platform.debug(`go version: ${goVersion ?? 'unknown'}`);

  const probeFindings = modules.public.length === 0 ? [allModulesPrivateFinding()] : [];
  platform.info(
    `Probing ${candidates.length} mirror(s) with ${modules.public.map(moduleText).join(', ') || 'no public module'} (deadline ${inputs.timeoutSeconds.value} s)…`,
  );
  const run = await runProbe({
    candidates,
    modules: modules.public,
    privateModules: modules.private,
    privatePatterns: offPublicPatterns,
    database,
    timeoutMs: inputs.timeoutSeconds.value * 1000,
    maxMirrors: inputs.maxMirrors.value,
    env,
  });

  const selection = selectSettings(run, {
    fallback: inputs.fallback.value,
    maxMirrors: inputs.maxMirrors.value,
    gosumdb: gosumdbInputText(inputs),
    goVersion,
    privatePatterns,
    existingGoproxy: inputs.environment.GOPROXY?.raw ?? null,
  });

  const report = buildReport({
    run,
    selection,
    privatePatterns: privacy.patterns,
    probeModules: [
      ...modules.public.map((m) => ({ path: m.path, version: m.version, source: modules.source })),
      ...modules.private.map((m) => ({ path: m.path, version: m.version, source: modules.source })),
    ],
    extraFindings: [
      ...privacy.findings,
      ...environmentFindings(inputs),
      ...probeFindings,
      ...(ctx.extraFindings ?? []),
    ],
    startedAt,
    goprivate: privacy.goprivate,
  });
  return { report, selection, goprivate: privacy.goprivate, privatePatterns };
}

/** `working-directory` must exist: a typo would otherwise silently disable go.mod, git and cache keys. */
export async function assertWorkingDirectory(inputs: Inputs, cwd: string): Promise<void> {
  const dir = resolve(cwd, inputs.workingDirectory.value);
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) {
    throw new InputError(
      `Invalid input 'working-directory': "${inputs.workingDirectory.value}" is not a directory (allowed: a directory, relative to ${cwd}).`,
    );
  }
}

function allModulesPrivateFinding(): Finding {
  return {
    level: 'notice',
    code: 'no-public-probe-module',
    title: 'Mirrors checked for reachability only',
    message:
      'Every probe module matches the private patterns, so no module path was sent to the public mirrors; they were ranked on reachability alone. Modules matching GOPRIVATE/GONOPROXY bypass GOPROXY anyway.',
  };
}

/** The database to probe: the one the `gosumdb` input names, else GOSUMDB from the environment, else sum.golang.org. */
function checksumDatabase(inputs: Inputs, env: Env): ChecksumDatabase {
  const chosen = inputs.gosumdb.value;
  if (chosen !== 'auto' && chosen.kind === 'db') return toChecksumDatabase(chosen);
  const fromEnv = inputs.environment.GOSUMDB?.value;
  if (fromEnv && fromEnv.kind === 'db') return toChecksumDatabase(fromEnv);
  const fallback = parseGosumdb(DEFAULT_GOSUMDB);
  if (!fallback.ok || fallback.db.kind !== 'db')
    throw new Error('built-in GOSUMDB default is invalid');
  void env;
  return toChecksumDatabase(fallback.db);
}

/** The `gosumdb` input as text for selection; `off` from the environment counts as the user's choice. */
function gosumdbInputText(inputs: Inputs): string {
  const chosen = inputs.gosumdb.value;
  if (chosen === 'auto') return inputs.environment.GOSUMDB?.value?.kind === 'off' ? 'off' : 'auto';
  return chosen.kind === 'off' ? 'off' : chosen.value;
}

function modeOf(value: 'auto' | boolean): 'auto' | 'true' | 'false' {
  return value === 'auto' ? 'auto' : value ? 'true' : 'false';
}

function moduleText(m: { path: string; version: string | null }): string {
  return m.version ? `${m.path}@${m.version}` : m.path;
}

function environmentFindings(inputs: Inputs): Finding[] {
  return inputs.environment.problems.map((problem) => ({
    level: 'warning' as const,
    code: 'environment-problem',
    title: `${problem.variable} in the environment`,
    message: problem.message,
  }));
}

async function readGoMod(workDir: string, platform: Platform): Promise<GoMod | null> {
  let text: string;
  try {
    text = await readFile(resolve(workDir, 'go.mod'), 'utf8');
  } catch {
    platform.debug(`no go.mod in ${workDir}`);
    return null;
  }
  try {
    return parseGoMod(text);
  } catch (error) {
    platform.warning(
      `go.mod could not be read: ${error instanceof Error ? error.message : String(error)}`,
    );
    return null;
  }
}

/**
 * The local Go's version, to know whether it understands `|` (Go 1.15+). GOTOOLCHAIN=local keeps a
 * newer go from downloading a toolchain (and writing into the module cache) just to answer.
 */
async function detectGoVersion(env: Env): Promise<string | null> {
  return new Promise((done) => {
    execFile(
      'go',
      ['env', 'GOVERSION'],
      { env: { ...env, GOTOOLCHAIN: 'local', GOFLAGS: '' }, timeout: 10_000 },
      (error, stdout) => {
        if (error) return done(null);
        const parsed = parseGoVersion(stdout.trim());
        done(parsed ? stdout.trim() : null);
      },
    );
  });
}
