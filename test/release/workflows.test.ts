// The repository's own workflows and action.yml, checked by the tools that can run here: the
// GitHub workflow/action JSON schemas (@action-validator/core) plus the supply-chain rules the
// schemas cannot express (SHA pins, least-privilege permissions, credentials not left behind).
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';

interface ValidationState {
  errors: readonly unknown[];
}
interface ActionValidator {
  validateAction(src: string): ValidationState;
  validateWorkflow(src: string): ValidationState;
}

// The package is CommonJS wasm-bindgen output; require() keeps its synchronous wasm loading.
const validator = createRequire(import.meta.url)('@action-validator/core') as ActionValidator;

const root = join(import.meta.dirname, '..', '..');
const workflowsDir = join(root, '.github', 'workflows');
const workflowFiles = readdirSync(workflowsDir)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort();

type Permissions = string | Record<string, string> | undefined;
interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly id?: string;
  readonly with?: Record<string, unknown>;
}
interface Job {
  readonly permissions?: Permissions;
  readonly needs?: string | readonly string[];
  readonly if?: string;
  readonly uses?: string;
  readonly steps?: readonly Step[];
  readonly strategy?: { readonly matrix?: Record<string, unknown> };
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions?: Permissions;
  readonly concurrency?: { readonly group: string; readonly 'cancel-in-progress': boolean };
  readonly jobs: Record<string, Job>;
}

function readWorkflow(name: string): { source: string; workflow: Workflow } {
  const source = readFileSync(join(workflowsDir, name), 'utf8');
  return { source, workflow: parse(source) as Workflow };
}

function describeErrors(state: ValidationState): string {
  return JSON.stringify(state.errors, null, 2);
}

function allSteps(workflow: Workflow): { job: string; step: Step }[] {
  return Object.entries(workflow.jobs).flatMap(([job, spec]) =>
    (spec.steps ?? []).map((step) => ({ job, step })),
  );
}

function allRuns(job: Job): string {
  return (job.steps ?? []).map((step) => step.run ?? '').join('\n');
}

