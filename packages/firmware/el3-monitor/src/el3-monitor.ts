/**
 * The EL3 monitor (TF-A BL31 with its RMMD): the world switch and SMC routing, the RMM-EL3
 * interface the RMM calls (GTSI delegate and undelegate, realm attestation key, platform token in
 * hunks, boot complete, and Islet's vendor RMM_ISLET_GET_VHUK) and the platform boot (measured
 * boot into HES, the GPT, the RMM's cold boot).
 *
 * **Composition.** The monitor is built from injected parts and never imports `@islet/rmm`: a
 * {@link MonitorGpt} (`@islet/gpt`), the abi {@link PhysMemory} port (`@islet/mmu`'s
 * `physicalMemory.physMemory`), a {@link MonitorHes} (`@islet/hes`) and, now or later through
 * {@link El3Monitor.attachRmm}, any object implementing the abi {@link Rmm} port. The monitor is
 * itself the {@link El3Services} the RMM calls, so the composition root hands `monitor` to the RMM
 * it builds, then attaches that RMM.
 *
 * **Routing** (by the world the SMC comes from; `fid` is W0, `regs` are X1, X2, …):
 *
 * ```text
 * Normal  RMI (0xC4000150..169, SVE hint allowed)  → rmm.handleRmi; X0..X4 from the RMM, X5..X7 kept
 *         (SMC_UNKNOWN until the RMM's cold boot returned E_RMM_BOOT_SUCCESS)
 *         SMCCC_VERSION                             → 0x10002 (v1.2)
 *         PSCI VERSION/FEATURES/CPU_ON/AFFINITY_INFO/SYSTEM_OFF/SYSTEM_RESET → PSCI 1.1 answers
 *         other PSCI                                → NOT_SUPPORTED (-1)
 *         RMM-EL3, RSI, anything else               → SMC_UNKNOWN, X1..X7 kept
 * Realm   RMM-EL3 (0xC40001B0..1CF), no REC         → the El3Services of this monitor
 *         RMM_ISLET_GET_VHUK (0xC70001B0), no REC   → getVhuk (Islet's vendor range
 *                                                     0xC70001B0..1CF: anything else SMC_UNKNOWN)
 *         RSI / PSCI / SMCCC_VERSION with a REC     → rmm.handleRsi(rec, fid, X1..X10)
 *         Islet vendor RSI (0xC7000190..1AF), REC   → rmm.handleRsi(rec, fid, X1..X10)
 *         SMCCC_VERSION without a REC               → 0x10002
 *         anything else                             → SMC_UNKNOWN, X1..X7 kept
 * Secure, Root, other values                        → SMCCC_VERSION answered, else SMC_UNKNOWN
 * ```
 *
 * **Invariants.** Nothing in the SMC path throws on register values, FIDs or world values; an
 * exception from the RMM itself (a bug, STYLE.md §5 tier 3) propagates. The register file an SMC
 * returns belongs to the monitor, one per world, and the next SMC from the same world overwrites it.
 * RMI results reach the host only after the RMM's cold boot succeeded (TF-A's RMMD answers
 * SMC_UNK otherwise). The VHUKs are served to the RMM only (Realm world without a REC): a realm's
 * vCPU and the Normal world get SMC_UNKNOWN for RMM_ISLET_GET_VHUK.
 * @see rmm-abi.md §1.1, §7.1, §7.4, §8.5; islet-reference.md §3
 * @module
 */
import {
  type El3PlatformTokenResult,
  type El3RealmKeyResult,
  type El3Services,
  type El3VhukResult,
  type El3VhukService,
  isIsletRmmEl3Fid,
  isIsletRsiFid,
  MemoryAccess,
  type PhysMemory,
  PSCI_VERSION_1_1,
  PsciAffinityInfo,
  PsciReturnCode,
  type Regs,
  RMM_EL3_IFC_VERSION_TFA_2_12,
  RMM_EL3_SHARED_BUFFER_SIZE,
  type RmiArgs,
  type Rmm,
  RmmAttestKeyCurve,
  type RmmBootArgs,
  RmmBootError,
  RmmEl3Status,
  RmmIsletVhukId,
  type RsiAction,
  type RsiOutcome,
  SMC_RMM_ATTEST_GET_PLAT_TOKEN,
  SMC_RMM_ATTEST_GET_REALM_KEY,
  SMC_RMM_BOOT_COMPLETE,
  SMC_RMM_EL3_FEATURES,
  SMC_RMM_GTSI_DELEGATE,
  SMC_RMM_GTSI_UNDELEGATE,
  SMC_RMM_ISLET_GET_VHUK,
  SMC_UNKNOWN,
  SMC32_PSCI_AFFINITY_INFO,
  SMC32_PSCI_CPU_ON,
  SMC32_PSCI_FEATURES,
  SMC32_PSCI_SYSTEM_OFF,
  SMC32_PSCI_SYSTEM_RESET,
  SMC32_PSCI_VERSION,
  SMC64_PSCI_AFFINITY_INFO,
  SMC64_PSCI_CPU_ON,
  SMCCC_VERSION,
  SMCCC_VERSION_1_2,
  type Smc,
  type SmcResult,
  stripSveHint,
  vhukToRegisters,
  World,
} from '@islet/abi';
import {
  type Bytes,
  type CryptoProvider,
  defaultCrypto,
  type EcPublicKey,
  GRANULE_SIZE,
  MAX_ADDRESS,
  type PhysAddr,
} from '@islet/arch';
import type { Gpt } from '@islet/gpt';
import { type Hes, type Measurement, PsaStatus, VhukId } from '@islet/hes';
import { BOOT_MANIFEST_MAX_BANKS, encodeBootManifest, type NsDramBank } from './boot-manifest.ts';
import { El3MonitorError } from './el3-monitor-error.ts';
import { type FirmwareImage, measureImage } from './firmware-image.ts';

/**
 * What the monitor needs of the GPT: TF-A's `gpt_delegate_pas` / `gpt_undelegate_pas` with their
 * E_RMM_* statuses, and GPCCR_EL3 to see that granule protection checks are on.
 * @since 0.1.0
 */
export type MonitorGpt = Pick<Gpt, 'delegate' | 'undelegate' | 'gpccr'>;

/**
 * What the monitor needs of HES: measured boot, the delegated attestation key, the platform
 * token and (since 0.7.0) the VHUKs.
 * @since 0.1.0
 */
