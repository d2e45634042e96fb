// One version for the action, the npm package and the GitLab component: package.json is the
// source of truth, and everything that names a version must agree with it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPORT_SCHEMA_VERSION, USER_AGENT, VERSION } from '../../src/version.js';

const root = join(import.meta.dirname, '..', '..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const COMPONENT_TEMPLATE = 'gitlab/templates/go-proxy-setup.yml';

const pkg = JSON.parse(read('package.json')) as { name: string; version: string; license: string };

/** Versions of the `## [x] - date` headings in order, Unreleased excluded, with their dates. */
function changelogReleases(changelog: string): { version: string; date: string }[] {
  return [...changelog.matchAll(/^## \[([^\]]+)\](?: - (\S+))?[ \t]*$/gm)]
    .filter((match) => match[1] !== 'Unreleased')
    .map((match) => ({ version: match[1]!, date: match[2] ?? '' }));
}

describe('the one version', () => {
  it('package.json has a semver version and the npm name', () => {
    expect(pkg.name).toBe('go-proxy-setup');
    expect(pkg.version).toMatch(SEMVER);
  });

  it('src/version.ts agrees (the CLI --version, the report and the User-Agent use it)', () => {
    expect(VERSION).toBe(pkg.version);
    expect(USER_AGENT).toBe(`go-proxy-setup/${pkg.version}`);
  });

  it('package-lock.json agrees', () => {
    const lock = JSON.parse(read('package-lock.json')) as {
      version: string;
      packages: Record<string, { version?: string }>;
    };
    expect(lock.version).toBe(pkg.version);
    expect(lock.packages['']?.version).toBe(pkg.version);
  });

  it('the top CHANGELOG.md release is this version, in Keep a Changelog form', () => {
    const changelog = read('CHANGELOG.md');
    expect(changelog).toMatch(/^# Changelog$/m);
    expect(changelog).toMatch(/^## \[Unreleased\]$/m);
    const releases = changelogReleases(changelog);
    expect(releases.length, 'CHANGELOG.md has no "## [x.y.z] - YYYY-MM-DD" entry').toBeGreaterThan(
      0,
    );
    expect(releases[0]!.version).toBe(pkg.version);
    for (const release of releases) {
      expect(release.version, `CHANGELOG.md heading [${release.version}]`).toMatch(SEMVER);
      expect(release.date, `CHANGELOG.md [${release.version}] needs an ISO date`).toMatch(
        /^\d{4}-\d{2}-\d{2}$/,
      );
    }
    const versions = releases.map((release) => release.version);
    expect(new Set(versions).size, 'a version appears twice in CHANGELOG.md').toBe(versions.length);
  });

  it('the GitLab component runs the npm package of this very version', () => {
    if (!existsSync(join(root, COMPONENT_TEMPLATE))) {
      throw new Error(
        `${COMPONENT_TEMPLATE} does not exist: the component must pin the npm package it runs as "go-proxy-setup@${pkg.version}"`,
      );
    }
    const template = read(COMPONENT_TEMPLATE);
    const pinned = [...template.matchAll(/go-proxy-setup@([0-9A-Za-z.+-]+)/g)].map(
      (match) => match[1],
    );
    expect(
      pinned.length,
      `${COMPONENT_TEMPLATE} never names "go-proxy-setup@${pkg.version}"`,
    ).toBeGreaterThan(0);
    for (const version of pinned) {
      expect(version, `${COMPONENT_TEMPLATE} pins go-proxy-setup@${version}`).toBe(pkg.version);
    }
  });

  it('the report carries a schema version of its own', () => {
    expect(Number.isInteger(REPORT_SCHEMA_VERSION)).toBe(true);
    expect(REPORT_SCHEMA_VERSION).toBeGreaterThanOrEqual(1);
    expect(read('src/report/types.ts')).toMatch(/readonly schemaVersion: number;/);
  });

  it('the package is MIT licensed by the go-proxy-setup contributors', () => {
    expect(pkg.license).toBe('MIT');
    const license = read('LICENSE');
    expect(license).toMatch(/^MIT License$/m);
    expect(license).toContain('Copyright (c) 2026 go-proxy-setup contributors');
  });
});
