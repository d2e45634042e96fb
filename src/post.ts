import { runPost } from './orchestrators/save.js';

await runPost();