export type MonitorHes = Pick<
  Hes,
  'extendMeasurement' | 'getDelegatedKey' | 'getPlatformToken' | 'getVhuk' | 'cpakPublicKey'
>;

/**
 * The parts and settings of an {@link El3Monitor}.
 * @since 0.1.0
 */
export interface El3MonitorOptions {
  /** The Granule Protection Table, already built (BL2's `gpt_init_*`) over Root memory. */
  readonly gpt: MonitorGpt;
  /** Physical memory behind the same GPT (`PhysicalMemory.physMemory` of `@islet/mmu`). */
  readonly memory: PhysMemory;
  /** The root of trust. */
  readonly hes: MonitorHes;
  /** The RMM; or attach it later with {@link El3Monitor.attachRmm}. */
  readonly rmm?: Rmm;
  /** PA of the 4 KiB RMM-EL3 shared buffer: non-zero, 4 KiB aligned. */
  readonly sharedBuffer: PhysAddr;
  /**
   * The PAS through which EL3 reaches the shared buffer: `World.Realm` by default (TF-A maps it
   * from the RMM's Realm carve-out); `World.Root` for a buffer in Root memory.
   */
  readonly sharedBufferPas?: World;
  /** The number of CPUs (x2 of the cold boot). */
  readonly numCpus: number;
  /** The RMM-EL3 interface version passed in x1; TF-A v2.12's 0.4 by default. */
  readonly ifcVersion?: number;
  /** The Non-secure DRAM banks written into the boot manifest (none by default). */
  readonly nsDramBanks?: readonly NsDramBank[];
  /** Hashes firmware images; `defaultCrypto()` by default. */
  readonly crypto?: CryptoProvider;
  /**
   * Zero a granule after a successful GTSI undelegate. Off by default: TF-A only does cache
   * maintenance (the RMM zeroes DELEGATED granules); turn it on to model a platform whose
   * undelegate scrubs the data, or to defend against an RMM that does not zero.
   */
  readonly scrubOnUndelegate?: boolean;
  /**
   * The largest platform-token hunk one RMM_ATTEST_GET_PLAT_TOKEN returns (default: the buffer
   * size the RMM passes). Smaller values exercise the RMM's hunk loop.
   */
  readonly platformTokenHunkSize?: number;
  /**
   * How many first RMM_ATTEST_GET_PLAT_TOKEN requests answer E_RMM_AGAIN (a busy root of trust),
   * to exercise the RMM's retry path. 0 by default.
   */
  readonly platformTokenBusyCalls?: number;
}

/**
 * The options of {@link El3Monitor.boot}.
 * @since 0.1.0
 */
export interface El3BootOptions {
  /** Firmware images BL2 measures into HES before BL31 runs, in order. */
  readonly images?: readonly FirmwareImage[];
  /** The primary CPU's linear id (x0 of the cold boot); 0 by default. */
  readonly cpuId?: number;
}

/**
 * Where the monitor is in its life.
 * @since 0.1.0
 */
export const El3State = {
  /** Constructed; `boot()` not yet run. */
  Off: 'off',
  /** Booted without an RMM: RMI answers SMC_UNKNOWN. */
  NoRmm: 'no-rmm',
  /** Boot stopped: a measurement was refused, the GPT is off or the shared buffer is unusable. */
  BootFailed: 'boot-failed',
  /** The RMM's cold boot reported an error: RMI answers SMC_UNKNOWN. */
  RmmFailed: 'rmm-failed',
  /** The RMM is up: RMI reaches it. */
  Running: 'running',
} as const;
/** An {@link El3State} value. @since 0.1.0 */
export type El3State = (typeof El3State)[keyof typeof El3State];

/**
 * One image measured at boot.
 * @since 0.1.0
 */
export interface MeasuredImage {
  /** The HES slot. */
  readonly slot: number;
  /** The measurement extended into it. */
  readonly measurement: Measurement;
  /** What HES answered. */
  readonly status: PsaStatus;
}

/**
 * The outcome of {@link El3Monitor.boot}.
 * @since 0.1.0
 */
export interface El3BootReport {
  /** The state the boot left the monitor in. */
  readonly state: El3State;
  /** Why a boot failed, in a few words; `undefined` on success. */
  readonly reason: string | undefined;
  /** The images measured, in order (stops at the first refused one). */
  readonly measurements: readonly MeasuredImage[];
  /** GPCCR_EL3 as the GPT programs it. */
  readonly gpccr: number;
  /** The cold-boot arguments the RMM got; `undefined` if it was not entered. */
  readonly bootArgs: RmmBootArgs | undefined;
  /** The RMM_BOOT_COMPLETE code of the cold boot; `undefined` if the RMM was not entered. */
  readonly rmmBootError: RmmBootError | undefined;
  /** The CPAK public key a verifier needs for the platform token. */
  readonly cpakPublicKey: EcPublicKey;
}

/**
 * An RMM-EL3 service call, as {@link El3Monitor.inspect} records it.
 * @since 0.1.0
 */
export interface El3CallRecord {
  /** The service's FID (`SMC_RMM_*`). */
  readonly fid: number;
  /** The arguments as numbers (PA, size, curve or challenge size). */
  readonly args: readonly number[];
  /** The status returned in x0. */
  readonly status: RmmEl3Status;
}

/**
 * A read-only snapshot of the monitor, for tests and tools.
 * @since 0.1.0
 */
export interface El3Inspection {
  /** The life-cycle state. */
  readonly state: El3State;
  /** The boot report, once `boot()` ran. */
  readonly bootReport: El3BootReport | undefined;
  /** Which CPUs are on (the primary after boot, others after PSCI CPU_ON). */
  readonly cpusOn: readonly boolean[];
  /** The warm-boot codes the RMM returned, by CPU. */
  readonly warmBoots: readonly { readonly cpuId: number; readonly code: RmmBootError }[];
  /** The x1 of the last RMM_BOOT_COMPLETE SMC the RMM issued, if it issued one. */
  readonly bootCompleteSmc: number | undefined;
  /** The last RMM-EL3 calls, oldest first (at most {@link EL3_CALL_LOG_SIZE}). */
  readonly el3Calls: readonly El3CallRecord[];
  /** The platform token being handed out, and how far; `undefined` when none is in progress. */
  readonly platformTokenTransfer: { readonly length: number; readonly offset: number } | undefined;
  /** The last complete platform token handed to the RMM. */
  readonly lastPlatformToken: Bytes | undefined;
  /** `'off'` or `'reset'` after PSCI SYSTEM_OFF / SYSTEM_RESET. */
  readonly system: 'on' | 'off' | 'reset';
}

