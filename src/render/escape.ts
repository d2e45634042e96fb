/**
 * Making untrusted text (mirror error bodies, URLs, module paths, patterns) safe for each output:
 * one line of plain text first, then the escaping of the target syntax. Mirrors are third parties:
 * a body such as `<script>` or `](javascript:…)` must render as the characters it contains.
 */

/**
 * Control characters (C0, DEL, C1) and Unicode bidirectional overrides: on a terminal they can
 * rewrite what was printed before (ANSI escapes, `\r`), in a browser reorder text ("trojan source").
 */
const CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Default cap for one untrusted string: an error body can be a whole HTML page. */
export const MAX_TEXT_CHARS = 300;

/**
 * One line of plain text: control characters removed, every run of whitespace (newlines included)
 * folded into one space, cut at `maxChars` code points with an ellipsis.
 */
export function plainLine(text: string, maxChars: number = MAX_TEXT_CHARS): string {
  const folded = text.replace(CONTROL, '').replace(/\s+/g, ' ').trim();
  return truncate(folded, maxChars);
}

/** Cuts at a code point boundary (never inside a surrogate pair), marking the cut with `…`. */
export function truncate(text: string, maxChars: number): string {
  const chars = Array.from(text);
  if (chars.length <= maxChars) return text;
  if (maxChars <= 1) return '…'.slice(0, Math.max(0, maxChars));
  return `${chars.slice(0, maxChars - 1).join('')}…`;
}

/**
 * Characters that carry meaning in GitHub-flavoured markdown or HTML, as numeric character
 * references. CommonMark treats a character reference as literal text, never as markup, so the
 * result is inert inside table cells, list items, `<code>`, `<summary>` and headings alike.
 * `$` is GitHub's math delimiter.
 */
const MARKDOWN_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '|': '&#124;',
  '`': '&#96;',
  '[': '&#91;',
  ']': '&#93;',
  '(': '&#40;',
  ')': '&#41;',
  '*': '&#42;',
  _: '&#95;',
  '~': '&#126;',
  '\\': '&#92;',
  '#': '&#35;',
  '!': '&#33;',
  $: '&#36;',
  '{': '&#123;',
  '}': '&#125;',
};

const MARKDOWN_SPECIAL = /[&<>"'|`[\]()*_~\\#!${}]/g;

/**
 * Escapes one line of untrusted text for markdown with inline HTML. Newlines must already be gone
 * (use {@link markdownText}). Also breaks `@mention`s with a zero-width space, as Dependabot does:
 * a character reference would be decoded back into a mention.
 */
export function escapeMarkdownInline(line: string): string {
  let out = line.replace(MARKDOWN_SPECIAL, (c) => MARKDOWN_ENTITIES[c] ?? c);
  // At the start of a list item, "- x", "+ x", "1. x", "2) x", "---" or "===" would open a
  // nested list, a thematic break or a setext heading.
  out = out.replace(
    /^(?:[-+=](?=\s|[-+=]*$)|\d(?=\d{0,8}[.)](?:\s|$)))/,
    (c) => `&#${c.charCodeAt(0)};`,
  );
  // A mention starts at "@" not preceded by a word character and followed by a name character.
  return out.replace(/(^|[^A-Za-z0-9_])@(?=[A-Za-z0-9])/g, '$1@&#8203;');
}

/** Untrusted text → one escaped line for markdown/HTML. */
export function markdownText(text: string, maxChars: number = MAX_TEXT_CHARS): string {
  return escapeMarkdownInline(plainLine(text, maxChars));
}

/** Untrusted text in monospace: `<code>` (not a backtick span, which cannot hold escapes). */
export function markdownCode(text: string, maxChars: number = MAX_TEXT_CHARS): string {
  const escaped = markdownText(text, maxChars);
  return escaped === '' ? '' : `<code>${escaped}</code>`;
}

/** A backtick fence longer than any run of backticks in `content`, so the content cannot close it. */
export function fenceFor(content: string): string {
  let longest = 0;
  for (const run of content.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return '`'.repeat(Math.max(3, longest + 1));
}

/**
 * A Mermaid category label: Mermaid's parser breaks on quotes, brackets, `#`, `;` and more, and
 * has no escape for them, so only a conservative set of characters survives.
 */
export function mermaidLabel(text: string, maxChars = 32): string {
  const safe = plainLine(text, maxChars).replace(/[^A-Za-z0-9 ._:/+-]/g, '_');
  return safe === '' ? '_' : safe;
}

/** An OpenMetrics label value: backslash, double quote and line feed escaped (the only escapes defined). */
export function openMetricsLabelValue(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
