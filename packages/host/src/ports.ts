/**
 * The Normal world as the host sees it: an SMC conduit, GPT-checked physical memory and the DRAM
 * it owns. `bootPlatform().host` of `@islet/fvp` is one (structurally); a real host would wrap
 * `arm_smccc_1_1_invoke` and `/dev/mem`.
 * @module
 */

/**
 * The host's physical memory: every access is checked against the GPT, so touching a granule
 * that is not Non-secure faults.
 * @since 0.1.0
 */
export interface HostMemory {
  /** Reads `length` bytes at `pa`. */
  read(pa: bigint, length: number): Uint8Array;
  /** Writes `bytes` at `pa`. */
  write(pa: bigint, bytes: Uint8Array): void;
}

/**
 * One range of DRAM the host owns and may delegate.
 * @since 0.1.0
 */
export interface DramRange {
  readonly base: bigint;
  readonly size: bigint;
}

/**
 * What the host needs from the platform.
 * @since 0.1.0
 */
export interface HostPorts {
  /**
   * An SMC from the Normal world: `fid` in X0 (a register value) or W0 (a number, what SMCCC
   * reads: the driver's calls, which need no BigInt), `args` in X1..; returns X0..X4.
   */
  smc(fid: bigint | number, ...args: bigint[]): bigint[];
  readonly memory: HostMemory;
  /** The DRAM ranges the host owns and may delegate, in address order. */
  readonly dram: readonly DramRange[];
}