/** How many RMM-EL3 calls {@link El3Monitor.inspect} keeps. @since 0.1.0 */
export const EL3_CALL_LOG_SIZE = 32;

/** The most arguments an RMM-EL3 call has (GET_REALM_KEY, GET_PLAT_TOKEN). */
const MAX_LOGGED_ARGS = 3;

// Module-local copies: under vitest's module runner every imported binding is a getter call.
const UNKNOWN: bigint = SMC_UNKNOWN;
const NORMAL: World = World.Normal;
const REALM: World = World.Realm;
const SMCCC_VERSION_FID: number = SMCCC_VERSION;
const SMCCC_VERSION_REG = BigInt(SMCCC_VERSION_1_2);
const RSI_SLOT_REGS = 10;
const SHARED_SIZE: number = RMM_EL3_SHARED_BUFFER_SIZE;
const P384_SCALAR_SIZE = 48;
const CHALLENGE_SIZES: readonly number[] = [32, 48, 64];
const MAX_U53 = BigInt(Number.MAX_SAFE_INTEGER);
const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** x0 of each E_RMM_* / PSCI status (−7..0), as a u64 register. */
const NEGATIVE_REG: readonly bigint[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) =>
  BigInt.asUintN(64, BigInt(-n)),
);
/**
 * A value an RMM returned, as a register holds it: the low 64 bits (what a store into a
 * `BigUint64Array` keeps; a plain array of bigints avoids its conversions on every SMC).
 */
function u64(v: bigint): bigint {
  return v >= 0n && v <= U64_MAX ? v : BigInt.asUintN(64, v);
}

function signedReg(n: number): bigint {
  return NEGATIVE_REG[-n] ?? BigInt.asUintN(64, BigInt(n));
}

/** A register value as a number when it is below 2^53, else `Number.MAX_SAFE_INTEGER`. */
function regNumber(x: bigint): number {
  return x <= MAX_U53 ? Number(x) : Number.MAX_SAFE_INTEGER;
}

/** Xn of the caller (`regs[n - 1]`), as a u64; 0 when absent or not a bigint. */
function argReg(regs: Regs, i: number): bigint {
  const v = regs[i];
  if (typeof v !== 'bigint') return 0n;
  // Comparisons do not allocate; asUintN only for values outside [0, 2^64).
  return v >= 0n && v <= U64_MAX ? v : BigInt.asUintN(64, v);
}

function memoryStatus(access: MemoryAccess): RmmEl3Status {
  return access === MemoryAccess.Ok
    ? RmmEl3Status.Ok
    : access === MemoryAccess.GranuleProtectionFault
      ? RmmEl3Status.BadPas
      : RmmEl3Status.BadAddr;
}

const PSCI_SUPPORTED: readonly number[] = [
  SMC32_PSCI_VERSION,
  SMC32_PSCI_FEATURES,
  SMC32_PSCI_CPU_ON,
  SMC64_PSCI_CPU_ON,
  SMC32_PSCI_AFFINITY_INFO,
  SMC64_PSCI_AFFINITY_INFO,
  SMC32_PSCI_SYSTEM_OFF,
  SMC32_PSCI_SYSTEM_RESET,
];

/** Whether `fid` is in PSCI's SMC32 or SMC64 function range (0x84000000.. / 0xC4000000..0x1F). */
function isPsciRange(fid: number): boolean {
  const top = fid >>> 16;
  return (top === 0x8400 || top === 0xc400) && (fid & 0xffff) <= 0x1f;
}

/** Whether `fid` (hint stripped) is an RMI FID: SMC64 standard fast call, fnum 0x150..0x169. */
function isRmi(fid: number): boolean {
  const f = fid & 0xfffe_ffff;
  if (f >>> 16 !== 0xc400) return false;
  const fnum = f & 0xffff;
  return fnum >= 0x150 && fnum <= 0x169;
}

/** Whether `fid` (hint stripped) is an RSI FID: fnum 0x190..0x1AF. */
function isRsi(fid: number): boolean {
  const f = fid & 0xfffe_ffff;
  if (f >>> 16 !== 0xc400) return false;
  const fnum = f & 0xffff;
  return fnum >= 0x190 && fnum <= 0x1af;
}

/** Whether `fid` is an RMM-EL3 FID: fnum 0x1B0..0x1CF (no SVE hint). */
function isRmmEl3(fid: number): boolean {
  if (fid >>> 16 !== 0xc400) return false;
  const fnum = fid & 0xffff;
  return fnum >= 0x1b0 && fnum <= 0x1cf;
}

/** The CPU of an MPIDR in the monitor's flat topology: Aff0, with Aff1..Aff3 zero. */
function cpuOfMpidr(mpidr: bigint, numCpus: number): number {
  if (mpidr > 0xffn) return -1; // any Aff1..Aff3 bit, or a bit above them, is not a CPU here
  const id = Number(mpidr);
  return id < numCpus ? id : -1;
}

/**
 * The EL3 monitor: serves {@link El3Services} to the RMM, routes SMCs by world, and boots the
 * platform.
 *
 * @example
 * ```ts
 * const monitor = new El3Monitor({ gpt, memory: mem.physMemory, hes, sharedBuffer, numCpus: 4 });
 * const rmm = createRmm({ el3: monitor, memory: mem.physMemory }); // any Rmm implementation
 * monitor.attachRmm(rmm);
 * const report = monitor.boot({ images: [{ swType: 'RMM', image: rmmBytes, signerId, swVersion: '1.0' }] });
 * const smc = monitor.conduit(World.Normal);      // the host's SMC instruction
 * smc(SMC_RMI_VERSION, [0x10000n])[0];            // 0n: RMI_SUCCESS
 * ```
 * @see rmm-abi.md §1.1, §7.4
 * @since 0.1.0
 */
export class El3Monitor implements El3Services, El3VhukService {
  /** PA of the RMM-EL3 shared buffer. */
  readonly sharedBuffer: PhysAddr;
  /** The number of CPUs. */
  readonly numCpus: number;
  /** The RMM-EL3 interface version passed to the RMM. */
  readonly ifcVersion: number;

