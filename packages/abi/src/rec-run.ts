/**
 * RmiRecRun: the 4 KiB host page of RMI_REC_ENTER, made of RmiRecEnter (host → RMM, 0x000..0x7FF)
 * and RmiRecExit (RMM → host, 0x800..0xFFF), with the exit reasons and entry flags.
 *
 * The digest's layout (RmiRecRun = RmiRecEnter @0x000 (0x800) + RmiRecExit @0x800 (0x800)):
 *
 * ```text
 * RmiRecEnter (REC_ENTER reads only 0x000..0x7FF):
 * | Offset | Field |
 * |---|---|
 * | 0x000 | flags u64: bit0 EMUL_MMIO, bit1 INJECT_SEA, bit2 TRAP_WFI, bit3 TRAP_WFE, bit4 RIPAS_RESPONSE (0 accept, 1 reject) |
 * | 0x200 | gprs[31] u64 (0x200..0x2F7) |
 * | 0x300 | gicv3_hcr u64 |
 * | 0x308 | gicv3_lrs[16] u64 (0x308..0x387) |
 *
 * RmiRecExit (written to run+0x800..run+0xFFF, whole 0x800 zeroed then filled):
 * | Offset (in exit) | Abs. offset in run | Field |
 * |---|---|---|
 * | 0x000 | 0x800 | exit_reason u64: 0 SYNC, 1 IRQ, 2 FIQ, 3 PSCI, 4 RIPAS_CHANGE, 5 HOST_CALL, 6 SERROR |
 * | 0x100 | 0x900 | esr u64 |
 * | 0x108 | 0x908 | far u64 |
 * | 0x110 | 0x910 | hpfar u64 |
 * | 0x200 | 0xA00 | gprs[31] u64 |
 * | 0x300 | 0xB00 | gicv3_hcr |
 * | 0x308 | 0xB08 | gicv3_lrs[16] |
 * | 0x388 | 0xB88 | gicv3_misr |
 * | 0x390 | 0xB90 | gicv3_vmcr |
 * | 0x400 | 0xC00 | cntp_ctl |
 * | 0x408 | 0xC08 | cntp_cval (minus CNTPOFF) |
 * | 0x410 | 0xC10 | cntv_ctl |
 * | 0x418 | 0xC18 | cntv_cval (minus CNTVOFF) |
 * | 0x500 | 0xD00 | ripas_base u64 |
 * | 0x508 | 0xD08 | ripas_top u64 |
 * | 0x510 | 0xD10 | ripas_value u8 |
 * | 0x600 | 0xE00 | imm (TF-RMM: u32; spec 16 bits) |
 * | 0x700 | 0xF00 | pmu_ovf_status u64 (0 not active, 1 active) |
 * ```
 *
 * The GIC and timer fields without a width in the table are u64 (TF-RMM `smc-rmi.h`).
 *
 * **What the RMM must still check** on entry (rmm-abi.md §2.11, in its order, after the granule
 * and realm-state checks): `gicv3_hcr & ~GICV3_HCR_NS_MASK` is 0 and each list register is valid
 * (RMI_ERROR_REC), then INJECT_SEA/EMUL_MMIO against the last exit (RMI_ERROR_REC). Nothing here
 * validates the entry, because every such failure depends on REC state.
 * @module
 */
import type { Bytes } from '@islet/arch';
import {
  checkUint,
  readSmallU64,
  readU64s,
  structView,
  writeSmallU64,
  writeU64,
  writeU64s,
} from './internal/codec.ts';

/** Size of RmiRecRun. @see rmm-abi.md §3.3 @since 0.1.0 */
export const REC_RUN_SIZE = 0x1000;
/** Size of RmiRecEnter and of RmiRecExit. @see rmm-abi.md §3.3 @since 0.1.0 */
export const REC_RUN_HALF_SIZE = 0x800;
/** Offset of RmiRecExit in RmiRecRun. @see rmm-abi.md §3.3 @since 0.1.0 */
export const REC_EXIT_OFFSET = 0x800;
/** Number of general-purpose registers in entry and exit (X0..X30). @see rmm-abi.md §3.3 @since 0.1.0 */
export const REC_RUN_NR_GPRS = 31;
/** Number of GICv3 list registers in entry and exit. @see rmm-abi.md §3.3 @since 0.1.0 */
export const REC_GIC_NUM_LRS = 16;

/**
 * Offset (in RmiRecEnter) and size of every field.
 * @see rmm-abi.md §3.3
 * @since 0.1.0
 */
