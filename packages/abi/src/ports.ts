/**
 * The ports between layers, as types only: the SMC conduit, the `Rmm` the EL3 monitor drives,
 * the EL3 services the RMM calls, and world-tagged physical memory.
 *
 * Why ports: the layers of DESIGN.md never import each other's internals. The monitor receives an
 * {@link Rmm} and never names `@islet/rmm`, so any RMM that implements this interface (TF-RMM
 * compatible or not) plugs in; the host and the guest speak only {@link Smc}; the RMM reaches EL3
 * only through {@link El3Services} and memory only through {@link PhysMemory}. Only `apps/fvp`
 * composes concrete objects.
 *
 * Registers are bigint at every port (STYLE.md §6): X registers are 64-bit and the ABI uses their
 * top bits (SMC_UNKNOWN, level -1, descriptors). Implementations decode them once, at the handler
 * boundary, into numbers.
 *
 * The ports are synchronous, as an `SMC` is: a call returns only when the callee has finished.
 * @module
 */
import type { PhysAddr } from '@islet/arch';
import type { RmmAttestKeyCurve, RmmBootError, RmmEl3Status } from './el3-fid.ts';
import type { RecExit } from './rec-run.ts';
import type { World } from './world.ts';

/**
 * General-purpose registers at a port, in order (element 0 is the first register the port names).
 * A `readonly bigint[]` for small tuples or a `BigUint64Array` register file both fit.
 * @see rmm-abi.md §1.1
 * @since 0.1.0
 */
export type Regs = ArrayLike<bigint>;

/**
 * What an SMC returns: X0, X1, … . Registers beyond the array are unchanged from the call.
 * @see rmm-abi.md §1.1
 * @since 0.1.0
 */
export type SmcResult = Regs;

/**
 * The SMC conduit: `fid` is W0 and `args` are X1, X2, …; the result is X0, X1, … . The host issues
 * RMI through one from the Normal world, a realm issues RSI and PSCI through one.
 * @see rmm-abi.md §1.1, §2, §5
 * @since 0.1.0
 */
export type Smc = (fid: number, args: Regs) => SmcResult;

/**
 * The inputs of an RMI call: the caller's X1..X6 (inputs are X1..X5; X4 is needed as well to
 * return it unchanged).
 * @see rmm-abi.md §1.1
 * @since 0.1.0
 */
export type RmiArgs = readonly [
  x1: bigint,
  x2: bigint,
  x3: bigint,
  x4: bigint,
  x5: bigint,
  x6: bigint,
];

/**
 * The result of an RMI call, register for register: X0..X4 as EL3 returns them to the host
 * (`SMC_RET5`); X5..X7 are untouched by construction.
 *
 * To match TF-RMM bit for bit (§1.1): result X0..X3 start at 0 and X4 at the caller's X4, then the
 * handler writes its outputs; so unwritten X1..X3 read 0 and X4 is unchanged except after
 * RMI_RTT_READ_ENTRY. For an unknown or unused FID, X0 = `SMC_UNKNOWN` and X1..X4 are the
 * caller's.
 * @see rmm-abi.md §1.1
 * @since 0.1.0
 */
export type RmiResult = readonly [x0: bigint, x1: bigint, x2: bigint, x3: bigint, x4: bigint];

/**
 * The cold-boot arguments EL3 passes to the RMM in x0..x3.
 *
 * ```text
 * Boot entry (cold): x0 = CPU linear id (< x2), x1 = interface version ((major<<16)|minor, need
 * major 0, minor ≥ 3), x2 = number of CPUs (≤ MAX_CPUS), x3 = PA of 4K shared buffer (non-zero,
 * 4K aligned; boot manifest at its base).
 * ```
 *
 * Plain numbers, not branded: the RMM checks them and answers with an {@link RmmBootError}.
 * @see rmm-abi.md §7.4
 * @since 0.1.0
 */
export interface RmmBootArgs {
  /** x0: this CPU's linear id. */
  readonly cpuId: number;
  /** x1: the RMM-EL3 interface version, `(major << 16) | minor`. */
  readonly ifcVersion: number;
  /** x2: the number of CPUs. */
  readonly numCpus: number;
  /** x3: PA of the 4 KiB RMM-EL3 shared buffer (boot manifest at its base). */
  readonly sharedBuffer: number;
}

/**
 * What an RSI call asks of the REC's run loop.
 *
 * ```text
 * Actions: return to Realm; exit to Host (with REC regs updated or not); exit to Host with emulated S2 fault.
 * ```
 * @see rmm-abi.md §5
 * @since 0.1.0
 */
