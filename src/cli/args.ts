/**
 * CLI argument parsing, pure. Every action input is an option of the same name (`--max-mirrors 3`,
 * `--max-mirrors=3`); CLI-only options control output. Bad usage throws InputError (exit 2).
 */
import { InputError } from '../errors.js';
import { INPUT_SPECS, type InputName } from '../inputs/spec.js';

export type OutputFormat = 'text' | 'json' | 'markdown';

export interface CliOptions {
  /** Raw values of action inputs given on the command line (validated later by parseInputs). */
  readonly inputs: ReadonlyMap<InputName, string>;
  readonly format: OutputFormat;
  /** Write a GitLab dotenv report of the settings to this file. */
  readonly dotenv: string | null;
  /** Write the JSON report to this file (whatever --format says). */
  readonly reportFile: string | null;
  /** Write an OpenMetrics report (GitLab metrics.txt) to this file. */
  readonly metricsFile: string | null;
  /** Persist the settings with `go env -w`. */
  readonly apply: boolean;
  /** null = colour when stdout is a terminal. */
  readonly color: boolean | null;
  readonly verbose: boolean;
  readonly help: boolean;
  readonly version: boolean;
}

const FORMATS: readonly OutputFormat[] = ['text', 'json', 'markdown'];
const INPUT_NAMES = new Set<string>(INPUT_SPECS.map((spec) => spec.name));
const VALUE_OPTIONS = new Set(['format', 'dotenv', 'report-file', 'metrics-file']);
const FLAG_OPTIONS = new Set(['apply', 'color', 'no-color', 'verbose', 'help', 'version']);

export function parseCliArgs(argv: readonly string[]): CliOptions {
  const inputs = new Map<InputName, string>();
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') {
      flags.add('help');
      continue;
    }
    if (arg === '-v' || arg === '-V') {
      flags.add('version');
      continue;
    }
    if (!arg.startsWith('--')) {
      throw new InputError(`Unexpected argument "${arg}": options start with -- (see --help).`);
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    if (FLAG_OPTIONS.has(name)) {
      if (inline !== undefined) throw new InputError(`Option --${name} takes no value.`);
      flags.add(name);
      continue;
    }
    if (!INPUT_NAMES.has(name) && !VALUE_OPTIONS.has(name)) {
      throw new InputError(`Unknown option --${name} (see --help for the list).`);
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new InputError(`Option --${name} needs a value.`);
    const target = INPUT_NAMES.has(name) ? inputs : values;
    if (target.has(name as InputName)) throw new InputError(`Option --${name} is given twice.`);
    target.set(name as InputName, value);
  }
  return {
    inputs,
    format: parseFormat(values.get('format')),
    dotenv: values.get('dotenv') ?? null,
    reportFile: values.get('report-file') ?? null,
    metricsFile: values.get('metrics-file') ?? null,
    apply: flags.has('apply'),
    color: flags.has('no-color') ? false : flags.has('color') ? true : null,
    verbose: flags.has('verbose'),
    help: flags.has('help'),
    version: flags.has('version'),
  };
}

function parseFormat(raw: string | undefined): OutputFormat {
  if (raw === undefined) return 'text';
  if ((FORMATS as readonly string[]).includes(raw)) return raw as OutputFormat;
  throw new InputError(`Invalid option --format: "${raw}" (allowed: ${FORMATS.join(', ')}).`);
}

export function helpText(): string {
  const inputLines = INPUT_SPECS.map(
    (spec) =>
      `  --${spec.name.padEnd(24)} ${firstSentence(spec.description)} (default: ${spec.default === '' ? "''" : spec.default})`,
  );
  return [
    'Usage: go-proxy-setup [options]',
    '',
    'Probes Go module mirrors from this machine over the module-proxy protocol, chooses the fastest',
    'correct GOPROXY chain and a working GOSUMDB, derives GOPRIVATE from the git remote, and prints',
    'what it measured, what it chose and why. Nothing is changed unless --apply or --dotenv is given.',
    '',
    'Settings (the GitHub Action inputs, same names):',
    ...inputLines,
    '',
    'Output:',
    '  --format text|json|markdown  Report format on stdout (default: text; colours only on a terminal).',
    '  --dotenv FILE                Write GOPROXY, GOSUMDB, GOPRIVATE… as a GitLab dotenv report.',
    '  --report-file FILE           Also write the JSON report to FILE.',
    '  --metrics-file FILE          Write an OpenMetrics report (GitLab metrics.txt).',
    '  --apply                      Persist the settings with `go env -w` (idempotent).',
    '  --color / --no-color         Force colours on or off.',
    '  --verbose                    Debug logging on stderr.',
    '  --help, --version',
    '',
    'Examples:',
    '  npx go-proxy-setup                                  # measure and show, change nothing',
    '  npx go-proxy-setup --apply                          # measure and persist with go env -w',
    '  eval "$(npx go-proxy-setup --format json | jq -r \'"export GOPROXY=\\(.settings.GOPROXY)"\')"',
    '  npx go-proxy-setup --mirrors https://goproxy.cn,https://proxy.golang.org --max-mirrors 1',
    '  npx go-proxy-setup --dotenv go-proxy.env --format markdown > report.md',
    '',
    'Exit status: 0 settings produced; 1 no route to modules; 2 bad input.',
  ].join('\n');
}

function firstSentence(text: string): string {
  const plain = text.replaceAll('`', '');
  const end = plain.search(/\.(\s|$)/);
  return end === -1 ? plain : plain.slice(0, end + 1);
}