export const REC_ENTER_LAYOUT = {
  flags: { offset: 0x000, size: 8 },
  gprs: { offset: 0x200, size: 0xf8 },
  gicv3_hcr: { offset: 0x300, size: 8 },
  gicv3_lrs: { offset: 0x308, size: 0x80 },
} as const;

/**
 * Offset (in RmiRecExit, add 0x800 for RmiRecRun) and size of every field.
 * @see rmm-abi.md §3.3
 * @since 0.1.0
 */
export const REC_EXIT_LAYOUT = {
  exit_reason: { offset: 0x000, size: 8 },
  esr: { offset: 0x100, size: 8 },
  far: { offset: 0x108, size: 8 },
  hpfar: { offset: 0x110, size: 8 },
  gprs: { offset: 0x200, size: 0xf8 },
  gicv3_hcr: { offset: 0x300, size: 8 },
  gicv3_lrs: { offset: 0x308, size: 0x80 },
  gicv3_misr: { offset: 0x388, size: 8 },
  gicv3_vmcr: { offset: 0x390, size: 8 },
  cntp_ctl: { offset: 0x400, size: 8 },
  cntp_cval: { offset: 0x408, size: 8 },
  cntv_ctl: { offset: 0x410, size: 8 },
  cntv_cval: { offset: 0x418, size: 8 },
  ripas_base: { offset: 0x500, size: 8 },
  ripas_top: { offset: 0x508, size: 8 },
  ripas_value: { offset: 0x510, size: 1 },
  imm: { offset: 0x600, size: 4 },
  pmu_ovf_status: { offset: 0x700, size: 8 },
} as const;

/**
 * RmiRecEnterFlags bits of `flags`.
 * @see rmm-abi.md §3.3
 * @since 0.1.0
 */
export const RmiRecEnterFlag = {
  /** bit 0: `REC_ENTRY_FLAG_EMUL_MMIO`: complete an emulated MMIO read/write. */
  EmulMmio: 0x1n,
  /** bit 1: `REC_ENTRY_FLAG_INJECT_SEA`: inject a synchronous external abort. */
  InjectSea: 0x2n,
  /** bit 2: `REC_ENTRY_FLAG_TRAP_WFI` */
  TrapWfi: 0x4n,
  /** bit 3: `REC_ENTRY_FLAG_TRAP_WFE` */
  TrapWfe: 0x8n,
  /** bit 4: `REC_ENTRY_FLAG_RIPAS_RESPONSE`: 0 accept, 1 reject. */
  RipasResponse: 0x10n,
} as const;
/** An RmiRecEnterFlags bit. @see rmm-abi.md §3.3 @since 0.1.0 */
export type RmiRecEnterFlag = (typeof RmiRecEnterFlag)[keyof typeof RmiRecEnterFlag];

/**
 * RmiRecExitReason: `exit_reason` of RmiRecExit.
 * @see rmm-abi.md §3.3
 * @since 0.1.0
 */
export const RmiRecExitReason = {
  /** `RMI_EXIT_SYNC` */
  Sync: 0,
  /** `RMI_EXIT_IRQ` */
  Irq: 1,
  /** `RMI_EXIT_FIQ` */
  Fiq: 2,
  /** `RMI_EXIT_PSCI` */
  Psci: 3,
  /** `RMI_EXIT_RIPAS_CHANGE` */
  RipasChange: 4,
  /** `RMI_EXIT_HOST_CALL` */
  HostCall: 5,
  /** `RMI_EXIT_SERROR` */
  Serror: 6,
} as const;
/** An RmiRecExitReason. @see rmm-abi.md §3.3 @since 0.1.0 */
export type RmiRecExitReason = (typeof RmiRecExitReason)[keyof typeof RmiRecExitReason];

/**
 * RmiResponse: the RIPAS_RESPONSE entry flag.
 * @see rmm-abi.md §3.7
 * @since 0.1.0
 */
export const RmiResponse = {
  /** `RMI_ACCEPT` */
  Accept: 0,
  /** `RMI_REJECT` */
  Reject: 1,
} as const;
/** An RmiResponse. @see rmm-abi.md §3.7 @since 0.1.0 */
export type RmiResponse = (typeof RmiResponse)[keyof typeof RmiResponse];

/**
 * RmiPmuOverflowStatus: `pmu_ovf_status` of RmiRecExit.
 * @see rmm-abi.md §3.3, §3.7
 * @since 0.1.0
 */
