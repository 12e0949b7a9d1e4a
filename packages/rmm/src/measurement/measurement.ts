/**
 * Realm measurements: the Realm Initial Measurement (RIM) and the Realm Extensible Measurements
 * (REMs), computed byte for byte as TF-RMM does (`lib/measurement/src/rim.c`, `measurement.c`,
 * `measurement_descs.h`).
 *
 * The digest's rules (rmm-abi.md §6):
 *
 * ```text
 * - 5 slots per realm, 64 bytes each: slot 0 = RIM, 1..4 = REM0..3. Hash = SHA-256 (32 B) or
 *   SHA-512 (64 B) per params.hash_algo; unused tail bytes of a slot stay zero.
 * - Every descriptor is a 0x100-byte zero-initialised structure; `rim` field = current RIM copied
 *   for hash_len bytes (rest zero); `content` likewise hash_len bytes + zero padding.
 * - RIM := H(P), P = 0x1000-byte RmiRealmParams image with only flags@0x00 (u64), s2sz@0x08,
 *   sve_vl@0x10, num_bps@0x18, num_wps@0x20, pmu_num_ctrs@0x28 (u32 each), hash_algo@0x30 (u8).
 * - DATA   (desc_type 0): type@0x00, len=0x100@0x08, rim@0x10, ipa@0x50, flags@0x58, content@0x60
 *   (content = H(4K data) if flags == 1 else zero).
 * - REC    (desc_type 1): type, len, rim, content@0x50 = H(R), R = 0x1000-byte RmiRecParams image
 *   with only flags@0x000, pc@0x200, gprs[0..7]@0x300.
 * - RIPAS  (desc_type 2): type, len, rim, base@0x50, top@0x58 (one per RTTE, at the walk level).
 * - REM_i := H(REM_i[0:hash_len] || value[0:size]), size ∈ [0, 64].
 * ```
 *
 * Every function is pure: it takes a 64-byte slot and returns a new 64-byte slot whose first
 * `hash_len` bytes are significant and whose tail is zero. The one exception is
 * {@link extendRimDataCreate}, DATA_CREATE's in-place form of {@link measureDataCreate}. The hash runs through an injected
 * {@link CryptoProvider} ({@link MeasurementHash}), so node:crypto and @noble give the same bytes.
 *
 * **Gotchas**: addresses (ipa, base, top) are numbers below 2^52, written as two 32-bit halves;
 * `flags`, `pc` and `gprs` are bigints written as full u64.
 * @module
 */

import {
  hashDigestLength,
  REALM_PARAMS_SIZE,
  REC_PARAMS_SIZE,
  type RealmParams,
  type RecParams,
  RmiDataMeasureContent,
  RmiHashAlgorithm,
} from '@islet/abi';
import { type Bytes, type CryptoProvider, GRANULE_SIZE } from '@islet/arch';

/** Bytes in one measurement slot (`MAX_MEASUREMENT_SIZE`). @see rmm-abi.md §6.1 @since 0.1.0 */
export const MEASUREMENT_SLOT_SIZE = 64;
/** Number of measurement slots of a realm: RIM + 4 REMs. @see rmm-abi.md §6.1 @since 0.1.0 */
export const MEASUREMENT_SLOT_COUNT = 5;
/** Index of the RIM among the slots. @see rmm-abi.md §6.1 @since 0.1.0 */
export const RIM_MEASUREMENT_SLOT = 0;
/** Size of every measurement descriptor. @see rmm-abi.md §6.1 @since 0.1.0 */
export const MEASUREMENT_DESCRIPTOR_SIZE = 0x100;
/** The largest value RSI_MEASUREMENT_EXTEND takes, in bytes. @see rmm-abi.md §6.6 @since 0.1.0 */
export const MEASUREMENT_EXTEND_MAX_SIZE = 64;

/**
 * `desc_type` of the measurement descriptors.
 * @see rmm-abi.md §6.3-§6.5
 * @since 0.1.0
 */
