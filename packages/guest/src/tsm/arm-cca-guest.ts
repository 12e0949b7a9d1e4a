/**
 * The `arm_cca_guest` TSM provider (Linux `drivers/virt/coco/arm-cca-guest`): a configfs-tsm
 * report is the CCA attestation token, with the inblob as the challenge.
 * @module
 */
import { ATTESTATION_CHALLENGE_SIZE, type RsiShim } from '../rsi/shim.ts';
import type { TsmProvider } from './configfs-tsm.ts';
import { TsmError } from './tsm-error.ts';

/**
 * The shortest inblob arm_cca_guest takes: a challenge must be 32 to 64 bytes.
 * @since 0.1.0
 */
export const ARM_CCA_INBLOB_MIN = 32;

/**
 * The arm_cca_guest provider over a vCPU's RSI shim. As `arm_cca_report_new` does, it refuses an
 * inblob shorter than 32 bytes (`-EINVAL`) and zero-pads a shorter one to the 64-byte challenge.
 * @since 0.1.0
 */
export function armCcaGuest(rsi: Pick<RsiShim, 'attestationToken'>): TsmProvider {
  return {
    name: 'arm_cca_guest',
    report(inblob: Uint8Array): Uint8Array {
      if (inblob.length < ARM_CCA_INBLOB_MIN || inblob.length > ATTESTATION_CHALLENGE_SIZE) {
        throw new TsmError(
          'EINVAL',
          `arm_cca_guest takes an inblob of ${ARM_CCA_INBLOB_MIN}..${ATTESTATION_CHALLENGE_SIZE} bytes, not ${inblob.length}`,
        );
      }
      const challenge = new Uint8Array(ATTESTATION_CHALLENGE_SIZE);
      challenge.set(inblob);
      return rsi.attestationToken(challenge);
    },
  };
}
