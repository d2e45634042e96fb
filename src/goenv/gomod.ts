/**
 * A tolerant reader of go.mod text (the subset go-proxy-setup needs: module path, go and
 * toolchain directives, requirements with `// indirect`, replacements and exclusions). Pure: it
 * never throws on odd input; what it cannot read lands in `problems`.
 */

export interface GoModRequire {
  readonly path: string;
  readonly version: string;
  readonly indirect: boolean;
}

export interface GoModReplace {
  readonly oldPath: string;
  readonly oldVersion: string | null;
  /** A module path, or a file path (`./fork`, `../x`, `/abs`) for local replacements. */
  readonly newPath: string;
  readonly newVersion: string | null;
}

export interface GoModExclude {
  readonly path: string;
  readonly version: string;
}

export interface GoMod {
  readonly module: string | null;
  readonly go: string | null;
  readonly toolchain: string | null;
  readonly requires: readonly GoModRequire[];
  readonly replaces: readonly GoModReplace[];
  readonly excludes: readonly GoModExclude[];
  /** Lines that could not be read, `line N: …`. */
  readonly problems: readonly string[];
}

interface Line {
  readonly number: number;
  readonly tokens: readonly string[];
  readonly comment: string;
}

/** Splits one line into tokens (quoted strings unquoted, `=>` separate) and its trailing comment. */
function tokenize(text: string): { tokens: string[]; comment: string } {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (text.startsWith('//', i)) {
      return { tokens, comment: text.slice(i + 2).trim() };
    } else if (c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += c === '"' && text[j] === '\\' ? 2 : 1;
      tokens.push(unquote(text.slice(i, j + 1)));
      i = j + 1;
    } else if (text.startsWith('=>', i) || c === '(' || c === ')') {
      const token = c === '=' ? '=>' : c;
      tokens.push(token);
      i += token.length;
    } else {
      let j = i;
      while (
        j < text.length &&
        !/[\s"`()]/.test(text[j]!) &&
        !text.startsWith('=>', j) &&
        !text.startsWith('//', j)
      )
        j++;
      tokens.push(text.slice(i, j));
      i = j;
    }
  }
  return { tokens, comment: '' };
}

function unquote(token: string): string {
  if (token.startsWith('`')) return token.slice(1, -1);
  try {
    return JSON.parse(token) as string;
  } catch {
    return token.slice(1, -1);
  }
}

/** `// indirect` or `// indirect; other notes` (modfile's isIndirect). */
function isIndirectComment(comment: string): boolean {
  return comment === 'indirect' || comment.startsWith('indirect;');
}

function* lines(text: string): Generator<Line> {
  const all = text.split('\n');
  for (let n = 0; n < all.length; n++) {
    const { tokens, comment } = tokenize(all[n]!);
    yield { number: n + 1, tokens, comment };
  }
}

