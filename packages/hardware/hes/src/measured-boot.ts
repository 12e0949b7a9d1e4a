/**
 * Measured boot: the 32 measurement slots of HES (RSE-compatible), their extend, read and lock.
 *
 * **Invariants** (Islet `hes/islet-hes/src/measured_boot/manager.rs`):
 * - an empty slot is extended by *initialising* it: its metadata becomes the measurement's and its
 *   value `H(zeros(len) ‖ value)`, `H` and `len` being the slot algorithm's;
 * - a populated slot keeps its signer ID and algorithm forever; an extend with other ones is
 *   `NotPermitted`, otherwise the value becomes `H(old ‖ value)` and the software type and version
 *   are replaced;
 * - a locked slot never changes again (`BadState`); locking happens with an extend or
 *   {@link MeasuredBoot.lock};
 * - a slot index outside `0..31` or a malformed measurement is `InvalidArgument`, never an exception.
 *
 * Inputs are copied in and results copied out, so no caller can change a slot behind HES's back.
 * @see islet-reference.md §3 (Measured boot)
 * @module
 */
import {
  type Bytes,
  type CryptoProvider,
  concatBytes,
  copyBytes,
  equalBytes,
  HASH_BYTES,
} from '@islet/arch';
import { HesError } from './errors.ts';
import {
  isValidMeasurement,
  MEASUREMENT_HASH,
  type Measurement,
  type MeasurementMetadata,
} from './measurement.ts';
import { PsaStatus } from './psa-status.ts';

/** Number of measurement slots (RSE's `NUM_OF_MEASUREMENT_SLOTS`). */
export const MEASUREMENT_SLOT_COUNT = 32;

/** The result of {@link MeasuredBoot.read}. */
export type MeasurementReadResult =
  | {
      readonly status: typeof PsaStatus.Success;
      /** The slot's metadata and extended value (a copy). */
      readonly measurement: Measurement;
      /** Whether the slot is locked. */
      readonly locked: boolean;
    }
  | { readonly status: typeof PsaStatus.InvalidArgument | typeof PsaStatus.DoesNotExist };

interface Slot {
  metadata: MeasurementMetadata;
  value: Bytes;
  locked: boolean;
}

/**
 * The measurement slots of HES.
 *
 * @example
 * ```ts
 * const mb = MeasuredBoot.fromBootMeasurements(ISLET_DUMMY_PROVISIONING.bootMeasurements, crypto);
 * mb.extend(2, { metadata: { signerId, swType: 'RMM', swVersion: '', algorithm: 'sha-256' }, value });
 * const r = mb.read(2); // { status: 0, measurement, locked: false }
 * ```
 * @since 0.1.0
 */
export class MeasuredBoot {
  readonly #crypto: CryptoProvider;
  readonly #slots: (Slot | undefined)[] = new Array<Slot | undefined>(MEASUREMENT_SLOT_COUNT);

  /** Empty slots; `crypto` computes the extend hashes. */
  constructor(crypto: CryptoProvider) {
    this.#crypto = crypto;
  }

  /**
   * Slots initialised from boot-time measurements, the i-th into slot i, unlocked (what HES does
   * with the hardware's measurements at power-on).
   * @throws {@link HesError} `HES_PROVISIONING_INVALID` for more than 32 measurements or a
   * malformed one.
   */
  static fromBootMeasurements(boot: readonly Measurement[], crypto: CryptoProvider): MeasuredBoot {
    const mb = new MeasuredBoot(crypto);
    mb.load(boot);
    return mb;
  }

