/**
 * A KVM-like RMI driver: one typed method per RMI command (RMM 1.0), each issuing the SMC through
 * {@link HostPorts} and turning a non-success X0 into an {@link RmiCallError}
 * (`HOST_RMI_FAILED`). Like Linux's `arch/arm64/include/asm/rmi_cmds.h`, it holds no state of its
 * own: granule bookkeeping is the caller's ({@link GranuleAllocator}, the launcher).
 * @module
 */
import {
  PsciReturnCode,
  RMI_ABI_VERSION,
  type RmiCommandName,
  type RmiDataMeasureContent,
  SMC_RMI_DATA_CREATE,
  SMC_RMI_DATA_CREATE_UNKNOWN,
  SMC_RMI_DATA_DESTROY,
  SMC_RMI_FEATURES,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_GRANULE_UNDELEGATE,
  SMC_RMI_PSCI_COMPLETE,
  SMC_RMI_REALM_ACTIVATE,
  SMC_RMI_REALM_CREATE,
  SMC_RMI_REALM_DESTROY,
  SMC_RMI_REC_AUX_COUNT,
  SMC_RMI_REC_CREATE,
  SMC_RMI_REC_DESTROY,
  SMC_RMI_REC_ENTER,
  SMC_RMI_RTT_CREATE,
  SMC_RMI_RTT_DESTROY,
  SMC_RMI_RTT_FOLD,
  SMC_RMI_RTT_INIT_RIPAS,
  SMC_RMI_RTT_MAP_UNPROTECTED,
  SMC_RMI_RTT_READ_ENTRY,
  SMC_RMI_RTT_SET_RIPAS,
  SMC_RMI_RTT_UNMAP_UNPROTECTED,
  SMC_RMI_VERSION,
} from '@islet/abi';
import type { HostPorts } from './ports.ts';
import { RmiCallError } from './rmi-error.ts';

/** RMI_RTT_READ_ENTRY's outputs. @since 0.1.0 */
export interface RttEntry {
  /** X1: the level the walk reached. */
  readonly walkLevel: number;
  /** X2: RmiRttEntryState (0 UNASSIGNED, 1 ASSIGNED, 2 TABLE). */
  readonly state: number;
  /** X3: the descriptor (output address, or host attributes of an NS mapping). */
  readonly desc: bigint;
  /** X4: RmiRipas (0 EMPTY, 1 RAM, 2 DESTROYED). */
  readonly ripas: number;
}

/** X5 of DATA_CREATE for each `RmiDataMeasureContent`, made once (one call per image page). */
const FLAGS: readonly bigint[] = [0n, 1n];

/** A level argument as a 64-bit register (-1 is all ones). */
const level64 = (level: number): bigint => BigInt.asUintN(64, BigInt(level));

/**
 * The RMI commands a host issues, one method each.
 * @throws {@link RmiCallError} `HOST_RMI_FAILED` from every method when X0 is not RMI_SUCCESS.
 * @example
 * ```ts
 * const rmi = new RmiDriver(bootPlatform().host);
 * rmi.version(); // { lower: 0x10000n, higher: 0x10000n }
 * ```
 * @since 0.1.0
 */
export class RmiDriver {
  readonly #ports: HostPorts;

  constructor(ports: HostPorts) {
    this.#ports = ports;
  }

  /** Issues one command; returns X0..X4 when X0 is RMI_SUCCESS. */
  call(command: RmiCommandName, fid: number, ...args: bigint[]): bigint[] {
    const out = this.#ports.smc(fid, ...args);
    const x0 = out[0] ?? -1n;
    if (x0 !== 0n) throw new RmiCallError(command, x0, args);
    return out;
  }

  /** RMI_VERSION: requests `requested` (1.0 by default); the RMM's lower and higher versions. */
  version(requested: bigint = BigInt(RMI_ABI_VERSION)): { lower: bigint; higher: bigint } {
    const out = this.call('RMI_VERSION', SMC_RMI_VERSION, requested);
    return { lower: out[1] ?? 0n, higher: out[2] ?? 0n };
  }