export function parseGoMod(text: string): GoMod {
  let module: string | null = null;
  let go: string | null = null;
  let toolchain: string | null = null;
  const requires: GoModRequire[] = [];
  const replaces: GoModReplace[] = [];
  const excludes: GoModExclude[] = [];
  const problems: string[] = [];
  let block: string | null = null;

  const apply = (verb: string, args: readonly string[], line: Line): void => {
    const problem = (what: string): void => {
      problems.push(`line ${line.number}: ${what}`);
    };
    switch (verb) {
      case 'module':
        if (args.length === 1) module = args[0]!;
        else problem('usage: module module/path');
        break;
      case 'go':
        if (args.length === 1) go = args[0]!;
        else problem('usage: go 1.23');
        break;
      case 'toolchain':
        if (args.length === 1) toolchain = args[0]!;
        else problem('usage: toolchain go1.23.0');
        break;
      case 'require':
        if (args.length === 2)
          requires.push({
            path: args[0]!,
            version: args[1]!,
            indirect: isIndirectComment(line.comment),
          });
        else problem('usage: require module/path v1.2.3');
        break;
      case 'exclude':
        if (args.length === 2) excludes.push({ path: args[0]!, version: args[1]! });
        else problem('usage: exclude module/path v1.2.3');
        break;
      case 'replace': {
        const arrow = args.indexOf('=>');
        const left = args.slice(0, arrow);
        const right = args.slice(arrow + 1);
        if (arrow < 1 || left.length > 2 || right.length < 1 || right.length > 2) {
          problem('usage: replace module/path [v1.2.3] => other/module v1.4 | ./local/dir');
          break;
        }
        replaces.push({
          oldPath: left[0]!,
          oldVersion: left[1] ?? null,
          newPath: right[0]!,
          newVersion: right[1] ?? null,
        });
        break;
      }
      default:
        // retract, godebug, tool, ignore and future directives: tolerated, not needed here.
        break;
    }
  };

  for (const line of lines(text)) {
    const [first, ...rest] = line.tokens;
    if (first === undefined) continue;
    if (block !== null) {
      if (first === ')') block = null;
      else apply(block, line.tokens, line);
      continue;
    }
    if (rest.length === 1 && rest[0] === '(') {
      block = first;
      continue;
    }
    if (rest[0] === '(' && rest.at(-1) === ')') {
      // one-line block: require ( a v1 )
      apply(first, rest.slice(1, -1), line);
      continue;
    }
    apply(first, rest, line);
  }
  if (block !== null) problems.push(`unterminated ${block} block`);
  return { module, go, toolchain, requires, replaces, excludes, problems };
}

/** A requirement and the module Go actually downloads for it once `replace` directives apply. */
export interface EffectiveRequirement extends GoModRequire {
  /** Replaced by a local directory: nothing is downloaded for it. */
  readonly replacedLocally: boolean;
  /** The replacement that applies, if any. */
  readonly replacement: GoModReplace | null;
  /** Module path Go fetches (the replacement's when replaced by a module); null when replaced locally. */
  readonly fetchPath: string | null;
  /** Version Go fetches; null when replaced locally. */
  readonly fetchVersion: string | null;
}

/**
 * Requirements after replacements, as modload.Replacement resolves them: a replacement naming the
 * required version wins over one for every version of the path. `replace old => new vX` makes Go
 * download new@vX and never old; a replacement by a directory (no version) downloads nothing.
 */
export function effectiveRequirements(mod: GoMod): readonly EffectiveRequirement[] {
  return mod.requires.map((req) => {
    const replacement = replacementFor(mod.replaces, req.path, req.version);
    if (replacement === null) {
      return {
        ...req,
        replacedLocally: false,
        replacement: null,
        fetchPath: req.path,
        fetchVersion: req.version,
      };
    }
    if (isLocalReplacement(replacement)) {
      return { ...req, replacedLocally: true, replacement, fetchPath: null, fetchVersion: null };
    }
    return {
      ...req,
      replacedLocally: false,
      replacement,
      fetchPath: replacement.newPath,
      fetchVersion: replacement.newVersion,
    };
  });
}

/** The replacement Go applies to path@version: version-specific first, then the wildcard one. */
export function replacementFor(
  replaces: readonly GoModReplace[],
  path: string,
  version: string,
): GoModReplace | null {
  return (
    replaces.find((r) => r.oldPath === path && r.oldVersion === version) ??
    replaces.find((r) => r.oldPath === path && r.oldVersion === null) ??
    null
  );
}

/**
 * A directory replacement: no version on the right (modfile requires one for a module path), or a
 * path that is a file path (`./x`, `../x`, `/abs`, `C:\x`), which modfile never reads as a module.
 */
function isLocalReplacement(r: GoModReplace): boolean {
  return (
    r.newVersion === null ||
    /^\.{1,2}(\/|\\|$)/.test(r.newPath) ||
    r.newPath.startsWith('/') ||
    /^[A-Za-z]:[\\/]/.test(r.newPath)
  );
}
