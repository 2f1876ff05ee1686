#!/usr/bin/env node
/** Process entry point of `mlsched-trainer`; the command itself is in command.ts. */
import { runCli } from './command.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