export const MeasurementDescriptorType = {
  /** RmmMeasurementDescriptorData (DATA_CREATE). */
  Data: 0,
  /** RmmMeasurementDescriptorRec (REC_CREATE of a runnable REC). */
  Rec: 1,
  /** RmmMeasurementDescriptorRipas (RTT_INIT_RIPAS, per RTTE). */
  Ripas: 2,
} as const;
/** A measurement descriptor type. @see rmm-abi.md §6 @since 0.1.0 */
export type MeasurementDescriptorType =
  (typeof MeasurementDescriptorType)[keyof typeof MeasurementDescriptorType];

/**
 * A realm's measurement algorithm bound to a crypto provider: what every measurement function
 * takes first (TF-RMM passes `rd->algorithm`).
 * @see rmm-abi.md §6.1
 * @since 0.1.0
 */
export interface MeasurementHash {
  /** The realm's RmiHashAlgorithm. */
  readonly algo: RmiHashAlgorithm;
  /** The provider that computes `H()`. */
  readonly crypto: CryptoProvider;
}

/**
 * Binds a hash algorithm to a crypto provider.
 * @example
 * ```ts
 * const h = measurementHash(RmiHashAlgorithm.Sha256, defaultCrypto());
 * ```
 * @see rmm-abi.md §6.1
 * @since 0.1.0
 */
export function measurementHash(algo: RmiHashAlgorithm, crypto: CryptoProvider): MeasurementHash {
  return { algo, crypto };
}

/** `H()` of the realm's algorithm. */
function digest(h: MeasurementHash, data: Uint8Array): Bytes {
  return h.crypto.hash(h.algo === RmiHashAlgorithm.Sha256 ? 'sha256' : 'sha512', data);
}

/** A fresh 64-byte slot holding `hash` (32 or 64 bytes) followed by zeros. */
function toSlot(hash: Uint8Array): Bytes {
  const slot = new Uint8Array(MEASUREMENT_SLOT_SIZE);
  slot.set(hash.length <= MEASUREMENT_SLOT_SIZE ? hash : hash.subarray(0, MEASUREMENT_SLOT_SIZE));
  return slot;
}

/** Checks a 64-byte measurement slot argument. */
function checkSlot(slot: Uint8Array, name: string): void {
  if (slot.length !== MEASUREMENT_SLOT_SIZE) {
    throw new RangeError(`${name} must be a ${MEASUREMENT_SLOT_SIZE}-byte measurement slot`);
  }
}

