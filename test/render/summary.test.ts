import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/redact.js';
import {
  type CacheSummary,
  DEFAULT_SUMMARY_MAX_BYTES,
  renderCacheSummary,
  renderSummary,
} from '../../src/render/summary.js';
import type { MirrorReport, Report } from '../../src/report/types.js';
import { failingReport, healthyReport, mirror, noRouteReport, privateReport } from './fixtures.js';
import { expectWellFormedMarkdown } from './markdown-checks.js';

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

describe('renderSummary snapshots', () => {
  it.each([
    ['healthy', healthyReport],
    ['failing', failingReport],
    ['no-route', noRouteReport],
    ['private', privateReport],
  ] as const)('%s run', async (name, build) => {
    const md = renderSummary(build(), { chart: true });
    expectWellFormedMarkdown(md);
    await expect(md).toMatchFileSnapshot(`./__snapshots__/summary-${name}.md`);
  });
});

describe('renderSummary content', () => {
  it('puts the verdict first: settings, reasons and the speed-up', () => {
    const md = renderSummary(healthyReport(), { chart: true });
    const firstTable = md.indexOf('| Setting | Value |');
    expect(firstTable).toBeGreaterThan(0);
    expect(firstTable).toBeLessThan(md.indexOf('| # | Mirror |'));
    expect(md).toContain('2.9× faster than the default route');
    expect(md).toContain(
      '<code>https://goproxy.cn&#124;https://proxy.golang.org&#124;direct</code>',
    );
    expect(md.indexOf('**Why**')).toBeLessThan(md.indexOf('| # | Mirror |'));
  });

  it('ranks rows: ranked mirrors by rank, then the rest by verdict', () => {
    const md = renderSummary(failingReport(), { chart: false });
    const order = [...md.matchAll(/^\| (?:\d+|–) \| <code>([^<]+)<\/code>/gm)].map((m) => m[1]);
    expect(order).toEqual([
      'https://goproxy.cn',
      'https://stale.example',
      'https://goproxy.io',
      'https://proxy.golang.org',
      'https://downgrade.example',
      'https://evil.example',
      'https://late.example',
    ]);
  });

  it('shows exact statuses and verdict reasons in the table', () => {
    const md = renderSummary(failingReport(), { chart: false });
    expect(md).toMatch(/\| tampered: The \.mod of .* \| 404 Not Found \| \*\*MISMATCH\*\* \|/);
    expect(md).toContain('failed: Answered 403 Forbidden');
    expect(md).toMatch(/https:\/\/stale\.example<\/code> \|[^\n]*\| behind \|/);
  });

  it('draws the chart of working mirrors only, and omits it on request or with nothing measured', () => {
    const withChart = renderSummary(failingReport(), { chart: true });
    expect(withChart).toContain('xychart-beta');
    expect(withChart).toContain('x-axis ["goproxy.cn", "stale.example"]');
    expect(withChart).toContain('bar [42, 260]');
    expect(renderSummary(failingReport(), { chart: false })).not.toContain('mermaid');
    expect(renderSummary(noRouteReport(), { chart: true })).not.toContain('mermaid');
  });

  it('keeps Mermaid labels parseable and distinct', () => {
    const report: Report = {
      ...healthyReport(),
      mirrors: [
        mirror({ url: 'https://a.example/x"];bar[1' }),
        mirror({ url: 'https://a.example/x"];bar[1', rank: 2 }),
      ],
    };
    const md = renderSummary(report, { chart: true });
    expect(md).toContain('x-axis ["a.example/x___bar_1", "a.example/x___bar_1-2"]');
  });

  it('folds raw timings, errors, sumdb routes, private patterns, modules and env in <details>', () => {
    const md = renderSummary(privateReport(), { chart: true });
    for (const title of [
      'Raw timings',
      'Errors',
      'Checksum database and integrity',
      'Private patterns (4)',
      'Probe modules',
      'Written environment',
    ]) {
      expect(md).toContain(`<details>\n<summary>${title}</summary>\n\n`);
    }
    expect(md).toContain('| <code>gitlab.corp.example/platform/&#42;</code> | git remote |');
    expect(md).toContain('GONOPROXY=none');
  });

  it('says plainly when there is no route', () => {
    const md = renderSummary(noRouteReport(), { chart: true });
    expect(md).toContain('**No route to public Go modules was found.**');
    expect(md).toContain('**Error: No route to Go modules**');
    expect(md).toContain('Nothing was written.');
  });
});

