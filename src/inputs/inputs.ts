/**
 * The inputs, parsed once into validated, typed, deeply read-only values. Pure: values come from
 * a reader function (action inputs, CLI options, GitLab variables) and an environment record.
 *
 * All bad inputs are reported together in ONE line (an InputsError listing each as its own
 * sentence), so a user fixes a workflow in one round trip instead of one per typo.
 */
import { InputError } from '../errors.js';
import {
  type GoproxyList,
  maskUserinfo,
  parseGoproxy,
  validateProxyBaseUrl,
} from '../goenv/goproxy.js';
import { goTrimSpace } from '../goenv/gostrings.js';
import { type Gosumdb, parseGosumdb } from '../goenv/gosumdb.js';
import { parseGoUrl } from '../goenv/gourl.js';
import { parseModuleRef } from '../goenv/modpath.js';
import {
  type PatternListAnalysis,
  analysePatternList,
  parsePatternInput,
} from '../goenv/patterns.js';
import type { ModuleRef } from '../probe/types.js';
import { type Redactor, maskValueCredentials, maskValueInText } from '../redact.js';
import { INPUT_SPECS, type InputName } from './spec.js';

export type InputSource = 'input' | 'default';

export interface Sourced<T> {
  readonly value: T;
  readonly source: InputSource;
}

export type SummaryMode = 'true' | 'false' | 'no-chart';

/** A Go variable already set in the environment (empty counts as unset, as in Go). */
export interface EnvSetting<T> {
  readonly raw: string;
  /** null when Go would reject the value. */
  readonly value: T | null;
  readonly source: 'env';
  readonly problems: readonly string[];
}

export interface EnvironmentProblem {
  readonly variable: string;
  readonly message: string;
}

export interface EnvironmentSettings {
  readonly GOPROXY: EnvSetting<GoproxyList> | null;
  readonly GOSUMDB: EnvSetting<Gosumdb> | null;
  readonly GOPRIVATE: EnvSetting<PatternListAnalysis> | null;
  readonly GONOPROXY: EnvSetting<PatternListAnalysis> | null;
  readonly GONOSUMDB: EnvSetting<PatternListAnalysis> | null;
  /** GOFLAGS split into flags (strings.Fields). */
  readonly GOFLAGS: EnvSetting<readonly string[]> | null;
  /** Every problem found in the environment, credential-free, one sentence each. */
  readonly problems: readonly EnvironmentProblem[];
}

export interface Inputs {
  /** `auto`, or proxy base URLs exactly as Go will use them (may carry credentials). */
  readonly mirrors: Sourced<'auto' | readonly string[]>;
  /** May carry credentials: register with a Redactor (registerSecrets). */
  readonly privateProxy: Sourced<string | null>;
  readonly fallback: Sourced<'direct' | 'off'>;
  readonly maxMirrors: Sourced<number>;
  readonly probeModules: Sourced<'auto' | readonly ModuleRef[]>;
  readonly timeoutSeconds: Sourced<number>;
  readonly gosumdb: Sourced<'auto' | Gosumdb>;
  readonly goprivate: Sourced<readonly string[]>;
  readonly goprivateFromRemote: Sourced<'auto' | boolean>;
  readonly writeGoEnv: Sourced<boolean>;
  readonly cache: Sourced<boolean>;
  readonly cacheDependencyPath: Sourced<readonly string[]>;
  readonly summary: Sourced<SummaryMode>;
  readonly workingDirectory: Sourced<string>;
  /** Secret: never print it. */
  readonly token: Sourced<string | null>;
  readonly environment: EnvironmentSettings;
}

export interface InputProblem {
  readonly input: InputName;
  /** One sentence: `Invalid input 'x': "value" … (allowed: …).` */
  readonly message: string;
}

/** One or more bad inputs; the message is a single line holding all of them. */
export class InputsError extends InputError {
  readonly problems: readonly InputProblem[];
  constructor(problems: readonly InputProblem[]) {
    super(problems.map((p) => p.message).join(' '));
    this.problems = problems;
  }
}

type Env = Readonly<Record<string, string | undefined>>;
type Reader = (name: InputName) => string | undefined;

