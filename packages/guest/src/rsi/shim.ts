/**
 * The RSI shim: what Islet's `rsi.ko` (`/dev/rsi`) and the kernel's RSI helpers
 * (`arch/arm64/include/asm/rsi_cmds.h`) do for a realm, over a vCPU's SMC and memory. Each method
 * is one RSI command (two for the attestation token), register for register as the RMM ABI
 * (§5) lays them out; a status other than RSI_SUCCESS becomes an {@link RsiError}.
 *
 * **Scratch page.** RSI_REALM_CONFIG, RSI_ATTESTATION_TOKEN_CONTINUE and RSI_HOST_CALL take the
 * IPA of a buffer in protected RAM. The shim owns one 4 KiB page per vCPU for them and uses it
 * for one command at a time: the config page, the token granule and the RsiHostCall structure
 * (256-byte aligned, at its start) take turns. The page may be untouched RAM: the first access
 * faults, the host maps it, and the access or the command is retried (the platform's business).
 * @see rmm-abi.md §5; islet-reference.md §2.3, §2.10, §5
 * @module
 */
import {
  abiVersion,
  abiVersionMajor,
  abiVersionMinor,
  decodeHostCall,
  decodeRealmConfig,
  encodeHostCall,
  HOST_CALL_NR_GPRS,
  HOST_CALL_SIZE,
  hashDigestLength,
  ISLET_SEALING_KEY_SIZE,
  isHashAlgorithm,
  REALM_CONFIG_SIZE,
  type RealmConfig,
  type RmiHashAlgorithm,
  RSI_ABI_VERSION_MAJOR,
  RSI_ABI_VERSION_MINOR,
  RsiRipasChangeDestroyed,
  RsiStatus,
  SMC_RSI_ATTESTATION_TOKEN_CONTINUE,
  SMC_RSI_ATTESTATION_TOKEN_INIT,
  SMC_RSI_FEATURES,
  SMC_RSI_HOST_CALL,
  SMC_RSI_IPA_STATE_GET,
  SMC_RSI_IPA_STATE_SET,
  SMC_RSI_ISLET_REALM_SEALING_KEY,
  SMC_RSI_MEASUREMENT_EXTEND,
  SMC_RSI_MEASUREMENT_READ,
  SMC_RSI_REALM_CONFIG,
  SMC_RSI_VERSION,
  SMC_UNKNOWN,
} from '@islet/abi';
import { addressFromRegister, concatBytes, GRANULE_SIZE, isGranuleAligned } from '@islet/arch';
import { checkBytes, checkInt, checkIpa, checkU64, invalidArgument } from '../internal/check.ts';
import type { GuestMemory, RealmSmc } from '../ports.ts';
import { RsiError, type RsiShimCommand } from './rsi-error.ts';

/** Bytes of a measurement slot and of the RSI_MEASUREMENT_EXTEND value (X3..X10). */
const MEASUREMENT_SLOT = 64;
/** The IPA widths a realm can have: RmiRealmParams s2sz 32..48, or up to 52 with LPA2. */
const IPA_WIDTH_MIN = 32;
const IPA_WIDTH_MAX = 52;
/**
 * Bytes of the attestation challenge (X1..X8 of RSI_ATTESTATION_TOKEN_INIT).
 * @see rmm-abi.md §5.5
 * @since 0.1.0
 */
export const ATTESTATION_CHALLENGE_SIZE = 64;
/**
 * The most token bytes the shim accepts, whatever `max_size` the RMM reports: the buffer a
 * guest kernel would allocate (TF-RMM reports 4 KiB; 1 MiB leaves room for any real token).
 * @since 0.1.0
 */
export const ATTESTATION_TOKEN_LIMIT: number = 1 << 20;
/** RSI_ATTESTATION_TOKEN_CONTINUE calls in a row that may copy nothing (IRQ pending, X3 = 0). */
const TOKEN_STALL_LIMIT = 1000;

/**
 * What the shim runs on.
 * @since 0.1.0
 */
