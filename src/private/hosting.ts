/**
 * What we know about public hosting sites: shared hosts where one owner's private repositories sit
 * next to everyone else's public ones, so a private pattern must stop at `host/owner`. Any host not
 * listed here is treated as an organisation's own server (GitHub Enterprise Server, self-managed
 * GitLab, Gitea…), where the whole host is the private scope.
 */
import type { RemoteLocation } from './remote.js';

export type HostingKind =
  | 'github'
  | 'gitlab'
  | 'bitbucket'
  | 'gitea'
  | 'gitee'
  | 'sourcehut'
  | 'azure-devops';

export interface PublicHostingSite {
  readonly host: string;
  readonly kind: HostingKind;
  /** What the first path element names there, for messages. */
  readonly ownerTerm: string;
}

export const PUBLIC_HOSTING_SITES: readonly PublicHostingSite[] = [
  { host: 'github.com', kind: 'github', ownerTerm: 'owner' },
  { host: 'gitlab.com', kind: 'gitlab', ownerTerm: 'top-level group' },
  { host: 'bitbucket.org', kind: 'bitbucket', ownerTerm: 'workspace' },
  { host: 'codeberg.org', kind: 'gitea', ownerTerm: 'owner' },
  { host: 'gitea.com', kind: 'gitea', ownerTerm: 'owner' },
  { host: 'gitee.com', kind: 'gitee', ownerTerm: 'owner' },
  { host: 'framagit.org', kind: 'gitlab', ownerTerm: 'top-level group' },
  { host: 'git.sr.ht', kind: 'sourcehut', ownerTerm: '~user' },
  { host: 'hg.sr.ht', kind: 'sourcehut', ownerTerm: '~user' },
  { host: 'dev.azure.com', kind: 'azure-devops', ownerTerm: 'organization' },
];

/**
 * Module path hosts that serve only public modules. A private pattern matching a module here
 * drags it off the proxy for nothing.
 */
export const PUBLIC_MODULE_HOSTS: readonly string[] = [
  'golang.org',
  'google.golang.org',
  'gopkg.in',
  'go.uber.org',
  'k8s.io',
  'sigs.k8s.io',
  'cloud.google.com',
  'go.opentelemetry.io',
  'go.opencensus.io',
  'go.etcd.io',
  'go.mongodb.org',
  'gotest.tools',
  'honnef.co',
  'mvdan.cc',
  'rsc.io',
  'filippo.io',
  'modernc.org',
  'gonum.org',
  'gocloud.dev',
  'gorm.io',
  'dario.cat',
];

/** Module paths that are public for certain, used to test whether a pattern reaches them. */
export const PUBLIC_MODULE_SAMPLES: readonly string[] = [
  'golang.org/x/text',
  'google.golang.org/protobuf',
  'gopkg.in/yaml.v3',
  'go.uber.org/zap',
  'k8s.io/api',
];

/** SSH endpoints that are another name for a public hosting site. */
const SSH_ALIASES: Readonly<Record<string, string>> = {
  'ssh.github.com': 'github.com',
  'altssh.gitlab.com': 'gitlab.com',
  'altssh.bitbucket.org': 'bitbucket.org',
};

export function publicHostingSite(host: string): PublicHostingSite | undefined {
  const lower = host.toLowerCase();
  return PUBLIC_HOSTING_SITES.find((site) => site.host === lower);
}

export function isPublicModuleHost(host: string): boolean {
  return PUBLIC_MODULE_HOSTS.includes(host.toLowerCase());
}

export interface CanonicalRepository {
  /** Host as it appears in module paths. */
  readonly host: string;
  /** Path as it appears after the host in module paths (owner first). */
  readonly pathSegments: readonly string[];
  /** Why the host or path differs from the remote's, when it does. */
  readonly note?: string;
}

/**
 * Maps a remote's location to the host and path that module paths use: SSH endpoints of hosting
 * sites (`ssh.github.com`, `altssh.gitlab.com`), Azure DevOps's `v3/org/…` SSH paths, and the
 * `~/.ssh/config` habit of host aliases such as `github.com-work`.
 */
export function canonicalRepository(location: RemoteLocation): CanonicalRepository {
  const { host, pathSegments } = location;
  const alias = SSH_ALIASES[host];
  if (alias) return { host: alias, pathSegments, note: `${host} is the SSH endpoint of ${alias}` };
  if (host === 'ssh.dev.azure.com' && pathSegments[0] === 'v3') {
    return {
      host: 'dev.azure.com',
      pathSegments: pathSegments.slice(1),
      note: `${host} is the SSH endpoint of dev.azure.com`,
    };
  }
  if (host === 'vs-ssh.visualstudio.com' && pathSegments[0] === 'v3' && pathSegments[1]) {
    const org = pathSegments[1].toLowerCase();
    return {
      host: `${org}.visualstudio.com`,
      pathSegments: pathSegments.slice(2),
      note: `${host} is the SSH endpoint of ${org}.visualstudio.com`,
    };
  }
  const aliased = PUBLIC_HOSTING_SITES.find(
    (site) => host.startsWith(site.host) && /^[-_][a-z0-9]/.test(host.slice(site.host.length)),
  );
  if (aliased) {
    return {
      host: aliased.host,
      pathSegments,
      note: `${host} looks like an ~/.ssh/config alias of ${aliased.host}`,
    };
  }
  return { host, pathSegments };
}
