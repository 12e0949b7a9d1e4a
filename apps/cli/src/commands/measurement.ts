/**
 * `islet measurement-read` and `islet measurement-extend`: RSI_MEASUREMENT_READ/EXTEND, as Islet's
 * CLI commands of the same names. A simulated or fvp realm lives only for the one command, so an
 * extension is not seen by the next command: every command starts from a fresh realm.
 * @module
 */
import { defaultCrypto, IsletError, toHex } from '@islet/arch';
import { SdkError } from '@islet/sdk';
import { BACKEND_HELP, BACKEND_OPTIONS, backendName, withSdk } from '../backend.ts';
import type { Command } from '../cli.ts';
import { intOption, parseCommand, required, textOrHexOption } from '../options.ts';

const FRESH_REALM_NOTE = `With the simulated and fvp backends each command boots a fresh platform and realm that
lives only for that command: an extension is not seen by the next command (its REMs start at
zero again).`;

const READ_USAGE = `Usage: islet measurement-read --index <0..4> [backend options]

Prints a realm measurement in hex: index 0 is the RIM, 1..4 the REMs.

${FRESH_REALM_NOTE}

${BACKEND_HELP}
`;

const EXTEND_USAGE = `Usage: islet measurement-extend --index <1..4> (--data <text> | --data-hex <hex> | --random <1..64>)
                                [backend options]

Extends REM <index> with 1..64 bytes (RSI_MEASUREMENT_EXTEND) and prints its new value in hex.

Options:
  --index <1..4>      the REM
  --data <text>       the bytes to extend with, as UTF-8 text
  --data-hex <hex>    the bytes to extend with, as hex
  --random <1..64>    that many random bytes (Islet's -r/--random), printed in hex first

${FRESH_REALM_NOTE}

${BACKEND_HELP}
`;

/** `islet measurement-read`. */
export const measurementReadCommand: Command = {
  name: 'measurement-read',
  synopsis: '--index <0..4> [backend]',
  summary: 'print the RIM (index 0) or a REM (1..4) in hex',
  run(argv, io) {
    const values = parseCommand(argv, {
      index: { type: 'string', short: 'n' },
      ...BACKEND_OPTIONS,
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout(READ_USAGE);
      return 0;
    }
    const index = intOption(
      required(values.index, '--index <0..4>', 'measurement-read'),
      '--index',
      0,
      4,
    );
    backendName(values);
    io.stdout(toHex(withSdk(values, (sdk) => sdk.measurementRead(index))));
    return 0;
  },
};

/** `islet measurement-extend`. */
export const measurementExtendCommand: Command = {
  name: 'measurement-extend',
  synopsis: '--index <1..4> (--data <text> | --data-hex <hex> | --random <1..64>) [backend]',
  summary: 'extend a REM (1..4) and print its new value in hex',
  run(argv, io) {
    const values = parseCommand(argv, {
      index: { type: 'string', short: 'n' },
      data: { type: 'string' },
      'data-hex': { type: 'string' },
      random: { type: 'string', short: 'r' },
      ...BACKEND_OPTIONS,
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout(EXTEND_USAGE);
      return 0;
    }
    const index = intOption(
      required(values.index, '--index <1..4>', 'measurement-extend'),
      '--index',
      1,
      4,
    );
    const given = textOrHexOption(values.data, values['data-hex'], 'data');
    if (given !== undefined && values.random !== undefined) {
      throw new IsletError('USAGE', 'give --data, --data-hex or --random, not two of them');
    }
    const data =
      values.random === undefined
        ? given
        : defaultCrypto().randomBytes(intOption(values.random, '--random', 1, 64));
    if (data === undefined) {
      throw new IsletError(
        'USAGE',
        'islet measurement-extend needs --data, --data-hex or --random',
      );
    }
    if (values.random !== undefined) io.stdout(`extending with ${toHex(data)}`);
    if (data.length < 1 || data.length > 64) {
      throw new SdkError('SDK_ARGUMENT_INVALID', `an extension is 1..64 bytes, not ${data.length}`);
    }
    backendName(values);
    const rem = withSdk(values, (sdk) => {
      sdk.measurementExtend(index, data);
      return sdk.measurementRead(index);
    });
    io.stdout(toHex(rem));
    return 0;
  },
};