export const RmiPmuOverflowStatus = {
  /** `RMI_PMU_OVERFLOW_NOT_ACTIVE` */
  NotActive: 0,
  /** `RMI_PMU_OVERFLOW_ACTIVE` */
  Active: 1,
} as const;
/** An RmiPmuOverflowStatus. @see rmm-abi.md §3.7 @since 0.1.0 */
export type RmiPmuOverflowStatus = (typeof RmiPmuOverflowStatus)[keyof typeof RmiPmuOverflowStatus];

/**
 * The ICH_HCR_EL2 bits the host may set in `gicv3_hcr`: UIE(1) | LRENPIE(2) | NPIE(3) |
 * VGrp0EIE(4) | VGrp0DIE(5) | VGrp1EIE(6) | VGrp1DIE(7) | TDIR(14). Any other bit is RMI_ERROR_REC;
 * on exit the RMM reports `gicv3_hcr` masked to these bits.
 * @see rmm-abi.md §2.11 step 7, §3.3
 * @since 0.1.0
 */
export const GICV3_HCR_NS_MASK: bigint = 0x40fen;

/**
 * RmiRecEnter as it is in memory.
 * @see rmm-abi.md §3.3
 * @since 0.1.0
 */
export interface RecEnter {
  /** `flags` u64 @ 0x000: RmiRecEnterFlags. */
  readonly flags: bigint;
  /** `gprs[31]` u64 @ 0x200. */
  readonly gprs: readonly bigint[];
  /** `gicv3_hcr` u64 @ 0x300. */
  readonly gicv3Hcr: bigint;
  /** `gicv3_lrs[16]` u64 @ 0x308. */
  readonly gicv3Lrs: readonly bigint[];
}

/**
 * RmiRecExit as it is in memory. `exit_reason` and `pmu_ovf_status` are enumerations and
 * decode as numbers (a value beyond 2^53 as Infinity); every other 64-bit field is bigint.
 * @see rmm-abi.md §3.3
 * @since 0.1.0
 */
export interface RecExit {
  /** `exit_reason` u64 @ 0x000: an RmiRecExitReason (raw). */
  readonly exitReason: number;
  /** `esr` u64 @ 0x100. */
  readonly esr: bigint;
  /** `far` u64 @ 0x108. */
  readonly far: bigint;
  /** `hpfar` u64 @ 0x110. */
  readonly hpfar: bigint;
  /** `gprs[31]` u64 @ 0x200. */
  readonly gprs: readonly bigint[];
  /** `gicv3_hcr` u64 @ 0x300. */
  readonly gicv3Hcr: bigint;
  /** `gicv3_lrs[16]` u64 @ 0x308. */
  readonly gicv3Lrs: readonly bigint[];
  /** `gicv3_misr` u64 @ 0x388. */
  readonly gicv3Misr: bigint;
  /** `gicv3_vmcr` u64 @ 0x390. */
  readonly gicv3Vmcr: bigint;
  /** `cntp_ctl` u64 @ 0x400. */
  readonly cntpCtl: bigint;
  /** `cntp_cval` u64 @ 0x408 (minus CNTPOFF). */
  readonly cntpCval: bigint;
  /** `cntv_ctl` u64 @ 0x410. */
  readonly cntvCtl: bigint;
  /** `cntv_cval` u64 @ 0x418 (minus CNTVOFF). */
  readonly cntvCval: bigint;
  /** `ripas_base` u64 @ 0x500: IPA. */
  readonly ripasBase: bigint;
  /** `ripas_top` u64 @ 0x508: IPA. */
  readonly ripasTop: bigint;
  /** `ripas_value` u8 @ 0x510. */
  readonly ripasValue: number;
  /** `imm` u32 @ 0x600 (TF-RMM width; the spec's is 16 bits). */
  readonly imm: number;
  /** `pmu_ovf_status` u64 @ 0x700: an RmiPmuOverflowStatus (raw). */
  readonly pmuOvfStatus: number;
}

/**
 * RmiRecRun: both halves.
 * @see rmm-abi.md §3.3
 * @since 0.1.0
 */
export interface RecRun {
  /** RmiRecEnter @ 0x000. */
  readonly enter: RecEnter;
  /** RmiRecExit @ 0x800. */
  readonly exit: RecExit;
}

const E = REC_ENTER_LAYOUT;
const X = REC_EXIT_LAYOUT;

/**
 * Decodes RmiRecEnter from its 0x800 bytes (run+0x000). Never throws on content.
 * @throws {RangeError} when `half` is not 0x800 bytes long.
 * @see rmm-abi.md §3.3
 * @since 0.1.0
 */
