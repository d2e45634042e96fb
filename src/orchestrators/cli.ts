/**
 * The CLI (`npx go-proxy-setup`), also what the GitLab component job runs: probe and select like
 * the action, print the report, and write only what was asked (--dotenv, --apply, report files).
 * Exit status: 0 settings produced, 1 no route to modules, 2 bad input.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type CliOptions, helpText, parseCliArgs } from '../cli/args.js';
import { InputError } from '../errors.js';
import { type Inputs, parseInputs, registerSecrets } from '../inputs/inputs.js';
import type { InputName } from '../inputs/spec.js';
import { createConsolePlatform } from '../platform/console.js';
import type { Platform } from '../platform/platform.js';
import { Redactor } from '../redact.js';
import { gitlabSectionEnd, gitlabSectionStart, renderMetrics } from '../render/gitlab.js';
import { renderMarkdown } from '../render/markdown.js';
import { renderText } from '../render/text.js';
import { reportToJson } from '../report/build.js';
import { failureMessage } from '../runtime.js';
import { VERSION } from '../version.js';
import { renderDotenv } from '../writers/dotenv.js';
import { writeGoEnv } from '../writers/go-env-file.js';
import { type Configured, assertWorkingDirectory, configure } from './configure.js';
import { carriesCredentials, goVariables } from './variables.js';

export const EXIT_OK = 0;
export const EXIT_NO_ROUTE = 1;
export const EXIT_BAD_INPUT = 2;

/** Inputs that only mean something to the GitHub Action. */
const ACTION_ONLY_INPUTS: readonly InputName[] = [
  'cache',
  'cache-dependency-path',
  'summary',
  'token',
];

export async function runCli(argv: readonly string[]): Promise<void> {
  const redactor = new Redactor();
  const stderr = (line: string) => process.stderr.write(`${redactor.redact(line)}\n`);
  let code = EXIT_OK;
  try {
    const options = parseCliArgs(argv);
    if (options.help) {
      process.stdout.write(`${helpText()}\n`);
    } else if (options.version) {
      process.stdout.write(`${VERSION}\n`);
    } else {
      code = await probeAndReport(options, redactor, stderr);
    }
  } catch (error) {
    stderr(`go-proxy-setup: ${failureMessage(error, redactor)}`);
    code = error instanceof InputError ? EXIT_BAD_INPUT : EXIT_NO_ROUTE;
  }
  // Keep-alive sockets must not hold the process open once the report is out.
  process.exit(code);
}

async function probeAndReport(
  options: CliOptions,
  redactor: Redactor,
  stderr: (line: string) => void,
): Promise<number> {
  const env = process.env;
  const gitlab = env.GITLAB_CI === 'true';
  const inputs = parseInputs((name) => options.inputs.get(name), env);
  registerSecrets(inputs, redactor);
  await assertWorkingDirectory(inputs, process.cwd());
  const platform = createConsolePlatform(redactor, {
    name: gitlab ? 'gitlab' : 'cli',
    write: stderr,
    verbose: options.verbose,
  });
  for (const name of ACTION_ONLY_INPUTS) {
    if (options.inputs.has(name))
      platform.warning(`--${name} has no effect in the CLI (it is a GitHub Action input).`);
  }

  const configured = await configure({ inputs, platform, redactor, env, cwd: process.cwd() });
  const { report } = configured;

  printReport(configured, options, redactor, gitlab);
  await writeRequestedFiles(configured, options, platform);
  if (options.apply || inputs.writeGoEnv.value) await applyWithGoEnv(configured, inputs, platform);
  if (!report.routeFound) {
    platform.error('No route to Go modules: no mirror answered correctly and the fallback is off.');
    return EXIT_NO_ROUTE;
  }
  return EXIT_OK;
}

function printReport(
  configured: Configured,
  options: CliOptions,
  redactor: Redactor,
  gitlab: boolean,
): void {
  const { report } = configured;
  let body: string;
  if (options.format === 'json') body = reportToJson(report);
  else if (options.format === 'markdown') body = renderMarkdown(report, { redactor });
  else
    body = renderText(report, { color: options.color ?? process.stdout.isTTY === true, redactor });
  body = redactor.redact(body.endsWith('\n') ? body : `${body}\n`);
  if (gitlab && options.format === 'text') {
    // The findings table in a collapsible section; the settings stay visible above it.
    process.stdout.write(
      gitlabSectionStart('go_proxy_setup', 'Go module mirrors: what was measured and chosen', {
        collapsed: false,
      }),
    );
    process.stdout.write(body);
    process.stdout.write(gitlabSectionEnd('go_proxy_setup'));
  } else {
    process.stdout.write(body);
  }
}

async function writeRequestedFiles(
  configured: Configured,
  options: CliOptions,
  platform: Platform,
): Promise<void> {
  const { report } = configured;
  if (options.dotenv) {
    const variables = goVariables(configured);
    if (carriesCredentials(variables)) {
      platform.warning(
        'The dotenv report is an artifact anyone with access can download, so the private proxy credentials were left out; give Go jobs a ~/.netrc entry from a masked variable instead.',
      );
    }
    await writeFileAtomically(
      options.dotenv,
      renderDotenv(Object.fromEntries(variables.map((v) => [v.name, v.display]))),
    );
    platform.info(`Wrote ${variables.map((v) => v.name).join(', ')} to ${options.dotenv}.`);
  }
  if (options.reportFile) await writeFileAtomically(options.reportFile, reportToJson(report));
  if (options.metricsFile) await writeFileAtomically(options.metricsFile, renderMetrics(report));
}

async function applyWithGoEnv(
  configured: Configured,
  _inputs: Inputs,
  platform: Platform,
): Promise<void> {
  const variables = goVariables(configured);
  if (carriesCredentials(variables)) {
    platform.warning(
      'The private proxy credentials were not written to the go env file; use ~/.netrc for its host.',
    );
  }
  const result = await writeGoEnv(Object.fromEntries(variables.map((v) => [v.name, v.display])));
  if (result.skipped) {
    platform.warning(`go env -w skipped: ${result.skipped}`);
    return;
  }
  platform.info(
    `go env file ${result.file}: ${result.set.length > 0 ? `set ${result.set.join(', ')}` : 'already up to date'}.`,
  );
  if (result.overriddenByEnvironment.length > 0) {
    platform.warning(
      `Your environment sets ${result.overriddenByEnvironment.join(', ')}, which overrides the go env file; unset them for the new settings to take effect.`,
    );
  }
}

/** Whole file or nothing: a reader (or a crash) never sees half a report. */
async function writeFileAtomically(path: string, content: string): Promise<void> {
  const target = resolve(path);
  await mkdir(dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.tmp`;
  await writeFile(temporary, content.endsWith('\n') ? content : `${content}\n`);
  await rename(temporary, target);
}
