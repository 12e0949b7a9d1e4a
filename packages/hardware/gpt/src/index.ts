/**
 * `@islet/gpt`: the Granule Protection Table in the Arm format. Descriptors in Root memory, built
 * from PAS regions the way TF-A builds them; a cached per-granule GPI view for the granule
 * protection check the MMU runs on every access; and the RMM_GTSI_DELEGATE / UNDELEGATE
 * transitions with TF-A's checks and E_RMM_* status codes.
 * @see rmm-abi.md §8, §7.4
 * @module
 */
export {
  type CreateGptOptions,
  createGpt,
  GPCCR_TFA_ATTRIBUTES,
  gpccrOf,
  withTablesRegion,
} from './create-gpt.ts';
export { type AttachGptOptions, Gpt, type GptRegisters } from './gpt.ts';
export { GptError, GptErrorCode } from './gpt-error.ts';
export {
  GPCCR_PGS_4KB,
  GpccrL0gptsz,
  GpccrPps,
  type GptGeometry,
  gptGeometry,
} from './gpt-geometry.ts';
export {
  type GptL1Placement,
  type GptLayout,
  type GptTablesRegion,
  l0IndicesNeedingL1,
  planGptLayout,
} from './gpt-layout.ts';
export { GptFault, type GptWalk, walkGpt } from './gpt-walk.ts';
export type { GranuleProtectionCheck } from './granule-protection-check.ts';
export { GptMapType, type PasRegion, validatePasRegions } from './pas-region.ts';
