/**
 * `islet attest`, `islet verify` and `islet claims`: Islet's CLI commands of the same names, on
 * `@islet/sdk`. `attest` asks a backend for a CCA token carrying user data; `verify` checks one
 * the way a relying party must (the platform signature with a trusted CPAK, the realm signature,
 * the RAK binding, then the user data and reference values); `claims` only parses.
 * @module
 */
import { defaultCrypto, type EcPublicKey, IsletError, toHex } from '@islet/arch';
import { deriveCpak, ISLET_DUMMY_PROVISIONING } from '@islet/hes';
import {
  type Claims,
  challengeOf,
  formatClaims,
  parseClaims,
  parseReferenceValues,
  type ReferenceValues,
  SdkError,
  verify,
} from '@islet/sdk';
import { evidenceToJson } from '@islet/token';
import {
  BACKEND_HELP,
  BACKEND_OPTIONS,
  backendName,
  describeBackend,
  withSdk,
} from '../backend.ts';
import type { Command } from '../cli.ts';
import { parseKeyFile } from '../key-file.ts';
import { parseCommand, readInput, required, textOrHexOption, writeOutput } from '../options.ts';

const USER_DATA_HELP = `  --user-data <text>      user data as UTF-8 text, at most 64 bytes
  --user-data-hex <hex>   user data as hex, at most 64 bytes`;

const ATTEST_USAGE = `Usage: islet attest --output <file> [--user-data <text> | --user-data-hex <hex> | --input <file>]
                    [backend options]

Asks the realm for a CCA token (tag 399) whose realm challenge is the user data, zero-padded to 64
bytes, writes it to <file> and prints a one-line summary.

Options:
  --output <file>         where to write the token
${USER_DATA_HELP} (default: none, an all-zero challenge)
  --input <file>          user data from a file, at most 64 bytes (Islet's -i/--input challenge)

${BACKEND_HELP}
`;

const VERIFY_USAGE = `Usage: islet verify --input <file> [--cpak <key file>] [--user-data <text> | --user-data-hex <hex>]
                    [--reference <json file>] [--json]

Verifies a CCA token as a relying party: the platform signature with the CPAK, the realm signature
with the RAK the token carries, the RAK binding (platform challenge), the claims; then, when given,
the user data (the realm challenge) and reference values. Prints the claims and "verified"; exit 0
only if everything verifies. (Islet's SDK checks only the realm signature, which proves nothing.)

Options:
  --input <file>          the token
  --cpak <key file>       the platform attestation key to trust: PEM, JWK or trust-anchor JSON, or a
                          raw 04||X||Y point (default: Islet's published dummy CPAK, which signs the
                          simulated backend's tokens and proves nothing about real hardware)
${USER_DATA_HELP}; compared zero-padded with the realm challenge
  --reference <file>      reference values, JSON: { "rim": hex, "rems": [hex | null, ...],
                          "rpv": hex, "platformSwComponents": [{ "measurementType",
                          "measurementValue", "signerId", "version" }] }, every field optional
  --json                  print the claims with Veraison's names, and "verified": true
`;

const CLAIMS_USAGE = `Usage: islet claims --input <file> [--json]

Parses a CCA token and prints its claims WITHOUT verifying anything: no signature, no binding.
Use islet verify to trust them.

Options:
  --input <file>          the token
  --json                  print the claims with Veraison's names, and "verified": false
`;