  /** RMI_FEATURES: feature register `index` (0 is the only one in 1.0). */
  features(index = 0n): bigint {
    return this.call('RMI_FEATURES', SMC_RMI_FEATURES, index)[1] ?? 0n;
  }

  /** RMI_GRANULE_DELEGATE: hands the granule at `pa` to the Realm PAS. */
  delegate(pa: bigint): void {
    this.call('RMI_GRANULE_DELEGATE', SMC_RMI_GRANULE_DELEGATE, pa);
  }

  /** RMI_GRANULE_UNDELEGATE: returns the (zeroed) granule at `pa` to the Non-secure PAS. */
  undelegate(pa: bigint): void {
    this.call('RMI_GRANULE_UNDELEGATE', SMC_RMI_GRANULE_UNDELEGATE, pa);
  }

  /** RMI_REALM_CREATE: `rd` (delegated) from the RmiRealmParams at `params` (an NS page). */
  realmCreate(rd: bigint, params: bigint): void {
    this.call('RMI_REALM_CREATE', SMC_RMI_REALM_CREATE, rd, params);
  }

  /** RMI_REALM_ACTIVATE. */
  realmActivate(rd: bigint): void {
    this.call('RMI_REALM_ACTIVATE', SMC_RMI_REALM_ACTIVATE, rd);
  }

  /** RMI_REALM_DESTROY: the RD and root RTTs become DELEGATED. */
  realmDestroy(rd: bigint): void {
    this.call('RMI_REALM_DESTROY', SMC_RMI_REALM_DESTROY, rd);
  }

  /** RMI_REC_AUX_COUNT: how many auxiliary granules each REC of `rd` needs. */
  recAuxCount(rd: bigint): number {
    return Number(this.call('RMI_REC_AUX_COUNT', SMC_RMI_REC_AUX_COUNT, rd)[1] ?? 0n);
  }

  /** RMI_REC_CREATE: `rec` (delegated) of realm `rd` from the RmiRecParams at `params`. */
  recCreate(rd: bigint, rec: bigint, params: bigint): void {
    this.call('RMI_REC_CREATE', SMC_RMI_REC_CREATE, rd, rec, params);
  }

  /** RMI_REC_DESTROY: the REC and its aux granules become DELEGATED. */
  recDestroy(rec: bigint): void {
    this.call('RMI_REC_DESTROY', SMC_RMI_REC_DESTROY, rec);
  }

  /**
   * RMI_REC_ENTER: runs `rec` with the RmiRecEnter at `run` (an NS page) until it exits; the
   * RmiRecExit is then at `run + 0x800`.
   */
  recEnter(rec: bigint, run: bigint): void {
    this.call('RMI_REC_ENTER', SMC_RMI_REC_ENTER, rec, run);
  }

  /**
   * RMI_PSCI_COMPLETE: answers the PSCI CPU_ON or AFFINITY_INFO that `calling` made about
   * `target`, with a PsciReturnCode (SUCCESS, or DENIED for CPU_ON).
   */
  psciComplete(
    calling: bigint,
    target: bigint,
    status: PsciReturnCode = PsciReturnCode.Success,
  ): void {
    const x3 = BigInt.asUintN(64, BigInt(status));
    this.call('RMI_PSCI_COMPLETE', SMC_RMI_PSCI_COMPLETE, calling, target, x3);
  }

  /** RMI_RTT_CREATE: `rtt` (delegated) becomes the level-`level` table at `ipa`. */
  rttCreate(rd: bigint, rtt: bigint, ipa: bigint, level: number): void {
    this.call('RMI_RTT_CREATE', SMC_RMI_RTT_CREATE, rd, rtt, ipa, level64(level));
  }

  /** RMI_RTT_DESTROY: the level-`level` table at `ipa`; its PA (now DELEGATED) and `top`. */
  rttDestroy(rd: bigint, ipa: bigint, level: number): { rtt: bigint; top: bigint } {
    const out = this.call('RMI_RTT_DESTROY', SMC_RMI_RTT_DESTROY, rd, ipa, level64(level));
    return { rtt: out[1] ?? 0n, top: out[2] ?? 0n };
  }

