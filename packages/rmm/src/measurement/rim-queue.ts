/**
 * DATA_CREATE's measurement on a second core.
 *
 * Loading a realm image is one DATA_CREATE per 4 KiB, and each extends the RIM with
 * `H(descriptor)`, the descriptor holding the current RIM and `H(content)` (rmm-abi.md §6.3). That
 * chain is sequential, but it needs nothing from the RMM's other work: a
 * {@link MeasurementOffload} (a worker thread the platform provides) can hash it while the RMM
 * handles the next calls. The {@link RimQueue} hands it each link in call order and applies the
 * results to the realm's RIM:
 *
 * - when the offload has no free slot (the oldest extension is completed first);
 * - before any RMI or RSI call other than DATA_CREATE, and before the RIM is inspected, so every
 *   observer sees exactly the RIM of the serial order: what TF-RMM computes.
 *
 * The data granule cannot change while its digest is pending: the realm is NEW (it cannot run) and
 * every other command completes the queue before it runs. Without an offload, DATA_CREATE extends
 * the RIM at once, as before.
 * @module
 */
import { RmiDataMeasureContent, RmiHashAlgorithm } from '@islet/abi';
import type { HashAlgorithm } from '@islet/arch';
import type { Realm } from '../realm/realm.ts';
import {
  DATA_DESCRIPTOR_CONTENT_OFFSET,
  DATA_DESCRIPTOR_RIM_OFFSET,
  dataDescriptorTemplate,
  extendRimDataCreate,
  MEASUREMENT_DESCRIPTOR_SIZE,
  MEASUREMENT_SLOT_SIZE,
  RIM_MEASUREMENT_SLOT,
} from './measurement.ts';

/**
 * A hash chain computed off the caller's thread: link `n` hashes `descriptor` with `H(content)`
 * (if any) at `contentAt` and the chain value at `chainAt`, the chain value being `start` or, when
 * `start` is omitted, link `n − 1`'s result. Results are redeemed in submission order.
 * @since 0.4.0
 */
export interface MeasurementOffload {
  /** How many links may be in flight. */
  readonly capacity: number;
  /**
   * Starts a link on copies of its inputs and returns its ticket, or −1 when all
   * {@link capacity} slots are taken (redeem the oldest first).
   */
  submit(
    alg: HashAlgorithm,
    descriptor: Uint8Array,
    chainAt: number,
    content: Uint8Array | undefined,
    contentAt: number,
    start: Uint8Array | undefined,
  ): number;
  /** Whether link `ticket` is done. */
  ready(ticket: number): boolean;
  /** Blocks until link `ticket` (and so every earlier one) is done. */
  wait(ticket: number): void;
  /**
   * Waits for link `ticket` (at or after the oldest unredeemed one) and writes its result into
   * `out`; it and every earlier link are redeemed, their slots free. Earlier results are dropped:
   * in a chain only the newest value is the RIM.
   */
  take(ticket: number, out: Uint8Array): void;
}

const RIM_AT = RIM_MEASUREMENT_SLOT * MEASUREMENT_SLOT_SIZE;

/**
 * The RIM extensions of DATA_CREATE, in call order.
 * @since 0.4.0
 */
export class RimQueue {
  readonly #offload: MeasurementOffload | undefined;
  /** The realm whose links are pending (one chain at a time). */
  #realm: Realm | undefined;
  /** Pending links: tickets `#ticket` .. `#ticket + #size - 1`. */
  #size = 0;
  #ticket = 0;
  readonly #descriptor = new Uint8Array(MEASUREMENT_DESCRIPTOR_SIZE);

  constructor(offload?: MeasurementOffload) {
    this.#offload = offload;
  }

  /** Number of extensions not yet applied. */
  get size(): number {
    return this.#size;
  }

  /**
   * The RIM extension of a successful DATA_CREATE of `content` (the data granule's bytes) at
   * `ipa`: applied now without an offload, else handed to it behind the pending ones.
   */
  dataCreate(realm: Realm, ipa: number, flags: RmiDataMeasureContent, content: Uint8Array): void {
    const offload = this.#offload;
    if (offload === undefined) {
      extendRimDataCreate(realm.hash, realm.measurements, ipa, flags, content);
      return;
    }
    // One chain at a time: another realm's links complete first.
    if (this.#size !== 0 && this.#realm !== realm) this.complete();
    const sha256 = realm.hash.algo === RmiHashAlgorithm.Sha256;
    const alg = sha256 ? 'sha256' : 'sha512';
    dataDescriptorTemplate(this.#descriptor, ipa, flags);
    let measured = flags === RmiDataMeasureContent.Measure ? content : undefined;
    if (measured !== undefined && this.#behind(offload)) {
      // The worker is behind: this granule's digest is computed here, its link stays there.
      const d = realm.hash.crypto.hash(alg, measured);
      this.#descriptor.set(d, DATA_DESCRIPTOR_CONTENT_OFFSET);
      measured = undefined;
    }
    for (;;) {
      const start =
        this.size === 0
          ? realm.measurements.subarray(RIM_AT, RIM_AT + (sha256 ? 32 : 64))
          : undefined;
      const ticket = offload.submit(
        alg,
        this.#descriptor,
        DATA_DESCRIPTOR_RIM_OFFSET,
        measured,
        DATA_DESCRIPTOR_CONTENT_OFFSET,
        start,
      );
      if (ticket >= 0) {
        if (this.#size === 0) {
          this.#ticket = ticket;
          this.#realm = realm;
        }
        this.#size++;
        return;
      }
      this.#makeRoom(offload);
    }
  }

  /** Whether the offload has half its slots taken and not even the oldest link done. */
  #behind(offload: MeasurementOffload): boolean {
    return this.size >= offload.capacity / 4 && !offload.ready(this.#ticket);
  }

  /**
   * Frees slots: the links already done, or, when none is, after waiting for half the ring (one
   * wake-up for many links rather than one per link).
   */
  #makeRoom(offload: MeasurementOffload): void {
    if (!offload.ready(this.#ticket)) {
      offload.wait(this.#ticket + Math.max(0, Math.min(this.#size, offload.capacity) / 2 - 1));
    }
    let done = 1;
    while (done < this.#size && offload.ready(this.#ticket + done)) done++;
    this.#apply(done);
  }

  /** Applies every pending extension, in order. */
  complete(): void {
    if (this.#size > 0) this.#apply(this.#size);
    this.#realm = undefined;
  }

  /** Applies the oldest `n` pending links: the RIM becomes the newest one's result. */
  #apply(n: number): void {
    const realm = this.#realm!;
    const len = realm.hash.algo === RmiHashAlgorithm.Sha256 ? 32 : 64;
    const m = realm.measurements;
    this.#offload!.take(this.#ticket + n - 1, m.subarray(RIM_AT, RIM_AT + len));
    for (let i = len; i < MEASUREMENT_SLOT_SIZE; i++) m[RIM_AT + i] = 0;
    this.#ticket += n;
    this.#size -= n;
  }
}
