/**
 * RMI_RTT_FOLD through `handleRmi`: folding homogeneous RTTs back into their parent entry (each
 * unassigned RIPAS, unassigned_ns, assigned_ns and assigned blocks of each RIPAS), X1, refcounts
 * and granule states, and every digest / ACS v1.0 failure condition with status, index and
 * "nothing changed".
 *
 * The realm is the default one (s2sz 40, rtt_level_start 1, two concatenated root RTTs), so the
 * PAR is [0, 2^39). Assigned protected entries are written behind the RMM's back with the
 * refcount TF-RMM would give them (as in rtt.test.ts).
 * @module
 */
import {
  encodeS2tteBig,
  GranuleState,
  RmiRipas,
  S2tteType,
  SMC_RMI_RTT_CREATE,
  SMC_RMI_RTT_DESTROY,
  SMC_RMI_RTT_FOLD,
  SMC_RMI_RTT_INIT_RIPAS,
  SMC_RMI_RTT_MAP_UNPROTECTED,
  SMC_RMI_RTT_READ_ENTRY,
} from '@islet/abi';
import { describe, expect, it } from 'vitest';
import { DEVICE_PA, UNTRACKED_PA } from './support/platform.ts';
import { RD, REC, RealmEnv, RTT, realmParams, SPARE } from './support/realm.ts';

const G = 0x1000;
const MB2 = 0x20_0000;
const GB1 = 0x4000_0000;
const UNPROT = 2 ** 39;
const IPA_END = 2 ** 40;
const T: readonly number[] = Array.from({ length: 8 }, (_, i) => 0x8016_0000 + i * G);
const UNDELEGATED = 0x8017_0000;
const OA_BLOCK = 0x8020_0000;
const NS_ATTRS = (0b101 << 2) | (0b11 << 6);
const U64_MAX = 2n ** 64n - 1n;
const INPUT_X0 = 1n;
const rtt = (level: number): bigint => 4n | (BigInt(level & 0xff) << 8n);
const nsDesc = (pa: number, attrs = NS_ATTRS): bigint => BigInt(pa) | BigInt(attrs);
const ent = (type: S2tteType, level: number, oa = 0, nsAttrs = 0): bigint =>
  encodeS2tteBig({ type, oa, nsAttrs }, level, false);

type Regs = readonly bigint[];

class FoldEnv extends RealmEnv {
  constructor(p = realmParams()) {
    super();
    this.withRealm(p);
    this.delegate(...T);
  }

  create(t: number, ipa: number, level: number): void {
    expect(this.call(SMC_RMI_RTT_CREATE, RD, t, ipa, level)[0]).toBe(0n);
  }

  fold(ipa: number | bigint, level: number | bigint): Regs {
    return this.call(SMC_RMI_RTT_FOLD, RD, ipa, level);
  }

  desc(pa: number, i: number): bigint {
    return new DataView(this.platform.raw(pa).buffer).getBigUint64(i * 8, true);
  }

  poke(pa: number, i: number, d: bigint): void {
    new DataView(this.platform.raw(pa).buffer).setBigUint64(i * 8, d, true);
  }

  refInc(pa: number, n = 1): void {
    this.rmm.granules.refcountInc(this.rmm.granules.find(pa), n);
  }

  refcount(pa: number): number | undefined {
    return this.rmm.inspect.refcount(pa);
  }

  /** FOLD(xs) gives X0 = want, X1..X3 = 0, X4 = the caller's, and nothing changes. */
  fails(xs: readonly (number | bigint)[], want: bigint): void {
    const before = this.snapshot();
    expect(this.call(SMC_RMI_RTT_FOLD, ...xs)).toEqual([want, 0n, 0n, 0n, 0n]);
    expect(this.snapshot()).toEqual(before);
  }

  /** Asserts a successful fold of the RTT `child`: X1, DELEGATED and zero. */
  folds(ipa: number, level: number, child: number): void {
    expect(this.fold(ipa, level)).toEqual([0n, BigInt(child), 0n, 0n, 0n]);
    expect(this.state(child)).toBe(GranuleState.Delegated);
    expect(this.refcount(child)).toBe(0);
    expect(this.platform.raw(child).every((b) => b === 0)).toBe(true);
    expect(this.delegatedAreZero()).toBe(true);
  }
}

