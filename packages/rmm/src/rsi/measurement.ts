/**
 * RSI_MEASUREMENT_READ and RSI_MEASUREMENT_EXTEND (TF-RMM `runtime/rsi/realm_attest.c`): reading
 * the RIM and the REMs, and extending a REM.
 *
 * ```text
 * MEASUREMENT_READ: index ≥ 5 → INPUT. Else X1..X8 = the 64-byte measurement slot as 8
 * little-endian u64 words (slot 0 = RIM, 1..4 = REM[0..3]); for SHA-256, bytes 32..63 are zero
 * → X5..X8 = 0.
 * MEASUREMENT_EXTEND: index == 0 or ≥ 5 → INPUT; size > 64 → INPUT. Else
 * slot = H(slot[0:hash_len] || bytes(X3..X10)[0:size]) (value bytes = LE bytes of X3, X4, …;
 * size 0 allowed → H(slot)). Only hash_len bytes of the slot are rewritten.
 * ```
 * @module
 */
import { type RsiOutcome, RsiStatus } from '@islet/abi';
import {
  extendRem,
  MEASUREMENT_EXTEND_MAX_SIZE,
  MEASUREMENT_SLOT_COUNT,
  MEASUREMENT_SLOT_SIZE,
} from '../measurement/measurement.ts';
import { type RsiCall, type RsiContext, type RsiResultRegs, rsiReturn } from './context.ts';

const SLOTS = BigInt(MEASUREMENT_SLOT_COUNT);
const WORDS = MEASUREMENT_SLOT_SIZE / 8;

/**
 * RSI_MEASUREMENT_READ(X1 index) → X1..X8 value.
 * @see rmm-abi.md §5.3
 * @since 0.5.0
 */
export function rsiMeasurementRead(
  _ctx: RsiContext,
  call: RsiCall,
  res: RsiResultRegs,
): RsiOutcome {
  const index = call.args[0];
  if (index >= SLOTS) return rsiReturn(res, RsiStatus.ErrorInput);
  const m = call.realm.measurements;
  const v = new DataView(
    m.buffer,
    m.byteOffset + Number(index) * MEASUREMENT_SLOT_SIZE,
    MEASUREMENT_SLOT_SIZE,
  );
  for (let i = 0; i < WORDS; i++) res[1 + i] = v.getBigUint64(i * 8, true);
  return rsiReturn(res, RsiStatus.Success);
}

/**
 * RSI_MEASUREMENT_EXTEND(X1 index, X2 size, X3..X10 value).
 * @see rmm-abi.md §5.4, §6.6
 * @since 0.5.0
 */
export function rsiMeasurementExtend(
  _ctx: RsiContext,
  call: RsiCall,
  res: RsiResultRegs,
): RsiOutcome {
  const [index, size] = call.args;
  if (index === 0n || index >= SLOTS || size > BigInt(MEASUREMENT_EXTEND_MAX_SIZE)) {
    return rsiReturn(res, RsiStatus.ErrorInput);
  }
  const value = new Uint8Array(MEASUREMENT_EXTEND_MAX_SIZE);
  const v = new DataView(value.buffer);
  for (let i = 0; i < WORDS; i++) v.setBigUint64(i * 8, call.args[2 + i] ?? 0n, true);
  const { realm } = call;
  const off = Number(index) * MEASUREMENT_SLOT_SIZE;
  const slot = realm.measurements.subarray(off, off + MEASUREMENT_SLOT_SIZE);
  slot.set(extendRem(realm.hash, slot, value.subarray(0, Number(size))));
  return rsiReturn(res, RsiStatus.Success);
}
