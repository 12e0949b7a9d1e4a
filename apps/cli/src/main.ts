#!/usr/bin/env node
/** The `islet` executable: runs the command line and sets the exit status. @module */
import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(`${s}\n`),
  stderr: (s) => process.stderr.write(`${s}\n`),
  // https://no-color.org: a set, non-empty NO_COLOR turns colours off.
  color: process.stdout.isTTY === true && !process.env.NO_COLOR,
});