  /** RMI_RTT_FOLD: the folded table's PA (now DELEGATED). */
  rttFold(rd: bigint, ipa: bigint, level: number): bigint {
    return this.call('RMI_RTT_FOLD', SMC_RMI_RTT_FOLD, rd, ipa, level64(level))[1] ?? 0n;
  }

  /**
   * RMI_RTT_INIT_RIPAS over `[base, top)`. One call stops at the end of an RTT (X1 < top), so
   * this issues it again from X1 until the whole range is RAM, as a host must.
   * @returns the number of calls made.
   */
  rttInitRipas(rd: bigint, base: bigint, top: bigint): number {
    let calls = 0;
    for (let at = base; at < top; calls++) {
      const next = this.call('RMI_RTT_INIT_RIPAS', SMC_RMI_RTT_INIT_RIPAS, rd, at, top)[1] ?? 0n;
      if (next <= at) throw new RmiCallError('RMI_RTT_INIT_RIPAS', 0n, [rd, at, top]);
      at = next;
    }
    return calls;
  }

  /**
   * RMI_RTT_SET_RIPAS: applies the RIPAS change `rec` asked for to `[base, top)`, up to the end of
   * one RTT; returns X1, where it stopped (the next call starts there).
   */
  rttSetRipas(rd: bigint, rec: bigint, base: bigint, top: bigint): bigint {
    return this.call('RMI_RTT_SET_RIPAS', SMC_RMI_RTT_SET_RIPAS, rd, rec, base, top)[1] ?? 0n;
  }

  /** RMI_RTT_READ_ENTRY of `ipa`, walking towards `level`. */
  rttReadEntry(rd: bigint, ipa: bigint, level = 3): RttEntry {
    const out = this.call('RMI_RTT_READ_ENTRY', SMC_RMI_RTT_READ_ENTRY, rd, ipa, level64(level));
    return {
      walkLevel: Number(BigInt.asIntN(64, out[1] ?? 0n)),
      state: Number(out[2] ?? 0n),
      desc: out[3] ?? 0n,
      ripas: Number(out[4] ?? 0n),
    };
  }

  /** RMI_RTT_MAP_UNPROTECTED: maps NS memory (`desc` = PA and attributes) at `ipa`. */
  rttMapUnprotected(rd: bigint, ipa: bigint, level: number, desc: bigint): void {
    this.call(
      'RMI_RTT_MAP_UNPROTECTED',
      SMC_RMI_RTT_MAP_UNPROTECTED,
      rd,
      ipa,
      level64(level),
      desc,
    );
  }

  /** RMI_RTT_UNMAP_UNPROTECTED: `top`. */
  rttUnmapUnprotected(rd: bigint, ipa: bigint, level: number): bigint {
    return (
      this.call(
        'RMI_RTT_UNMAP_UNPROTECTED',
        SMC_RMI_RTT_UNMAP_UNPROTECTED,
        rd,
        ipa,
        level64(level),
      )[1] ?? 0n
    );
  }

  /** RMI_DATA_CREATE: copies the NS page `src` into `data` (delegated), mapped at `ipa`. */
  dataCreate(
    rd: bigint,
    data: bigint,
    ipa: bigint,
    src: bigint,
    flags: RmiDataMeasureContent,
  ): void {
    this.call(
      'RMI_DATA_CREATE',
      SMC_RMI_DATA_CREATE,
      rd,
      data,
      ipa,
      src,
      FLAGS[flags] ?? BigInt(flags),
    );
  }

  /** RMI_DATA_CREATE_UNKNOWN: maps `data` (delegated, zero) at `ipa`, unmeasured. */
  dataCreateUnknown(rd: bigint, data: bigint, ipa: bigint): void {
    this.call('RMI_DATA_CREATE_UNKNOWN', SMC_RMI_DATA_CREATE_UNKNOWN, rd, data, ipa);
  }

  /** RMI_DATA_DESTROY: unmaps `ipa`; the data granule's PA (now DELEGATED) and `top`. */
  dataDestroy(rd: bigint, ipa: bigint): { data: bigint; top: bigint } {
    const out = this.call('RMI_DATA_DESTROY', SMC_RMI_DATA_DESTROY, rd, ipa);
    return { data: out[1] ?? 0n, top: out[2] ?? 0n };
  }
}
