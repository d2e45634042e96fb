/**
 * Runs GitLab pipelines locally with gitlab-ci-local (the exact devDependency version, under the
 * repository's Node 24): a throw-away git repository laid out as the component project (gitlab/
 * at its root, so `include: component:` at the HEAD commit resolves to templates/ of this tree),
 * plus whatever consumer files a test adds. Nothing is inherited from the caller's environment
 * but PATH: HOME is a temp directory too, so no job writes to the real home (go env, ~/.netrc).
 *
 * gitlab-ci-local facts this relies on (ci-platforms.md §15, checked against its 4.75.1 source):
 * - a component is "local" when its project path equals the origin's `<group>/<project>` and its
 *   ref equals the HEAD SHA; it is then read from `<cwd>/templates/<name>.yml`;
 * - `--shell-isolation` runs each job in `.gitlab-ci-local/builds/<job>/`, a copy of the *tracked*
 *   files (untracked ones are left out), and only then are caches saved and restored;
 * - jobs with `image:` need `--force-shell-executor` here (no Docker); gitlab-ci-local then still
 *   sets CI_PROJECT_DIR to `/builds/<group>/<project>` for them, so a job that uses
 *   CI_PROJECT_DIR (the Go job: GOMODCACHE) must have no `image:`.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { VERSION } from '../../src/version.js';
import { removeGoTree } from '../simulator/index.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const GITLAB_DIR = join(REPO_ROOT, 'gitlab');
export const COMPONENT_TEMPLATE = join(GITLAB_DIR, 'templates', 'go-proxy-setup.yml');
/** The CLI bundle the component runs in tests instead of `npx go-proxy-setup@<version>`. */
export const CLI_PATH = join(REPO_ROOT, 'dist', 'cli', 'index.js');
const BIN_DIR = join(REPO_ROOT, 'node_modules', '.bin');
const GITLAB_CI_LOCAL = join(BIN_DIR, 'gitlab-ci-local');

/** Where the component project lives on the (imaginary) GitLab instance. */
export const COMPONENT_HOST = 'gitlab.example.com';
export const COMPONENT_PROJECT_PATH = 'acme/go-proxy-setup';
export const COMPONENT_REMOTE = `https://${COMPONENT_HOST}/${COMPONENT_PROJECT_PATH}.git`;

