/**
 * The CLI's `--format markdown`: the job summary's content with the folded `<details>` sections
 * written as plain `####` sections, so the output reads well in a terminal, a file, a GitLab
 * merge-request note or any markdown viewer. No size cap: a file has no 1 MiB limit.
 */
import type { Redactor } from '../redact.js';
import type { Report } from '../report/types.js';
import { renderReportMarkdown } from './summary.js';

export interface MarkdownOptions {
  /** Include the Mermaid latency chart (default true: GitHub and GitLab both render it). */
  readonly chart?: boolean;
  readonly redactor?: Redactor;
}

export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  return renderReportMarkdown(report, {
    chart: options.chart ?? true,
    maxBytes: Number.POSITIVE_INFINITY,
    details: 'headings',
    ...(options.redactor ? { redactor: options.redactor } : {}),
  });
}
