/**
 * GOPRIVATE / GONOPROXY / GONOSUMDB pattern lists: golang.org/x/mod module.MatchPrefixPatterns
 * and Go's path.Match, ported byte for byte (Go 1.19), plus the checks that find patterns which
 * can never match a module (the usual cause: a space after a comma).
 */
import { InputError } from '../errors.js';
import { RUNE_ERROR, decodeRune, goTrimSpace, toByteString } from './gostrings.js';

/** path.ErrBadPattern. */
export class BadPatternError extends Error {
  override readonly name = 'BadPatternError';
  constructor() {
    super('syntax error in pattern');
  }
}

interface ChunkResult {
  readonly rest: string;
  readonly ok: boolean;
}

function scanChunk(input: string): [star: boolean, chunk: string, rest: string] {
  let pattern = input;
  let star = false;
  while (pattern.length > 0 && pattern[0] === '*') {
    pattern = pattern.slice(1);
    star = true;
  }
  let inrange = false;
  let i = 0;
  scan: for (; i < pattern.length; i++) {
    switch (pattern[i]) {
      case '\\':
        // A trailing backslash is reported by matchChunk.
        if (i + 1 < pattern.length) i++;
        break;
      case '[':
        inrange = true;
        break;
      case ']':
        inrange = false;
        break;
      case '*':
        if (!inrange) break scan;
        break;
    }
  }
  return [star, pattern.slice(0, i), pattern.slice(i)];
}

function getEsc(input: string): [rune: number, rest: string] {
  let chunk = input;
  if (chunk.length === 0 || chunk[0] === '-' || chunk[0] === ']') throw new BadPatternError();
  if (chunk[0] === '\\') {
    chunk = chunk.slice(1);
    if (chunk.length === 0) throw new BadPatternError();
  }
  const [r, n] = decodeRune(chunk);
  if (r === RUNE_ERROR && n === 1) throw new BadPatternError();
  const rest = chunk.slice(n);
  if (rest.length === 0) throw new BadPatternError();
  return [r, rest];
}

function matchChunk(chunkIn: string, sIn: string): ChunkResult {
  let chunk = chunkIn;
  let s = sIn;
  // After a mismatch keep walking the chunk, only to report a malformed pattern.
  let failed = false;
  while (chunk.length > 0) {
    if (!failed && s.length === 0) failed = true;
    switch (chunk[0]) {
      case '[': {
        let r = 0;
        if (!failed) {
          const [decoded, n] = decodeRune(s);
          r = decoded;
          s = s.slice(n);
        }
        chunk = chunk.slice(1);
        let negated = false;
        if (chunk.length > 0 && chunk[0] === '^') {
          negated = true;
          chunk = chunk.slice(1);
        }
        let match = false;
        let nrange = 0;
        for (;;) {
          if (chunk.length > 0 && chunk[0] === ']' && nrange > 0) {
            chunk = chunk.slice(1);
            break;
          }
          let lo: number;
          let hi: number;
          [lo, chunk] = getEsc(chunk);
          hi = lo;
          if (chunk[0] === '-') [hi, chunk] = getEsc(chunk.slice(1));
          if (lo <= r && r <= hi) match = true;
          nrange++;
        }
        if (match === negated) failed = true;
        break;
      }
      case '?':
        if (!failed) {
          if (s[0] === '/') failed = true;
          const [, n] = decodeRune(s);
          s = s.slice(n);
        }
        chunk = chunk.slice(1);
        break;
      case '\\':
        chunk = chunk.slice(1);
        if (chunk.length === 0) throw new BadPatternError();
        if (!failed) {
          if (chunk[0] !== s[0]) failed = true;
          s = s.slice(1);
        }
        chunk = chunk.slice(1);
        break;
      default:
        if (!failed) {
          if (chunk[0] !== s[0]) failed = true;
          s = s.slice(1);
        }
        chunk = chunk.slice(1);
    }
  }
  return failed ? { rest: '', ok: false } : { rest: s, ok: true };
}

