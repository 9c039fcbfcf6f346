#!/usr/bin/env node
/** The `stemedb` executable. */
import { runCli } from './program.js';

await runCli(process.argv);
