/**
 * What the suite runs against: a Normal-world host (SMCs and GPT-checked memory), the platform
 * facts the failure conditions need (a Secure granule, a Realm granule, MMIO, a PA beyond the PA
 * size) and a factory that boots a fresh platform. Structural types only, so `@islet/fvp`'s
 * `Platform` fits without this package importing it (apps/fvp depends on this package).
 * @module
 */

/** Physical memory as the Normal world sees it: every access checked against the GPT. */
export interface HostMemory {
  /** Reads `length` bytes at `pa`; throws for a granule the Normal world may not access. */
  read(pa: bigint, length: number): Uint8Array;
  /** Writes `bytes` at `pa`; throws for a granule the Normal world may not access. */
  write(pa: bigint, bytes: Uint8Array): void;
}

/** A DRAM range the host owns and may delegate. */
export interface HostDramRange {
  readonly base: bigint;
  readonly size: bigint;
}

/** The Normal-world host interface: the only way the suite reaches the RMM. */
export interface NormalWorldHost {
  /** An SMC from the Normal world: `fid` in X0, `args` in X1..; returns X0..X4. */
  smc(fid: bigint, ...args: bigint[]): bigint[];
  readonly memory: HostMemory;
  /** The DRAM the host owns and may delegate. */
  readonly dram: readonly HostDramRange[];
}

/** A booted platform, as the Normal world sees it. `@islet/fvp`'s `Platform` is one. */
export interface Target {
  readonly host: NormalWorldHost;
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
  /** Boots a fresh platform; the runner boots one per command group and after a host throw. */
  boot(): Target;
}
