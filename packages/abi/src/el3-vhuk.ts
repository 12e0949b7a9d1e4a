/**
 * `RMM_ISLET_GET_VHUK`: Islet's vendor RMM-EL3 call through which the RMM gets the virtual
 * hardware unique keys (VHUK_A, VHUK_M) that HES derives, to derive realm sealing keys from. The
 * RMM asks for both at cold boot and keeps them (Islet `rmm/src/rmm_el3/iface.rs get_vhuks`); TF-A
 * (Islet's `hes` branch) answers from the root of trust.
 *
 * ```text
 * RMM_ISLET_GET_VHUK 0xC70001B0: x1 = key id (1 VHUK_A, 2 VHUK_M)
 *   → x0 = E_RMM_OK | E_RMM_INVAL (other id) | E_RMM_UNK (the root of trust failed),
 *     x1..x4 = the 32-byte key as four little-endian u64 words.
 * ```
 *
 * An EL3 without the service (TF-A upstream) answers SMC_UNKNOWN; at the {@link El3VhukService}
 * port that is an EL3 object without `getVhuk`.
 * @see islet-reference.md §2.9, §2.10; Islet `doc/components/sealing.md`
 * @module
 */
import type { RmmEl3Status } from './el3-fid.ts';
import { ISLET_RMM_EL3_FID } from './islet-fid.ts';

/**
 * `RMM_ISLET_GET_VHUK` = 0xC70001B0.
 * @since 0.7.0
 */
export const SMC_RMM_ISLET_GET_VHUK: number = ISLET_RMM_EL3_FID(0x0);

/**
 * The key ids of `RMM_ISLET_GET_VHUK` x1 (TF-A `RMM_ISLET_VHUK_A`, `RMM_ISLET_VHUK_M`).
 * @since 0.7.0
 */
export const RmmIsletVhukId = {
  /** VHUK_A: bound to the firmware's signing authorities (survives signed updates). */
  A: 1,
  /** VHUK_M: bound to the firmware's measurements. */
  M: 2,
} as const;
/** A VHUK key id. @since 0.7.0 */
export type RmmIsletVhukId = (typeof RmmIsletVhukId)[keyof typeof RmmIsletVhukId];

/**
 * Bytes of a VHUK (`RMM_ISLET_VHUK_SIZE`): four registers.
 * @since 0.7.0
 */
export const RMM_ISLET_VHUK_SIZE = 32;

/**
 * What `RMM_ISLET_GET_VHUK` returns: the key with `Ok`, nothing otherwise.
 * @since 0.7.0
 */
export type El3VhukResult =
  | { readonly status: typeof RmmEl3Status.Ok; readonly key: Uint8Array }
  | { readonly status: Exclude<RmmEl3Status, typeof RmmEl3Status.Ok> };

/**
 * The EL3 side of `RMM_ISLET_GET_VHUK`, as the RMM calls it.
 * @since 0.7.0
 */
export interface El3VhukService {
  /**
   * x1 = `id`: the key, {@link RMM_ISLET_VHUK_SIZE} bytes; `Inval` for an id other than 1 or 2,
   * `Unknown` when the root of trust fails.
   */
  getVhuk(id: number): El3VhukResult;
}

/**
 * x1..x4 of a successful `RMM_ISLET_GET_VHUK`: the key as four little-endian u64 words.
 * @throws {RangeError} when `key` is not {@link RMM_ISLET_VHUK_SIZE} bytes.
 * @since 0.7.0
 */
export function vhukToRegisters(key: Uint8Array): [bigint, bigint, bigint, bigint] {
  if (key.length !== RMM_ISLET_VHUK_SIZE) {
    throw new RangeError(`a VHUK is ${RMM_ISLET_VHUK_SIZE} bytes, not ${key.length}`);
  }
  const v = new DataView(key.buffer, key.byteOffset, key.byteLength);
  return [
    v.getBigUint64(0, true),
    v.getBigUint64(8, true),
    v.getBigUint64(16, true),
    v.getBigUint64(24, true),
  ];
}

/**
 * The key in x1..x4 of a successful `RMM_ISLET_GET_VHUK` (each register taken modulo 2^64).
 * @since 0.7.0
 */
export function vhukFromRegisters(x1: bigint, x2: bigint, x3: bigint, x4: bigint): Uint8Array {
  const key = new Uint8Array(RMM_ISLET_VHUK_SIZE);
  const v = new DataView(key.buffer);
  [x1, x2, x3, x4].forEach((x, i) => {
    v.setBigUint64(i * 8, BigInt.asUintN(64, x), true);
  });
  return key;
}
