import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import {
  type DerivePrivateInput,
  type EventRepository,
  type FromRemoteMode,
  derivePrivatePatterns,
  isPrivateModulePath,
  mustStayOffPublicServices,
  privatePatternProblem,
} from '../../src/private/derive.js';
import type { PrivatePatternReport } from '../../src/report/types.js';

const TOKEN = 'ghs_LeakCanary0123456789abcdef';
const JOB_TOKEN = 'glcbt-JobTokenCanary98765';

const GITHUB_COM = { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/app' };
const gitlab = (host: string, path: string, visibility: string, root?: string) => ({
  CI_SERVER_HOST: host,
  CI_PROJECT_PATH: path,
  CI_PROJECT_VISIBILITY: visibility,
  ...(root ? { CI_PROJECT_ROOT_NAMESPACE: root } : {}),
  CI_JOB_TOKEN: JOB_TOKEN,
});
const PRIVATE: EventRepository = { visibility: 'private', private: true, fullName: 'acme/app' };

interface Row {
  readonly name: string;
  readonly mode?: FromRemoteMode;
  readonly origin?: string;
  readonly env?: Record<string, string>;
  readonly event?: EventRepository;
  readonly module?: string;
  readonly input?: string;
  /** `pattern source` pairs, in order. */
  readonly expected: readonly string[];
  readonly codes?: readonly string[];
}

const ROWS: readonly Row[] = [
  // GitHub.com
  {
    name: 'github.com CI, private (event payload)',
    env: GITHUB_COM,
    event: PRIVATE,
    expected: ['github.com/acme ci'],
  },
  {
    name: 'github.com CI, private flag only',
    env: GITHUB_COM,
    event: { private: true },
    expected: ['github.com/acme ci'],
  },
  {
    name: 'github.com CI, internal',
    env: GITHUB_COM,
    event: { visibility: 'internal' },
    expected: ['github.com/acme ci'],
  },
  {
    name: 'github.com CI, public, auto → nothing',
    env: GITHUB_COM,
    event: { visibility: 'public' },
    expected: [],
  },
  {
    name: 'github.com CI, public, forced true',
    mode: 'true',
    env: GITHUB_COM,
    event: { visibility: 'public' },
    expected: ['github.com/acme ci'],
  },
  {
    name: 'github.com CI, private, false → nothing',
    mode: 'false',
    env: GITHUB_COM,
    event: PRIVATE,
    expected: [],
  },
  {
    name: 'github.com CI, payload of another repository → visibility unknown',
    env: GITHUB_COM,
    event: { visibility: 'private', fullName: 'other/thing' },
    expected: [],
    codes: ['private-derivation-skipped'],
  },
  {
    name: 'github.com CI, token remote of the same repository',
    origin: `https://x-access-token:${TOKEN}@github.com/acme/app`,
    env: GITHUB_COM,
    event: PRIVATE,
    expected: ['github.com/acme ci'],
  },
  {
    name: 'github.com remote only, auto, visibility unknown → nothing, said so',
    origin: 'https://github.com/acme/app.git',
    expected: [],
    codes: ['private-derivation-skipped'],
  },
  {
    name: 'github.com token remote, forced true',
    mode: 'true',
    origin: `https://x-access-token:${TOKEN}@github.com/acme/app.git`,
    expected: ['github.com/acme remote'],
  },
  {
    name: 'bare token user, mixed case owner kept',
    mode: 'true',
    origin: `https://${TOKEN}@github.com/Acme/App`,
    expected: ['github.com/Acme remote'],
  },
  {
    name: 'upper-case host, trailing slashes',
    mode: 'true',
    origin: 'HTTPS://GitHub.COM/acme/app.git///',
    expected: ['github.com/acme remote'],
  },
  {
    name: 'scp-like',
    mode: 'true',
    origin: 'git@github.com:acme/app.git',
    expected: ['github.com/acme remote'],
  },
  {
    name: 'ssh.github.com on port 443',
    mode: 'true',
    origin: 'ssh://git@ssh.github.com:443/acme/app.git',
    expected: ['github.com/acme remote'],
  },
  {
    name: '~/.ssh/config alias github.com-work',
    mode: 'true',
    origin: 'git@github.com-work:acme/app.git',
    expected: ['github.com/acme remote'],
  },
  {
    name: 'github.com remote, false',
    mode: 'false',
    origin: 'git@github.com:acme/app.git',
    expected: [],
  },
  {
    name: 'CI repository and a different checked-out remote: only the CI one is known private',
    origin: 'https://github.com/other/lib.git',
    env: GITHUB_COM,
    event: PRIVATE,
    expected: ['github.com/acme ci'],
    codes: ['private-derivation-skipped'],
  },
  // GitHub Enterprise Server and GHE.com
  {
    name: 'GHES CI, visibility unknown → whole host',
    env: { GITHUB_SERVER_URL: 'https://ghes.corp.example', GITHUB_REPOSITORY: 'team/app' },
    expected: ['ghes.corp.example ci'],
  },
  {
    name: 'GHES CI with port and upper case',
    env: { GITHUB_SERVER_URL: 'https://GHES.Corp.Example:8443', GITHUB_REPOSITORY: 'team/app' },
    event: { visibility: 'internal', fullName: 'team/app' },
    expected: ['ghes.corp.example ci'],
  },
  {
    name: 'GHES CI, public repository, auto → nothing',
    env: { GITHUB_SERVER_URL: 'https://ghes.corp.example', GITHUB_REPOSITORY: 'team/app' },
    event: { visibility: 'public' },
    expected: [],
  },
  {
    name: 'GHE.com tenant host',
    env: { GITHUB_SERVER_URL: 'https://acme.ghe.com', GITHUB_REPOSITORY: 'team/app' },
    event: { visibility: 'private' },
    expected: ['acme.ghe.com ci'],
  },
  // GitLab.com and self-managed GitLab
  {
    name: 'gitlab.com CI, private subgroup project → top-level group',
    env: gitlab('gitlab.com', 'acme/platform/svc', 'private', 'acme'),
    expected: ['gitlab.com/acme ci'],
  },
  {
    name: 'gitlab.com CI, internal, no root namespace variable',
    env: gitlab('gitlab.com', 'acme/platform/svc', 'internal'),
    expected: ['gitlab.com/acme ci'],
  },
  {
    name: 'gitlab.com CI, public → nothing',
    env: gitlab('gitlab.com', 'acme/platform/svc', 'public', 'acme'),
    expected: [],
  },
  {
    name: 'gitlab.com CI with the runner token remote',
    origin: `https://gitlab-ci-token:${JOB_TOKEN}@gitlab.com/acme/platform/svc.git`,
    env: gitlab('gitlab.com', 'acme/platform/svc', 'private', 'acme'),
    expected: ['gitlab.com/acme ci'],
  },
  {
    name: 'self-managed GitLab CI, internal → host',
    env: gitlab('gitlab.corp.example', 'grp/sub/proj', 'internal', 'grp'),
    expected: ['gitlab.corp.example ci'],
  },
  {
    name: 'self-managed GitLab CI, public → nothing',
    env: gitlab('gitlab.corp.example', 'grp/proj', 'public', 'grp'),
    expected: [],
  },
  {
    name: 'self-managed GitLab CI, public, forced',
    mode: 'true',
    env: gitlab('gitlab.corp.example', 'grp/proj', 'public', 'grp'),
    expected: ['gitlab.corp.example ci'],
  },
  {
    name: 'CI_SERVER_HOST in upper case with a stray port',
    env: gitlab('GitLab.Corp.Example:8443', 'grp/proj', 'private'),
    expected: ['gitlab.corp.example ci'],
  },
  {
    name: 'self-managed token remote, same project as CI',
    origin: `https://gitlab-ci-token:${JOB_TOKEN}@gitlab.corp.example/grp/sub/proj.git`,
    env: gitlab('gitlab.corp.example', 'grp/sub/proj', 'private', 'grp'),
    expected: ['gitlab.corp.example ci'],
  },
  {
    name: 'self-managed ssh with port, remote only',
    origin: 'ssh://git@gitlab.corp.example:2222/grp/proj.git',
    expected: ['gitlab.corp.example remote'],
  },
  {
    name: 'self-managed https with port',
    origin: 'https://gitlab.corp.example:8443/grp/proj',
    expected: ['gitlab.corp.example remote'],
  },
  {
    name: 'self-managed scp-like, subgroups',
    origin: 'git@Git.Corp.Example:team/sub/repo.git',
    expected: ['git.corp.example remote'],
  },
  {
    name: 'git:// remote',
    origin: 'git://git.corp.example/grp/repo',
    expected: ['git.corp.example remote'],
  },
  {
    name: 'git+ssh:// remote',
    origin: 'git+ssh://git@git.corp.example/grp/repo.git',
    expected: ['git.corp.example remote'],
  },
  { name: 'IPv4 host', origin: 'https://10.1.2.3/grp/repo.git', expected: ['10.1.2.3 remote'] },
  // Hosts that cannot start a module path, and non-remotes
  { name: 'IPv6 host → nothing', origin: 'ssh://git@[::1]:2222/grp/proj.git', expected: [] },
  {
    name: 'IPv6 host, forced → nothing, said so',
    mode: 'true',
    origin: 'ssh://git@[::1]:2222/grp/proj.git',
    expected: [],
    codes: ['private-derivation-skipped'],
  },
  { name: 'dotless host → nothing', origin: 'ssh://git@gitlab:2222/grp/proj.git', expected: [] },
  {
    name: 'local path → nothing, said so',
    origin: '/srv/git/repo.git',
    expected: [],
    codes: ['private-derivation-skipped'],
  },
  {
    name: 'file:// → nothing, said so',
    origin: 'file:///srv/git/repo.git',
    expected: [],
    codes: ['private-derivation-skipped'],
  },
  {
    name: 'forced, nothing to derive from',
    mode: 'true',
    expected: [],
    codes: ['private-derivation-skipped'],
  },
  // Other public hosting sites
  {
    name: 'bitbucket.org workspace',
    mode: 'true',
    origin: 'git@bitbucket.org:ws/repo.git',
    expected: ['bitbucket.org/ws remote'],
  },
  {
    name: 'codeberg.org',
    mode: 'true',
    origin: 'https://codeberg.org/user/repo.git',
    expected: ['codeberg.org/user remote'],
  },
  {
    name: 'gitee.com, unknown visibility → nothing',
    origin: 'https://gitee.com/user/repo.git',
    expected: [],
    codes: ['private-derivation-skipped'],
  },
  {
    name: 'sourcehut ~user',
    mode: 'true',
    origin: 'git@git.sr.ht:~user/repo',
    expected: ['git.sr.ht/~user remote'],
  },
  {
    name: 'Azure DevOps https (org as user)',
    mode: 'true',
    origin: 'https://org@dev.azure.com/org/My%20Project/_git/repo',
    expected: ['dev.azure.com/org remote'],
  },
  {
    name: 'Azure DevOps ssh v3',
    mode: 'true',
    origin: 'git@ssh.dev.azure.com:v3/org/project/repo',
    expected: ['dev.azure.com/org remote'],
  },
  {
    name: 'Azure DevOps legacy visualstudio.com → tenant host',
    origin: 'https://org.visualstudio.com/project/_git/repo',
    expected: ['org.visualstudio.com remote'],
  },
  // go.mod
  {
    name: 'vanity module path of a private repository',
    env: GITHUB_COM,
    event: PRIVATE,
    module: 'go.acme.dev/app',
    expected: ['github.com/acme ci', 'go.acme.dev go.mod'],
  },
  {
    name: 'vanity module path of a public repository → nothing',
    env: GITHUB_COM,
    event: { visibility: 'public' },
    module: 'go.acme.dev/app',
    expected: [],
  },
  {
    name: 'vanity module path on self-managed GitLab',
    origin: 'git@gitlab.corp.example:grp/app.git',
    module: 'go.corp.example/app',
    expected: ['gitlab.corp.example remote', 'go.corp.example go.mod'],
  },
  {
    name: 'module path on the git host itself: no second pattern',
    origin: 'git@gitlab.corp.example:grp/app.git',
    module: 'gitlab.corp.example/grp/app',
    expected: ['gitlab.corp.example remote'],
  },
  {
    name: 'module myapp (no dot): not a vanity host',
    env: GITHUB_COM,
    event: PRIVATE,
    module: 'myapp',
    expected: ['github.com/acme ci'],
  },
  {
    name: 'fork: module path under another owner is not derived',
    env: { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'me/fork' },
    event: { visibility: 'private' },
    module: 'github.com/upstream/lib',
    expected: ['github.com/me ci'],
  },
  {
    name: 'public module host in go.mod is not derived',
    env: GITHUB_COM,
    event: PRIVATE,
    module: 'go.uber.org/zap',
    expected: ['github.com/acme ci'],
  },
  {
    name: "go.mod's spelling of the owner wins",
    env: { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'Acme/App' },
    event: { visibility: 'private', fullName: 'Acme/App' },
    module: 'github.com/acme/app',
    expected: ['github.com/acme ci'],
  },
  {
    name: 'forced, go.mod only',
    mode: 'true',
    module: 'github.com/acme/lib',
    expected: ['github.com/acme go.mod'],
  },
  { name: 'auto, go.mod only → nothing', module: 'gitlab.corp.example/grp/lib', expected: [] },
  // Merging with the environment and the input
  {
    name: 'environment, then input, then derived',
    env: { ...GITHUB_COM, GOPRIVATE: 'github.com/acme/app,corp.example' },
    event: PRIVATE,
    input: 'github.com/other\ngo.corp.example',
    expected: [
      'github.com/acme/app env',
      'corp.example env',
      'github.com/other input',
      'go.corp.example input',
      'github.com/acme ci',
    ],
  },
  {
    name: 'derived equal to the environment is not repeated',
    env: { ...GITHUB_COM, GOPRIVATE: 'github.com/acme' },
    event: PRIVATE,
    expected: ['github.com/acme env'],
  },
  {
    name: "a trailing '/' is the same pattern; first spelling wins",
    env: { ...GITHUB_COM, GOPRIVATE: 'github.com/acme/' },
    event: PRIVATE,
    expected: ['github.com/acme/ env'],
  },
  {
    name: 'derived covered by an environment glob is dropped',
    origin: 'git@git.corp.example:grp/app.git',
    env: { GOPRIVATE: '*.corp.example' },
    expected: ['*.corp.example env'],
  },
  {
    name: 'input duplicates the environment',
    env: { GOPRIVATE: 'corp.example' },
    input: 'corp.example, corp.example',
    expected: ['corp.example env'],
  },
  {
    name: 'dead environment entries are left out, with a warning each',
    env: { GOPRIVATE: 'ok.example, spaced.example,https://url.example/x,host.example:8443,[' },
    expected: ['ok.example env'],
    codes: [
      'dead-private-pattern',
      'dead-private-pattern',
      'dead-private-pattern',
      'dead-private-pattern',
    ],
  },
];

function inputOf(row: Row): DerivePrivateInput {
  return {
    mode: row.mode ?? 'auto',
    env: row.env ?? {},
    originUrl: row.origin ?? null,
    eventRepository: row.event ?? null,
    goMod: row.module ? { modulePath: row.module, requirements: [] } : null,
    goprivateInput: row.input ?? '',
  };
}

function pairs(patterns: readonly PrivatePatternReport[]): string[] {
  return patterns.map((entry) => `${entry.pattern} ${entry.source}`);
}

describe('derivePrivatePatterns: remote forms and CI variables', () => {
  it('has a table of at least 30 rows', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(ROWS)('$name', (row) => {
    const result = derivePrivatePatterns(inputOf(row));
    expect(pairs(result.patterns)).toEqual(row.expected);
    expect(result.goprivate).toBe(result.patterns.map((entry) => entry.pattern).join(','));
    expect(result.findings.map((finding) => finding.code)).toEqual(row.codes ?? []);
    // Nothing a token could hide in: the whole result, findings and reasons included.
    const text = JSON.stringify(result);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(JOB_TOKEN);
  });
});

describe('derivePrivatePatterns: findings', () => {
  const requirements = [
    'github.com/acme/shared',
    'github.com/stretchr/testify',
    'golang.org/x/text',
    'gitlab.corp.example/grp/lib',
  ];

  it('warns when a pattern drags public requirements off the proxy', () => {
    const result = derivePrivatePatterns({
      mode: 'auto',
      env: { GOPRIVATE: 'github.com,golang.org' },
      goMod: { modulePath: 'github.com/acme/app', requirements },
    });
    const broad = result.findings.filter((finding) => finding.code === 'broad-private-pattern');
    expect(broad.map((finding) => finding.message.split(' ')[0])).toEqual([
      '"github.com"',
      '"golang.org"',
    ]);
    expect(broad[0]!.message).toContain('github.com/stretchr/testify');
    expect(broad[0]!.message).toContain('github.com/acme/shared');
    expect(broad[1]!.message).toContain('golang.org/x/text');
    expect(broad.every((finding) => finding.level === 'warning')).toBe(true);
  });

  it('does not flag requirements an owner-level pattern claims as private', () => {
    const result = derivePrivatePatterns({
      mode: 'auto',
      env: { GOPRIVATE: 'github.com/acme,gitlab.corp.example' },
      goMod: { modulePath: 'github.com/acme/app', requirements },
    });
    expect(result.findings).toEqual([]);
  });

  it('a wide pattern is not blamed for requirements an owner pattern claims', () => {
    const result = derivePrivatePatterns({
      mode: 'auto',
      env: { GOPRIVATE: 'github.com/*,github.com/acme' },
      goMod: {
        modulePath: 'github.com/acme/app',
        requirements: ['github.com/acme/shared', 'github.com/stretchr/testify'],
      },
    });
    const broad = result.findings.filter((finding) => finding.code === 'broad-private-pattern');
    expect(broad).toHaveLength(1);
    expect(broad[0]!.message).toContain('github.com/stretchr/testify');
    expect(broad[0]!.message).not.toContain('acme/shared');
  });

  it.each([
    ['*', 'makes every module private'],
    ['github.com', 'every module on github.com'],
    ['github.com/*', 'every module on github.com'],
    ['*.org', 'every module on bitbucket.org, codeberg.org, framagit.org'],
    ['golang.org', 'golang.org/x/text'],
    ['*/*', 'makes every module private'],
  ])('flags %j as over-broad even without requirements', (pattern, words) => {
    const result = derivePrivatePatterns({ mode: 'auto', env: { GOPRIVATE: pattern } });
    expect(result.findings.map((finding) => finding.code)).toEqual(['overbroad-private-pattern']);
    expect(result.findings[0]!.message).toContain(words);
  });

  it.each([
    'github.com/acme',
    '*.corp.example',
    'gitlab.corp.example',
    '*/acme',
    'github.com/acme-*',
  ])('does not flag %j', (pattern) => {
    expect(derivePrivatePatterns({ mode: 'auto', env: { GOPRIVATE: pattern } }).findings).toEqual(
      [],
    );
  });
});

describe('derivePrivatePatterns: the goprivate input', () => {
  it('accepts comma and newline separated text and trims it', () => {
    const result = derivePrivatePatterns({
      mode: 'false',
      env: {},
      goprivateInput: ' a.example ,\n b.example/x\n',
    });
    expect(pairs(result.patterns)).toEqual(['a.example input', 'b.example/x input']);
  });

  it('accepts an already parsed list', () => {
    const result = derivePrivatePatterns({ mode: 'false', env: {}, goprivateInput: ['a.example'] });
    expect(result.goprivate).toBe('a.example');
  });

  it.each([
    'https://github.com/acme',
    'gitlab.corp.example:8443/grp',
    'GitHub.com/acme',
    '[',
    'a.example//x',
  ])('rejects %j with one InputError line naming the input', (value) => {
    const run = () => derivePrivatePatterns({ mode: 'false', env: {}, goprivateInput: value });
    expect(run).toThrow(InputError);
    expect(run).toThrow(/^Invalid input 'goprivate': [^\n]+$/);
  });

  it.each([
    [`https://x-access-token:${TOKEN}@github.com/acme`],
    [[`https://x-access-token:${TOKEN}@github.com/acme`]],
    [`ok.example\n x-access-token:${TOKEN}@github.com/acme`],
    [`https://x:${TOKEN}/more@github.com/acme`],
  ])('does not echo user info pasted into a pattern (%#)', (goprivateInput) => {
    const run = () => derivePrivatePatterns({ mode: 'false', env: {}, goprivateInput });
    expect(run).toThrow(InputError);
    expect(run).toThrow(/^Invalid input 'goprivate'/);
    try {
      run();
    } catch (error) {
      expect((error as Error).message).not.toContain(TOKEN);
    }
  });
});

describe('private module helpers', () => {
  it('isPrivateModulePath uses Go matching', () => {
    expect(isPrivateModulePath('github.com/acme/app/v2', 'github.com/acme')).toBe(true);
    expect(isPrivateModulePath('github.com/acmecorp/app', 'github.com/acme')).toBe(false);
    expect(isPrivateModulePath('corp.example/x', 'foo.example, corp.example')).toBe(false);
  });

  it('mustStayOffPublicServices honours GONOPROXY and GONOSUMDB and their defaults', () => {
    expect(mustStayOffPublicServices('a.example/m', { GOPRIVATE: 'a.example' })).toBe(true);
    expect(
      mustStayOffPublicServices('b.example/m', { GOPRIVATE: 'a.example', GONOPROXY: 'b.example' }),
    ).toBe(true);
    expect(mustStayOffPublicServices('c.example/m', { GONOSUMDB: 'c.example' })).toBe(true);
    expect(
      mustStayOffPublicServices('d.example/m', { GOPRIVATE: 'a.example', GONOPROXY: 'b.example' }),
    ).toBe(false);
  });

  it.each([
    ['github.com/acme', null],
    ['*.corp.example', null],
    [' github.com/acme', 'white space'],
    ['https://github.com/acme', 'scheme or port'],
    ['gitlab.corp.example:8443', 'scheme or port'],
    ['https://gitlab.corp.example:8443/grp', 'e.g. "gitlab.corp.example/grp"'],
  ])('privatePatternProblem(%j)', (pattern, words) => {
    const problem = privatePatternProblem(pattern);
    if (words === null) expect(problem).toBeNull();
    else expect(problem).toContain(words);
  });
});

describe('token planted in the remote URL', () => {
  const forms = [
    `https://x-access-token:${TOKEN}@github.com/acme/app.git`,
    `https://${TOKEN}@github.com/acme/app`,
    `https://gitlab-ci-token:${TOKEN}@gitlab.corp.example/grp/sub/proj.git`,
    `https://oauth2:${TOKEN}@gitlab.corp.example:8443/grp/proj`,
    `ssh://${TOKEN}@gitlab.corp.example:2222/grp/proj.git`,
    `${TOKEN}@git.corp.example:grp/proj.git`,
    `https://x-access-token:${TOKEN}@github.com`,
    `https://x-access-token:${TOKEN}@github.com:notaport/acme/app`,
    `https://x-access-token:${TOKEN}/github.com/acme/app`,
    `https://x-access-token:${TOKEN}@[::1]:8443/grp/proj`,
    `x-access-token:${TOKEN}@host.example`,
    `https://x-access-token:${TOKEN} @github.com/acme/app`,
    `https://x-access-token:${encodeURIComponent(`${TOKEN}/+`)}@github.com/acme/app`,
  ];

  it.each(forms)('no value, finding or reason contains it (%#)', (origin) => {
    for (const mode of ['auto', 'true', 'false'] as const) {
      for (const env of [{}, GITHUB_COM, gitlab('gitlab.corp.example', 'grp/proj', 'private')]) {
        const result = derivePrivatePatterns({
          mode,
          env,
          originUrl: origin,
          goMod: { modulePath: 'go.acme.dev/app', requirements: ['github.com/x/y'] },
        });
        const text = JSON.stringify(result);
        expect(text).not.toContain(TOKEN);
        expect(text).not.toContain(encodeURIComponent(TOKEN));
        expect(text).not.toContain(JOB_TOKEN);
      }
    }
  });
});

describe('derivePrivatePatterns properties', () => {
  const fragments = [
    'https://',
    'ssh://',
    'git@',
    '@',
    ':',
    '/',
    '[',
    ']',
    '::1',
    'github.com',
    'GitLab.Corp.Example',
    'acme',
    '.git',
    ':2222',
    '%2F',
    ' ',
    '?',
    '#',
  ];
  const around = fc
    .array(fc.constantFrom(...fragments), { maxLength: 8 })
    .map((parts) => parts.join(''));
  const secret = fc.stringMatching(/^[A-Za-z0-9_-]{8,24}$/).map((t) => `SeCrEt${t}`);

  it('never throws for any remote and never returns a planted token', () => {
    fc.assert(
      fc.property(
        around,
        secret,
        around,
        fc.constantFrom('auto', 'true', 'false'),
        (before, token, after, mode) => {
          for (const origin of [
            `${before}x-access-token:${token}@${after}`,
            `${before}https://${token}@${after}`,
          ]) {
            const result = derivePrivatePatterns({
              mode: mode as FromRemoteMode,
              env: GITHUB_COM,
              originUrl: origin,
            });
            expect(JSON.stringify(result)).not.toContain(token);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
