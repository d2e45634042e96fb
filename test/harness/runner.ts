/**
 * A runner-like harness for the BUNDLED action (ci-platforms.md §3.5): runs `dist/main/index.js`,
 * then user steps, then `dist/post/index.js`, each as a separate Node 24 process with the
 * runner's file commands, the way actions/runner does:
 *
 * - every step gets fresh GITHUB_ENV, GITHUB_OUTPUT, GITHUB_STATE, GITHUB_STEP_SUMMARY and
 *   GITHUB_PATH files, parsed after it ends (`key=value` or `key<<DELIM` heredocs);
 * - INPUT_<NAME> for every input of action.yml (name upper-cased, spaces → `_`, hyphens KEPT),
 *   defaults applied like the runner does;
 * - the main step's state reaches the post step as STATE_<name>; GITHUB_ENV exports and
 *   GITHUB_PATH additions reach every later step;
 * - the post step runs only when its `post-if` holds (action.yml; the runner's default is
 *   `always()`), so a failed job skips a `post-if: success()` post step like the runner does;
 * - `::error`/`::warning`/`::notice` workflow commands on stdout become annotations.
 *
 * Processes start from a minimal environment (nothing of the test process leaks in but PATH)
 * and are killed at a deadline, so a post step that hangs shows up as `timedOut`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { INPUT_SPECS } from '../../src/inputs/spec.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

// ---------------------------------------------------------------------------------------------
// Parsing what a step wrote

export interface WorkflowCommand {
  /** `warning`, `notice`, `error`, `debug`, `group`, `add-mask`, … */
  readonly command: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly message: string;
}

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  readonly level: AnnotationLevel;
  readonly message: string;
  readonly title?: string;
  readonly properties: Readonly<Record<string, string>>;
  /** Name of the step that printed it. */
  readonly step: string;
}

/** Workflow commands (`::name key=value,…::message`) in a process's stdout, unescaped. */
export function parseWorkflowCommands(stdout: string): WorkflowCommand[] {
  const commands: WorkflowCommand[] = [];
  for (const rawLine of stdout.split(/\r?\n/)) {
    const match = /^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$/.exec(rawLine);
    if (!match) continue;
    const properties: Record<string, string> = {};
    for (const pair of (match[2] ?? '').split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
    }
    commands.push({ command: match[1]!, properties, message: unescapeData(match[3] ?? '') });
  }
  return commands;
}

function unescapeData(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

function unescapeProperty(text: string): string {
  return unescapeData(text.replace(/%3A/g, ':').replace(/%2C/g, ','));
}

/** A GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STATE file: `name=value` lines or `name<<DELIM` heredocs. */
export function parseFileCommand(text: string): Map<string, string> {
  const values = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line);
    const eq = line.indexOf('=');
    if (heredoc && (eq < 0 || line.indexOf('<<') < eq)) {
      const [, name, marker] = heredoc;
      const body: string[] = [];
      let closed = false;
      for (i++; i < lines.length; i++) {
        if (lines[i] === marker) {
          closed = true;
          break;
        }
        body.push(lines[i]!);
      }
      if (!closed) throw new Error(`file command: ${name} has no closing delimiter ${marker}`);
      values.set(name!, body.join('\n'));
    } else if (eq > 0) {
      values.set(line.slice(0, eq), line.slice(eq + 1));
    } else {
      throw new Error(`file command: cannot parse line ${JSON.stringify(line)}`);
    }
  }
  return values;
}

/** `INPUT_` + the input name upper-cased with spaces replaced; hyphens stay (INPUT_MAX-MIRRORS). */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

// ---------------------------------------------------------------------------------------------
// The action's metadata

export interface ActionMetadata {
  readonly inputs: ReadonlyMap<string, string>;
  readonly main: string;
  readonly post: string | null;
  readonly postIf: string;
}

/**
 * Reads action.yml like the runner: input defaults (an expression default such as
 * `${{ github.token }}` becomes ''), entry points and `post-if` (default `always()`). Without
 * action.yml, the inputs table and the contract's entry points stand in.
 */
