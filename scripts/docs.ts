/**
 * The documents generated from src/inputs/spec.ts: action.yml and the README's inputs table.
 * `npx tsx scripts/docs.ts --write` rewrites them; test/docs/drift.test.ts fails when they differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INPUT_SPECS } from '../src/inputs/spec.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export const OUTPUT_DESCRIPTIONS: Readonly<Record<string, string>> = {
  goproxy: 'The GOPROXY chain written for later steps (credentials removed).',
  gosumdb: 'The GOSUMDB value written for later steps.',
  goprivate: 'The GOPRIVATE patterns written for later steps (empty when none).',
  'fastest-mirror':
    'URL (without credentials) of the best-ranked mirror; empty when none answered.',
  'fastest-latency-ms': 'Median time to first byte of the fastest mirror, in milliseconds.',
  report: 'The JSON report: every measurement, verdict and reason (schema in the README).',
  'cache-hit': "'true' only when the module cache was restored from an exact key match.",
};

const yamlQuote = (s: string): string => `'${s.replaceAll("'", "''")}'`;

export function renderActionYml(): string {
  const lines: string[] = [
    'name: go-proxy-setup',
    'description: Measure Go module mirrors from the runner, write the fastest correct GOPROXY chain, a working GOSUMDB and GOPRIVATE, and cache GOMODCACHE.',
    'author: go-proxy-setup contributors',
    'branding:',
    '  icon: zap',
    '  color: blue',
    'inputs:',
  ];
  for (const spec of INPUT_SPECS) {
    lines.push(
      `  ${spec.name}:`,
      `    description: ${yamlQuote(spec.description)}`,
      '    required: false',
      `    default: ${yamlQuote(spec.default)}`,
    );
  }
  lines.push('outputs:');
  for (const [name, description] of Object.entries(OUTPUT_DESCRIPTIONS)) {
    lines.push(`  ${name}:`, `    description: ${yamlQuote(description)}`);
  }
  lines.push(
    'runs:',
    '  using: node24',
    '  main: dist/main/index.js',
    '  post: dist/post/index.js',
    '  post-if: success()',
  );
  return `${lines.join('\n')}\n`;
}

const TABLE_START = '<!-- inputs-table:start -->';
const TABLE_END = '<!-- inputs-table:end -->';

export function renderInputsTable(): string {
  const cell = (s: string): string => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const rows = INPUT_SPECS.map(
    (spec) =>
      `| \`${spec.name}\` | \`${spec.default === '' ? "''" : spec.default}\` | ${cell(spec.description)} |`,
  );
  return ['| Input | Default | Description |', '| --- | --- | --- |', ...rows].join('\n');
}

export function readmeWithTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end === -1 || end < start)
    throw new Error('README.md lacks the inputs-table markers');
  return `${readme.slice(0, start + TABLE_START.length)}\n${renderInputsTable()}\n${readme.slice(end)}`;
}

if (process.argv.includes('--write')) {
  writeFileSync(join(ROOT, 'action.yml'), renderActionYml());
  const readmePath = join(ROOT, 'README.md');
  writeFileSync(readmePath, readmeWithTable(readFileSync(readmePath, 'utf8')));
}
