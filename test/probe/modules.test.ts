/**
 * Which modules are probed where: replacements, the repository's own owner while visibility is
 * unknown, GOSUMDB=off, and what an `@v/list` body contributes (pseudo-versions ignored).
 */
import { describe, expect, it } from 'vitest';
import { parseGoMod } from '../../src/goenv/gomod.js';
import { derivePrivatePatterns } from '../../src/private/derive.js';
import {
  BUILTIN_PROBE_MODULE,
  chooseProbeModules,
  latestFromList,
  listHasVersionLines,
  parseVersionList,
  probeOnlyPrivatePatterns,
} from '../../src/probe/modules.js';

describe('replace directives', () => {
  it('probes the replacement module at its version, never the replaced path', () => {
    const goMod = parseGoMod(
      'module example.com/consumer\n\ngo 1.19\n\nrequire example.com/renamed v1.1.0\n\nreplace example.com/renamed => example.com/hello v1.1.0\n',
    );
    const choice = chooseProbeModules('auto', goMod, '');
    expect(choice.source).toBe('go.mod');
    expect(choice.public).toEqual([{ path: 'example.com/hello', version: 'v1.1.0' }]);
  });

  it('a version-specific replacement wins; a directory replacement is skipped', () => {
    const goMod = parseGoMod(`module example.com/consumer

require (
	example.com/a v1.0.0
	example.com/local v1.0.0
	example.com/b v1.2.0
)

replace example.com/a => example.com/wild v9.0.0
replace example.com/a v1.0.0 => example.com/exact v1.0.1
replace example.com/local => ../local
`);
    expect(chooseProbeModules('auto', goMod, '').public).toEqual([
      { path: 'example.com/exact', version: 'v1.0.1' },
      { path: 'example.com/b', version: 'v1.2.0' },
    ]);
  });

  it('privacy is judged on the module Go fetches', () => {
    const goMod = parseGoMod(`module example.com/consumer
require (
	example.com/public-name v1.0.0
	git.corp.example/fork v1.0.0
)
replace example.com/public-name => git.corp.example/team/lib v1.2.0
replace git.corp.example/fork => example.com/hello v1.1.0
`);
    const choice = chooseProbeModules('auto', goMod, 'git.corp.example');
    expect(choice.public).toEqual([{ path: 'example.com/hello', version: 'v1.1.0' }]);
    expect(choice.private).toEqual([{ path: 'git.corp.example/team/lib', version: 'v1.2.0' }]);
  });

  it('two requirements replaced by the same module are probed once', () => {
    const goMod = parseGoMod(`module example.com/consumer
require (
	example.com/x v1.0.0 // indirect
	example.com/y v1.0.0
)
replace example.com/x => example.com/hello v1.1.0
replace example.com/y => example.com/hello v1.1.0
`);
    expect(chooseProbeModules('auto', goMod, '').public).toEqual([
      { path: 'example.com/hello', version: 'v1.1.0' },
    ]);
  });
});

