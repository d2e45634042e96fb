/**
 * Module paths and versions: golang.org/x/mod module.CheckPath / Check and semver, ported with
 * Go's error texts, for `path[@version]` inputs and go.mod requirements.
 */
import type { ModuleRef } from '../probe/types.js';
import { goQuote } from './gostrings.js';

// ---- semver (golang.org/x/mod/semver) ----

interface ParsedSemver {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
  readonly short: string;
  readonly prerelease: string;
  readonly build: string;
}

function parseDecimal(v: string): [string, string] | null {
  const m = /^[0-9]+/.exec(v);
  if (m === null) return null;
  if (m[0].length > 1 && m[0][0] === '0') return null;
  return [m[0], v.slice(m[0].length)];
}

function isBadNum(v: string): boolean {
  return /^[0-9]+$/.test(v) && v.length > 1 && v[0] === '0';
}

function parseIdentifiers(
  v: string,
  stopAtPlus: boolean,
  checkNumbers: boolean,
): [string, string] | null {
  let i = 1;
  let start = 1;
  for (; i < v.length && !(stopAtPlus && v[i] === '+'); i++) {
    const c = v[i]!;
    if (!/[A-Za-z0-9-]/.test(c) && c !== '.') return null;
    if (c === '.') {
      if (start === i || (checkNumbers && isBadNum(v.slice(start, i)))) return null;
      start = i + 1;
    }
  }
  if (start === i || (checkNumbers && isBadNum(v.slice(start, i)))) return null;
  return [v.slice(0, i), v.slice(i)];
}

function parseSemver(v: string): ParsedSemver | null {
  if (v === '' || v[0] !== 'v') return null;
  const major = parseDecimal(v.slice(1));
  if (major === null) return null;
  let rest = major[1];
  if (rest === '')
    return { major: major[0], minor: '0', patch: '0', short: '.0.0', prerelease: '', build: '' };
  if (rest[0] !== '.') return null;
  const minor = parseDecimal(rest.slice(1));
  if (minor === null) return null;
  rest = minor[1];
  if (rest === '')
    return { major: major[0], minor: minor[0], patch: '0', short: '.0', prerelease: '', build: '' };
  if (rest[0] !== '.') return null;
  const patch = parseDecimal(rest.slice(1));
  if (patch === null) return null;
  rest = patch[1];
  let prerelease = '';
  let build = '';
  if (rest.startsWith('-')) {
    const pre = parseIdentifiers(rest, true, true);
    if (pre === null) return null;
    [prerelease, rest] = pre;
  }
  if (rest.startsWith('+')) {
    const b = parseIdentifiers(rest, false, false);
    if (b === null) return null;
    [build, rest] = b;
  }
  if (rest !== '') return null;
  return { major: major[0], minor: minor[0], patch: patch[0], short: '', prerelease, build };
}

export function isValidSemver(v: string): boolean {
  return parseSemver(v) !== null;
}

/** semver.Canonical: `v1.2` → `v1.2.0`, build metadata dropped; '' when invalid. */
export function canonicalSemver(v: string): string {
  const p = parseSemver(v);
  if (p === null) return '';
  if (p.build !== '') return v.slice(0, v.length - p.build.length);
  return v + p.short;
}

export function semverMajor(v: string): string {
  const p = parseSemver(v);
  return p === null ? '' : v.slice(0, 1 + p.major.length);
}

export function semverBuild(v: string): string {
  return parseSemver(v)?.build ?? '';
}

export function semverPrerelease(v: string): string {
  return parseSemver(v)?.prerelease ?? '';
}

function compareInt(x: string, y: string): number {
  if (x === y) return 0;
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : 1;
}