export function readActionMetadata(actionDir: string): ActionMetadata {
  const file = join(actionDir, 'action.yml');
  if (!existsSync(file)) {
    return {
      inputs: new Map(INPUT_SPECS.map((s) => [s.name, s.default])),
      main: 'dist/main/index.js',
      post: 'dist/post/index.js',
      postIf: 'success()',
    };
  }
  const doc = parseYaml(readFileSync(file, 'utf8')) as {
    inputs?: Record<string, { default?: unknown }>;
    runs?: { main?: string; post?: string; 'post-if'?: string };
  };
  const inputs = new Map<string, string>();
  for (const [name, spec] of Object.entries(doc.inputs ?? {})) {
    const value = spec?.default === undefined ? '' : String(spec.default);
    inputs.set(name, value.includes('${{') ? '' : value);
  }
  return {
    inputs,
    main: doc.runs?.main ?? 'dist/main/index.js',
    post: doc.runs?.post ?? null,
    postIf: doc.runs?.['post-if'] ?? 'always()',
  };
}

// ---------------------------------------------------------------------------------------------
// Running a job

export interface RunnerDirs {
  /** Root of everything below; delete it with removeRunnerDirs. */
  readonly root: string;
  /** GITHUB_WORKSPACE: the same path for every job of a test, so the cache version matches. */
  readonly workspace: string;
  /** HOME: the default GOPATH (and so GOMODCACHE) lives under it. */
  readonly home: string;
  readonly runnerTemp: string;
  readonly toolCache: string;
}

/** Directories of one simulated runner; reuse them for every job of a test. */
export async function createRunnerDirs(label = 'job', owner?: Owner): Promise<RunnerDirs> {
  const root = await mkdtemp(join(tmpdir(), `gps-runner-${label}-`));
  const dirs: RunnerDirs = {
    root,
    workspace: join(root, 'work', 'repo', 'repo'),
    home: join(root, 'home'),
    runnerTemp: join(root, 'temp'),
    toolCache: join(root, 'toolcache'),
  };
  await resetRunner(dirs, { keepWorkspace: false, owner });
  return dirs;
}

export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

/**
 * A fresh runner for the next job: empty HOME (so no module cache), RUNNER_TEMP and tool cache;
 * the workspace (the checkout) stays unless keepWorkspace is false.
 */
export async function resetRunner(
  dirs: RunnerDirs,
  options: { keepWorkspace?: boolean; owner?: Owner } = {},
): Promise<void> {
  const recreate = [dirs.home, dirs.runnerTemp, dirs.toolCache];
  if (options.keepWorkspace === false) recreate.push(dirs.workspace);
  for (const dir of recreate) {
    await removeReadOnlyTree(dir);
    await mkdir(dir, { recursive: true });
  }
  if (options.owner) await chownTree(dirs.root, options.owner);
}

export async function removeRunnerDirs(dirs: RunnerDirs): Promise<void> {
  await removeReadOnlyTree(dirs.root);
}

/** rm -rf that also works on Go's read-only module directories (0555) as a non-root user. */
export async function removeReadOnlyTree(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  await makeWritable(dir);
  await rm(dir, { recursive: true, force: true });
}

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755).catch(() => {});
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  await Promise.all(
    entries.filter((e) => e.isDirectory()).map((e) => makeWritable(join(dir, e.name))),
  );
}

export async function chownTree(dir: string, owner: Owner): Promise<void> {
  const { chown, lchown } = await import('node:fs/promises');
  await chown(dir, owner.uid, owner.gid);
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const child = join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(child, owner);
    else await lchown(child, owner.uid, owner.gid);
  }
}

