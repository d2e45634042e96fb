import { describe, expect, test } from 'vitest';
import { effectiveRequirements, parseGoMod } from '../../src/goenv/gomod.js';

const GO_MOD = `// a comment
module "github.com/Acme/service" // quoted path

go 1.22.1
toolchain go1.23.0

require golang.org/x/text v0.14.0

require (
	github.com/google/uuid v1.6.0
	gopkg.in/yaml.v3 v3.0.1 // indirect
	example.com/odd v1.0.0 // indirect; kept for tests
	\`example.com/raw\` v0.1.0
)

replace github.com/google/uuid => ../uuid
replace (
	golang.org/x/text v0.14.0 => golang.org/x/text v0.15.0
)
exclude golang.org/x/net v0.1.0
retract [v1.0.0, v1.0.1]
godebug (
	default=go1.21
)
`;

describe('parseGoMod', () => {
  test('reads module, go, toolchain, requires (single and block), replaces and excludes', () => {
    const mod = parseGoMod(GO_MOD);
    expect(mod.module).toBe('github.com/Acme/service');
    expect(mod.go).toBe('1.22.1');
    expect(mod.toolchain).toBe('go1.23.0');
    expect(mod.requires).toEqual([
      { path: 'golang.org/x/text', version: 'v0.14.0', indirect: false },
      { path: 'github.com/google/uuid', version: 'v1.6.0', indirect: false },
      { path: 'gopkg.in/yaml.v3', version: 'v3.0.1', indirect: true },
      { path: 'example.com/odd', version: 'v1.0.0', indirect: true },
      { path: 'example.com/raw', version: 'v0.1.0', indirect: false },
    ]);
    expect(mod.replaces).toEqual([
      { oldPath: 'github.com/google/uuid', oldVersion: null, newPath: '../uuid', newVersion: null },
      {
        oldPath: 'golang.org/x/text',
        oldVersion: 'v0.14.0',
        newPath: 'golang.org/x/text',
        newVersion: 'v0.15.0',
      },
    ]);
    expect(mod.excludes).toEqual([{ path: 'golang.org/x/net', version: 'v0.1.0' }]);
    expect(mod.problems).toEqual([]);
  });

  test('tolerates CRLF, empty input and broken lines', () => {
    expect(parseGoMod('module example.com/m\r\ngo 1.21\r\n')).toMatchObject({
      module: 'example.com/m',
      go: '1.21',
    });
    expect(parseGoMod('')).toMatchObject({ module: null, requires: [], problems: [] });
    const broken = parseGoMod('module\nrequire (\n  only.path\n');
    expect(broken.module).toBeNull();
    expect(broken.problems).toEqual([
      'line 1: usage: module module/path',
      'line 3: usage: require module/path v1.2.3',
      'unterminated require block',
    ]);
  });

  test('effectiveRequirements marks local replacements', () => {
    const reqs = effectiveRequirements(parseGoMod(GO_MOD));
    expect(reqs.filter((r) => r.replacedLocally).map((r) => r.path)).toEqual([
      'github.com/google/uuid',
    ]);
  });
});