/** `islet attest`. */
export const attestCommand: Command = {
  name: 'attest',
  synopsis:
    '--output <file> [--user-data <text> | --user-data-hex <hex> | --input <file>] [backend]',
  summary: 'write a CCA token carrying user data from the realm',
  run(argv, io) {
    const values = parseCommand(argv, {
      output: { type: 'string', short: 'o' },
      input: { type: 'string', short: 'i' },
      'user-data': { type: 'string' },
      'user-data-hex': { type: 'string' },
      ...BACKEND_OPTIONS,
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout(ATTEST_USAGE);
      return 0;
    }
    const output = required(values.output, '--output <file>', 'attest');
    const given = textOrHexOption(values['user-data'], values['user-data-hex'], 'user-data');
    if (given !== undefined && values.input !== undefined) {
      throw new IsletError(
        'USAGE',
        'give --user-data, --user-data-hex or --input, not two of them',
      );
    }
    const userData =
      values.input === undefined
        ? (given ?? new Uint8Array(0))
        : readInput(values.input, 'user data');
    challengeOf(userData); // over 64 bytes fails here, before a platform boots
    backendName(values);
    const token = withSdk(values, (sdk) => sdk.attest(userData));
    writeOutput(output, token, 'token');
    io.stdout(
      `attest: wrote a ${token.length}-byte CCA token to ${output} (${describeBackend(values)}; user data ${userData.length === 0 ? '(none)' : toHex(userData)})`,
    );
    return 0;
  },
};

/** `islet verify`. */
export const verifyCommand: Command = {
  name: 'verify',
  synopsis:
    '--input <file> [--cpak <key>] [--user-data <text> | --user-data-hex <hex>]\n         [--reference <json file>] [--json]',
  summary: 'verify a CCA token (CPAK, RAK, binding, user data, reference values)',
  run(argv, io) {
    const values = parseCommand(argv, {
      input: { type: 'string' },
      cpak: { type: 'string' },
      'user-data': { type: 'string' },
      'user-data-hex': { type: 'string' },
      reference: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout(VERIFY_USAGE);
      return 0;
    }
    const input = required(values.input, '--input <file>', 'verify');
    const userData = textOrHexOption(values['user-data'], values['user-data-hex'], 'user-data');
    const crypto = defaultCrypto();
    const token = readInput(input, 'token');
    // Islet's published cpak_public.bin: the CPAK HES derives from the dummy provisioning, the
    // one that signs the simulated backend's platform tokens.
    const cpak: EcPublicKey =
      values.cpak === undefined
        ? deriveCpak(ISLET_DUMMY_PROVISIONING, crypto).publicKey
        : parseKeyFile(readInput(values.cpak, 'key'), crypto);
    const reference = values.reference === undefined ? undefined : readReference(values.reference);
    const claims = verify(token, {
      cpak,
      crypto,
      ...(userData === undefined ? {} : { challenge: userData }),
      ...(reference === undefined ? {} : { reference }),
    });
    const checked = [
      `platform signature (${values.cpak === undefined ? "Islet's dummy CPAK" : `CPAK ${values.cpak}`})`,
      'realm signature',
      'RAK binding',
      ...(userData === undefined ? [] : ['user data']),
      ...(reference === undefined ? [] : [`reference values ${values.reference}`]),
    ];
    if (values.json) {
      io.stdout(claimsJson(claims, true));
    } else {
      io.stdout(formatClaims(claims, { color: io.color ?? false }));
      io.stdout(`verified: ${checked.join(', ')}`);
    }
    return 0;
  },
};

/** `islet claims`. */
export const claimsCommand: Command = {
  name: 'claims',
  synopsis: '--input <file> [--json]',
  summary: 'print the claims of a CCA token without verifying it',
  run(argv, io) {
    const values = parseCommand(argv, {
      input: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout(CLAIMS_USAGE);
      return 0;
    }
    const input = required(values.input, '--input <file>', 'claims');
    const claims = parseClaims(readInput(input, 'token'));
    if (values.json) {
      io.stdout(claimsJson(claims, false));
    } else {
      io.stdout(`NOT verified: the claims of ${input}, parsed without checking any signature`);
      io.stdout(formatClaims(claims, { color: io.color ?? false }));
    }
    return 0;
  },
};

function claimsJson(claims: Claims, verified: boolean): string {
  return JSON.stringify({ form: claims.form, ...evidenceToJson(claims), verified }, null, 2);
}

/**
 * Reads and validates a reference-value file.
 * @throws {@link IsletError} `FILE_UNREADABLE`; {@link SdkError} `SDK_REFERENCE_INVALID` for text
 * that is not JSON or JSON that is not reference values.
 */
function readReference(path: string): ReferenceValues {
  const text = new TextDecoder().decode(readInput(path, 'reference'));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new SdkError('SDK_REFERENCE_INVALID', `reference values: ${path} is not JSON`, {
      details: cause instanceof Error ? cause.message : String(cause),
      cause,
    });
  }
  return parseReferenceValues(json);
}
