import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/redact.js';
import { renderText } from '../../src/render/text.js';
import type { Report } from '../../src/report/types.js';
import { failingReport, healthyReport, mirror, noRouteReport, privateReport } from './fixtures.js';

const ESC = '\x1b';

describe('renderText snapshots (no colour)', () => {
  it.each([
    ['healthy', healthyReport],
    ['failing', failingReport],
    ['no-route', noRouteReport],
    ['private', privateReport],
  ] as const)('%s run', async (name, build) => {
    const text = renderText(build(), { color: false, width: 100 });
    expect(text).not.toContain(ESC);
    await expect(text).toMatchFileSnapshot(`./__snapshots__/text-${name}.txt`);
  });
});

describe('renderText', () => {
  it('prints one line per mirror in rank order, then copyable settings', () => {
    const lines = renderText(healthyReport(), { color: false }).split('\n');
    const mirrorLines = lines.filter((l) => /^\d+ {2}https:/.test(l));
    expect(mirrorLines.map((l) => l.split(/\s+/)[1])).toEqual([
      'https://goproxy.cn',
      'https://proxy.golang.org',
      'https://goproxy.io',
      'https://mirrors.aliyun.com/goproxy/',
    ]);
    expect(lines).toContain('GOPROXY=https://goproxy.cn|https://proxy.golang.org|direct');
    expect(lines).toContain('GOSUMDB=sum.golang.org');
  });

  it('gives the reason under every failed, tampered or skipped mirror', () => {
    const text = renderText(failingReport(), { color: false });
    expect(text).toMatch(/https:\/\/goproxy\.io +failed.*\n +↳ Answered 403 Forbidden/);
    expect(text).toMatch(/https:\/\/evil\.example +tampered.*\n +↳ The \.mod of/);
    expect(text).toMatch(/https:\/\/late\.example +skipped.*\n +↳ Not probed: the 10 s deadline/);
  });

  it('colours throughput like chsrc (red < 1 MiB/s, yellow < 2 MiB/s, green) only when asked', () => {
    const text = renderText(healthyReport(), { color: true });
    expect(text).toContain(`${ESC}[32m8.4 MiB/s${ESC}[0m`);
    expect(text).toContain(`${ESC}[33m1.5 MiB/s${ESC}[0m`);
    expect(text).toContain(`${ESC}[31m640 KiB/s${ESC}[0m`);
    expect(text).toContain(`${ESC}[32mchosen${ESC}[0m`);
    // Colour does not disturb the columns: without escapes the text is the uncoloured one.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping SGR sequences.
    expect(text.replace(/\x1b\[\d+m/g, '')).toBe(renderText(healthyReport(), { color: false }));
  });

  it('keeps mirror-supplied escape sequences off the terminal', () => {
    const report: Report = {
      ...failingReport(),
      mirrors: [
        mirror({
          url: 'https://evil.example',
          verdict: 'failed',
          rank: null,
          reason: 'bad\x1b[2J\x1b[0;0Hfake line\r\nGOPROXY=https://attacker.example',
        }),
      ],
    };
    const text = renderText(report, { color: false });
    expect(text).not.toContain(ESC);
    expect(text).not.toContain('\r');
    expect(text.split('\n')).not.toContain('GOPROXY=https://attacker.example');
  });

  it('fits the table and wrapped text into the width', () => {
    const report: Report = {
      ...failingReport(),
      mirrors: [
        ...failingReport().mirrors,
        mirror({ url: `https://${'very-long-host-name.'.repeat(6)}example`, rank: 3 }),
      ],
    };
    const text = renderText(report, { color: false, width: 80 });
    const lines = text.split('\n');
    const tableEnd = lines.findIndex((l) => l.startsWith('Settings'));
    // Only a single unbreakable word (the full URL) may run past the width.
    const breakable = lines.slice(0, tableEnd).filter((l) => !/^ +↳ \S+$/.test(l));
    for (const line of breakable) expect(line.length, line).toBeLessThanOrEqual(80);
    // A cut URL is given in full on the next line: the user must be able to tell mirrors apart.
    expect(text).toMatch(
      /https:\/\/very-long-host-name\.[^\s]*… +chosen.*\n +↳ https:\/\/(very-long-host-name\.){6}example\n/,
    );
  });

  it('masks secrets with the Redactor', () => {
    const redactor = new Redactor();
    redactor.add('s3cr3t-t0ken');
    const report: Report = { ...failingReport(), reasons: ['token s3cr3t-t0ken was rejected'] };
    const text = renderText(report, { color: false, redactor });
    expect(text).not.toContain('s3cr3t-t0ken');
    expect(text).toContain('token *** was rejected');
  });
});
