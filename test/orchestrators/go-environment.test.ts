/**
 * What we learn from the local Go installation without asking it to do anything risky:
 * - the effective Go settings (OS environment over the go env file), checked against what the
 *   real go command reports with `go env -json`;
 * - the Go version, with `go version` (`go env GOVERSION` is unknown before Go 1.16).
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GO_ENV_FILE_VARIABLES,
  overlayGoEnvFile,
  readEffectiveGoEnv,
} from '../../src/goenv/effective-env.js';
import { detectGoVersion } from '../../src/orchestrators/configure.js';
import { runGo } from '../simulator/index.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gps-go-environment-'));
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('the effective Go environment', () => {
  it('OS value when non-empty, else the file value; empty file values count as unset', () => {
    const file = new Map([
      ['GOPRIVATE', 'git.corp.example'],
      ['GOPROXY', 'https://file.example,direct'],
      ['GONOSUMDB', ''],
      ['GOPATH', '/from/file'],
    ]);
    const { env, fromFile } = overlayGoEnvFile(
      { GOPROXY: 'https://os.example', GOPRIVATE: '', HOME: '/h' },
      file,
    );
    expect(env.GOPROXY).toBe('https://os.example');
    expect(env.GOPRIVATE).toBe('git.corp.example');
    expect(env.GONOSUMDB).toBeUndefined();
    // Only the module-routing variables are taken (the cache phases read GOPATH themselves).
    expect(env.GOPATH).toBeUndefined();
    expect(env.HOME).toBe('/h');
    expect(fromFile).toEqual(['GOPRIVATE']);
  });

  it('reads $GOENV, or the user config dir; GOENV=off and a missing file change nothing', async () => {
    const file = join(root, 'custom-env');
    await writeFile(file, 'GOPRIVATE=a.example\n');
    expect((await readEffectiveGoEnv({ GOENV: file }, 'linux')).env.GOPRIVATE).toBe('a.example');
    const xdg = join(root, 'xdg');
    await mkdir(join(xdg, 'go'), { recursive: true });
    await writeFile(join(xdg, 'go', 'env'), 'GONOPROXY=b.example\n');
    const read = await readEffectiveGoEnv({ XDG_CONFIG_HOME: xdg, HOME: '/nowhere' }, 'linux');
    expect(read).toMatchObject({ file: join(xdg, 'go', 'env'), fromFile: ['GONOPROXY'] });
    expect(read.env.GONOPROXY).toBe('b.example');
    expect((await readEffectiveGoEnv({ GOENV: 'off', XDG_CONFIG_HOME: xdg }, 'linux')).env).toEqual(
      { GOENV: 'off', XDG_CONFIG_HOME: xdg },
    );
    expect(
      (await readEffectiveGoEnv({ GOENV: join(root, 'absent'), GOPROXY: 'x.example' }, 'linux')).env
        .GOPROXY,
    ).toBe('x.example');
  });

  it('agrees with `go env -json` of the real go command', async () => {
    const home = join(root, 'home');
    await mkdir(join(home, '.config', 'go'), { recursive: true });
    await writeFile(
      join(home, '.config', 'go', 'env'),
      [
        '# written by hand',
        'GOPRIVATE=git.corp.example',
        'GONOPROXY=from-file.example',
        'GONOSUMDB=shadowed.example',
        'GOPROXY=https://file.example|direct',
        'GOINSECURE=x=y',
        'GOFLAGS=-mod=mod',
        '',
      ].join('\n'),
    );
    const osEnv: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      GOTOOLCHAIN: 'local',
      // Empty: unset for Go, the file applies.
      GONOPROXY: '',
      // Non-empty: wins over the file.
      GONOSUMDB: 'os.example',
      GOSUMDB: 'sum.golang.google.cn',
    };
    const ours = await readEffectiveGoEnv(osEnv, 'linux');
    const go = await runGo(['env', '-json', ...GO_ENV_FILE_VARIABLES], {
      cwd: root,
      env: osEnv,
    });
    expect(go.code, go.stderr).toBe(0);
    const fromGo = JSON.parse(go.stdout) as Record<string, string>;
    for (const name of GO_ENV_FILE_VARIABLES) {
      expect(ours.env[name], name).toBe(fromGo[name]);
    }
  });
});

describe('detectGoVersion', () => {
  /** A `go` that behaves like Go 1.14: no GOVERSION variable. */
  async function fakeGo(name: string, script: string): Promise<string> {
    const file = join(root, name);
    await writeFile(file, `#!/bin/sh\n${script}\n`);
    await chmod(file, 0o755);
    return file;
  }

  it('Go 1.14 (no `go env GOVERSION`): the version comes from `go version`', async () => {
    const go = await fakeGo(
      'go114',
      [
        'case "$1" in',
        '  version) echo "go version go1.14.15 linux/amd64" ;;',
        '  env) echo "" ;;',
        'esac',
      ].join('\n'),
    );
    expect(await detectGoVersion({ PATH: '/usr/bin:/bin' }, { command: go })).toBe('go1.14.15');
  });

  it('a devel build, an unparsable answer, a failing and a hanging go', async () => {
    const devel = await fakeGo(
      'godevel',
      'echo "go version devel go1.23-abcdef Tue Jan 1 00:00:00 2024 +0000 linux/amd64"',
    );
    expect(await detectGoVersion({}, { command: devel })).toBe('devel go1.23-abcdef');
    const garbage = await fakeGo('gogarbage', 'echo "hello"');
    expect(await detectGoVersion({}, { command: garbage })).toBeNull();
    const failing = await fakeGo('gofail', 'exit 2');
    expect(await detectGoVersion({}, { command: failing })).toBeNull();
    const hanging = await fakeGo('gohang', 'exec sleep 30');
    const started = performance.now();
    expect(await detectGoVersion({}, { command: hanging, timeoutMs: 300 })).toBeNull();
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('GOTOOLCHAIN=local and an empty GOFLAGS are passed', async () => {
    const echo = await fakeGo('goenvcheck', 'echo "go version go1.21.0 $GOTOOLCHAIN[$GOFLAGS]"');
    expect(
      await detectGoVersion({ GOTOOLCHAIN: 'auto', GOFLAGS: '-bogus' }, { command: echo }),
    ).toBe('go1.21.0');
    const strict = await fakeGo(
      'gostrict',
      '[ "$GOTOOLCHAIN" = local ] && [ -z "$GOFLAGS" ] && echo "go version go1.22.1 linux/amd64"',
    );
    expect(await detectGoVersion({ GOFLAGS: '-bogus' }, { command: strict })).toBe('go1.22.1');
  });

  it('the real go command', async () => {
    expect(await detectGoVersion(process.env)).toMatch(/^go1\.\d+/);
  });
});
