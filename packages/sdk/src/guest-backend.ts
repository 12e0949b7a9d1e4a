/**
 * The `fvp` backend: the SDK inside a realm, on the RSI shim of the guest it runs in. A realm
 * program of `@islet/fvp` sees the guest API's `rsi` object; an app bundled with this SDK hands it
 * to {@link guestBackend} and every SDK call becomes RSI calls of its own realm, as an Islet realm
 * app that links the SDK calls `/dev/rsi`.
 *
 * The guest API is typed here by its shape ({@link GuestRsi}), not imported: `@islet/guest` and
 * `@islet/sdk` are sibling layers and neither may import the other (DESIGN.md).
 *
 * Errors: the guest throws errors with a string `code` (`GUEST_RSI_ERROR_INPUT`,
 * `GUEST_ARGUMENT_INVALID`, …). They become {@link SdkError}s as the other backends' do:
 *
 * ```text
 * GUEST_ARGUMENT_INVALID     SDK_ARGUMENT_INVALID   (arguments are checked first, so rarely seen)
 * GUEST_RSI_NOT_SUPPORTED    SDK_NOT_SUPPORTED      (the RMM does not know the command, e.g. no
 *                                                   Islet sealing-key vendor call)
 * any other code, or none    SDK_BACKEND_FAILED     (the RMM refused; the guest's code in details)
 * ```
 * @module
 */
import { SdkError, type SdkErrorCode } from './errors.ts';
import {
  assertChallenge,
  assertExtension,
  assertMeasurementIndex,
  assertU32,
} from './rsi-arguments.ts';
import type { RsiBackend } from './rsi-dispatcher.ts';

/**
 * The RSI calls of the guest API's `rsi` object that the SDK uses (`@islet/guest` guest-api.ts).
 * @since 0.9.0
 */
export interface GuestRsi {
  /** RSI_ATTESTATION_TOKEN_INIT/CONTINUE: the CCA token for a 64-byte challenge. */
  attestationToken(challenge: Uint8Array): Uint8Array;
  /** Islet's RSI_ISLET_REALM_SEALING_KEY. */
  sealingKey(flags: number, svn: number): Uint8Array;
  /** RSI_MEASUREMENT_READ. */
  measurementRead(index: number): Uint8Array;
  /** RSI_MEASUREMENT_EXTEND. */
  measurementExtend(index: number, value: Uint8Array): void;
}

/** Bytes of a sealing key. */
const SEALING_KEY_SIZE = 32;

/**
 * An {@link RsiBackend} over the guest API's `rsi` object of the realm this code runs in.
 * Arguments are checked before any RSI call, results after it.
 * @example
 * ```ts
 * // In a realm program that carries the SDK:
 * const token = attest(guestBackend(rsi), text.encode('nonce-42'));
 * ```
 * @since 0.9.0
 */
export function guestBackend(rsi: GuestRsi): RsiBackend {
  return {
    name: 'fvp',
    attestationToken(challenge) {
      assertChallenge(challenge);
      const token = call('RSI_ATTESTATION_TOKEN', () => rsi.attestationToken(challenge));
      return result('RSI_ATTESTATION_TOKEN', token, (n) => n > 0);
    },
    sealingKey(flags, svn) {
      assertU32(flags, 'sealing key flags');
      assertU32(svn, 'SVN');
      const key = call('RSI_ISLET_REALM_SEALING_KEY', () => rsi.sealingKey(flags, svn));
      return result('RSI_ISLET_REALM_SEALING_KEY', key, (n) => n === SEALING_KEY_SIZE);
    },
    measurementRead(index) {
      assertMeasurementIndex(index, 0);
      const value = call('RSI_MEASUREMENT_READ', () => rsi.measurementRead(index));
      return result('RSI_MEASUREMENT_READ', value, (n) => n === 32 || n === 64);
    },
    measurementExtend(index, data) {
      assertMeasurementIndex(index, 1);
      assertExtension(data);
      call('RSI_MEASUREMENT_EXTEND', () => rsi.measurementExtend(index, data));
    },
  };
}

/** Runs one guest RSI call and turns what it throws into an {@link SdkError}. */
function call<T>(command: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const guestCode = codeOf(err);
    const message = messageOf(err);
    throw new SdkError(sdkCode(guestCode), `${command} failed in the realm: ${message}`, {
      details: guestCode ?? 'an error without a code',
      cause: err,
    });
  }
}

function sdkCode(guestCode: string | undefined): SdkErrorCode {
  if (guestCode === 'GUEST_ARGUMENT_INVALID') return 'SDK_ARGUMENT_INVALID';
  if (guestCode === 'GUEST_RSI_NOT_SUPPORTED') return 'SDK_NOT_SUPPORTED';
  return 'SDK_BACKEND_FAILED';
}

/** The guest error's string `code`, if it has one. */
function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return 'it threw a value that is not an error';
}

/** A result the command can return: a Uint8Array whose length `ok` accepts. */
function result(command: string, value: unknown, ok: (length: number) => boolean): Uint8Array {
  if (!(value instanceof Uint8Array) || !ok(value.length)) {
    throw new SdkError('SDK_BACKEND_FAILED', `${command} answered a result it cannot return`, {
      details:
        value instanceof Uint8Array ? `${value.length} bytes` : `a ${typeof value}, not bytes`,
    });
  }
  return value;
}
