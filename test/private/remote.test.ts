import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type RemoteLocation,
  formatRemoteLocation,
  parseRemoteUrl,
  redactRemoteUrl,
} from '../../src/private/remote.js';

const TOKEN = 'glcbt-LeakCanary0123456789';

type Row = readonly [url: string, expected: RemoteLocation];

const PARSED: readonly Row[] = [
  [
    'https://github.com/acme/repo',
    { scheme: 'https', host: 'github.com', pathSegments: ['acme', 'repo'] },
  ],
  [
    'https://github.com/acme/repo.git',
    { scheme: 'https', host: 'github.com', pathSegments: ['acme', 'repo'] },
  ],
  [
    'https://github.com/acme/repo.git/',
    { scheme: 'https', host: 'github.com', pathSegments: ['acme', 'repo'] },
  ],
  [
    'https://github.com/acme/repo///',
    { scheme: 'https', host: 'github.com', pathSegments: ['acme', 'repo'] },
  ],
  [
    'HTTPS://GitHub.COM/Acme/Repo',
    { scheme: 'https', host: 'github.com', pathSegments: ['Acme', 'Repo'] },
  ],
  [
    `https://gitlab-ci-token:${TOKEN}@gitlab.corp.example/grp/sub/proj.git`,
    { scheme: 'https', host: 'gitlab.corp.example', pathSegments: ['grp', 'sub', 'proj'] },
  ],
  [
    `https://x-access-token:${TOKEN}@github.com/acme/repo`,
    { scheme: 'https', host: 'github.com', pathSegments: ['acme', 'repo'] },
  ],
  [
    `https://${TOKEN}@github.com/acme/repo`,
    { scheme: 'https', host: 'github.com', pathSegments: ['acme', 'repo'] },
  ],
  // WHATWG: the user info ends at the last '@', so an unencoded '@' in a token is still dropped.
  [
    `https://user:${TOKEN}@x@github.com/acme/repo`,
    { scheme: 'https', host: 'github.com', pathSegments: ['acme', 'repo'] },
  ],
  [
    'http://git.corp.example:8080/grp/repo',
    { scheme: 'http', host: 'git.corp.example', port: 8080, pathSegments: ['grp', 'repo'] },
  ],
  [
    'https://git.corp.example:443/grp/repo',
    { scheme: 'https', host: 'git.corp.example', pathSegments: ['grp', 'repo'] },
  ],
  [
    'https://git.corp.example:/grp/repo',
    { scheme: 'https', host: 'git.corp.example', pathSegments: ['grp', 'repo'] },
  ],
  [
    'git@github.com:acme/repo.git',
    { scheme: 'ssh', host: 'github.com', pathSegments: ['acme', 'repo'] },
  ],
  [
    'git@gitlab.com:grp/sub/sub2/repo.git',
    { scheme: 'ssh', host: 'gitlab.com', pathSegments: ['grp', 'sub', 'sub2', 'repo'] },
  ],
  ['github.com:acme/repo', { scheme: 'ssh', host: 'github.com', pathSegments: ['acme', 'repo'] }],
  [
    'git@GIT.Corp.Example:/srv/repo.git',
    { scheme: 'ssh', host: 'git.corp.example', pathSegments: ['srv', 'repo'] },
  ],
  [
    'git@git.sr.ht:~user/repo',
    { scheme: 'ssh', host: 'git.sr.ht', pathSegments: ['~user', 'repo'] },
  ],
  [
    'ssh://git@gitlab.corp.example:2222/grp/proj.git',
    { scheme: 'ssh', host: 'gitlab.corp.example', port: 2222, pathSegments: ['grp', 'proj'] },
  ],
  [
    'ssh://git@gitlab.corp.example:22/grp/proj.git',
    { scheme: 'ssh', host: 'gitlab.corp.example', pathSegments: ['grp', 'proj'] },
  ],
  [
    'git+ssh://git@host.example/grp/proj',
    { scheme: 'ssh', host: 'host.example', pathSegments: ['grp', 'proj'] },
  ],
  [
    'ssh+git://host.example/grp/proj',
    { scheme: 'ssh', host: 'host.example', pathSegments: ['grp', 'proj'] },
  ],
  [
    'git://git.corp.example/grp/proj.git',
    { scheme: 'git', host: 'git.corp.example', pathSegments: ['grp', 'proj'] },
  ],
  [
    'git://git.corp.example:9419/proj',
    { scheme: 'git', host: 'git.corp.example', port: 9419, pathSegments: ['proj'] },
  ],
  [
    'ssh://git@[::1]:2222/grp/proj.git',
    { scheme: 'ssh', host: '[::1]', port: 2222, pathSegments: ['grp', 'proj'] },
  ],
  [
    'https://[2001:DB8::1]/grp/proj',
    { scheme: 'https', host: '[2001:db8::1]', pathSegments: ['grp', 'proj'] },
  ],
  ['git@[::1]:grp/proj.git', { scheme: 'ssh', host: '[::1]', pathSegments: ['grp', 'proj'] }],
  [
    '[git@host.example:2222]:grp/proj.git',
    { scheme: 'ssh', host: 'host.example', port: 2222, pathSegments: ['grp', 'proj'] },
  ],
  [
    'https://gitlab.corp.example./grp/proj',
    { scheme: 'https', host: 'gitlab.corp.example', pathSegments: ['grp', 'proj'] },
  ],
  [
    'https://dev.azure.com/org/My%20Project/_git/repo',
    { scheme: 'https', host: 'dev.azure.com', pathSegments: ['org', 'My Project', '_git', 'repo'] },
  ],
  [
    '  https://github.com/acme/repo  ',
    { scheme: 'https', host: 'github.com', pathSegments: ['acme', 'repo'] },
  ],
  [
    'https://github.com/acme/repo.git.git',
    { scheme: 'https', host: 'github.com', pathSegments: ['acme', 'repo.git'] },
  ],
  [
    'https://github.com/acme/repo?x=1#frag',
    { scheme: 'https', host: 'github.com', pathSegments: ['acme', 'repo'] },
  ],
];