export const RsiAction = {
  /** Results are written to the REC; PC advances past the SMC; the realm continues. */
  ReturnToRealm: 0,
  /** The REC exits to the host (RmiRecExit filled); PC advances. */
  ExitToHost: 1,
  /** The REC exits to the host with an emulated stage-2 data abort; PC does NOT advance. */
  ExitToHostS2Fault: 2,
} as const;
/** An RSI action. @see rmm-abi.md §5 @since 0.1.0 */
export type RsiAction = (typeof RsiAction)[keyof typeof RsiAction];

/**
 * The part of RmiRecExit an RSI or PSCI call decides when it exits to the host: the exit reason and
 * the fields that go with it. The REC's run loop writes these into the zeroed RmiRecExit and adds
 * what it owns (GIC, timers, PMU).
 *
 * ```text
 * - Emulated stage-2 abort produced by RSI (REALM_CONFIG, HOST_CALL, ATTEST_TOKEN_CONTINUE buffer
 *   not mapped): exit_reason SYNC, esr = (0x24<<26) | (0x04 + walk_level), far = 0,
 *   hpfar = X1_ipa >> 8; REC PC not advanced (SMC re-executed).
 * - PSCI: gprs[0] = FID; CPU_ON / AFFINITY_INFO: gprs[1] = target MPIDR; other gprs 0.
 * - RIPAS_CHANGE: ripas_base, ripas_top, ripas_value.
 * - HOST_CALL: imm and gprs[0..30] from the RsiHostCall structure.
 * ```
 *
 * Why it is in the port: the host learns these values only from RmiRecExit, and an RMM behind
 * the {@link Rmm} port must hand them to whoever writes RmiRecExit. Fields the reason does not use
 * are 0 (TF-RMM zeroes the exit first); `gprs` always has 31 entries.
 * @see rmm-abi.md §3.3, §5.6-§5.11
 * @since 0.5.0
 */
export type RsiExit = Pick<
  RecExit,
  'exitReason' | 'esr' | 'far' | 'hpfar' | 'gprs' | 'ripasBase' | 'ripasTop' | 'ripasValue' | 'imm'
>;

/**
 * The outcome of an RSI (or PSCI) call from a REC.
 * @see rmm-abi.md §5
 * @since 0.1.0
 */
export interface RsiOutcome {
  /** What happens next. */
  readonly action: RsiAction;
  /**
   * The REC's X0.. after the call (X0..X4, or X0..X8 for RSI_MEASUREMENT_READ), or `undefined`
   * when the call leaves the REC's registers as they were (e.g. a pending PSCI CPU_ON).
   */
  readonly regs: Regs | undefined;
  /**
   * What RmiRecExit reports: present when `action` exits to the host
   * ({@link RsiAction.ExitToHost}, {@link RsiAction.ExitToHostS2Fault}), absent when the realm
   * continues. Optional so that an RMM that never exits (a stub) need not build one.
   * @since 0.5.0
   */
  readonly exit?: RsiExit;
}

/**
 * The RMM as the EL3 monitor and the platform see it. Any RMM implementation plugs in through
 * this interface (DESIGN.md "Swapping the RMM"); the conformance suite drives it only through
 * these registers.
 * @see rmm-abi.md §1.1, §5, §7.4
 * @since 0.1.0
 */
export interface Rmm {
  /**
   * Cold boot on one CPU. The RMM checks `args`, then fetches the RAK and the platform token
   * through its {@link El3Services} (RMM_ATTEST_GET_REALM_KEY, RMM_ATTEST_GET_PLAT_TOKEN) and
   * returns what it would pass to RMM_BOOT_COMPLETE in x1.
   */
  coldBoot(args: RmmBootArgs): RmmBootError;
  /** Warm boot of CPU `cpuId` (x0); returns the RMM_BOOT_COMPLETE code. */
  warmBoot(cpuId: number): RmmBootError;
  /**
   * An RMI call from the Normal world, forwarded by EL3: `fid` with the SVE hint as the host
   * passed it, and the caller's X1..X6. Returns X0..X4 exactly as SMC_RMM_REQ_COMPLETE hands them
   * back (x1..x5). Never throws on host input.
   */
  handleRmi(fid: number, args: RmiArgs): RmiResult;
  /**
   * An SMC from the REC at `rec` while it runs inside RMI_REC_ENTER: RSI, PSCI or SMCCC_VERSION,
   * with the REC's X1..X10. An unknown FID returns X0 = -1 to the realm. Never throws on realm
   * input.
   */
  handleRsi(rec: PhysAddr, fid: number, args: Regs): RsiOutcome;
}

/**
 * X0/X1 of RMM_ATTEST_GET_REALM_KEY.
 * @see rmm-abi.md §7.1, §7.4
 * @since 0.1.0
 */
