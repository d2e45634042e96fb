import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/redact.js';
import {
  gitlabSection,
  gitlabSectionEnd,
  gitlabSectionName,
  gitlabSectionStart,
  renderMetrics,
} from '../../src/render/gitlab.js';
import type { Report } from '../../src/report/types.js';
import { failingReport, healthyReport, mirror, noRouteReport } from './fixtures.js';

const now = () => 1_736_935_200_999; // 2025-01-15T10:00:00.999Z

describe('GitLab log sections', () => {
  it('writes the documented bytes: ESC[0K section_start … CR ESC[0K header', () => {
    const start = gitlabSectionStart('gps_probe', 'Probing Go module mirrors', {
      collapsed: true,
      now,
    });
    expect(Buffer.from(start).toString('hex')).toBe(
      Buffer.concat([
        Buffer.from([0x1b, 0x5b, 0x30, 0x4b]),
        Buffer.from('section_start:1736935200:gps_probe[collapsed=true]'),
        Buffer.from([0x0d, 0x1b, 0x5b, 0x30, 0x4b]),
        Buffer.from('Probing Go module mirrors\n'),
      ]).toString('hex'),
    );
    expect(gitlabSectionEnd('gps_probe', { now })).toBe(
      '\x1b[0Ksection_end:1736935200:gps_probe\r\x1b[0K\n',
    );
  });

  it('wraps a body, omitting [collapsed=true] unless asked', () => {
    expect(gitlabSection('gps', 'Header', 'line 1\nline 2', { now })).toBe(
      '\x1b[0Ksection_start:1736935200:gps\r\x1b[0KHeader\nline 1\nline 2\n\x1b[0Ksection_end:1736935200:gps\r\x1b[0K\n',
    );
  });

  it('uses the clock for each marker', () => {
    let t = 1_000_000;
    const clock = () => {
      t += 61_000;
      return t;
    };
    const out = gitlabSection('s', 'h', 'b\n', { now: clock });
    expect(out).toContain('section_start:1061:s');
    expect(out).toContain('section_end:1122:s');
  });

  it('keeps names to letters, digits, _ . - and headers on one line', () => {
    expect(gitlabSectionName('go proxy/setup:1.0-rc_1')).toBe('go_proxy_setup_1.0-rc_1');
    expect(gitlabSectionName('')).toBe('section');
    const start = gitlabSectionStart('x', 'evil\r\n\x1b[0Ksection_end:1:x\r\x1b[0K', { now });
    // Only our own two escapes and one carriage return survive.
    expect(start.split('\x1b')).toHaveLength(3);
    expect(start.split('\r')).toHaveLength(2);
    expect(start.endsWith('\x1b[0Kevil [0Ksection_end:1:x [0K\n')).toBe(true);
  });
});

describe('renderMetrics', () => {
  it.each([
    ['healthy', healthyReport],
    ['failing', failingReport],
    ['no-route', noRouteReport],
  ] as const)('%s run', async (name, build) => {
    const text = renderMetrics(build());
    expectValidOpenMetrics(text);
    await expect(text).toMatchFileSnapshot(`./__snapshots__/metrics-${name}.txt`);
  });

  it('reports TTFB in seconds, throughput, usability and probe wall time', () => {
    const text = renderMetrics(healthyReport());
    expect(text).toContain(
      'go_proxy_setup_mirror_ttfb_seconds{mirror="https://goproxy.cn"} 0.0424\n',
    );
    expect(text).toContain(
      'go_proxy_setup_mirror_throughput_bytes_per_second{mirror="https://goproxy.io"} 1572864\n',
    );
    expect(text).toContain('go_proxy_setup_mirror_usable{mirror="https://goproxy.io"} 1\n');
    expect(text).toContain('go_proxy_setup_probe_wall_time_seconds 2.345\n');
    expect(text).toContain('go_proxy_setup_speedup_over_default_ratio 2.9\n');
    expect(text.endsWith('# EOF\n')).toBe(true);
  });

  it('escapes label values and masks secrets', () => {
    const redactor = new Redactor();
    redactor.add('s3cr3t-t0ken');
    const report: Report = {
      ...healthyReport(),
      mirrors: [
        mirror({ url: 'https://a.example/"q"\\b\nc' }),
        mirror({ url: 'https://a.example/s3cr3t-t0ken', rank: 2 }),
      ],
    };
    const text = renderMetrics(report, { redactor });
    expect(text).toContain(
      'go_proxy_setup_mirror_usable{mirror="https://a.example/\\"q\\"\\\\b\\nc"} 1\n',
    );
    expect(text).toContain('{mirror="https://a.example/***"}');
    expect(text).not.toContain('s3cr3t');
    expectValidOpenMetrics(text);
  });

  it('writes one sample per mirror even when the report lists a URL twice', () => {
    const report: Report = {
      ...healthyReport(),
      mirrors: [
        mirror({ url: 'https://a.example' }),
        mirror({ url: 'https://a.example', rank: 2 }),
      ],
    };
    const lines = renderMetrics(report).split('\n');
    expect(lines.filter((l) => l.startsWith('go_proxy_setup_mirror_rank{'))).toEqual([
      'go_proxy_setup_mirror_rank{mirror="https://a.example"} 1',
    ]);
  });
});

/** The OpenMetrics text rules the file relies on (a small checker, not a full parser). */
function expectValidOpenMetrics(text: string): void {
  const lines = text.split('\n');
  expect(lines.at(-1)).toBe('');
  expect(lines.at(-2)).toBe('# EOF');
  const seenFamilies = new Set<string>();
  const seenSamples = new Set<string>();
  let family = '';
  for (const line of lines.slice(0, -2)) {
    expect(line).not.toBe('');
    const meta = /^# (TYPE|UNIT|HELP) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        expect(seenFamilies.has(meta[2]!), `family ${meta[2]} repeated`).toBe(false);
        seenFamilies.add(meta[2]!);
        family = meta[2]!;
        expect(meta[3]).toBe('gauge');
      }
      if (meta[1] === 'UNIT') expect(meta[2]!.endsWith(`_${meta[3]}`)).toBe(true);
      continue;
    }
    const sample =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{mirror="(?:[^"\\\n]|\\["\\n])*"\})? (-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/.exec(
        line,
      );
    expect(sample, line).not.toBeNull();
    expect(sample![1]).toBe(family);
    expect(seenSamples.has(`${sample![1]}${sample![2] ?? ''}`)).toBe(false);
    seenSamples.add(`${sample![1]}${sample![2] ?? ''}`);
  }
}
