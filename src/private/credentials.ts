/**
 * Opt-in credentials for direct fetches of private modules (issue 6, item 2): a token becomes git
 * `insteadOf` rules scoped to the private owners, or a netrc entry for the host. Nothing is written
 * unless a token and at least one scope are given; everything written is listed in a JSON revert
 * plan that holds no token, and `revertCredentials` removes exactly that.
 *
 * Where the token goes:
 * - insteadOf: the rules live in a 0600 file of their own inside a fresh temporary directory
 *   (RUNNER_TEMP on GitHub), and `git config --global` only gains `include.path=<that file>`. The
 *   token is never on a command line, the plan names only the file, and if the post step never runs
 *   (failed job, `post-if: success()`), the runner deletes RUNNER_TEMP and git ignores an include
 *   that no longer exists; the next run on that runner removes the dangling line
 *   (`removeStaleIncludes`).
 * - netrc: `machine <host> login <user> password <token>` at the top of $NETRC or ~/.netrc
 *   (%USERPROFILE%\_netrc on Windows), preceded by a marker comment. Go reads netrc for its
 *   https requests only (the `?go-get=1` discovery included) and matches the host without port;
 *   git reads it through libcurl. A netrc entry covers the whole host: it cannot be scoped to an owner.
 *
 * Interplay with actions/checkout: checkout persists its token as
 * `http.https://github.com/.extraheader` in the checked-out repository's own config (newer versions
 * through an includeIf file). Go clones modules into GOMODCACHE/cache/vcs, other repositories, so
 * that header does not reach them and our rules apply. Where both do apply to one URL (running git
 * inside the checkout), git sends the extraheader and the token in the URL is not used; use
 * `persist-credentials: false` on checkout if the two tokens differ in what they may read.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors.js';

export type CredentialMethod = 'insteadof' | 'netrc';

/** Where a token may be sent: a host, optionally narrowed to a path prefix (owner, group…). */
export interface CredentialScope {
  readonly host: string;
  /** `''` for the whole host, else `owner` or `group/sub` (no leading or trailing slash). */
  readonly pathPrefix: string;
}

export interface CredentialScopeSelection {
  readonly scopes: readonly CredentialScope[];
  /** Patterns that gave no scope, with why (credential-free). */
  readonly skipped: readonly string[];
}

export interface CredentialEnvironment {
  /** HOME, USERPROFILE, NETRC, XDG_CONFIG_HOME, GIT_CONFIG_GLOBAL, RUNNER_TEMP…; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface ApplyCredentialsOptions extends CredentialEnvironment {
  /** Empty: nothing is written. */
  readonly token: string;
  readonly scopes: readonly CredentialScope[];
  readonly method: CredentialMethod;
  /** Default `x-access-token` (GitHub). GitLab: `gitlab-ci-token` (job token) or `oauth2`; Bitbucket: `x-token-auth`. */
  readonly username?: string;
  /** Parent of the insteadOf include file's directory; default RUNNER_TEMP, else the OS temp dir. */
  readonly tempDir?: string;
}

/** JSON-serialisable record of what was added; holds no token. */
export interface CredentialRevertPlan {
  readonly version: 1;
  readonly gitConfig: {
    /** Value we added to the global `include.path`. */
    readonly includePath: string;
    /** The global config file git wrote to, and whether it existed before. */
    readonly globalConfigFile: string;
    readonly createdGlobalConfig: boolean;
    /** The URL prefixes rewritten (credential-free), for logs. */
    readonly rewrites: readonly string[];
  } | null;
  readonly netrc: {
    readonly file: string;
    /** The id in our marker comments. */
    readonly marker: string;
    readonly hosts: readonly string[];
    readonly createdFile: boolean;
    /** Permission bits before we set 0600; null when we created the file. */
    readonly originalMode: number | null;
  } | null;
}

