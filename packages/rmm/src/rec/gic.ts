/**
 * The virtual GICv3 state a host hands in with REC_ENTER, and the check TF-RMM makes of it before
 * a realm runs (`lib/gic/src/gic.c gic_validate_state`): the host may only set the HCR bits it
 * owns and only well-formed, distinct list registers.
 *
 * ```text
 * 7. GIC state invalid → RMI_ERROR_REC: `enter.gicv3_hcr & ~NS_MASK ≠ 0` where NS_MASK =
 *    UIE(1)|LRENPIE(2)|NPIE(3)|VGrp0EIE(4)|VGrp0DIE(5)|VGrp1EIE(6)|VGrp1DIE(7)|TDIR(14); for each
 *    implemented LR n ≤ ICH_VTR.ListRegs with State≠0: HW(bit61)=1, priority RES0 bits set,
 *    pINTID[44:32] other than EOI(bit41) set, vINTID not in [0..1019]∪[8192..max]∪(ext PPI/SPI
 *    if supported), or duplicate vINTID → invalid.
 * ```
 *
 * The modelled CPU interface is the FVP's: ICH_VTR_EL2 reports 4 list registers, 5 priority bits
 * (so LR priority bits [50:48] are RES0) and 16-bit interrupt IDs, and no extended PPI/SPI range.
 * @module
 */
import { GICV3_HCR_NS_MASK, type RecEnter } from '@islet/abi';

/**
 * The list registers the modelled GIC implements (ICH_VTR_EL2.ListRegs + 1).
 * @since 0.4.0
 */
export const GIC_NUM_LRS = 4;

/** Priority bits implemented (ICH_VTR_EL2.PRIbits + 1): LR bits [55:51]; [50:48] are RES0. */
const LR_PRIORITY_RES0 = 0x7n << 48n;
/** ICH_LR State [63:62], HW [61], pINTID [44:32] with EOI at bit 41. */
const LR_STATE_SHIFT = 62n;
const LR_HW = 1n << 61n;
const LR_PINTID_NOT_EOI = (0x1fffn << 32n) & ~(1n << 41n);
/** vINTID [31:0]: SGI/PPI/SPI 0..1019, LPI 8192..2^IDbits − 1 (16 ID bits). */
const SPECIAL_INTID_FIRST = 1020n;
const LPI_FIRST = 8192n;
const INTID_LIMIT = 1n << 16n;

/**
 * Whether `enter`'s GICv3 HCR and list registers are a state a realm may run with.
 * @see rmm-abi.md §2.11 step 7
 * @since 0.4.0
 */
export function isValidGicState(enter: RecEnter): boolean {
  if ((enter.gicv3Hcr & ~GICV3_HCR_NS_MASK) !== 0n) return false;
  const seen = new Set<bigint>();
  for (let n = 0; n < GIC_NUM_LRS; n++) {
    const lr = enter.gicv3Lrs[n] ?? 0n;
    if (lr >> LR_STATE_SHIFT === 0n) continue;
    if ((lr & (LR_HW | LR_PRIORITY_RES0 | LR_PINTID_NOT_EOI)) !== 0n) return false;
    const vintid = lr & 0xffff_ffffn;
    const valid = vintid < SPECIAL_INTID_FIRST || (vintid >= LPI_FIRST && vintid < INTID_LIMIT);
    if (!valid || seen.has(vintid)) return false;
    seen.add(vintid);
  }
  return true;
}
