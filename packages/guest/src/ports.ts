/**
 * The ports the realm side runs on: what a vCPU gives the RSI shim and the runtime. On hardware
 * these are the SMC instruction, loads and stores, WFI/WFE and the registers at reset; here the
 * worker-thread vCPU ({@link WorkerVcpus}) implements them over shared memory, and a test
 * implements them with a fake.
 * @module
 */

/**
 * `SMC #0` as the realm issues it: `x` is X0..X10 (W0 = the FID; missing registers are 0) and the
 * result is X0..X10 after the call. Blocking: it returns when the RMM (and, through an exit,
 * the host) has answered.
 * @since 0.1.0
 */
export type RealmSmc = (x: readonly bigint[]) => bigint[];

/**
 * The size of one load or store of a general-purpose register (ESR_EL2.SAS).
 * @since 0.1.0
 */
export type AccessSize = 1 | 2 | 4 | 8;

/**
 * The realm's view of its IPA space. An access blocks until it is done: a stage-2 fault the host
 * resolves (a first touch of a RAM page, an emulated MMIO access) is invisible here, as on
 * hardware; a synchronous external abort throws.
 * @since 0.1.0
 */
export interface GuestMemory {
  /**
   * Reads `length` bytes at `ipa` (a bulk copy).
   * @throws {@link SeaError} `GUEST_SEA` on a synchronous external abort.
   */
  read(ipa: number, length: number): Uint8Array<ArrayBuffer>;
  /**
   * Writes `bytes` at `ipa` (a bulk copy).
   * @throws {@link SeaError} `GUEST_SEA` on a synchronous external abort.
   */
  write(ipa: number, bytes: Uint8Array): void;
  /**
   * One load of `size` bytes into a register (`LDR`/`LDRS*`), zero- or sign-extended to 64 bits:
   * the access a host can emulate (ISV). `ipa` is aligned to `size`.
   * @throws {@link SeaError} `GUEST_SEA` on a synchronous external abort.
   */
  load(ipa: number, size: AccessSize, signExtend: boolean): bigint;
  /**
   * One store of the low `size` bytes of `value` (`STR*`), emulatable like {@link load}.
   * @throws {@link SeaError} `GUEST_SEA` on a synchronous external abort.
   */
  store(ipa: number, size: AccessSize, value: bigint): void;
}

/**
 * The registers a vCPU starts with (the realm services convention of `@islet/abi`: REC 0 at
 * the image with X0 = image length, X1 = memory size; a secondary at its PSCI CPU_ON entry with
 * X0 = the context id).
 * @since 0.1.0
 */
export interface BootRegisters {
  readonly pc: bigint;
  readonly x0: bigint;
  readonly x1: bigint;
}

/**
 * One vCPU of a realm as the runtime sees it.
 * @since 0.1.0
 */
export interface RealmCpu {
  /** The REC index (what MPIDR_EL1 says). */
  readonly index: number;
  /** The registers at reset. */
  readonly boot: BootRegisters;
  /** `SMC #0`. */
  readonly smc: RealmSmc;
  /** The realm's memory. */
  readonly memory: GuestMemory;
  /** `WFI`: lets the host run something else. */
  wfi(): void;
  /** `WFE`. */
  wfe(): void;
  /**
   * Stops this vCPU for good (a CPU in a WFI loop with interrupts masked): never returns. The
   * runtime halts after SYSTEM_OFF, SYSTEM_RESET or CPU_OFF, which do not return on hardware.
   */
  halt(): never;
}
