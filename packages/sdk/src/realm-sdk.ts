/**
 * The SDK's operations on one realm as one object: attest, read and extend measurements, seal and
 * unseal. {@link realmSdk} makes it from an {@link RsiBackend}, in whatever process the backend
 * answers in: on the host over a simulated realm or configfs-tsm, or inside a realm over
 * {@link guestBackend}. A caller that only needs these operations (the `islet` command) can then
 * also be served by an SDK that runs inside a realm and never hands out its sealing key
 * (`@islet/fvp`'s `FvpRealmSdk`).
 * @module
 */
import { attest } from './attester.ts';
import type { RsiBackend } from './rsi-dispatcher.ts';
import { Sealer, type SealerOptions } from './sealing.ts';

/**
 * What an app does with its realm through the SDK.
 * @since 0.9.0
 */
export interface RealmSdk {
  /** The backend's name (`simulated`, `fvp`, `tsm`). */
  readonly name: string;
  /** A CCA token whose realm challenge is `userData` (≤ 64 bytes) zero-padded; see {@link attest}. */
  attest(userData?: Uint8Array): Uint8Array;
  /** Slot 0 is the RIM, 1..4 the REMs. */
  measurementRead(index: number): Uint8Array;
  /** Extends REM `index` (1..4) with 1..64 bytes. */
  measurementExtend(index: number, data: Uint8Array): void;
  /** A sealed blob of `data` under the realm's sealing key; see {@link Sealer}. */
  seal(data: Uint8Array): Uint8Array;
  /** The data of a blob {@link seal} made in a realm of the same identity and platform. */
  unseal(blob: Uint8Array): Uint8Array;
  /** Releases the backend; further calls fail. */
  close?(): void;
}

/**
 * The SDK's operations over `backend`, sealing with `options` (flags, SVN, the crypto provider
 * and so the random source of the IVs).
 * @throws {@link SdkError} `SDK_ARGUMENT_INVALID` for sealing options {@link Sealer} refuses.
 * @example
 * ```ts
 * const sdk = realmSdk(new SimulatedRealm({ identity: 'my-app' }));
 * const blob = sdk.seal(new TextEncoder().encode('secret'));
 * sdk.unseal(blob); // the bytes of 'secret'
 * sdk.close?.();
 * ```
 * @since 0.9.0
 */
export function realmSdk(backend: RsiBackend, options: SealerOptions = {}): RealmSdk {
  const sealer = new Sealer(backend, options);
  return {
    name: backend.name,
    attest: (userData) => attest(backend, userData),
    measurementRead: (index) => backend.measurementRead(index),
    measurementExtend: (index, data) => backend.measurementExtend(index, data),
    seal: (data) => sealer.seal(data),
    unseal: (blob) => sealer.unseal(blob),
    close: () => backend.close?.(),
  };
}