export interface RsiShimPorts {
  /** `SMC #0` of the vCPU. */
  readonly smc: RealmSmc;
  /** The realm's memory (bulk reads and writes). */
  readonly memory: Pick<GuestMemory, 'read' | 'write'>;
  /** IPA of the 4 KiB protected RAM page only this shim uses (see the module documentation). */
  readonly scratch: number;
}

/**
 * An interface version: `(major << 16) | minor`, split.
 * @since 0.1.0
 */
export interface RsiVersion {
  readonly major: number;
  readonly minor: number;
}

/**
 * The result of RSI_IPA_STATE_SET.
 * @since 0.1.0
 */
export interface IpaStateSetResult {
  /** X1 `new_base`: the first IPA whose RIPAS the host did not change. */
  readonly newBase: number;
  /** X2 `response`: RSI_ACCEPT (0) or RSI_REJECT (1). */
  readonly response: number;
}

/**
 * The result of RSI_IPA_STATE_GET (rel0 range form).
 * @since 0.1.0
 */
export interface IpaStateGetResult {
  /** X1 `top`: the end of the run of IPAs from `base` with the same RIPAS. */
  readonly top: number;
  /** X2 `ripas`: an RsiRipas. */
  readonly ripas: number;
}

const reg = (r: readonly bigint[], i: number): bigint => r[i] ?? 0n;

/** 8 little-endian u64 words of `value` zero-padded to 64 bytes (X1..X8 / X3..X10). */
function words(value: Uint8Array): bigint[] {
  const padded = new Uint8Array(MEASUREMENT_SLOT);
  padded.set(value);
  const v = new DataView(padded.buffer);
  return Array.from({ length: 8 }, (_, i) => v.getBigUint64(i * 8, true));
}

/** The bytes of `count` little-endian u64 registers from `r[first]`. */
function bytesOf(r: readonly bigint[], first: number, count: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(count * 8);
  const v = new DataView(out.buffer);
  for (let i = 0; i < count; i++)
    v.setBigUint64(i * 8, BigInt.asUintN(64, reg(r, first + i)), true);
  return out;
}

/**
 * The RSI commands of RMM 1.0 and Islet's sealing key, for one vCPU.
 * @example
 * ```ts
 * const rsi = new RsiShim({ smc, memory, scratch: 0x10_0000 });
 * rsi.abiVersion(); // { major: 1, minor: 0 }
 * const rim = rsi.measurementRead(0); // 32 bytes for a SHA-256 realm
 * ```
 * @since 0.1.0
 */
export class RsiShim {
  readonly #smc: RealmSmc;
  readonly #memory: Pick<GuestMemory, 'read' | 'write'>;
  readonly #scratch: number;
  /** The realm's hash algorithm, from its first RSI_REALM_CONFIG (it never changes). */
  #hashAlgo: RmiHashAlgorithm | undefined;

  /**
   * @throws {@link IsletError} `GUEST_ARGUMENT_INVALID` when `scratch` is not a 4 KiB aligned IPA.
   */
  constructor(ports: RsiShimPorts) {
    if (!isGranuleAligned(checkIpa(ports.scratch, 'the scratch page'))) {
      throw invalidArgument('the scratch page', 'a 4 KiB aligned IPA');
    }
    this.#smc = ports.smc;
    this.#memory = ports.memory;
    this.#scratch = ports.scratch;
  }

