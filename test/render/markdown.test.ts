import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/render/markdown.js';
import { renderSummary } from '../../src/render/summary.js';
import { failingReport, healthyReport, mirror } from './fixtures.js';
import { expectWellFormedMarkdown } from './markdown-checks.js';

describe('renderMarkdown (CLI --format markdown)', () => {
  it('is the summary with plain sections instead of <details>', async () => {
    const md = renderMarkdown(failingReport());
    expectWellFormedMarkdown(md);
    expect(md).not.toContain('<details>');
    expect(md).toContain('#### Raw timings\n\n');
    expect(md).toContain('#### Errors (4 mirrors)\n\n');
    expect(md).toContain('xychart-beta');
    // Same verdict and table as the job summary.
    const summary = renderSummary(failingReport(), { chart: true });
    const upToDetails = summary.slice(0, summary.indexOf('<details>'));
    expect(md.startsWith(upToDetails)).toBe(true);
    await expect(md).toMatchFileSnapshot('./__snapshots__/markdown-failing.md');
  });

  it('can omit the chart and is not size-capped', () => {
    expect(renderMarkdown(healthyReport(), { chart: false })).not.toContain('mermaid');
    const big = {
      ...failingReport(),
      mirrors: Array.from({ length: 400 }, (_, i) =>
        mirror({ url: `https://m${i}.example`, rank: i + 1, errors: ['x'.repeat(300)] }),
      ),
    };
    expect(Buffer.byteLength(renderMarkdown(big))).toBeGreaterThan(64 * 1024);
  });
});
