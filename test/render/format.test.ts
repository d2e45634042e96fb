import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatFreshness,
  formatIntegrity,
  formatMs,
  formatOutcome,
  formatRate,
  formatRatio,
} from '../../src/render/format.js';

describe('formatMs', () => {
  it.each([
    [0.42, '0.4 ms'],
    [0, '0 ms'],
    [123.4, '123 ms'],
    [999.4, '999 ms'],
    [1000, '1 s'],
    [1234, '1.2 s'],
    [9949, '9.9 s'],
    [12_345, '12 s'],
  ])('%s ms → %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });

  it('shows a dash for what was not measured', () => {
    expect(formatMs(null)).toBe('–');
    expect(formatMs(undefined)).toBe('–');
    expect(formatMs(Number.NaN)).toBe('–');
    expect(formatMs(-1)).toBe('–');
  });
});

describe('formatBytes and formatRate', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [12.3 * 1024 * 1024, '12.3 MiB'],
    [123.4 * 1024 * 1024, '123 MiB'],
    [1023.96 * 1024, '1 MiB'],
    [3 * 1024 ** 3, '3 GiB'],
  ])('%s bytes → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('adds /s for rates and a dash when unknown', () => {
    expect(formatRate(4.2 * 1024 * 1024)).toBe('4.2 MiB/s');
    expect(formatRate(null)).toBe('–');
  });
});

describe('formatOutcome', () => {
  it.each([
    [200, '200 OK'],
    [403, '403 Forbidden'],
    [404, '404 Not Found'],
    [418, "418 I'm a Teapot"],
    [504, '504 Gateway Timeout'],
    [599, '599'],
    ['timeout', 'timeout'],
    ['redirect-to-http', 'redirected to http'],
    ['refused', 'connection refused'],
    ['ECONNREFUSED', 'connection refused'],
    ['something-new', 'something-new'],
  ] as const)('%s → %s', (outcome, text) => {
    expect(formatOutcome(outcome)).toBe(text);
  });

  it('says "not probed" for null', () => {
    expect(formatOutcome(null)).toBe('not probed');
  });
});

describe('small words', () => {
  it('formats ratios, integrity and freshness', () => {
    expect(formatRatio(2.94)).toBe('2.9×');
    expect(formatRatio(12.4)).toBe('12×');
    expect(formatRatio(null)).toBe('–');
    expect(formatIntegrity('mismatch')).toBe('MISMATCH');
    expect(formatIntegrity('agreed')).toBe('agrees with other mirrors');
    expect(formatFreshness(false)).toBe('behind');
    expect(formatFreshness(null)).toBe('unknown');
  });
});
