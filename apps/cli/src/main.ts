#!/usr/bin/env node
/** The `islet` executable: runs the command line and sets the exit status. @module */
import { main } from './cli.ts';

/** The exit status of a writer whose reader went away: 128 + SIGPIPE, as a shell reports it. */
const BROKEN_PIPE_STATUS = 141;

// A reader that stops early (`islet claims … | head`) ends the output as it ends a Unix tool's: quietly,
// not with a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(BROKEN_PIPE_STATUS);
});

process.exitCode = await main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(`${s}\n`),
  stderr: (s) => process.stderr.write(`${s}\n`),
  // https://no-color.org: a set, non-empty NO_COLOR turns colours off.
  color: process.stdout.isTTY === true && !process.env.NO_COLOR,
});
