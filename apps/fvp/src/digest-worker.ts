/**
 * A worker thread that hashes the RIM chain of DATA_CREATE for the RMM (the `MeasurementOffload`
 * port of @islet/rmm), so that loading a realm image hashes on a second core while the RMM's
 * thread handles the next calls.
 *
 * **Shared memory**, one `SharedArrayBuffer`: a ring of {@link SLOTS} slots, each with the copied
 * granule (4 KiB; a granule that is itself in a `SharedArrayBuffer`, a DRAM slab of a platform
 * booted with shared DRAM, is not copied: the worker is sent the buffer once and reads it in
 * place), the descriptor (256 bytes), the chain start and the result (64 bytes each) and four
 * words (flags, chain offset, content offset, spare); then the control words `submitted`
 * (written by the RMM's thread), `done` and `sleeping` (written by the worker) and `wanted`
 * (written by the RMM's thread), wrapping int32.
 *
 * **Waking.** Each side wakes the other only when it said it sleeps, and in batches: the worker
 * polls `submitted` briefly, then sleeps on it; the RMM's thread wakes it once
 * {@link WAKE_BATCH} links are pending, or when it needs a result, and then waits on `done` for
 * the count it named in `wanted`. A wake-up (tens of µs) pays for a batch of links, not one. A
 * slot is reused only after its result is taken.
 * @module
 */
import type { HashAlgorithm } from '@islet/arch';
import type { MeasurementOffload } from '@islet/rmm';

/** Slots in the ring (a power of two). */
const SLOTS = 64;
const GRANULE = 4096;
const DESCRIPTOR = 256;
const VALUE = 64;
const CONTENT_AT = 0;
const DESCRIPTORS_AT = CONTENT_AT + SLOTS * GRANULE;
const STARTS_AT = DESCRIPTORS_AT + SLOTS * DESCRIPTOR;
const RESULTS_AT = STARTS_AT + SLOTS * VALUE;
const WORDS_AT = RESULTS_AT + SLOTS * VALUE;
const CTRL_AT = WORDS_AT + SLOTS * 16;
const SIZE = CTRL_AT + 16;
/** Slot flags. */
const HAS_CONTENT = 1;
const HAS_START = 2;
const SHA512 = 4;
/** The content is read in place from a shared buffer the worker was sent (words 2 and 3). */
const SHARED_CONTENT = 8;
/**
 * Polls of `submitted` before the worker sleeps (a few microseconds). A longer poll would keep
 * the worker's core busy while it waits for the RMM's thread, and on a machine whose two cores
 * are hyperthreads of one, that slows the RMM's thread itself.
 */
const SPINS = 200;
/**
 * Pending links at which the RMM's thread wakes a sleeping worker (it also wakes it whenever it
 * waits for a result): one futex wake-up per batch rather than per link.
 */
const WAKE_BATCH = 16;
/** Control words. */
const SUBMITTED = 0;
const DONE = 1;
const SLEEPING = 2;
/** The `done` count the RMM's thread waits for, or 0 when it does not wait. */
const WANTED = 3;

/** The worker's loop (CommonJS, run with `eval`); `L` is the layout above. */
const WORKER_SOURCE = `
const { workerData: L, parentPort, receiveMessageOnPort } = require('node:worker_threads');
const { hash } = require('node:crypto');
const bytes = new Uint8Array(L.sab);
const shared = [];
const nap = new Int32Array(1);
/** Shared buffer number id: posted before the link that names it, so it is in the queue. */
function sharedBuffer(id) {
  while (shared[id] === undefined) {
    const m = receiveMessageOnPort(parentPort);
    if (m === undefined) Atomics.wait(nap, 0, 0, 1);
    else shared[m.message.id] = new Uint8Array(m.message.buffer);
  }
  return shared[id];
}
const words = new Int32Array(L.sab, L.wordsAt, L.slots * 4);
const ctrl = new Int32Array(L.sab, L.ctrlAt, 4);
const last = new Uint8Array(64);
let done = 0;
for (;;) {
  if (Atomics.load(ctrl, 0) === done) {
    // Poll a little before sleeping: the next link usually comes within microseconds, and a
    // sleeping worker costs the RMM's thread a futex wake per link.
    let spins = L.spins;
    while (spins-- > 0 && Atomics.load(ctrl, 0) === done);
    if (Atomics.load(ctrl, 0) !== done) continue;
    Atomics.store(ctrl, 2, 1);
    const submitted = Atomics.load(ctrl, 0);
    if (submitted === done) Atomics.wait(ctrl, 0, submitted);
    Atomics.store(ctrl, 2, 0);
    continue;
  }
  const slot = done & (L.slots - 1);
  const flags = words[slot * 4];
  const chainAt = words[slot * 4 + 1];
  const contentAt = words[slot * 4 + 2] & 0xffff;
  const alg = flags & 4 ? 'sha512' : 'sha256';
  const len = flags & 4 ? 64 : 32;
  const d = L.descriptorsAt + slot * L.descriptor;
  if (flags & 1) {
    let content;
    if (flags & 8) {
      const at = words[slot * 4 + 3];
      content = sharedBuffer(words[slot * 4 + 2] >>> 16).subarray(at, at + L.granule);
    } else {
      const c = L.contentAt + slot * L.granule;
      content = bytes.subarray(c, c + L.granule);
    }
    const h = hash(alg, content, 'binary');
    for (let i = 0; i < len; i++) bytes[d + contentAt + i] = h.charCodeAt(i);
  }
  if (flags & 2) {
    const s = L.startsAt + slot * L.value;
    for (let i = 0; i < len; i++) last[i] = bytes[s + i];
  }
  for (let i = 0; i < len; i++) bytes[d + chainAt + i] = last[i];
  const r = hash(alg, bytes.subarray(d, d + L.descriptor), 'binary');
  const out = L.resultsAt + slot * L.value;
  for (let i = 0; i < len; i++) bytes[out + i] = last[i] = r.charCodeAt(i);
  done = (done + 1) | 0;
  Atomics.store(ctrl, 1, done);
  const wanted = Atomics.load(ctrl, 3);
  if (wanted !== 0 && ((done - wanted) | 0) >= 0) Atomics.notify(ctrl, 1);
}
`;

