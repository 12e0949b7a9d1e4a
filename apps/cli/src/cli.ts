/**
 * Argument parsing and dispatch of the `islet` command, separate from process handling so tests
 * can run it in-process.
 * @module
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { defaultCrypto, fromHex, IsletError, isIsletError } from '@islet/arch';
import { tokenPrint, tokenVerify } from './commands/token.ts';
import { runRim } from './rim.ts';

/** Where the command writes. */
export interface Io {
  stdout(line: string): void;
  stderr(line: string): void;
}

const USAGE = `Usage: islet <command> [options]

Commands:
  token print <file> [--cpak <key>] [--json]   print a CCA token's claims and check it
  token verify <file> --cpak <key> [--challenge <hex>]
                                               verify a CCA token (or a platform token alone);
                                               exit 0 only if it verifies
  rim <image> [--memory <size>] [--ipa-bits <n>] [--hash sha256|sha512] [--rpv <hex>]
      [--vcpus <n>] [--json]                   the RIM a realm launched with this image will
                                               have, computed offline

Keys: PEM (public or private), JWK or trust-anchor JSON, or a raw 04||X||Y point.
`;

/**
 * Runs the command line and never throws: every failure becomes one line on stderr,
 * `islet: CODE: message (details)`, and a non-zero status (2 for usage errors, 1 otherwise).
 * @returns the exit status.
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    return await run(argv, io);
  } catch (err) {
    if (isIsletError(err)) {
      const details = err.details ? ` (${err.details})` : '';
      io.stderr(`islet: ${err.code}: ${err.shortMessage}${details}`.replace(/\n/g, ' '));
      return err.code === 'USAGE' ? 2 : 1;
    }
    io.stderr(
      `islet: INTERNAL: ${err instanceof Error ? err.message : String(err)}`.replace(/\n/g, ' '),
    );
    return 1;
  }
}

/**
 * Runs the command line `argv` (without `node` and the script).
 * @returns the exit status.
 * @throws {@link IsletError} for refused input; `USAGE` codes for bad arguments.
 */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  if (argv[0] === 'rim') return runRim(argv.slice(1), io);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (cause) {
    throw new IsletError('USAGE', cause instanceof Error ? cause.message : String(cause));
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    io.stdout(USAGE);
    return positionals.length === 0 && !values.help ? 2 : 0;
  }
  const [group, command, file, ...rest] = positionals;
  if (group !== 'token' || (command !== 'print' && command !== 'verify')) {
    throw new IsletError(
      'USAGE',
      `unknown command "${positionals.slice(0, 2).join(' ')}"; see islet --help`,
    );
  }
  if (file === undefined || rest.length > 0) {
    throw new IsletError('USAGE', `islet token ${command} takes exactly one token file`);
  }
  if (command === 'verify' && values.cpak === undefined) {
    throw new IsletError('USAGE', 'islet token verify needs --cpak <key file>');
  }
  const crypto = defaultCrypto();
  const token = readInput(file, 'token');
  const cpak = values.cpak === undefined ? undefined : readInput(values.cpak, 'key');
  if (command === 'print') {
    return tokenPrint({ token, cpak, json: values.json ?? false, crypto, io });
  }
  if (cpak === undefined)
    throw new IsletError('USAGE', 'islet token verify needs --cpak <key file>');
  const challenge = values.challenge === undefined ? undefined : fromHex(values.challenge);
  return tokenVerify({ token, cpak, challenge, crypto, io });
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      cpak: { type: 'string' },
      challenge: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function readInput(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new IsletError('FILE_UNREADABLE', `cannot read the ${what} file ${path}`, {
      details: reason,
      cause,
    });
  }
}
