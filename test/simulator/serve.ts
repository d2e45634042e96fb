/**
 * Starts a simulator preset and prints its URLs and environment as JSON, then runs until killed
 * (SIGINT/SIGTERM) or until --duration seconds elapse.
 *
 *   npx tsx test/simulator/serve.ts [--preset fleet|hostile|private] [--duration 60]
 */
import { parseArgs } from 'node:util';
import { PRESETS } from './presets.js';
import { startSimulator } from './simulator.js';

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'fleet' },
    duration: { type: 'string' },
  },
});

const preset = PRESETS[values.preset ?? 'fleet'];
if (!preset) {
  console.error(`--preset must be one of: ${Object.keys(PRESETS).join(', ')}`);
  process.exit(2);
}
const durationSec = values.duration === undefined ? undefined : Number(values.duration);
if (durationSec !== undefined && !(Number.isFinite(durationSec) && durationSec > 0)) {
  console.error('--duration must be a positive number of seconds');
  process.exit(2);
}

const sim = await startSimulator({ mirrors: preset(), autoCloseMs: 0 });
const mirrors = Object.fromEntries(sim.mirrorNames.map((name) => [name, sim.url(name)]));
console.log(
  JSON.stringify(
    {
      preset: values.preset,
      mirrors,
      sumdb: {
        name: sim.sumdb.name,
        vkey: sim.sumdb.vkey,
        url: sim.sumdb.url,
        gosumdb: sim.sumdb.gosumdb,
      },
      forwardProxy: sim.forwardProxy.url,
      caFile: sim.caFile,
      env: sim.env(),
    },
    null,
    2,
  ),
);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  clearTimeout(timer);
  await sim.close();
};
// Keeps the process alive until a signal or the duration ends it.
const timer = setTimeout(
  () => void stop(),
  durationSec === undefined ? 2 ** 31 - 1 : durationSec * 1000,
);
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