function comparePrerelease(x: string, y: string): number {
  if (x === y) return 0;
  if (x === '') return 1;
  if (y === '') return -1;
  const xs = x.slice(1).split('.');
  const ys = y.slice(1).split('.');
  for (let i = 0; i < xs.length && i < ys.length; i++) {
    const dx = xs[i]!;
    const dy = ys[i]!;
    if (dx === dy) continue;
    const nx = /^[0-9]*$/.test(dx);
    const ny = /^[0-9]*$/.test(dy);
    if (nx !== ny) return nx ? -1 : 1;
    if (nx && dx.length !== dy.length) return dx.length < dy.length ? -1 : 1;
    return dx < dy ? -1 : 1;
  }
  return xs.length < ys.length ? -1 : xs.length > ys.length ? 1 : 0;
}

/** semver.Compare (invalid versions sort before valid ones). */
export function compareSemver(v: string, w: string): number {
  const pv = parseSemver(v);
  const pw = parseSemver(w);
  if (pv === null && pw === null) return 0;
  if (pv === null) return -1;
  if (pw === null) return 1;
  return (
    compareInt(pv.major, pw.major) ||
    compareInt(pv.minor, pw.minor) ||
    compareInt(pv.patch, pw.patch) ||
    comparePrerelease(pv.prerelease, pw.prerelease)
  );
}

// ---- module paths (golang.org/x/mod/module) ----

