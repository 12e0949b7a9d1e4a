/**
 * A shared window: Non-secure pages the host maps at the start of a realm's unprotected IPA half
 * (RMI_RTT_MAP_UNPROTECTED through {@link LaunchedRealm.mapUnprotected}), the bounce buffer a CCA
 * guest's swiotlb or virtio rings use. The host writes and reads it through its own (GPT-checked)
 * physical memory; the realm reaches the same bytes through stage 2 (`memory.read`/`write` at
 * `memory.sharedBase()` + offset).
 *
 * **Trust**: both sides see every byte at any time. The realm copies what it reads here into its
 * private memory before it looks at it, and writes here only what the host may see.
 *
 * **Lifetime**: the realm's `destroy()` unmaps the pages and returns them to its allocator; the
 * window only keeps their addresses.
 * @module
 */
import type { HostMemory, LaunchedRealm } from '@islet/host';

const PAGE = 4096;

/**
 * The most pages a window takes (16 MiB): bulk data streams through a window of any size, so a
 * larger one only ties up more NS memory.
 * @since 0.10.0
 */
export const SHARED_WINDOW_MAX_PAGES: number = 4096;

/**
 * NS pages shared with a realm at the start of its unprotected half.
 * @example
 * ```ts
 * const window = new SharedWindow(platform.host.memory, realm, 4);
 * window.write(text); // the realm reads it at memory.sharedBase()
 * ```
 * @since 0.10.0
 */
export class SharedWindow {
  /** The window's first IPA: 2^(ipaBits - 1), the realm's `memory.sharedBase()`. */
  readonly ipa: bigint;
  /** Bytes in the window. */
  readonly size: number;
  /** The NS granule behind each page, in IPA order. */
  readonly pages: readonly bigint[];
  readonly #memory: HostMemory;

  /**
   * Maps `pages` fresh zeroed NS granules at the start of `realm`'s unprotected half.
   * @throws {RangeError} when `pages` is not an integer in 1..{@link SHARED_WINDOW_MAX_PAGES}.
   * @throws what {@link LaunchedRealm.mapUnprotected} throws (the pages mapped so far stay
   *   mapped until the realm is destroyed).
   */
  constructor(memory: HostMemory, realm: LaunchedRealm, pages: number) {
    if (!Number.isInteger(pages) || pages < 1 || pages > SHARED_WINDOW_MAX_PAGES) {
      throw new RangeError(`a shared window has 1..${SHARED_WINDOW_MAX_PAGES} pages, not ${pages}`);
    }
    this.#memory = memory;
    this.ipa = 1n << BigInt(realm.plan.launch.ipaBits - 1);
    this.size = pages * PAGE;
    const pas: bigint[] = [];
    for (let i = 0; i < pages; i++) pas.push(realm.mapUnprotected(this.ipa + BigInt(i * PAGE)));
    this.pages = pas;
  }

  /**
   * Writes `bytes` at offset `at` of the window.
   * @throws {RangeError} when they do not fit.
   */
  write(bytes: Uint8Array, at = 0): void {
    this.#check(at, bytes.length);
    this.#pieces(at, bytes.length, (pa, done, n) => {
      this.#memory.write(pa, bytes.subarray(done, done + n));
    });
  }

  /**
   * A copy of `length` bytes at offset `at` of the window.
   * @throws {RangeError} when they are not all in it.
   */
  read(length: number, at = 0): Uint8Array<ArrayBuffer> {
    this.#check(at, length);
    const out = new Uint8Array(length);
    this.#pieces(at, length, (pa, done, n) => {
      out.set(this.#memory.read(pa, n), done);
    });
    return out;
  }

  #check(at: number, length: number): void {
    if (!Number.isInteger(at) || at < 0 || !Number.isInteger(length) || at + length > this.size) {
      throw new RangeError(`[${at}, +${length}) is not in the ${this.size}-byte shared window`);
    }
  }

  /** Calls `f` for each piece of `[at, at + length)` that lies in one page: its PA and offset. */
  #pieces(at: number, length: number, f: (pa: bigint, done: number, n: number) => void): void {
    for (let done = 0; done < length; ) {
      const offset = at + done;
      const inPage = offset % PAGE;
      const n = Math.min(length - done, PAGE - inPage);
      f(this.pages[Math.floor(offset / PAGE)]! + BigInt(inPage), done, n);
      done += n;
    }
  }
}
