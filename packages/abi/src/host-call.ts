/**
 * RsiHostCall: the 256-byte structure in realm memory that RSI_HOST_CALL passes to the host.
 *
 * The digest's layout (0x100 bytes; must be 256-byte aligned in Realm IPA):
 *
 * ```text
 * | Offset | Field |
 * |---|---|
 * | 0x000 | imm (TF-RMM u32; spec 16 bits) |
 * | 0x008 | gprs[31] u64 (0x008..0x0FF) |
 * ```
 *
 * On the exit the RMM copies `imm` and `gprs[0..30]` into RmiRecExit; on the next REC_ENTER it
 * copies the host's `enter.gprs[0..30]` back into `gprs` (rmm-abi.md §5.10).
 * @module
 */
import type { Bytes } from '@islet/arch';
import { checkUint, readU64s, structView, writeU64s } from './internal/codec.ts';

/** Size (and required IPA alignment) of RsiHostCall. @see rmm-abi.md §3.5 @since 0.1.0 */
export const HOST_CALL_SIZE = 0x100;
/** Number of general-purpose registers in RsiHostCall. @see rmm-abi.md §3.5 @since 0.1.0 */
export const HOST_CALL_NR_GPRS = 31;

/**
 * Offset and size (bytes, at TF-RMM's width) of every field of RsiHostCall.
 * @see rmm-abi.md §3.5
 * @since 0.1.0
 */
export const HOST_CALL_LAYOUT = {
  imm: { offset: 0x000, size: 4 },
  gprs: { offset: 0x008, size: 0xf8 },
} as const;

/**
 * RsiHostCall as it is in memory.
 * @see rmm-abi.md §3.5
 * @since 0.1.0
 */
export interface HostCall {
  /** `imm` u32 @ 0x000 (TF-RMM width; the spec's is 16 bits). */
  readonly imm: number;
  /** `gprs[31]` u64 @ 0x008. */
  readonly gprs: readonly bigint[];
}

const L = HOST_CALL_LAYOUT;

/**
 * Decodes RsiHostCall from its 0x100 bytes. Never throws on content.
 * @throws {RangeError} when `bytes` is not 0x100 bytes long.
 * @see rmm-abi.md §3.5
 * @since 0.1.0
 */
export function decodeHostCall(bytes: Uint8Array): HostCall {
  const v = structView(bytes, HOST_CALL_SIZE, 'RsiHostCall');
  return {
    imm: v.getUint32(L.imm.offset, true),
    gprs: readU64s(v, L.gprs.offset, HOST_CALL_NR_GPRS),
  };
}

/**
 * Writes the fields of RsiHostCall into `out` (0x100 bytes); bytes 4..7 are left as they are.
 * @throws {RangeError} when `out` is not 0x100 bytes, `gprs` is not 31 values or a value does not fit.
 * @see rmm-abi.md §3.5
 * @since 0.1.0
 */
export function writeHostCall(out: Uint8Array, call: HostCall): void {
  const v = structView(out, HOST_CALL_SIZE, 'RsiHostCall');
  v.setUint32(L.imm.offset, checkUint(call.imm, 32, 'imm'), true);
  writeU64s(v, L.gprs.offset, call.gprs, HOST_CALL_NR_GPRS, 'gprs');
}

/**
 * Encodes RsiHostCall into fresh zeroed 0x100 bytes.
 * @throws {RangeError} as {@link writeHostCall}.
 * @see rmm-abi.md §3.5
 * @since 0.1.0
 */
export function encodeHostCall(call: HostCall): Bytes {
  const out = new Uint8Array(HOST_CALL_SIZE);
  writeHostCall(out, call);
  return out;
}
