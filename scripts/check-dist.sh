#!/usr/bin/env bash
# Rebuilds dist/ from scratch and fails when the result differs from what is committed.
# `git status --porcelain` (not `git diff`) so that files the build adds but nobody committed
# (a new chunk, a licence file) fail the check too; dist/ is removed first so that committed
# files the build no longer produces show up as deleted.
set -euo pipefail

cd "$(dirname "$0")/.."

rm -rf dist
npm run build

changes="$(git status --porcelain --untracked-files=all -- dist)"
if [ -z "$changes" ]; then
  echo "dist/ matches a fresh build."
  exit 0
fi

message="dist/ differs from a fresh build: run 'npm run build' and commit dist/ (new files included)."
if [ "${GITHUB_ACTIONS:-}" = "true" ]; then
  echo "::error title=dist is out of date::${message}"
else
  echo "$message" >&2
fi
echo "Changed files (?? = not committed, D = no longer built, M = different):"
echo "$changes"
echo "Diff stat of committed files:"
git --no-pager diff --stat -- dist
exit 1
