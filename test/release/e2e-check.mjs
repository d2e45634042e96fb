#!/usr/bin/env node
// Asserts what the e2e workflow's `uses: ./` step left behind: the environment written for later
// steps, the action's outputs and the JSON report. Runs on Linux, macOS and Windows runners with
// whatever Node the runner has, so it uses only node: built-ins.
//
// Inputs (environment):
//   GOPROXY, GOSUMDB            what the action exported for later steps
//   OUT_GOPROXY, OUT_GOSUMDB, OUT_FASTEST_MIRROR, OUT_FASTEST_LATENCY_MS, OUT_REPORT, OUT_CACHE_HIT
//                               the step's outputs, passed in by the workflow
//   EXPECT_CACHE_HIT            `true`, `false` or `any`
//   CHECK_GO_ENV                `true` to also ask `go env` what the go command sees (needs go on PATH)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// The report must name the version this checkout is (package.json is the source of truth).
const expectedVersion = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;

const failures = [];
const env = process.env;

function check(condition, message) {
  if (!condition) failures.push(message);
}

function required(name) {
  const value = env[name] ?? '';
  check(value.trim() !== '', `${name} is empty`);
  return value;
}

/** A chain the go command accepts and that still ends somewhere: `|` fallbacks or a final `direct`. */
function isUsableChain(goproxy) {
  const entries = goproxy.split(/[,|]/);
  return goproxy.includes('|') || entries.at(-1) === 'direct';
}

function parseUrl(text) {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

const goproxy = required('GOPROXY');
const gosumdb = required('GOSUMDB');
check(isUsableChain(goproxy), `GOPROXY "${goproxy}" neither contains "|" nor ends with "direct"`);
check(
  gosumdb !== 'off',
  'GOSUMDB is "off": checksum verification must never be switched off implicitly',
);
check(
  env.OUT_GOPROXY === goproxy,
  `output goproxy "${env.OUT_GOPROXY}" differs from GOPROXY "${goproxy}"`,
);
check(
  env.OUT_GOSUMDB === gosumdb,
  `output gosumdb "${env.OUT_GOSUMDB}" differs from GOSUMDB "${gosumdb}"`,
);

const fastest = required('OUT_FASTEST_MIRROR');
const fastestUrl = parseUrl(fastest);
check(fastestUrl !== null, `output fastest-mirror "${fastest}" is not a URL`);
check(!fastestUrl?.username && !fastestUrl?.password, 'output fastest-mirror carries credentials');

const latency = Number(required('OUT_FASTEST_LATENCY_MS'));
check(
  Number.isFinite(latency) && latency >= 0,
  `output fastest-latency-ms "${env.OUT_FASTEST_LATENCY_MS}" is not a non-negative number`,
);

const cacheHit = required('OUT_CACHE_HIT');
check(
  cacheHit === 'true' || cacheHit === 'false',
  `output cache-hit "${cacheHit}" is neither "true" nor "false"`,
);
const expectedHit = env.EXPECT_CACHE_HIT ?? 'any';
check(
  expectedHit === 'any' || cacheHit === expectedHit,
  `output cache-hit is "${cacheHit}", expected "${expectedHit}"`,
);

let report;
try {
  report = JSON.parse(required('OUT_REPORT'));
} catch (error) {
  failures.push(
    `output report is not JSON: ${error instanceof Error ? error.message : String(error)}`,
  );
}
if (report !== undefined) {
  check(
    Number.isInteger(report.schemaVersion) && report.schemaVersion >= 1,
    `report.schemaVersion "${report.schemaVersion}" is not a positive integer`,
  );
  check(report.tool?.name === 'go-proxy-setup', `report.tool.name is "${report.tool?.name}"`);
  check(
    report.tool?.version === expectedVersion,
    `report.tool.version "${report.tool?.version}" is not "${expectedVersion}"`,
  );
  check(report.routeFound === true, 'report.routeFound is not true');
  check(
    report.settings?.GOPROXY === goproxy,
    `report.settings.GOPROXY "${report.settings?.GOPROXY}" differs from GOPROXY`,
  );
  check(
    report.settings?.GOSUMDB === gosumdb,
    `report.settings.GOSUMDB "${report.settings?.GOSUMDB}" differs from GOSUMDB`,
  );
  check(Array.isArray(report.mirrors) && report.mirrors.length > 0, 'report.mirrors is empty');
}

if (env.CHECK_GO_ENV === 'true') {
  // The go command, not just this process, must see the settings (GITHUB_ENV reached the step).
  const seen = execFileSync('go', ['env', 'GOPROXY', 'GOSUMDB'], { encoding: 'utf8' })
    .trim()
    .split(/\r?\n/);
  check(seen[0] === goproxy, `go env GOPROXY is "${seen[0]}", expected "${goproxy}"`);
  check(seen[1] === gosumdb, `go env GOSUMDB is "${seen[1]}", expected "${gosumdb}"`);
}

if (failures.length > 0) {
  for (const failure of failures) console.error(`e2e check failed: ${failure}`);
  process.exit(1);
}
console.log(`e2e check passed: GOPROXY=${goproxy} GOSUMDB=${gosumdb} cache-hit=${cacheHit}`);
