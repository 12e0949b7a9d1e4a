/**
 * Argument parsing and dispatch of the `islet` command, separate from process handling so tests
 * can run it in-process.
 * @module
 */
import { parseArgs } from 'node:util';
import { defaultCrypto, IsletError, isIsletError } from '@islet/arch';
import { attestCommand, claimsCommand, verifyCommand } from './commands/attestation.ts';
import { measurementExtendCommand, measurementReadCommand } from './commands/measurement.ts';
import { sealCommand, unsealCommand } from './commands/sealing.ts';
import { tokenPrint, tokenVerify } from './commands/token.ts';
import { versionCommand } from './commands/version.ts';
import { hexOption, readInput } from './options.ts';
import { runRim } from './rim.ts';

/** Where the command writes. */
export interface Io {
  stdout(line: string): void;
  stderr(line: string): void;
  /** Whether stdout takes ANSI colours (a terminal, `NO_COLOR` unset); plain when absent. */
  readonly color?: boolean;
}

/** A subcommand: its name, its line in the usage text, and its own option parsing. */
export interface Command {
  readonly name: string;
  /** The options, for the usage text: `--output <file> [--json]`. */
  readonly synopsis: string;
  /** What it does, one line. */
  readonly summary: string;
  /**
   * Runs the arguments after the name; `--help` prints the command's usage.
   * @returns the exit status.
   * @throws {@link IsletError} for refused input; `USAGE` for bad arguments.
   */
  run(argv: readonly string[], io: Io): number | Promise<number>;
}

/** The commands Islet's CLI has, on `@islet/sdk` (`token` and `rim` are this CLI's own). */
const COMMANDS: readonly Command[] = [
  attestCommand,
  verifyCommand,
  claimsCommand,
  measurementReadCommand,
  measurementExtendCommand,
  sealCommand,
  unsealCommand,
  versionCommand,
];

const USAGE = `Usage: islet <command> [options]     (islet <command> --help: the command's options)

Realm commands, as Islet's CLI has them, on @islet/sdk:
${COMMANDS.map((c) => `  ${[c.name, c.synopsis].filter(Boolean).join(' ')}\n      ${c.summary}`).join('\n')}

  [backend]: --backend simulated|tsm, --identity <name>, --tsm-root <dir>
      simulated (default): an in-process platform with Islet's dummy provisioning and one realm
      that lives only for the command (each command is a fresh realm; --identity is measured
      into its RIM); tsm: this Arm CCA guest's configfs-tsm (tokens only, --tsm-root)

Token and measurement tools:
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
  const sub = COMMANDS.find((c) => c.name === argv[0]);
  if (sub !== undefined) return sub.run(argv.slice(1), io);
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
  const challenge =
    values.challenge === undefined ? undefined : hexOption(values.challenge, '--challenge');
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
