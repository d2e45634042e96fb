/**
 * The component project's README (shown by the CI/CD Catalog) and licence: the structure the
 * Catalog expects, examples that are valid YAML using real inputs at this release, and an inputs
 * table that agrees with the template's spec.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parseDocument } from 'yaml';
import { VERSION } from '../../src/version.js';
import { COMPONENT_TEMPLATE, GITLAB_DIR, REPO_ROOT } from './harness.js';

interface SpecInput {
  readonly type?: string;
  readonly default?: unknown;
  readonly options?: readonly unknown[];
}

let readme: string;
let inputs: Record<string, SpecInput>;

beforeAll(async () => {
  readme = await readFile(join(GITLAB_DIR, 'README.md'), 'utf8');
  const [spec] = parseAllDocuments(await readFile(COMPONENT_TEMPLATE, 'utf8'));
  inputs = (spec!.toJS() as { spec: { inputs: Record<string, SpecInput> } }).spec.inputs;
});

/** Rows of the table under `#### Inputs`: cells without the outer pipes. */
function inputRows(): Map<string, string[]> {
  const section = readme.slice(readme.indexOf('#### Inputs'));
  const table = section.slice(0, section.indexOf('\n#'));
  const rows = new Map<string, string[]>();
  for (const line of table.split('\n')) {
    const match = /^\| `([a-z_]+)` \|(.*)\|$/.exec(line);
    if (match)
      rows.set(
        match[1]!,
        match[2]!.split(' | ').map((cell) => cell.trim()),
      );
  }
  return rows;
}

function yamlBlocks(): string[] {
  return [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

describe('gitlab/README.md', () => {
  it('has the sections the CI/CD Catalog expects', () => {
    expect(readme).toMatch(/^## Components$/m);
    expect(readme).toMatch(/^### go-proxy-setup$/m);
    expect(yamlBlocks().length).toBeGreaterThan(0);
  });

  it('documents every input in its table, with the type and default of the spec', () => {
    const rows = inputRows();
    expect([...rows.keys()].sort()).toEqual(Object.keys(inputs).sort());
    for (const [name, input] of Object.entries(inputs)) {
      const [type, defaultCell, description] = rows.get(name)!;
      expect(type, name).toMatch(new RegExp(`^${input.type ?? 'string'}\\b`));
      for (const option of input.options ?? []) expect(type, name).toContain(`\`${option}\``);
      if (name === 'command') {
        expect(defaultCell).toContain('npx --yes go-proxy-setup@');
      } else {
        const shown = input.default === '' ? "''" : String(input.default);
        expect(defaultCell, name).toBe(`\`${shown}\``);
      }
      expect(description?.length, name).toBeGreaterThan(10);
    }
  });

  it('has examples that are valid YAML, include this release and use only real inputs', () => {
    let includes = 0;
    for (const block of yamlBlocks()) {
      // `!reference` is GitLab's tag: unknown to the parser (a warning), not an error.
      const doc = parseDocument(block);
      expect(doc.errors, block).toEqual([]);
      const config = doc.toJS() as {
        include?: { component?: string; remote?: string; inputs?: Record<string, unknown> }[];
      };
      for (const entry of config.include ?? []) {
        includes++;
        if (entry.component !== undefined) {
          expect(entry.component).toBe(
            `$CI_SERVER_FQDN/<group>/go-proxy-setup/go-proxy-setup@${VERSION}`,
          );
        } else {
          expect(entry.remote).toContain(`/v${VERSION}/gitlab/templates/go-proxy-setup.yml`);
        }
        for (const name of Object.keys(entry.inputs ?? {})) {
          expect(Object.keys(inputs), `unknown input ${name} in an example`).toContain(name);
        }
      }
    }
    expect(includes).toBeGreaterThanOrEqual(3);
  });

  it('warns that project and group variables outrank the dotenv report', () => {
    expect(readme).toMatch(/dotenv variables \*\*below\*\* project, group and instance/);
  });
});

describe('gitlab/LICENSE.md', () => {
  it('is the MIT licence of the repository', async () => {
    const license = await readFile(join(GITLAB_DIR, 'LICENSE.md'), 'utf8');
    expect(license).toBe(await readFile(join(REPO_ROOT, 'LICENSE'), 'utf8'));
    expect(license).toMatch(/^MIT License$/m);
  });
});
