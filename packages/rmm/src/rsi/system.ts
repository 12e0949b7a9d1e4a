/**
 * The system calls of a realm: RSI_VERSION, RSI_FEATURES (TF-RMM `runtime/rsi/system.c`,
 * `runtime/rsi/feature.c`) and SMCCC_VERSION (`runtime/core/exit.c handle_realm_rsi`).
 * @module
 */
import { RSI_ABI_VERSION, type RsiOutcome, RsiStatus, SMCCC_VERSION_1_2 } from '@islet/abi';
import {
  type RsiCall,
  type RsiContext,
  type RsiResultRegs,
  returnToRealm,
  rsiReturn,
} from './context.ts';

const VERSION: bigint = BigInt(RSI_ABI_VERSION);

/**
 * RSI_VERSION(X1 req_version) → X1 lower, X2 higher.
 *
 * ```text
 * X0 = SUCCESS if X1 == 0x10000 else RSI_ERROR_INPUT; X1 = X2 = 0x10000.
 * ```
 * @see rmm-abi.md §5.1
 * @since 0.5.0
 */
export function rsiVersion(_ctx: RsiContext, call: RsiCall, res: RsiResultRegs): RsiOutcome {
  res[1] = VERSION;
  res[2] = VERSION;
  return rsiReturn(res, call.args[0] === VERSION ? RsiStatus.Success : RsiStatus.ErrorInput);
}

/**
 * RSI_FEATURES(X1 index) → X1 value: 0 for every index, SUCCESS (RMM 1.0 defines no RSI feature).
 * @see rmm-abi.md §5.2, §11.11
 * @since 0.5.0
 */
export function rsiFeatures(_ctx: RsiContext, _call: RsiCall, res: RsiResultRegs): RsiOutcome {
  res[1] = 0n;
  return rsiReturn(res, RsiStatus.Success);
}

/**
 * SMCCC_VERSION → X0 = 0x10002 (SMCCC v1.2).
 * @see rmm-abi.md §1.4
 * @since 0.5.0
 */
export function smcccVersion(_ctx: RsiContext, _call: RsiCall, res: RsiResultRegs): RsiOutcome {
  res[0] = BigInt(SMCCC_VERSION_1_2);
  return returnToRealm(res);
}
