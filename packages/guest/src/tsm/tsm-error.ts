/**
 * The errors of the configfs-tsm interface: what a write(2) or read(2) on
 * `/sys/kernel/config/tsm/report/<name>/…` fails with on Linux, by errno name.
 * @module
 */
import { IsletError } from '@islet/arch';

/**
 * The errno names configfs-tsm fails with here.
 * @since 0.1.0
 */
export type TsmErrno = 'EINVAL' | 'EFBIG' | 'ENOENT' | 'EEXIST' | 'EACCES';

/**
 * A configfs-tsm operation failed as it would on Linux with `-errno`; the code is
 * `GUEST_TSM_<errno>`.
 * @example
 * ```ts
 * new TsmError('EINVAL', 'inblob must be 32..64 bytes').code; // 'GUEST_TSM_EINVAL'
 * ```
 * @since 0.1.0
 */
export class TsmError extends IsletError<`GUEST_TSM_${TsmErrno}`> {
  override name = 'Guest.TsmError';
  /** The errno Linux would return. */
  readonly errno: TsmErrno;

  constructor(errno: TsmErrno, message: string) {
    super(`GUEST_TSM_${errno}`, `${errno}: ${message}`);
    this.errno = errno;
  }
}
