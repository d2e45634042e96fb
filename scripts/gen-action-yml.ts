// Regenerates action.yml's inputs from src/inputs/spec.ts (the single source of truth).
// Run: npx tsx scripts/gen-action-yml.ts > action.yml ; test/docs/drift.test.ts fails if they differ.
import { INPUT_SPECS } from '../src/inputs/spec.js';

const OUTPUT_DESCRIPTIONS: Record<string, string> = {
  goproxy: 'The GOPROXY chain written for later steps.',
  gosumdb: 'The GOSUMDB value written for later steps.',
  goprivate: 'The GOPRIVATE patterns written for later steps (empty when none).',
  'fastest-mirror':
    'URL (without credentials) of the best-ranked mirror; empty when none answered.',
  'fastest-latency-ms': 'Median time to first byte of the fastest mirror, in milliseconds.',
  report: 'The JSON report: every measurement, verdict and reason (schema in the README).',
  'cache-hit': "'true' only when the module cache was restored from an exact key match.",
};

const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`;
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
  lines.push(`  ${spec.name}:`);
  lines.push(`    description: ${quote(spec.description)}`);
  lines.push('    required: false');
  lines.push(`    default: ${quote(spec.default)}`);
}
lines.push('outputs:');
for (const [name, description] of Object.entries(OUTPUT_DESCRIPTIONS)) {
  lines.push(`  ${name}:`);
  lines.push(`    description: ${quote(description)}`);
}
lines.push(
  'runs:',
  '  using: node24',
  '  main: dist/main/index.js',
  '  post: dist/post/index.js',
  '  post-if: success()',
);
process.stdout.write(`${lines.join('\n')}\n`);