/** Thrown by a single parser; collected by parseInputs. */
class BadValue extends Error {}

const MAX_SHOWN = 80;

/**
 * The bad value as shown to the user: credentials masked (unless the input holds none), one line,
 * bounded length. Masked as a value, not as running text: everything up to an entry's last `@` is
 * user info, so a password holding `/`, `#` or a space does not show.
 */
function show(value: string, mask: boolean): string {
  const masked = mask ? maskUserinfo(maskValueCredentials(value)) : value;
  const cut = masked.length > MAX_SHOWN ? `${masked.slice(0, MAX_SHOWN)}…` : masked;
  return JSON.stringify(cut);
}

/** Inputs whose values hold no credentials but may hold '@' (module@version). */
const UNMASKED: ReadonlySet<InputName> = new Set(['probe-modules']);

function bad(input: InputName, value: string, why: string, allowed: string): BadValue {
  const mask = !UNMASKED.has(input);
  // `why` may quote the value again (Go's `parse "<url>": …`).
  const reason = mask ? maskValueInText(why, value) : why;
  return new BadValue(
    `Invalid input '${input}': ${show(value, mask)} ${reason} (allowed: ${allowed}).`,
  );
}

function splitList(text: string, separators: RegExp): string[] {
  return text
    .split(separators)
    .map(goTrimSpace)
    .filter((item) => item !== '');
}

const YAML_TRUE = new Set(['true', 'True', 'TRUE']);
const YAML_FALSE = new Set(['false', 'False', 'FALSE']);

/** YAML 1.2 core schema booleans, as GitHub's getBooleanInput accepts them. */
function parseBoolean(input: InputName, text: string): boolean {
  if (YAML_TRUE.has(text)) return true;
  if (YAML_FALSE.has(text)) return false;
  throw bad(input, text, 'is not a boolean', 'true or false');
}

function parseMirrors(text: string): 'auto' | readonly string[] {
  if (text.toLowerCase() === 'auto') return 'auto';
  const items = splitList(text, /[\n\r,]/);
  const allowed = 'auto, or http or https URLs of module proxies separated by commas or newlines';
  if (items.length === 0) throw bad('mirrors', text, 'holds no URL', allowed);
  const urls: string[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    if (item.toLowerCase() === 'auto')
      throw bad('mirrors', text, "mixes 'auto' with URLs", allowed);
    const url = rethrowAsBadValue(item, () => validateProxyBaseUrl('mirrors', item));
    const key = dedupeKey(url);
    if (!seen.has(key)) {
      seen.add(key);
      urls.push(url);
    }
  }
  return urls;
}

/** Scheme and host compare case-insensitively; the path does not. */
function dedupeKey(url: string): string {
  const match = /^([^:]+:\/\/)([^/]*)(.*)$/.exec(url);
  return match ? `${match[1]!.toLowerCase()}${match[2]!.toLowerCase()}${match[3]}` : url;
}

/** Runs a validator of `value`; its InputError becomes a BadValue with the value's credentials masked. */
function rethrowAsBadValue<T>(value: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof InputError) throw new BadValue(maskValueInText(error.message, value));
    throw error;
  }
}

function parseChoice<T extends string>(input: InputName, text: string, choices: readonly T[]): T {
  const lower = text.toLowerCase();
  const found = choices.find((c) => c === lower);
  if (found === undefined) throw bad(input, text, 'is not one of the choices', choices.join(', '));
  return found;
}

function parseIntegerInRange(input: InputName, text: string, min: number, max: number): number {
  const allowed = `${min} to ${max}`;
  if (!/^[0-9]+$/.test(text)) throw bad(input, text, 'is not a whole number', allowed);
  const n = Number(text);
  if (n < min || n > max) throw bad(input, text, 'is out of range', allowed);
  return n;
}

function parseSeconds(input: InputName, text: string, min: number, max: number): number {
  const allowed = `a number of seconds from ${min} to ${max}`;
  const match = /^([0-9]+(?:\.[0-9]+)?)\s*s?$/.exec(text);
  if (match === null) throw bad(input, text, 'is not a number of seconds', allowed);
  const n = Number(match[1]);
  if (n < min || n > max) throw bad(input, text, 'is out of range', allowed);
  return n;
}

