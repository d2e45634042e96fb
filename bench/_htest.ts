import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../test/simulator/index.js';
import { ProbeHost, sourceRoot } from './probe.js';
import { SCENARIOS } from './scenarios.js';
const sc = SCENARIOS.find((s) => s.name === (process.argv[2] ?? 'standard'))!;
const sim = await startSimulator({ mirrors: sc.mirrors, sumdb: sc.sumdb });
const home = await mkdtemp(join(tmpdir(), 'h-'));
const host = new ProbeHost(sourceRoot());
const goModText =
  'module x\n\ngo 1.19\n\nrequire (\n\texample.com/Upper v1.0.0\n\texample.com/big v1.0.0\n)\n';
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  const o = await host.run({
    mirrors: (process.argv[3]?.split(',') ?? sim.mirrorNames).map((n) => sim.url(n)),
    goModText,
    gosumdb: sim.sumdb.gosumdb,
    goVersion: 'go1.19.8',
    env: { PATH: process.env.PATH!, HOME: home, SSL_CERT_FILE: sim.caFile },
  });
  console.log(
    Math.round(performance.now() - t),
    o.kind,
    o.kind === 'done' ? [Math.round(o.wallMs), o.settings.GOPROXY] : o.message,
  );
}
await host.close();
await sim.close();
