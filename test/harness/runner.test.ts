/**
 * The runner-like harness itself, exercised with a tiny fake action bundle that speaks the
 * runner's file-command protocol by hand (no @actions/core), so these tests do not depend on
 * dist/ being built.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  type RunnerDirs,
  createRunnerDirs,
  failingStep,
  inputVariable,
  parseFileCommand,
  parseWorkflowCommands,
  readActionMetadata,
  removeRunnerDirs,
  runActionJob,
} from './runner.js';

describe('parsers', () => {
  it('reads key=value lines and key<<DELIM heredocs', () => {
    const text =
      'PLAIN=a=b\nmulti<<ghadelimiter_1\nline 1\nline 2\nghadelimiter_1\nempty<<EOF\n\nEOF\n';
    expect(Object.fromEntries(parseFileCommand(text))).toEqual({
      PLAIN: 'a=b',
      multi: 'line 1\nline 2',
      empty: '',
    });
  });

  it('refuses an unterminated heredoc', () => {
    expect(() => parseFileCommand('x<<EOF\nvalue\n')).toThrow('no closing delimiter');
  });

  it('reads workflow commands with properties, unescaping both', () => {
    const stdout = [
      'plain log line',
      '::warning title=Mirror%3A slow%2C really::first%0Asecond 100%25',
      '::notice::decision',
      '::error file=a.go,line=3::broken',
      '::debug::hidden',
    ].join('\n');
    expect(parseWorkflowCommands(stdout)).toEqual([
      {
        command: 'warning',
        properties: { title: 'Mirror: slow, really' },
        message: 'first\nsecond 100%',
      },
      { command: 'notice', properties: {}, message: 'decision' },
      { command: 'error', properties: { file: 'a.go', line: '3' }, message: 'broken' },
      { command: 'debug', properties: {}, message: 'hidden' },
    ]);
  });

  it.each([
    ['max-mirrors', 'INPUT_MAX-MIRRORS'],
    ['cache-dependency-path', 'INPUT_CACHE-DEPENDENCY-PATH'],
    ['my input', 'INPUT_MY_INPUT'],
  ])('names input %s as %s', (name, variable) => {
    expect(inputVariable(name)).toBe(variable);
  });

  it("reads this repository's action.yml like the runner", () => {
    const metadata = readActionMetadata(REPO_ROOT);
    expect(metadata.main).toBe('dist/main/index.js');
    expect(metadata.post).toBe('dist/post/index.js');
    expect(metadata.postIf).toBe('success()');
    expect(metadata.inputs.get('cache')).toBe('true');
    expect(metadata.inputs.get('max-mirrors')).toBe('2');
  });
});

const FAKE_MAIN = `
import { appendFileSync } from 'node:fs';
const eol = '\\n';
const put = (file, name, value) => appendFileSync(process.env[file], name + '<<ghadelimiter_x' + eol + value + eol + 'ghadelimiter_x' + eol);
put('GITHUB_OUTPUT', 'mirrors', process.env['INPUT_MAX-MIRRORS']);
put('GITHUB_OUTPUT', 'multi', 'a\\nb');
put('GITHUB_OUTPUT', 'cache', process.env.INPUT_CACHE);
put('GITHUB_ENV', 'GOPROXY', 'https://mirror.example,direct');
put('GITHUB_STATE', 'go-proxy-setup-post', JSON.stringify({ from: 'main', token: process.env.ACTIONS_RUNTIME_TOKEN }));
appendFileSync(process.env.GITHUB_PATH, '/opt/fake-tool/bin' + eol);
appendFileSync(process.env.GITHUB_STEP_SUMMARY, '## main summary' + eol);
console.log('::warning title=Fake%3A main::a warning from main');
console.log('workspace=' + process.cwd());
`;

const FAKE_POST = `
import { appendFileSync } from 'node:fs';
const state = JSON.parse(process.env['STATE_go-proxy-setup-post']);
console.log('::notice::post saw ' + state.from + ' and GOPROXY=' + process.env.GOPROXY);
appendFileSync(process.env.GITHUB_STEP_SUMMARY, '## post summary\\n');
if (process.env.INPUT_HANG === 'true') setInterval(() => {}, 1000);
`;

describe('runActionJob with a fake bundle', () => {
  let dirs: RunnerDirs;
  let actionDir: string;

  beforeAll(async () => {
    dirs = await createRunnerDirs('harness');
    actionDir = join(dirs.root, 'action');
    await mkdir(join(actionDir, 'dist', 'main'), { recursive: true });
    await mkdir(join(actionDir, 'dist', 'post'), { recursive: true });
    await writeFile(join(actionDir, 'dist', 'main', 'index.mjs'), FAKE_MAIN);
    await writeFile(join(actionDir, 'dist', 'post', 'index.mjs'), FAKE_POST);
    await writeFile(
      join(actionDir, 'action.yml'),
      [
        'name: fake',
        'inputs:',
        '  max-mirrors:',
        "    default: '2'",
        '  cache:',
        "    default: 'true'",
        '  token:',
        '    default: ${{ github.token }}',
        '  hang:',
        "    default: 'false'",
        'runs:',
        '  using: node24',
        '  main: dist/main/index.mjs',
        '  post: dist/post/index.mjs',
        '  post-if: success()',
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await removeRunnerDirs(dirs);
  });

  it('runs main, steps and post as separate processes with the file commands', async () => {
    const job = await runActionJob({
      dirs,
      actionDir,
      inputs: { 'max-mirrors': '3' },
      cacheService: { ACTIONS_RUNTIME_TOKEN: 'tok' },
      steps: [
        {
          name: 'sees the exported env and PATH',
          command: 'sh',
          args: ['-c', 'echo "proxy=$GOPROXY path=${PATH%%:*}"'],
        },
      ],
    });
    expect(job.success).toBe(true);
    expect(job.main.exitCode).toBe(0);
    expect(job.outputs).toEqual({ mirrors: '3', multi: 'a\nb', cache: 'true' });
    expect(job.env).toEqual({ GOPROXY: 'https://mirror.example,direct' });
    expect(job.state).toEqual({
      'go-proxy-setup-post': JSON.stringify({ from: 'main', token: 'tok' }),
    });
    expect(job.path).toEqual(['/opt/fake-tool/bin']);
    expect(job.main.stdout).toContain(`workspace=${dirs.workspace}`);
    expect(job.steps[0]?.stdout.trim()).toBe(
      'proxy=https://mirror.example,direct path=/opt/fake-tool/bin',
    );
    expect(job.post?.outcome).toBe('success');
    expect(job.summary).toBe('## main summary\n## post summary\n');
    expect(job.annotations).toEqual([
      {
        level: 'warning',
        message: 'a warning from main',
        title: 'Fake: main',
        properties: { title: 'Fake: main' },
        step: 'main',
      },
      {
        level: 'notice',
        message: 'post saw main and GOPROXY=https://mirror.example,direct',
        properties: {},
        step: 'post',
      },
    ]);
  });

  it('skips later steps and a post-if: success() post step after a failure', async () => {
    const job = await runActionJob({
      dirs,
      actionDir,
      steps: [failingStep(), { name: 'never runs', command: 'true', args: [] }],
    });
    expect(job.success).toBe(false);
    expect(job.steps.map((s) => s.outcome)).toEqual(['failure', 'skipped']);
    expect(job.post).toBeNull();
  });

  it('runs a post-if: always() post step after a failure', async () => {
    const job = await runActionJob({ dirs, actionDir, postIf: 'always()', steps: [failingStep()] });
    expect(job.post?.outcome).toBe('success');
  });

  it('kills a post step that does not exit and reports it', async () => {
    const job = await runActionJob({ dirs, actionDir, inputs: { hang: 'true' }, timeoutMs: 3_000 });
    expect(job.post).toMatchObject({ timedOut: true, outcome: 'failure', signal: 'SIGKILL' });
    expect(job.success).toBe(false);
  });

  it('gives an expression default the empty string, like an unset token', async () => {
    const metadata = readActionMetadata(actionDir);
    expect(metadata.inputs.get('token')).toBe('');
  });
});