export interface El3RealmKeyResult {
  /** x0. */
  readonly status: RmmEl3Status;
  /** x1: bytes of key written at the start of the buffer (48 for P-384). */
  readonly keySize: number;
}

/**
 * X0..X2 of RMM_ATTEST_GET_PLAT_TOKEN.
 * @see rmm-abi.md §7.1, §7.4
 * @since 0.1.0
 */
export interface El3PlatformTokenResult {
  /** x0 (`Again`: call again). */
  readonly status: RmmEl3Status;
  /** x1: bytes of token copied into the buffer by this call. */
  readonly hunkSize: number;
  /** x2: bytes still to come; the RMM loops until 0. */
  readonly remaining: number;
}

/**
 * The EL3 services the RMM calls (RMM-EL3 interface). Buffers are the RMM-EL3 shared buffer, named
 * by PA as in the real interface; the data moves through {@link PhysMemory}.
 * @see rmm-abi.md §7.1, §7.4, §8.5
 * @since 0.1.0
 */
export interface El3Services {
  /** RMM_GTSI_DELEGATE: GPI of the granule at `pa` NS → Realm. */
  gtsiDelegate(pa: PhysAddr): RmmEl3Status;
  /** RMM_GTSI_UNDELEGATE: GPI of the granule at `pa` Realm → NS (scrubbed). */
  gtsiUndelegate(pa: PhysAddr): RmmEl3Status;
  /** RMM_ATTEST_GET_REALM_KEY: the RAK's private scalar into `buffer`. */
  getRealmAttestKey(buffer: PhysAddr, size: number, curve: RmmAttestKeyCurve): El3RealmKeyResult;
  /**
   * RMM_ATTEST_GET_PLAT_TOKEN: the next hunk of the platform token into `buffer`. On the first
   * call the buffer starts with the `challengeSize` (32) bytes of RAK hash; 0 on follow-ups.
   */
  getPlatformToken(buffer: PhysAddr, size: number, challengeSize: number): El3PlatformTokenResult;
}

/**
 * Physical memory below the granule protection check: what the GPT walker and EL3 firmware use to
 * reach the tables they own in Root memory. Only Root-world code receives one; every other world
 * goes through {@link PhysMemory}.
 * @see rmm-abi.md §8
 * @since 0.1.0
 */
export interface RawMemory {
  /**
   * The 4 KiB granule at the aligned address `pa` as a live little-endian view (allocated on first
   * touch), or `undefined` when no DRAM backs `pa`.
   */
  granule(pa: PhysAddr): Uint8Array | undefined;
}

/**
 * The outcome of a physical memory access.
 * @see rmm-abi.md §8.1
 * @since 0.1.0
 */
export const MemoryAccess = {
  /** The access completed. */
  Ok: 0,
  /** The GPT forbids the access to this PAS (a GPF); TF-RMM turns it into RMI_ERROR_INPUT. */
  GranuleProtectionFault: 1,
  /** No memory at the address (a synchronous external abort). */
  ExternalAbort: 2,
} as const;
/** A memory access outcome. @see rmm-abi.md §8.1 @since 0.1.0 */
export type MemoryAccess = (typeof MemoryAccess)[keyof typeof MemoryAccess];

/**
 * Physical memory as a world sees it. `world` is the PAS the access targets (a {@link World}
 * value is its PAS): the host targets Normal; the RMM targets Realm for its own granules and
 * Normal for host buffers. Every granule touched is checked against the GPT first; on a fault
 * nothing is written.
 * @see rmm-abi.md §8.1, §1.5 (NS buffers)
 * @since 0.1.0
 */
export interface PhysMemory {
  /** Copies `dst.length` bytes at `pa` into `dst`. */
  read(world: World, pa: PhysAddr, dst: Uint8Array): MemoryAccess;
  /** Copies `src` to `pa`. */
  write(world: World, pa: PhysAddr, src: Uint8Array): MemoryAccess;
  /**
   * Zeroes `length` bytes at `pa` (how the RMM scrubs granules). The memory may skip granules it
   * knows are already zero.
   */
  zero(world: World, pa: PhysAddr, length: number): MemoryAccess;
  /** Copies `length` bytes from `src` in `srcWorld`'s PAS to `dst` in `dstWorld`'s PAS. */
  copy(
    srcWorld: World,
    src: PhysAddr,
    dstWorld: World,
    dst: PhysAddr,
    length: number,
  ): MemoryAccess;
  /**
   * The 4 KiB granule at `pa` (aligned) as a live view, after the GPT check, or `undefined` if
   * the access would fault. For hot paths (RTT walks, zeroing); like TF-RMM's slot-buffer
   * mapping, a view must not be kept across a change of the granule's GPI.
   */
  granule(world: World, pa: PhysAddr): Uint8Array | undefined;
}
