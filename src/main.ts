import { runMain } from './orchestrators/setup.js';

await runMain();