function parseProbeModules(text: string): 'auto' | readonly ModuleRef[] {
  if (text.toLowerCase() === 'auto') return 'auto';
  const allowed =
    'auto, or module paths with an optional @version such as golang.org/x/text@v0.14.0, comma or newline separated';
  const refs: ModuleRef[] = [];
  for (const item of splitList(text, /[\n\r,]/)) {
    let ref: ModuleRef;
    try {
      ref = parseModuleRef(item);
    } catch (error) {
      throw bad('probe-modules', item, `is not a module: ${(error as Error).message}`, allowed);
    }
    if (!refs.some((r) => r.path === ref.path && r.version === ref.version)) refs.push(ref);
  }
  if (refs.length === 0) throw bad('probe-modules', text, 'names no module', allowed);
  return refs;
}

function parseGosumdbInput(text: string): 'auto' | Gosumdb {
  if (text.toLowerCase() === 'auto') return 'auto';
  const allowed =
    'auto, sum.golang.org, sum.golang.google.cn, off, or a verifier key name+hash+key optionally followed by an http or https URL';
  const result = parseGosumdb(text);
  if (!result.ok) throw bad('gosumdb', text, `is rejected by Go: ${result.error}`, allowed);
  const { db } = result;
  if (db.kind === 'db' && db.url !== null) {
    // Go accepts any URL here and fails on the first lookup; say so now.
    const url = parseGoUrl(db.url);
    if ((url.scheme !== 'http' && url.scheme !== 'https') || url.host === '') {
      throw bad('gosumdb', text, 'has a database URL Go cannot fetch from', allowed);
    }
  }
  return db;
}

function parseWorkingDirectory(text: string): string {
  if (/[\0\n\r]/.test(text))
    throw bad(
      'working-directory',
      text,
      'is not a path',
      'a directory path, relative to the workspace or absolute',
    );
  return text;
}

function parseCacheDependencyPath(text: string): readonly string[] {
  const globs = splitList(text, /\r?\n/);
  for (const glob of globs) {
    if (glob.includes('\0'))
      throw bad('cache-dependency-path', glob, 'is not a glob', 'file globs, one per line');
  }
  return globs;
}

function parseGoprivateFromRemote(text: string): 'auto' | boolean {
  if (text.toLowerCase() === 'auto') return 'auto';
  if (YAML_TRUE.has(text)) return true;
  if (YAML_FALSE.has(text)) return false;
  throw bad('goprivate-from-remote', text, 'is not one of the choices', 'auto, true, false');
}

function parseSummary(text: string): SummaryMode {
  if (YAML_TRUE.has(text)) return 'true';
  if (YAML_FALSE.has(text)) return 'false';
  if (text.toLowerCase() === 'no-chart') return 'no-chart';
  throw bad('summary', text, 'is not one of the choices', 'true, false, no-chart');
}

function specDefault(name: InputName): string {
  return INPUT_SPECS.find((spec) => spec.name === name)!.default;
}

/**
 * Parses every input. Empty or missing values take the default from INPUT_SPECS; a value equal to
 * the default counts as 'default' too (the action runner passes defaults as if they were given).
 * Throws InputsError (an InputError) listing every bad input in one line.
 *
 * With a redactor, the credentials in the raw values are registered first, so they are masked
 * downstream even when a value is rejected (or does not parse as a URL at all).
 */
