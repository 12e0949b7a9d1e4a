/** `islet token print` and `islet token verify`. @module */
import { type CryptoProvider, IsletError } from '@islet/arch';
import {
  COSE_SIGN1_TAG,
  evidenceToJson,
  inspectCcaToken,
  inspectPlatformToken,
  platformClaimsToJson,
  verifyCcaToken,
  verifyPlatformToken,
} from '@islet/token';
import type { Io } from '../cli.ts';
import { formatCcaTokenReport, formatPlatformTokenReport } from '../format.ts';
import { parseKeyFile } from '../key-file.ts';

/** `0xd2`: the first byte of a tagged COSE_Sign1, i.e. a platform token on its own. */
const COSE_SIGN1_FIRST_BYTE = 0xc0 | COSE_SIGN1_TAG;

/**
 * Prints a token's claims and which checks pass. Exits 0 when it decodes and every check that could
 * run passed, 1 otherwise.
 */
export function tokenPrint(options: {
  token: Uint8Array;
  cpak: Uint8Array | undefined;
  json: boolean;
  crypto: CryptoProvider;
  io: Io;
}): number {
  const { token, json, crypto, io } = options;
  const cpak = options.cpak === undefined ? undefined : parseKeyFile(options.cpak, crypto);
  const keyOption = cpak === undefined ? {} : { cpak };
  if (token[0] === COSE_SIGN1_FIRST_BYTE) {
    const report = inspectPlatformToken(token, { crypto, ...keyOption });
    io.stdout(
      json
        ? JSON.stringify(
            {
              'cca-platform-token': platformClaimsToJson(report.platform),
              checks: { platformSignature: report.platformSignature },
            },
            null,
            2,
          )
        : formatPlatformTokenReport(report),
    );
    return report.platformSignature === 'invalid' ? 1 : 0;
  }
  const report = inspectCcaToken(token, { crypto, ...keyOption });
  if (json) {
    const checks = {
      platformSignature: report.platformSignature,
      realmSignature: report.realmSignature,
      binding: report.binding,
    };
    io.stdout(JSON.stringify({ form: report.form, ...evidenceToJson(report), checks }, null, 2));
  } else {
    io.stdout(formatCcaTokenReport(report));
  }
  const failed = [report.platformSignature, report.realmSignature, report.binding].includes(
    'invalid',
  );
  return failed ? 1 : 0;
}

/**
 * Verifies a CCA token, or a platform token alone, with a CPAK; throws the coded error of the first
 * failed check.
 */
export function tokenVerify(options: {
  token: Uint8Array;
  cpak: Uint8Array;
  challenge: Uint8Array | undefined;
  crypto: CryptoProvider;
  io: Io;
}): number {
  const { token, crypto, io } = options;
  const cpak = parseKeyFile(options.cpak, crypto);
  if (token[0] === COSE_SIGN1_FIRST_BYTE) {
    if (options.challenge !== undefined) {
      throw new IsletError(
        'USAGE',
        '--challenge applies to the realm token; this is a platform token alone',
      );
    }
    const report = verifyPlatformToken(token, { cpak, crypto });
    io.stdout(
      `OK: platform token (tag 18) verifies with the ${cpak.curve} CPAK: ${report.platform.swComponents.length} software components`,
    );
    return 0;
  }
  const report = verifyCcaToken(token, {
    cpak,
    crypto,
    ...(options.challenge === undefined ? {} : { expectedChallenge: options.challenge }),
  });
  io.stdout(
    `OK: CCA token (tag ${report.form}) verifies: platform signature, realm signature and binding (${report.realm.publicKeyHashAlgorithm})`,
  );
  return 0;
}
