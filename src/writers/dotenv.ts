/**
 * GitLab `artifacts:reports:dotenv` files. GitLab rejects the whole file (and with it every
 * variable) for one bad line, and gitlab-ci-local accepts files GitLab rejects, so we check the
 * rules ourselves (app/services/ci/parse_dotenv_artifact_service.rb and Ci::JobVariable):
 * every line `KEY=VALUE`, key /^[A-Za-z0-9_]+$/ up to 255 characters, one line per value, UTF-8,
 * under 5 KB and at most 20 variables (the self-managed default; gitlab.com allows more).
 */

export const DOTENV_MAX_BYTES = 5 * 1024;
export const DOTENV_MAX_VARIABLES = 20;
export const DOTENV_MAX_KEY_LENGTH = 255;

const KEY = /^[A-Za-z0-9_]+$/;

export type DotenvRule =
  /** A line without '=' (blank line, comment): GitLab answers "Invalid Format" for the whole file. */
  | 'not-key-value'
  | 'invalid-key'
  | 'key-too-long'
  | 'too-large'
  | 'too-many-variables'
  | 'not-utf8'
  /** GitLab strips white space around keys and values: the value read back differs from the one written. */
  | 'surrounding-space'
  /** A CR inside a line: GitLab strips it at the end, other readers keep it. */
  | 'carriage-return'
  | 'duplicate-key'
  | 'byte-order-mark';

export interface DotenvViolation {
  /** 1-based line number; 0 for file-wide rules. */
  readonly line: number;
  readonly rule: DotenvRule;
  readonly message: string;
  /** True when GitLab rejects the file for it; false when GitLab accepts it but changes the value. */
  readonly rejectedByGitLab: boolean;
}

export class DotenvError extends Error {
  override readonly name = 'DotenvError';
  constructor(readonly violations: readonly string[]) {
    super(`cannot write a GitLab dotenv report: ${violations.join('; ')}`);
  }
}

export interface RenderDotenvOptions {
  /** GitLab expands `$VAR` in dotenv values in the consuming job; allow `$` only when that is intended. */
  readonly allowExpansion?: boolean;
}

/**
 * Renders variables as a dotenv report (`KEY=VALUE\n` per variable, in the given order). Throws
 * DotenvError listing every problem instead of writing a file GitLab would reject or alter.
 */
export function renderDotenv(
  vars: Readonly<Record<string, string>> | readonly (readonly [string, string])[],
  options: RenderDotenvOptions = {},
): string {
  const entries: readonly (readonly [string, string])[] = Array.isArray(vars)
    ? vars
    : Object.entries(vars);
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [key, value] of entries) {
    const name = JSON.stringify(key);
    if (!KEY.test(key)) problems.push(`key ${name} must match [A-Za-z0-9_]+`);
    if (key.length > DOTENV_MAX_KEY_LENGTH)
      problems.push(`key ${name.slice(0, 40)}… is longer than ${DOTENV_MAX_KEY_LENGTH} characters`);
    if (seen.has(key)) problems.push(`key ${name} appears twice`);
    seen.add(key);
    if (/[\n\r]/.test(value)) problems.push(`value of ${name} contains a line break`);
    if (value !== value.trim())
      problems.push(`value of ${name} has leading or trailing white space, which GitLab strips`);
    if (!value.isWellFormed()) problems.push(`value of ${name} is not valid Unicode`);
    if (!options.allowExpansion && value.includes('$')) {
      problems.push(
        `value of ${name} contains '$', which GitLab would expand in the consuming job`,
      );
    }
  }
  if (entries.length > DOTENV_MAX_VARIABLES) {
    problems.push(`${entries.length} variables exceed GitLab's limit of ${DOTENV_MAX_VARIABLES}`);
  }
  const text = entries.map(([key, value]) => `${key}=${value}\n`).join('');
  const size = Buffer.byteLength(text, 'utf8');
  if (size >= DOTENV_MAX_BYTES)
    problems.push(`${size} bytes exceed GitLab's limit (under ${DOTENV_MAX_BYTES} bytes)`);
  if (problems.length > 0) throw new DotenvError(problems);
  return text;
}

/** Every rule a dotenv report breaks; [] for a file GitLab accepts unchanged. */
export function validateDotenv(content: string | Uint8Array): DotenvViolation[] {
  const violations: DotenvViolation[] = [];
  const add = (
    line: number,
    rule: DotenvRule,
    message: string,
    rejectedByGitLab: boolean,
  ): void => {
    violations.push({ line, rule, message, rejectedByGitLab });
  };

  let text: string;
  let size: number;
  if (typeof content === 'string') {
    text = content;
    size = Buffer.byteLength(content, 'utf8');
  } else {
    size = content.byteLength;
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(content);
    } catch {
      add(0, 'not-utf8', 'the file is not valid UTF-8', true);
      text = Buffer.from(content).toString('utf8');
    }
  }
  if (text.startsWith('\uFEFF')) {
    add(
      1,
      'byte-order-mark',
      'the file starts with a byte order mark (GitLab strips it; other readers do not)',
      false,
    );
    text = text.slice(1);
  }
  if (size >= DOTENV_MAX_BYTES)
    add(0, 'too-large', `${size} bytes; GitLab accepts under ${DOTENV_MAX_BYTES}`, true);

  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop(); // a final newline is fine
  const keys = new Set<string>();
  lines.forEach((line, index) => {
    const n = index + 1;
    const eq = line.indexOf('=');
    if (eq < 0) {
      add(
        n,
        'not-key-value',
        `line ${n} has no '=' (blank lines and comments are not allowed)`,
        true,
      );
      return;
    }
    const rawKey = line.slice(0, eq);
    const rawValue = line.slice(eq + 1);
    const key = rubyStrip(rawKey);
    if (!KEY.test(key))
      add(n, 'invalid-key', `line ${n}: key ${JSON.stringify(key)} must match [A-Za-z0-9_]+`, true);
    if (key.length > DOTENV_MAX_KEY_LENGTH)
      add(
        n,
        'key-too-long',
        `line ${n}: key longer than ${DOTENV_MAX_KEY_LENGTH} characters`,
        true,
      );
    if (line.includes('\r'))
      add(n, 'carriage-return', `line ${n} contains a carriage return`, false);
    if (rawKey !== key || rawValue !== rubyStrip(rawValue)) {
      add(
        n,
        'surrounding-space',
        `line ${n}: white space around the key or value is stripped by GitLab`,
        false,
      );
    }
    if (keys.has(key))
      add(
        n,
        'duplicate-key',
        `line ${n}: ${JSON.stringify(key)} repeats an earlier key (the last one wins)`,
        false,
      );
    keys.add(key);
  });
  if (keys.size > DOTENV_MAX_VARIABLES) {
    add(
      0,
      'too-many-variables',
      `${keys.size} variables; GitLab accepts at most ${DOTENV_MAX_VARIABLES}`,
      true,
    );
  }
  return violations;
}

/** Ruby's String#strip: ASCII white space and NUL. */
function rubyStrip(s: string): string {
  return s.replace(/^[\t\n\v\f\r \0]+|[\t\n\v\f\r \0]+$/g, '');
}
