/**
 * `write-go-env` / `--apply`: persist the settings with `go env -w`, shared by the action and the
 * CLI so both say the same thing. Values are credential-free: the go env file outlives the job.
 * A go that cannot run (not installed yet, too old for `go env -w`) is degraded infrastructure:
 * a warning, never a failed step.
 */
import type { Platform } from '../platform/platform.js';
import { writeGoEnv } from '../writers/go-env-file.js';
import type { Configured } from './configure.js';
import { carriesCredentials, goVariables } from './variables.js';

export async function persistWithGoEnv(configured: Configured, platform: Platform): Promise<void> {
  const variables = goVariables(configured);
  if (carriesCredentials(variables)) {
    platform.warning(
      'The private proxy credentials were not written to the go env file; give Go a ~/.netrc entry for its host (Go sends netrc credentials over https only).',
      { title: 'go env -w without credentials' },
    );
  }
  let result: Awaited<ReturnType<typeof writeGoEnv>>;
  try {
    result = await writeGoEnv(Object.fromEntries(variables.map((v) => [v.name, v.display])));
  } catch (error) {
    platform.warning(`go env -w skipped: ${whyGoFailed(error)}`, { title: 'go env -w skipped' });
    return;
  }
  if (result.skipped) {
    platform.warning(`go env -w skipped: ${result.skipped}`, { title: 'go env -w skipped' });
    return;
  }
  const changed = result.set.length + result.unset.length > 0;
  platform.info(
    `go env file ${result.file}: ${changed ? `set ${[...result.set, ...result.unset].join(', ')}` : 'already up to date'}.`,
  );
  if (result.overriddenByEnvironment.length > 0) {
    platform.warning(
      `The go env file was written, but the environment sets ${result.overriddenByEnvironment.join(', ')}, which overrides it for every go command run with that environment; unset them for the file to take effect.`,
      { title: 'go env -w overridden' },
    );
  }
}

function whyGoFailed(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ENOENT' || /ENOENT/.test(message)) {
    return 'go is not on PATH; run go-proxy-setup after actions/setup-go (or install Go first).';
  }
  return message;
}