/** PATH for gitlab-ci-local and its jobs: node_modules/.bin first, so `node` is the repository's Node 24. */
export function jobPath(): string {
  return [BIN_DIR, process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'].join(':');
}

/**
 * The pipeline tests run the committed bundle, as the component's `command` would run the npm
 * package; fail with one clear line when it is missing or stale instead of a confusing job log.
 */
export async function assertCliBuilt(): Promise<void> {
  const result = await run(join(BIN_DIR, 'node'), [CLI_PATH, '--version'], {
    cwd: REPO_ROOT,
    env: { PATH: jobPath() },
    check: false,
  }).catch((error: Error) => ({ code: null, stdout: error.message, output: error.message }));
  if (result.code !== 0 || result.stdout.trim() !== VERSION) {
    throw new Error(
      `${CLI_PATH} is not a working CLI bundle of version ${VERSION} (\`--version\` printed ${JSON.stringify(result.output.trim())}, exit ${result.code}): run \`npm run build\`.`,
    );
  }
}

export interface ComponentProject {
  /** The git work tree: gitlab-ci-local's cwd. */
  readonly dir: string;
  /** HOME of gitlab-ci-local and of every job it runs. */
  readonly home: string;
  /** HEAD commit (what `@$CI_COMMIT_SHA` resolves to). */
  readonly sha: string;
  /** Removes everything, including a module cache Go made read-only. */
  cleanup(): Promise<void>;
}

export interface ProjectOptions {
  /** Files to add or replace, relative to the project root (e.g. the consumer's .gitlab-ci.yml, go.mod). */
  readonly files?: Readonly<Record<string, string>>;
  /** The origin remote (default COMPONENT_REMOTE); a runner may put the job token in it. */
  readonly remote?: string;
}

/**
 * A git repository holding a copy of gitlab/ (the component project's root) and `files`, all
 * committed, with `origin` set. gitlab-ci-local copies only tracked files into a job, so
 * everything a job needs must be in `files`.
 */
export async function createComponentProject(
  options: ProjectOptions = {},
): Promise<ComponentProject> {
  const root = await mkdtemp(join(tmpdir(), 'gps-gitlab-'));
  const dir = join(root, 'project');
  const home = join(root, 'home');
  const cleanup = () => removeGoTree(root);
  try {
    await mkdir(home, { recursive: true });
    await cp(GITLAB_DIR, dir, {
      recursive: true,
      filter: (source) => !source.split('/').includes('.gitlab-ci-local'),
    });
    for (const [name, content] of Object.entries(options.files ?? {})) {
      await mkdir(join(dir, name, '..'), { recursive: true });
      await writeFile(join(dir, name), content);
    }
    const git = (...args: string[]) => run('git', args, { cwd: dir, env: gitEnv(home) });
    await git('init', '--quiet', '--initial-branch=main');
    await git('config', 'user.name', 'Test Runner');
    await git('config', 'user.email', 'runner@example.com');
    await git('remote', 'add', 'origin', options.remote ?? COMPONENT_REMOTE);
    await git('add', '--all');
    await git('commit', '--quiet', '--no-gpg-sign', '--message', 'component project under test');
    // A remote default branch, so gitlab-ci-local does not warn that it cannot find one.
    await git('update-ref', 'refs/remotes/origin/main', 'HEAD');
    await git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');
    const sha = (await git('rev-parse', 'HEAD')).stdout.trim();
    return { dir, home, sha, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

export interface GclOptions {
  /** `--variable KEY=VALUE` for each entry (CI/CD variables of the project, as far as gitlab-ci-local goes). */
  readonly variables?: Readonly<Record<string, string>>;
  /** Killed (with every process it started) after this long. */
  readonly timeoutMs?: number;
}

export interface GclResult {
  readonly code: number | null;
  readonly timedOut: boolean;
  /** stdout and stderr interleaved as they arrived: the pipeline log a user would see. */
  readonly output: string;
  /** stdout alone (`--preview` YAML, `--list-json`). */
  readonly stdout: string;
}

/**
 * Runs gitlab-ci-local in the project with the shell executor (`--force-shell-executor`: jobs
 * with `image:` run on this machine), `--shell-isolation` (per-job copies, caches) and
 * `--no-color`, plus `args`.
 */
export async function runGitlabCiLocal(
  project: ComponentProject,
  args: readonly string[],
  options: GclOptions = {},
): Promise<GclResult> {
  const variableArgs = Object.entries(options.variables ?? {}).flatMap(([key, value]) => [
    '--variable',
    `${key}=${value}`,
  ]);
  const result = await run(
    GITLAB_CI_LOCAL,
    ['--no-color', '--force-shell-executor', '--shell-isolation', ...variableArgs, ...args],
    {
      cwd: project.dir,
      env: { ...gitEnv(project.home), PATH: jobPath(), LANG: 'C.UTF-8' },
      timeoutMs: options.timeoutMs ?? 120_000,
      check: false,
    },
  );
  return {
    code: result.code,
    timedOut: result.timedOut,
    output: result.output,
    stdout: result.stdout,
  };
}

/** The dotenv report gitlab-ci-local kept for a job (what later jobs receive). */
export function readDotenvReport(project: ComponentProject, job: string, file: string) {
  return readFile(
    join(project.dir, '.gitlab-ci-local', 'artifacts', job, '.gitlab-ci-reports', 'dotenv', file),
  );
}

/** The job's artifacts directory (JSON report and the rest of `artifacts:paths`). */
export function artifactsDir(project: ComponentProject, job: string): string {
  return join(project.dir, '.gitlab-ci-local', 'artifacts', job);
}

/** Every regular file below dir (symbolic links not followed), as paths relative to dir. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** `KEY=VALUE` lines to a map (a test's reading; validateDotenv checks the format itself). */
export function parseDotenvLines(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) vars.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return vars;
}

/** Lines a job printed, without gitlab-ci-local's `<job> > ` prefix. */
export function jobLines(output: string, job: string): string[] {
  const prefix = `${job} > `;
  return output
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .map((line) => line.slice(prefix.length));
}

/** git and gitlab-ci-local read no user or system configuration. */
function gitEnv(home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
  };
}

interface RunResult {
  readonly code: number | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly output: string;
}

/**
 * Spawns a command in its own process group so a timeout can kill it together with its
 * children (gitlab-ci-local runs every job through bash).
 */
function run(
  command: string,
  args: readonly string[],
  options: {
    cwd: string;
    env: Record<string, string>;
    timeoutMs?: number;
    check?: boolean;
  },
): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let output = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (options.check !== false && code !== 0) {
        reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output}`));
        return;
      }
      resolve({ code, timedOut, stdout, output });
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
