/**
 * `@islet/hes`: the hardware root of trust of the Islet CCA stack, modelled on Islet's HES
 * (RSE-compatible): 32 measured-boot slots, the CPAK and DAK (RAK) derived from the GUK, the CCA
 * platform token signed with the CPAK, the VHUKs derived from the HUK, and the realm sealing keys
 * derived from them. With Islet's dummy provisioning it reproduces Islet's published CPAK, RAKs and
 * platform token payloads byte for byte.
 * @module
 */
export {
  CPAK_SEED_LIFECYCLE,
  type CpakMaterial,
  type DakMaterial,
  deriveCpak,
  deriveDak,
  platformInstanceId,
} from './attestation-keys.ts';
export { HesError, HesErrorCode } from './errors.ts';
export {
  type DelegatedKeyRequest,
  type DelegatedKeyResult,
  Hes,
  type HesOptions,
  type PlatformTokenResult,
  type VhukResult,
} from './hes.ts';
export {
  BL1_CPAK_SEED_DERIVATION,
  BL1_DAK_SEED_DERIVATION,
  type DerivedKeyCurve,
  deriveEcPrivateKey,
  deriveSeed,
  HW_KEY_SIZE,
  SEED_SIZE,
  VHUK_A_SEED_LABEL,
  VHUK_M_SEED_LABEL,
} from './key-derivation.ts';
export {
  MEASUREMENT_SLOT_COUNT,
  MeasuredBoot,
  type MeasurementReadResult,
} from './measured-boot.ts';
export {
  isValidMeasurement,
  MEASUREMENT_ALGORITHM_PSA_ID,
  MEASUREMENT_HASH,
  MEASUREMENT_VALUE_MAX_SIZE,
  MEASUREMENT_VALUE_MIN_SIZE,
  type Measurement,
  MeasurementAlgorithm,
  type MeasurementMetadata,
  measurementAlgorithmFromPsaId,
  SIGNER_ID_MAX_SIZE,
  SIGNER_ID_MIN_SIZE,
  SW_TYPE_MAX_SIZE,
  SW_VERSION_MAX_SIZE,
} from './measurement.ts';
export {
  encodeHesPlatformClaims,
  HES_PLATFORM_CLAIM_ORDER,
  signHesPlatformToken,
} from './platform-token.ts';
export {
  type HesProvisioning,
  ISLET_DUMMY_PROVISIONING,
  ISLET_LEGACY_DUMMY_PROVISIONING,
} from './provisioning.ts';
export { type PsaErrorStatus, PsaStatus } from './psa-status.ts';
export {
  deriveSealingKey,
  REALM_ID_SIZE,
  REALM_METADATA_PUBLIC_KEY_SIZE,
  type RealmSealingInput,
  type RealmSealingMetadata,
  RPV_SIZE,
  SEALING_KEY_INFO_SIZE,
  SEALING_KEY_SALT,
  SEALING_KEY_SIZE,
  SealingKeyFlag,
  type SealingKeyInput,
  sealingKeyInfo,
} from './sealing-key.ts';
export {
  encodeMeasurements,
  encodeSwComponents,
  measurementToSwComponent,
} from './sw-components.ts';
export { deriveVhukA, deriveVhukM, VhukId, type VhukMaterial } from './vhuk.ts';
