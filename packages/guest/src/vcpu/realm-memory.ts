/**
 * The port through which the worker vCPUs reach realm memory: the platform's stage-2 MMU.
 * `@islet/guest` may not import `@islet/mmu`, so whoever composes the platform (apps/fvp) hands
 * {@link WorkerVcpus} one.
 * @module
 */
import type { RealmTranslation } from '@islet/abi';

/**
 * Why an access faulted, as stage 2 reports it: a translation fault at `level` (−1..3: the
 * entry there is not valid), an address size fault at `level` (0..3: the IPA is beyond
 * `ipaWidth`), or an external abort (the RTT or output address may not be accessed, e.g. the
 * granule protection check refuses it; `level` is the walk's level then, and is not reported).
 * @since 0.1.0
 */
export interface RealmMemoryFault {
  readonly fault: 'translation' | 'addressSize' | 'external';
  readonly level: number;
}

/**
 * Realm memory through the realm's stage-2 tables.
 * @since 0.1.0
 */
export interface RealmMemory {
  /**
   * Reads `data.length` bytes at `ipa` into `data`, or writes `data` there when `write`,
   * translating through `realm`'s RTTs. The executor never asks for a range that crosses a
   * 4 KiB page, so a fault names the page of `ipa`. `data` may be a view of shared memory.
   * @returns `undefined` when the access is done, else the fault (nothing was accessed).
   */
  access(
    realm: RealmTranslation,
    ipa: number,
    data: Uint8Array,
    write: boolean,
  ): RealmMemoryFault | undefined;
}