/** `uses:` values as written in the file, with the comment that follows them. */
function usesLines(source: string): { value: string; comment: string; line: number }[] {
  const found: { value: string; comment: string; line: number }[] = [];
  source.split('\n').forEach((text, index) => {
    const match = /^\s*(?:-\s+)?uses:\s*(['"]?)([^\s'"#]+)\1\s*(#.*)?$/.exec(text);
    if (match) found.push({ value: match[2]!, comment: match[3] ?? '', line: index + 1 });
  });
  return found;
}

const PINNED = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(?:\/[^@\s]+)?@[0-9a-f]{40}$/;
const VERSION_COMMENT = /^# v\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.-]+)?$/;

/** Job-level permissions granting `write`, as `job: scope` strings. */
function writeGrants(workflow: Workflow): string[] {
  return Object.entries(workflow.jobs).flatMap(([job, spec]) => {
    const permissions = spec.permissions;
    if (permissions === undefined || typeof permissions === 'string') return [];
    return Object.entries(permissions)
      .filter(([, level]) => level === 'write')
      .map(([scope]) => `${job}: ${scope}`);
  });
}

describe('workflow files', () => {
  it('has the CI, e2e and release workflows', () => {
    expect(workflowFiles).toEqual(expect.arrayContaining(['ci.yml', 'e2e.yml', 'release.yml']));
  });

  it.each(workflowFiles)('%s is valid against the GitHub workflow schema', (name) => {
    const state = validator.validateWorkflow(readWorkflow(name).source);
    expect(state.errors, describeErrors(state)).toEqual([]);
  });

  it('the validator really rejects a broken workflow (the check can fail)', () => {
    const broken =
      'on: push\njobs:\n  a:\n    runs-onn: ubuntu-latest\n    steps:\n      - run: echo\n';
    expect(validator.validateWorkflow(broken).errors.length).toBeGreaterThan(0);
  });

  it.each(workflowFiles)(
    '%s pins every action to a full commit SHA with its version in a comment',
    (name) => {
      const { source, workflow } = readWorkflow(name);
      const lines = usesLines(source);
      const parsedUses = [
        ...allSteps(workflow).map(({ step }) => step.uses),
        ...Object.values(workflow.jobs).map((job) => job.uses),
      ].filter((uses): uses is string => uses !== undefined);
      // Every `uses:` the YAML holds was seen line by line (none hidden in flow style).
      expect(lines.map((entry) => entry.value).sort()).toEqual([...parsedUses].sort());

      for (const { value, comment, line } of lines) {
        if (value.startsWith('./')) continue; // the action under test, from this checkout
        expect(value, `${name}:${line} is not pinned to a 40-hex commit SHA`).toMatch(PINNED);
        expect(comment, `${name}:${line} has no "# vX.Y.Z" comment after the SHA`).toMatch(
          VERSION_COMMENT,
        );
      }
    },
  );

  it('pins each action to one SHA and one version across all workflows', () => {
    const pins = new Map<string, Set<string>>();
    for (const name of workflowFiles) {
      for (const { value, comment } of usesLines(readWorkflow(name).source)) {
        if (value.startsWith('./')) continue;
        const [action] = value.split('@');
        const seen = pins.get(action!) ?? new Set<string>();
        seen.add(`${value} ${comment}`);
        pins.set(action!, seen);
      }
    }
    for (const [action, seen] of pins) {
      expect([...seen], `${action} is pinned differently in different places`).toHaveLength(1);
    }
  });

  it.each(workflowFiles)('%s declares read-only top-level permissions', (name) => {
    const { source, workflow } = readWorkflow(name);
    expect(workflow.permissions, `${name} has no top-level permissions`).toEqual({
      contents: 'read',
    });
    expect(source).not.toMatch(/\b(?:write|read)-all\b/);
  });

  it('grants write permissions only to the release jobs that need them', () => {
    const grants = workflowFiles.flatMap((name) =>
      writeGrants(readWorkflow(name).workflow).map((grant) => `${name} ${grant}`),
    );
    expect(grants.sort()).toEqual([
      'release.yml github-release: contents',
      'release.yml major-tag: contents',
      'release.yml npm: id-token',
    ]);
  });

  it.each(workflowFiles)('%s leaves no token in the checkout unless the job pushes', (name) => {
    const { workflow } = readWorkflow(name);
    for (const [jobName, job] of Object.entries(workflow.jobs)) {
      const pushes = typeof job.permissions === 'object' && job.permissions.contents === 'write';
      for (const step of job.steps ?? []) {
        if (!step.uses?.startsWith('actions/checkout@') || pushes) continue;
        expect(
          step.with?.['persist-credentials'],
          `${name} ${jobName}: checkout keeps the token`,
        ).toBe(false);
      }
    }
  });

  it.each(workflowFiles)('%s has run scripts that bash can parse', (name) => {
    for (const { job, step } of allSteps(readWorkflow(name).workflow)) {
      if (step.run === undefined) continue;
      // Expressions are substituted by the runner before bash sees the script.
      const script = step.run.replace(/\$\{\{[^}]*\}\}/g, 'EXPRESSION');
      const result = spawnSync('bash', ['-n', '-c', script], { encoding: 'utf8' });
      expect(result.stderr, `${name} ${job}: ${step.run}`).toBe('');
      expect(result.status).toBe(0);
    }
  });

  it.each(workflowFiles)(
    '%s turns setup-go caching off and takes Node from .node-version',
    (name) => {
      for (const { job, step } of allSteps(readWorkflow(name).workflow)) {
        if (step.uses?.startsWith('actions/setup-go@')) {
          expect(step.with?.cache, `${name} ${job}: setup-go without cache: false`).toBe(false);
        }
        if (step.uses?.startsWith('actions/setup-node@')) {
          expect(step.with?.['node-version-file'], `${name} ${job}`).toBe('.node-version');
        }
      }
    },
  );
});

describe('ci.yml', () => {
  const { workflow } = readWorkflow('ci.yml');

  it('runs on pushes and pull requests and cancels superseded runs', () => {
    expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(['push', 'pull_request']));
    expect(workflow.concurrency?.['cancel-in-progress']).toBe(true);
  });

  it('lints, type-checks, tests, builds and checks dist/ with untracked files', () => {
    const runs = Object.values(workflow.jobs).map(allRuns).join('\n');
    for (const command of [
      'npm ci',
      'npm run lint',
      'npm run typecheck',
      'npm test',
      'scripts/check-dist.sh',
    ]) {
      expect(runs).toContain(command);
    }
    expect(runs).not.toMatch(/npm install\b/);
    expect(readFileSync(join(root, 'scripts', 'check-dist.sh'), 'utf8')).toContain(
      'git status --porcelain',
    );
  });

  it('uploads the expected dist/ when the check fails', () => {
    const steps = workflow.jobs.build?.steps ?? [];
    const upload = steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.if).toMatch(/failure\(\)/);
    expect(upload?.with?.path).toBe('dist/');
  });
});

