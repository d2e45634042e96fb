#!/usr/bin/env node
// Release helpers used by .github/workflows/release.yml (and runnable by hand before tagging).
//
//   node scripts/release.mjs check <tag> [<owner/repo>]
//     Fails unless <tag> is vX.Y.Z[-pre], package.json has that version, CHANGELOG.md has a
//     non-empty section for it and, when <owner/repo> (or GITHUB_REPOSITORY) is known, package.json
//     `repository` points at that GitHub repository (npm rejects provenance otherwise).
//     Prints `key=value` lines for $GITHUB_OUTPUT: version, major, prerelease, npm-dist-tag, gitlab-tag.
//
//   node scripts/release.mjs notes <version>
//     Prints the CHANGELOG.md section of <version> (without its heading): the GitHub release notes.
//
// Only node: built-ins, so the release jobs need no `npm ci`.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env.RELEASE_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..');
const TAG_PATTERN = /^v((\d+)\.\d+\.\d+(?:-([0-9A-Za-z.-]+))?)$/;

class ReleaseError extends Error {}

function readText(relativePath) {
  try {
    return readFileSync(join(root, relativePath), 'utf8');
  } catch {
    throw new ReleaseError(`${relativePath} cannot be read in ${root}`);
  }
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The body of `## [<version>] - <date>` up to the next `## ` heading, trimmed. */
function changelogSection(version) {
  const changelog = readText('CHANGELOG.md');
  const heading = new RegExp(
    `^## \\[${escapeRegExp(version)}\\] - \\d{4}-\\d{2}-\\d{2}[ \\t]*$`,
    'm',
  );
  const match = heading.exec(changelog);
  if (match === null) {
    throw new ReleaseError(`CHANGELOG.md has no "## [${version}] - YYYY-MM-DD" section`);
  }
  const rest = changelog.slice(match.index + match[0].length);
  const next = rest.search(/^## /m);
  // Link reference definitions (`[1.0.0]: https://…`) at the end of the file are not notes.
  const body = (next === -1 ? rest : rest.slice(0, next))
    .replace(/^\[[^\]]+\]: \S+\s*$/gm, '')
    .trim();
  if (body === '') throw new ReleaseError(`CHANGELOG.md section [${version}] is empty`);
  return body;
}

/** `https://github.com/owner/repo` from any form package.json `repository` may take. */
function repositoryUrl(repository) {
  const raw = typeof repository === 'string' ? repository : (repository?.url ?? '');
  const shorthand = /^(?:github:)?([\w.-]+\/[\w.-]+)$/.exec(raw);
  if (shorthand !== null) return `https://github.com/${shorthand[1]}`;
  return raw
    .replace(/^git\+/, '')
    .replace(/^git:\/\//, 'https://')
    .replace(/^ssh:\/\/git@github\.com\//, 'https://github.com/')
    .replace(/\.git$/, '')
    .replace(/\/$/, '');
}

function check(tag, githubRepository) {
  const match = TAG_PATTERN.exec(tag ?? '');
  if (match === null) {
    throw new ReleaseError(
      `tag "${tag ?? ''}" is not a release tag: expected vMAJOR.MINOR.PATCH or vMAJOR.MINOR.PATCH-PRERELEASE`,
    );
  }
  const [, version, major, prerelease] = match;
  const pkg = JSON.parse(readText('package.json'));
  if (pkg.version !== version) {
    throw new ReleaseError(
      `package.json version is "${pkg.version}" but the tag is "${tag}": bump package.json, src/version.ts and CHANGELOG.md first`,
    );
  }
  changelogSection(version);
  if (githubRepository) {
    const expected = `https://github.com/${githubRepository}`;
    const actual = repositoryUrl(pkg.repository);
    if (actual !== expected) {
      throw new ReleaseError(
        `package.json repository is "${actual}", expected "${expected}" (npm refuses provenance that does not match)`,
      );
    }
  }
  return {
    version,
    major: `v${major}`,
    prerelease: prerelease === undefined ? 'false' : 'true',
    // A pre-release must not become what `npm install go-proxy-setup` picks.
    'npm-dist-tag': prerelease === undefined ? 'latest' : 'next',
    // The GitLab CI/CD Catalog wants plain semver tags (1.2.3), not v1.2.3.
    'gitlab-tag': version,
  };
}

function main(argv) {
  const [command, ...args] = argv;
  if (command === 'check') {
    const outputs = check(args[0], args[1] ?? process.env.GITHUB_REPOSITORY);
    for (const [key, value] of Object.entries(outputs)) process.stdout.write(`${key}=${value}\n`);
    return;
  }
  if (command === 'notes') {
    process.stdout.write(`${changelogSection(args[0] ?? '')}\n`);
    return;
  }
  throw new ReleaseError('usage: release.mjs check <tag> [<owner/repo>] | notes <version>');
}

try {
  main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof ReleaseError)) throw error;
  process.stderr.write(`release: ${error.message}\n`);
  process.exit(1);
}
