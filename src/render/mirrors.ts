/** Mirror ordering and short names shared by the renderers. */
import type { MirrorReport, Report } from '../report/types.js';
import { VERDICT_ORDER } from './format.js';

/**
 * The private proxy first, then ranked mirrors (rank 1 = best), then unranked ones grouped by verdict (usable, failed,
 * tampered, skipped), keeping the report's order within a group so output is stable.
 */
export function orderedMirrors(report: Report): MirrorReport[] {
  return report.mirrors
    .map((mirror, index) => ({ mirror, index }))
    .sort((a, b) => compareMirrors(a.mirror, b.mirror) || a.index - b.index)
    .map(({ mirror }) => mirror);
}

function compareMirrors(a: MirrorReport, b: MirrorReport): number {
  // The private proxy leads the chain (it is never ranked among public mirrors).
  const privateFirst = Number(b.origin === 'private') - Number(a.origin === 'private');
  if (privateFirst !== 0) return privateFirst;
  if (a.rank !== null && b.rank !== null) return a.rank - b.rank;
  if (a.rank !== null) return -1;
  if (b.rank !== null) return 1;
  return (VERDICT_ORDER[a.verdict] ?? 9) - (VERDICT_ORDER[b.verdict] ?? 9);
}

/** `goproxy.cn`, `mirrors.aliyun.com/goproxy`: the URL without scheme and trailing slash. */
export function shortMirrorName(url: string): string {
  return url.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//, '').replace(/\/+$/, '');
}

/** True when the mirror works (in the chain or ranked below it). */
export function isWorking(mirror: MirrorReport): boolean {
  return mirror.verdict === 'chosen' || mirror.verdict === 'usable';
}
