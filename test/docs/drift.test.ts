/**
 * action.yml, the README's inputs table, the input parser's defaults and the CLI options must list
 * the same inputs with the same defaults. Each document is parsed on its own, so a hand edit to
 * any of them is caught, not just a stale generator.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, renderActionYml, renderInputsTable } from '../../scripts/docs.js';
import { helpText, parseCliArgs } from '../../src/cli/args.js';
import { OUTPUTS } from '../../src/constants.js';
import { parseInputs } from '../../src/inputs/inputs.js';
import { INPUT_SPECS } from '../../src/inputs/spec.js';
import { RANKING_RULE } from '../../src/select/ranking-rule.js';

const actionYml = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default: unknown; description: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
  runs: Record<string, string>;
};
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** Rows of the README table between the inputs-table markers: name → default. */
function readmeInputs(): Map<string, string> {
  const block = readme.slice(
    readme.indexOf('<!-- inputs-table:start -->'),
    readme.indexOf('<!-- inputs-table:end -->'),
  );
  const rows = new Map<string, string>();
  for (const line of block.split('\n')) {
    const match = /^\| `([a-z-]+)` \| `([^`]*)` \|/.exec(line);
    if (match) rows.set(match[1]!, match[2] === "''" ? '' : match[2]!);
  }
  return rows;
}

describe('documentation drift', () => {
  const names = INPUT_SPECS.map((s) => s.name);

  it('action.yml lists exactly the spec inputs, in order, each with a quoted string default', () => {
    expect(Object.keys(actionYml.inputs)).toEqual(names);
    for (const spec of INPUT_SPECS) {
      const input = actionYml.inputs[spec.name]!;
      expect(typeof input.default, spec.name).toBe('string');
      expect(input.default, spec.name).toBe(spec.default);
      expect(input.description, spec.name).toBe(spec.description);
    }
    expect(readFileSync(join(ROOT, 'action.yml'), 'utf8')).toBe(renderActionYml());
  });

  it('action.yml declares every output and the node24 main/post steps', () => {
    expect(Object.keys(actionYml.outputs).sort()).toEqual(Object.values(OUTPUTS).sort());
    expect(actionYml.runs).toMatchObject({
      using: 'node24',
      main: 'dist/main/index.js',
      post: 'dist/post/index.js',
      'post-if': 'success()',
    });
  });

  it("the README's inputs table has every input with its default", () => {
    const rows = readmeInputs();
    expect([...rows.keys()]).toEqual(names);
    for (const spec of INPUT_SPECS) expect(rows.get(spec.name), spec.name).toBe(spec.default);
    expect(readme).toContain(renderInputsTable());
  });

  it('the README documents every output', () => {
    for (const name of Object.values(OUTPUTS)) expect(readme, name).toContain(`| \`${name}\` |`);
  });

  it("the input parser's defaults are the documented defaults", () => {
    // The runner hands an omitted input over as action.yml's default text (the CLI and GitLab
    // hand over nothing): both must parse to the same value.
    const parsed = parseInputs(() => undefined, {});
    const fromDefaults = parseInputs((name) => actionYml.inputs[name]?.default as string, {});
    for (const [key, value] of Object.entries(parsed)) {
      if (key === 'environment') continue;
      expect((value as { source: string }).source, key).toBe('default');
      expect((value as { value: unknown }).value, key).toEqual(
        (fromDefaults[key as keyof typeof fromDefaults] as { value: unknown }).value,
      );
    }
    expect(Object.keys(parsed).filter((k) => k !== 'environment')).toHaveLength(INPUT_SPECS.length);
  });

  it("the README's ranking rule is the one the selection code documents", () => {
    const block = readme.slice(
      readme.indexOf('<!-- ranking-rule:start -->') + '<!-- ranking-rule:start -->'.length,
      readme.indexOf('<!-- ranking-rule:end -->'),
    );
    const rule = RANKING_RULE.split('\n')
      .slice(2)
      .join('\n')
      .split('\n\nThe best `max-mirrors`')[0]!;
    expect(block.trim()).toBe(rule.trim());
  });

  it('every input is a CLI option of the same name, listed in --help', () => {
    const help = helpText();
    for (const spec of INPUT_SPECS) {
      expect(help, spec.name).toContain(`--${spec.name}`);
      const options = parseCliArgs([`--${spec.name}`, 'x']);
      expect(options.inputs.get(spec.name)).toBe('x');
    }
  });
});