describe('the repository owner is private while probing unless known public', () => {
  const goMod = parseGoMod(
    'module github.com/acme/app\n\ngo 1.21\n\nrequire (\n\tgithub.com/acme/billing-internal v1.4.0\n\tgithub.com/google/uuid v1.3.0\n)\n',
  );
  const facts = { modulePath: goMod.module, requirements: goMod.requires.map((r) => r.path) };

  function probed(
    env: Readonly<Record<string, string | undefined>>,
    event: { private?: boolean } | null = null,
  ) {
    const privacy = derivePrivatePatterns({
      mode: 'auto',
      env,
      goprivateInput: [],
      originUrl: 'git@github.com:acme/app.git',
      eventRepository: event,
      goMod: facts,
    });
    const probeOnly = probeOnlyPrivatePatterns(privacy.repositories, goMod.module);
    const choice = chooseProbeModules('auto', goMod, privacy.goprivate, {
      probeOnlyPrivate: probeOnly.join(','),
    });
    return { privacy, probeOnly, choice };
  }

  it('visibility unknown (laptop, Jenkins, no event payload): the same-owner requirement is not probed', () => {
    for (const env of [
      {},
      { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/app' },
    ]) {
      const { privacy, probeOnly, choice } = probed(env);
      // Nothing is written: GOPRIVATE stays as derivation decided.
      expect(privacy.goprivate).toBe('');
      expect(probeOnly).toContain('github.com/acme');
      expect(choice.public.map((m) => m.path)).toEqual(['github.com/google/uuid']);
      expect(choice.private).toEqual([]);
      expect(choice.probeOnlyPrivate).toContain('github.com/acme');
    }
  });

  it('a repository known to be public probes its owner’s modules as before', () => {
    const { probeOnly, choice } = probed(
      { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/app' },
      { private: false },
    );
    expect(probeOnly).toEqual([]);
    expect(choice.public.map((m) => m.path)).toEqual([
      'github.com/acme/billing-internal',
      'github.com/google/uuid',
    ]);
  });

  it('the module path alone (no remote, no CI) keeps its host/owner off public services', () => {
    expect(probeOnlyPrivatePatterns([], 'github.com/acme/app')).toEqual(['github.com/acme']);
    expect(probeOnlyPrivatePatterns([], 'go.corp.example')).toEqual(['go.corp.example']);
    expect(probeOnlyPrivatePatterns([], 'myapp')).toEqual([]);
    expect(probeOnlyPrivatePatterns([], null)).toEqual([]);
  });

  it('scopes: owner on a hosting site (both spellings), host elsewhere, public ones skipped', () => {
    expect(
      probeOnlyPrivatePatterns(
        [
          { host: 'github.com', owner: 'Acme', publicHosting: true, visibility: 'unknown' },
          { host: 'git.corp.example', owner: 'team', publicHosting: false, visibility: 'unknown' },
          { host: 'gitlab.com', owner: 'open', publicHosting: true, visibility: 'public' },
        ],
        'github.com/Acme/app',
      ),
    ).toEqual(['github.com/Acme', 'github.com/acme', 'git.corp.example']);
  });

  it('the built-in fallback also respects them', () => {
    const choice = chooseProbeModules('auto', null, '', { probeOnlyPrivate: 'github.com/google' });
    expect(choice.public).toEqual([{ path: 'golang.org/x/text', version: 'v0.3.7' }]);
  });

  it('an explicit probe-modules list is what the user asked for: probe-only patterns do not apply', () => {
    const choice = chooseProbeModules(
      [{ path: 'github.com/acme/lib', version: 'v1.0.0' }],
      null,
      '',
      { probeOnlyPrivate: 'github.com/acme' },
    );
    expect(choice.public).toEqual([{ path: 'github.com/acme/lib', version: 'v1.0.0' }]);
    expect(choice.probeOnlyPrivate).toBe('');
  });
});

describe('GOSUMDB=off', () => {
  it('auto probes with the built-in module only: no go.mod path reaches the checksum database', () => {
    const goMod = parseGoMod(
      'module example.com/consumer\nrequire (\n\texample.com/hello v1.1.0\n\tgit.corp.example/x v1.0.0\n)\n',
    );
    const choice = chooseProbeModules('auto', goMod, 'git.corp.example', {
      checksumDatabaseOff: true,
    });
    expect(choice.public).toEqual([BUILTIN_PROBE_MODULE]);
    expect(choice.source).toBe('builtin');
    // The private proxy (never the database) may still be probed with the private ones.
    expect(choice.private).toEqual([{ path: 'git.corp.example/x', version: 'v1.0.0' }]);
  });
});

describe('@v/list bodies', () => {
  it('pseudo-versions are dropped, as proxyRepo.Versions does', () => {
    expect(
      parseVersionList(
        'v1.2.0\nv1.3.0\nv1.3.1-0.20240101000000-abcdefabcdef\nv0.0.0-20220722155255-886fb9371eb4\nv1.4.0-rc.1\n',
      ),
    ).toEqual(['v1.2.0', 'v1.3.0', 'v1.4.0-rc.1']);
  });

  it('a list of pseudo-versions only is still a well-formed answer', () => {
    const body = 'v0.0.0-20220722155255-886fb9371eb4\n';
    expect(parseVersionList(body)).toEqual([]);
    expect(listHasVersionLines(body)).toBe(true);
    expect(listHasVersionLines('<html>\n')).toBe(false);
  });

  it('latest: the highest release, else the highest pre-release', () => {
    expect(latestFromList(parseVersionList('v1.3.0\nv1.4.0-rc.1\n'))).toBe('v1.3.0');
  });
});