describe('renderSummary escaping', () => {
  it('renders a hostile error body, URL and module path as inert text', () => {
    const hostile =
      'x</code></details><script>alert(1)</script> | `code` @octocat [a](javascript:alert(1))\n| injected | row |';
    const report: Report = {
      ...failingReport(),
      reasons: [hostile],
      mirrors: [
        mirror({
          url: 'https://evil.example/<img src=x onerror=alert(1)>|`',
          verdict: 'failed',
          rank: null,
          reason: hostile,
          statuses: { 'list evil.example/`m`|<b>': 403 },
          errors: [hostile],
        }),
      ],
      probeModules: [{ path: 'evil.example/[x](javascript:y)', version: null, source: 'input' }],
      privatePatterns: [{ pattern: 'a|b<c>', source: 'input' }],
    };
    const md = renderSummary(report, { chart: true });
    expectWellFormedMarkdown(md);
    expect(md).not.toMatch(/<script|<img|<b>|\]\(javascript/);
    expect(md).not.toContain('@octocat');
    expect(md).not.toContain('`code`');
    // The newline in the body did not start a new table row.
    expect(md).not.toMatch(/^\| injected/m);
    expect(md).toContain('&lt;script&gt;alert&#40;1&#41;&lt;/script&gt; &#124; &#96;code&#96;');
  });

  it('runs every string through the Redactor', () => {
    const redactor = new Redactor();
    redactor.add('s3cr3t-t0ken');
    const report: Report = {
      ...privateReport(),
      reasons: ['auth with s3cr3t-t0ken failed'],
      settings: {
        ...privateReport().settings,
        GOPROXY: 'https://s3cr3t-t0ken@athens.corp.example',
      },
      mirrors: [
        mirror({
          url: 'https://athens.corp.example',
          origin: 'private',
          errors: ['401 for user:s3cr3t-t0ken', 'see https://bob:hunter22@athens.corp.example/x'],
        }),
      ],
    };
    const md = renderSummary(report, { chart: true, redactor });
    expect(md).not.toContain('s3cr3t');
    expect(md).not.toContain('hunter22');
    expect(md).toContain('&#42;&#42;&#42;');
  });
});

describe('renderSummary size cap', () => {
  /** 1000 mirrors with long errors and many samples: megabytes before the cap. */
  function hugeReport(): Report {
    const mirrors: MirrorReport[] = Array.from({ length: 1000 }, (_, i) =>
      mirror({
        url: `https://mirror-${String(i).padStart(3, '0')}.example`,
        rank: i + 1,
        verdict: i < 2 ? 'chosen' : 'usable',
        latencySamplesMs: Array.from({ length: 30 }, (_, j) => 100 + j),
        errors: Array.from({ length: 5 }, (_, j) => `error ${j}: ${'<x>|'.repeat(120)}`),
        statuses: { 'list golang.org/x/text': 500 },
      }),
    );
    return { ...healthyReport(), mirrors };
  }

  it('stays under the default 64 KiB, dropping details, then the chart, then rows', () => {
    const full = renderSummary(hugeReport(), { chart: true, maxBytes: Number.POSITIVE_INFINITY });
    expect(bytes(full)).toBeGreaterThan(1024 * 1024);

    const md = renderSummary(hugeReport(), { chart: true });
    expect(bytes(md)).toBeLessThanOrEqual(DEFAULT_SUMMARY_MAX_BYTES);
    expectWellFormedMarkdown(md);
    expect(md).not.toContain('<details>');
    expect(md).not.toContain('mermaid');
    expect(md).toMatch(/_…and \d+ more mirrors: see the JSON report\._/);
    expect(md).toContain('Some details were left out to keep this summary under 64 KiB');
    // The verdict survives whole.
    expect(md).toContain('| `GOPROXY` |');
    expect(md).toContain('**Why**');
    // Rows are cut from the bottom: the best mirrors stay.
    expect(md).toContain('https://mirror-000.example');
    const shown = md.match(/^\| \d+ \| <code>https:\/\/mirror-/gm)?.length ?? 0;
    const hidden = Number(md.match(/_…and (\d+) more mirrors/)?.[1]);
    expect(shown + hidden).toBe(1000);
  });

  it('drops the least useful folded section first and keeps the rest', () => {
    const report = failingReport();
    const full = renderSummary(report, { chart: true, maxBytes: Number.POSITIVE_INFINITY });
    const md = renderSummary(report, { chart: true, maxBytes: bytes(full) - 1 });
    expect(bytes(md)).toBeLessThan(bytes(full));
    expect(md).not.toContain('<summary>Raw timings</summary>');
    expect(md).toContain('<summary>Errors (4 mirrors)</summary>');
    expect(md).toContain('<summary>Written environment</summary>');
    expect(md).toContain('xychart-beta');
    expectWellFormedMarkdown(md);
  });

  it('never cuts inside markup, even with a tiny budget', () => {
    for (const maxBytes of [5000, 2000, 1000, 400, 100, 10]) {
      const md = renderSummary(failingReport(), { chart: true, maxBytes });
      expect(bytes(md)).toBeLessThanOrEqual(maxBytes);
      expectWellFormedMarkdown(md);
    }
  });
});

