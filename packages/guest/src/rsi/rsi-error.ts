/**
 * The error an RSI call ends in when the RMM does not answer success: the command and the status
 * it returned, by their spec names.
 * @module
 */
import { type IsletRsiCommandName, type RsiCommandName, RsiStatus, SMC_UNKNOWN } from '@islet/abi';
import { IsletError } from '@islet/arch';

/** A command the shim issues: an RMM 1.0 RSI command or one of Islet's vendor calls. @since 0.1.0 */
export type RsiShimCommand = RsiCommandName | IsletRsiCommandName;

/**
 * The stable codes of {@link RsiError}: one per RSI status that is not success, plus
 * `GUEST_RSI_NOT_SUPPORTED` (X0 = SMCCC NOT_SUPPORTED: the RMM does not know the FID),
 * `GUEST_RSI_STATUS_INVALID` (an X0 no spec defines) and `GUEST_RSI_RESULT_INVALID` (results the
 * command cannot return, e.g. a token chunk longer than the buffer; `status` then reads success).
 * @since 0.1.0
 */
export type RsiErrorCode =
  | 'GUEST_RSI_ERROR_INPUT'
  | 'GUEST_RSI_ERROR_STATE'
  | 'GUEST_RSI_INCOMPLETE'
  | 'GUEST_RSI_ERROR_UNKNOWN'
  | 'GUEST_RSI_NOT_SUPPORTED'
  | 'GUEST_RSI_STATUS_INVALID'
  | 'GUEST_RSI_RESULT_INVALID';

const BY_STATUS: ReadonlyMap<bigint, readonly [string, RsiErrorCode]> = new Map([
  [BigInt(RsiStatus.ErrorInput), ['RSI_ERROR_INPUT', 'GUEST_RSI_ERROR_INPUT']],
  [BigInt(RsiStatus.ErrorState), ['RSI_ERROR_STATE', 'GUEST_RSI_ERROR_STATE']],
  [BigInt(RsiStatus.Incomplete), ['RSI_INCOMPLETE', 'GUEST_RSI_INCOMPLETE']],
  [BigInt(RsiStatus.ErrorUnknown), ['RSI_ERROR_UNKNOWN', 'GUEST_RSI_ERROR_UNKNOWN']],
  [SMC_UNKNOWN, ['SMCCC_NOT_SUPPORTED', 'GUEST_RSI_NOT_SUPPORTED']],
]);

/**
 * An RSI command failed: `status` is the X0 it returned.
 * @example
 * ```ts
 * const err = RsiError.fromStatus('RSI_MEASUREMENT_READ', 1n);
 * err.code; // 'GUEST_RSI_ERROR_INPUT'
 * err.shortMessage; // 'RSI_MEASUREMENT_READ returned RSI_ERROR_INPUT'
 * ```
 * @since 0.1.0
 */
export class RsiError extends IsletError<RsiErrorCode> {
  override name = 'Guest.RsiError';
  /** The command that failed. */
  readonly command: RsiShimCommand;
  /** X0 as the RMM returned it. */
  readonly status: bigint;

  constructor(command: RsiShimCommand, status: bigint, code: RsiErrorCode, message: string) {
    super(code, message);
    this.command = command;
    this.status = status;
  }

  /** The error of a command that returned `status` in X0 (anything but RSI_SUCCESS). */
  static fromStatus(command: RsiShimCommand, status: bigint): RsiError {
    const known = BY_STATUS.get(status);
    if (known === undefined) {
      return new RsiError(
        command,
        status,
        'GUEST_RSI_STATUS_INVALID',
        `${command} returned status 0x${status.toString(16)}, which no spec defines`,
      );
    }
    return new RsiError(command, status, known[1], `${command} returned ${known[0]}`);
  }

  /** The error of a command that answered results it cannot return. */
  static invalidResult(command: RsiShimCommand, what: string): RsiError {
    return new RsiError(
      command,
      BigInt(RsiStatus.Success),
      'GUEST_RSI_RESULT_INVALID',
      `${command} answered ${what}`,
    );
  }
}
