/**
 * proxyForUrl against Go's own net/http.ProxyFromEnvironment: a tiny Go program is built once and
 * asked, per environment, which proxy each URL gets. Hand-written expectations (Go's httpproxy
 * test table) run too, so the rules are covered where no Go toolchain exists.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyEnvironment, proxyForUrl } from '../../src/net/proxy-env.js';

const NO_PROXY =
  'foobar.com, .barbaz.net, *.wildcard.io, 192.168.1.1, 192.168.1.2:81, 192.168.1.3:80, 10.0.0.0/30, 2001:db8::52:0:1, [2001:db8::52:0:2]:443, [2001:db8::52:0:3]:80, 2002:db8:a::45/64';

// golang.org/x/net/http/httpproxy proxy_test.go UseProxyTests (request scheme http).
const USE_PROXY: [string, boolean][] = [
  ['localhost', false],
  ['127.0.0.1', false],
  ['127.0.0.2', false],
  ['[::1]', false],
  ['[::2]', true],
  ['192.168.1.1', false],
  ['192.168.1.2', true],
  ['192.168.1.3', false],
  ['192.168.1.4', true],
  ['10.0.0.2', false],
  ['[2001:db8::52:0:1]', false],
  ['[2001:db8::52:0:2]', true],
  ['[2001:db8::52:0:3]', false],
  ['[2002:db8:a::123]', false],
  ['[fe80::424b:c8be:1643:a1b6]', true],
  ['barbaz.net', true],
  ['www.barbaz.net', false],
  ['foobar.com', false],
  ['www.foobar.com', false],
  ['foofoobar.com', true],
  ['baz.com', true],
  ['localhost.net', true],
  ['local.localhost', true],
  ['barbarbaz.net', true],
  ['wildcard.io', true],
  ['nested.wildcard.io', false],
  ['awildcard.io', true],
];

function decide(env: Record<string, string>, url: string): string {
  const d = proxyForUrl(proxyEnvironment(env), new URL(url));
  if (d.kind === 'direct') return '<nil>';
  if (d.kind === 'refused') return `error: ${d.message}`;
  return d.proxy.href.replace(/\/$/, '');
}

describe('Go httpproxy rules (hand-written table)', () => {
  it.each(USE_PROXY)('http://%s → proxied %s', (host, proxied) => {
    expect(
      decide({ HTTP_PROXY: 'http://proxy.example.com', NO_PROXY }, `http://${host}/`) !== '<nil>',
    ).toBe(proxied);
  });

  it('scheme selects the variable; upper case wins over lower case; bare host:port gets http://', () => {
    const env = { HTTP_PROXY: 'http.proxy.tld', https_proxy: 'secure.proxy.tld', HTTPS_PROXY: '' };
    expect(decide(env, 'https://secure.tld/')).toBe('http://secure.proxy.tld');
    expect(decide(env, 'http://insecure.tld/')).toBe('http://http.proxy.tld');
    expect(
      decide({ HTTPS_PROXY: 'https://upper:1', https_proxy: 'http://lower:2' }, 'https://x.tld/'),
    ).toBe('https://upper:1');
    expect(decide({ HTTP_PROXY: 'cache.corp.example.com:1234' }, 'http://x.tld/')).toBe(
      'http://cache.corp.example.com:1234',
    );
  });

  it('refuses HTTP_PROXY in a CGI environment', () => {
    expect(decide({ HTTP_PROXY: 'http://p', REQUEST_METHOD: 'GET' }, 'http://x.tld/')).toMatch(
      /^error: refusing to use HTTP_PROXY/,
    );
  });

  it('NO_PROXY=* disables the proxy; ports in NO_PROXY must match the effective port', () => {
    expect(decide({ HTTPS_PROXY: 'http://p', NO_PROXY: '*' }, 'https://x.tld/')).toBe('<nil>');
    expect(decide({ HTTPS_PROXY: 'http://p', no_proxy: 'x.tld:443' }, 'https://x.tld/')).toBe(
      '<nil>',
    );
    expect(decide({ HTTPS_PROXY: 'http://p', no_proxy: 'x.tld:8443' }, 'https://x.tld/')).toBe(
      'http://p',
    );
  });
});

// --- the oracle: Go's net/http ---------------------------------------------------------------

const GO_PROGRAM = `package main

import (
	"fmt"
	"net/http"
	"os"
)

func main() {
	for _, u := range os.Args[1:] {
		req, err := http.NewRequest("GET", u, nil)
		if err != nil {
			fmt.Println("bad request")
			continue
		}
		p, err := http.ProxyFromEnvironment(req)
		switch {
		case err != nil:
			fmt.Println("error: " + err.Error())
		case p == nil:
			fmt.Println("<nil>")
		default:
			fmt.Println(p.String())
		}
	}
}
`;

const hasGo = spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
let dir = '';
let binary = '';

beforeAll(() => {
  if (!hasGo) return;
  dir = mkdtempSync(join(tmpdir(), 'gps-proxyenv-'));
  writeFileSync(join(dir, 'main.go'), GO_PROGRAM);
  writeFileSync(join(dir, 'go.mod'), 'module proxyenv\n\ngo 1.19\n');
  binary = join(dir, 'proxyenv');
  execFileSync('go', ['build', '-o', binary, '.'], {
    cwd: dir,
    env: { ...process.env, GOFLAGS: '-mod=mod', GOPROXY: 'off', GOTOOLCHAIN: 'local' },
    stdio: 'pipe',
  });
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ENVIRONMENTS: Record<string, string>[] = [
  { HTTP_PROXY: 'http://proxy.example.com', NO_PROXY },
  { HTTPS_PROXY: 'http://proxy.example.com:3128', NO_PROXY },
  { HTTPS_PROXY: 'proxy.example.com:3128', no_proxy: '.corp.example, goproxy.cn:443' },
  { https_proxy: 'https://user:pw@proxy.example.com', NO_PROXY: '*.golang.org' },
  {
    HTTP_PROXY: 'http://p.example',
    HTTPS_PROXY: 'socks5://127.0.0.1:1080',
    NO_PROXY: '10.0.0.0/8,[::1]',
  },
  { HTTPS_PROXY: 'http://p.example', NO_PROXY: '*' },
  { HTTP_PROXY: 'http://p.example', REQUEST_METHOD: 'GET' },
  { HTTPS_PROXY: 'http://p.example', NO_PROXY: ' , ,:1, sum.golang.org:443' },
];

const URLS = [
  'https://proxy.golang.org/golang.org/x/text/@v/list',
  'https://sum.golang.org/lookup/x@v1.0.0',
  'https://goproxy.cn/',
  'https://goproxy.cn:8443/',
  'https://mirrors.aliyun.com/goproxy/',
  'http://athens.corp.example:3000/x',
  'https://corp.example/x',
  'https://a.corp.example/x',
  'http://10.1.2.3/x',
  'https://10.1.2.3/x',
  'https://127.0.0.1:8443/x',
  'http://localhost:3000/x',
  'https://[::1]:443/x',
  'https://[2001:db8::52:0:2]/x',
  'http://192.168.1.3/x',
  'http://192.168.1.3:81/x',
  'https://www.foobar.com/',
  'https://nested.wildcard.io/',
];

describe.skipIf(!hasGo)('agrees with Go net/http.ProxyFromEnvironment', () => {
  it.each(ENVIRONMENTS.map((env) => [JSON.stringify(env), env] as const))('%s', (_name, env) => {
    const goEnv: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ...env,
    };
    const out = execFileSync(binary, URLS, { env: goEnv, encoding: 'utf8' }).trimEnd().split('\n');
    const ours = URLS.map((u) => decide(env, u));
    expect(ours).toEqual(out.map((line) => line.replace(/\/$/, '')));
  });
});
