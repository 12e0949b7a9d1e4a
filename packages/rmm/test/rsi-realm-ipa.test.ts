/**
 * `realmIpaToPa` (TF-RMM `realm_ipa_to_pa`, rmm-abi.md §4.5) on the realm of test/support/rsi.ts:
 * ASSIGNED RAM gives the PA (page and block), RIPAS EMPTY gives Empty, UNASSIGNED RAM and
 * DESTROYED give "unmapped at level l", and the walk level follows the RTT shape.
 * @module
 */
import {
  encodeS2tte,
  GranuleState,
  RsiRipas,
  S2tteType,
  SMC_RMI_GRANULE_DELEGATE,
} from '@islet/abi';
import { IsletInvariantError } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import { RealmIpaStatus, realmIpaToPa } from '../src/rsi/realm-ipa.ts';
import { writeEntry } from '../src/rtt/rtt-table.ts';
import { D, IPA, L2, rsiEnv } from './support/rsi.ts';

describe('realmIpaToPa', () => {
  const e = rsiEnv();
  const t = (ipa: number) => realmIpaToPa(e.ctx.granules, e.ctx.memory, e.realm, ipa);
  it('ASSIGNED RAM: the PA of the byte, at level 3', () => {
    expect(t(IPA.ram)).toEqual({ status: RealmIpaStatus.Ram, pa: D[0], level: 3 });
    expect(t(IPA.ram3 + 0x123)).toEqual({
      status: RealmIpaStatus.Ram,
      pa: D[2]! + 0x123,
      level: 3,
    });
  });
  it('RIPAS EMPTY, assigned or not, at the level the walk stopped', () => {
    expect(t(IPA.assignedEmpty)).toEqual({ status: RealmIpaStatus.Empty, level: 3 });
    expect(t(IPA.empty)).toEqual({ status: RealmIpaStatus.Empty, level: 3 });
    expect(t(0x20_0000)).toEqual({ status: RealmIpaStatus.Empty, level: 2 });
    expect(t(IPA.l1Empty + 0x5000)).toEqual({ status: RealmIpaStatus.Empty, level: 1 });
  });
  it('UNASSIGNED RAM and DESTROYED: unmapped, with the RIPAS and the level', () => {
    expect(t(IPA.unassignedRam)).toEqual({
      status: RealmIpaStatus.Unmapped,
      level: 3,
      ripas: RsiRipas.Ram,
    });
    expect(t(IPA.destroyed + 8)).toEqual({
      status: RealmIpaStatus.Unmapped,
      level: 3,
      ripas: RsiRipas.Destroyed,
    });
    expect(t(IPA.l2Ram + 0x1f_f000)).toEqual({
      status: RealmIpaStatus.Unmapped,
      level: 2,
      ripas: RsiRipas.Ram,
    });
  });
  it('an ASSIGNED RAM block maps OA + offset, at level 2', () => {
    const f = rsiEnv();
    // An ASSIGNED RAM 2 MiB block at IPA 6M → PA 0x8000_0000 written into the L2 RTT (what
    // RTT_FOLD of a full L3 RTT of DATA makes), and the granule it reaches in state DATA.
    const d = encodeS2tte({ type: S2tteType.AssignedRam, oa: 0x8000_0000, nsAttrs: 0 }, 2, false);
    writeEntry(new DataView(f.platform.raw(L2).buffer), 3, d.hi, d.lo);
    expect(f.call(SMC_RMI_GRANULE_DELEGATE, 0x8000_5000)[0]).toBe(0n);
    f.ctx.granules.transition(
      f.ctx.granules.find(0x8000_5000),
      GranuleState.Delegated,
      GranuleState.Data,
    );
    const g = (ipa: number) => realmIpaToPa(f.ctx.granules, f.ctx.memory, f.realm, ipa);
    expect(g(0x60_5123)).toEqual({ status: RealmIpaStatus.Ram, pa: 0x8000_5123, level: 2 });
    // A byte of the block whose granule is not DATA breaks an invariant.
    expect(() => g(0x60_6000)).toThrow(IsletInvariantError);
  });
  it('a protected entry without RIPAS is an invariant violation', () => {
    const f = rsiEnv();
    // Corrupt the L3 entry of IPA 0x6000 into an NS entry (bit 55).
    const w = new DataView(f.platform.raw(0x8016_1000).buffer);
    w.setUint32(6 * 8 + 4, 1 << 23, true);
    expect(() => realmIpaToPa(f.ctx.granules, f.ctx.memory, f.realm, 0x6000)).toThrow(
      IsletInvariantError,
    );
  });
});
