import { describe, expect, it } from 'vitest';
import { annotationsFor } from '../../src/render/annotations.js';
import type { Finding, Report } from '../../src/report/types.js';
import { failingReport, healthyReport, noRouteReport, privateReport } from './fixtures.js';

const notices = (r: Report) => annotationsFor(r).filter((a) => a.level === 'notice');

describe('annotationsFor', () => {
  it('emits exactly one notice with the decision', () => {
    for (const report of [healthyReport(), failingReport(), noRouteReport(), privateReport()]) {
      expect(notices(report)).toHaveLength(1);
    }
    const [decision] = notices(healthyReport());
    expect(decision).toEqual({
      level: 'notice',
      title: 'Go module proxy settings',
      message:
        'GOPROXY=https://goproxy.cn|https://proxy.golang.org|direct GOSUMDB=sum.golang.org. https://goproxy.cn is the fastest mirror that passed every probe.',
    });
  });

  it('composes the decision when the report carries no decision finding', () => {
    const report = { ...healthyReport(), findings: [] };
    expect(annotationsFor(report)).toEqual([
      {
        level: 'notice',
        title: 'Go module proxy chosen',
        message:
          'GOPROXY=https://goproxy.cn|https://proxy.golang.org|direct; GOSUMDB=sum.golang.org. Fastest mirror https://goproxy.cn: 42 ms median time to first byte, 2.9× faster than the default route. https://goproxy.cn is the fastest mirror that passed every probe.',
      },
    ]);
    const noRoute = annotationsFor({ ...noRouteReport(), findings: [] });
    expect(noRoute[0]!.message).toMatch(/^No GOPROXY was chosen\. No mirror passed the probe/);
  });

  it('says when there is no route, and passes error findings on as errors', () => {
    const all = annotationsFor(noRouteReport());
    expect(all[0]).toMatchObject({ level: 'notice', title: 'Go module proxy settings' });
    expect(all.filter((a) => a.level === 'error')).toEqual([
      {
        level: 'error',
        title: 'No route to Go modules',
        message: 'Every mirror failed and fallback is off.',
      },
    ]);
  });

  it.each([
    ['mirror-failed', 'Mirror failed', /goproxy\.io answered 403 Forbidden/],
    [
      'mirror-failed',
      'Mirror timed out',
      /^https:\/\/proxy\.golang\.org: proxy\.golang\.org timed out/,
    ],
    ['mirror-tampered', 'Mirror served tampered content', /^https:\/\/evil\.example: The \.mod/],
    [
      'redirect-to-http',
      'Mirror redirected to http',
      /downgrade\.example redirected to plain http/,
    ],
    ['sumdb-rerouted', 'sum.golang.org unreachable', /goproxy\.cn\/sumdb\/sum\.golang\.org/],
  ] as const)('warns for %s (%s)', (code, title, message) => {
    const report = failingReport();
    expect(report.findings.some((f) => f.code === code && f.title === title)).toBe(true);
    const found = annotationsFor(report).find((a) => a.title === title);
    expect(found?.level).toBe('warning');
    expect(found?.message).toMatch(message);
  });

  it.each([
    ['broad-private-pattern', 'Over-broad private pattern'],
    ['comma-chain', 'GOPROXY uses ","'],
  ] as const)('warns for %s', (code, title) => {
    const report = privateReport();
    expect(report.findings.some((f) => f.code === code)).toBe(true);
    expect(annotationsFor(report).find((a) => a.title === title)?.level).toBe('warning');
  });

  it('has one warning per warning finding and none for notice findings', () => {
    const report = failingReport();
    const warnings = annotationsFor(report).filter((a) => a.level === 'warning');
    expect(warnings).toHaveLength(report.findings.filter((f) => f.level === 'warning').length);
    expect(annotationsFor(report).some((a) => a.title === 'Mirror behind')).toBe(false);
    const privateNotes = annotationsFor(privateReport()).filter((a) => a.level === 'notice');
    expect(privateNotes.map((a) => a.title)).toEqual(['Go module proxy settings']);
  });

  it('keeps titles short and messages on one line', () => {
    const finding: Finding = {
      level: 'warning',
      code: 'mirror-failed',
      title: `A very long title ${'x'.repeat(200)}`,
      message: 'line one\nline two\r\n<b>three</b>',
      mirror: 'https://m.example',
    };
    const [, warning] = annotationsFor({ ...healthyReport(), findings: [finding] });
    expect(warning!.title.length).toBeLessThanOrEqual(100);
    expect(warning!.title.endsWith('…')).toBe(true);
    expect(warning!.message).toBe('https://m.example: line one line two <b>three</b>');
  });

  it('caps each level at 10 annotations, the last one counting the rest', () => {
    const findings: Finding[] = Array.from({ length: 14 }, (_, i) => ({
      level: 'warning',
      code: 'mirror-failed',
      title: `Mirror ${i} failed`,
      message: `m${i}`,
    }));
    const warnings = annotationsFor({ ...healthyReport(), findings }).filter(
      (a) => a.level === 'warning',
    );
    expect(warnings).toHaveLength(10);
    expect(warnings[8]!.title).toBe('Mirror 8 failed');
    expect(warnings[9]!.title).toBe('5 more warnings');
  });
});
