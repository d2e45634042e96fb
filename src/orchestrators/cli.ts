/**
 * The CLI (`npx go-proxy-setup`), also what the GitLab component job runs: probe and select like
 * the action, print the report, and write only what was asked (--dotenv, --apply, report files).
 * Exit status: 0 settings produced, 1 no route to modules, 2 bad input.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  ACTION_ONLY_INPUTS,
  type CliOptions,
  helpText,
  inputEnvName,
  parseCliArgs,
} from '../cli/args.js';
import { InputError } from '../errors.js';
import { readEffectiveGoEnv } from '../goenv/effective-env.js';
import { parseInputs, registerSecrets } from '../inputs/inputs.js';
import type { InputName } from '../inputs/spec.js';
import { createConsolePlatform } from '../platform/console.js';
import type { Platform } from '../platform/platform.js';
import { Redactor } from '../redact.js';
import { gitlabSectionEnd, gitlabSectionStart, renderMetrics } from '../render/gitlab.js';
import { renderMarkdown } from '../render/markdown.js';
import { renderText } from '../render/text.js';
import { reportToJson } from '../report/build.js';
import { failureMessage, installProcessHandlers } from '../runtime.js';
import { VERSION } from '../version.js';
import { renderDotenv } from '../writers/dotenv.js';
import { type Configured, assertWorkingDirectory, configure } from './configure.js';
import { persistWithGoEnv } from './go-env.js';
import { carriesCredentials, goVariables } from './variables.js';

export const EXIT_OK = 0;
export const EXIT_NO_ROUTE = 1;
export const EXIT_BAD_INPUT = 2;

export async function runCli(argv: readonly string[]): Promise<void> {
  const redactor = new Redactor();
  const stderr = (line: string) => process.stderr.write(`${redactor.redact(line)}\n`);
  installProcessHandlers(redactor, (line) => stderr(`go-proxy-setup: ${line}`));
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
  // The go env file counts like the environment, as it does for the go command.
  const goEnv = await readEffectiveGoEnv(process.env, process.platform);
  const env = goEnv.env;
  const gitlab = env.GITLAB_CI === 'true';
  // The redactor learns the raw credentials before validation: a rejected value stays masked too.
  // An option on the command line wins over GO_PROXY_SETUP_<NAME> in the environment (which keeps
  // secrets such as the private proxy's password out of `ps` and shell traces).
  const inputs = parseInputs(
    (name) => options.inputs.get(name) ?? inputFromEnv(env, name),
    env,
    redactor,
  );
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

  const configured = await configure({
    inputs,
    platform,
    redactor,
    env,
    goEnv,
    cwd: process.cwd(),
  });
  const { report } = configured;

  printReport(configured, options, redactor, gitlab);
  await writeRequestedFiles(configured, options, platform, redactor);
  if (options.apply || inputs.writeGoEnv.value) await persistWithGoEnv(configured, platform);
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

/** Every file is an artifact people download: all of it passes the redactor. */
async function writeRequestedFiles(
  configured: Configured,
  options: CliOptions,
  platform: Platform,
  redactor: Redactor,
): Promise<void> {
  const { report } = configured;
  if (options.dotenv) {
    const variables = goVariables(configured);
    if (carriesCredentials(variables)) {
      platform.warning(
        'The dotenv report is an artifact anyone with access can download, so the private proxy credentials were left out; give Go jobs a ~/.netrc entry from a masked variable instead.',
      );
    }
    const values = Object.fromEntries(variables.map((v) => [v.name, v.display]));
    assertCredentialFree(values, redactor);
    await writeFileAtomically(options.dotenv, renderDotenv(values));
    platform.info(`Wrote ${variables.map((v) => v.name).join(', ')} to ${options.dotenv}.`);
  }
  if (options.reportFile) {
    await writeFileAtomically(options.reportFile, redactor.redact(reportToJson(report)));
  }
  if (options.metricsFile) {
    await writeFileAtomically(
      options.metricsFile,
      redactor.redact(renderMetrics(report, { redactor })),
    );
  }
}

/**
 * The dotenv values are the credential-free display values, handed to later jobs as Go settings:
 * masking one would hand Go a broken value, so a value the redactor would change is a bug to
 * report, never something to write. The error names the variables, not their values.
 */
export function assertCredentialFree(
  values: Readonly<Record<string, string>>,
  redactor: Redactor,
): void {
  const changed = Object.entries(values)
    .filter(([, value]) => redactor.redact(value) !== value)
    .map(([name]) => name);
  if (changed.length > 0) {
    throw new Error(
      `refusing to write the dotenv file: ${changed.join(', ')} would be changed by secret masking (it holds a credential or a registered secret), and a masked value is not usable by Go`,
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

/** GO_PROXY_SETUP_<NAME> (e.g. GO_PROXY_SETUP_PRIVATE_PROXY); empty counts as unset. */
export function inputFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  name: InputName,
): string | undefined {
  const value = env[inputEnvName(name)];
  return value === undefined || value === '' ? undefined : value;
}