/** The RMM's side of the worker: a `MeasurementOffload` plus `close()`. */
export interface DigestWorker extends MeasurementOffload {
  /** Stops the worker. */
  close(): void;
}

/**
 * Starts a digest worker, or returns `undefined` where there are no worker threads (a browser),
 * in which case the RMM hashes in line.
 */
export function startDigestWorker(): DigestWorker | undefined {
  const threads = process.getBuiltinModule?.('node:worker_threads');
  if (threads === undefined) return undefined;
  const sab = new SharedArrayBuffer(SIZE);
  const bytes = new Uint8Array(sab);
  const words = new Int32Array(sab, WORDS_AT, SLOTS * 4);
  const ctrl = new Int32Array(sab, CTRL_AT, 4);
  const worker = new threads.Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      sab,
      slots: SLOTS,
      granule: GRANULE,
      descriptor: DESCRIPTOR,
      value: VALUE,
      contentAt: CONTENT_AT,
      descriptorsAt: DESCRIPTORS_AT,
      startsAt: STARTS_AT,
      resultsAt: RESULTS_AT,
      wordsAt: WORDS_AT,
      ctrlAt: CTRL_AT,
      spins: SPINS,
    },
  });
  // A sleeping worker must not keep the process alive.
  worker.unref();
  /** Tickets handed out and redeemed (plain numbers: they never wrap). */
  let submitted = 0;
  let taken = 0;
  /** The shared buffers sent to the worker, by id (DRAM slabs: content is read in place). */
  const sharedIds = new Map<SharedArrayBuffer, number>();
  let lastShared: SharedArrayBuffer | undefined;
  let lastSharedId = 0;
  return {
    capacity: SLOTS,
    submit(alg: HashAlgorithm, descriptor, chainAt, content, contentAt, start): number {
      if (submitted - taken >= SLOTS) return -1;
      if (descriptor.length !== DESCRIPTOR || (content && content.length !== GRANULE)) {
        throw new RangeError('a link is a 256-byte descriptor and an optional 4 KiB granule');
      }
      const slot = submitted & (SLOTS - 1);
      let flags = alg === 'sha512' ? SHA512 : 0;
      let contentWord = contentAt;
      if (content) {
        flags |= HAS_CONTENT;
        const buffer = content.buffer;
        // Consecutive granules of an image mostly lie in one DRAM slab: its id is the last one.
        if (buffer === lastShared || buffer instanceof SharedArrayBuffer) {
          const shared = buffer as SharedArrayBuffer;
          let id = shared === lastShared ? lastSharedId : sharedIds.get(shared);
          if (id === undefined) {
            id = sharedIds.size;
            sharedIds.set(shared, id);
            worker.postMessage({ id, buffer: shared });
          }
          lastShared = shared;
          lastSharedId = id;
          flags |= SHARED_CONTENT;
          contentWord |= id << 16;
          words[slot * 4 + 3] = content.byteOffset;
        } else {
          bytes.set(content, CONTENT_AT + slot * GRANULE);
        }
      }
      if (start) {
        bytes.set(start.subarray(0, VALUE), STARTS_AT + slot * VALUE);
        flags |= HAS_START;
      }
      bytes.set(descriptor, DESCRIPTORS_AT + slot * DESCRIPTOR);
      words[slot * 4] = flags;
      words[slot * 4 + 1] = chainAt;
      words[slot * 4 + 2] = contentWord;
      const ticket = submitted++;
      Atomics.store(ctrl, SUBMITTED, submitted | 0);
      if (
        Atomics.load(ctrl, SLEEPING) !== 0 &&
        ((submitted - Atomics.load(ctrl, DONE)) | 0) >= WAKE_BATCH
      ) {
        Atomics.notify(ctrl, SUBMITTED);
      }
      return ticket;
    },
    ready(ticket: number): boolean {
      return ((Atomics.load(ctrl, DONE) - (ticket | 0)) | 0) > 0;
    },
    wait(ticket: number): void {
      // A worker asleep on fewer than WAKE_BATCH links has all the earlier ones done.
      if (Atomics.load(ctrl, SLEEPING) !== 0) Atomics.notify(ctrl, SUBMITTED);
      const wanted = (ticket + 1) | 0 || 1;
      Atomics.store(ctrl, WANTED, wanted);
      for (;;) {
        const done = Atomics.load(ctrl, DONE);
        if (((done - wanted) | 0) >= 0) break;
        Atomics.wait(ctrl, DONE, done);
      }
      Atomics.store(ctrl, WANTED, 0);
    },
    take(ticket: number, out: Uint8Array): void {
      if (ticket < taken || ticket >= submitted) {
        throw new RangeError(`link ${ticket} is not pending (${taken}..${submitted - 1})`);
      }
      if (!this.ready(ticket)) this.wait(ticket);
      const at = RESULTS_AT + (ticket & (SLOTS - 1)) * VALUE;
      for (let i = 0; i < out.length; i++) out[i] = bytes[at + i]!;
      taken = ticket + 1;
    },
    close(): void {
      void worker.terminate();
    },
  };
}