describe('renderCacheSummary', () => {
  const KEY = 'go-proxy-setup-1.0.0-linux-x64-3f2a';
  const base: CacheSummary = {
    key: KEY,
    restore: 'miss',
    restoredKey: null,
    saved: true,
    reason: 'saved',
    modulesAdded: 12,
    bytesAdded: 3.4 * 1024 * 1024,
    modulesTotal: 12,
    bytesTotal: 3.4 * 1024 * 1024,
  };
  const row = (md: string, name: string) => md.split('\n').find((l) => l.startsWith(`| ${name} |`));
  const occurrences = (md: string, text: string) => md.split(text).length - 1;

  it('reports a miss that was saved', async () => {
    await expect(renderCacheSummary(base)).toMatchFileSnapshot('./__snapshots__/cache-saved.md');
  });

  it('reports an exact hit that was not saved, naming the key once', () => {
    const hit = renderCacheSummary({
      ...base,
      restore: 'exact-hit',
      restoredKey: KEY,
      saved: false,
      reason: 'exact key hit',
      modulesAdded: 0,
      bytesAdded: 0,
      modulesTotal: 1,
    });
    expect(row(hit, 'Restored')).toBe('| Restored | yes, exact key hit |');
    expect(row(hit, 'Added during the job')).toBe('| Added during the job | 0 modules, 0 B |');
    expect(row(hit, 'Total at the end of the job')).toBe(
      '| Total at the end of the job | 1 module, 3.4 MiB |',
    );
    expect(row(hit, 'Saved')).toBe('| Saved | no: exact key hit |');
    expect(occurrences(hit, KEY)).toBe(1);
    expectWellFormedMarkdown(hit);
  });

  it('reports a restore-key match with the key it matched', () => {
    const partial = renderCacheSummary({
      ...base,
      restore: 'partial-hit',
      restoredKey: 'go-proxy-setup-1.0.0-linux-x64-aaaa',
      saved: false,
      reason: 'unchanged',
    });
    expect(row(partial, 'Restored')).toBe(
      '| Restored | yes, restore-key match <code>go-proxy-setup-1.0.0-linux-x64-aaaa</code> |',
    );
    expect(row(partial, 'Saved')).toBe('| Saved | no: unchanged |');
    expectWellFormedMarkdown(partial);
  });

  it('says yes without repeating the key when saved, and names failed or skipped restores', () => {
    const saved = renderCacheSummary(base);
    expect(row(saved, 'Saved')).toBe('| Saved | yes |');
    expect(occurrences(saved, KEY)).toBe(1);
    expect(row(renderCacheSummary({ ...base, restore: 'failed' }), 'Restored')).toBe(
      '| Restored | no: the restore failed (see the warnings) |',
    );
    expect(row(renderCacheSummary({ ...base, restore: 'skipped-populated' }), 'Restored')).toBe(
      '| Restored | no: the module cache already had content |',
    );
  });

  it('escapes the reason', () => {
    const md = renderCacheSummary({ ...base, saved: false, reason: 'a | b <x>' });
    expect(row(md, 'Saved')).not.toContain('<x>');
    expectWellFormedMarkdown(md);
  });
});
