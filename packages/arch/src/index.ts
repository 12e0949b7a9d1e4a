/**
 * `@islet/arch`: the ground every layer stands on. 64-bit helpers, branded addresses, the error
 * model and the crypto provider.
 * @module
 */
export {
  addressFromRegister,
  alignDown,
  alignUp,
  GRANULE_SHIFT,
  GRANULE_SIZE,
  type GranuleIdx,
  granuleAddress,
  granuleIndex,
  type Ipa,
  ipa,
  isAddress,
  isGranuleAligned,
  MAX_ADDRESS,
  type PhysAddr,
  physAddr,
} from './addr.ts';
export {
  type Bytes,
  bytesToRegs,
  concatBytes,
  copyBytes,
  equalBytes,
  fromBase64,
  fromHex,
  regsToBytes,
  toBase64,
  toBase64Url,
  toHex,
} from './bytes.ts';
export { defaultCrypto } from './crypto/default.ts';
export {
  curveFromPointLength,
  type EcJwk,
  ecPrivateKeyFromJwk,
  ecPrivateKeyFromPem,
  ecPrivateKeyFromPkcs8,
  ecPrivateKeyToJwk,
  ecPrivateKeyToPem,
  ecPrivateKeyToPkcs8,
  ecPublicKeyFromJwk,
  ecPublicKeyFromPem,
  ecPublicKeyFromRaw,
  ecPublicKeyFromSpki,
  ecPublicKeyToJwk,
  ecPublicKeyToPem,
  ecPublicKeyToSpki,
} from './crypto/keys.ts';
export { nobleCrypto } from './crypto/noble.ts';
export { hasNodeCrypto, nodeCrypto } from './crypto/node.ts';
export {
  type CryptoProvider,
  CURVE_FIELD_BYTES,
  type Curve,
  type EcPrivateKey,
  type EcPublicKey,
  HASH_BYTES,
  type HashAlgorithm,
} from './crypto/provider.ts';
export {
  assert,
  IsletError,
  type IsletErrorOptions,
  IsletInvariantError,
  isIsletError,
} from './errors.ts';
export * as U64 from './u64.ts';