export interface CommandStep {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Relative to the workspace; default the workspace. */
  readonly cwd?: string;
  /** Step-level `env:`. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Not a runner feature: code the test runs between two steps, in the test process (reset a
 * request log, inspect files). A throw fails the job like a failing step.
 */
export interface HookStep {
  readonly name: string;
  readonly hook: (env: Readonly<Record<string, string>>) => void | Promise<void>;
}

export type JobStep = CommandStep | HookStep;

export function hookStep(name: string, hook: HookStep['hook']): HookStep {
  return { name, hook };
}

/** A `run: go <args>` step; it sees GOPROXY & co. only through the env the action exported. */
export function goStep(args: readonly string[], options: Partial<CommandStep> = {}): CommandStep {
  return { name: `go ${args.join(' ')}`, command: 'go', args, ...options };
}

/** A step that fails (exit 1), to simulate a failed job. */
export function failingStep(name = 'failing step'): CommandStep {
  return { name, command: 'sh', args: ['-c', 'echo "step failed on purpose" >&2; exit 1'] };
}

export interface ActionJobOptions {
  readonly dirs: RunnerDirs;
  /** Inputs by name, as `with:` gives them. */
  readonly inputs?: Readonly<Record<string, string>>;
  /** Job-level env for every step (e.g. GOFLAGS, GONOSUMDB for a fixture). */
  readonly env?: Readonly<Record<string, string>>;
  /** Cache service variables: CacheServer.env(), absentServiceEnv(), or {} for none. */
  readonly cacheService?: Readonly<Record<string, string>>;
  /** Steps between the action's main and post steps. */
  readonly steps?: readonly JobStep[];
  /** Where action.yml and dist/ are; default the repository. */
  readonly actionDir?: string;
  /** Override the entry points (relative to actionDir or absolute). */
  readonly mainEntry?: string;
  readonly postEntry?: string | null;
  /** Override action.yml's `post-if`. */
  readonly postIf?: string;
  /** Extra node flags (e.g. a loader for a test entry point). */
  readonly nodeArgs?: readonly string[];
  /** Per process deadline; default 120 s. */
  readonly timeoutMs?: number;
  /** Run every process as this user (root in a container ignores file modes). */
  readonly owner?: Owner;
  readonly runnerOs?: string;
  readonly runnerArch?: string;
  readonly runnerEnvironment?: 'github-hosted' | 'self-hosted';
}

export type StepKind = 'main' | 'run' | 'post';
export type StepOutcome = 'success' | 'failure' | 'skipped';

export interface StepResult {
  readonly name: string;
  readonly kind: StepKind;
  readonly outcome: StepOutcome;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly annotations: readonly Annotation[];
  /** What this step wrote to its file commands. */
  readonly env: Readonly<Record<string, string>>;
  readonly outputs: Readonly<Record<string, string>>;
  readonly state: Readonly<Record<string, string>>;
  readonly path: readonly string[];
  readonly summary: string;
}

export interface JobResult {
  readonly main: StepResult;
  readonly steps: readonly StepResult[];
  /** null when the post step did not run (post-if false, or the action has none). */
  readonly post: StepResult | null;
  /** The main step's outputs (`steps.<id>.outputs`). */
  readonly outputs: Readonly<Record<string, string>>;
  /** Everything the steps exported through GITHUB_ENV (later exports win). */
  readonly env: Readonly<Record<string, string>>;
  /** The main step's state, as handed to the post step. */
  readonly state: Readonly<Record<string, string>>;
  readonly path: readonly string[];
  /** Every step's summary, in order, as the job summary shows them. */
  readonly summary: string;
  readonly annotations: readonly Annotation[];
  /** Every step that ran succeeded. */
  readonly success: boolean;
}

export async function runActionJob(options: ActionJobOptions): Promise<JobResult> {
  const actionDir = options.actionDir ?? REPO_ROOT;
  const metadata = readActionMetadata(actionDir);
  const mainEntry = resolve(actionDir, options.mainEntry ?? metadata.main);
  const postSetting = options.postEntry === undefined ? metadata.post : options.postEntry;
  const postEntry = postSetting === null ? null : resolve(actionDir, postSetting);
  const inputs = inputEnv(metadata.inputs, options.inputs ?? {});
  const jobEnv: Record<string, string> = { ...baseEnv(options), ...(options.env ?? {}) };
  const exported: Record<string, string> = {};
  const pathAdditions: string[] = [];
  const node = nodeBinary(actionDir);
  const nodeArgs = options.nodeArgs ?? [];
  let counter = 0;

  const runStep = async (
    name: string,
    kind: StepKind,
    command: string,
    args: readonly string[],
    extraEnv: Record<string, string>,
    cwd: string,
  ): Promise<StepResult> => {
    const files = await fileCommandFiles(
      options.dirs.runnerTemp,
      `${kind}_${++counter}`,
      options.owner,
    );
    const env = withPath({ ...jobEnv, ...extraEnv, ...files.env }, pathAdditions);
    const run = await runProcess(command, args, {
      cwd,
      env,
      timeoutMs: options.timeoutMs ?? 120_000,
      owner: options.owner,
    });
    const written = await files.read();
    const annotations = annotationsOf(run.stdout, name);
    const ok = run.exitCode === 0 && !run.timedOut;
    Object.assign(jobEnv, written.env);
    Object.assign(exported, written.env);
    pathAdditions.unshift(...[...written.path].reverse());
    return { name, kind, outcome: ok ? 'success' : 'failure', ...run, annotations, ...written };
  };

  const main = await runStep(
    'main',
    'main',
    node,
    [...nodeArgs, mainEntry],
    inputs,
    options.dirs.workspace,
  );
  let failed = main.outcome !== 'success';
  const steps: StepResult[] = [];
  for (const step of options.steps ?? []) {
    if (failed) {
      steps.push(skippedStep(step.name));
      continue;
    }
    if ('hook' in step) {
      const result = await runHook(step, jobEnv);
      steps.push(result);
      failed ||= result.outcome !== 'success';
      continue;
    }
    const cwd = resolve(options.dirs.workspace, step.cwd ?? '.');
    const result = await runStep(
      step.name,
      'run',
      step.command,
      step.args,
      { ...(step.env ?? {}) },
      cwd,
    );
    steps.push(result);
    failed ||= result.outcome !== 'success';
  }
  let post: StepResult | null = null;
  const postIf = options.postIf ?? metadata.postIf;
  if (postEntry !== null && postConditionHolds(postIf, failed)) {
    const stateEnv = Object.fromEntries(
      Object.entries(main.state).map(([k, v]) => [`STATE_${k}`, v]),
    );
    post = await runStep(
      'post',
      'post',
      node,
      [...nodeArgs, postEntry],
      { ...inputs, ...stateEnv },
      options.dirs.workspace,
    );
    failed ||= post.outcome !== 'success';
  }
  const all = [main, ...steps, ...(post ? [post] : [])];
  return {
    main,
    steps,
    post,
    outputs: main.outputs,
    env: exported,
    state: main.state,
    path: [...pathAdditions],
    summary: all.map((s) => s.summary).join(''),
    annotations: all.flatMap((s) => s.annotations),
    success: !failed,
  };
}

/** Annotations (error/warning/notice commands) a process printed. */
export function annotationsOf(stdout: string, step: string): Annotation[] {
  return parseWorkflowCommands(stdout)
    .filter((c): c is WorkflowCommand & { command: AnnotationLevel } =>
      ['error', 'warning', 'notice'].includes(c.command),
    )
    .map((c) => ({
      level: c.command,
      message: c.message,
      ...(c.properties.title !== undefined ? { title: c.properties.title } : {}),
      properties: c.properties,
      step,
    }));
}

/** The few `post-if` expressions actions use; anything else is an error in the test. */
function postConditionHolds(expression: string, failed: boolean): boolean {
  const e = expression.replace(/^\$\{\{\s*|\s*\}\}$/g, '').trim();
  if (e === 'always()') return true;
  if (e === 'success()') return !failed;
  if (e === 'failure()') return failed;
  if (e === 'cancelled()') return false;
  throw new Error(`harness: unsupported post-if expression ${JSON.stringify(expression)}`);
}

async function runHook(step: HookStep, env: Readonly<Record<string, string>>): Promise<StepResult> {
  const started = performance.now();
  let stderr = '';
  try {
    await step.hook({ ...env });
  } catch (error) {
    stderr = error instanceof Error ? (error.stack ?? error.message) : String(error);
  }
  return {
    ...skippedStep(step.name),
    outcome: stderr === '' ? 'success' : 'failure',
    exitCode: stderr === '' ? 0 : 1,
    durationMs: performance.now() - started,
    stderr,
  };
}

function skippedStep(name: string): StepResult {
  return {
    name,
    kind: 'run',
    outcome: 'skipped',
    exitCode: null,
    signal: null,
    timedOut: false,
    durationMs: 0,
    stdout: '',
    stderr: '',
    annotations: [],
    env: {},
    outputs: {},
    state: {},
    path: [],
    summary: '',
  };
}

function inputEnv(
  defaults: ReadonlyMap<string, string>,
  given: Readonly<Record<string, string>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of defaults) env[inputVariable(name)] = value;
  for (const [name, value] of Object.entries(given)) env[inputVariable(name)] = value;
  return env;
}

