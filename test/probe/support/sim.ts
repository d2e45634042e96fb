/** Glue between the loopback mirror simulator and runProbe. */
import { candidateFromUrl } from '../../../src/probe/catalog.js';
import { type ProbeConfig, runProbe } from '../../../src/probe/engine.js';
import type { Candidate, MirrorProbe, ModuleRef, ProbeRun } from '../../../src/probe/types.js';
import type { Simulator } from '../../simulator/index.js';

export const HELLO_V110: ModuleRef = { path: 'example.com/hello', version: 'v1.1.0' };
export const UPPER_V100: ModuleRef = { path: 'example.com/Upper', version: 'v1.0.0' };
export const BIG_V100: ModuleRef = { path: 'example.com/big', version: 'v1.0.0' };
export const PRIVATE_PATTERNS = 'git.corp.example';

export function simCandidates(
  sim: Simulator,
  names: readonly string[],
  options: { host?: 'sim.test' } = {},
): Candidate[] {
  return names.map((name) =>
    candidateFromUrl(sim.url(name, options.host ? { host: options.host } : {}), 'input'),
  );
}

export function simDatabase(sim: Simulator, explicit = false): ProbeConfig['database'] {
  return {
    name: sim.sumdb.name,
    key: sim.sumdb.vkey,
    value: sim.sumdb.gosumdb,
    explicitUrl: explicit ? sim.sumdb.url : null,
  };
}

/** Lookup that knows no names: keeps tests away from real DNS (`localhost`-free candidates only). */
export const noNames = async (hostname: string): Promise<never> => {
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};

export async function probeSim(
  sim: Simulator,
  overrides: Partial<ProbeConfig> & { names?: readonly string[] },
  env: Record<string, string> = {},
): Promise<ProbeRun> {
  const { names, ...rest } = overrides;
  const config: ProbeConfig = {
    candidates: simCandidates(sim, names ?? sim.mirrorNames),
    modules: [HELLO_V110, BIG_V100],
    privatePatterns: PRIVATE_PATTERNS,
    database: simDatabase(sim),
    timeoutMs: 10_000,
    maxMirrors: 2,
    concurrency: 32,
    env,
    ...rest,
  };
  return runProbe(config, {
    httpOptions: { extraCaCerts: [sim.caPem], netrc: false, lookup: noNames },
  });
}

export function mirrorNamed(
  sim: Simulator,
  run: ProbeRun,
  name: string,
  options: { host?: 'sim.test' } = {},
): MirrorProbe {
  const url = sim.url(name, options.host ? { host: options.host } : {}).replace(/\/+$/, '');
  const found = run.mirrors.find((m) => m.candidate.url === url);
  if (!found) throw new Error(`no probe result for ${name} (${url})`);
  return found;
}