export function parseInputs(read: Reader, env: Env, redactor?: Redactor): Inputs {
  if (redactor) registerRawSecrets(read, env, redactor);
  const problems: InputProblem[] = [];
  function field<T>(name: InputName, parse: (text: string) => T): Sourced<T> {
    const given = goTrimSpace(read(name) ?? '');
    const fallback = specDefault(name);
    const text = given === '' ? fallback : given;
    const source: InputSource = given === '' || given === fallback ? 'default' : 'input';
    try {
      return { value: parse(text), source };
    } catch (error) {
      if (!(error instanceof BadValue)) throw error;
      problems.push({ input: name, message: error.message });
      return { value: undefined as T, source };
    }
  }

  const inputs = {
    mirrors: field('mirrors', parseMirrors),
    privateProxy: field('private-proxy', (t) =>
      t === '' ? null : rethrowAsBadValue(t, () => validateProxyBaseUrl('private-proxy', t)),
    ),
    fallback: field('fallback', (t) => parseChoice('fallback', t, ['direct', 'off'] as const)),
    maxMirrors: field('max-mirrors', (t) => parseIntegerInRange('max-mirrors', t, 1, 10)),
    probeModules: field('probe-modules', parseProbeModules),
    timeoutSeconds: field('timeout', (t) => parseSeconds('timeout', t, 1, 300)),
    gosumdb: field('gosumdb', parseGosumdbInput),
    goprivate: field('goprivate', (t) =>
      rethrowAsBadValue(t, () => parsePatternInput('goprivate', t)),
    ),
    goprivateFromRemote: field('goprivate-from-remote', parseGoprivateFromRemote),
    writeGoEnv: field('write-go-env', (t) => parseBoolean('write-go-env', t)),
    cache: field('cache', (t) => parseBoolean('cache', t)),
    cacheDependencyPath: field('cache-dependency-path', parseCacheDependencyPath),
    summary: field('summary', parseSummary),
    workingDirectory: field('working-directory', parseWorkingDirectory),
    // The token is opaque: never validated, never shown.
    token: field('token', (t) => (t === '' ? null : t)),
    environment: parseEnvironment(env),
  } satisfies Inputs;

  if (problems.length > 0) throw new InputsError(problems);
  return deepFreeze(inputs);
}

const ENV_PATTERN_VARS = ['GOPRIVATE', 'GONOPROXY', 'GONOSUMDB'] as const;

/** Names people set that no Go release reads. */
const NOT_GO_VARIABLES: Readonly<Record<string, string>> = {
  GONOSUMCHECK:
    'GONOSUMCHECK is not a Go variable (Go ignores it); the checksum-database exclusion list is GONOSUMDB',
  GONOVERIFY: 'GONOVERIFY was a pre-release name and no released Go reads it; use GONOSUMDB',
};

/** The Go variables already in the environment, parsed with Go's rules; problems reported, never thrown. */
export function parseEnvironment(env: Env): EnvironmentSettings {
  const problems: EnvironmentProblem[] = [];
  const note = (variable: string, messages: readonly string[]): void => {
    // Messages quote the value (Go's url.Error, pattern texts): mask it as a value, not as text.
    const raw = env[variable] ?? '';
    for (const message of messages) {
      problems.push({ variable, message: maskUserinfo(maskValueInText(message, raw)) });
    }
  };

  const goproxyRaw = env.GOPROXY ?? '';
  let GOPROXY: EnvSetting<GoproxyList> | null = null;
  if (goproxyRaw !== '') {
    const list = parseGoproxy(goproxyRaw, {
      os: process.platform === 'win32' ? 'windows' : 'posix',
    });
    const messages: string[] = [];
    if (list.error !== null) messages.push(`GOPROXY is rejected by Go: ${list.error}`);
    if (list.dead.length > 0) {
      const end = list.entries.at(-1)?.kind ?? 'direct';
      const dead = list.dead.map(maskValueCredentials).join(', ');
      messages.push(`GOPROXY entries after '${end}' are ignored by Go: ${dead}`);
    }
    GOPROXY = {
      raw: goproxyRaw,
      value: list.error === null ? list : null,
      source: 'env',
      problems: messages,
    };
    note('GOPROXY', messages);
  }

  const gosumdbRaw = env.GOSUMDB ?? '';
  let GOSUMDB: EnvSetting<Gosumdb> | null = null;
  if (gosumdbRaw !== '') {
    const result = parseGosumdb(gosumdbRaw);
    const messages = result.ok ? [] : [`GOSUMDB is rejected by Go: ${result.error}`];
    GOSUMDB = {
      raw: gosumdbRaw,
      value: result.ok ? result.db : null,
      source: 'env',
      problems: messages,
    };
    note('GOSUMDB', messages);
  }

  const patterns = {} as Record<
    (typeof ENV_PATTERN_VARS)[number],
    EnvSetting<PatternListAnalysis> | null
  >;
  for (const name of ENV_PATTERN_VARS) {
    const raw = env[name] ?? '';
    if (raw === '') {
      patterns[name] = null;
      continue;
    }
    const analysis = analysePatternList(raw);
    const messages = analysis.dead.map((d) => `${name} pattern ${d.message}`);
    patterns[name] = { raw, value: analysis, source: 'env', problems: messages };
    note(name, messages);
  }

  const goflagsRaw = env.GOFLAGS ?? '';
  let GOFLAGS: EnvSetting<readonly string[]> | null = null;
  if (goflagsRaw !== '') {
    const flags = goflagsRaw.split(/\s+/).filter((f) => f !== '');
    const messages = flags
      .filter((f) => f === '-insecure' || f.startsWith('-insecure='))
      .map(
        () =>
          'GOFLAGS contains -insecure, removed in Go 1.17 (older Go skipped checksum verification with it); use GOINSECURE for direct fetches only',
      );
    GOFLAGS = { raw: goflagsRaw, value: flags, source: 'env', problems: messages };
    note('GOFLAGS', messages);
  }

  for (const [name, message] of Object.entries(NOT_GO_VARIABLES)) {
    if ((env[name] ?? '') !== '') note(name, [message]);
  }

  return { GOPROXY, GOSUMDB, ...patterns, GOFLAGS, problems };
}