function baseEnv(options: ActionJobOptions): Record<string, string> {
  const { dirs } = options;
  return {
    PATH: runnerPath(options.owner),
    HOME: dirs.home,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: 'go-proxy-setup',
    GITHUB_WORKSPACE: dirs.workspace,
    GITHUB_REPOSITORY: 'octo-org/octo-repo',
    GITHUB_REPOSITORY_OWNER: 'octo-org',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: '0000000000000000000000000000000000000000',
    GITHUB_RUN_ID: '1',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'build',
    // github.com (not GHES), so @actions/cache chooses the v2 service when ACTIONS_CACHE_SERVICE_V2 is set.
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    RUNNER_OS: options.runnerOs ?? 'Linux',
    RUNNER_ARCH: options.runnerArch ?? 'X64',
    RUNNER_ENVIRONMENT: options.runnerEnvironment ?? 'github-hosted',
    RUNNER_TEMP: dirs.runnerTemp,
    RUNNER_TOOL_CACHE: dirs.toolCache,
    ...(options.cacheService ?? {}),
  };
}

/** The test's PATH; for another user, without the entries in our home it cannot read. */
function runnerPath(owner: Owner | undefined): string {
  const entries = (process.env.PATH ?? '/usr/bin:/bin').split(delimiter);
  if (!owner) return entries.join(delimiter);
  const home = homedir();
  return entries.filter((e) => e !== home && !e.startsWith(`${home}/`)).join(delimiter);
}

