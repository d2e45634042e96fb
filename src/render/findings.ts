/** How the renderers group the report's findings. */
import { DECISION_CODE, type Finding, type Report } from '../report/types.js';

/** Code of the notice that carries the decision (select/findings.ts decisionFinding). */

/** Errors and warnings: what the user can act on. */
export function actionableFindings(report: Report): Finding[] {
  return report.findings.filter((f) => f.level !== 'notice');
}

/** Notices other than the decision (which the verdict already states). */
export function noteFindings(report: Report): Finding[] {
  return report.findings.filter((f) => f.level === 'notice' && f.code !== DECISION_CODE);
}
