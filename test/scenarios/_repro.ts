import { parseGosumdb, toChecksumDatabase } from '../../src/goenv/gosumdb.js';
import { candidateFromUrl } from '../../src/probe/catalog.js';
import { runProbe } from '../../src/probe/engine.js';
import { BIG, HELLO, startSimulator } from '../simulator/index.js';

const sim = await startSimulator({ mirrors: [{ name: 'plain', sumdb: 404 }, { name: 'relay' }], sumdb: { latencyMs: Number(process.argv[2] ?? 6000) } });
const parsed = parseGosumdb(sim.sumdb.gosumdb);
if (!parsed.ok || parsed.db.kind !== 'db') throw new Error('bad');
const timer = setInterval(() => console.log('heap MB', Math.round(process.memoryUsage().heapUsed / 1e6)), 500);
const t = performance.now();
const run = await runProbe({
  candidates: ['plain', 'relay'].map((n) => candidateFromUrl(sim.url(n), 'input')),
  modules: [{ path: HELLO, version: null }, { path: BIG, version: 'v1.0.0' }],
  privatePatterns: '',
  database: toChecksumDatabase(parsed.db),
  timeoutMs: 8000,
  maxMirrors: 2,
  env: { SSL_CERT_FILE: sim.caFile },
});
console.log('done', Math.round(performance.now() - t), JSON.stringify(run.sumdbRoutes));
clearInterval(timer);
await sim.close();
