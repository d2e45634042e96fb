/**
 * The CLI's terminal output: one line per mirror (rank, URL, verdict, TTFB, throughput, sumdb
 * relay), the reason under every mirror that was not used, then the settings as copyable
 * `NAME=value` lines, the checksum-database route, the reasons and the findings.
 * Colours (like chsrc: throughput red < 1 MiB/s, yellow < 2 MiB/s, green otherwise) only when
 * asked for; without them the output contains no escape sequence at all. Untrusted text has its
 * control characters removed, so a mirror cannot write escape sequences to the terminal.
 */
import type { Redactor } from '../redact.js';
import {
  DECISION_CODE,
  type FindingLevel,
  type MirrorReport,
  type MirrorVerdict,
  type Report,
} from '../report/types.js';
import { plainLine, truncate } from './escape.js';
import {
  NOTABLE_SPEEDUP,
  NOT_MEASURED,
  formatMs,
  formatOutcome,
  formatRate,
  formatRatio,
} from './format.js';
import { isWorking, orderedMirrors } from './mirrors.js';

export interface TextOptions {
  /** ANSI colours (only when writing to a terminal). */
  readonly color: boolean;
  /** Terminal width in columns; default {@link DEFAULT_TEXT_WIDTH}. */
  readonly width?: number;
  readonly redactor?: Redactor;
}

export const DEFAULT_TEXT_WIDTH = 100;
/** Narrower than this, columns cannot line up anyway. */
const MIN_WIDTH = 60;

type Colour = 'red' | 'yellow' | 'green' | 'bold' | 'dim';

const SGR: Readonly<Record<Colour, string>> = {
  red: '31',
  yellow: '33',
  green: '32',
  bold: '1',
  dim: '2',
};

const MIB = 1024 * 1024;
/** "warning" and a space: finding messages line up after the level. */
const LEVEL_WIDTH = 8;

export function renderText(report: Report, options: TextOptions): string {
  const width = Math.max(MIN_WIDTH, Math.floor(options.width ?? DEFAULT_TEXT_WIDTH));
  const paint = (text: string, colour: Colour | null): string =>
    options.color && colour !== null && text !== '' ? `\x1b[${SGR[colour]}m${text}\x1b[0m` : text;
  const clean = (text: string, max = 500): string =>
    plainLine(options.redactor ? options.redactor.redact(text) : text, max);
  const ctx: Ctx = { width, paint, clean };

  const lines: string[] = [headerLine(report, ctx), ''];
  lines.push(...mirrorLines(orderedMirrors(report), ctx), '');
  lines.push(...settingsLines(report, ctx), '');
  lines.push(...sumdbLines(report, ctx));
  if (report.reasons.length > 0) {
    lines.push('', paint('Why:', 'bold'));
    for (const reason of report.reasons) lines.push(...wrap(`- ${clean(reason)}`, width, '  '));
  }
  // The decision notice repeats the settings printed above.
  const findings = report.findings.filter((f) => f.code !== DECISION_CODE);
  if (findings.length > 0) {
    lines.push('', paint('Findings:', 'bold'));
    for (const finding of findings) {
      const level = finding.level.padEnd(LEVEL_WIDTH);
      const body = `${clean(finding.title, 80)}: ${clean(finding.message)}`;
      const [first = '', ...rest] = wrap(body, width, ' '.repeat(LEVEL_WIDTH), level);
      const painted = paint(finding.level, LEVEL_COLOUR[finding.level]);
      lines.push(painted + first.slice(finding.level.length), ...rest);
    }
  }
  return `${lines.join('\n')}\n`;
}

interface Ctx {
  readonly width: number;
  readonly paint: (text: string, colour: Colour | null) => string;
  readonly clean: (text: string, max?: number) => string;
}

const LEVEL_COLOUR: Readonly<Record<FindingLevel, Colour | null>> = {
  notice: null,
  warning: 'yellow',
  error: 'red',
};

function headerLine(report: Report, ctx: Ctx): string {
  const n = report.mirrors.length;
  return ctx.paint(
    `${report.tool.name} ${ctx.clean(report.tool.version, 40)}: probed ${n} ${n === 1 ? 'mirror' : 'mirrors'} in ${formatMs(report.probeWallTimeMs)}`,
    'bold',
  );
}

// ---------------------------------------------------------------------------------------------
// Mirror table

interface Cell {
  readonly text: string;
  readonly colour: Colour | null;
}

interface Column {
  readonly title: string;
  readonly align: 'left' | 'right';
  readonly cell: (m: MirrorReport) => Cell;
}

const VERDICT_COLOUR: Readonly<Record<MirrorVerdict, Colour | null>> = {
  chosen: 'green',
  usable: null,
  failed: 'red',
  tampered: 'red',
  skipped: 'yellow',
};

/** TTFB colours: an interactive feel under 200 ms, sluggish over a second. */
function ttfbColour(ms: number | null): Colour | null {
  if (ms === null) return null;
  return ms < 200 ? 'green' : ms < 1000 ? 'yellow' : 'red';
}

function throughputColour(bytesPerSec: number | null): Colour | null {
  if (bytesPerSec === null) return null;
  return bytesPerSec < MIB ? 'red' : bytesPerSec < 2 * MIB ? 'yellow' : 'green';
}

const GAP = '  ';