export function decodeRecEnter(half: Uint8Array): RecEnter {
  const v = structView(half, REC_RUN_HALF_SIZE, 'RmiRecEnter');
  return {
    flags: v.getBigUint64(E.flags.offset, true),
    gprs: readU64s(v, E.gprs.offset, REC_RUN_NR_GPRS),
    gicv3Hcr: v.getBigUint64(E.gicv3_hcr.offset, true),
    gicv3Lrs: readU64s(v, E.gicv3_lrs.offset, REC_GIC_NUM_LRS),
  };
}

/**
 * Writes the fields of RmiRecEnter into `out` (0x800 bytes); reserved bytes are left as they are.
 * @throws {RangeError} when `out` is not 0x800 bytes or an array has the wrong length.
 * @see rmm-abi.md §3.3
 * @since 0.1.0
 */
export function writeRecEnter(out: Uint8Array, enter: RecEnter): void {
  const v = structView(out, REC_RUN_HALF_SIZE, 'RmiRecEnter');
  writeU64(v, E.flags.offset, enter.flags, 'flags');
  writeU64s(v, E.gprs.offset, enter.gprs, REC_RUN_NR_GPRS, 'gprs');
  writeU64(v, E.gicv3_hcr.offset, enter.gicv3Hcr, 'gicv3_hcr');
  writeU64s(v, E.gicv3_lrs.offset, enter.gicv3Lrs, REC_GIC_NUM_LRS, 'gicv3_lrs');
}

/**
 * Decodes RmiRecExit from its 0x800 bytes (run+0x800). Never throws on content.
 * @throws {RangeError} when `half` is not 0x800 bytes long.
 * @see rmm-abi.md §3.3
 * @since 0.1.0
 */
export function decodeRecExit(half: Uint8Array): RecExit {
  const v = structView(half, REC_RUN_HALF_SIZE, 'RmiRecExit');
  const u64 = (o: number): bigint => v.getBigUint64(o, true);
  return {
    exitReason: readSmallU64(v, X.exit_reason.offset),
    esr: u64(X.esr.offset),
    far: u64(X.far.offset),
    hpfar: u64(X.hpfar.offset),
    gprs: readU64s(v, X.gprs.offset, REC_RUN_NR_GPRS),
    gicv3Hcr: u64(X.gicv3_hcr.offset),
    gicv3Lrs: readU64s(v, X.gicv3_lrs.offset, REC_GIC_NUM_LRS),
    gicv3Misr: u64(X.gicv3_misr.offset),
    gicv3Vmcr: u64(X.gicv3_vmcr.offset),
    cntpCtl: u64(X.cntp_ctl.offset),
    cntpCval: u64(X.cntp_cval.offset),
    cntvCtl: u64(X.cntv_ctl.offset),
    cntvCval: u64(X.cntv_cval.offset),
    ripasBase: u64(X.ripas_base.offset),
    ripasTop: u64(X.ripas_top.offset),
    ripasValue: v.getUint8(X.ripas_value.offset),
    imm: v.getUint32(X.imm.offset, true),
    pmuOvfStatus: readSmallU64(v, X.pmu_ovf_status.offset),
  };
}

/**
 * Writes the fields of RmiRecExit into `out` (0x800 bytes); reserved bytes are left as they are.
 * TF-RMM zeroes the whole half first: pass a zeroed buffer, or use {@link encodeRecExit}.
 * @throws {RangeError} when `out` is not 0x800 bytes or a field does not fit.
 * @see rmm-abi.md §3.3
 * @since 0.1.0
 */
export function writeRecExit(out: Uint8Array, exit: RecExit): void {
  const v = structView(out, REC_RUN_HALF_SIZE, 'RmiRecExit');
  writeSmallU64(v, X.exit_reason.offset, exit.exitReason, 'exit_reason');
  writeU64(v, X.esr.offset, exit.esr, 'esr');
  writeU64(v, X.far.offset, exit.far, 'far');
  writeU64(v, X.hpfar.offset, exit.hpfar, 'hpfar');
  writeU64s(v, X.gprs.offset, exit.gprs, REC_RUN_NR_GPRS, 'gprs');
  writeU64(v, X.gicv3_hcr.offset, exit.gicv3Hcr, 'gicv3_hcr');
  writeU64s(v, X.gicv3_lrs.offset, exit.gicv3Lrs, REC_GIC_NUM_LRS, 'gicv3_lrs');
  writeU64(v, X.gicv3_misr.offset, exit.gicv3Misr, 'gicv3_misr');
  writeU64(v, X.gicv3_vmcr.offset, exit.gicv3Vmcr, 'gicv3_vmcr');
  writeU64(v, X.cntp_ctl.offset, exit.cntpCtl, 'cntp_ctl');
  writeU64(v, X.cntp_cval.offset, exit.cntpCval, 'cntp_cval');
  writeU64(v, X.cntv_ctl.offset, exit.cntvCtl, 'cntv_ctl');
  writeU64(v, X.cntv_cval.offset, exit.cntvCval, 'cntv_cval');
  writeU64(v, X.ripas_base.offset, exit.ripasBase, 'ripas_base');
  writeU64(v, X.ripas_top.offset, exit.ripasTop, 'ripas_top');
  v.setUint8(X.ripas_value.offset, checkUint(exit.ripasValue, 8, 'ripas_value'));
  v.setUint32(X.imm.offset, checkUint(exit.imm, 32, 'imm'), true);
  writeSmallU64(v, X.pmu_ovf_status.offset, exit.pmuOvfStatus, 'pmu_ovf_status');
}