function matchBytes(patternIn: string, nameIn: string): boolean {
  let pattern = patternIn;
  let name = nameIn;
  patternLoop: while (pattern.length > 0) {
    let star: boolean;
    let chunk: string;
    [star, chunk, pattern] = scanChunk(pattern);
    // A trailing * matches the rest of the name unless it has a '/'.
    if (star && chunk === '') return !name.includes('/');
    const here = matchChunk(chunk, name);
    // The last chunk must consume the whole name.
    if (here.ok && (here.rest.length === 0 || pattern.length > 0)) {
      name = here.rest;
      continue;
    }
    if (star) {
      // Try skipping i+1 bytes; '*' cannot skip '/'.
      for (let i = 0; i < name.length && name[i] !== '/'; i++) {
        const skipped = matchChunk(chunk, name.slice(i + 1));
        if (skipped.ok) {
          if (pattern.length === 0 && skipped.rest.length > 0) continue;
          name = skipped.rest;
          continue patternLoop;
        }
      }
    }
    // Report a malformed remainder even though the match already failed.
    while (pattern.length > 0) {
      [, chunk, pattern] = scanChunk(pattern);
      matchChunk(chunk, '');
    }
    return false;
  }
  return name.length === 0;
}

/** path.Match: throws BadPatternError where Go returns ErrBadPattern. */
export function goPathMatch(pattern: string, name: string): boolean {
  return matchBytes(toByteString(pattern), toByteString(name));
}

/** True when path.Match reports ErrBadPattern for this pattern (the check filepath.Glob uses). */
export function isMalformedGlob(pattern: string): boolean {
  try {
    goPathMatch(pattern, '');
    return false;
  } catch (error) {
    if (error instanceof BadPatternError) return true;
    throw error;
  }
}

/** module.MatchPrefixPatterns: whether any glob in the comma-separated list matches a prefix of target. */
export function matchPrefixPatterns(globs: string, target: string): boolean {
  for (const rawGlob of globs.split(',')) {
    const glob = rawGlob.endsWith('/') ? rawGlob.slice(0, -1) : rawGlob;
    if (glob === '') continue;
    // A glob with N slashes is matched against the first N+1 path elements of target.
    let n = countSlashes(glob);
    let prefix = target;
    for (let i = 0; i < target.length; i++) {
      if (target[i] === '/') {
        if (n === 0) {
          prefix = target.slice(0, i);
          break;
        }
        n--;
      }
    }
    if (n > 0) continue;
    try {
      if (goPathMatch(glob, prefix)) return true;
    } catch (error) {
      if (!(error instanceof BadPatternError)) throw error;
      // Go ignores a malformed glob: it simply matches nothing.
    }
  }
  return false;
}

function countSlashes(s: string): number {
  let n = 0;
  for (const ch of s) if (ch === '/') n++;
  return n;
}

export type DeadPatternReason =
  | 'surrounding-space'
  | 'inner-space'
  | 'malformed'
  | 'empty-element'
  | 'upper-case-host';

export interface DeadPattern {
  /** The glob exactly as it appears between commas. */
  readonly pattern: string;
  readonly reason: DeadPatternReason;
  /** One sentence: why it matches nothing and what to write instead. */
  readonly message: string;
}

export interface PatternListAnalysis {
  /** Non-empty globs as Go sees them (split on ',', nothing trimmed). */
  readonly patterns: readonly string[];
  /** Globs that can match a module path. */
  readonly live: readonly string[];
  /** Globs that can never match a valid module path. */
  readonly dead: readonly DeadPattern[];
}

/**
 * Why a glob can never match a module path, or null. Only reports certainties: a module path has
 * no white space and no empty element, its first element is lower case, and Go ignores a malformed glob.
 */
export function deadPatternReason(glob: string): DeadPattern | null {
  const shown = JSON.stringify(glob);
  const trimmed = goTrimSpace(glob);
  if (trimmed !== glob && trimmed !== '') {
    return {
      pattern: glob,
      reason: 'surrounding-space',
      message: `${shown} has leading or trailing white space; Go compares it literally, so it matches no module (write ${JSON.stringify(trimmed)})`,
    };
  }
  if (isMalformedGlob(glob)) {
    return {
      pattern: glob,
      reason: 'malformed',
      message: `${shown} is not a valid glob (path.Match syntax error); Go ignores it`,
    };
  }
  const literal = literalOutsideClasses(glob);
  if (/\s/.test(literal.all) || trimmed === '') {
    return {
      pattern: glob,
      reason: 'inner-space',
      message: `${shown} contains white space; module paths never do, so it matches nothing`,
    };
  }
  const body = glob.endsWith('/') ? glob.slice(0, -1) : glob;
  if (body.split('/').some((element) => element === '')) {
    return {
      pattern: glob,
      reason: 'empty-element',
      message: `${shown} has an empty path element ('//' or a leading '/'); Go trims only one trailing '/', so it matches nothing`,
    };
  }
  if (/[A-Z]/.test(literal.firstElement)) {
    return {
      pattern: glob,
      reason: 'upper-case-host',
      message: `${shown} has upper-case letters in its first element; module paths start with a lower-case host and matching is case-sensitive (write ${JSON.stringify(lowerFirstElement(glob))})`,
    };
  }
  return null;
}