  /** Issues `fid` with X1.. = `args` and returns X0..X10, whatever X0 says. */
  #raw(fid: number, args: readonly bigint[]): bigint[] {
    return this.#smc([BigInt(fid), ...args]);
  }

  /** Issues `fid` and returns X0..X10, or throws the {@link RsiError} of a failure status. */
  #call(command: RsiShimCommand, fid: number, args: readonly bigint[]): bigint[] {
    const r = this.#raw(fid, args);
    const status = r[0] ?? SMC_UNKNOWN;
    if (status !== BigInt(RsiStatus.Success)) throw RsiError.fromStatus(command, status);
    return r;
  }

  /**
   * RSI_VERSION: asks for interface `major.minor` (default 1.0) and returns the version the RMM
   * will speak (X1 `lower`), as Linux's `rsi_version_matches` does.
   * @throws {@link RsiError} `GUEST_RSI_ERROR_INPUT` naming the supported range when the RMM does
   *   not speak the requested version; `GUEST_RSI_NOT_SUPPORTED` when it has no RSI.
   * @see rmm-abi.md §5.1
   * @since 0.1.0
   */
  abiVersion(
    major: number = RSI_ABI_VERSION_MAJOR,
    minor: number = RSI_ABI_VERSION_MINOR,
  ): RsiVersion {
    const requested = abiVersion(
      checkInt(major, 0, 0x7fff, 'the major version'),
      checkInt(minor, 0, 0xffff, 'the minor version'),
    );
    const r = this.#raw(SMC_RSI_VERSION, [BigInt(requested)]);
    const status = r[0] ?? SMC_UNKNOWN;
    const lower = Number(reg(r, 1) & 0x7fff_ffffn);
    if (status === BigInt(RsiStatus.ErrorInput)) {
      const higher = Number(reg(r, 2) & 0x7fff_ffffn);
      const show = (v: number): string => `${abiVersionMajor(v)}.${abiVersionMinor(v)}`;
      throw new RsiError(
        'RSI_VERSION',
        status,
        'GUEST_RSI_ERROR_INPUT',
        `RSI_VERSION: the RMM does not speak ${major}.${minor} (it speaks ${show(lower)} to ${show(higher)})`,
      );
    }
    if (status !== BigInt(RsiStatus.Success)) throw RsiError.fromStatus('RSI_VERSION', status);
    return { major: abiVersionMajor(lower), minor: abiVersionMinor(lower) };
  }

  /**
   * RSI_FEATURES: feature register `index` (RMM 1.0 defines none: every index reads 0).
   * @see rmm-abi.md §5.2
   * @since 0.1.0
   */
  features(index: number | bigint): bigint {
    return reg(this.#call('RSI_FEATURES', SMC_RSI_FEATURES, [checkU64(index, 'the index')]), 1);
  }

  /**
   * RSI_MEASUREMENT_READ: measurement slot `index` (0 = RIM, 1..4 = REM0..3), as long as the
   * realm's hash (32 bytes for SHA-256, 64 for SHA-512; the first call reads the realm config).
   * @see rmm-abi.md §5.3
   * @since 0.1.0
   */
  measurementRead(index: number): Uint8Array<ArrayBuffer> {
    const i = checkInt(index, 0, 4, 'the measurement index');
    const length = this.#digestLength();
    const r = this.#call('RSI_MEASUREMENT_READ', SMC_RSI_MEASUREMENT_READ, [BigInt(i)]);
    return bytesOf(r, 1, 8).slice(0, length);
  }

  /**
   * RSI_MEASUREMENT_EXTEND: REM `index - 1` := H(REM || value), for `index` 1..4 and at most 64
   * bytes of `value`.
   * @see rmm-abi.md §5.4, §6.6
   * @since 0.1.0
   */
  measurementExtend(index: number, value: Uint8Array): void {
    const i = checkInt(index, 1, 4, 'the measurement index');
    const v = checkBytes(value, MEASUREMENT_SLOT, 'the measurement value');
    this.#call('RSI_MEASUREMENT_EXTEND', SMC_RSI_MEASUREMENT_EXTEND, [
      BigInt(i),
      BigInt(v.length),
      ...words(v),
    ]);
  }

  /**
   * RSI_REALM_CONFIG into the scratch page, decoded.
   * @throws {@link RsiError} `GUEST_RSI_RESULT_INVALID` when `hash_algo` is not SHA-256 or SHA-512,
   *   or `ipa_width` is not 32..52 (what RmiRealmParams s2sz may be).
   * @see rmm-abi.md §3.4, §5.7
   * @since 0.1.0
   */
  realmConfig(): RealmConfig {
    this.#call('RSI_REALM_CONFIG', SMC_RSI_REALM_CONFIG, [BigInt(this.#scratch)]);
    const config = decodeRealmConfig(this.#memory.read(this.#scratch, REALM_CONFIG_SIZE));
    const algo = config.hashAlgo;
    if (!isHashAlgorithm(algo)) {
      throw RsiError.invalidResult('RSI_REALM_CONFIG', `hash_algo ${algo}`);
    }
    const width = config.ipaWidth;
    if (!Number.isInteger(width) || width < IPA_WIDTH_MIN || width > IPA_WIDTH_MAX) {
      throw RsiError.invalidResult('RSI_REALM_CONFIG', `ipa_width ${width}`);
    }
    this.#hashAlgo = algo;
    return config;
  }

  #digestLength(): number {
    if (this.#hashAlgo === undefined) this.realmConfig();
    return hashDigestLength(this.#hashAlgo!);
  }

  /**
   * The CCA attestation token for `challenge` (64 bytes): RSI_ATTESTATION_TOKEN_INIT, then
   * RSI_ATTESTATION_TOKEN_CONTINUE into the scratch granule until RSI_SUCCESS, as Linux's
   * `arm-cca-guest` does: fill the granule (X2 offset, X3 = the rest of it) while the RMM says
   * RSI_INCOMPLETE, copy it out, start the granule again.
   * @throws {@link RsiError} on a failure status; `GUEST_RSI_RESULT_INVALID` when the token
   *   grows past `max_size` (or {@link ATTESTATION_TOKEN_LIMIT}), a chunk is longer than asked
   *   for, or the RMM keeps answering RSI_INCOMPLETE without copying anything.
   * @see rmm-abi.md §5.5, §5.6, §7
   * @since 0.1.0
   */
  attestationToken(challenge: Uint8Array): Uint8Array<ArrayBuffer> {
    const c = checkBytes(challenge, ATTESTATION_CHALLENGE_SIZE, 'the challenge', true);
    const init = this.#call('RSI_ATTESTATION_TOKEN_INIT', SMC_RSI_ATTESTATION_TOKEN_INIT, words(c));
    const maxSize = reg(init, 1);
    if (maxSize === 0n) throw RsiError.invalidResult('RSI_ATTESTATION_TOKEN_INIT', 'max_size 0');
    const limit =
      maxSize < BigInt(ATTESTATION_TOKEN_LIMIT) ? Number(maxSize) : ATTESTATION_TOKEN_LIMIT;
    const command = 'RSI_ATTESTATION_TOKEN_CONTINUE';
    const parts: Uint8Array[] = [];
    let total = 0;
    let stalls = 0;
    for (;;) {
      let offset = 0;
      let status: bigint;
      do {
        const size = GRANULE_SIZE - offset;
        const r = this.#raw(SMC_RSI_ATTESTATION_TOKEN_CONTINUE, [
          BigInt(this.#scratch),
          BigInt(offset),
          BigInt(size),
        ]);
        status = r[0] ?? SMC_UNKNOWN;
        if (status !== BigInt(RsiStatus.Success) && status !== BigInt(RsiStatus.Incomplete)) {
          throw RsiError.fromStatus(command, status);
        }
        const len = reg(r, 1);
        if (len > BigInt(size)) throw RsiError.invalidResult(command, `len ${len} > size ${size}`);
        offset += Number(len);
        stalls = len === 0n ? stalls + 1 : 0;
        if (stalls > TOKEN_STALL_LIMIT) {
          throw RsiError.invalidResult(
            command,
            `RSI_INCOMPLETE ${stalls} times in a row without copying anything`,
          );
        }
      } while (status === BigInt(RsiStatus.Incomplete) && offset < GRANULE_SIZE);
      total += offset;
      if (total > limit) throw RsiError.invalidResult(command, `more than ${limit} token bytes`);
      if (offset > 0) parts.push(this.#memory.read(this.#scratch, offset));
      if (status === BigInt(RsiStatus.Success)) return concatBytes(...parts);
    }
  }

  /**
   * Islet's RSI_ISLET_REALM_SEALING_KEY: a 32-byte key bound to the platform and to what `flags`
   * (IsletSealingKeyFlag bits) select, for `svn`.
   * @see islet-reference.md §2.10
   * @since 0.1.0
   */
  sealingKey(flags: number | bigint, svn: number | bigint): Uint8Array<ArrayBuffer> {
    const r = this.#call('RSI_ISLET_REALM_SEALING_KEY', SMC_RSI_ISLET_REALM_SEALING_KEY, [
      checkU64(flags, 'the flags'),
      checkU64(svn, 'the SVN'),
    ]);
    return bytesOf(r, 1, ISLET_SEALING_KEY_SIZE / 8);
  }

  /**
   * RSI_IPA_STATE_SET: asks the host to make [base, top) `ripas` (RsiRipas EMPTY 0 or RAM 1);
   * `flags` is RsiRipasChangeDestroyed. The call exits to the host, which answers on re-entry.
   * @throws {@link RsiError} `GUEST_RSI_RESULT_INVALID` when `new_base` is not an address.
   * @see rmm-abi.md §5.8
   * @since 0.1.0
   */
  ipaStateSet(
    base: number,
    top: number,
    ripas: number | bigint,
    flags: number | bigint = RsiRipasChangeDestroyed.NoChangeDestroyed,
  ): IpaStateSetResult {
    const r = this.#call('RSI_IPA_STATE_SET', SMC_RSI_IPA_STATE_SET, [
      BigInt(checkIpa(base, 'the base')),
      BigInt(checkIpa(top, 'the top')),
      checkU64(ripas, 'the RIPAS'),
      checkU64(flags, 'the flags'),
    ]);
    const newBase = addressFromRegister(reg(r, 1));
    if (newBase === undefined) throw RsiError.invalidResult('RSI_IPA_STATE_SET', 'new_base ≥ 2^52');
    return { newBase, response: Number(reg(r, 2) & 0xffn) };
  }

  /**
   * RSI_IPA_STATE_GET (rel0 range form): the RIPAS of `base` and how far it extends before `end`.
   * @throws {@link RsiError} `GUEST_RSI_RESULT_INVALID` when `top` is not an address.
   * @see rmm-abi.md §5.9
   * @since 0.1.0
   */
  ipaStateGet(base: number, end: number): IpaStateGetResult {
    const r = this.#call('RSI_IPA_STATE_GET', SMC_RSI_IPA_STATE_GET, [
      BigInt(checkIpa(base, 'the base')),
      BigInt(checkIpa(end, 'the end')),
    ]);
    const top = addressFromRegister(reg(r, 1));
    if (top === undefined) throw RsiError.invalidResult('RSI_IPA_STATE_GET', 'top ≥ 2^52');
    return { top, ripas: Number(reg(r, 2) & 0xffn) };
  }

  /**
   * RSI_HOST_CALL with `imm` (16 bits) and up to 31 registers (the rest 0), through an
   * RsiHostCall structure at the start of the scratch page; returns the 31 registers the host
   * answered.
   * @see rmm-abi.md §3.5, §5.10
   * @since 0.1.0
   */
  hostCall(imm: number, gprs: readonly (number | bigint)[] = []): bigint[] {
    const call = checkInt(imm, 0, 0xffff, 'the immediate');
    if (!Array.isArray(gprs) || gprs.length > HOST_CALL_NR_GPRS) {
      throw invalidArgument('the registers', `an array of at most ${HOST_CALL_NR_GPRS} values`);
    }
    const regs = Array.from({ length: HOST_CALL_NR_GPRS }, (_, i) =>
      i < gprs.length ? checkU64(gprs[i], `register ${i}`) : 0n,
    );
    this.#memory.write(this.#scratch, encodeHostCall({ imm: call, gprs: regs }));
    this.#call('RSI_HOST_CALL', SMC_RSI_HOST_CALL, [BigInt(this.#scratch)]);
    return [...decodeHostCall(this.#memory.read(this.#scratch, HOST_CALL_SIZE)).gprs];
  }
}
