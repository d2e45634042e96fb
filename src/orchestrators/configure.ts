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
import { type EffectiveGoEnv, readEffectiveGoEnv } from '../goenv/effective-env.js';
import { type GoMod, parseGoMod } from '../goenv/gomod.js';
import { parseGosumdb, toChecksumDatabase } from '../goenv/gosumdb.js';
import { parseGoVersion } from '../goenv/goversion.js';
import { matchPrefixPatterns } from '../goenv/patterns.js';
import { type EnvironmentSettings, type Inputs, parseEnvironment } from '../inputs/inputs.js';
import type { Platform } from '../platform/platform.js';
import { derivePrivatePatterns } from '../private/derive.js';
import { readEventRepository, readOriginUrl } from '../private/git.js';
import { planCandidates } from '../probe/catalog.js';
import { runProbe } from '../probe/engine.js';
import { chooseProbeModules, probeOnlyPrivatePatterns } from '../probe/modules.js';
import type { Candidate, ChecksumDatabase, ModuleRef } from '../probe/types.js';
import { type Redactor, stripCredentials } from '../redact.js';
import { buildReport } from '../report/build.js';
import type { Finding, Report } from '../report/types.js';
import { effectiveGonoproxy } from '../select/chain.js';
import { envPrivateProxyFinding } from '../select/findings.js';
import { selectSettings } from '../select/select.js';
import type { Selection } from '../select/types.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ConfigureContext {
  readonly inputs: Inputs;
  readonly platform: Platform;
  readonly redactor: Redactor;
  /** The environment: the OS one, or already overlaid on the go env file (readEffectiveGoEnv). */
  readonly env: Env;
  /**
   * The go env file, already read by the caller (who gave `goEnv.env` to parseInputs too). When
   * absent, configure reads it itself: settings made with `go env -w` must never be missed.
   */
  readonly goEnv?: EffectiveGoEnv;
  /** Directory `working-directory` is relative to. */
  readonly cwd: string;
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
  const { inputs, platform } = ctx;
  const startedAt = new Date().toISOString();
  const goEnv = ctx.goEnv ?? (await readEffectiveGoEnv(ctx.env, process.platform));
  const env = goEnv.env;
  if (goEnv.fromFile.length > 0) {
    platform.info(
      `${goEnv.fromFile.join(', ')} from the go env file ${goEnv.file} (go env -w); the environment overrides it where set.`,
    );
  }
  // The Go variables as the go command sees them, file values included.
  const environment = parseEnvironment(env);
  registerEnvironmentSecrets(environment, ctx.redactor);
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

  const sumdbInput = gosumdbInputText(inputs, environment);
  const modules = chooseProbeModules(inputs.probeModules.value, goMod, offPublicPatterns, {
    probeOnlyPrivate: probeOnlyPrivatePatterns(privacy.repositories, goMod?.module ?? null).join(
      ',',
    ),
    checksumDatabaseOff: sumdbInput === 'off',
  });
  const plan = planCandidates({
    mirrors: inputs.mirrors.value,
    envGoproxy: environment.GOPROXY?.raw ?? null,
    privateProxy: inputs.privateProxy.value,
    privatePathsDeclared: privacy.goprivate !== '' || (env.GONOPROXY ?? '') !== '',
  });
  const { candidates } = plan;
  const privateModules = modulesThroughPrivateProxy(
    modules.private,
    candidates.find((c) => c.isPrivate) ?? null,
    privatePatterns,
    env.GONOPROXY ?? null,
  );
  const database = checksumDatabase(inputs, environment);
  const goVersion = await detectGoVersion(env);
  platform.debug(`go version: ${goVersion ?? 'unknown'}`);

  const probeFindings = modules.public.length === 0 ? [allModulesPrivateFinding()] : [];
  if (plan.envPrivateProxy) {
    probeFindings.push(
      envPrivateProxyFinding(
        plan.envPrivateProxy,
        inputs.privateProxy.value ? stripCredentials(inputs.privateProxy.value) : null,
      ),
    );
  }
  platform.info(
    `Probing ${candidates.length} mirror(s) with ${modules.public.map(moduleText).join(', ') || 'no public module'} (deadline ${inputs.timeoutSeconds.value} s)…`,
  );
  const run = await runProbe({
    candidates,
    modules: modules.public,
    privateModules,
    // Every pattern a probe module was kept off public services for, so the engine refuses them too.
    privatePatterns: [offPublicPatterns, modules.probeOnlyPrivate]
      .filter((value) => value !== '')
      .join(','),
    database,
    timeoutMs: inputs.timeoutSeconds.value * 1000,
    maxMirrors: inputs.maxMirrors.value,
    // The chain context the selection will use, so the early stop judges routes the same way.
    fallback: inputs.fallback.value,
    goVersion,
    gosumdb: sumdbInput,
    env,
  });

  const selection = selectSettings(run, {
    fallback: inputs.fallback.value,
    maxMirrors: inputs.maxMirrors.value,
    gosumdb: sumdbInput,
    goVersion,
    privatePatterns,
    existingGoproxy: environment.GOPROXY?.raw ?? null,
    userGonoproxy: env.GONOPROXY ?? null,
    userGonosumdb: env.GONOSUMDB ?? null,
    envPrivateProxyUrl: plan.envPrivateProxy?.url ?? null,
  });

  const report = buildReport({
    run,
    selection,
    privatePatterns: privacy.patterns,
    probeModules: [
      ...modules.public.map((m) => ({ path: m.path, version: m.version, source: modules.source })),
      // Only those actually asked for (at the private proxy).
      ...privateModules.map((m) => ({ path: m.path, version: m.version, source: modules.source })),
    ],
    extraFindings: [...privacy.findings, ...environmentFindings(environment), ...probeFindings],
    startedAt,
    goprivate: privacy.goprivate,
  });
  return { report, selection, goprivate: privacy.goprivate, privatePatterns };
}