/**
 * Registers every secret the inputs carry (token, credentials in proxy and checksum-database URLs,
 * from inputs and from GOPROXY / GOSUMDB in the environment) with the redactor.
 */
export function registerSecrets(inputs: Inputs, redactor: Redactor): void {
  redactor.add(inputs.token.value);
  if (inputs.privateProxy.value !== null) redactor.addUrl(inputs.privateProxy.value);
  if (inputs.mirrors.value !== 'auto') for (const url of inputs.mirrors.value) redactor.addUrl(url);
  const gosumdb = inputs.gosumdb.value;
  if (gosumdb !== 'auto' && gosumdb.kind === 'db') redactor.addUrl(gosumdb.url);
  const { GOPROXY, GOSUMDB } = inputs.environment;
  for (const entry of GOPROXY?.value?.entries ?? []) {
    if (entry.kind === 'url') redactor.addUrl(entry.url);
  }
  if (GOPROXY) registerGoproxyText(GOPROXY.raw, redactor);
  if (GOSUMDB) redactor.addUrl(gosumdbUrlText(GOSUMDB.raw));
}

/**
 * The credentials in the raw values, before anything is validated: URL-valued inputs and GOPROXY /
 * GOSUMDB from the environment. A value Go rejects still had its user info registered.
 */
function registerRawSecrets(read: Reader, env: Env, redactor: Redactor): void {
  const raw = (name: InputName): string => goTrimSpace(read(name) ?? '');
  redactor.add(raw('token'));
  for (const item of splitList(raw('mirrors'), /[\n\r,]/)) redactor.addUrl(item);
  redactor.addUrl(raw('private-proxy'));
  redactor.addUrl(gosumdbUrlText(raw('gosumdb')));
  registerGoproxyText(env.GOPROXY ?? '', redactor);
  redactor.addUrl(gosumdbUrlText(env.GOSUMDB ?? ''));
}

function registerGoproxyText(value: string, redactor: Redactor): void {
  for (const entry of splitList(value, /[,|]/)) {
    if (entry !== 'direct' && entry !== 'off') redactor.addUrl(entry);
  }
}

/** The URL part of a GOSUMDB value (`<key> <url>`): everything after the key, spaces included. */
function gosumdbUrlText(value: string): string {
  const match = /^\S+\s+(\S[\s\S]*)$/.exec(goTrimSpace(value));
  return match === null ? '' : goTrimSpace(match[1]!);
}

function deepFreeze<T>(value: T): T {
  if (
    value === null ||
    typeof value !== 'object' ||
    ArrayBuffer.isView(value) ||
    Object.isFrozen(value)
  )
    return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}