  readonly #gpt: MonitorGpt;
  readonly #memory: PhysMemory;
  readonly #hes: MonitorHes;
  readonly #crypto: CryptoProvider;
  readonly #sharedPas: World;
  readonly #banks: readonly NsDramBank[];
  readonly #scrub: boolean;
  readonly #hunkLimit: number;
  #busyCalls: number;

  #rmm: Rmm | undefined;
  /** The RMM while RMI may reach it (after a successful cold boot), else `undefined`. */
  #rmiTarget: Rmm | undefined;
  #state: El3State = El3State.Off;
  #bootReport: El3BootReport | undefined;
  readonly #cpusOn: boolean[];
  readonly #warmBoots: { cpuId: number; code: RmmBootError }[] = [];
  #bootCompleteSmc: number | undefined;
  /**
   * A ring of the last calls, by column (a launch logs a GTSI call per page, so logging must not
   * allocate); `#callCount` is how many were ever made.
   */
  readonly #callFids = new Uint32Array(EL3_CALL_LOG_SIZE);
  readonly #callStatuses = new Int32Array(EL3_CALL_LOG_SIZE);
  readonly #callArgc = new Uint8Array(EL3_CALL_LOG_SIZE);
  readonly #callArgs: number[] = new Array<number>(EL3_CALL_LOG_SIZE * MAX_LOGGED_ARGS).fill(0);
  #callCount = 0;
  #token: Bytes | undefined;
  #tokenOffset = 0;
  #lastToken: Bytes | undefined;
  #system: 'on' | 'off' | 'reset' = 'on';

  /** X0..X7 returned to each world (indexed by World), reused by every SMC. */
  readonly #out: bigint[][] = [0, 1, 2, 3].map(() => new Array<bigint>(8).fill(0n));
  /** The RMI arguments X1..X6, reused (the RMM must not keep the array). */
  readonly #rmiArgs: [bigint, bigint, bigint, bigint, bigint, bigint] = [0n, 0n, 0n, 0n, 0n, 0n];
  readonly #rsiArgs: bigint[] = new Array<bigint>(RSI_SLOT_REGS).fill(0n);

  /**
   * @param options - the parts and settings.
   * @throws {@link El3MonitorError} `EL3_CONFIG_INVALID` when the shared buffer is zero or not
   * 4 KiB aligned, `numCpus` is not a positive integer, or a DRAM bank list does not fit.
   */
  constructor(options: El3MonitorOptions) {
    const { sharedBuffer, numCpus } = options;
    if (
      !Number.isSafeInteger(sharedBuffer) ||
      sharedBuffer <= 0 ||
      sharedBuffer >= MAX_ADDRESS ||
      sharedBuffer % GRANULE_SIZE !== 0
    ) {
      throw new El3MonitorError('EL3_CONFIG_INVALID', 'the shared buffer must be a 4 KiB page', {
        details: `sharedBuffer = ${String(sharedBuffer)}`,
      });
    }
    if (!Number.isInteger(numCpus) || numCpus < 1 || numCpus > 0x1_0000) {
      throw new El3MonitorError('EL3_CONFIG_INVALID', 'numCpus must be an integer in 1..65536', {
        details: `numCpus = ${String(numCpus)}`,
      });
    }
    const banks = options.nsDramBanks ?? [];
    if (banks.length > BOOT_MANIFEST_MAX_BANKS) {
      throw new El3MonitorError('EL3_CONFIG_INVALID', 'too many NS DRAM banks for the manifest');
    }
    const ifcVersion = options.ifcVersion ?? RMM_EL3_IFC_VERSION_TFA_2_12;
    if (!Number.isInteger(ifcVersion) || ifcVersion < 0 || ifcVersion > 0x7fff_ffff) {
      throw new El3MonitorError('EL3_CONFIG_INVALID', 'ifcVersion must be a u31 integer');
    }
    this.sharedBuffer = sharedBuffer;
    this.numCpus = numCpus;
    this.ifcVersion = ifcVersion;
    this.#gpt = options.gpt;
    this.#memory = options.memory;
    this.#hes = options.hes;
    this.#crypto = options.crypto ?? defaultCrypto();
    this.#sharedPas = options.sharedBufferPas ?? REALM;
    this.#banks = banks.map((b) => ({ base: b.base, size: b.size }));
    this.#scrub = options.scrubOnUndelegate ?? false;
    const hunk = options.platformTokenHunkSize ?? SHARED_SIZE;
    this.#hunkLimit = Number.isInteger(hunk) && hunk > 0 ? hunk : SHARED_SIZE;
    this.#busyCalls = Math.max(0, Math.floor(options.platformTokenBusyCalls ?? 0));
    this.#rmm = options.rmm;
    this.#cpusOn = new Array<boolean>(numCpus).fill(false);
  }

  /**
   * Attaches the RMM built with this monitor as its {@link El3Services} (breaks the construction
   * cycle between the two).
   * @throws {@link El3MonitorError} `EL3_RMM_ALREADY_ATTACHED` when an RMM is attached or the
   * platform has booted.
   * @since 0.1.0
   */
  attachRmm(rmm: Rmm): void {
    if (this.#rmm !== undefined || this.#state !== El3State.Off) {
      throw new El3MonitorError('EL3_RMM_ALREADY_ATTACHED', 'an RMM is attached or boot ran');
    }
    this.#rmm = rmm;
  }