/** The characters a well-formed glob matches literally (outside [...] classes; escapes resolved). */
function literalOutsideClasses(glob: string): { all: string; firstElement: string } {
  let all = '';
  let firstElement = '';
  let inFirst = true;
  for (let i = 0; i < glob.length; i++) {
    let ch = glob[i]!;
    if (ch === '[') {
      i = endOfClass(glob, i);
      continue;
    }
    if (ch === '*' || ch === '?') continue;
    if (ch === '\\' && i + 1 < glob.length) ch = glob[++i]!;
    if (ch === '/') inFirst = false;
    all += ch;
    if (inFirst) firstElement += ch;
  }
  return { all, firstElement };
}

/** Index of the ']' closing the class that opens at `open` (the glob is known to be well formed). */
function endOfClass(glob: string, open: number): number {
  let j = open + 1;
  if (glob[j] === '^') j++;
  let ranges = 0;
  while (j < glob.length) {
    if (glob[j] === ']' && ranges > 0) return j;
    if (glob[j] === '\\') j++;
    j++;
    if (glob[j] === '-') {
      j++;
      if (glob[j] === '\\') j++;
      j++;
    }
    ranges++;
  }
  return glob.length;
}

function lowerFirstElement(glob: string): string {
  const slash = glob.indexOf('/');
  return slash < 0 ? glob.toLowerCase() : glob.slice(0, slash).toLowerCase() + glob.slice(slash);
}

/** Analyses a GOPRIVATE / GONOPROXY / GONOSUMDB value the way Go splits it. */
export function analysePatternList(value: string): PatternListAnalysis {
  const patterns = value.split(',').filter((glob) => glob !== '' && glob !== '/');
  const live: string[] = [];
  const dead: DeadPattern[] = [];
  for (const glob of patterns) {
    const problem = deadPatternReason(glob);
    if (problem === null) live.push(glob);
    else dead.push(problem);
  }
  return { patterns, live, dead };
}

/**
 * Parses a pattern list from one of our inputs (comma or newline separated). Surrounding white
 * space is trimmed: in our list syntax it is formatting (`a, b`, YAML block indentation), and
 * trimming can only turn a dead glob into the one the user meant; the written value never holds
 * spaces. Anything still dead after trimming is rejected with InputError. Duplicates are dropped,
 * order kept.
 */
export function parsePatternInput(inputName: string, raw: string): readonly string[] {
  const out: string[] = [];
  for (const item of raw.split(/[,\n\r]/)) {
    const glob = goTrimSpace(item);
    if (glob === '' || glob === '/') continue;
    const problem = deadPatternReason(glob);
    if (problem !== null) {
      throw new InputError(
        `Invalid input '${inputName}': ${problem.message} (allowed: module path patterns such as corp.example.com or github.com/acme, comma or newline separated).`,
      );
    }
    if (!out.includes(glob)) out.push(glob);
  }
  return out;
}

export class PatternFormatError extends Error {
  override readonly name = 'PatternFormatError';
}

/** Joins globs for GOPRIVATE & co.: no spaces, no empties, no duplicates, nothing dead. */
export function formatPatternList(globs: readonly string[]): string {
  const unique: string[] = [];
  for (const glob of globs) {
    if (glob === '' || glob.includes(','))
      throw new PatternFormatError(`invalid pattern ${JSON.stringify(glob)}`);
    const problem = deadPatternReason(glob);
    if (problem !== null)
      throw new PatternFormatError(
        `refusing to write a pattern that matches nothing: ${problem.message}`,
      );
    if (!unique.includes(glob)) unique.push(glob);
  }
  return unique.join(',');
}
