/**
 * The rsi-dispatcher: how the SDK reaches an RMM. Islet's SDK calls `/dev/rsi` (or a canned token
 * on x86); here every operation goes through an {@link RsiBackend}, and the backends differ only
 * in where the realm is:
 *
 * - a realm of an in-process platform (`@islet/fvp`'s simulated backend, for any machine): tokens
 *   are signed by the platform's RAK and keys derived by its RMM, never canned;
 * - the realm a program runs in on `@islet/fvp`, through its guest shim ({@link guestBackend}),
 *   with the SDK bundled into the realm program;
 * - a real Arm CCA Linux guest, through configfs-tsm (tokens only, {@link tsmBackend}).
 *
 * A backend that cannot do an operation (configfs-tsm has no sealing key) throws
 * {@link SdkError} `SDK_NOT_SUPPORTED`.
 * @module
 */

/** Bytes of the RSI attestation challenge (and so the most user data an attestation carries). */
export const CHALLENGE_SIZE = 64;

/**
 * What the SDK needs from an RMM, as RSI provides it inside a realm.
 * @since 0.8.0
 */
export interface RsiBackend {
  /** A name for messages and `islet version` (`simulated`, `fvp`, `tsm`). */
  readonly name: string;
  /** The CCA token (tag 399) for a 64-byte challenge (RSI_ATTESTATION_TOKEN_INIT/CONTINUE). */
  attestationToken(challenge: Uint8Array): Uint8Array;
  /**
   * Islet's RSI_ISLET_REALM_SEALING_KEY: 32 bytes bound to the platform and to what `flags`
   * (`IsletSealingKeyFlag` bits of `@islet/abi`) select, for `svn`.
   */
  sealingKey(flags: number, svn: number): Uint8Array;
  /** RSI_MEASUREMENT_READ: slot 0 is the RIM, 1..4 the REMs (the realm hash's size: 32 or 64 bytes). */
  measurementRead(index: number): Uint8Array;
  /** RSI_MEASUREMENT_EXTEND of REM `index` (1..4) with 1..64 bytes. */
  measurementExtend(index: number, data: Uint8Array): void;
  /** Releases what the backend holds (a platform, a worker); further calls fail. */
  close?(): void;
}
