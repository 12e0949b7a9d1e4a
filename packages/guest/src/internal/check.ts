/**
 * Argument checks at the realm's API boundary. Arguments come from a realm program, so any value
 * can arrive; each check either returns a clean value or throws `GUEST_ARGUMENT_INVALID`.
 * @module
 */
import { IsletError, isAddress } from '@islet/arch';

/** The error every check throws. */
export function invalidArgument(
  what: string,
  expected: string,
): IsletError<'GUEST_ARGUMENT_INVALID'> {
  return new IsletError('GUEST_ARGUMENT_INVALID', `${what} must be ${expected}`);
}

/** An integer number in [min, max]. */
export function checkInt(value: unknown, min: number, max: number, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument(what, `an integer in ${min}..${max}`);
  }
  return value;
}

const U64_LIMIT = 1n << 64n;

/** A 64-bit register value: a non-negative safe integer or a bigint below 2^64. */
export function checkU64(value: unknown, what: string): bigint {
  if (typeof value === 'bigint' && value >= 0n && value < U64_LIMIT) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  throw invalidArgument(what, 'a 64-bit unsigned integer (number or bigint)');
}

/** An IPA: an integer in [0, 2^52). */
export function checkIpa(value: unknown, what: string): number {
  if (typeof value !== 'number' || !isAddress(value)) {
    throw invalidArgument(what, 'an address, an integer in [0, 2^52)');
  }
  return value;
}

/** A Uint8Array of at most `max` bytes (exactly `max` when `exact`). */
export function checkBytes(value: unknown, max: number, what: string, exact = false): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length > max || (exact && value.length !== max)) {
    throw invalidArgument(what, exact ? `${max} bytes` : `at most ${max} bytes`);
  }
  return value;
}
