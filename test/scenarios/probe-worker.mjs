/**
 * Runs runProbe on its own thread, so a probe that blocks its event loop cannot stall the
 * simulator (which serves from the test's main thread) or the test's watchdog. Plain ESM: the
 * TypeScript sources are loaded through tsx.
 */
import { parentPort } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const { runProbe } = await tsImport('../../src/probe/engine.ts', import.meta.url);

parentPort.on('message', async ({ id, config }) => {
  const started = performance.now();
  try {
    const run = await runProbe(config);
    parentPort.postMessage({ id, run, wallMs: performance.now() - started });
  } catch (error) {
    parentPort.postMessage({
      id,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
});
parentPort.postMessage({ ready: true });