describe('RMI_RTT_FOLD success', () => {
  it('folds an unassigned_empty level-3 RTT: parent unassigned_empty, parent refcount − 1', () => {
    const e = new FoldEnv();
    e.create(T[0]!, 0, 2);
    e.create(T[1]!, MB2, 3);
    expect(e.refcount(T[0]!)).toBe(1);
    e.folds(MB2, 3, T[1]!);
    expect(e.refcount(T[0]!)).toBe(0);
    expect(e.desc(T[0]!, 1)).toBe(ent(S2tteType.UnassignedEmpty, 2));
    expect(e.call(SMC_RMI_RTT_READ_ENTRY, RD, MB2, 3)).toEqual([0n, 2n, 0n, 0n, 0n]);
    // Then the level-2 RTT into the root.
    e.folds(0, 2, T[0]!);
    expect(e.refcount(RTT)).toBe(0);
    expect(e.desc(RTT, 0)).toBe(ent(S2tteType.UnassignedEmpty, 1));
    // The granule can be reused.
    e.create(T[1]!, 0, 2);
  });

  it('folds unassigned_ram and unassigned_destroyed RTTs', () => {
    const e = new FoldEnv();
    e.create(T[0]!, 0, 2);
    e.create(T[1]!, 0, 3);
    expect(e.call(SMC_RMI_RTT_INIT_RIPAS, RD, 0, MB2)[1]).toBe(BigInt(MB2));
    e.folds(0, 3, T[1]!);
    expect(e.desc(T[0]!, 0)).toBe(ent(S2tteType.UnassignedRam, 2));
    expect(e.call(SMC_RMI_RTT_READ_ENTRY, RD, 0, 2)).toEqual([
      0n,
      2n,
      0n,
      0n,
      BigInt(RmiRipas.Ram),
    ]);
    // unassigned_destroyed: a destroyed level-3 RTT leaves DESTROYED, RTT_CREATE inherits it.
    e.create(T[1]!, MB2, 3);
    expect(e.call(SMC_RMI_RTT_DESTROY, RD, MB2, 3)[0]).toBe(0n);
    e.create(T[2]!, MB2, 3);
    e.folds(MB2, 3, T[2]!);
    expect(e.desc(T[0]!, 1)).toBe(ent(S2tteType.UnassignedDestroyed, 2));
    expect(e.refcount(T[0]!)).toBe(0);
  });

  it('folds unassigned_ns RTTs above the PAR', () => {
    const e = new FoldEnv();
    e.create(T[0]!, UNPROT, 2);
    e.create(T[1]!, UNPROT, 3);
    e.folds(UNPROT, 3, T[1]!);
    expect(e.desc(T[0]!, 0)).toBe(ent(S2tteType.UnassignedNs, 2));
    e.folds(UNPROT, 2, T[0]!);
    expect(e.desc(RTT + G, 0)).toBe(ent(S2tteType.UnassignedNs, 1));
    expect(e.refcount(RTT + G)).toBe(0);
  });

  it('folds 512 contiguous assigned_ns pages with identical attributes into a block', () => {
    const e = new FoldEnv();
    e.create(T[0]!, UNPROT, 2);
    e.create(T[1]!, UNPROT + MB2, 3);
    for (let i = 0; i < 512; i++) {
      expect(
        e.call(
          SMC_RMI_RTT_MAP_UNPROTECTED,
          RD,
          UNPROT + MB2 + i * G,
          3,
          nsDesc(OA_BLOCK + i * G),
        )[0],
      ).toBe(0n);
    }
    expect(e.refcount(T[0]!)).toBe(1);
    e.folds(UNPROT + MB2, 3, T[1]!);
    expect(e.refcount(T[0]!)).toBe(0);
    expect(e.desc(T[0]!, 1)).toBe(ent(S2tteType.AssignedNs, 2, OA_BLOCK, NS_ATTRS));
    expect(e.call(SMC_RMI_RTT_READ_ENTRY, RD, UNPROT + MB2, 2)).toEqual([
      0n,
      2n,
      1n,
      nsDesc(OA_BLOCK),
      0n,
    ]);
  });

  it('folds an unfolded assigned_ns block back to the same descriptor', () => {
    const e = new FoldEnv();
    e.create(T[0]!, UNPROT, 2);
    expect(
      e.call(
        SMC_RMI_RTT_MAP_UNPROTECTED,
        RD,
        UNPROT + MB2,
        2,
        nsDesc(OA_BLOCK, 0xfc & ((0b110 << 2) | (0b01 << 6))),
      )[0],
    ).toBe(0n);
    const block = e.desc(T[0]!, 1);
    e.create(T[1]!, UNPROT + MB2, 3);
    e.folds(UNPROT + MB2, 3, T[1]!);
    expect(e.desc(T[0]!, 1)).toBe(block);
  });

  for (const [name, type] of [
    ['assigned_empty', S2tteType.AssignedEmpty],
    ['assigned_ram', S2tteType.AssignedRam],
    ['assigned_destroyed', S2tteType.AssignedDestroyed],
  ] as const) {
    it(`folds 512 contiguous ${name} pages (refcount 512) into a block`, () => {
      const e = new FoldEnv();
      e.create(T[0]!, 0, 2);
      const block = ent(type, 2, OA_BLOCK);
      e.poke(T[0]!, 1, block);
      e.refInc(T[0]!);
      // RTT_CREATE unfolds the block (child refcount 512); RTT_FOLD puts it back.
      e.create(T[1]!, MB2, 3);
      expect(e.refcount(T[1]!)).toBe(512);
      expect(e.desc(T[1]!, 7)).toBe(ent(type, 3, OA_BLOCK + 7 * G));
      e.folds(MB2, 3, T[1]!);
      expect(e.desc(T[0]!, 1)).toBe(block);
      expect(e.refcount(T[0]!)).toBe(1);
    });
  }

  it('folds to a level-0 entry for unassigned tables only (rtt_level_start 0)', () => {
    const e = new FoldEnv(realmParams({ rttLevelStart: 0, rttNumStart: 1 }));
    e.create(T[0]!, 0, 1);
    e.folds(0, 1, T[0]!);
    expect(e.desc(RTT, 0)).toBe(ent(S2tteType.UnassignedEmpty, 0));
    // 512 contiguous assigned_ns 1 GiB blocks cannot become a level-0 block → (RTT, 0).
    e.create(T[1]!, UNPROT, 1);
    for (let i = 0; i < 512; i++) {
      expect(e.call(SMC_RMI_RTT_MAP_UNPROTECTED, RD, UNPROT + i * GB1, 1, nsDesc(i * GB1))[0]).toBe(
        0n,
      );
    }
    e.fails([RD, UNPROT, 1], rtt(0));
    // Neither can 512 assigned blocks (refcount 512).
    e.create(T[2]!, 0, 1);
    for (let i = 0; i < 512; i++) e.poke(T[2]!, i, ent(S2tteType.AssignedRam, 1, i * GB1));
    e.refInc(T[2]!, 512);
    e.fails([RD, 0, 1], rtt(0));
  });
});

