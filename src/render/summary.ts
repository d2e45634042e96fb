import type { Redactor } from '../redact.js';
import type {
  EndpointOutcome,
  Finding,
  MirrorReport,
  PrivatePatternReport,
  Report,
  ValueSource,
} from '../report/types.js';
/**
 * The GitHub job summary (GitHub-flavoured markdown with minimal HTML), rendered purely from the
 * report. Layout (failure-modes.md §3.2): the verdict first, a ranked table, an optional Mermaid
 * latency chart, then raw data folded in `<details>`. Every string from the report is redacted and
 * escaped: mirror URLs, error bodies and module paths come from outside.
 * Far below GitHub's 1 MiB limit: when over `maxBytes`, detail goes first (see capToBytes).
 */
import { count } from '../units.js';
import { fenceFor, markdownCode, markdownText, mermaidLabel, plainLine } from './escape.js';
import { actionableFindings, noteFindings } from './findings.js';
import {
  NOTABLE_SPEEDUP,
  NOT_MEASURED,
  formatBytes,
  formatFreshness,
  formatIntegrity,
  formatMs,
  formatOutcome,
  formatRate,
  formatRatio,
} from './format.js';
import { isWorking, orderedMirrors, shortMirrorName } from './mirrors.js';

export interface SummaryOptions {
  /** Include the Mermaid latency chart (the `summary` input may omit it). */
  readonly chart: boolean;
  /** Size cap in UTF-8 bytes; default {@link DEFAULT_SUMMARY_MAX_BYTES}. `Infinity` disables it. */
  readonly maxBytes?: number;
  /** Applied to every string taken from the report, before escaping. */
  readonly redactor?: Redactor;
}

/** 64 KiB: one summary among several steps' stays far below GitHub's 1 MiB per-job limit. */
export const DEFAULT_SUMMARY_MAX_BYTES = 64 * 1024;

/** The job summary of the main step. */
export function renderSummary(report: Report, options: SummaryOptions): string {
  return renderReportMarkdown(report, { ...options, details: 'html' });
}

/** How the folded sections are written: `<details>` (GitHub) or plain headings (portable markdown). */
export type DetailsStyle = 'html' | 'headings';

export interface ReportMarkdownOptions extends SummaryOptions {
  readonly details: DetailsStyle;
}

/** Shared by the job summary and the CLI's `--format markdown`. */
export function renderReportMarkdown(report: Report, options: ReportMarkdownOptions): string {
  const text = new SafeText(options.redactor);
  const mirrors = orderedMirrors(report);
  const parts: SummaryParts = {
    verdict: verdictLines(report, text),
    table: mirrorTable(mirrors, text),
    chart: options.chart ? latencyChart(mirrors, text) : null,
    details: detailSections(report, mirrors, text).map((section) =>
      renderSection(section, options.details),
    ),
    footer: footer(report),
  };
  return capToBytes(parts, options.maxBytes ?? DEFAULT_SUMMARY_MAX_BYTES);
}

// ---------------------------------------------------------------------------------------------
// Untrusted text

/** Redacts, then escapes: a secret is masked in its raw form, before escaping could split it. */
class SafeText {
  readonly #redactor: Redactor | undefined;

  constructor(redactor: Redactor | undefined) {
    this.#redactor = redactor;
  }

  raw(value: string): string {
    return this.#redactor ? this.#redactor.redact(value) : value;
  }

  /** Escaped inline text. */
  md(value: string, maxChars?: number): string {
    return markdownText(this.raw(value), maxChars);
  }

  /** Escaped inline `<code>`. */
  code(value: string, maxChars?: number): string {
    return markdownCode(this.raw(value), maxChars);
  }
}

// ---------------------------------------------------------------------------------------------
// Verdict

