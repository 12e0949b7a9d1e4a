import {
  encodeS2tteBig,
  S2tteType,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_RTT_CREATE,
  SMC_RMI_RTT_MAP_UNPROTECTED,
} from '@islet/abi';
import { describe, expect, it } from 'vitest';
import { contextWithRealm, RD, RTT } from '../../test/support/realm.ts';
import {
  addrInPar,
  levelFromRegister,
  NO_IPA,
  RTT_LEVEL_NONE,
  validateMapAddr,
} from './rtt-args.ts';
import { isLiveEntry, skipNonLiveEntries } from './rtt-live.ts';
import { rttWalk } from './rtt-walk.ts';

const G = 0x1000;
const UNPROT = 2 ** 39;

describe('rttWalk', () => {
  it('picks the concatenated root RTT and follows TABLE entries', () => {
    const { ctx, call, realm } = contextWithRealm();
    const w0 = rttWalk(ctx.granules, ctx.memory, realm, 5 * 2 ** 30, 3);
    expect([w0.level, w0.tablePa, w0.index]).toEqual([1, RTT, 5]);
    const w1 = rttWalk(ctx.granules, ctx.memory, realm, UNPROT + 3 * 2 ** 30, 3);
    expect([w1.level, w1.tablePa, w1.index]).toEqual([1, RTT + G, 3]);
    const l2 = 0x8016_0000;
    expect(call(SMC_RMI_GRANULE_DELEGATE, l2)[0]).toBe(0n);
    expect(call(SMC_RMI_RTT_CREATE, RD, l2, UNPROT, 2)[0]).toBe(0n);
    const w2 = rttWalk(ctx.granules, ctx.memory, realm, UNPROT + 7 * 0x20_0000, 3);
    expect([w2.level, w2.tablePa, w2.index]).toEqual([2, l2, 7]);
    // Stops at the target level even on a TABLE entry.
    const w3 = rttWalk(ctx.granules, ctx.memory, realm, UNPROT, 1);
    expect([w3.level, w3.lo & 3]).toEqual([1, 3]);
    expect(() => rttWalk(ctx.granules, ctx.memory, realm, 0, 0)).toThrow();
  });

  it('skipNonLiveEntries: ipa if live, else the next live entry or the table end', () => {
    const { ctx, call, realm } = contextWithRealm();
    const l2 = 0x8016_0000;
    expect(call(SMC_RMI_GRANULE_DELEGATE, l2)[0]).toBe(0n);
    expect(call(SMC_RMI_RTT_CREATE, RD, l2, UNPROT, 2)[0]).toBe(0n);
    expect(call(SMC_RMI_RTT_MAP_UNPROTECTED, RD, UNPROT + 3 * 0x20_0000, 2, 0x8040_00fcn)[0]).toBe(
      0n,
    );
    const at = (ipa: number) =>
      skipNonLiveEntries(rttWalk(ctx.granules, ctx.memory, realm, ipa, 2), ipa);
    expect(at(UNPROT + 3 * 0x20_0000)).toBe(UNPROT + 3 * 0x20_0000);
    expect(at(UNPROT + 0x20_0000)).toBe(UNPROT + 3 * 0x20_0000);
    expect(at(UNPROT + 4 * 0x20_0000)).toBe(UNPROT + 2 ** 30);
  });

  it('isLiveEntry follows TF-RMM s2tte_is_live', () => {
    const live = (type: S2tteType, oa = 0) => {
      const d = encodeS2tteBig({ type, oa, nsAttrs: 0 }, 3, false);
      return isLiveEntry(Number(d >> 32n), Number(d & 0xffff_ffffn));
    };
    expect(live(S2tteType.UnassignedEmpty)).toBe(false);
    expect(live(S2tteType.UnassignedRam)).toBe(false);
    expect(live(S2tteType.UnassignedDestroyed)).toBe(false);
    expect(live(S2tteType.UnassignedNs)).toBe(false);
    expect(live(S2tteType.AssignedEmpty, G)).toBe(true);
    expect(live(S2tteType.AssignedRam, G)).toBe(true);
    expect(live(S2tteType.AssignedDestroyed, G)).toBe(true);
    expect(live(S2tteType.AssignedNs, G)).toBe(true);
  });
});

describe('RTT arguments', () => {
  it('levelFromRegister reads (long)ulevel', () => {
    expect([0n, 1n, 2n, 3n].map(levelFromRegister)).toEqual([0, 1, 2, 3]);
    expect(levelFromRegister(2n ** 64n - 1n)).toBe(-1);
    expect(levelFromRegister(4n)).toBe(RTT_LEVEL_NONE);
    expect(levelFromRegister(2n ** 64n - 2n)).toBe(RTT_LEVEL_NONE);
  });

  it('validateMapAddr and addrInPar', () => {
    const { realm } = contextWithRealm();
    expect(validateMapAddr(0x20_0000n, 2, realm)).toBe(0x20_0000);
    expect(validateMapAddr(0x1000n, 2, realm)).toBe(NO_IPA);
    expect(validateMapAddr(2n ** 40n, 3, realm)).toBe(NO_IPA);
    expect(validateMapAddr(2n ** 40n - 0x1000n, 3, realm)).toBe(2 ** 40 - 0x1000);
    expect(addrInPar(UNPROT - G, realm)).toBe(true);
    expect(addrInPar(UNPROT, realm)).toBe(false);
  });
});