  /**
   * The platform boot, in TF-A's order: (1) BL2 measures the firmware images into HES (BL1 and
   * BL2 are in HES already from its own boot); (2) the GPT BL2 built is checked enabled (GPCCR_EL3
   * GPC) — the composition root built it with `createGpt` and handed it over, as BL31's
   * `gpt_runtime_init` takes over BL2's tables; (3) BL31's RMMD writes the boot manifest at the
   * base of the shared buffer; (4) the RMM's cold boot runs on the primary CPU with x0..x3 = CPU
   * id, interface version, CPU count and shared buffer PA, fetching the RAK and the platform token
   * from this monitor; (5) its RMM_BOOT_COMPLETE code decides whether RMI is served.
   *
   * @param options - the images to measure and the primary CPU.
   * @returns the boot report (also kept for {@link El3Monitor.inspect}).
   * @throws {@link El3MonitorError} `EL3_ALREADY_BOOTED`; `EL3_IMAGE_INVALID` for a malformed
   * image description.
   * @since 0.1.0
   */
  boot(options: El3BootOptions = {}): El3BootReport {
    if (this.#state !== El3State.Off) {
      throw new El3MonitorError('EL3_ALREADY_BOOTED', 'the platform has already booted');
    }
    const cpuId = options.cpuId ?? 0;
    const prepared = (options.images ?? []).map((image) => measureImage(image, this.#crypto));
    const measurements: MeasuredImage[] = [];
    const gpccr = this.#gpt.gpccr;
    const report = (
      state: El3State,
      reason: string | undefined,
      bootArgs?: RmmBootArgs,
      rmmBootError?: RmmBootError,
    ): El3BootReport => {
      this.#state = state;
      this.#bootReport = {
        state,
        reason,
        measurements,
        gpccr,
        bootArgs,
        rmmBootError,
        cpakPublicKey: this.#hes.cpakPublicKey,
      };
      return this.#bootReport;
    };

    // (1) Measured boot.
    for (const { slot, measurement } of prepared) {
      const status = this.#hes.extendMeasurement(slot, measurement);
      measurements.push({ slot, measurement, status });
      if (status !== PsaStatus.Success) {
        return report(
          El3State.BootFailed,
          `HES refused the ${measurement.metadata.swType} measurement`,
        );
      }
    }
    // (2) Granule protection checks must be on (GPCCR_EL3.GPC, bit 16).
    if (((gpccr >>> 16) & 1) !== 1) return report(El3State.BootFailed, 'GPCCR_EL3.GPC is off');
    // (3) The boot manifest at the base of the shared buffer.
    const manifest = encodeBootManifest(this.sharedBuffer, this.#banks);
    const written = this.#memory.write(this.#sharedPas, this.sharedBuffer, manifest);
    if (written !== MemoryAccess.Ok) {
      return report(El3State.BootFailed, 'EL3 cannot write the shared buffer');
    }
    // (4) The RMM's cold boot on the primary CPU.
    const rmm = this.#rmm;
    if (rmm === undefined) return report(El3State.NoRmm, undefined);
    const bootArgs: RmmBootArgs = {
      cpuId,
      ifcVersion: this.ifcVersion,
      numCpus: this.numCpus,
      sharedBuffer: this.sharedBuffer,
    };
    const code = rmm.coldBoot(bootArgs);
    // (5) RMM_BOOT_COMPLETE.
    if (code !== RmmBootError.Success) {
      return report(El3State.RmmFailed, `RMM_BOOT_COMPLETE(${code})`, bootArgs, code);
    }
    if (cpuId >= 0 && cpuId < this.numCpus) this.#cpusOn[cpuId] = true;
    this.#rmiTarget = rmm;
    return report(El3State.Running, undefined, bootArgs, code);
  }

  /**
   * An SMC from `world`: `fid` is W0 and `regs` are X1, X2, …; returns X0..X7 (routing table in
   * the module doc). Never throws on any `world`, `fid` or register values.
   *
   * The returned array is the monitor's register file for `world` (every value in [0, 2^64)):
   * the next SMC from the same world overwrites it, so copy what you keep.
   *
   * @param world - the security state the SMC comes from.
   * @param fid - the function identifier (W0; the low 32 bits of an integer are used).
   * @param regs - X1, X2, …; missing registers read 0.
   * @param rec - Realm world only: the REC whose vCPU issued the SMC. On hardware the SMC traps
   * to R-EL2 (HCR_EL2.TSC), so RSI, PSCI and SMCCC_VERSION go to `rmm.handleRsi(rec, fid,
   * X1..X10)`; without `rec` the caller is the RMM itself, talking to EL3.
   * @returns X0..X7: what the call returns, the caller's values in registers it does not write.
   * @see rmm-abi.md §1.1
   * @since 0.1.0
   */
  smc(world: World, fid: number, regs: Regs, rec?: PhysAddr): SmcResult {
    if (typeof fid !== 'number' || !Number.isInteger(fid)) return this.#unknown(world, 0, regs);
    const f = fid >>> 0;
    if (world === NORMAL) {
      if (isRmi(f)) return this.#rmi(f, regs);
      return this.#normalOther(f, regs);
    }
    if (world === REALM) return this.#realm(f, regs, rec);
    // Secure and Root (no SPMD, and EL3 does not call itself); any other value uses Secure's file.
    const w = world === World.Root ? world : World.Secure;
    if (f === SMCCC_VERSION_FID) return this.#ret1(w, f, regs, SMCCC_VERSION_REG);
    return this.#unknown(w, f, regs);
  }

  /**
   * The SMC instruction of `world` as the abi {@link Smc} port (e.g. for the host).
   * @since 0.1.0
   */
  conduit(world: World): Smc {
    return (fid, args) => this.smc(world, fid, args);
  }

  /**
   * An RSI (or PSCI) call of the REC at `rec`, passed to the RMM with its full outcome (the action
   * the REC's run loop takes next). `undefined` before the RMM runs.
   * @since 0.1.0
   */
  rsi(rec: PhysAddr, fid: number, args: Regs): RsiOutcome | undefined {
    return this.#rmiTarget?.handleRsi(rec, fid, args);
  }

  // ---------------------------------------------------------------------------------------------
  // El3Services (RMM-EL3 runtime interface)

  /**
   * RMM_GTSI_DELEGATE: the granule at `pa` from Non-secure to Realm PAS (TF-A
   * `gpt_delegate_pas`: checks, clean+invalidate of the NS alias — no data change —, GPI write).
   * @returns `Ok`, `BadAddr` (unaligned, beyond the PPS, not in a granule-mapped region) or
   * `BadPas` (GPI not NS).
   * @see rmm-abi.md §7.4, §8.5
   * @since 0.1.0
   */
  gtsiDelegate(pa: PhysAddr): RmmEl3Status {
    return this.#log(SMC_RMM_GTSI_DELEGATE, this.#gpt.delegate(pa), 1, pa);
  }

  /**
   * RMM_GTSI_UNDELEGATE: the granule at `pa` from Realm to Non-secure PAS (TF-A
   * `gpt_undelegate_pas`: No access, invalidate the Realm alias, NS). Zeroed as well with
   * `scrubOnUndelegate`.
   * @returns `Ok`, `BadAddr` or `BadPas` (GPI not Realm).
   * @see rmm-abi.md §7.4, §8.5
   * @since 0.1.0
   */
  gtsiUndelegate(pa: PhysAddr): RmmEl3Status {
    const status = this.#gpt.undelegate(pa);
    if (status === RmmEl3Status.Ok && this.#scrub) this.#memory.zero(NORMAL, pa, GRANULE_SIZE);
    return this.#log(SMC_RMM_GTSI_UNDELEGATE, status, 1, pa);
  }

  /**
   * RMM_ATTEST_GET_REALM_KEY: asks HES for the DAK (P-384, SHA-256 hash of the public key) and
   * writes its raw 48-byte big-endian private scalar at `buffer`.
   * @param buffer - inside the shared buffer.
   * @param size - bytes available at `buffer`.
   * @param curve - `RmmAttestKeyCurve.EccSecp384r1` (0).
   * @returns `{ Ok, 48 }`; `Inval` for another curve or a buffer outside the shared buffer;
   * `NoMem` when `size` < 48; `Unknown` when HES fails; `BadPas`/`BadAddr` when the buffer
   * cannot be written.
   * @see rmm-abi.md §7.1, §7.4
   * @since 0.1.0
   */
  getRealmAttestKey(buffer: PhysAddr, size: number, curve: RmmAttestKeyCurve): El3RealmKeyResult {
    const fail = (status: RmmEl3Status): El3RealmKeyResult => ({
      status: this.#log(SMC_RMM_ATTEST_GET_REALM_KEY, status, 3, buffer, size, curve),
      keySize: 0,
    });
    if (curve !== RmmAttestKeyCurve.EccSecp384r1) return fail(RmmEl3Status.Inval);
    if (!this.#inSharedBuffer(buffer, size)) return fail(RmmEl3Status.Inval);
    if (size < P384_SCALAR_SIZE) return fail(RmmEl3Status.NoMem);
    const dak = this.#hes.getDelegatedKey({ curve: 'P-384', hashAlgorithm: 'sha-256' });
    if (dak.status !== PsaStatus.Success || !('key' in dak)) return fail(RmmEl3Status.Unknown);
    const status = memoryStatus(this.#memory.write(this.#sharedPas, buffer, dak.key.d));
    if (status !== RmmEl3Status.Ok) return fail(status);
    this.#log(SMC_RMM_ATTEST_GET_REALM_KEY, status, 3, buffer, size, curve);
    return { status, keySize: dak.key.d.length };
  }

  /**
   * RMM_ATTEST_GET_PLAT_TOKEN: the next hunk of the platform token.
   *
   * A first call (`challengeSize` 32, 48 or 64) reads the challenge — the RAK hash — from the start
   * of `buffer`, asks HES for a platform token over it and starts a transfer; every call then
   * copies up to `size` bytes (and at most `platformTokenHunkSize`) of the token to `buffer` and
   * returns the hunk length and the bytes still to come. The RMM calls again with
   * `challengeSize` 0 until `remaining` is 0. A new first call restarts the transfer.
   *
   * @returns `Ok` with `hunkSize`/`remaining`; `Again` (nothing copied) while the root of trust is
   * busy (`platformTokenBusyCalls`): retry the same call; `Inval` for a buffer outside the shared
   * buffer, a bad challenge size, a follow-up without a transfer, or a challenge HES refuses (not
   * the hash of the DAK it handed out); `Unknown` when HES fails otherwise.
   * @see rmm-abi.md §7.1, §7.4
   * @since 0.1.0
   */
  getPlatformToken(buffer: PhysAddr, size: number, challengeSize: number): El3PlatformTokenResult {
    const fail = (status: RmmEl3Status): El3PlatformTokenResult => ({
      status: this.#log(SMC_RMM_ATTEST_GET_PLAT_TOKEN, status, 3, buffer, size, challengeSize),
      hunkSize: 0,
      remaining: 0,
    });
    if (!this.#inSharedBuffer(buffer, size)) return fail(RmmEl3Status.Inval);
    if (challengeSize !== 0) {
      if (!CHALLENGE_SIZES.includes(challengeSize) || challengeSize > size) {
        return fail(RmmEl3Status.Inval);
      }
      if (this.#busyCalls > 0) {
        this.#busyCalls--;
        return fail(RmmEl3Status.Again);
      }
      const challenge = new Uint8Array(challengeSize);
      const read = memoryStatus(this.#memory.read(this.#sharedPas, buffer, challenge));
      if (read !== RmmEl3Status.Ok) return fail(read);
      const result = this.#hes.getPlatformToken(challenge);
      this.#token = undefined;
      if (result.status !== PsaStatus.Success || !('token' in result)) {
        return fail(
          result.status === PsaStatus.InvalidArgument ? RmmEl3Status.Inval : RmmEl3Status.Unknown,
        );
      }
      this.#token = result.token;
      this.#tokenOffset = 0;
    }
    const token = this.#token;
    if (token === undefined) return fail(RmmEl3Status.Inval);
    const offset = this.#tokenOffset;
    const hunk = Math.min(size, this.#hunkLimit, token.length - offset);
    const status = memoryStatus(
      this.#memory.write(this.#sharedPas, buffer, token.subarray(offset, offset + hunk)),
    );
    if (status !== RmmEl3Status.Ok) return fail(status);
    this.#tokenOffset = offset + hunk;
    const remaining = token.length - this.#tokenOffset;
    if (remaining === 0) {
      this.#lastToken = token;
      this.#token = undefined;
    }
    this.#log(SMC_RMM_ATTEST_GET_PLAT_TOKEN, status, 3, buffer, size, challengeSize);
    return { status, hunkSize: hunk, remaining };
  }

  /**
   * RMM_ISLET_GET_VHUK (Islet's vendor RMM-EL3 call; TF-A `rmmd_islet_get_vhuk` on Islet's `hes`
   * branch): VHUK_A (`id` 1) or VHUK_M (`id` 2) from HES, over the measurements HES holds now.
   * @returns `{ Ok, key }` (32 bytes); `Inval` for another id; `Unknown` when HES fails.
   * @see islet-reference.md §2.9, §2.10
   * @since 0.7.0
   */
  getVhuk(id: number): El3VhukResult {
    const log = <S extends RmmEl3Status>(status: S): S => {
      this.#log(SMC_RMM_ISLET_GET_VHUK, status, 1, id);
      return status;
    };
    if (id !== RmmIsletVhukId.A && id !== RmmIsletVhukId.M) {
      return { status: log(RmmEl3Status.Inval) };
    }
    const r = this.#hes.getVhuk(id === RmmIsletVhukId.A ? VhukId.A : VhukId.M);
    if (r.status !== PsaStatus.Success || !('key' in r))
      return { status: log(RmmEl3Status.Unknown) };
    return { status: log(RmmEl3Status.Ok), key: r.key };
  }

  // ---------------------------------------------------------------------------------------------
  // Inspection

  /**
   * A read-only snapshot: life-cycle state, boot report, CPUs, the last RMM-EL3 calls, the
   * platform-token transfer.
   * @since 0.1.0
   */
  inspect(): El3Inspection {
    const token = this.#token;
    return {
      state: this.#state,
      bootReport: this.#bootReport,
      cpusOn: [...this.#cpusOn],
      warmBoots: this.#warmBoots.map((w) => ({ ...w })),
      bootCompleteSmc: this.#bootCompleteSmc,
      el3Calls: this.#loggedCalls(),
      platformTokenTransfer:
        token === undefined ? undefined : { length: token.length, offset: this.#tokenOffset },
      lastPlatformToken: this.#lastToken,
      system: this.#system,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Routing internals

  /** RMI from the Normal world: the register-exact path of §1.1 (X5..X7 kept). */
  #rmi(fid: number, regs: Regs): SmcResult {
    const rmm = this.#rmiTarget;
    if (rmm === undefined) return this.#unknown(NORMAL, fid, regs);
    const out = this.#out[NORMAL]!;
    const a = this.#rmiArgs;
    a[0] = argReg(regs, 0);
    a[1] = argReg(regs, 1);
    a[2] = argReg(regs, 2);
    a[3] = argReg(regs, 3);
    a[4] = argReg(regs, 4);
    a[5] = argReg(regs, 5);
    out[5] = a[4];
    out[6] = a[5];
    out[7] = argReg(regs, 6);
    const r = rmm.handleRmi(fid, a as RmiArgs);
    out[0] = u64(r[0]);
    out[1] = u64(r[1]);
    out[2] = u64(r[2]);
    out[3] = u64(r[3]);
    out[4] = u64(r[4]);
    return out;
  }

  /** Everything but RMI from the Normal world: SMCCC_VERSION, PSCI, else SMC_UNKNOWN. */
  #normalOther(fid: number, regs: Regs): SmcResult {
    if (fid === SMCCC_VERSION_FID) return this.#ret1(NORMAL, fid, regs, SMCCC_VERSION_REG);
    if (isPsciRange(fid)) return this.#ret1(NORMAL, fid, regs, this.#psci(fid, regs));
    return this.#unknown(NORMAL, fid, regs);
  }

  /** PSCI from the Normal world; returns x0. */
  #psci(fid: number, regs: Regs): bigint {
    const smc32 = fid >>> 30 === 0b10;
    const arg = (i: number): bigint => {
      const x = argReg(regs, i);
      return smc32 ? x & 0xffff_ffffn : x;
    };
    switch (fid) {
      case SMC32_PSCI_VERSION:
        return BigInt(PSCI_VERSION_1_1);
      case SMC32_PSCI_FEATURES: {
        const queried = arg(0);
        return queried <= 0xffff_ffffn && PSCI_SUPPORTED.includes(Number(queried))
          ? 0n
          : signedReg(PsciReturnCode.NotSupported);
      }
      case SMC32_PSCI_CPU_ON:
      case SMC64_PSCI_CPU_ON: {
        const cpu = cpuOfMpidr(arg(0), this.numCpus);
        if (cpu < 0) return signedReg(PsciReturnCode.InvalidParams);
        if (this.#cpusOn[cpu]) return signedReg(PsciReturnCode.AlreadyOn);
        const rmm = this.#rmiTarget;
        if (rmm !== undefined) {
          const code = rmm.warmBoot(cpu);
          this.#warmBoots.push({ cpuId: cpu, code });
          if (code !== RmmBootError.Success) return signedReg(PsciReturnCode.InternalFailure);
        }
        this.#cpusOn[cpu] = true;
        return 0n;
      }
      case SMC32_PSCI_AFFINITY_INFO:
      case SMC64_PSCI_AFFINITY_INFO: {
        const cpu = cpuOfMpidr(arg(0), this.numCpus);
        if (cpu < 0 || arg(1) !== 0n) return signedReg(PsciReturnCode.InvalidParams);
        return BigInt(this.#cpusOn[cpu] ? PsciAffinityInfo.On : PsciAffinityInfo.Off);
      }
      case SMC32_PSCI_SYSTEM_OFF:
        this.#system = 'off';
        return 0n;
      case SMC32_PSCI_SYSTEM_RESET:
        this.#system = 'reset';
        return 0n;
      default:
        return signedReg(PsciReturnCode.NotSupported);
    }
  }

  /** An SMC from the Realm world: the RMM's calls to EL3, or a REC's calls to the RMM. */
  #realm(fid: number, regs: Regs, rec: PhysAddr | undefined): SmcResult {
    if (rec !== undefined) {
      const rmm = this.#rmiTarget;
      const toRmm =
        isRsi(fid) ||
        isIsletRsiFid(stripSveHint(fid)) ||
        isPsciRange(fid) ||
        fid === SMCCC_VERSION_FID;
      if (rmm !== undefined && toRmm) return this.#realmRsi(rmm, rec, fid, regs);
      return this.#unknown(REALM, fid, regs);
    }
    if (fid === SMCCC_VERSION_FID) return this.#ret1(REALM, fid, regs, SMCCC_VERSION_REG);
    if (isIsletRmmEl3Fid(fid)) return this.#islet(fid, regs);
    if (!isRmmEl3(fid)) return this.#unknown(REALM, fid, regs);
    const out = this.#load(REALM, fid, regs);
    const x1 = out[1]!;
    switch (fid) {
      case SMC_RMM_GTSI_DELEGATE:
        out[0] = signedReg(this.gtsiDelegate(this.#pa(x1)));
        return out;
      case SMC_RMM_GTSI_UNDELEGATE:
        out[0] = signedReg(this.gtsiUndelegate(this.#pa(x1)));
        return out;
      case SMC_RMM_ATTEST_GET_REALM_KEY: {
        const curve = out[3]! > 0xffn ? 0xff : Number(out[3]!);
        const r = this.getRealmAttestKey(
          this.#pa(x1),
          regNumber(out[2]!),
          curve as RmmAttestKeyCurve,
        );
        out[0] = signedReg(r.status);
        out[1] = BigInt(r.keySize);
        return out;
      }
      case SMC_RMM_ATTEST_GET_PLAT_TOKEN: {
        const r = this.getPlatformToken(this.#pa(x1), regNumber(out[2]!), regNumber(out[3]!));
        out[0] = signedReg(r.status);
        out[1] = BigInt(r.hunkSize);
        out[2] = BigInt(r.remaining);
        return out;
      }
      case SMC_RMM_EL3_FEATURES: {
        // Interface v0.4 feature register 0: no optional feature (no EL3 token signing).
        const status = x1 === 0n ? RmmEl3Status.Ok : RmmEl3Status.Inval;
        out[0] = signedReg(this.#log(fid, status, 1, regNumber(x1)));
        out[1] = 0n;
        return out;
      }
      case SMC_RMM_BOOT_COMPLETE: {
        const code = Number(BigInt.asIntN(32, x1));
        this.#bootCompleteSmc = code;
        out[0] = signedReg(this.#log(fid, RmmEl3Status.Ok, 1, code));
        return out;
      }
      default:
        out[0] = UNKNOWN;
        return out;
    }
  }

  /** Islet's vendor RMM-EL3 range from the RMM: RMM_ISLET_GET_VHUK, else SMC_UNKNOWN. */
  #islet(fid: number, regs: Regs): SmcResult {
    const out = this.#load(REALM, fid, regs);
    if (fid !== SMC_RMM_ISLET_GET_VHUK) {
      out[0] = UNKNOWN;
      return out;
    }
    const x1 = out[1]!;
    const r = this.getVhuk(x1 > 0xffn ? 0xff : Number(x1));
    out[0] = signedReg(r.status);
    const key = 'key' in r ? vhukToRegisters(r.key) : [0n, 0n, 0n, 0n];
    for (let i = 0; i < 4; i++) out[1 + i] = key[i]!;
    return out;
  }

  /** A REC's RSI / PSCI / SMCCC_VERSION call, forwarded to the RMM. */
  #realmRsi(rmm: Rmm, rec: PhysAddr, fid: number, regs: Regs): SmcResult {
    const a = this.#rsiArgs;
    for (let i = 0; i < RSI_SLOT_REGS; i++) a[i] = argReg(regs, i);
    const outcome = rmm.handleRsi(rec, fid, a);
    this.#lastRsiAction = outcome.action;
    const out = this.#load(REALM, fid, regs);
    const r = outcome.regs;
    if (r !== undefined) {
      const n = Math.min(r.length, 8);
      for (let i = 0; i < n; i++) {
        const v = r[i];
        if (typeof v === 'bigint') out[i] = u64(v);
      }
    }
    return out;
  }

  /** The action of the last RSI call routed through {@link El3Monitor.smc}. */
  #lastRsiAction: RsiAction | undefined;

  /**
   * What the REC's run loop does after the last RSI call routed through `smc(World.Realm, …,
   * rec)` (the SMC result carries only registers).
   * @since 0.1.0
   */
  get lastRsiAction(): RsiAction | undefined {
    return this.#lastRsiAction;
  }

  /** A register as a PA for the El3Services (out-of-range values become an invalid PA). */
  #pa(x: bigint): PhysAddr {
    return (x <= MAX_U53 ? Number(x) : -1) as PhysAddr;
  }

  /** Loads the caller's X0..X7 into `world`'s output register file. */
  #load(world: World, fid: number, regs: Regs): bigint[] {
    const out = this.#out[world]!;
    out[0] = BigInt(fid);
    for (let i = 1; i < 8; i++) out[i] = argReg(regs, i - 1);
    return out;
  }

  /** X0 = `x0`, X1..X7 kept. */
  #ret1(world: World, fid: number, regs: Regs, x0: bigint): SmcResult {
    const out = this.#load(world, fid, regs);
    out[0] = x0;
    return out;
  }

  /** X0 = SMC_UNKNOWN, X1..X7 kept. Any world value (an unknown one uses a scratch file). */
  #unknown(world: World, fid: number, regs: Regs): SmcResult {
    const w = world === 0 || world === 1 || world === 2 || world === 3 ? world : World.Secure;
    const out = this.#load(w, fid, regs);
    out[0] = UNKNOWN;
    return out;
  }

  #inSharedBuffer(buffer: number, size: number): boolean {
    const base = this.sharedBuffer;
    return (
      Number.isSafeInteger(buffer) &&
      Number.isSafeInteger(size) &&
      size > 0 &&
      buffer >= base &&
      buffer + size <= base + SHARED_SIZE
    );
  }

  /** Logs a call of up to {@link MAX_LOGGED_ARGS} arguments; returns `status`. */
  #log(fid: number, status: RmmEl3Status, argc: number, a0 = 0, a1 = 0, a2 = 0): RmmEl3Status {
    const i = this.#callCount++ % EL3_CALL_LOG_SIZE;
    this.#callFids[i] = fid;
    this.#callStatuses[i] = status;
    this.#callArgc[i] = argc;
    const at = i * MAX_LOGGED_ARGS;
    this.#callArgs[at] = a0;
    this.#callArgs[at + 1] = a1;
    this.#callArgs[at + 2] = a2;
    return status;
  }

  /** The logged calls, oldest first. */
  #loggedCalls(): El3CallRecord[] {
    const n = Math.min(this.#callCount, EL3_CALL_LOG_SIZE);
    const first = this.#callCount - n;
    return Array.from({ length: n }, (_, k) => {
      const i = (first + k) % EL3_CALL_LOG_SIZE;
      const at = i * MAX_LOGGED_ARGS;
      return {
        fid: this.#callFids[i]!,
        args: this.#callArgs.slice(at, at + this.#callArgc[i]!),
        status: this.#callStatuses[i] as RmmEl3Status,
      };
    });
  }
}