const REJECTED: readonly (readonly [url: string, reasonPart: string])[] = [
  ['', 'empty'],
  ['/srv/git/repo.git', 'local path'],
  ['./repo', 'local path'],
  ['../repo.git', 'local path'],
  ['~/src/repo', 'local path'],
  ['repo', 'local path'],
  ['C:\\src\\repo', 'local path'],
  ['C:/src/repo', 'local path'],
  ['\\\\server\\share\\repo', 'local path'],
  ['file:///srv/repo.git', 'local path'],
  ['FILE://host/srv/repo', 'local path'],
  ['ftp://host.example/repo', 'scheme'],
  ['codecommit::us-east-1://repo', 'remote helper'],
  ['https://github.com', 'no repository path'],
  ['https://github.com/', 'no repository path'],
  ['git@github.com:', 'no repository path'],
  ['https://github.com/acme/.git', 'bare ".git"'],
  ['https://ho st/acme/repo', 'whitespace'],
  ['https://host.example:99999/acme/repo', 'port'],
  ['https://host.example:abc/acme/repo', 'port'],
  ['https://[::1/acme/repo', 'unclosed'],
  ['https://[zz::1]/acme/repo', 'IPv6'],
  ['https://host..example/acme/repo', 'empty label'],
  ['https://hoſt.example/acme/repo', 'characters'],
  ['https://host.example/a/%zz', 'percent'],
  ['https://host.example/a/%2e%2e/b', '".."'],
  ['https://host.example/a%2Fb/c', '"/"'],
  ['https:/host.example/acme/repo', 'malformed'],
  ['git@host.example:a/b@c', '"@"'],
];

describe('parseRemoteUrl', () => {
  it.each(PARSED)('parses %s', (url, expected) => {
    expect(parseRemoteUrl(url)).toEqual({ ok: true, location: expected });
  });

  it.each(REJECTED)('rejects %j', (url, reasonPart) => {
    const result = parseRemoteUrl(url);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reasonPart);
  });

  it('never quotes the URL or its user info in a failure reason', () => {
    for (const url of [
      `https://x-access-token:${TOKEN}@github.com`,
      `https://x-access-token:${TOKEN}@host.example:notaport/acme/repo`,
      `https://x-access-token:${TOKEN}@`,
      `x-access-token:${TOKEN}@host.example`,
      `https://user:${TOKEN}/more@host.example/a`,
      `https://x-access-token:${TOKEN} @github.com/acme/repo`,
      `https://x:${TOKEN}\n@github.com/a/b`,
      `ftp://x:${TOKEN}@host.example/a`,
      `file://x:${TOKEN}@host/srv`,
      `https://${TOKEN}@host.example/a/${'%zz'}`,
    ]) {
      const result = parseRemoteUrl(url);
      expect(result.ok, url).toBe(false);
      expect(JSON.stringify(result)).not.toContain(TOKEN);
      expect(JSON.stringify(result)).not.toContain('x-access-token');
    }
  });

  it('keeps no credential in a parsed location', () => {
    for (const [url] of PARSED) {
      const text = JSON.stringify(parseRemoteUrl(url));
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain('x-access-token');
      expect(text).not.toContain('gitlab-ci-token');
    }
  });
});

describe('redactRemoteUrl', () => {
  it.each([
    [
      `https://gitlab-ci-token:${TOKEN}@gitlab.example/g/p.git`,
      'https://***@gitlab.example/g/p.git',
    ],
    [`https://${TOKEN}@github.com/acme/repo`, 'https://***@github.com/acme/repo'],
    ['git@github.com:acme/repo.git', '***@github.com:acme/repo.git'],
    [`https://user:${TOKEN}/more@host.example/a`, 'https://***@host.example/a'],
    [`https://host.example/a?private_token=${TOKEN}`, 'https://host.example/a?***'],
    [
      `https://x-access-token:${TOKEN}/github.com/acme`,
      'https://x-access-token:***/github.com/acme',
    ],
    ['https://host.example:8443/a', 'https://host.example:8443/a'],
    ['https://[::1]:8443/a', 'https://[::1]:8443/a'],
    ['/srv/git/repo', '/srv/git/repo'],
    [`https://x:${TOKEN}\n@github.com/a/b`, 'https://***@github.com/a/b'],
  ])('%j → %s', (url, shown) => {
    expect(redactRemoteUrl(url)).toBe(shown);
  });

  it('shortens long values', () => {
    expect(redactRemoteUrl(`https://host.example/${'a'.repeat(500)}`)).toHaveLength(120);
  });
});

