/**
 * `islet seal` and `islet unseal`: `@islet/sdk`'s `Sealer` on files, on the host (simulated) or
 * inside the realm (fvp). The key is the realm's sealing key (Islet's RSI_ISLET_REALM_SEALING_KEY,
 * bound to the platform and the RIM), so a blob opens only in a realm of the same identity on a
 * platform with the same provisioning: with the simulated and fvp backends, the same backend and
 * `--identity`.
 * @module
 */
import { FVP_REALM_DATA_MAX } from '@islet/fvp';
import {
  BACKEND_HELP,
  BACKEND_OPTIONS,
  backendName,
  describeBackend,
  withSdk,
} from '../backend.ts';
import type { Command, Io } from '../cli.ts';
import { parseCommand, readInput, required, writeOutput } from '../options.ts';

const SEALING_NOTE = `The key is the realm's sealing key, bound to its platform and its RIM: a blob opens only in a
realm with the same identity (the same --backend and --identity) on a platform with the same
provisioning; any changed bit, and any other identity, fails with SDK_SEALED_INVALID. With
--backend fvp the realm seals and unseals (at most ${FVP_REALM_DATA_MAX >> 20} MiB), and the key never leaves it.`;

const usage = (
  verb: 'seal' | 'unseal',
): string => `Usage: islet ${verb} --input <file> --output <file> [backend options]

${verb === 'seal' ? 'Encrypts <input> (AES-256-GCM) into a sealed blob' : 'Decrypts a sealed blob'} and writes ${verb === 'seal' ? 'the blob' : 'the data'} to <output>.

${SEALING_NOTE}

${BACKEND_HELP}
`;

function runSealing(verb: 'seal' | 'unseal', argv: readonly string[], io: Io): number {
  const values = parseCommand(argv, {
    input: { type: 'string', short: 'i' },
    output: { type: 'string', short: 'o' },
    ...BACKEND_OPTIONS,
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(usage(verb));
    return 0;
  }
  const input = required(values.input, '--input <file>', verb);
  const output = required(values.output, '--output <file>', verb);
  backendName(values);
  const data = readInput(input, verb === 'seal' ? 'input' : 'sealed blob');
  const result = withSdk(values, (sdk) => (verb === 'seal' ? sdk.seal(data) : sdk.unseal(data)));
  writeOutput(output, result, verb === 'seal' ? 'sealed blob' : 'output');
  io.stdout(
    verb === 'seal'
      ? `seal: sealed ${data.length} bytes into a ${result.length}-byte blob ${output} (${describeBackend(values)})`
      : `unseal: opened a ${data.length}-byte blob into ${result.length} bytes ${output} (${describeBackend(values)})`,
  );
  return 0;
}

/** `islet seal`. */
export const sealCommand: Command = {
  name: 'seal',
  synopsis: '--input <file> --output <file> [backend]',
  summary: "encrypt a file under the realm's sealing key",
  run: (argv, io) => runSealing('seal', argv, io),
};

/** `islet unseal`. */
export const unsealCommand: Command = {
  name: 'unseal',
  synopsis: '--input <file> --output <file> [backend]',
  summary: 'decrypt a sealed blob in a realm of the same identity',
  run: (argv, io) => runSealing('unseal', argv, io),
};
