/**
 * What the suite runs against: a Normal-world host (SMCs and GPT-checked memory), the platform
 * facts the failure conditions need (a Secure granule, a Realm granule, MMIO, a PA beyond the PA
 * size) and a factory that boots a fresh platform. The host is `@islet/host`'s `HostPorts`, which
 * `@islet/fvp`'s `Platform.host` is, so this package never imports the platform (apps/fvp depends
 * on it).
 * @module
 */
import type { HostPorts } from '@islet/host';

/** A booted platform, as the Normal world sees it. `@islet/fvp`'s `Platform` is one. */
export interface Target {
  readonly host: HostPorts;
  /**
   * Releases what the platform holds beyond memory (the threads that run realm code); the runner
   * calls it when it is done with the platform.
   */
  close?(): void;
}

/**
 * The addresses the failure conditions need, which only the platform knows.
 * @see rmm-abi.md §1.5 (find_granule: "*_bound" covers MMIO and out-of-range PAs)
 */
export interface PlatformDescription {
  /** A granule in the Secure PAS (`*_pas[*_PAS_SECURE]`, `gran_gpt[GRANULE_GPT_SECURE]`). */
  readonly secureGranule: bigint;
  /** A granule in the Realm PAS that the host was never given, e.g. the RMM's carve-out. */
  readonly realmGranule: bigint;
  /** A 4 KiB-aligned device (MMIO) address with no DRAM behind it (`*_DEV_MEM`). */
  readonly mmioAddress: bigint;
  /** A 4 KiB-aligned address beyond the PA size (`*_OUTSIDE_OF_PERMITTED_PA`). */
  readonly outsidePa: bigint;
  /**
   * VMID width of the platform (FEAT_VMID16 gives 16). With 16 bits every u16 `vmid` is valid, so
   * `vmid_valid[VMID_INVALID]` cannot hold and is skipped, as ACS does. Default 16.
   */
  readonly vmidBits?: 8 | 16;
}

/** The platform under test: its description and a way to boot it afresh. */
export interface ConformanceTarget extends PlatformDescription {
  /** Boots a fresh platform; the runner boots one per run and a fresh one after a host throw. */
  boot(): Target;
}