function mirrorLines(mirrors: readonly MirrorReport[], ctx: Ctx): string[] {
  if (mirrors.length === 0) return ['No mirror was probed.'];
  const columns: Column[] = [
    {
      title: '#',
      align: 'right',
      cell: (m) => ({ text: m.rank === null ? NOT_MEASURED : String(m.rank), colour: null }),
    },
    {
      title: 'MIRROR',
      align: 'left',
      cell: (m) => ({ text: ctx.clean(m.url, 300), colour: null }),
    },
    {
      title: 'VERDICT',
      align: 'left',
      cell: (m) => ({ text: m.verdict, colour: VERDICT_COLOUR[m.verdict] ?? null }),
    },
    {
      title: 'TTFB',
      align: 'right',
      cell: (m) => ({ text: formatMs(m.timings.ttfbMs), colour: ttfbColour(m.timings.ttfbMs) }),
    },
    {
      title: 'THROUGHPUT',
      align: 'right',
      cell: (m) => ({
        text: formatRate(m.throughputBytesPerSec),
        colour: throughputColour(m.throughputBytesPerSec),
      }),
    },
    {
      title: 'SUMDB',
      align: 'left',
      cell: (m) => ({
        text: formatOutcome(m.sumdbSupported),
        colour: m.sumdbSupported === null ? null : m.sumdbSupported === 200 ? 'green' : 'yellow',
      }),
    },
  ];
  const cells = mirrors.map((m) => columns.map((c) => c.cell(m)));
  const widths = columns.map((c, i) =>
    Math.max(c.title.length, ...cells.map((row) => charLength(row[i]!.text))),
  );
  // The URL column gives way when the table is wider than the terminal.
  const urlColumn = 1;
  const others = widths.reduce((sum, w, i) => (i === urlColumn ? sum : sum + w), 0);
  const room = ctx.width - others - GAP.length * (columns.length - 1);
  widths[urlColumn] = Math.max(Math.min(widths[urlColumn]!, room), 16);

  const line = (row: readonly Cell[], header: boolean): string =>
    row
      .map((cell, i) => {
        const w = widths[i]!;
        const text = truncate(cell.text, w);
        // Pad by the plain text, colour after: escape sequences must not count towards the width.
        const pad = ' '.repeat(Math.max(0, w - charLength(text)));
        const coloured = header ? ctx.paint(text, 'dim') : ctx.paint(text, cell.colour);
        return columns[i]!.align === 'right' ? pad + coloured : coloured + pad;
      })
      .join(GAP)
      .trimEnd();

  const out = [
    line(
      columns.map((c) => ({ text: c.title, colour: null })),
      true,
    ),
  ];
  const indent = ' '.repeat(widths[0]! + GAP.length);
  mirrors.forEach((m, index) => {
    const row = cells[index]!;
    out.push(line(row, false));
    const url = row[urlColumn]!.text;
    if (charLength(url) > widths[urlColumn]!) out.push(ctx.paint(`${indent}↳ ${url}`, 'dim'));
    if (!isWorking(m)) {
      const reason = m.reason === '' ? m.verdict : ctx.clean(m.reason);
      out.push(
        ...wrap(`↳ ${reason}`, ctx.width, `${indent}  `, indent).map((l) => ctx.paint(l, 'dim')),
      );
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Settings, checksum database

function settingsLines(report: Report, ctx: Ctx): string[] {
  const s = report.settings;
  const out: string[] = [];
  if (!report.routeFound) {
    out.push(ctx.paint('No route to public Go modules was found.', 'red'));
  } else {
    const speedup =
      report.speedupOverDefault !== null && report.speedupOverDefault >= NOTABLE_SPEEDUP
        ? ` (${formatRatio(report.speedupOverDefault)} faster than the default route)`
        : '';
    out.push(ctx.paint(`Settings${speedup}:`, 'bold'));
  }
  // Not indented and not wrapped: the lines can be pasted into a shell or a dotenv file.
  for (const [name, value] of Object.entries(s)) {
    if (value !== '') out.push(`${name}=${ctx.clean(value, 4000)}`);
  }
  return out;
}

function sumdbLines(report: Report, ctx: Ctx): string[] {
  const sumdb = report.sumdb;
  const out: string[] = [];
  if (sumdb.route !== '') {
    const via = `${ctx.clean(sumdb.database, 200)} via ${ctx.clean(sumdb.route, 300)}`;
    const reason = sumdb.reason === '' ? '' : `: ${ctx.clean(sumdb.reason)}`;
    out.push(...wrap(`Checksum database: ${via}${reason}`, ctx.width, '  '));
  } else {
    const reason = sumdb.reason === '' ? 'no route found' : ctx.clean(sumdb.reason);
    out.push(...wrap(`Checksum database: ${reason}`, ctx.width, '  '));
  }
  for (const attempt of sumdb.tried) {
    const mark = attempt.ok ? `${ctx.paint('ok', 'green')}    ` : ctx.paint('failed', 'red');
    const note = attempt.note ? ` (${ctx.clean(attempt.note)})` : '';
    const line = `${ctx.clean(attempt.route, 300)}: ${formatOutcome(attempt.outcome)}${note}`;
    // "  failed  " / "  ok      ": ten columns before the route.
    const [first = '', ...rest] = wrap(line, ctx.width, ' '.repeat(10), ' '.repeat(10));
    out.push(`  ${mark}  ${first.slice(10)}`, ...rest);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Layout helpers (widths in code points: the output is ASCII apart from `–`, `…`, `↳`, `×`)

function charLength(text: string): number {
  return Array.from(text).length;
}

/**
 * Word-wraps one line to width; continuation lines start with `indent`, the first with
 * `firstIndent`. Words longer than a line (URLs) are kept whole rather than broken.
 */
function wrap(text: string, width: number, indent: string, firstIndent = ''): string[] {
  const lines: string[] = [];
  let current = firstIndent;
  let empty = true;
  for (const word of text.split(' ')) {
    if (word === '') continue;
    const candidate = empty ? current + word : `${current} ${word}`;
    if (!empty && charLength(candidate) > width) {
      lines.push(current);
      current = indent + word;
    } else {
      current = candidate;
    }
    empty = false;
  }
  lines.push(current);
  return lines;
}