/**
 * Encodes RmiRecEnter into a fresh zeroed 0x800-byte half.
 * @throws {RangeError} as {@link writeRecEnter}.
 * @see rmm-abi.md §3.3
 * @since 0.1.0
 */
export function encodeRecEnter(enter: RecEnter): Bytes {
  const out = new Uint8Array(REC_RUN_HALF_SIZE);
  writeRecEnter(out, enter);
  return out;
}

/**
 * Encodes RmiRecExit into a fresh zeroed 0x800-byte half, as TF-RMM writes it (zeroed, then
 * filled).
 * @throws {RangeError} as {@link writeRecExit}.
 * @see rmm-abi.md §3.3
 * @since 0.1.0
 */
export function encodeRecExit(exit: RecExit): Bytes {
  const out = new Uint8Array(REC_RUN_HALF_SIZE);
  writeRecExit(out, exit);
  return out;
}

/**
 * Decodes a whole RmiRecRun page.
 * @throws {RangeError} when `page` is not 0x1000 bytes long.
 * @see rmm-abi.md §3.3
 * @since 0.1.0
 */
export function decodeRecRun(page: Uint8Array): RecRun {
  structView(page, REC_RUN_SIZE, 'RmiRecRun');
  return {
    enter: decodeRecEnter(page.subarray(0, REC_EXIT_OFFSET)),
    exit: decodeRecExit(page.subarray(REC_EXIT_OFFSET, REC_RUN_SIZE)),
  };
}

/**
 * Encodes a whole RmiRecRun into a fresh zeroed page.
 * @throws {RangeError} as {@link writeRecEnter} and {@link writeRecExit}.
 * @see rmm-abi.md §3.3
 * @since 0.1.0
 */
export function encodeRecRun(run: RecRun): Bytes {
  const out = new Uint8Array(REC_RUN_SIZE);
  writeRecEnter(out.subarray(0, REC_EXIT_OFFSET), run.enter);
  writeRecExit(out.subarray(REC_EXIT_OFFSET, REC_RUN_SIZE), run.exit);
  return out;
}

/**
 * The RmiRecEnterFlags of an entry, as booleans.
 * @see rmm-abi.md §3.3
 * @since 0.1.0
 */
export interface RecEnterFlags {
  /** bit 0 EMUL_MMIO */
  readonly emulMmio: boolean;
  /** bit 1 INJECT_SEA */
  readonly injectSea: boolean;
  /** bit 2 TRAP_WFI */
  readonly trapWfi: boolean;
  /** bit 3 TRAP_WFE */
  readonly trapWfe: boolean;
  /** bit 4 RIPAS_RESPONSE: the host's answer to a RIPAS change. */
  readonly ripasResponse: RmiResponse;
}

/**
 * Splits RmiRecEnter `flags` into its bits; reserved bits are ignored.
 * @see rmm-abi.md §2.11, §3.3
 * @since 0.1.0
 */
export function decodeRecEnterFlags(flags: bigint): RecEnterFlags {
  const f = Number(flags & 0x1fn);
  return {
    emulMmio: (f & 0x1) !== 0,
    injectSea: (f & 0x2) !== 0,
    trapWfi: (f & 0x4) !== 0,
    trapWfe: (f & 0x8) !== 0,
    ripasResponse: f & 0x10 ? RmiResponse.Reject : RmiResponse.Accept,
  };
}

/**
 * The exit reason of an exit, or `undefined` if `exit_reason` is not one RMM 1.0 defines.
 * @see rmm-abi.md §3.3
 * @since 0.1.0
 */
export function recExitReason(exit: RecExit): RmiRecExitReason | undefined {
  const r = exit.exitReason;
  return Number.isInteger(r) && r >= 0 && r <= RmiRecExitReason.Serror
    ? (r as RmiRecExitReason)
    : undefined;
}
