/**
 * How RMI handlers reach memory: NS input structures are copied in once from the host's PAS
 * (TF-RMM `ns_buffer_read`), and the RMM's own granules are reached through their Realm-PAS view.
 *
 * ```text
 * NS buffers (params, run, src): must be tracked by RMM in state NS (a delegated/realm granule
 * fails immediately); a Secure/Root-PAS granule is still "NS" in RMM's table, so the failure is
 * only detected when the copy takes a GPF (ns_buffer_read/ns_buffer_write return false →
 * RMI_ERROR_INPUT).
 * ```
 * @module
 */
import { GranuleState, MemoryAccess, World } from '@islet/abi';
import { assert, GRANULE_SIZE, type PhysAddr } from '@islet/arch';
import { isZeroGranule, NO_GRANULE } from '../granule/granule-table.ts';
import type { RmiContext } from './context.ts';

/**
 * Copies the 4 KiB NS granule whose address is in register `x` into a fresh buffer, reading host
 * memory exactly once. Returns `undefined` (→ RMI_ERROR_INPUT) when `x` has no granule, the
 * granule is not UNDELEGATED in the RMM's table, or the copy faults (Secure/Root/Realm PAS).
 * @see rmm-abi.md §1.5
 * @since 0.2.0
 */
export function copyInNsGranule(ctx: RmiContext, x: bigint): Uint8Array<ArrayBuffer> | undefined {
  const idx = ctx.granules.findFromRegister(x);
  if (idx === NO_GRANULE || ctx.granules.states[idx] !== GranuleState.Undelegated) {
    return undefined;
  }
  const buf = new Uint8Array(GRANULE_SIZE);
  const r = ctx.memory.read(World.Normal, ctx.granules.address(idx), buf);
  return r === MemoryAccess.Ok ? buf : undefined;
}

/**
 * The Realm-PAS view of a granule the RMM owns.
 * @throws {@link IsletInvariantError} when the memory port will not show it to the Realm world.
 * @since 0.2.0
 */
export function realmView(ctx: RmiContext, pa: PhysAddr): Uint8Array {
  const view = ctx.memory.granule(World.Realm, pa);
  assert(
    view !== undefined,
    () => `granule 0x${pa.toString(16)} is not accessible in the Realm PAS`,
  );
  return view;
}

/**
 * Zeroes granule `idx` in the Realm PAS (on DELEGATE, and before it returns to DELEGATED). The
 * memory skips the fill when it knows the granule is still zero (a granule scrubbed when it left
 * a realm and delegated again).
 * @throws {@link IsletInvariantError} when the memory port refuses the Realm world the granule.
 * @since 0.2.0
 */
export function scrubGranule(ctx: RmiContext, idx: number): void {
  const pa = ctx.granules.address(idx);
  const r = ctx.memory.zero(World.Realm, pa, GRANULE_SIZE);
  assert(r === MemoryAccess.Ok, () => `granule 0x${pa.toString(16)} cannot be zeroed (${r})`);
}

/**
 * Whether granule `idx` reads as zero in the Realm PAS, through a copy (a live view would make
 * the memory forget that the granule is known zero).
 * @since 0.7.0
 */
export function isZeroInRealmPas(ctx: RmiContext, idx: number): boolean {
  const r = ctx.memory.read(World.Realm, ctx.granules.address(idx), scratch);
  return r === MemoryAccess.Ok && isZeroGranule(scratch);
}

/** {@link isZeroInRealmPas}'s copy. */
const scratch = new Uint8Array(GRANULE_SIZE);
