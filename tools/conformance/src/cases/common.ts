/**
 * What the command files share: replacing one address argument of an otherwise valid call with
 * an address that fails in one way (unaligned, MMIO, beyond the PA size, Secure or Realm PAS, or a
 * granule in the wrong RMM state), which is how most ACS conditions are built.
 * @module
 */
import { SMC_RMI_RTT_READ_ENTRY } from '@islet/abi';
import { type CaseCall, type CaseSpec, cond, INPUT } from '../case.ts';
import { type Fixture, type GranuleKind, UNALIGNED_OFFSET } from '../fixture.ts';
import type { StatusCode } from '../status.ts';

/** How an address argument is made to fail. */
export type AddressVariant =
  | 'UNALIGNED'
  | 'MMIO'
  | 'OUTSIDE_PA'
  | 'SECURE_PAS'
  | 'REALM_PAS'
  | GranuleKind;

/** The failing address of `variant`; `valid` is the argument's valid value (for UNALIGNED). */
export function variantAddress(fx: Fixture, variant: AddressVariant, valid: bigint): bigint {
  switch (variant) {
    case 'UNALIGNED':
      return valid + UNALIGNED_OFFSET;
    case 'MMIO':
      return fx.platform.mmioAddress;
    case 'OUTSIDE_PA':
      return fx.platform.outsidePa;
    case 'SECURE_PAS':
      return fx.platform.secureGranule;
    case 'REALM_PAS':
      return fx.platform.realmGranule;
    default:
      return fx.granuleIn(variant);
  }
}

/** One row: the ACS label and intent, and how the argument fails. */
export type AddressRow = readonly [label: string, intent: string, variant: AddressVariant];

/**
 * Cases that build a valid call with `build`, then replace the argument `field` by the failing
 * address of each row.
 */
export function addressCases<A extends Record<string, bigint>>(
  field: keyof A,
  rows: readonly AddressRow[],
  build: (fx: Fixture) => A,
  call: (args: A, fx: Fixture) => CaseCall,
  expected: StatusCode = INPUT,
  note?: string,
): CaseSpec[] {
  return rows.map(([label, intent, variant]) =>
    cond(
      label,
      intent,
      expected,
      (fx) => {
        const args = build(fx);
        return call({ ...args, [field]: variantAddress(fx, variant, args[field]!) }, fx);
      },
      note,
    ),
  );
}

/** The rd rows most commands share, with the intents the ACS table gives them. */
export function rdRows(intents: {
  readonly devMem: string;
  readonly order?: 'outside-first';
  readonly states: readonly (readonly [intent: string, kind: GranuleKind])[];
}): AddressRow[] {
  const bound: AddressRow[] = [
    ['rd_bound', intents.devMem, 'MMIO'],
    ['rd_bound', 'RD_OUTSIDE_OF_PERMITTED_PA', 'OUTSIDE_PA'],
  ];
  if (intents.order === 'outside-first') bound.reverse();
  return [
    ['rd_align', 'RD_UNALIGNED', 'UNALIGNED'],
    ...bound,
    ...intents.states.map(([intent, kind]): AddressRow => ['rd_state', intent, kind]),
  ];
}

/** The usual rd_state rows: UNDELEGATED, DELEGATED, REC, RTT, DATA. */
export const RD_STATES: readonly (readonly [string, GranuleKind])[] = [
  ['RD_STATE_UNDELEGATED', 'UNDELEGATED'],
  ['RD_STATE_DELEGATED', 'DELEGATED'],
  ['RD_STATE_REC', 'REC'],
  ['RD_STATE_RTT', 'RTT'],
  ['RD_STATE_DATA', 'DATA'],
];

/** Reads the RTT entry at `ipa`, `level` and compares X1..X4. */
export function readEntryIs(
  fx: Fixture,
  rd: bigint,
  ipa: bigint,
  level: number,
  want: { state: number; desc?: bigint; ripas: number },
): string | undefined {
  const out = fx.smc(SMC_RMI_RTT_READ_ENTRY, rd, ipa, BigInt(level));
  const got = `X0..X4 = ${out.map((x) => `0x${x.toString(16)}`).join(', ')}`;
  if (out[0] !== 0n) return `RTT_READ_ENTRY failed: ${got}`;
  if (out[1] !== BigInt(level) || out[2] !== BigInt(want.state) || out[4] !== BigInt(want.ripas)) {
    return `RTT_READ_ENTRY(0x${ipa.toString(16)}, ${level}): ${got}; expected walk level ${level}, state ${want.state}, ripas ${want.ripas}`;
  }
  if (want.desc !== undefined && out[3] !== want.desc) {
    return `RTT_READ_ENTRY(0x${ipa.toString(16)}, ${level}): X3 = 0x${out[3]?.toString(16)}, expected 0x${want.desc.toString(16)}`;
  }
  return undefined;
}
