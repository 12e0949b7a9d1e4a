/**
 * `bootPlatform`: composes the FVP-like platform (DRAM, GPT, MMU, HES, EL3 monitor and an RMM) and
 * boots it, then hands the Normal world its view: SMCs, physical memory through the granule
 * protection check, and the DRAM it may use. Only this composition root builds concrete objects.
 * @module
 */
import { type El3Services, type PhysMemory, type RealmExecutor, type Rmm, World } from '@islet/abi';
import { type CryptoProvider, defaultCrypto, IsletError, MAX_ADDRESS, physAddr } from '@islet/arch';
import { type El3BootReport, El3Monitor } from '@islet/el3-monitor';
import { createGpt, GpccrPps, type Gpt } from '@islet/gpt';
import { WorkerVcpus } from '@islet/guest';
import { Hes, type HesProvisioning } from '@islet/hes';
import type { HostPorts } from '@islet/host';
import { Dram, PhysicalMemory } from '@islet/mmu';
import { IsletRmm, type MeasurementOffload } from '@islet/rmm';
import { startDigestWorker } from './digest-worker.ts';
import { defaultFirmwareImages } from './firmware.ts';
import { type PlatformInspect, platformInspect } from './inspect.ts';
import { GPT_TABLES, type MemoryRange, NS_DRAM, PAS_REGIONS, SHARED_BUFFER } from './memory-map.ts';
import { realmMemory } from './realm-memory.ts';

/** What an RMM implementation is built from: any package that implements the `Rmm` port plugs in. */
export interface RmmEnvironment {
  /** The EL3 services (the monitor). */
  readonly el3: El3Services;
  /** World-checked physical memory. */
  readonly memory: PhysMemory;
  /** All DRAM, for the granule table. */
  readonly dram: readonly MemoryRange[];
  readonly crypto: CryptoProvider;
  /** A second core for measurement digests, when the platform was booted with one. */
  readonly measurementOffload?: MeasurementOffload;
  /** What runs realm code when REC_ENTER resumes a REC (the platform's vCPUs). */
  readonly executor?: RealmExecutor;
}

/** Builds an RMM for the platform. */
export type RmmFactory = (env: RmmEnvironment) => Rmm;

/** Options of {@link bootPlatform}. */
export interface PlatformOptions {
  /** The RMM: a factory, or the default Islet RMM of `@islet/rmm`. */
  readonly rmm?: { readonly name: string; readonly create: RmmFactory };
  /** HES provisioning; Islet's dummy secrets by default. */
  readonly provisioning?: HesProvisioning;
  /** Number of CPUs; 4 by default. */
  readonly numCpus?: number;
  readonly crypto?: CryptoProvider;
  /**
   * Hash the content of measured DATA_CREATE on a worker thread, so loading a realm image uses a
   * second core (off by default; the RIM is the same either way). Call `close()` when done.
   */
  readonly parallelMeasurement?: boolean;
  /**
   * What runs realm code: by default `@islet/guest`'s worker-thread vCPUs, one worker per REC
   * started at its first REC_ENTER, translating through stage 2 with this platform's MMU; `false`
   * for none (REC_ENTER then answers SMC_UNKNOWN once its checks pass), or any executor (a
   * scripted one in a test).
   */
  readonly executor?: RealmExecutor | false;
}

/** The booted platform. */
export interface Platform {
  /**
   * The Normal world (`@islet/host`'s ports): SMCs, and physical memory checked against the GPT
   * (a `GranuleProtectionFault` for a granule that is not Non-secure, and no change on a write).
   */
  readonly host: HostPorts;
  /** What the boot measured and the CPAK a verifier needs. */
  readonly boot: El3BootReport;
  /** The read-only view of granules, realms and RECs. */
  readonly inspect: PlatformInspect;
  /** The composed parts, read-only, for tests and tools. */
  readonly parts: {
    readonly gpt: Gpt;
    readonly memory: PhysicalMemory;
    readonly hes: Hes;
    readonly monitor: El3Monitor;
    readonly rmm: Rmm;
    readonly rmmName: string;
    /** The executor of realm code, if any. */
    readonly executor: RealmExecutor | undefined;
  };
  /** Stops the measurement worker of `parallelMeasurement` and the vCPU workers. */
  close(): void;
}

const U32_MAX = 0xffff_ffffn;