function verdictLines(report: Report, text: SafeText): string[] {
  const lines = ['### Go module proxy', '', headline(report, text), ''];
  lines.push(...settingsTable(report, text), '');
  if (report.reasons.length > 0) {
    lines.push('**Why**', '', ...report.reasons.slice(0, 20).map((r) => `- ${text.md(r)}`), '');
  }
  const actionable = actionableFindings(report);
  const heading = actionable.some((f) => f.level === 'error') ? 'Errors and warnings' : 'Warnings';
  lines.push(...findingList(heading, actionable, text));
  lines.push(...findingList('Notes', noteFindings(report), text));
  while (lines.at(-1) === '') lines.pop();
  return lines;
}

const MAX_FINDINGS_LISTED = 20;

function findingList(heading: string, findings: readonly Finding[], text: SafeText): string[] {
  if (findings.length === 0) return [];
  const lines = [`**${heading}**`, ''];
  for (const finding of findings.slice(0, MAX_FINDINGS_LISTED)) {
    const level = finding.level === 'error' ? 'Error: ' : '';
    // Titles are shown whole (they may name a mirror URL); only absurd lengths are cut.
    lines.push(`- **${level}${text.md(finding.title, 160)}**: ${text.md(finding.message, 600)}`);
  }
  if (findings.length > MAX_FINDINGS_LISTED) {
    lines.push(`- …and ${findings.length - MAX_FINDINGS_LISTED} more.`);
  }
  lines.push('');
  return lines;
}

function headline(report: Report, text: SafeText): string {
  if (!report.routeFound) {
    return '**No route to public Go modules was found.** The reasons and the errors follow.';
  }
  const fastest = report.fastestMirror;
  if (fastest === null) return '**Settings written.** No mirror was measured.';
  const latency =
    report.fastestLatencyMs === null
      ? ''
      : ` (median time to first byte ${formatMs(report.fastestLatencyMs)})`;
  return `**Fastest mirror: ${text.code(fastest)}**${latency}.${speedupSentence(report.speedupOverDefault)}`;
}

function speedupSentence(speedup: number | null): string {
  if (speedup === null || !Number.isFinite(speedup) || speedup <= 0) return '';
  if (speedup >= NOTABLE_SPEEDUP)
    return ` ${formatRatio(speedup)} faster than the default route (proxy.golang.org).`;
  if (speedup > 0.95) return ' About as fast as the default route (proxy.golang.org).';
  return ` ${formatRatio(1 / speedup)} slower than the default route (proxy.golang.org), which ranked lower for the reasons below.`;
}