/** Writes an address below 2^53 as a little-endian u64 (two 32-bit halves, no bigint). */
function setAddress(v: DataView, offset: number, value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} ${value} is not a non-negative safe integer`);
  }
  v.setUint32(offset, value % 0x1_0000_0000, true);
  v.setUint32(offset + 4, Math.floor(value / 0x1_0000_0000), true);
}

/**
 * A zeroed descriptor with `desc_type`, `len` and the first `hash_len` bytes of the current RIM.
 */
function descriptor(
  h: MeasurementHash,
  type: MeasurementDescriptorType,
  rim: Uint8Array,
): { bytes: Bytes; view: DataView } {
  checkSlot(rim, 'rim');
  const bytes = new Uint8Array(MEASUREMENT_DESCRIPTOR_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint8(0x00, type);
  view.setUint32(0x08, MEASUREMENT_DESCRIPTOR_SIZE, true);
  bytes.set(rim.subarray(0, hashDigestLength(h.algo)), 0x10);
  return { bytes, view };
}

/**
 * The initial RIM of REALM_CREATE (`measurement_realm_params_measure`): `H(P)` over the
 * 0x1000-byte image of the measured RmiRealmParams fields. `rpv`, `vmid` and the RTT fields are
 * not measured; the 32-bit fields are measured at TF-RMM's read width (u32).
 * @param h - the realm's algorithm (the validated `params.hashAlgo`).
 * @param params - the decoded RmiRealmParams.
 * @returns the RIM slot.
 * @throws {RangeError} when a field does not fit its width (cannot happen for decoded params).
 * @see rmm-abi.md §6.2
 * @since 0.1.0
 */
export function measureRealmCreate(h: MeasurementHash, params: RealmParams): Bytes {
  const p = new Uint8Array(REALM_PARAMS_SIZE);
  const v = new DataView(p.buffer);
  v.setBigUint64(0x00, BigInt.asUintN(64, params.flags), true);
  v.setUint32(0x08, params.s2sz, true);
  v.setUint32(0x10, params.sveVl, true);
  v.setUint32(0x18, params.numBps, true);
  v.setUint32(0x20, params.numWps, true);
  v.setUint32(0x28, params.pmuNumCtrs, true);
  v.setUint8(0x30, params.hashAlgo);
  return toSlot(digest(h, p));
}

/**
 * The RIM after DATA_CREATE (`measurement_data_granule_measure`): the hash of an
 * RmmMeasurementDescriptorData. Also extends the RIM when the content is not measured
 * (`flags` = RMI_NO_MEASURE_CONTENT), with a zero content field.
 * @param h - the realm's algorithm.
 * @param rim - the current RIM slot (64 bytes).
 * @param ipa - the IPA the data is mapped at (`map_addr`).
 * @param flags - RmiDataMeasureContent, as passed in X5.
 * @param content - the 4 KiB granule contents; required when `flags` is MEASURE.
 * @returns the new RIM slot.
 * @throws {RangeError} when `rim` is not 64 bytes, or `content` is missing or not 4 KiB when
 * measured.
 * @see rmm-abi.md §6.3
 * @since 0.1.0
 */
export function measureDataCreate(
  h: MeasurementHash,
  rim: Uint8Array,
  ipa: number,
  flags: RmiDataMeasureContent,
  content?: Uint8Array,
): Bytes {
  checkSlot(rim, 'rim');
  return toSlot(dataDescriptorDigest(h, rim, 0, ipa, flags, contentDigest(h, flags, content)));
}

/**
 * {@link measureDataCreate} in place, for RMI_DATA_CREATE: the RIM slot of a realm's measurement
 * block ({@link MEASUREMENT_SLOT_COUNT} slots of 64 bytes, the RIM at
 * {@link RIM_MEASUREMENT_SLOT}) becomes the new RIM, its tail past `hash_len` zero, without a
 * slot view or an intermediate slot. The same bytes as
 * `rim.set(measureDataCreate(h, rim, ipa, flags, content))`; nothing is written unless every
 * check passed.
 * @param measurements - the realm's measurement block.
 * @throws {RangeError} when `measurements` is not a measurement block, or as
 * {@link measureDataCreate}.
 * @see rmm-abi.md §6.1, §6.3
 * @since 0.4.0
 */
export function extendRimDataCreate(
  h: MeasurementHash,
  measurements: Uint8Array,
  ipa: number,
  flags: RmiDataMeasureContent,
  content?: Uint8Array,
): void {
  extendRimDataCreateDigest(h, measurements, ipa, flags, contentDigest(h, flags, content));
}

/**
 * {@link extendRimDataCreate} with the content digest `H(content)` already computed (by a
 * `DigestOffload`); `undefined` for an unmeasured DATA_CREATE.
 * @throws {RangeError} when `measurements` is not a measurement block or `digest` is missing for
 * a measured one.
 * @see rmm-abi.md §6.3
 * @since 0.4.0
 */
export function extendRimDataCreateDigest(
  h: MeasurementHash,
  measurements: Uint8Array,
  ipa: number,
  flags: RmiDataMeasureContent,
  digest: Uint8Array | undefined,
): void {
  if (measurements.length !== MEASUREMENT_BLOCK_SIZE) {
    throw new RangeError(`measurements must be a ${MEASUREMENT_BLOCK_SIZE}-byte measurement block`);
  }
  const at = RIM_MEASUREMENT_SLOT * MEASUREMENT_SLOT_SIZE;
  const next = dataDescriptorDigest(h, measurements, at, ipa, flags, digest);
  // No reads past the digest's end: an out-of-bounds typed-array read takes V8's slow path.
  const len = Math.min(next.length, MEASUREMENT_SLOT_SIZE);
  for (let i = 0; i < len; i++) measurements[at + i] = next[i]!;
  for (let i = len; i < MEASUREMENT_SLOT_SIZE; i++) measurements[at + i] = 0;
}

/** `H(content)` of a measured DATA_CREATE, `undefined` of an unmeasured one. */
function contentDigest(
  h: MeasurementHash,
  flags: RmiDataMeasureContent,
  content: Uint8Array | undefined,
): Uint8Array | undefined {
  if (flags !== RmiDataMeasureContent.Measure) return undefined;
  if (content?.length !== GRANULE_SIZE) {
    throw new RangeError('measured DATA_CREATE content must be one 4 KiB granule');
  }
  return digest(h, content);
}

const MEASUREMENT_BLOCK_SIZE = MEASUREMENT_SLOT_COUNT * MEASUREMENT_SLOT_SIZE;

/**
 * `H(RmmMeasurementDescriptorData)`: the digest both {@link measureDataCreate} and
 * {@link extendRimDataCreate} store. The current RIM is the checked slot at `rim[at..at + 64)`.
 */
function dataDescriptorDigest(
  h: MeasurementHash,
  rim: Uint8Array,
  at: number,
  ipa: number,
  flags: RmiDataMeasureContent,
  contentHash: Uint8Array | undefined,
): Bytes {
  // The hot path of a realm image load (16384 calls per 64 MiB): the descriptor is built in a
  // module scratch buffer, never handed out, instead of a fresh buffer and DataView per call.
  const bytes = dataDescriptor;
  dataDescriptorTemplate(bytes, ipa, flags);
  const len = hashDigestLength(h.algo);
  for (let i = 0; i < len; i++) bytes[DATA_DESCRIPTOR_RIM_OFFSET + i] = rim[at + i]!;
  if (flags === RmiDataMeasureContent.Measure) {
    if (contentHash === undefined) throw new RangeError('measured DATA_CREATE needs its content');
    const n = Math.min(contentHash.length, MEASUREMENT_SLOT_SIZE);
    for (let i = 0; i < n; i++) bytes[DATA_DESCRIPTOR_CONTENT_OFFSET + i] = contentHash[i]!;
  }
  return digest(h, bytes);
}

/**
 * Offset in RmmMeasurementDescriptorData of the current RIM (`rim`, hash_len bytes).
 * @see rmm-abi.md §6.3
 * @since 0.4.0
 */
export const DATA_DESCRIPTOR_RIM_OFFSET = 0x10;
/**
 * Offset in RmmMeasurementDescriptorData of the content digest (`content`, zero unless measured).
 * @see rmm-abi.md §6.3
 * @since 0.4.0
 */
export const DATA_DESCRIPTOR_CONTENT_OFFSET = 0x60;

/**
 * Writes the RmmMeasurementDescriptorData of a DATA_CREATE of `ipa` into `out` (256 bytes):
 * `desc_type`, `len`, `ipa` and `flags`, with the RIM and content-digest fields zero for the caller
 * to fill ({@link DATA_DESCRIPTOR_RIM_OFFSET}, {@link DATA_DESCRIPTOR_CONTENT_OFFSET}). Every byte
 * is written, so `out` may be reused.
 * @throws {RangeError} when `out` is not 256 bytes or `ipa` is not a non-negative safe integer.
 * @see rmm-abi.md §6.3
 * @since 0.4.0
 */
export function dataDescriptorTemplate(
  out: Uint8Array,
  ipa: number,
  flags: RmiDataMeasureContent,
): void {
  if (out.length !== MEASUREMENT_DESCRIPTOR_SIZE) {
    throw new RangeError(`a measurement descriptor is ${MEASUREMENT_DESCRIPTOR_SIZE} bytes`);
  }
  // `fill` (~30 ns for 256 bytes on Node 20) and byte stores, no `DataView`: an image load makes
  // 16384 of these.
  out.fill(0);
  out[0x00] = MeasurementDescriptorType.Data;
  out[0x09] = MEASUREMENT_DESCRIPTOR_SIZE >>> 8;
  if (!Number.isSafeInteger(ipa) || ipa < 0) {
    throw new RangeError(`ipa ${ipa} is not a non-negative safe integer`);
  }
  const lo = ipa % 0x1_0000_0000;
  const hi = (ipa - lo) / 0x1_0000_0000;
  out[0x50] = lo & 0xff;
  out[0x51] = (lo >>> 8) & 0xff;
  out[0x52] = (lo >>> 16) & 0xff;
  out[0x53] = lo >>> 24;
  out[0x54] = hi & 0xff;
  out[0x55] = (hi >>> 8) & 0xff;
  out[0x56] = hi >>> 16;
  out[0x58] = flags;
}

/**
 * The scratch RmmMeasurementDescriptorData of {@link measureDataCreate}: every field rewritten on
 * every call and only ever passed to `H()`, which does not call back, so one buffer is safe in
 * this single-threaded model (noble-hashes keeps its message schedules the same way).
 */
const dataDescriptor = new Uint8Array(MEASUREMENT_DESCRIPTOR_SIZE);

/**
 * The RIM after REC_CREATE of a runnable REC (`measurement_rec_params_measure`): the hash of an
 * RmmMeasurementDescriptorRec whose content is `H(R)`, R the 0x1000-byte RmiRecParams image with
 * only `flags`, `pc` and `gprs[0..7]`. The caller measures RUNNABLE RECs only.
 * @param h - the realm's algorithm.
 * @param rim - the current RIM slot.
 * @param params - the decoded RmiRecParams (`mpidr`, `num_aux` and `aux` are not measured).
 * @returns the new RIM slot.
 * @throws {RangeError} when `rim` is not 64 bytes or `params.gprs` has more than 8 values.
 * @see rmm-abi.md §6.4
 * @since 0.1.0
 */
export function measureRecCreate(h: MeasurementHash, rim: Uint8Array, params: RecParams): Bytes {
  if (params.gprs.length > 8) throw new RangeError('RmiRecParams has 8 gprs');
  const r = new Uint8Array(REC_PARAMS_SIZE);
  const rv = new DataView(r.buffer);
  rv.setBigUint64(0x000, BigInt.asUintN(64, params.flags), true);
  rv.setBigUint64(0x200, BigInt.asUintN(64, params.pc), true);
  params.gprs.forEach((x, i) => {
    rv.setBigUint64(0x300 + 8 * i, BigInt.asUintN(64, x), true);
  });
  const { bytes } = descriptor(h, MeasurementDescriptorType.Rec, rim);
  bytes.set(digest(h, r), 0x50);
  return toSlot(digest(h, bytes));
}

/**
 * The RIM after RTT_INIT_RIPAS processed one RTT entry (`measurement_init_ripas_measure`): the
 * hash of an RmmMeasurementDescriptorRipas. RTT_INIT_RIPAS calls this once per entry, in
 * ascending order, with `top - base` the block size of the level at which the walk stopped (4 KiB
 * at level 3, 2 MiB at level 2, 1 GiB at level 1): the RIM depends on the RTT shape.
 * @param h - the realm's algorithm.
 * @param rim - the current RIM slot.
 * @param base - the entry's base IPA.
 * @param top - the entry's end IPA (`base` + block size).
 * @returns the new RIM slot.
 * @throws {RangeError} when `rim` is not 64 bytes or an address is not a safe integer.
 * @see rmm-abi.md §6.5
 * @since 0.1.0
 */
export function measureRipas(
  h: MeasurementHash,
  rim: Uint8Array,
  base: number,
  top: number,
): Bytes {
  const { bytes, view } = descriptor(h, MeasurementDescriptorType.Ripas, rim);
  setAddress(view, 0x50, base, 'base');
  setAddress(view, 0x58, top, 'top');
  return toSlot(digest(h, bytes));
}

/**
 * Extends a REM (RSI_MEASUREMENT_EXTEND): `H(REM[0:hash_len] || value)`. (veraison's
 * `rem_extend` differs; this is TF-RMM's.)
 * @param h - the realm's algorithm.
 * @param rem - the current REM slot (64 bytes).
 * @param value - 0..64 bytes (the LE bytes of X3..X10, `size` long).
 * @returns the new REM slot.
 * @throws {RangeError} when `rem` is not 64 bytes or `value` is longer than 64 bytes.
 * @see rmm-abi.md §6.6
 * @since 0.1.0
 */
export function extendRem(h: MeasurementHash, rem: Uint8Array, value: Uint8Array): Bytes {
  checkSlot(rem, 'rem');
  if (value.length > MEASUREMENT_EXTEND_MAX_SIZE) {
    throw new RangeError(`a REM extension is at most ${MEASUREMENT_EXTEND_MAX_SIZE} bytes`);
  }
  const len = hashDigestLength(h.algo);
  const buf = new Uint8Array(len + value.length);
  buf.set(rem.subarray(0, len));
  buf.set(value, len);
  return toSlot(digest(h, buf));
}
