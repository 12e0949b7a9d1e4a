/**
 * The Islet RMM as the EL3 monitor drives it: the `Rmm` port of `@islet/abi`.
 *
 * This implements the cold/warm boot argument checks (rmm-abi.md §7.4), the boot-time fetch of
 * the RAK and platform token (§7.1) and of Islet's VHUKs (RMM_ISLET_GET_VHUK, islet-reference.md
 * §2.9) and the RMI commands of
 * {@link RMI_HANDLERS} (VERSION, FEATURES, GRANULE_DELEGATE/UNDELEGATE, REALM_CREATE/ACTIVATE/
 * DESTROY, REC_AUX_COUNT, REC_CREATE/DESTROY, the RTT and DATA commands, RTT_SET_RIPAS,
 * PSCI_COMPLETE and REC_ENTER), and, through {@link RSI_HANDLERS}, every RSI command of RMM 1.0,
 * Islet's RSI_ISLET_REALM_SEALING_KEY and PSCI from realms (`handleRsi`). REC_ENTER runs realms through the {@link RealmExecutor}
 * given as `executor`; without one it answers `SMC_UNKNOWN` once its input checks pass.
 *
 * **Composition**: the RMM reaches EL3 only through {@link El3Services} and memory only through
 * {@link PhysMemory}; it never names `@islet/gpt`, `@islet/mmu` or `@islet/el3-monitor`
 * (DESIGN.md layering). The DRAM banks are given at construction (TF-RMM reads them from the boot
 * manifest's `plat_dram`; this foundation does not parse the manifest).
 * @module
 */

import {
  decodeFeatureRegister0,
  isRmmEl3IfcVersionSupported,
  type PhysMemory,
  type Regs,
  type RmiArgs,
  type RmiResult,
  type Rmm,
  type RmmBootArgs,
  RmmBootError,
  type RsiOutcome,
  SMC_RMI_DATA_CREATE,
  SMC_RMI_FEATURES,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_GRANULE_UNDELEGATE,
  SMC_RMI_REC_AUX_COUNT,
  SMC_RMI_RTT_CREATE,
  SMC_RMI_RTT_READ_ENTRY,
  SMC_RMI_VERSION,
  stripSveHint,
} from '@islet/abi';
import type { CryptoProvider, PhysAddr } from '@islet/arch';
import { type BootAttestation, fetchBootAttestation } from './attest/boot.ts';
import { fetchVhuks, type IsletEl3Services, type RealmVhuks } from './attest/vhuk.ts';
import {
  DEFAULT_PLATFORM_FEATURES,
  featureRegister0,
  type RmmPlatformFeatures,
} from './features.ts';
import { type DramBank, GranuleTable } from './granule/granule-table.ts';
import { RmmInspector } from './inspect.ts';
import { type MeasurementOffload, RimQueue } from './measurement/rim-queue.ts';
import { RealmTable } from './realm/realm.ts';
import type { RealmExecutor } from './rec/executor.ts';
import { RecTable } from './rec/rec.ts';
import type { RmiContext } from './rmi/context.ts';
import { createRmiDispatcher, type RmiDispatcher } from './rmi/dispatch.ts';
import { RMI_HANDLERS } from './rmi/handlers.ts';
import type { RsiContext } from './rsi/context.ts';
import { createRsiDispatcher, type RsiDispatcher } from './rsi/dispatch.ts';
import { RSI_HANDLERS } from './rsi/handlers.ts';

/**
 * TF-RMM's default `MAX_CPUS` (FVP and host configurations): the most CPUs cold boot accepts.
 * @see rmm-abi.md §7.4
 * @since 0.1.0
 */
export const RMM_MAX_CPUS = 16;

/**
 * What an {@link IsletRmm} is built from.
 * @since 0.1.0
 */
export interface IsletRmmOptions {
  /**
   * The EL3 services (GTSI delegate/undelegate, realm key, platform token) and, when EL3 has
   * Islet's vendor service, the VHUKs (without it, RSI_ISLET_REALM_SEALING_KEY answers
   * RSI_ERROR_UNKNOWN).
   */
  readonly el3: IsletEl3Services;
  /** World-checked physical memory. */
  readonly memory: PhysMemory;
  /** The DRAM banks the RMM tracks granules for (ascending, disjoint, 4 KiB aligned). */
  readonly dram: readonly DramBank[];
  /** The crypto provider for measurements and attestation. */
  readonly crypto: CryptoProvider;
  /** The platform's side of feature register 0 (default {@link DEFAULT_PLATFORM_FEATURES}). */
  readonly features?: Partial<RmmPlatformFeatures>;
  /** The largest number of CPUs cold boot accepts (default {@link RMM_MAX_CPUS}). */
  readonly maxCpus?: number;
  /** FEAT_VMID16 (default true): VMIDs are 16-bit, else 8-bit (REALM_CREATE vmid check). */
  readonly vmid16?: boolean;
  /** FEAT_HPMN0 (default false): a realm with PMU may ask for 0 counters. */
  readonly hpmn0?: boolean;
  /**
   * A second core for the content digests of measured DATA_CREATE (none by default: the RMM
   * hashes in line). The RIM is the same either way.
   */
  readonly measurementOffload?: MeasurementOffload;
  /**
   * What runs REC code inside RMI_REC_ENTER (none by default: REC_ENTER answers `SMC_UNKNOWN`
   * once its input checks pass, as before realms could run). The REC's SMCs go to
   * {@link IsletRmm.handleRsi}.
   * @since 0.6.0
   */
  readonly executor?: RealmExecutor;
}