function settingsTable(report: Report, text: SafeText): string[] {
  const s = report.settings;
  const rows: [string, string][] = [
    ['GOPROXY', s.GOPROXY],
    ['GOSUMDB', s.GOSUMDB],
    ['GOPRIVATE', s.GOPRIVATE],
  ];
  // GONOPROXY/GONOSUMDB only when written: they default to GOPRIVATE and would be noise.
  if (s.GONOPROXY !== '') rows.push(['GONOPROXY', s.GONOPROXY]);
  if (s.GONOSUMDB !== '') rows.push(['GONOSUMDB', s.GONOSUMDB]);
  return [
    '| Setting | Value |',
    '| --- | --- |',
    ...rows.map(
      ([name, value]) => `| \`${name}\` | ${value === '' ? 'not set' : text.code(value, 2000)} |`,
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// Ranked table

interface MirrorTable {
  readonly head: string[];
  readonly rows: string[];
}

function mirrorTable(mirrors: readonly MirrorReport[], text: SafeText): MirrorTable {
  return {
    head: [
      '| # | Mirror | Verdict | TTFB (median) | Connect / TLS | Throughput | Sumdb relay | Integrity | Freshness |',
      '| ---: | --- | --- | ---: | ---: | ---: | --- | --- | --- |',
    ],
    rows: mirrors.map((m) => mirrorRow(m, text)),
  };
}

const ORIGIN_NOTE: Readonly<Record<MirrorReport['origin'], string>> = {
  catalog: '',
  input: ' (from input)',
  env: ' (from GOPROXY)',
  private: ' (private proxy)',
};

function mirrorRow(m: MirrorReport, text: SafeText): string {
  const verdict = isWorking(m) ? `**${m.verdict}**` : m.verdict;
  const reason = m.reason === '' ? '' : `: ${text.md(m.reason, 200)}`;
  const integrity = formatIntegrity(m.integrity);
  const cells = [
    m.rank === null ? NOT_MEASURED : String(m.rank),
    `${text.code(m.url, 200)}${ORIGIN_NOTE[m.origin] ?? ''}`,
    `${verdict}${reason}`,
    formatMs(m.timings.ttfbMs),
    `${formatMs(m.timings.connectMs)} / ${formatMs(m.timings.tlsMs)}`,
    formatRate(m.throughputBytesPerSec),
    formatOutcome(m.sumdbSupported),
    m.integrity === 'mismatch' || m.integrity === 'empty-mod' ? `**${integrity}**` : integrity,
    formatFreshness(m.fresh),
  ];
  return `| ${cells.join(' | ')} |`;
}

// ---------------------------------------------------------------------------------------------
// Chart

/** More bars than this make an unreadable chart; the table has them all. */
const MAX_CHART_BARS = 15;

function latencyChart(mirrors: readonly MirrorReport[], text: SafeText): string | null {
  // Working mirrors only: a fast 403 or a fast tampered mirror is no candidate to compare.
  const measured = mirrors
    .filter((m) => isWorking(m) && m.timings.ttfbMs !== null)
    .slice(0, MAX_CHART_BARS);
  if (measured.length === 0) return null;
  const labels = uniqueLabels(measured.map((m) => mermaidLabel(shortMirrorName(text.raw(m.url)))));
  const values = measured.map((m) => Math.max(0, Math.round(m.timings.ttfbMs ?? 0)));
  const top = niceCeiling(Math.max(...values) * 1.1);
  return [
    '```mermaid',
    'xychart-beta',
    '  title "Median time to first byte of working mirrors (ms)"',
    `  x-axis [${labels.map((l) => `"${l}"`).join(', ')}]`,
    `  y-axis "ms" 0 --> ${top}`,
    `  bar [${values.join(', ')}]`,
    '```',
  ].join('\n');
}

/** Mermaid merges equal categories: number repeated labels. */
function uniqueLabels(labels: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return labels.map((label) => {
    const count = (seen.get(label) ?? 0) + 1;
    seen.set(label, count);
    return count === 1 ? label : `${label}-${count}`;
  });
}

/** The next 1, 2 or 5 × 10ⁿ at or above value (an axis that ends on a round number). */
function niceCeiling(value: number): number {
  if (value <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 10 * magnitude;
}

// ---------------------------------------------------------------------------------------------
// Details

interface DetailSection {
  /** Stable id, used for the drop order. */
  readonly id: DetailId;
  readonly title: string;
  readonly body: string;
}

type DetailId = 'timings' | 'errors' | 'sumdb' | 'private' | 'modules' | 'env';

/** Order of the sections in the document. */
function detailSections(
  report: Report,
  mirrors: readonly MirrorReport[],
  text: SafeText,
): DetailSection[] {
  return [
    timingsSection(mirrors, text),
    errorsSection(mirrors, text),
    sumdbSection(report, text),
    privateSection(report.privatePatterns, text),
    modulesSection(report, text),
    envSection(report, text),
  ];
}

/** Which folded section goes first when the summary is too large: the bulkiest, least needed. */
const DROP_ORDER: readonly DetailId[] = ['timings', 'modules', 'errors', 'sumdb', 'private', 'env'];

const MAX_SAMPLES_SHOWN = 20;

function timingsSection(mirrors: readonly MirrorReport[], text: SafeText): DetailSection {
  const rows = mirrors.map((m) => {
    const t = m.timings;
    const samples = m.latencySamplesMs.slice(0, MAX_SAMPLES_SHOWN).map((ms) => Math.round(ms));
    const more = m.latencySamplesMs.length > MAX_SAMPLES_SHOWN ? ', …' : '';
    const cells = [
      text.code(m.url, 200),
      String(m.samples),
      samples.length === 0 ? NOT_MEASURED : `${samples.join(', ')}${more}`,
      formatMs(t.dnsMs),
      formatMs(t.connectMs),
      formatMs(t.tlsMs),
      formatMs(t.ttfbMs),
      formatMs(t.totalMs),
      formatRate(m.throughputBytesPerSec),
    ];
    return `| ${cells.join(' | ')} |`;
  });
  const body =
    rows.length === 0
      ? 'No mirror was probed.'
      : [
          'Medians per phase; per-request totals in milliseconds, in the order measured.',
          '',
          '| Mirror | Samples | Per-request total (ms) | DNS | Connect | TLS | TTFB | Total | Throughput |',
          '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
          ...rows,
        ].join('\n');
  return { id: 'timings', title: 'Raw timings', body };
}

function errorsSection(mirrors: readonly MirrorReport[], text: SafeText): DetailSection {
  const blocks: string[] = [];
  for (const m of mirrors) {
    const items = mirrorProblems(m, text);
    if (items.length === 0) continue;
    blocks.push(`${text.code(m.url, 200)} (${m.verdict})\n\n${items.join('\n')}`);
  }
  const count = blocks.length;
  return {
    id: 'errors',
    title: count === 0 ? 'Errors' : `Errors (${count} ${count === 1 ? 'mirror' : 'mirrors'})`,
    body: count === 0 ? 'No mirror reported an error.' : blocks.join('\n\n'),
  };
}

const MAX_ERRORS_LISTED = 20;

/**
 * The mirror's error lines (each names its endpoint); the failing statuses when it has none.
 * Integrity details live in the checksum-database section.
 */
function mirrorProblems(m: MirrorReport, text: SafeText): string[] {
  const items =
    m.errors.length > 0
      ? m.errors.slice(0, MAX_ERRORS_LISTED).map((error) => `- ${text.md(error, 500)}`)
      : Object.entries(m.statuses)
          .filter(([, outcome]) => !isHealthy(outcome))
          .map(
            ([label, outcome]) => `- ${text.code(label, 200)}: ${text.md(formatOutcome(outcome))}`,
          );
  if (m.errors.length > MAX_ERRORS_LISTED) {
    items.push(`- …and ${m.errors.length - MAX_ERRORS_LISTED} more.`);
  }
  return items;
}

/** 200, and 404/410 (a healthy "no such module" answer of the proxy protocol). */
function isHealthy(outcome: EndpointOutcome): boolean {
  return outcome === 200 || outcome === 404 || outcome === 410;
}

function sumdbSection(report: Report, text: SafeText): DetailSection {
  const sumdb = report.sumdb;
  const lines: string[] = [];
  if (sumdb.route !== '') {
    const reason = sumdb.reason === '' ? '' : `: ${text.md(sentence(sumdb.reason))}`;
    lines.push(
      `Lookups for ${text.code(sumdb.database)} go to ${text.code(sumdb.route, 500)}${reason}`,
    );
  } else if (sumdb.reason !== '') {
    lines.push(text.md(sentence(sumdb.reason)));
  }
  if (sumdb.tried.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push('| Route tried | Outcome | Usable | Note |', '| --- | --- | --- | --- |');
    for (const attempt of sumdb.tried) {
      const note = attempt.note ? text.md(attempt.note) : '';
      lines.push(
        `| ${text.code(attempt.route, 500)} | ${text.md(formatOutcome(attempt.outcome))} | ${attempt.ok ? 'yes' : 'no'} | ${note} |`,
      );
    }
  }
  const integrity = INTEGRITY_METHOD[report.integrityMethod] ?? '';
  if (integrity !== '') lines.push('', integrity);
  const explained = orderedMirrors(report).filter((m) => m.integrityDetail);
  if (explained.length > 0) {
    lines.push('', '| Mirror | Integrity | Detail |', '| --- | --- | --- |');
    for (const m of explained) {
      lines.push(
        `| ${text.code(m.url, 200)} | ${formatIntegrity(m.integrity)} | ${text.md(m.integrityDetail ?? '', 500)} |`,
      );
    }
  }
  return {
    id: 'sumdb',
    title: 'Checksum database and integrity',
    body: lines.length === 0 ? 'No checksum database route was tried.' : lines.join('\n'),
  };
}

/** Ends a reason with a full stop unless it already ends with punctuation. */
function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?:]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

const INTEGRITY_METHOD: Readonly<Record<Report['integrityMethod'], string>> = {
  sumdb: 'Mirror content was checked against the signed checksum database.',
  'cross-mirror':
    'The checksum database was unreachable: mirror content was compared across mirrors instead.',
  none: 'Mirror content could not be checked.',
};

const PATTERN_SOURCE: Readonly<Record<PrivatePatternReport['source'], string>> = {
  env: 'GOPRIVATE in the environment',
  input: '`goprivate` input',
  remote: 'git remote',
  ci: 'CI variables',
  'go.mod': 'module path in go.mod',
};

function privateSection(patterns: readonly PrivatePatternReport[], text: SafeText): DetailSection {
  const body =
    patterns.length === 0
      ? 'None: every module is fetched through the public chain.'
      : [
          '| Pattern | Source |',
          '| --- | --- |',
          ...patterns.map(
            (p) =>
              `| ${text.code(p.pattern, 500)} | ${PATTERN_SOURCE[p.source] ?? text.md(p.source)} |`,
          ),
        ].join('\n');
  const title =
    patterns.length === 0 ? 'Private patterns' : `Private patterns (${patterns.length})`;
  return { id: 'private', title, body };
}

const MODULE_SOURCE: Readonly<Record<ValueSource | 'go.mod' | 'builtin', string>> = {
  input: '`probe-modules` input',
  env: 'environment',
  default: 'default',
  derived: 'derived',
  'go.mod': 'go.mod requirement',
  builtin: 'built-in',
};

function modulesSection(report: Report, text: SafeText): DetailSection {
  const items = report.probeModules.map((m) => {
    const ref = m.version === null ? m.path : `${m.path}@${m.version}`;
    return `- ${text.code(ref, 300)} (${MODULE_SOURCE[m.source] ?? text.md(m.source)})`;
  });
  return {
    id: 'modules',
    title: 'Probe modules',
    body: items.length === 0 ? 'No module was probed.' : items.join('\n'),
  };
}

function envSection(report: Report, text: SafeText): DetailSection {
  const lines = Object.entries(report.settings)
    .filter(([, value]) => value !== '')
    .map(([name, value]) => `${name}=${plainLine(text.raw(value), 4000)}`);
  if (lines.length === 0)
    return { id: 'env', title: 'Written environment', body: 'Nothing was written.' };
  const content = lines.join('\n');
  const fence = fenceFor(content);
  return { id: 'env', title: 'Written environment', body: `${fence}sh\n${content}\n${fence}` };
}

function renderSection(section: DetailSection, style: DetailsStyle): RenderedSection {
  // A blank line after <summary> and before </details> lets GitHub parse the body as markdown.
  const block =
    style === 'html'
      ? `<details>\n<summary>${section.title}</summary>\n\n${section.body}\n\n</details>`
      : `#### ${section.title}\n\n${section.body}`;
  return { id: section.id, block };
}

function footer(report: Report): string {
  const mirrors = report.mirrors.length;
  return `<sub>${report.tool.name} ${markdownText(report.tool.version, 40)}: probed ${mirrors} ${mirrors === 1 ? 'mirror' : 'mirrors'} in ${formatMs(report.probeWallTimeMs)}.</sub>`;
}

// ---------------------------------------------------------------------------------------------
// Size cap

interface RenderedSection {
  readonly id: DetailId;
  readonly block: string;
}

interface SummaryParts {
  readonly verdict: readonly string[];
  readonly table: MirrorTable;
  readonly chart: string | null;
  readonly details: readonly RenderedSection[];
  readonly footer: string;
}

interface Layout {
  readonly verdictLines: number;
  readonly tableRows: number;
  readonly chart: boolean;
  readonly dropped: ReadonlySet<DetailId>;
  readonly footer: boolean;
}

/** A block of the document with its size known before it is joined (the table can be large). */
interface Block {
  readonly bytes: number;
  readonly text: () => string;
}

/**
 * Fits the document into maxBytes by dropping whole blocks, never cutting inside markup:
 * folded sections (DROP_ORDER), then the chart, then table rows from the bottom (with a
 * "N more mirrors" line), then the table, then verdict lines from the end.
 */
function capToBytes(parts: SummaryParts, maxBytes: number): string {
  const sizes = new Sizes(parts);
  const fits = (l: Layout): boolean =>
    documentBytes(blocksFor(parts, sizes, l, maxBytes)) <= maxBytes;
  const render = (l: Layout): string => joinBlocks(blocksFor(parts, sizes, l, maxBytes));

  let layout: Layout = {
    verdictLines: parts.verdict.length,
    tableRows: parts.table.rows.length,
    chart: parts.chart !== null,
    dropped: new Set(),
    footer: true,
  };
  if (fits(layout)) return render(layout);

  const dropped = new Set<DetailId>();
  for (const id of DROP_ORDER) {
    dropped.add(id);
    layout = { ...layout, dropped: new Set(dropped) };
    if (fits(layout)) return render(layout);
  }
  layout = { ...layout, chart: false };
  if (fits(layout)) return render(layout);

  const rows = largestFitting(parts.table.rows.length, (n) => fits({ ...layout, tableRows: n }));
  if (rows !== null) return render({ ...layout, tableRows: rows });
  layout = { ...layout, tableRows: 0, footer: false };
  const lines = largestFitting(parts.verdict.length, (n) => fits({ ...layout, verdictLines: n }));
  return lines === null ? '' : render({ ...layout, verdictLines: lines });
}

/** The largest n in [0, max] with ok(n), assuming ok is monotonic; null when even 0 fails. */
function largestFitting(max: number, ok: (n: number) => boolean): number | null {
  if (!ok(0)) return null;
  let lo = 0;
  let hi = max;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Byte sizes measured once: the search tries many layouts. */
class Sizes {
  readonly tableHead: number;
  /** rowPrefix[n] = bytes of the first n rows, each with its preceding newline. */
  readonly rowPrefix: number[];
  readonly chart: number;
  readonly details: ReadonlyMap<DetailId, number>;
  readonly footer: number;

  constructor(parts: SummaryParts) {
    this.tableHead = byteLength(parts.table.head.join('\n'));
    this.rowPrefix = [0];
    for (const row of parts.table.rows)
      this.rowPrefix.push(this.rowPrefix.at(-1)! + 1 + byteLength(row));
    this.chart = parts.chart === null ? 0 : byteLength(parts.chart);
    this.details = new Map(parts.details.map((d) => [d.id, byteLength(d.block)]));
    this.footer = byteLength(parts.footer);
  }
}

function blocksFor(parts: SummaryParts, sizes: Sizes, layout: Layout, maxBytes: number): Block[] {
  const blocks: Block[] = [];
  const small = (text: string): Block => ({ bytes: byteLength(text), text: () => text });

  const verdict = parts.verdict.slice(0, layout.verdictLines);
  while (verdict.at(-1) === '') verdict.pop();
  if (verdict.length > 0) blocks.push(small(verdict.join('\n')));

  const total = parts.table.rows.length;
  if (layout.tableRows > 0) {
    const shown = layout.tableRows;
    blocks.push({
      bytes: sizes.tableHead + sizes.rowPrefix[shown]!,
      text: () => [...parts.table.head, ...parts.table.rows.slice(0, shown)].join('\n'),
    });
    const hidden = total - shown;
    // A separate block (blank line before it) keeps this line out of the table.
    if (hidden > 0) {
      blocks.push(
        small(`_…and ${hidden} more ${hidden === 1 ? 'mirror' : 'mirrors'}: see the JSON report._`),
      );
    }
  } else if (total > 0 && layout.footer) {
    blocks.push(
      small(
        `_The table of ${total} mirrors was left out to keep this summary under ${formatBytes(maxBytes)}: see the JSON report._`,
      ),
    );
  }
  if (layout.chart && parts.chart !== null) {
    const chart = parts.chart;
    blocks.push({ bytes: sizes.chart, text: () => chart });
  }
  const kept = parts.details.filter((d) => !layout.dropped.has(d.id));
  for (const d of kept) blocks.push({ bytes: sizes.details.get(d.id) ?? 0, text: () => d.block });
  if (kept.length < parts.details.length) {
    blocks.push(
      small(
        `_Some details were left out to keep this summary under ${formatBytes(maxBytes)}; the JSON report (output \`report\`) has everything._`,
      ),
    );
  }
  if (layout.footer) blocks.push({ bytes: sizes.footer, text: () => parts.footer });
  return blocks;
}

/** Blocks are separated by a blank line; the document ends with a newline. */
function documentBytes(blocks: readonly Block[]): number {
  if (blocks.length === 0) return 0;
  return blocks.reduce((sum, b) => sum + b.bytes, 0) + 2 * (blocks.length - 1) + 1;
}

function joinBlocks(blocks: readonly Block[]): string {
  return blocks.length === 0 ? '' : `${blocks.map((b) => b.text()).join('\n\n')}\n`;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

// ---------------------------------------------------------------------------------------------
// Post step: the module cache

/** What the main step's restore did (src/cache/types.ts RestoreOutcome). */
export type CacheRestoreOutcome =
  | 'exact-hit'
  | 'partial-hit'
  | 'miss'
  | 'failed'
  | 'skipped-populated';

/** What the post step learned about the module cache (produced by the cache helper). */
export interface CacheSummary {
  /** The primary key the cache is (or would be) saved under. */
  readonly key: string;
  readonly restore: CacheRestoreOutcome;
  /** The key restored in the main step (exact or by prefix); null when nothing was restored. */
  readonly restoredKey: string | null;
  readonly saved: boolean;
  /** Why it was (not) saved, a few words ("exact key hit", "unchanged", "job failed"…). */
  readonly reason: string;
  /** Modules (module@version directories) added during the job. */
  readonly modulesAdded: number;
  readonly bytesAdded: number;
  readonly modulesTotal: number;
  readonly bytesTotal: number;
}

export interface CacheSummaryOptions {
  readonly redactor?: Redactor;
}

/** The post step's addition to the job summary; the key is shown once, in its own row. */
export function renderCacheSummary(stats: CacheSummary, options: CacheSummaryOptions = {}): string {
  const text = new SafeText(options.redactor);
  const reason = stats.reason.trim();
  const saved = stats.saved ? 'yes' : reason === '' ? 'no' : `no: ${text.md(reason, 200)}`;
  return `${[
    '### Go module cache',
    '',
    '| Module cache | |',
    '| --- | --- |',
    `| Restored | ${restoredCell(stats, text)} |`,
    `| Added during the job | ${count(stats.modulesAdded, 'module')}, ${formatBytes(Math.max(0, stats.bytesAdded))} |`,
    `| Total at the end of the job | ${count(stats.modulesTotal, 'module')}, ${formatBytes(Math.max(0, stats.bytesTotal))} |`,
    `| Saved | ${saved} |`,
    `| Key | ${text.code(stats.key, 500)} |`,
  ].join('\n')}\n`;
}

function restoredCell(stats: CacheSummary, text: SafeText): string {
  switch (stats.restore) {
    case 'exact-hit':
      return 'yes, exact key hit';
    case 'partial-hit':
      return stats.restoredKey === null
        ? 'yes, restore-key match'
        : `yes, restore-key match ${text.code(stats.restoredKey, 500)}`;
    case 'miss':
      return 'no cache found';
    case 'failed':
      return 'no: the restore failed (see the warnings)';
    case 'skipped-populated':
      return 'no: the module cache already had content';
    default:
      return text.md(String(stats.restore), 60);
  }
}
