/**
 * `replace` directives as Go applies them (modload.Replacement): what effectiveRequirements says
 * Go downloads for each requirement, checked against the real go command's `go list -m -json all`
 * on a module served by the mirror simulator.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectiveRequirements, parseGoMod, replacementFor } from '../../src/goenv/gomod.js';
import {
  type Simulator,
  isolatedGoEnv,
  removeGoTree,
  runGo,
  startSimulator,
} from '../simulator/index.js';

/** Corpus modules: hello v1.0.0/v1.1.0, Upper v1.0.0, pre v0.9.0, big v1.0.0. */
const GO_MOD = `module example.com/consumer

go 1.19

require (
	example.com/hello v1.0.0
	example.com/renamed v1.1.0
	example.com/local v1.0.0
)

replace example.com/hello => example.com/big v1.0.0

replace example.com/hello v1.0.0 => example.com/Upper v1.0.0

replace example.com/renamed => example.com/pre v0.9.0

replace example.com/local => ./local
`;

describe('effectiveRequirements', () => {
  it('a version-specific replacement beats the wildcard one, whatever the order', () => {
    const mod = parseGoMod(GO_MOD);
    expect(replacementFor(mod.replaces, 'example.com/hello', 'v1.0.0')?.newPath).toBe(
      'example.com/Upper',
    );
    expect(replacementFor(mod.replaces, 'example.com/hello', 'v1.1.0')?.newPath).toBe(
      'example.com/big',
    );
    expect(replacementFor(mod.replaces, 'example.com/other', 'v1.0.0')).toBeNull();
  });

  it('reports what Go fetches: the replacement module at its version, nothing for a directory', () => {
    const byPath = Object.fromEntries(
      effectiveRequirements(parseGoMod(GO_MOD)).map((r) => [
        r.path,
        { fetchPath: r.fetchPath, fetchVersion: r.fetchVersion, local: r.replacedLocally },
      ]),
    );
    expect(byPath).toEqual({
      'example.com/hello': { fetchPath: 'example.com/Upper', fetchVersion: 'v1.0.0', local: false },
      'example.com/renamed': { fetchPath: 'example.com/pre', fetchVersion: 'v0.9.0', local: false },
      'example.com/local': { fetchPath: null, fetchVersion: null, local: true },
    });
  });

  it('a requirement without a replacement is fetched as required', () => {
    const [req] = effectiveRequirements(
      parseGoMod('module m.test/a\nrequire rsc.io/quote v1.5.2\n'),
    );
    expect(req).toMatchObject({
      path: 'rsc.io/quote',
      fetchPath: 'rsc.io/quote',
      fetchVersion: 'v1.5.2',
      replacedLocally: false,
      replacement: null,
    });
  });

  it('file-path replacements count as local even with a stray version', () => {
    for (const target of ['./fork v1.0.0', '../fork v1.0.0', '/abs/fork v1.0.0', '.']) {
      const mod = parseGoMod(
        `module m.test/a\nrequire x.test/y v1.0.0\nreplace x.test/y => ${target}\n`,
      );
      expect(effectiveRequirements(mod)[0]!.replacedLocally, target).toBe(true);
    }
  });
});

describe('effectiveRequirements agrees with the go command', () => {
  let sim: Simulator;
  let root: string;

  beforeAll(async () => {
    sim = await startSimulator({ mirrors: [{ name: 'mirror' }] });
    root = await mkdtemp(join(tmpdir(), 'gps-gomod-replace-'));
  });
  afterAll(async () => {
    await sim?.close();
    if (root) await removeGoTree(root);
  });

  it('go list -m -json all: the same module and version for every requirement', async () => {
    const work = join(root, 'consumer');
    await mkdir(join(work, 'local'), { recursive: true });
    await writeFile(join(work, 'go.mod'), GO_MOD);
    await writeFile(join(work, 'local', 'go.mod'), 'module example.com/local\n\ngo 1.19\n');
    const env = isolatedGoEnv(root, sim.env({ goproxy: `${sim.url('mirror')},off` }));
    const result = await runGo(['list', '-m', '-json', 'all'], { cwd: work, env });
    expect(result.code, result.stderr).toBe(0);

    interface Listed {
      Path: string;
      Version?: string;
      Main?: boolean;
      Replace?: { Path: string; Version?: string };
    }
    // `go list -json` prints concatenated JSON objects.
    const listed = JSON.parse(`[${result.stdout.replace(/\}\n\{/g, '},{')}]`) as Listed[];
    const fromGo = Object.fromEntries(
      listed
        .filter((m) => !m.Main)
        .map((m) => [
          m.Path,
          m.Replace
            ? m.Replace.Version
              ? `${m.Replace.Path}@${m.Replace.Version}`
              : 'local'
            : `${m.Path}@${m.Version}`,
        ]),
    );
    const ours = Object.fromEntries(
      effectiveRequirements(parseGoMod(GO_MOD)).map((r) => [
        r.path,
        r.replacedLocally ? 'local' : `${r.fetchPath}@${r.fetchVersion}`,
      ]),
    );
    expect(Object.keys(fromGo).sort()).toEqual([
      'example.com/hello',
      'example.com/local',
      'example.com/renamed',
    ]);
    expect(ours).toEqual(fromGo);
    // And the replaced paths were never asked for.
    const asked = sim.requestsFor('mirror').map((r) => r.path);
    expect(asked.some((p) => p.startsWith('/example.com/renamed/'))).toBe(false);
    expect(asked.some((p) => p.startsWith('/example.com/local/'))).toBe(false);
  }, 60_000);
});
