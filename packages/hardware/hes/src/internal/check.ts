/**
 * Argument checks of the derivation functions: each throws {@link HesError} `HES_ARGUMENT_INVALID`
 * (or the code given) with the argument's name.
 * @module
 */
import { HesError, type HesErrorCode } from '../errors.ts';

/** @throws {@link HesError} unless `n` is an unsigned 32-bit integer. */
export function checkU32(
  n: unknown,
  what: string,
  code: HesErrorCode = 'HES_ARGUMENT_INVALID',
): asserts n is number {
  if (!Number.isInteger(n) || (n as number) < 0 || (n as number) > 0xffff_ffff) {
    throw new HesError(code, `${what} must be an unsigned 32-bit integer`);
  }
}

/** @throws {@link HesError} unless `b` is a byte array whose length is in `min..max`. */
export function checkBytes(
  b: unknown,
  what: string,
  min: number,
  max: number = min,
  code: HesErrorCode = 'HES_ARGUMENT_INVALID',
): asserts b is Uint8Array {
  if (!(b instanceof Uint8Array) || b.length < min || b.length > max) {
    const size = min === max ? `${min}` : `${min} to ${max}`;
    throw new HesError(code, `${what} must be ${size} bytes`);
  }
}
