/**
 * GitLab's substitutes for a job summary (ci-platforms.md §10.4): collapsible job-log sections
 * and the OpenMetrics `metrics.txt` report (merge-request widget, Premium/Ultimate).
 */
import type { Redactor } from '../redact.js';
import type { MirrorReport, Report } from '../report/types.js';
import { openMetricsLabelValue, plainLine } from './escape.js';
import { isWorking, orderedMirrors } from './mirrors.js';

// ---------------------------------------------------------------------------------------------
// Log sections

export interface SectionOptions {
  /** Start folded (`[collapsed=true]`). */
  readonly collapsed?: boolean;
  /** Clock in milliseconds since the epoch (Date.now); injected by tests. */
  readonly now?: () => number;
}

/**
 * GitLab accepts letters, digits, `_`, `.` and `-` in section names; anything else becomes `_`
 * (names are internal identifiers, never shown when a header is given).
 */
export function gitlabSectionName(raw: string): string {
  const name = raw.replace(/[^A-Za-z0-9_.-]/g, '_');
  return name === '' ? 'section' : name;
}

/** `ESC[0Ksection_start:<ts>:<name>[collapsed=true]\rESC[0K<header>\n` */
export function gitlabSectionStart(
  name: string,
  header: string,
  options: SectionOptions = {},
): string {
  const collapsed = options.collapsed ? '[collapsed=true]' : '';
  // The header is one line of plain text: a newline or escape sequence would end or forge the marker.
  return `\x1b[0Ksection_start:${unixSeconds(options)}:${gitlabSectionName(name)}${collapsed}\r\x1b[0K${plainLine(header, 200)}\n`;
}

/** `ESC[0Ksection_end:<ts>:<name>\rESC[0K\n` */
export function gitlabSectionEnd(name: string, options: SectionOptions = {}): string {
  return `\x1b[0Ksection_end:${unixSeconds(options)}:${gitlabSectionName(name)}\r\x1b[0K\n`;
}

/** A whole section around `body` (which gets a final newline if it lacks one). */
export function gitlabSection(
  name: string,
  header: string,
  body: string,
  options: SectionOptions = {},
): string {
  const start = gitlabSectionStart(name, header, options);
  const content = body === '' || body.endsWith('\n') ? body : `${body}\n`;
  return `${start}${content}${gitlabSectionEnd(name, options)}`;
}

function unixSeconds(options: SectionOptions): number {
  return Math.floor((options.now ?? Date.now)() / 1000);
}

// ---------------------------------------------------------------------------------------------
// metrics.txt

export interface MetricsOptions {
  readonly redactor?: Redactor;
}

interface Family {
  readonly name: string;
  readonly unit?: string;
  readonly help: string;
  /** `mirror`: the label value, already escaped. */
  readonly samples: readonly { readonly mirror?: string; readonly value: number }[];
}

/**
 * OpenMetrics text: one gauge family per measurement, samples labelled by mirror URL, families
 * without samples left out, ending with `# EOF`. GitLab compares each `name{labels}` with the
 * target branch, so label sets stay minimal and stable (just the mirror).
 */
export function renderMetrics(report: Report, options: MetricsOptions = {}): string {
  const labelOf = (m: MirrorReport): string =>
    openMetricsLabelValue(options.redactor ? options.redactor.redact(m.url) : m.url);
  const mirrors = uniqueBy(orderedMirrors(report), labelOf);
  const perMirror = (value: (m: MirrorReport) => number | null) =>
    mirrors.flatMap((m) => {
      const v = value(m);
      return v === null || !Number.isFinite(v) ? [] : [{ mirror: labelOf(m), value: v }];
    });
  const seconds = (ms: number | null): number | null => (ms === null ? null : ms / 1000);

  const families: Family[] = [
    {
      name: 'go_proxy_setup_probe_wall_time_seconds',
      unit: 'seconds',
      help: 'Wall time of the mirror probe.',
      samples: [{ value: report.probeWallTimeMs / 1000 }],
    },
    {
      name: 'go_proxy_setup_route_found',
      help: '1 when a route to public Go modules was found.',
      samples: [{ value: report.routeFound ? 1 : 0 }],
    },
    {
      name: 'go_proxy_setup_speedup_over_default_ratio',
      unit: 'ratio',
      help: 'Median TTFB of proxy.golang.org divided by that of the chosen first mirror.',
      samples: report.speedupOverDefault === null ? [] : [{ value: report.speedupOverDefault }],
    },
    {
      name: 'go_proxy_setup_mirror_usable',
      help: '1 when the mirror passed every probe (chosen or usable).',
      samples: perMirror((m) => (isWorking(m) ? 1 : 0)),
    },
    {
      name: 'go_proxy_setup_mirror_chosen',
      help: '1 when the mirror is in the written GOPROXY chain.',
      samples: perMirror((m) => (m.verdict === 'chosen' ? 1 : 0)),
    },
    {
      name: 'go_proxy_setup_mirror_rank',
      help: 'Rank of the mirror (1 = best); absent when not ranked.',
      samples: perMirror((m) => m.rank),
    },
    {
      name: 'go_proxy_setup_mirror_ttfb_seconds',
      unit: 'seconds',
      help: 'Median time to first byte.',
      samples: perMirror((m) => seconds(m.timings.ttfbMs)),
    },
    {
      name: 'go_proxy_setup_mirror_connect_seconds',
      unit: 'seconds',
      help: 'Median TCP connect time.',
      samples: perMirror((m) => seconds(m.timings.connectMs)),
    },
    {
      name: 'go_proxy_setup_mirror_tls_seconds',
      unit: 'seconds',
      help: 'Median TLS handshake time.',
      samples: perMirror((m) => seconds(m.timings.tlsMs)),
    },
    {
      name: 'go_proxy_setup_mirror_throughput_bytes_per_second',
      unit: 'bytes_per_second',
      help: 'Download throughput of the probe module zip.',
      samples: perMirror((m) => m.throughputBytesPerSec),
    },
  ];

  const lines: string[] = [];
  for (const family of families) {
    if (family.samples.length === 0) continue;
    lines.push(`# TYPE ${family.name} gauge`);
    if (family.unit) lines.push(`# UNIT ${family.name} ${family.unit}`);
    lines.push(`# HELP ${family.name} ${family.help}`);
    for (const sample of family.samples) {
      const labels = sample.mirror === undefined ? '' : `{mirror="${sample.mirror}"}`;
      lines.push(`${family.name}${labels} ${formatNumber(sample.value)}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

/** One sample per label set (OpenMetrics forbids duplicates): the first, best-ordered, wins. */
function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Six decimals at most (microseconds for seconds), without float noise such as 0.30000000000000004. */
function formatNumber(value: number): string {
  return String(Number(value.toFixed(6)));
}