function withPath(
  env: Record<string, string>,
  additions: readonly string[],
): Record<string, string> {
  if (additions.length === 0) return env;
  return { ...env, PATH: [...additions, env.PATH ?? ''].join(delimiter) };
}

interface FileCommands {
  readonly env: Record<string, string>;
  read(): Promise<Pick<StepResult, 'env' | 'outputs' | 'state' | 'path' | 'summary'>>;
}

async function fileCommandFiles(
  runnerTemp: string,
  label: string,
  owner?: Owner,
): Promise<FileCommands> {
  const dir = join(runnerTemp, '_runner_file_commands');
  await mkdir(dir, { recursive: true });
  const suffix = `${label}_${randomBytes(4).toString('hex')}`;
  const names = {
    GITHUB_ENV: join(dir, `set_env_${suffix}`),
    GITHUB_OUTPUT: join(dir, `set_output_${suffix}`),
    GITHUB_STATE: join(dir, `save_state_${suffix}`),
    GITHUB_STEP_SUMMARY: join(dir, `step_summary_${suffix}`),
    GITHUB_PATH: join(dir, `add_path_${suffix}`),
  };
  for (const file of Object.values(names)) {
    await writeFile(file, '');
    if (owner) await chownTree(file, owner).catch(() => {});
  }
  if (owner) await chownTree(dir, owner).catch(() => {});
  return {
    env: names,
    read: async () => ({
      env: Object.fromEntries(parseFileCommand(await readFile(names.GITHUB_ENV, 'utf8'))),
      outputs: Object.fromEntries(parseFileCommand(await readFile(names.GITHUB_OUTPUT, 'utf8'))),
      state: Object.fromEntries(parseFileCommand(await readFile(names.GITHUB_STATE, 'utf8'))),
      path: (await readFile(names.GITHUB_PATH, 'utf8')).split(/\r?\n/).filter((l) => l !== ''),
      summary: await readFile(names.GITHUB_STEP_SUMMARY, 'utf8'),
    }),
  };
}

/** Node 24, as `runs.using: node24`: the test's own node when it is 24+, else the devDependency. */
export function nodeBinary(actionDir = REPO_ROOT): string {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 24) return process.execPath;
  return join(actionDir, 'node_modules', '.bin', 'node');
}

export interface ProcessRun {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runProcess(
  command: string,
  args: readonly string[],
  options: {
    cwd: string;
    env: Record<string, string>;
    timeoutMs: number;
    owner?: Owner | undefined;
  },
): Promise<ProcessRun> {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.owner ? { uid: options.owner.uid, gid: options.owner.gid } : {}),
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolvePromise({
        exitCode,
        signal,
        timedOut,
        durationMs: performance.now() - started,
        stdout,
        stderr,
      });
    });
  });
}
