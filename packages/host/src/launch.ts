/**
 * The launch description of a realm: what a kvmtool command line says (image, memory, vCPUs,
 * measurement algorithm, personalization), with every default spelled out. Only what changes the
 * realm's identity or shape is here; host-chosen addresses (which granules, VMID) are not.
 * @module
 */
import { RmiHashAlgorithm, RPV_SIZE } from '@islet/abi';
import { IsletError } from '@islet/arch';

/** The hash algorithm by name, as on a command line. @since 0.1.0 */
export type HashAlgorithmName = 'sha256' | 'sha512';

/**
 * A realm to launch.
 * @since 0.1.0
 */
export interface RealmLaunch {
  /** The image, loaded with measured DATA_CREATE at {@link imageBase} (at least 1 byte). */
  readonly image: Uint8Array;
  /**
   * Bytes of protected RAM from IPA 0, a multiple of 4 KiB that holds the image. Default: twice
   * the image (in whole pages, plus {@link imageBase}) rounded up to 2 MiB.
   */
  readonly memorySize?: number;
  /** IPA width (`s2sz`), 32..48; default 40. */
  readonly ipaBits?: number;
  /** The measurement algorithm; default `sha256`. */
  readonly hashAlgo?: HashAlgorithmName;
  /** The Realm Personalization Value (64 bytes, not part of the RIM); default zero. */
  readonly rpv?: Uint8Array;
  /** Number of RECs; default 1. REC 0 is runnable, the others wait for PSCI CPU_ON. */
  readonly vcpus?: number;
  /** The IPA of the image's first byte, 4 KiB aligned; default 0. */
  readonly imageBase?: number;
  /** REC 0's PC; default the image base. */
  readonly entry?: bigint;
  /**
   * REC 0's X0..X7 (at most 8, the rest zero). Default: the boot registers of the realm services
   * convention (`@islet/abi` realm-services.ts), X0 = the image length in bytes and X1 = the
   * memory size; the others zero (there is no DTB).
   */
  readonly args?: readonly bigint[];
  /** RmiRealmFlags (LPA2, SVE, PMU); default 0. */
  readonly flags?: bigint;
  /** `sve_vl`; default 0. */
  readonly sveVl?: number;
  /** `num_bps`; default 1. */
  readonly numBps?: number;
  /** `num_wps`; default 1. */
  readonly numWps?: number;
  /** `pmu_num_ctrs`; default 0. */
  readonly pmuNumCtrs?: number;
}

/** A {@link RealmLaunch} with every default applied and checked. @since 0.1.0 */
export interface ResolvedLaunch {
  readonly image: Uint8Array;
  readonly memorySize: number;
  readonly ipaBits: number;
  readonly hashAlgo: RmiHashAlgorithm;
  readonly rpv: Uint8Array<ArrayBuffer>;
  readonly vcpus: number;
  readonly imageBase: number;
  readonly entry: bigint;
  readonly args: readonly bigint[];
  readonly flags: bigint;
  readonly sveVl: number;
  readonly numBps: number;
  readonly numWps: number;
  readonly pmuNumCtrs: number;
}

const PAGE = 0x1000;
const BLOCK_2M = 0x20_0000;
/** The most RECs one launch creates (TF-RMM's RD refcount limit is 1023). */
const MAX_VCPUS = 512;

const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

function invalid(message: string, details?: string): IsletError<'HOST_LAUNCH_INVALID'> {
  return new IsletError('HOST_LAUNCH_INVALID', message, details === undefined ? {} : { details });
}

function u8(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) {
    throw invalid(`${name} must be an integer in 0..255`, String(value));
  }
  return value;
}

/**
 * Applies the defaults of a {@link RealmLaunch} and checks it.
 * @throws {@link IsletError} `HOST_LAUNCH_INVALID` naming the field that is wrong.
 * @since 0.1.0
 */
export function resolveLaunch(launch: RealmLaunch): ResolvedLaunch {
  const image = launch.image;
  if (!(image instanceof Uint8Array) || image.length === 0) {
    throw invalid('the realm image must be at least 1 byte');
  }
  const ipaBits = launch.ipaBits ?? 40;
  if (!Number.isInteger(ipaBits) || ipaBits < 32 || ipaBits > 48) {
    throw invalid('the IPA width must be 32..48 bits', String(ipaBits));
  }
  const imageBase = launch.imageBase ?? 0;
  if (!Number.isSafeInteger(imageBase) || imageBase < 0 || imageBase % PAGE !== 0) {
    throw invalid('the image base must be a 4 KiB aligned IPA', String(imageBase));
  }
  const imageEnd = imageBase + roundUp(image.length, PAGE);
  const memorySize =
    launch.memorySize ?? roundUp(imageBase + 2 * roundUp(image.length, PAGE), BLOCK_2M);
  if (!Number.isSafeInteger(memorySize) || memorySize <= 0 || memorySize % PAGE !== 0) {
    throw invalid('the memory size must be a positive multiple of 4 KiB', String(memorySize));
  }
  if (memorySize < imageEnd) {
    throw invalid(
      'the memory does not hold the image',
      `image [0x${imageBase.toString(16)}, 0x${imageEnd.toString(16)}), memory 0x${memorySize.toString(16)}`,
    );
  }
  // Protected RAM lives in the protected half of the IPA space (the PAR).
  if (memorySize > 2 ** (ipaBits - 1)) {
    throw invalid(
      `the memory does not fit the protected half of a ${ipaBits}-bit IPA space`,
      String(memorySize),
    );
  }
  const name = launch.hashAlgo ?? 'sha256';
  if (name !== 'sha256' && name !== 'sha512') {
    throw invalid('the hash algorithm must be sha256 or sha512', String(name));
  }
  const rpv = launch.rpv ?? new Uint8Array(RPV_SIZE);
  if (rpv.length !== RPV_SIZE)
    throw invalid(`the RPV must be ${RPV_SIZE} bytes`, String(rpv.length));
  const vcpus = launch.vcpus ?? 1;
  if (!Number.isInteger(vcpus) || vcpus < 1 || vcpus > MAX_VCPUS) {
    throw invalid(`the number of vCPUs must be 1..${MAX_VCPUS}`, String(vcpus));
  }
  const args = launch.args ?? [BigInt(image.length), BigInt(memorySize)];
  if (args.length > 8) throw invalid('REC 0 takes at most 8 arguments (X0..X7)');
  const u64 = (name: string, v: bigint): bigint => {
    if (v < 0n || v >= 1n << 64n) throw invalid(`${name} must be a 64-bit value`, String(v));
    return v;
  };
  return {
    image,
    memorySize,
    ipaBits,
    hashAlgo: name === 'sha256' ? RmiHashAlgorithm.Sha256 : RmiHashAlgorithm.Sha512,
    rpv: Uint8Array.from(rpv),
    vcpus,
    imageBase,
    entry: u64('the entry point', launch.entry ?? BigInt(imageBase)),
    args: Array.from({ length: 8 }, (_, i) => u64(`X${i}`, args[i] ?? 0n)),
    flags: u64('the realm flags', launch.flags ?? 0n),
    sveVl: u8('sve_vl', launch.sveVl ?? 0),
    numBps: u8('num_bps', launch.numBps ?? 1),
    numWps: u8('num_wps', launch.numWps ?? 1),
    pmuNumCtrs: u8('pmu_num_ctrs', launch.pmuNumCtrs ?? 0),
  };
}
