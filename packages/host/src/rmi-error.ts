/**
 * The error of a refused RMI command: the driver turns every non-success X0 into one.
 * @module
 */
import { type RmiCommandName, RmiStatus, unpackReturnCode } from '@islet/abi';
import { IsletError } from '@islet/arch';

const STATUS_NAMES: Readonly<Record<number, string>> = {
  [RmiStatus.Success]: 'RMI_SUCCESS',
  [RmiStatus.ErrorInput]: 'RMI_ERROR_INPUT',
  [RmiStatus.ErrorRealm]: 'RMI_ERROR_REALM',
  [RmiStatus.ErrorRec]: 'RMI_ERROR_REC',
  [RmiStatus.ErrorRtt]: 'RMI_ERROR_RTT',
};

/**
 * The spec name of an RMI status, or `undefined` for a value RMM 1.0 does not define.
 * @since 0.1.0
 */
export function rmiStatusName(status: number): string | undefined {
  return STATUS_NAMES[status];
}

/**
 * An RMI command returned something other than RMI_SUCCESS. `status` and `index` are the unpacked
 * X0 (`status` is `undefined` when X0 is not an RMM 1.0 return code, e.g. `SMC_UNKNOWN`).
 * @since 0.1.0
 */
export class RmiCallError extends IsletError<'HOST_RMI_FAILED'> {
  override name = 'Host.RmiCallError';
  /** The command that failed. */
  readonly command: RmiCommandName;
  /** The RMI status, when X0 is a return code. */
  readonly status: RmiStatus | undefined;
  /** The index of the return code (an RTT level for RMI_ERROR_RTT). */
  readonly index: number | undefined;
  /** X0 as returned. */
  readonly x0: bigint;
  /** The input registers X1.. of the call. */
  readonly args: readonly bigint[];

  constructor(command: RmiCommandName, x0: bigint, args: readonly bigint[]) {
    const code = unpackReturnCode(x0);
    const what =
      code === undefined
        ? `X0 = 0x${x0.toString(16)}, not an RMI return code`
        : `${rmiStatusName(code.status)} (status ${code.status}, index ${code.index})`;
    super('HOST_RMI_FAILED', `${command} failed: ${what}`, {
      details: `X1.. = ${args.map((a) => `0x${a.toString(16)}`).join(', ') || 'none'}`,
    });
    this.command = command;
    this.status = code?.status;
    this.index = code?.index;
    this.x0 = x0;
    this.args = args;
  }
}

/**
 * The level at which an RMI_ERROR_RTT says the walk stopped short of level 3, i.e. below which
 * tables are missing; `undefined` for any other failure.
 */
export function missingRttLevel(err: unknown, levelStart: number): number | undefined {
  if (!(err instanceof RmiCallError) || err.status !== RmiStatus.ErrorRtt) return undefined;
  const level = err.index ?? -1;
  return level >= levelStart && level < 3 ? level : undefined;
}
