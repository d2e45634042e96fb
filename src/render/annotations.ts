/**
 * Annotations for the run page: one notice with the decision (the report's `decision` finding),
 * one warning (or error) per actionable finding. The selection logic only raises warnings the user
 * can act on (report/types.ts Finding); other notices stay in the summary and the text output.
 * Workflow-command escaping is the platform's job; here titles are short and messages one line.
 */
import type { Redactor } from '../redact.js';
import { DECISION_CODE, type Finding, type Report } from '../report/types.js';
import { plainLine } from './escape.js';
import { NOTABLE_SPEEDUP, formatMs, formatRatio } from './format.js';

export type AnnotationLevel = 'notice' | 'warning' | 'error';

export interface Annotation {
  readonly level: AnnotationLevel;
  readonly title: string;
  readonly message: string;
}

export interface AnnotationOptions {
  readonly redactor?: Redactor;
}

/** GitHub shows at most 10 warning and 10 error annotations per step; the rest would vanish. */
export const MAX_ANNOTATIONS_PER_LEVEL = 10;
/** Titles may name a mirror URL; longer ones are cut. */
const MAX_TITLE_CHARS = 100;
const MAX_MESSAGE_CHARS = 500;

export function annotationsFor(report: Report, options: AnnotationOptions = {}): Annotation[] {
  const clean = (text: string, max: number): string =>
    plainLine(options.redactor ? options.redactor.redact(text) : text, max);
  const decision =
    report.findings.find((f) => f.code === DECISION_CODE) ?? composedDecision(report);
  const out: Annotation[] = [
    {
      level: 'notice',
      title: clean(decision.title, MAX_TITLE_CHARS),
      message: clean(decision.message, MAX_MESSAGE_CHARS),
    },
  ];
  for (const level of ['error', 'warning'] as const) {
    const findings = report.findings.filter((f) => f.level === level);
    const shown =
      findings.length > MAX_ANNOTATIONS_PER_LEVEL
        ? findings.slice(0, MAX_ANNOTATIONS_PER_LEVEL - 1)
        : findings;
    for (const finding of shown) {
      out.push({
        level,
        title: clean(finding.title, MAX_TITLE_CHARS),
        message: clean(findingMessage(finding), MAX_MESSAGE_CHARS),
      });
    }
    const hidden = findings.length - shown.length;
    if (hidden > 0) {
      out.push({
        level,
        title: `${hidden} more ${level === 'error' ? 'errors' : 'warnings'}`,
        message: `${hidden} more ${level === 'error' ? 'errors' : 'warnings'} were found: see the job summary or the JSON report (output report).`,
      });
    }
  }
  return out;
}

/** Used when the report carries no decision finding (reports built by other means). */
function composedDecision(report: Report): { title: string; message: string } {
  if (!report.routeFound) {
    const why = report.reasons[0] ?? 'No mirror passed the probe.';
    return { title: 'No route to Go modules', message: `No GOPROXY was chosen. ${why}` };
  }
  const s = report.settings;
  // "; " between settings: a GOSUMDB value may itself contain a space (name and URL).
  const settings = [
    `GOPROXY=${s.GOPROXY}`,
    `GOSUMDB=${s.GOSUMDB}`,
    ...(s.GOPRIVATE === '' ? [] : [`GOPRIVATE=${s.GOPRIVATE}`]),
  ].join('; ');
  const sentences = [`${settings}.`];
  if (report.fastestMirror !== null && report.fastestLatencyMs !== null) {
    const speedup =
      report.speedupOverDefault !== null && report.speedupOverDefault >= NOTABLE_SPEEDUP
        ? `, ${formatRatio(report.speedupOverDefault)} faster than the default route`
        : '';
    sentences.push(
      `Fastest mirror ${report.fastestMirror}: ${formatMs(report.fastestLatencyMs)} median time to first byte${speedup}.`,
    );
  }
  if (report.reasons[0] !== undefined) sentences.push(report.reasons[0]);
  return { title: 'Go module proxy chosen', message: sentences.join(' ') };
}

/** The mirror is part of the message unless the message already names it. */
function findingMessage(finding: Finding): string {
  if (finding.mirror === undefined || finding.message.includes(finding.mirror)) {
    return finding.message;
  }
  return `${finding.mirror}: ${finding.message}`;
}