/**
 * The RMI commands that run with DATA_CREATE measurements still pending on the offload: they
 * neither read nor extend a RIM and cannot write a granule in state DATA (whose content the
 * offload may be reading in place), so completing the queue first would only serialise the two
 * cores. Any other command completes it first, so the RIM is the same wherever it is observed.
 */
const KEEPS_RIM_QUEUE: ReadonlySet<number> = new Set([
  SMC_RMI_DATA_CREATE,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_GRANULE_UNDELEGATE,
  SMC_RMI_VERSION,
  SMC_RMI_FEATURES,
  SMC_RMI_REC_AUX_COUNT,
  SMC_RMI_RTT_CREATE,
  SMC_RMI_RTT_READ_ENTRY,
]);

/**
 * The Islet RMM.
 * @example
 * ```ts
 * const rmm = new IsletRmm({ el3, memory, dram: [{ base: 0x8000_0000, size: 0x100_0000 }], crypto });
 * rmm.coldBoot({ cpuId: 0, ifcVersion: 0x4, numCpus: 4, sharedBuffer: 0xff00_0000 }); // 0
 * rmm.handleRmi(SMC_RMI_VERSION, [0x10000n, 0n, 0n, 0n, 0n, 0n]); // [0n, 0x10000n, 0x10000n, 0n, 0n]
 * ```
 * @see rmm-abi.md §1.1, §2, §7.4
 * @since 0.1.0
 */
export class IsletRmm implements Rmm {
  /** The granule state table (read it; change it only through RMI). */
  readonly granules: GranuleTable;
  /** The crypto provider. */
  readonly crypto: CryptoProvider;
  /** Feature register 0 this RMM reports. */
  readonly featureRegister0: bigint;
  /** Read-only snapshots of realms, RECs and granules (for tests and tools). */
  readonly inspect: RmmInspector;
  readonly #ctx: RmiContext;
  readonly #dispatch: RmiDispatcher;
  readonly #rsiCtx: RsiContext;
  readonly #rsiDispatch: RsiDispatcher;
  readonly #maxCpus: number;
  readonly #el3: IsletEl3Services;
  readonly #memory: PhysMemory;
  #numCpus = 0;
  /** What cold boot fetched from EL3 (undefined before, or when it failed: TF-RMM only warns). */
  #attestation: BootAttestation | undefined;
  /** The VHUKs cold boot fetched (undefined before, or when EL3 has none). */
  #vhuks: RealmVhuks | undefined;