const ALL_DRAM: readonly MemoryRange[] = [
  { base: 0x8000_0000, size: 0x8000_0000 },
  { base: 0x8_8000_0000, size: 0x7_8000_0000 },
];

/** The default RMM: Islet's, from `@islet/rmm`. */
export const ISLET_RMM: { readonly name: string; readonly create: RmmFactory } = {
  name: '@islet/rmm',
  create: (env) => new IsletRmm(env),
};

/**
 * Builds and boots the platform.
 * @throws {@link IsletError} `PLATFORM_BOOT_FAILED` when the monitor or the RMM refuses to boot.
 * @example
 * ```ts
 * const p = bootPlatform();
 * p.host.smc(0xc4000150n, 0x10000n); // RMI_VERSION: [0n, 0x10000n, 0x10000n, 0n, 0n]
 * ```
 */
export function bootPlatform(options: PlatformOptions = {}): Platform {
  const crypto = options.crypto ?? defaultCrypto();
  // With parallel measurement, DRAM is shared memory: the worker hashes data granules in place.
  const dram = new Dram({ shared: options.parallelMeasurement ?? false });
  const gpt = createGpt({
    memory: dram,
    pps: GpccrPps.Size64GB,
    tables: GPT_TABLES,
    regions: PAS_REGIONS,
  });
  const memory = new PhysicalMemory(dram, gpt);
  const hes = new Hes({
    crypto,
    ...(options.provisioning ? { provisioning: options.provisioning } : {}),
  });
  const monitor = new El3Monitor({
    gpt,
    memory: memory.physMemory,
    hes,
    sharedBuffer: SHARED_BUFFER,
    numCpus: options.numCpus ?? 4,
    nsDramBanks: NS_DRAM.map((b) => ({ base: physAddr(b.base), size: b.size })),
    crypto,
  });
  const choice = options.rmm ?? ISLET_RMM;
  const digestWorker = options.parallelMeasurement ? startDigestWorker() : undefined;
  const vcpus =
    options.executor === undefined ? new WorkerVcpus({ memory: realmMemory(memory) }) : undefined;
  const executor = options.executor === false ? undefined : (options.executor ?? vcpus);
  const close = (): void => {
    digestWorker?.close();
    vcpus?.close();
  };
  const rmm = choice.create({
    el3: monitor,
    memory: memory.physMemory,
    dram: ALL_DRAM,
    crypto,
    ...(digestWorker ? { measurementOffload: digestWorker } : {}),
    ...(executor ? { executor } : {}),
  });
  monitor.attachRmm(rmm);
  const boot = monitor.boot({ images: defaultFirmwareImages(choice.name, crypto) });
  if (boot.reason !== undefined) {
    close();
    throw new IsletError('PLATFORM_BOOT_FAILED', 'the platform did not boot', {
      details: boot.reason,
    });
  }
  return {
    host: {
      smc(fid: bigint | number, ...args: bigint[]): bigint[] {
        // SMCCC: the function ID is W0, so bits [63:32] of X0 play no part (TF-A reads a u32).
        const fid32 =
          typeof fid === 'number'
            ? fid
            : Number(fid >= 0n && fid <= U32_MAX ? fid : BigInt.asUintN(32, fid));
        // The monitor reads the registers the host did not pass as 0 (and normalises the rest).
        const out = monitor.smc(World.Normal, fid32, args);
        return [out[0] ?? 0n, out[1] ?? 0n, out[2] ?? 0n, out[3] ?? 0n, out[4] ?? 0n];
      },
      memory: {
        read: (pa, length) => memory.normal.read(toPa(pa), length),
        write: (pa, bytes) => memory.normal.write(toPa(pa), bytes),
      },
      dram: NS_DRAM.map((b) => ({ base: BigInt(b.base), size: BigInt(b.size) })),
    },
    boot,
    inspect: platformInspect(gpt, rmm instanceof IsletRmm ? rmm.inspect : undefined),
    parts: { gpt, memory, hes, monitor, rmm, rmmName: choice.name, executor },
    close,
  };
}

function toPa(pa: bigint) {
  if (typeof pa !== 'bigint' || pa < 0n || pa >= BigInt(MAX_ADDRESS)) {
    throw new IsletError('ADDRESS_OUT_OF_RANGE', 'physical address out of range', {
      details: `${String(pa)} is not in [0, 2^52)`,
    });
  }
  return physAddr(pa);
}
