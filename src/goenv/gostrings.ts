/**
 * Go's string primitives, reproduced where JavaScript's differ: `strings.TrimSpace` and
 * `strings.Fields` (unicode.IsSpace is not the set String.prototype.trim uses), `strconv.Quote`
 * (error texts quote values the Go way), and byte-level access (Go strings are UTF-8 bytes, so
 * algorithms that index bytes are ported on "byte strings": one char per byte, latin1).
 */

/** unicode.IsSpace: the White_Space property (JS trim() also strips U+FEFF and keeps U+0085). */
export function isGoSpace(codePoint: number): boolean {
  switch (codePoint) {
    case 0x09:
    case 0x0a:
    case 0x0b:
    case 0x0c:
    case 0x0d:
    case 0x20:
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
      return true;
    default:
      return codePoint >= 0x2000 && codePoint <= 0x200a;
  }
}

/** strings.TrimSpace. */
export function goTrimSpace(s: string): string {
  const chars = [...s];
  let start = 0;
  let end = chars.length;
  while (start < end && isGoSpace(chars[start]!.codePointAt(0)!)) start++;
  while (end > start && isGoSpace(chars[end - 1]!.codePointAt(0)!)) end--;
  return chars.slice(start, end).join('');
}

/** True when s contains a character unicode.IsSpace accepts. */
export function containsGoSpace(s: string): boolean {
  for (const ch of s) if (isGoSpace(ch.codePointAt(0)!)) return true;
  return false;
}

/** strings.Fields. */
export function goFields(s: string): string[] {
  const fields: string[] = [];
  let current = '';
  for (const ch of s) {
    if (isGoSpace(ch.codePointAt(0)!)) {
      if (current !== '') fields.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current !== '') fields.push(current);
  return fields;
}

/** A JS string as Go sees it: one char (0–255) per UTF-8 byte. */
export function toByteString(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

/** Back from a byte string to text (invalid UTF-8 becomes U+FFFD). */
export function fromByteString(bytes: string): string {
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

export const RUNE_ERROR = 0xfffd;

/** utf8.DecodeRuneInString on a byte string: [rune, size]; [RuneError, 1] for invalid input. */
export function decodeRune(bytes: string, at = 0): [number, number] {
  const n = bytes.length - at;
  if (n <= 0) return [RUNE_ERROR, 0];
  const b0 = bytes.charCodeAt(at);
  if (b0 < 0x80) return [b0, 1];
  const cont = (i: number): number => {
    const b = at + i < bytes.length ? bytes.charCodeAt(at + i) : -1;
    return b >= 0x80 && b <= 0xbf ? b & 0x3f : -1;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const c1 = cont(1);
    return c1 < 0 ? [RUNE_ERROR, 1] : [((b0 & 0x1f) << 6) | c1, 2];
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const c1 = cont(1);
    const c2 = cont(2);
    if (c1 < 0 || c2 < 0) return [RUNE_ERROR, 1];
    const r = ((b0 & 0x0f) << 12) | (c1 << 6) | c2;
    if (r < 0x800 || (r >= 0xd800 && r <= 0xdfff)) return [RUNE_ERROR, 1];
    return [r, 3];
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const c1 = cont(1);
    const c2 = cont(2);
    const c3 = cont(3);
    if (c1 < 0 || c2 < 0 || c3 < 0) return [RUNE_ERROR, 1];
    const r = ((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
    if (r < 0x10000 || r > 0x10ffff) return [RUNE_ERROR, 1];
    return [r, 4];
  }
  return [RUNE_ERROR, 1];
}

/** strings.Cut without `found`: split at the first sep; everything in `before` when absent. */
export function chop(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + sep.length)];
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

function quoteRune(r: number, size: number, raw: number): string {
  if (r === RUNE_ERROR && size === 1) return `\\x${hex2(raw)}`;
  if (r === 0x22) return '\\"';
  if (r === 0x5c) return '\\\\';
  if (r === 0x20 || PRINTABLE.test(String.fromCodePoint(r))) return String.fromCodePoint(r);
  switch (r) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
  }
  if (r < 0x20 || r === 0x7f) return `\\x${hex2(r)}`;
  if (r < 0x10000) return `\\u${r.toString(16).padStart(4, '0')}`;
  return `\\U${r.toString(16).padStart(8, '0')}`;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** strconv.Quote of a byte string. */
export function goQuoteBytes(bytes: string): string {
  let out = '"';
  for (let i = 0; i < bytes.length; ) {
    const [r, size] = decodeRune(bytes, i);
    out += quoteRune(r, size, bytes.charCodeAt(i));
    i += size;
  }
  return `${out}"`;
}

/** strconv.Quote (Go's %q of a string). */
export function goQuote(s: string): string {
  return goQuoteBytes(toByteString(s));
}

/** Go's `<` on strings: byte-wise comparison of the UTF-8 encodings. */
export function compareGoStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