/**
 * The private modules worth asking the private proxy about: those Go will send through GOPROXY.
 * Modules matching GONOPROXY as it will be (`none` for the private-proxy input, the user's value,
 * else GOPRIVATE) go straight to version control; a 404 for them at the proxy would mean nothing.
 */
function modulesThroughPrivateProxy(
  modules: readonly ModuleRef[],
  privateProxy: Candidate | null,
  privatePatterns: readonly string[],
  userGonoproxy: string | null,
): ModuleRef[] {
  if (privateProxy === null) return [];
  const kind = privateProxy.origin === 'private' ? 'input' : 'env';
  const noproxy = effectiveGonoproxy(kind, privatePatterns, { GONOPROXY: userGonoproxy });
  return modules.filter((m) => noproxy === '' || !matchPrefixPatterns(noproxy, m.path));
}

/**
 * Credentials in a GOPROXY (or GOSUMDB URL) that came from the go env file are secrets too:
 * parseInputs may have seen only the OS environment. Raw entries as well as parsed ones, so an
 * entry Go rejects stays masked.
 */
function registerEnvironmentSecrets(environment: EnvironmentSettings, redactor: Redactor): void {
  for (const entry of environment.GOPROXY?.value?.entries ?? []) {
    if (entry.kind === 'url') redactor.addUrl(entry.url);
  }
  for (const raw of (environment.GOPROXY?.raw ?? '').split(/[,|]/)) {
    const entry = raw.trim();
    if (entry !== '' && entry !== 'direct' && entry !== 'off') redactor.addUrl(entry);
  }
  const sumdb = environment.GOSUMDB?.value;
  if (sumdb && sumdb.kind === 'db' && sumdb.url) redactor.addUrl(sumdb.url);
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
function checksumDatabase(inputs: Inputs, environment: EnvironmentSettings): ChecksumDatabase {
  const chosen = inputs.gosumdb.value;
  if (chosen !== 'auto' && chosen.kind === 'db') return toChecksumDatabase(chosen);
  const fromEnv = environment.GOSUMDB?.value;
  if (fromEnv && fromEnv.kind === 'db') return toChecksumDatabase(fromEnv);
  const fallback = parseGosumdb(DEFAULT_GOSUMDB);
  if (!fallback.ok || fallback.db.kind !== 'db')
    throw new Error('built-in GOSUMDB default is invalid');
  return toChecksumDatabase(fallback.db);
}

/** The `gosumdb` input as text for selection; `off` from the environment counts as the user's choice. */
function gosumdbInputText(inputs: Inputs, environment: EnvironmentSettings): string {
  const chosen = inputs.gosumdb.value;
  if (chosen === 'auto') return environment.GOSUMDB?.value?.kind === 'off' ? 'off' : 'auto';
  return chosen.kind === 'off' ? 'off' : chosen.value;
}

function modeOf(value: 'auto' | boolean): 'auto' | 'true' | 'false' {
  return value === 'auto' ? 'auto' : value ? 'true' : 'false';
}

function moduleText(m: { path: string; version: string | null }): string {
  return m.version ? `${m.path}@${m.version}` : m.path;
}

function environmentFindings(environment: EnvironmentSettings): Finding[] {
  return environment.problems.map((problem) => ({
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
 * The local Go's version, to know whether it understands `|` (Go 1.15+). `go version` works in
 * every release (`go env GOVERSION` is unknown before Go 1.16: it prints an empty line and exits
 * 0). GOTOOLCHAIN=local keeps a newer go from downloading a toolchain (and writing into the module
 * cache) just to answer; GOFLAGS is cleared so a bad flag in it cannot fail the command.
 */
export async function detectGoVersion(
  env: Env,
  options: { readonly command?: string; readonly timeoutMs?: number } = {},
): Promise<string | null> {
  return new Promise((done) => {
    execFile(
      options.command ?? 'go',
      ['version'],
      {
        env: { ...env, GOTOOLCHAIN: 'local', GOFLAGS: '' },
        timeout: options.timeoutMs ?? 5_000,
        killSignal: 'SIGKILL',
      },
      (error, stdout) => {
        if (error) return done(null);
        done(parseGoVersion(stdout)?.raw ?? null);
      },
    );
  });
}