  /**
   * Empties every slot and loads `boot` into slots 0, 1, … as {@link fromBootMeasurements} does.
   * @throws {@link HesError} `HES_PROVISIONING_INVALID` as {@link fromBootMeasurements}.
   */
  load(boot: readonly Measurement[]): void {
    if (!Array.isArray(boot) || boot.length > MEASUREMENT_SLOT_COUNT) {
      throw new HesError(
        'HES_PROVISIONING_INVALID',
        `at most ${MEASUREMENT_SLOT_COUNT} boot measurements fit the slots`,
      );
    }
    this.#slots.fill(undefined);
    boot.forEach((m, i) => {
      const status = this.extend(i, m);
      if (status !== PsaStatus.Success) {
        throw new HesError('HES_PROVISIONING_INVALID', `boot measurement ${i} is malformed`, {
          details: `extending slot ${i} returned PSA status ${status}`,
        });
      }
    });
  }

  /**
   * Extends slot `slot` with `measurement`, initialising it if empty, and locks it if `lock`.
   * @returns `Success`, `InvalidArgument` (slot outside 0..31, malformed measurement), `BadState`
   * (slot locked) or `NotPermitted` (another signer ID or algorithm than the slot's).
   */
  extend(slot: number, measurement: Measurement, lock = false): PsaStatus {
    if (!isSlotIndex(slot) || !isValidMeasurement(measurement)) return PsaStatus.InvalidArgument;
    const current = this.#slots[slot];
    const { metadata, value } = measurement;
    const hash = MEASUREMENT_HASH[metadata.algorithm];
    if (current === undefined) {
      const zeros = new Uint8Array(HASH_BYTES[hash]);
      this.#slots[slot] = {
        metadata: copyMetadata(metadata),
        value: this.#crypto.hash(hash, concatBytes(zeros, value)),
        locked: lock === true,
      };
      return PsaStatus.Success;
    }
    if (current.locked) return PsaStatus.BadState;
    if (
      metadata.algorithm !== current.metadata.algorithm ||
      !equalBytes(metadata.signerId, current.metadata.signerId)
    ) {
      return PsaStatus.NotPermitted;
    }
    current.value = this.#crypto.hash(hash, concatBytes(current.value, value));
    current.metadata = {
      ...current.metadata,
      swType: metadata.swType,
      swVersion: metadata.swVersion,
    };
    current.locked = lock === true;
    return PsaStatus.Success;
  }

  /**
   * Reads slot `slot`.
   * @returns the measurement and lock state, or `InvalidArgument` (slot outside 0..31) or
   * `DoesNotExist` (empty slot).
   */
  read(slot: number): MeasurementReadResult {
    if (!isSlotIndex(slot)) return { status: PsaStatus.InvalidArgument };
    const s = this.#slots[slot];
    if (s === undefined) return { status: PsaStatus.DoesNotExist };
    return {
      status: PsaStatus.Success,
      measurement: { metadata: copyMetadata(s.metadata), value: copyBytes(s.value) },
      locked: s.locked,
    };
  }

  /**
   * Locks slot `slot` so that it can no longer be extended. Islet locks through the extend's lock
   * flag only; this is the same state change without a value.
   * @returns `Success` (also when already locked), `InvalidArgument` or `DoesNotExist`.
   */
  lock(slot: number): PsaStatus {
    if (!isSlotIndex(slot)) return PsaStatus.InvalidArgument;
    const s = this.#slots[slot];
    if (s === undefined) return PsaStatus.DoesNotExist;
    s.locked = true;
    return PsaStatus.Success;
  }

  /**
   * The populated slots in slot order (copies): what HES puts into the platform token's software
   * components and the DAK and VHUK_M derivations (`fetch_current_measurements`).
   */
  current(): Measurement[] {
    const out: Measurement[] = [];
    for (const s of this.#slots) {
      if (s !== undefined) {
        out.push({ metadata: copyMetadata(s.metadata), value: copyBytes(s.value) });
      }
    }
    return out;
  }
}

function isSlotIndex(slot: unknown): slot is number {
  return (
    Number.isInteger(slot) && (slot as number) >= 0 && (slot as number) < MEASUREMENT_SLOT_COUNT
  );
}

function copyMetadata(m: MeasurementMetadata): MeasurementMetadata {
  return {
    signerId: copyBytes(m.signerId),
    swType: m.swType,
    swVersion: m.swVersion,
    algorithm: m.algorithm,
  };
}