describe('RMI_RTT_FOLD failure conditions', () => {
  it('rd_align, rd_bound, rd_state → INPUT', () => {
    const e = new FoldEnv();
    e.create(T[0]!, 0, 2);
    const data = e.into(SPARE, GranuleState.Data);
    const rec = e.into(REC, GranuleState.Rec);
    for (const rd of [
      RD + 8,
      DEVICE_PA,
      UNTRACKED_PA,
      2 ** 52,
      UNDELEGATED,
      T[7]!,
      rec,
      RTT,
      data,
    ]) {
      e.fails([rd, 0, 2], INPUT_X0);
    }
  });

  it('level_bound (starting level, out of bound, 0, −1), ipa_align, ipa_bound → INPUT', () => {
    const e = new FoldEnv();
    e.create(T[0]!, 0, 2);
    e.create(T[1]!, 0, 3);
    for (const level of [1n, 4n, 0n, U64_MAX, 2n ** 63n]) e.fails([RD, 0, level], INPUT_X0);
    e.fails([RD, G, 3], INPUT_X0); // ipa not aligned to level 2
    e.fails([RD, GB1 + MB2, 2], INPUT_X0); // not aligned to level 1
    e.fails([RD, IPA_END, 2], INPUT_X0);
    e.fails([RD, U64_MAX, 2], INPUT_X0);
  });

  it('rtt_walk → (RTT, walk level); level_bound ≻ rtt_walk', () => {
    const e = new FoldEnv();
    e.fails([RD, 0, 3], rtt(1));
    e.fails([RD, 0, 4], INPUT_X0);
    e.create(T[0]!, 0, 2);
    e.fails([RD, GB1, 3], rtt(1));
  });

  it('rtte_state UNASSIGNED / ASSIGNED parent → (RTT, level − 1); level_bound ≻ rtte_state', () => {
    const e = new FoldEnv();
    e.create(T[0]!, 0, 2);
    e.fails([RD, MB2, 3], rtt(2));
    e.fails([RD, MB2, 4], INPUT_X0);
    e.poke(T[0]!, 1, ent(S2tteType.AssignedRam, 2, OA_BLOCK));
    e.refInc(T[0]!);
    e.fails([RD, MB2, 3], rtt(2));
    e.fails([RD, 0, 1], INPUT_X0);
  });

  it('rtte_homo: a mixture of unassigned RIPAS, or unassigned and assigned_ns → (RTT, level)', () => {
    const e = new FoldEnv();
    e.create(T[0]!, 0, 2);
    e.create(T[1]!, 0, 3);
    expect(e.call(SMC_RMI_RTT_INIT_RIPAS, RD, 0, 0x4000)[1]).toBe(0x4000n);
    e.fails([RD, 0, 3], rtt(3));
    e.create(T[2]!, UNPROT, 2);
    e.create(T[3]!, UNPROT, 3);
    expect(e.call(SMC_RMI_RTT_MAP_UNPROTECTED, RD, UNPROT + G, 3, nsDesc(OA_BLOCK))[0]).toBe(0n);
    e.fails([RD, UNPROT, 3], rtt(3));
    // A level-2 RTT holding a TABLE entry (refcount 1).
    e.fails([RD, 0, 2], rtt(2 + 0)); // root entry is TABLE, child L2 has refcount 1 → (RTT, 2)
  });

  it('rtte_homo: assigned_ns not contiguous, not aligned, or with different attributes → (RTT, 3)', () => {
    const base = (e: FoldEnv, oa: (i: number) => number, attrs: (i: number) => number): void => {
      e.create(T[0]!, UNPROT, 2);
      e.create(T[1]!, UNPROT, 3);
      for (let i = 0; i < 512; i++) {
        const r = e.call(
          SMC_RMI_RTT_MAP_UNPROTECTED,
          RD,
          UNPROT + i * G,
          3,
          nsDesc(oa(i), attrs(i)),
        );
        expect(r[0]).toBe(0n);
      }
      e.fails([RD, UNPROT, 3], rtt(3));
    };
    base(
      new FoldEnv(),
      (i) => OA_BLOCK + (i === 9 ? 10 : i) * G,
      () => NS_ATTRS,
    );
    base(
      new FoldEnv(),
      (i) => OA_BLOCK + G + i * G,
      () => NS_ATTRS,
    );
    base(
      new FoldEnv(),
      (i) => OA_BLOCK + i * G,
      (i) => (i === 511 ? 0b11 << 6 : NS_ATTRS),
    );
  });

  it('rtte_homo: assigned entries of mixed RIPAS, not contiguous, or refcount ∉ {0, 512} → (RTT, 3)', () => {
    const setup = (): FoldEnv => {
      const e = new FoldEnv();
      e.create(T[0]!, 0, 2);
      e.poke(T[0]!, 1, ent(S2tteType.AssignedRam, 2, OA_BLOCK));
      e.refInc(T[0]!);
      e.create(T[1]!, MB2, 3);
      return e;
    };
    let e = setup();
    e.poke(T[1]!, 3, ent(S2tteType.AssignedEmpty, 3, OA_BLOCK + 3 * G));
    e.fails([RD, MB2, 3], rtt(3));
    e = setup();
    e.poke(T[1]!, 3, ent(S2tteType.AssignedRam, 3, OA_BLOCK + 4 * G));
    e.fails([RD, MB2, 3], rtt(3));
    // One assigned page among unassigned ones: refcount 1.
    e = new FoldEnv();
    e.create(T[0]!, 0, 2);
    e.create(T[1]!, 0, 3);
    e.poke(T[1]!, 5, ent(S2tteType.AssignedRam, 3, OA_BLOCK));
    e.refInc(T[1]!);
    e.fails([RD, 0, 3], rtt(3));
  });
});
