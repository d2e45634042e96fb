#!/usr/bin/env node
import { runCli } from './orchestrators/cli.js';

await runCli(process.argv.slice(2));
