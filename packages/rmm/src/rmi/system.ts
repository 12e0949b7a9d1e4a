/**
 * The system commands: RMI_VERSION and RMI_FEATURES (TF-RMM `runtime/rmi/system.c`,
 * `runtime/rmi/feature.c`).
 * @module
 */
import { RMI_ABI_VERSION, type RmiArgs, type RmiReturnCode } from '@islet/abi';
import { RMI_ERROR_INPUT, RMI_SUCCESS, type RmiContext, type RmiResultRegs } from './context.ts';

const VERSION: bigint = BigInt(RMI_ABI_VERSION);

/**
 * RMI_VERSION: X1 = lower and X2 = higher supported version, both 0x10000 (1.0) always; X0 =
 * SUCCESS when the requested version (X1, compared as a full 64-bit value) is exactly 1.0, else
 * RMI_ERROR_INPUT.
 *
 * ```text
 * X0 = RMI_SUCCESS if X1 == 0x10000 else RMI_ERROR_INPUT. Always X1 = X2 = 0x10000.
 * ```
 * @see rmm-abi.md §2.1
 * @since 0.1.0
 */
export function rmiVersion(_ctx: RmiContext, args: RmiArgs, res: RmiResultRegs): RmiReturnCode {
  res[1] = VERSION;
  res[2] = VERSION;
  return args[0] === VERSION ? RMI_SUCCESS : RMI_ERROR_INPUT;
}

/**
 * RMI_FEATURES: X1 = feature register 0 for index 0 (X1), 0 for any other index; always SUCCESS.
 * @see rmm-abi.md §2.2, §3.6, §11.11
 * @since 0.1.0
 */
export function rmiFeatures(ctx: RmiContext, args: RmiArgs, res: RmiResultRegs): RmiReturnCode {
  res[1] = args[0] === 0n ? ctx.featureRegister0 : 0n;
  return RMI_SUCCESS;
}