describe('e2e.yml', () => {
  const { workflow } = readWorkflow('e2e.yml');
  const jobs = Object.entries(workflow.jobs);

  it('runs nightly and on demand as well', () => {
    expect(Object.keys(workflow.on)).toEqual(
      expect.arrayContaining(['push', 'pull_request', 'schedule', 'workflow_dispatch']),
    );
  });

  it('uses the action from this checkout on Linux, macOS and Windows', () => {
    for (const [, job] of jobs) {
      expect(job.strategy?.matrix?.os).toEqual(['ubuntu-latest', 'macos-latest', 'windows-latest']);
      expect(job.steps?.some((step) => step.uses === './')).toBe(true);
    }
  });

  it('has a second job that needs the first and requires a cache hit', () => {
    const second = jobs.find(([, job]) => job.needs !== undefined);
    expect(second, 'no job depends on the probe job').toBeDefined();
    const [, job] = second!;
    const action = job.steps?.find((step) => step.uses === './');
    const hitCheck = job.steps?.find((step) =>
      step.if?.includes(`steps.${action?.id}.outputs.cache-hit != 'true'`),
    );
    expect(hitCheck?.run).toMatch(/exit 1/);
    expect(allRuns(job)).toContain('GOPROXY=off');
  });
});

describe('release.yml', () => {
  const { workflow } = readWorkflow('release.yml');
  const runs = Object.values(workflow.jobs).map(allRuns).join('\n');

  it('runs on semver tags only', () => {
    expect(workflow.on).toEqual({ push: { tags: ['v*.*.*'] } });
  });

  it('verifies before it publishes, with provenance', () => {
    const verify = allRuns(workflow.jobs.verify!);
    for (const command of [
      'scripts/release.mjs check',
      'npm ci',
      'npm run lint',
      'npm test',
      'scripts/check-dist.sh',
    ]) {
      expect(verify).toContain(command);
    }
    expect(workflow.jobs.npm?.needs).toBe('verify');
    expect(allRuns(workflow.jobs.npm!)).toContain('npm publish --provenance --access public');
  });

  it('moves the major tag with a force push and creates the release from the CHANGELOG', () => {
    expect(allRuns(workflow.jobs['major-tag']!)).toMatch(
      /git push --force origin "refs\/tags\/\$\{MAJOR\}"/,
    );
    expect(allRuns(workflow.jobs['github-release']!)).toContain('scripts/release.mjs notes');
  });

  it('pushes gitlab/ as the component project root only when its secrets are configured', () => {
    const gitlab = workflow.jobs.gitlab!;
    expect(gitlab.if).toContain("needs.verify.outputs.gitlab-configured == 'true'");
    expect(runs).toContain('git subtree split --prefix=gitlab');
    expect(allRuns(gitlab)).toContain('refs/tags/${GITLAB_TAG}');
  });
});

describe('action.yml', () => {
  const source = readFileSync(join(root, 'action.yml'), 'utf8');
  const action = parse(source) as {
    runs: { using: string; main: string; post: string; 'post-if': string };
  };

  it('runs on node24 with a post step after success only', () => {
    expect(action.runs).toMatchObject({
      using: 'node24',
      main: 'dist/main/index.js',
      post: 'dist/post/index.js',
      'post-if': 'success()',
    });
  });

  it('is valid against the GitHub action schema', () => {
    // @action-validator/core 0.6.0 (the newest release) predates node24 and rejects it as a
    // `runs.using` value. node24 and node20 actions share one schema shape (main/pre/post and
    // their -if), so validate everything else with node20 in its place; the test above pins node24.
    const document = parseDocument(source);
    document.setIn(['runs', 'using'], 'node20');
    const state = validator.validateAction(String(document));
    expect(state.errors, describeErrors(state)).toEqual([]);
  });

  it('the validator really rejects a broken action (the check can fail)', () => {
    const document = parseDocument(source);
    document.setIn(['runs', 'using'], 'node20');
    document.deleteIn(['runs', 'main']);
    expect(validator.validateAction(String(document)).errors.length).toBeGreaterThan(0);
  });
});

describe('dependabot.yml', () => {
  it('keeps the action pins up to date', () => {
    const config = parse(readFileSync(join(root, '.github', 'dependabot.yml'), 'utf8')) as {
      updates: { 'package-ecosystem': string }[];
    };
    expect(config.updates.map((update) => update['package-ecosystem'])).toContain('github-actions');
  });
});