/** strconv.QuoteRune (Go's %q of a rune). */
export function goQuoteRune(ch: string): string {
  if (ch === "'") return "'\\''";
  const quoted = goQuote(ch).slice(1, -1).replace(/\\"/g, '"');
  return `'${quoted}'`;
}

const BAD_WINDOWS_NAMES = [
  'CON',
  'PRN',
  'AUX',
  'NUL',
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((n) => [`COM${n}`, `LPT${n}`]),
];

function modPathOK(ch: string): boolean {
  return /^[-._~0-9A-Za-z]$/.test(ch);
}

function firstPathOK(ch: string): boolean {
  return /^[-.0-9a-z]$/.test(ch);
}

function checkElem(elem: string): string | null {
  if (elem === '') return 'empty path element';
  if (/^\.+$/.test(elem)) return `invalid path element ${goQuote(elem)}`;
  if (elem[0] === '.') return 'leading dot in path element';
  if (elem.endsWith('.')) return 'trailing dot in path element';
  for (const ch of elem) if (!modPathOK(ch)) return `invalid char ${goQuoteRune(ch)}`;
  const dot = elem.indexOf('.');
  const short = dot >= 0 ? elem.slice(0, dot) : elem;
  if (BAD_WINDOWS_NAMES.some((bad) => bad.toLowerCase() === short.toLowerCase())) {
    return `${goQuote(short)} disallowed as path element component on Windows`;
  }
  const tilde = short.lastIndexOf('~');
  if (tilde >= 0 && tilde < short.length - 1 && /^[0-9]+$/.test(short.slice(tilde + 1))) {
    return 'trailing tilde and digits in path element';
  }
  return null;
}

function checkPathSyntax(path: string): string | null {
  if (!path.isWellFormed()) return 'invalid UTF-8';
  if (path === '') return 'empty string';
  if (path[0] === '-') return 'leading dash';
  if (path.includes('//')) return 'double slash';
  if (path.endsWith('/')) return 'trailing slash';
  for (const elem of path.split('/')) {
    const problem = checkElem(elem);
    if (problem !== null) return problem;
  }
  return null;
}

/** module.SplitPathVersion: `example.com/m/v2` → prefix `example.com/m`, pathMajor `/v2`. */
export function splitPathVersion(path: string): { prefix: string; pathMajor: string; ok: boolean } {
  if (path.startsWith('gopkg.in/')) return splitGopkgIn(path);
  let i = path.length;
  let dot = false;
  while (i > 0 && /[0-9.]/.test(path[i - 1]!)) {
    if (path[i - 1] === '.') dot = true;
    i--;
  }
  if (i <= 1 || i === path.length || path[i - 1] !== 'v' || path[i - 2] !== '/') {
    return { prefix: path, pathMajor: '', ok: true };
  }
  const prefix = path.slice(0, i - 2);
  const pathMajor = path.slice(i - 2);
  if (dot || pathMajor.length <= 2 || pathMajor[2] === '0' || pathMajor === '/v1') {
    return { prefix: path, pathMajor: '', ok: false };
  }
  return { prefix, pathMajor, ok: true };
}

function splitGopkgIn(path: string): { prefix: string; pathMajor: string; ok: boolean } {
  let i = path.length;
  if (path.endsWith('-unstable')) i -= '-unstable'.length;
  while (i > 0 && /[0-9]/.test(path[i - 1]!)) i--;
  if (i <= 1 || path[i - 1] !== 'v' || path[i - 2] !== '.')
    return { prefix: path, pathMajor: '', ok: false };
  const prefix = path.slice(0, i - 2);
  const pathMajor = path.slice(i - 2);
  if (pathMajor.length <= 2 || (pathMajor[2] === '0' && pathMajor !== '.v0')) {
    return { prefix: path, pathMajor: '', ok: false };
  }
  return { prefix, pathMajor, ok: true };
}

function checkPathReason(path: string): string | null {
  const syntax = checkPathSyntax(path);
  if (syntax !== null) return syntax;
  const slash = path.indexOf('/');
  const first = slash < 0 ? path : path.slice(0, slash);
  if (first === '') return 'leading slash';
  if (!first.includes('.')) return 'missing dot in first path element';
  if (path[0] === '-') return 'leading dash in first path element';
  for (const ch of first)
    if (!firstPathOK(ch)) return `invalid char ${goQuoteRune(ch)} in first path element`;
  if (!splitPathVersion(path).ok) return 'invalid version';
  return null;
}

/** module.CheckPath: Go's error text (`malformed module path "x": …`) or null. */
export function checkModulePath(path: string): string | null {
  const reason = checkPathReason(path);
  return reason === null ? null : `malformed module path ${goQuote(path)}: ${reason}`;
}

/** module.CheckPathMajor: null, or the InvalidVersionError reason (`should be v2, not v3`). */
export function checkPathMajor(version: string, pathMajor: string): string | null {
  let major = pathMajor;
  if (major.startsWith('.v') && major.endsWith('-unstable'))
    major = major.slice(0, -'-unstable'.length);
  if (version.startsWith('v0.0.0-') && major === '.v1') return null;
  const m = semverMajor(version);
  if (major === '') {
    if (m === 'v0' || m === 'v1' || semverBuild(version) === '+incompatible') return null;
    major = 'v0 or v1';
  } else if (major[0] === '/' || major[0] === '.') {
    if (m === major.slice(1)) return null;
    major = major.slice(1);
  }
  return `should be ${major}, not ${semverMajor(version)}`;
}

/**
 * module.Check plus what the proxy protocol needs for `.info`/`.mod` URLs: a canonical version.
 * Returns Go's error text (or ours for the canonical rule), or null.
 */
export function checkModuleVersion(path: string, version: string): string | null {
  const pathProblem = checkModulePath(path);
  if (pathProblem !== null) return pathProblem;
  if (!isValidSemver(version)) return `${path}@${version}: invalid version: not a semantic version`;
  const { pathMajor } = splitPathVersion(path);
  const majorProblem = checkPathMajor(version, pathMajor);
  if (majorProblem !== null) return `${path}@${version}: invalid version: ${majorProblem}`;
  const canonical = canonicalSemver(version);
  if (
    canonical !== version &&
    !(semverBuild(version) === '+incompatible' && `${canonical}+incompatible` === version)
  ) {
    return `${path}@${version}: invalid version: not a canonical version (write ${canonical})`;
  }
  return null;
}

export type { ModuleRef };

/** Parses `path` or `path@version`; throws Error with Go's wording. */
export function parseModuleRef(text: string): ModuleRef {
  const at = text.indexOf('@');
  const path = at < 0 ? text : text.slice(0, at);
  const version = at < 0 ? null : text.slice(at + 1);
  const problem = version === null ? checkModulePath(path) : checkModuleVersion(path, version);
  if (problem !== null) throw new Error(problem);
  return { path, version };
}
