/**
 * `RimQueue` against a synchronous stand-in for a worker: links are hashed only when `wait` or
 * `take` asks (so `ready` is false until then), which drives the queue through a full ring, the
 * "worker is behind" path that hashes content in place, chain restarts, realm switches and
 * unmeasured links. Every RIM must equal the serial one.
 * @module
 */
import { RmiDataMeasureContent, type RmiHashAlgorithm } from '@islet/abi';
import { type HashAlgorithm, nodeCrypto } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import type { Realm } from '../realm/realm.ts';
import { extendRimDataCreate, measurementHash } from './measurement.ts';
import { type MeasurementOffload, RimQueue } from './rim-queue.ts';

const crypto = nodeCrypto();

/** A lazy in-process offload with `capacity` slots; counts the granules it hashed itself. */
class LazyOffload implements MeasurementOffload {
  readonly capacity: number;
  hashedContent = 0;
  readonly #links: {
    alg: HashAlgorithm;
    descriptor: Uint8Array;
    chainAt: number;
    content: Uint8Array | undefined;
    contentAt: number;
    start: Uint8Array | undefined;
    result?: Uint8Array;
  }[] = [];
  #taken = 0;
  #done = 0;
  #last: Uint8Array = new Uint8Array(64);

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  submit(
    alg: HashAlgorithm,
    descriptor: Uint8Array,
    chainAt: number,
    content: Uint8Array | undefined,
    contentAt: number,
    start: Uint8Array | undefined,
  ): number {
    if (this.#links.length - this.#taken >= this.capacity) return -1;
    this.#links.push({
      alg,
      descriptor: descriptor.slice(),
      chainAt,
      content: content?.slice(),
      contentAt,
      start: start?.slice(),
    });
    return this.#links.length - 1;
  }

  ready(ticket: number): boolean {
    return ticket < this.#done;
  }

  wait(ticket: number): void {
    while (this.#done <= ticket) {
      const l = this.#links[this.#done++]!;
      const len = l.alg === 'sha256' ? 32 : 64;
      if (l.content) {
        l.descriptor.set(crypto.hash(l.alg, l.content), l.contentAt);
        this.hashedContent++;
      }
      if (l.start) this.#last = l.start.slice();
      l.descriptor.set(this.#last.subarray(0, len), l.chainAt);
      l.result = crypto.hash(l.alg, l.descriptor);
      this.#last = l.result;
    }
  }

  take(ticket: number, out: Uint8Array): void {
    expect(ticket).toBeGreaterThanOrEqual(this.#taken);
    expect(ticket).toBeLessThan(this.#links.length);
    this.wait(ticket);
    out.set(this.#links[ticket]!.result!.subarray(0, out.length));
    this.#taken = ticket + 1;
  }
}

function realm(algo: RmiHashAlgorithm): Realm {
  const measurements = new Uint8Array(5 * 64);
  measurements.fill(algo + 7, 0, algo === 0 ? 32 : 64);
  return { hash: measurementHash(algo, crypto), measurements } as unknown as Realm;
}

const page = (i: number) => Uint8Array.from({ length: 4096 }, (_, j) => (i * 31 + j) & 0xff);

describe('RimQueue', () => {
  it.each([0, 1] as const)('hash %i: the RIM of every order equals the serial one', (algo) => {
    const serial = realm(algo);
    const queued = [realm(algo), realm(algo)];
    const offload = new LazyOffload(4);
    const q = new RimQueue(offload);
    const other = realm(algo);
    const otherSerial = realm(algo);
    for (let i = 0; i < 23; i++) {
      const flags = i % 5 === 3 ? RmiDataMeasureContent.NoMeasure : RmiDataMeasureContent.Measure;
      extendRimDataCreate(serial.hash, serial.measurements, i * 4096, flags, page(i));
      q.dataCreate(queued[0]!, i * 4096, flags, page(i));
      if (i === 9) {
        // Another realm in between: the first chain completes, the second starts from its RIM.
        extendRimDataCreate(otherSerial.hash, otherSerial.measurements, 0, 1, page(99));
        q.dataCreate(other, 0, RmiDataMeasureContent.Measure, page(99));
      }
      if (i === 15) q.complete();
    }
    expect(q.size).toBeGreaterThan(0);
    q.complete();
    expect(q.size).toBe(0);
    expect(queued[0]!.measurements).toEqual(serial.measurements);
    expect(other.measurements).toEqual(otherSerial.measurements);
    // With four slots and a lazy worker, the queue was full and behind: some digests were
    // computed in place, the rest by the offload.
    expect(offload.hashedContent).toBeGreaterThan(0);
    expect(offload.hashedContent).toBeLessThan(20);
  });

  it('without an offload, DATA_CREATE extends the RIM at once', () => {
    const a = realm(0);
    const b = realm(0);
    const q = new RimQueue();
    q.dataCreate(a, 0x1000, RmiDataMeasureContent.Measure, page(1));
    extendRimDataCreate(b.hash, b.measurements, 0x1000, 1, page(1));
    expect(q.size).toBe(0);
    expect(a.measurements).toEqual(b.measurements);
  });

  it('a pending link does not change the RIM until it completes', () => {
    const a = realm(0);
    const before = a.measurements.slice();
    const q = new RimQueue(new LazyOffload(8));
    q.dataCreate(a, 0, RmiDataMeasureContent.Measure, page(0));
    expect(a.measurements).toEqual(before);
    q.complete();
    expect(a.measurements).not.toEqual(before);
  });
});