export interface ApplyCredentialsResult {
  readonly plan: CredentialRevertPlan;
  /** What was done or left alone, one credential-free sentence each. */
  readonly notes: readonly string[];
}

export const EMPTY_REVERT_PLAN: CredentialRevertPlan = { version: 1, gitConfig: null, netrc: null };

export const GITLAB_JOB_TOKEN_LOGIN = 'gitlab-ci-token';

const DEFAULT_USERNAME = 'x-access-token';
const INCLUDE_DIR_PREFIX = 'go-proxy-setup-credentials-';
const INCLUDE_FILE_NAME = 'credentials.gitconfig';
const MARKER_PREFIX = '# go-proxy-setup ';
const GIT_TIMEOUT_MS = 10_000;
const GLOB_META = /[*?[\\]/;

// ---------------------------------------------------------------------------------------------
// Scopes

/**
 * The scopes a token for `tokenHost` may be sent to: the literal private patterns on that host.
 * Patterns on other hosts are skipped (a GitHub token must not travel to go.corp.example), and so
 * are patterns with wildcards (an insteadOf rule is a literal prefix).
 */
export function credentialScopes(
  patterns: readonly string[],
  tokenHost: string,
): CredentialScopeSelection {
  const host = tokenHost.toLowerCase();
  const scopes: CredentialScope[] = [];
  const skipped: string[] = [];
  for (const pattern of patterns) {
    const elements = pattern.replace(/\/$/, '').split('/');
    if (elements[0] !== host) {
      skipped.push(`${pattern}: not on ${host}, the token's host`);
      continue;
    }
    if (GLOB_META.test(pattern)) {
      skipped.push(`${pattern}: has wildcards, and a git insteadOf rule needs a literal prefix`);
      continue;
    }
    if (elements.slice(1).some((element) => !/^[A-Za-z0-9._~-]+$/.test(element))) {
      skipped.push(`${pattern}: not a module path prefix`);
      continue;
    }
    scopes.push({ host, pathPrefix: elements.slice(1).join('/') });
  }
  return { scopes: withoutCoveredScopes(scopes), skipped };
}

function withoutCoveredScopes(scopes: readonly CredentialScope[]): CredentialScope[] {
  const unique = scopes.filter(
    (scope, index) => scopes.findIndex((other) => sameScope(other, scope)) === index,
  );
  return unique.filter(
    (scope) =>
      !unique.some(
        (other) =>
          other !== scope &&
          other.host === scope.host &&
          covers(other.pathPrefix, scope.pathPrefix),
      ),
  );
}

function sameScope(a: CredentialScope, b: CredentialScope): boolean {
  return a.host === b.host && a.pathPrefix === b.pathPrefix;
}

function covers(outer: string, inner: string): boolean {
  return outer === '' ? inner !== '' : inner.startsWith(`${outer}/`);
}

/** The URL prefix Go's git commands use for a scope: `https://host/owner/` (Go drops `.git`). */
export function httpsPrefix(scope: CredentialScope): string {
  return `https://${scope.host}/${scope.pathPrefix === '' ? '' : `${scope.pathPrefix}/`}`;
}

// ---------------------------------------------------------------------------------------------
// Apply

export async function applyCredentials(
  options: ApplyCredentialsOptions,
): Promise<ApplyCredentialsResult> {
  if (options.token === '' || options.scopes.length === 0) {
    return {
      plan: EMPTY_REVERT_PLAN,
      notes: ['No credentials written: no token or no private scope on its host.'],
    };
  }
  checkToken(options.token);
  const username = options.username ?? DEFAULT_USERNAME;
  checkUsername(username);
  for (const scope of options.scopes) checkScope(scope);
  const env = mergedEnv(options.env);
  if (options.method === 'insteadof') {
    const notes: string[] = [];
    const stale = await removeStaleIncludes(env);
    if (stale > 0) {
      notes.push(
        `Removed ${stale} include.path entr${stale === 1 ? 'y' : 'ies'} from the global git config that an earlier go-proxy-setup run left behind (its post step did not run) and whose file is gone.`,
      );
    }
    const gitConfig = await addInsteadOfRules(options, username, env);
    for (const prefix of gitConfig.rewrites)
      notes.push(`git fetches of ${prefix} use the token (insteadOf rule).`);
    return { plan: { ...EMPTY_REVERT_PLAN, gitConfig }, notes };
  }
  const { netrc, notes } = await addNetrcEntries(options, username, env);
  return { plan: { ...EMPTY_REVERT_PLAN, netrc }, notes };
}

function checkToken(token: string): void {
  if (/[\s\p{Cc}]/u.test(token)) {
    throw new InputError(
      "Invalid input 'token': it contains white space or control characters (allowed: a single token such as a GitHub or GitLab access token).",
    );
  }
}

function checkUsername(username: string): void {
  if (!/^[A-Za-z0-9._~-]+$/.test(username)) {
    throw new InputError(
      `Invalid token user name ${JSON.stringify(username)} (allowed: letters, digits, '.', '_', '~', '-').`,
    );
  }
}

function checkScope(scope: CredentialScope): void {
  const hostOk = /^[a-z0-9.-]+$/.test(scope.host) && scope.host.includes('.');
  const pathOk =
    scope.pathPrefix === '' ||
    scope.pathPrefix.split('/').every((element) => /^[A-Za-z0-9._~-]+$/.test(element));
  if (!hostOk || !pathOk)
    throw new Error(`not a credential scope: ${scope.host}/${scope.pathPrefix}`);
}

async function addInsteadOfRules(
  options: ApplyCredentialsOptions,
  username: string,
  env: Record<string, string>,
): Promise<NonNullable<CredentialRevertPlan['gitConfig']>> {
  const parent = options.tempDir ?? env.RUNNER_TEMP ?? tmpdir();
  const dir = await mkdtemp(join(parent, INCLUDE_DIR_PREFIX));
  const includePath = join(dir, INCLUDE_FILE_NAME);
  try {
    await writeFile(includePath, insteadOfConfigText(options.token, username, options.scopes), {
      mode: 0o600,
    });
    const globalConfigFile = await globalGitConfigPath(env);
    const createdGlobalConfig = !(await exists(globalConfigFile));
    await git(['config', '--global', '--add', 'include.path', includePath], env);
    return {
      includePath,
      globalConfigFile,
      createdGlobalConfig,
      rewrites: options.scopes.map(httpsPrefix),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * A job whose post step did not run (a failed job: `post-if: success()`) leaves our
 * `include.path` in the global config of a self-hosted runner; the runner deleted its file with
 * RUNNER_TEMP, and git ignores a missing include, but the lines would pile up job after job. Remove
 * the ones that are ours (our directory and file names) and whose file no longer exists; a file
 * that exists may belong to a job running now on another runner sharing this HOME.
 */
async function removeStaleIncludes(env: Record<string, string>): Promise<number> {
  let listed: string;
  try {
    listed = await git(['config', '--global', '--get-all', 'include.path'], env, [1]);
  } catch {
    return 0; // no readable global config: nothing of ours to clean
  }
  let removed = 0;
  for (const value of new Set(listed.split('\n').filter((line) => line !== ''))) {
    if (!isOurIncludePath(value) || (await exists(value))) continue;
    await unsetGlobalInclude(value, env);
    removed += 1;
  }
  return removed;
}

/** Removes every global `include.path` equal to `path` (git exits 5 when there is none: fine). */
async function unsetGlobalInclude(path: string, env: Record<string, string>): Promise<void> {
  await git(
    ['config', '--global', '--unset-all', 'include.path', `^${escapeRegExp(path)}$`],
    env,
    [5],
  );
}

/** Only paths of our own making: `<dir>/go-proxy-setup-credentials-XXXXXX/credentials.gitconfig`. */
function isOurIncludePath(path: string): boolean {
  return (
    basename(path) === INCLUDE_FILE_NAME && basename(dirname(path)).startsWith(INCLUDE_DIR_PREFIX)
  );
}

/**
 * The include file: one `[url "<with token>"] insteadOf = <without>` section per scope. Both sides
 * end in `/`, so `github.com/acme/` never rewrites `github.com/acmecorp/…`.
 */
export function insteadOfConfigText(
  token: string,
  username: string,
  scopes: readonly CredentialScope[],
): string {
  const lines = ['# Added by go-proxy-setup for private Go modules; removed by its post step.'];
  for (const scope of scopes) {
    const plain = httpsPrefix(scope);
    const withToken = `https://${encodeURIComponent(username)}:${encodeURIComponent(token)}@${plain.slice('https://'.length)}`;
    lines.push(`[url ${gitQuote(withToken)}]`, `\tinsteadOf = ${gitQuote(plain)}`);
  }
  return `${lines.join('\n')}\n`;
}

function gitQuote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

async function addNetrcEntries(
  options: ApplyCredentialsOptions,
  username: string,
  env: Record<string, string>,
): Promise<{ netrc: CredentialRevertPlan['netrc']; notes: string[] }> {
  const file = netrcPath(env);
  const before = await readIfExists(file);
  const known = netrcMachines(before ?? '');
  const notes: string[] = [];
  const hosts: string[] = [];
  for (const host of new Set(options.scopes.map((scope) => scope.host))) {
    if (known.has(host))
      notes.push(
        `${file} already has an entry for ${host}; left as it is (no token added for ${host}).`,
      );
    else hosts.push(host);
  }
  if (options.scopes.some((scope) => scope.pathPrefix !== '')) {
    notes.push('A netrc entry applies to the whole host; it cannot be narrowed to an owner.');
  }
  if (hosts.length === 0) return { netrc: null, notes };
  const marker = randomBytes(6).toString('hex');
  const ours = hosts
    .map((host) => `${MARKER_PREFIX}${marker}\n${netrcLine(host, username, options.token)}\n`)
    .join('');
  const originalMode = before === null ? null : (await stat(file)).mode & 0o777;
  // Ours first: Go stops reading at a `default` entry and both Go and curl take the first match.
  await writeAtomically(file, `${ours}${before ?? ''}`);
  for (const host of hosts) notes.push(`${file} gives the token for https requests to ${host}.`);
  return { netrc: { file, marker, hosts, createdFile: before === null, originalMode }, notes };
}

/** One netrc entry on one line, the form Go's and curl's parsers both read. */
export function netrcLine(host: string, login: string, password: string): string {
  for (const [name, value] of [
    ['host', host],
    ['login', login],
    ['password', password],
  ] as const) {
    if (value === '' || /[\s\p{Cc}]/u.test(value)) {
      throw new InputError(
        `A netrc ${name} must be non-empty and contain no white space or control characters.`,
      );
    }
  }
  return `machine ${host} login ${login} password ${password}`;
}

/** Hosts named by `machine` tokens, read the way Go splits netrc (fields, no quoting). */
function netrcMachines(text: string): Set<string> {
  const hosts = new Set<string>();
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    for (let i = 0; i < fields.length - 1; i += 2)
      if (fields[i] === 'machine') hosts.add(fields[i + 1]!);
  }
  return hosts;
}

// ---------------------------------------------------------------------------------------------
// Revert

/**
 * Removes exactly what the plan lists: our `include.path` value and its file, our marked netrc
 * lines. Pre-existing entries are untouched. Never throws; returns problems as credential-free
 * sentences for the post step to log as warnings.
 */
export async function revertCredentials(
  plan: CredentialRevertPlan,
  options: CredentialEnvironment = {},
): Promise<readonly string[]> {
  const problems: string[] = [];
  const env = mergedEnv(options.env);
  if (plan.gitConfig) problems.push(...(await removeInsteadOfRules(plan.gitConfig, env)));
  if (plan.netrc) problems.push(...(await removeNetrcEntries(plan.netrc)));
  return problems;
}

async function removeInsteadOfRules(
  gitConfig: NonNullable<CredentialRevertPlan['gitConfig']>,
  env: Record<string, string>,
): Promise<string[]> {
  const problems: string[] = [];
  const { includePath } = gitConfig;
  try {
    await unsetGlobalInclude(includePath, env);
  } catch (error) {
    problems.push(
      `Could not remove include.path ${includePath} from the global git config: ${messageOf(error)}`,
    );
  }
  // Only ever delete a directory of our own making.
  if (isOurIncludePath(includePath)) {
    await rm(dirname(includePath), { recursive: true, force: true });
  } else {
    problems.push(`Left ${includePath} in place: it is not a file go-proxy-setup creates.`);
  }
  if (
    gitConfig.createdGlobalConfig &&
    (await readIfExists(gitConfig.globalConfigFile))?.trim() === ''
  ) {
    await unlink(gitConfig.globalConfigFile).catch(() => undefined);
  }
  return problems;
}

async function removeNetrcEntries(
  netrc: NonNullable<CredentialRevertPlan['netrc']>,
): Promise<string[]> {
  const text = await readIfExists(netrc.file);
  if (text === null) return [];
  const lines = text.split('\n');
  const kept: string[] = [];
  const markerLine = `${MARKER_PREFIX}${netrc.marker}`;
  for (let i = 0; i < lines.length; i++) {
    const next = lines[i + 1];
    const ourEntry =
      lines[i] === markerLine &&
      next !== undefined &&
      netrc.hosts.some((host) => next.startsWith(`machine ${host} `));
    if (ourEntry) i++;
    else kept.push(lines[i]!);
  }
  const remaining = kept.join('\n');
  if (remaining === text) return [];
  try {
    if (netrc.createdFile && remaining.trim() === '') await unlink(netrc.file);
    else {
      await writeAtomically(netrc.file, remaining);
      if (netrc.originalMode !== null) await chmod(netrc.file, netrc.originalMode);
    }
    return [];
  } catch (error) {
    return [`Could not remove the go-proxy-setup entries from ${netrc.file}: ${messageOf(error)}`];
  }
}

// ---------------------------------------------------------------------------------------------
// GitLab: the cache job writes the netrc from shell

/**
 * The netrc line for the GitLab instance running the job (`CI_SERVER_HOST`, `CI_JOB_TOKEN`), or
 * null outside a GitLab job. Holds the job token: write it to a 0600 file, never print it.
 */
export function gitlabNetrcLine(env: Readonly<Record<string, string | undefined>>): string | null {
  const host = env.CI_SERVER_HOST?.trim().toLowerCase();
  const token = env.CI_JOB_TOKEN;
  if (!host || !token) return null;
  return netrcLine(host, GITLAB_JOB_TOKEN_LOGIN, token);
}

/**
 * POSIX sh for a GitLab job's `before_script`: puts the line `gitlabNetrcLine` renders at the top of
 * $NETRC or ~/.netrc, made 0600 before the token is written (an existing 0644 file never holds it;
 * the temporary copy is created afresh under umask 077). A previous job's `gitlab-ci-token` line
 * for the host is replaced (job tokens expire with their job; shell executors keep HOME between
 * jobs); an entry of the user's own for the host wins and is left alone. The token is passed to
 * printf, a shell builtin, so it appears on no command line; GitLab echoes the script unexpanded.
 */
export const GITLAB_NETRC_SHELL_SNIPPET = `if [ -n "\${CI_JOB_TOKEN:-}" ] && [ -n "\${CI_SERVER_HOST:-}" ]; then
  gps_netrc="\${NETRC:-$HOME/.netrc}"
  (
    set -e
    umask 077
    touch "$gps_netrc"
    # 0600 before the token goes in: an existing file may be world-readable (set -e: no token if this fails).
    chmod 600 "$gps_netrc"
    rm -f "$gps_netrc.gps-tmp"
    awk -v h="$CI_SERVER_HOST" '!($1 == "machine" && $2 == h && $3 == "login" && $4 == "${GITLAB_JOB_TOKEN_LOGIN}")' "$gps_netrc" > "$gps_netrc.gps-tmp"
    if awk -v h="$CI_SERVER_HOST" '$1 == "machine" && $2 == h { found = 1 } END { exit !found }' "$gps_netrc.gps-tmp"; then
      cat "$gps_netrc.gps-tmp" > "$gps_netrc"
    else
      { printf 'machine %s login ${GITLAB_JOB_TOKEN_LOGIN} password %s\\n' "$CI_SERVER_HOST" "$CI_JOB_TOKEN"; cat "$gps_netrc.gps-tmp"; } > "$gps_netrc"
    fi
    rm -f "$gps_netrc.gps-tmp"
  )
fi
`;

/** POSIX sh for `after_script`: removes the job-token line again (and the file if that leaves it empty). */
export const GITLAB_NETRC_REVERT_SHELL_SNIPPET = `gps_netrc="\${NETRC:-$HOME/.netrc}"
if [ -n "\${CI_SERVER_HOST:-}" ] && [ -f "$gps_netrc" ]; then
  (
    umask 077
    awk -v h="$CI_SERVER_HOST" '!($1 == "machine" && $2 == h && $3 == "login" && $4 == "${GITLAB_JOB_TOKEN_LOGIN}")' "$gps_netrc" > "$gps_netrc.gps-tmp"
    cat "$gps_netrc.gps-tmp" > "$gps_netrc"
    rm -f "$gps_netrc.gps-tmp"
    [ -s "$gps_netrc" ] || rm -f "$gps_netrc"
  )
fi
`;

// ---------------------------------------------------------------------------------------------
// Files and git

/** Go's rule (cmd/go/internal/auth/netrc.go): $NETRC, else ~/.netrc, on Windows %USERPROFILE%\_netrc. */
export function netrcPath(env: Readonly<Record<string, string | undefined>>): string {
  if (env.NETRC) return env.NETRC;
  if (process.platform === 'win32') return join(env.USERPROFILE || homedir(), '_netrc');
  return join(env.HOME || homedir(), '.netrc');
}

/**
 * The file `git config --global` writes: $GIT_CONFIG_GLOBAL, else ~/.gitconfig, unless only the
 * XDG file ($XDG_CONFIG_HOME/git/config, default ~/.config/git/config) exists. Used only to tidy
 * up a file we created.
 */
async function globalGitConfigPath(env: Record<string, string>): Promise<string> {
  if (env.GIT_CONFIG_GLOBAL) return env.GIT_CONFIG_GLOBAL;
  const home = env.HOME || homedir();
  const dotfile = join(home, '.gitconfig');
  const xdg = join(env.XDG_CONFIG_HOME || join(home, '.config'), 'git', 'config');
  return !(await exists(dotfile)) && (await exists(xdg)) ? xdg : dotfile;
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.go-proxy-setup-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(temporary, text, { mode: 0o600 });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => null)) !== null;
}

function git(
  args: readonly string[],
  env: Record<string, string>,
  okCodes: readonly number[] = [],
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        env: { ...env, GIT_TERMINAL_PROMPT: '0' },
        timeout: GIT_TIMEOUT_MS,
        windowsHide: true,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const code = typeof error.code === 'number' ? error.code : null;
        if (code !== null && okCodes.includes(code)) return resolve(stdout);
        // Our git arguments never hold the token, so git's own message is safe to pass on.
        reject(
          new Error(`git ${args.slice(0, 3).join(' ')} failed: ${stderr.trim() || error.message}`),
        );
      },
    );
  });
}

function mergedEnv(
  overrides: Readonly<Record<string, string | undefined>> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...overrides })) {
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