describe('formatRemoteLocation', () => {
  it.each(PARSED)('round-trips %s', (url) => {
    const first = parseRemoteUrl(url);
    if (!first.ok) throw new Error('table row must parse');
    expect(parseRemoteUrl(formatRemoteLocation(first.location))).toEqual(first);
  });

  it('writes scp-like remotes as ssh URLs with a .git suffix', () => {
    const parsed = parseRemoteUrl('git@github.com:acme/repo.git');
    if (!parsed.ok) throw new Error('must parse');
    expect(formatRemoteLocation(parsed.location)).toBe('ssh://github.com/acme/repo.git');
  });
});

// ---------------------------------------------------------------------------------------------
// Property-based

const FRAGMENTS = [
  'https://',
  'http://',
  'ssh://',
  'git://',
  'git+ssh://',
  'file://',
  'HTTPS://',
  '://',
  ':',
  '::',
  '@',
  '/',
  '//',
  '[',
  ']',
  '::1',
  'git@',
  'user:pw@',
  'github.com',
  'GitHub.COM',
  'host.example',
  'h',
  '.',
  '..',
  '.git',
  '~u',
  ':22',
  ':2222',
  ':0',
  ':99999',
  '%',
  '%2F',
  '%41',
  '%zz',
  '?',
  '#',
  '\\',
  ' ',
  '\n',
  'C:',
  'é',
  '\u{1F600}',
  '-',
  '_',
];

const remoteLike = fc
  .array(fc.constantFrom(...FRAGMENTS), { maxLength: 12 })
  .map((parts) => parts.join(''));
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ maxLength: 80 }),
  remoteLike,
);

const token = fc.stringMatching(/^[A-Za-z0-9_-]{6,24}$/).map((t) => `SeCrEt${t}`);
const hostName = fc
  .array(fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9-]{0,10}$/), { minLength: 1, maxLength: 4 })
  .map((labels) => labels.join('.'));
const host = fc.oneof(hostName, fc.constantFrom('[::1]', '[2001:db8::42]', '[fe80::1:2]'));
const segment = fc
  .stringMatching(/^[A-Za-z0-9._~-]{1,12}$/)
  .filter((s) => s !== '.' && s !== '..' && s !== '.git');
const structuredRemote = fc
  .record({
    form: fc.constantFrom('https', 'http', 'ssh', 'git', 'git+ssh', 'scp'),
    user: fc.option(
      fc.oneof(
        token,
        token.map((t) => `x-access-token:${t}`),
        token.map((t) => `gitlab-ci-token:${t}`),
      ),
      { nil: undefined },
    ),
    host,
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    segments: fc.array(segment, { minLength: 1, maxLength: 5 }),
    suffix: fc.constantFrom('', '.git', '/', '.git/', '//'),
  })
  .map(({ form, user, host, port, segments, suffix }) => {
    const userinfo = user === undefined ? '' : `${user}@`;
    const secret = user?.slice(user.indexOf('SeCrEt'));
    if (form === 'scp') return { url: `${userinfo}${host}:${segments.join('/')}${suffix}`, secret };
    const portText = port === undefined ? '' : `:${port}`;
    return {
      url: `${form}://${userinfo}${host}${portText}/${segments.join('/')}${suffix}`,
      secret,
    };
  });

function roundTrips(url: string): void {
  const first = parseRemoteUrl(url);
  if (!first.ok) {
    expect(typeof first.reason).toBe('string');
    return;
  }
  const formatted = formatRemoteLocation(first.location);
  expect(parseRemoteUrl(formatted)).toEqual(first);
}

describe('parseRemoteUrl properties', () => {
  it('never throws on any text, and what it parses round-trips through formatRemoteLocation', () => {
    fc.assert(
      fc.property(anyText, (url) => {
        roundTrips(url);
        expect(() => redactRemoteUrl(url)).not.toThrow();
      }),
      { numRuns: 3000 },
    );
  });

  it('parses every well-formed remote, drops its user info and round-trips', () => {
    fc.assert(
      fc.property(structuredRemote, ({ url, secret }) => {
        const result = parseRemoteUrl(url);
        expect(result.ok).toBe(true);
        roundTrips(url);
        if (secret !== undefined) {
          expect(JSON.stringify(result)).not.toContain(secret);
          expect(redactRemoteUrl(url)).not.toContain(secret);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never leaks planted user info, whatever surrounds it', () => {
    fc.assert(
      fc.property(remoteLike, token, remoteLike, (before, secret, after) => {
        const url = `${before}https://x-access-token:${secret}@${after}`;
        const result = parseRemoteUrl(url);
        expect(JSON.stringify(result)).not.toContain(secret);
        expect(redactRemoteUrl(url)).not.toContain(secret);
      }),
      { numRuns: 2000 },
    );
  });
});
