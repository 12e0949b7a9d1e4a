/**
 * RMI_GRANULE_DELEGATE and RMI_GRANULE_UNDELEGATE (TF-RMM `runtime/rmi/granule.c`): moving a
 * granule between the host (UNDELEGATED, GPI NS) and the RMM (DELEGATED, GPI Realm).
 *
 * The digest (rmm-abi.md §2.3, §2.4), in TF-RMM's evaluation order:
 *
 * ```text
 * DELEGATE:   (1) addr align/bound/state≠UNDELEGATED(NS) → INPUT;
 *             (2) EL3 RMM_GTSI_DELEGATE(addr) ≠ 0 (e.g. granule is Secure/Root PAS) → INPUT.
 *             Success: state DELEGATED, granule zero-filled.
 * UNDELEGATE: (1) align/bound/state≠DELEGATED → INPUT;
 *             (2) EL3 undelegate fails → TF-RMM panics (cannot happen for a DELEGATED granule).
 *             Success: state UNDELEGATED (content already zero by invariant).
 * ```
 *
 * ACS conditions covered: gran_align, gran_bound (device memory, outside the permitted PA),
 * gran_state (every other state), and for DELEGATE gran_gpt (Realm and Secure PAS) — all
 * RMI_ERROR_INPUT with index 0.
 *
 * **Panics**: a failed RMM_GTSI_UNDELEGATE of a DELEGATED granule, a DELEGATED granule that is not
 * zero, or a granule the memory port will not show to the Realm world after a successful
 * delegation are broken invariants of the composed platform; they throw
 * {@link IsletInvariantError}, as TF-RMM panics or asserts.
 * @module
 */

import { GranuleState, type RmiArgs, type RmiReturnCode, RmmEl3Status } from '@islet/abi';
import { assert } from '@islet/arch';
import { NO_GRANULE } from '../granule/granule-table.ts';
import { RMI_ERROR_INPUT, RMI_SUCCESS, type RmiContext, type RmiResultRegs } from './context.ts';
import { isZeroInRealmPas, scrubGranule } from './memory.ts';

/**
 * RMI_GRANULE_DELEGATE(X1 addr).
 * @see rmm-abi.md §2.3
 * @since 0.1.0
 */
export function rmiGranuleDelegate(
  ctx: RmiContext,
  args: RmiArgs,
  _res: RmiResultRegs,
): RmiReturnCode {
  const { granules } = ctx;
  const idx = granules.findFromRegister(args[0]);
  if (idx === NO_GRANULE || granules.states[idx] !== GranuleState.Undelegated) {
    return RMI_ERROR_INPUT;
  }
  const pa = granules.address(idx);
  if (ctx.el3.gtsiDelegate(pa) !== RmmEl3Status.Ok) return RMI_ERROR_INPUT;
  granules.transition(idx, GranuleState.Undelegated, GranuleState.Delegated);
  scrubGranule(ctx, idx);
  return RMI_SUCCESS;
}

/**
 * RMI_GRANULE_UNDELEGATE(X1 addr).
 * @see rmm-abi.md §2.4
 * @since 0.1.0
 */
export function rmiGranuleUndelegate(
  ctx: RmiContext,
  args: RmiArgs,
  _res: RmiResultRegs,
): RmiReturnCode {
  const { granules } = ctx;
  const idx = granules.findFromRegister(args[0]);
  if (idx === NO_GRANULE || granules.states[idx] !== GranuleState.Delegated) {
    return RMI_ERROR_INPUT;
  }
  const pa = granules.address(idx);
  // The invariant, checked on the bytes: this also audits the memory's known-zero tracking that
  // lets DELEGATE skip refilling a scrubbed granule.
  assert(isZeroInRealmPas(ctx, idx), () => `DELEGATED granule 0x${pa.toString(16)} is not zero`);
  const status = ctx.el3.gtsiUndelegate(pa);
  assert(
    status === RmmEl3Status.Ok,
    () => `RMM_GTSI_UNDELEGATE of DELEGATED granule 0x${pa.toString(16)} failed (${status})`,
  );
  granules.transition(idx, GranuleState.Delegated, GranuleState.Undelegated);
  return RMI_SUCCESS;
}