  /**
   * @throws {@link IsletError} `RMM_DRAM_BANKS_INVALID` for bad DRAM banks.
   * @throws {RangeError} for platform features that do not fit feature register 0, or a
   * `maxCpus` that is not a positive integer.
   */
  constructor(options: IsletRmmOptions) {
    const maxCpus = options.maxCpus ?? RMM_MAX_CPUS;
    if (!Number.isInteger(maxCpus) || maxCpus < 1) {
      throw new RangeError(`maxCpus ${maxCpus} is not a positive integer`);
    }
    this.#maxCpus = maxCpus;
    this.#el3 = options.el3;
    this.#memory = options.memory;
    this.granules = new GranuleTable(options.dram);
    this.crypto = options.crypto;
    this.featureRegister0 = featureRegister0({ ...DEFAULT_PLATFORM_FEATURES, ...options.features });
    const realms = new RealmTable();
    const recs = new RecTable();
    const rimQueue = new RimQueue(options.measurementOffload);
    this.#ctx = {
      granules: this.granules,
      el3: options.el3,
      memory: options.memory,
      featureRegister0: this.featureRegister0,
      features: decodeFeatureRegister0(this.featureRegister0),
      vmidBits: (options.vmid16 ?? true) ? 16 : 8,
      hpmn0: options.hpmn0 ?? false,
      crypto: options.crypto,
      realms,
      recs,
      rimQueue,
      ...(options.executor === undefined
        ? {}
        : {
            run: {
              executor: options.executor,
              rsi: (rec: PhysAddr, fid: number, args: Regs) => this.handleRsi(rec, fid, args),
            },
          }),
    };
    this.inspect = new RmmInspector(
      this.granules,
      realms,
      recs,
      options.memory,
      () => this.#attestation,
      () => rimQueue.complete(),
    );
    this.#dispatch = createRmiDispatcher(RMI_HANDLERS);
    this.#rsiCtx = {
      ...this.#ctx,
      attestation: () => this.#attestation,
      vhuks: () => this.#vhuks,
    };
    this.#rsiDispatch = createRsiDispatcher(RSI_HANDLERS);
  }

  /**
   * Cold boot: the checks of TF-RMM `rmm_el3_ifc_init`, in its order: interface version (major 0,
   * minor ≥ 3), number of CPUs (≤ maxCpus), CPU id (< number of CPUs), shared buffer (non-zero,
   * 4 KiB aligned). Then, as TF-RMM `attestation_init`, it fetches the RAK
   * (RMM_ATTEST_GET_REALM_KEY) and the platform token (RMM_ATTEST_GET_PLAT_TOKEN, in hunks, retrying
   * on Again) through the shared buffer (rmm-abi.md §7.1), then, as Islet's `setup_el3_ifc`,
   * VHUK_A and VHUK_M (RMM_ISLET_GET_VHUK). A failure there does not fail the boot (TF-RMM and
   * Islet only warn; realm token or sealing key requests will fail), it leaves
   * `inspect.attestation()` undefined, or the realms without sealing keys. Not yet done: reading the boot manifest. A second successful cold boot is refused
   * with `RmmBootError.Unknown` (TF-RMM asserts it never happens).
   * @see rmm-abi.md §1.4, §7.4
   * @since 0.1.0
   */
  coldBoot(args: RmmBootArgs): RmmBootError {
    if (this.#numCpus !== 0) return RmmBootError.Unknown;
    if (!isRmmEl3IfcVersionSupported(args.ifcVersion)) return RmmBootError.VersionMismatch;
    if (!Number.isInteger(args.numCpus) || args.numCpus < 0 || args.numCpus > this.#maxCpus) {
      return RmmBootError.CpusOutOfRange;
    }
    if (!Number.isInteger(args.cpuId) || args.cpuId < 0 || args.cpuId >= args.numCpus) {
      return RmmBootError.CpuIdOutOfRange;
    }
    const buf = args.sharedBuffer;
    if (!Number.isSafeInteger(buf) || buf <= 0 || buf % 4096 !== 0) {
      return RmmBootError.InvalidSharedBuffer;
    }
    this.#numCpus = args.numCpus;
    this.#attestation = fetchBootAttestation(this.#el3, this.#memory, this.crypto, buf as PhysAddr);
    this.#vhuks = fetchVhuks(this.#el3);
    return RmmBootError.Success;
  }

  /**
   * Warm boot of CPU `cpuId`: refused with `Unknown` before a successful cold boot, and with
   * `CpuIdOutOfRange` for an id not below the number of CPUs cold boot was given.
   * @see rmm-abi.md §7.4
   * @since 0.1.0
   */
  warmBoot(cpuId: number): RmmBootError {
    if (this.#numCpus === 0) return RmmBootError.Unknown;
    if (!Number.isInteger(cpuId) || cpuId < 0 || cpuId >= this.#numCpus) {
      return RmmBootError.CpuIdOutOfRange;
    }
    return RmmBootError.Success;
  }

  /**
   * An RMI call (rmm-abi.md §1.1): SVE hint stripped, unknown and not-yet-implemented FIDs answer
   * X0 = `SMC_UNKNOWN` with X1..X4 as the caller's; otherwise X0..X3 start at 0 and X4 at the
   * caller's X4 before the handler runs. Never throws on any register values.
   * @see rmm-abi.md §1.1, §2
   * @since 0.1.0
   */
  handleRmi(fid: number, args: RmiArgs): RmiResult {
    const queue = this.#ctx.rimQueue;
    if (queue.size !== 0 && !(Number.isInteger(fid) && KEEPS_RIM_QUEUE.has(stripSveHint(fid)))) {
      queue.complete();
    }
    return this.#dispatch(this.#ctx, fid, args);
  }

  /**
   * An SMC from the REC whose granule is at `rec` (rmm-abi.md §5): RSI, PSCI or SMCCC_VERSION
   * with the REC's X1..X10 (missing registers read 0), dispatched through {@link RSI_HANDLERS}.
   * The SVE hint is ignored; an unknown FID returns X0 = `SMC_UNKNOWN` (-1) to the realm and
   * changes nothing else. The call and its result registers are recorded in the REC's register
   * file (TF-RMM `rec->regs`). Never throws on realm input (FID, registers, realm memory).
   * @throws {@link IsletInvariantError} when `rec` is not a live REC of an ACTIVE realm (a REC
   * runs only inside REC_ENTER, which refuses any other).
   * @see rmm-abi.md §4.5, §5, §7
   * @since 0.1.0
   */
  handleRsi(rec: PhysAddr, fid: number, args: Regs): RsiOutcome {
    this.#ctx.rimQueue.complete();
    return this.#rsiDispatch(this.#rsiCtx, rec, fid, args);
  }
}
