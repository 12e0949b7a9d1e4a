/**
 * RMI_RTT_CREATE, RTT_DESTROY, RTT_READ_ENTRY, RTT_INIT_RIPAS, RTT_MAP_UNPROTECTED and
 * RTT_UNMAP_UNPROTECTED through `handleRmi`: success paths (descriptors, granule states,
 * refcounts, RIM, outputs) and every digest / ACS v1.0 failure condition with status, index,
 * output registers and "nothing changed" (RTT bytes, granule states, refcounts, realms incl. RIM).
 *
 * The realm is the default one (s2sz 40, rtt_level_start 1, two concatenated root RTTs), so the
 * PAR is [0, 2^39) and root RTT 1 holds the unprotected half. Some assigned entries (blocks,
 * which DATA_CREATE cannot produce, and a few pages) are written into RTT granules behind the
 * RMM's back, with the refcount TF-RMM would give; DATA_* themselves are tested in data.test.ts.
 * @module
 */
import {
  encodeS2tteBig,
  GranuleState,
  RealmState,
  RmiRipas,
  RmiRttEntryState,
  S2tteType,
  SMC_RMI_RTT_CREATE,
  SMC_RMI_RTT_DESTROY,
  SMC_RMI_RTT_INIT_RIPAS,
  SMC_RMI_RTT_MAP_UNPROTECTED,
  SMC_RMI_RTT_READ_ENTRY,
  SMC_RMI_RTT_UNMAP_UNPROTECTED,
  World,
} from '@islet/abi';
import { describe, expect, it } from 'vitest';
import { measurementHash, measureRipas } from '../src/measurement/measurement.ts';
import type { IsletRmmOptions } from '../src/rmm.ts';
import { DEVICE_PA, DRAM, UNTRACKED_PA } from './support/platform.ts';
import {
  contextWithRealm,
  OK,
  RD,
  REC,
  RealmEnv,
  RTT,
  realmParams,
  SPARE,
} from './support/realm.ts';

const G = 0x1000;
const MB2 = 0x20_0000;
const GB1 = 0x4000_0000;
/** Start of the unprotected IPA range (s2sz 40). */
const UNPROT = 2 ** 39;
const IPA_END = 2 ** 40;
/** DELEGATED granules for child RTTs. */
const T: readonly number[] = Array.from({ length: 12 }, (_, i) => 0x8016_0000 + i * G);
/** A granule the RMM never saw delegated. */
const UNDELEGATED = 0x8017_0000;
/** Output addresses used in descriptors. */
const OA_BLOCK = 0x8020_0000;
const NS_PA = 0x8030_0000;
/** Host descriptor attributes: MemAttr 0b101 (normal NC-ish), S2AP RW. */
const NS_ATTRS = (0b101 << 2) | (0b11 << 6);
const U64_MAX = 2n ** 64n - 1n;

type Regs = readonly bigint[];
const rtt = (level: number): bigint => 4n | (BigInt(level & 0xff) << 8n);
const INPUT_X0 = 1n;

/** A realm with helpers for RTT shapes and behind-the-back descriptor writes. */
class RttEnv extends RealmEnv {
  constructor(options: Partial<IsletRmmOptions> = {}) {
    super(options);
    this.withRealm();
    this.delegate(...T);
  }

  create(rtt: number, ipa: number, level: number): Regs {
    return this.call(SMC_RMI_RTT_CREATE, RD, rtt, ipa, level);
  }

  destroy(ipa: number, level: number): Regs {
    return this.call(SMC_RMI_RTT_DESTROY, RD, ipa, level);
  }

  read(ipa: number | bigint, level: number | bigint): Regs {
    return this.call(SMC_RMI_RTT_READ_ENTRY, RD, ipa, level);
  }

  initRipas(base: number | bigint, top: number | bigint): Regs {
    return this.call(SMC_RMI_RTT_INIT_RIPAS, RD, base, top);
  }

  map(ipa: number, level: number, desc: bigint): Regs {
    return this.call(SMC_RMI_RTT_MAP_UNPROTECTED, RD, ipa, level, desc);
  }

  unmap(ipa: number, level: number): Regs {
    return this.call(SMC_RMI_RTT_UNMAP_UNPROTECTED, RD, ipa, level);
  }

  /** The stored descriptor `i` of the RTT granule at `pa`. */
  desc(pa: number, i: number): bigint {
    const v = new DataView(this.platform.raw(pa).buffer);
    return v.getBigUint64(i * 8, true);
  }

  /** Writes descriptor `i` of the RTT granule at `pa` behind the RMM's back. */
  poke(pa: number, i: number, d: bigint): void {
    new DataView(this.platform.raw(pa).buffer).setBigUint64(i * 8, d, true);
  }

  refcount(pa: number): number | undefined {
    return this.rmm.inspect.refcount(pa);
  }

  /** Calls and expects `want` (X0..X3; X4 = the caller's X4 unless given) and no change. */
  fails(fid: number, xs: readonly (number | bigint)[], want: Regs): void {
    const before = this.snapshot();
    const full = [...want, 0n, 0n, 0n, 0n].slice(0, 4);
    full.push(want[4] ?? BigInt(xs[3] ?? 0));
    expect(this.call(fid, ...xs)).toEqual(full);
    expect(this.snapshot()).toEqual(before);
  }

  /** The rd-state family of conditions for `fid` with the rd in X1 and valid other args. */
  rdConditions(fid: number, rest: readonly (number | bigint)[], want: Regs = [INPUT_X0]): void {
    const data = this.into(SPARE, GranuleState.Data);
    const rec = this.into(REC, GranuleState.Rec);
    for (const rd of [
      RD + 8, // rd_align
      DEVICE_PA, // rd_bound (device memory)
      UNTRACKED_PA, // rd_bound (outside the permitted PA)
      2 ** 52, // rd_bound (beyond any PA)
      UNDELEGATED, // rd_state UNDELEGATED
      T[11]!, // rd_state DELEGATED
      rec, // rd_state REC
      RTT, // rd_state RTT
      data, // rd_state DATA
    ]) {
      this.fails(fid, [rd, ...rest], want);
    }
  }
}

const nsDesc = (pa: number, attrs = NS_ATTRS): bigint => BigInt(pa) | BigInt(attrs);

describe('RMI_RTT_CREATE', () => {
  it('links a level-2 RTT under an unassigned_empty root entry: children empty, root refcount 1', () => {
    const e = new RttEnv();
    expect(e.create(T[0]!, 0, 2)).toEqual([0n, 0n, 0n, 0n, 2n]);
    expect(e.state(T[0]!)).toBe(GranuleState.Rtt);
    expect(e.refcount(RTT)).toBe(1);
    expect(e.refcount(T[0]!)).toBe(0);
    expect(e.desc(RTT, 0)).toBe(BigInt(T[0]!) | 3n);
    expect(e.platform.raw(T[0]!).every((b) => b === 0)).toBe(true);
    expect(e.rmm.inspect.rttEntry(RD, 0, 2)).toMatchObject({
      level: 2,
      state: RmiRttEntryState.Unassigned,
      ripas: RmiRipas.Empty,
      type: S2tteType.UnassignedEmpty,
    });
    // A level-3 RTT below it: the level-2 RTT's refcount counts it.
    expect(e.create(T[1]!, MB2, 3)[0]).toBe(0n);
    expect(e.refcount(T[0]!)).toBe(1);
    expect(e.desc(T[0]!, 1)).toBe(BigInt(T[1]!) | 3n);
    expect(e.rmm.inspect.rttEntry(RD, MB2 + 0x5000)).toMatchObject({ level: 3 });
  });

  it('uses the right concatenated root RTT and inherits unassigned_ns above the PAR', () => {
    const e = new RttEnv();
    expect(e.create(T[0]!, UNPROT + GB1, 2)[0]).toBe(0n);
    expect(e.refcount(RTT)).toBe(0);
    expect(e.refcount(RTT + G)).toBe(1);
    expect(e.desc(RTT + G, 1)).toBe(BigInt(T[0]!) | 3n);
    const ns = encodeS2tteBig({ type: S2tteType.UnassignedNs, oa: 0, nsAttrs: 0 }, 2, false);
    for (let i = 0; i < 512; i++) expect(e.desc(T[0]!, i)).toBe(ns);
  });

  it('inherits unassigned_ram and unassigned_destroyed', () => {
    const e = new RttEnv();
    expect(e.create(T[0]!, 0, 2)[0]).toBe(0n);
    expect(e.initRipas(0, MB2)[1]).toBe(BigInt(MB2));
    expect(e.create(T[1]!, 0, 3)[0]).toBe(0n);
    const ram = encodeS2tteBig({ type: S2tteType.UnassignedRam, oa: 0, nsAttrs: 0 }, 3, false);
    for (let i = 0; i < 512; i++) expect(e.desc(T[1]!, i)).toBe(ram);
    expect(e.destroy(0, 3)[0]).toBe(0n);
    expect(e.create(T[1]!, 0, 3)[0]).toBe(0n);
    const dst = encodeS2tteBig(
      { type: S2tteType.UnassignedDestroyed, oa: 0, nsAttrs: 0 },
      3,
      false,
    );
    for (let i = 0; i < 512; i++) expect(e.desc(T[1]!, i)).toBe(dst);
    expect(e.read(0x7000, 3)).toEqual([0n, 3n, 0n, 0n, BigInt(RmiRipas.Destroyed)]);
  });

  it('unfolds an assigned_ns block: 512 consecutive pages, same attributes, parent refcount + 1', () => {
    const e = new RttEnv();
    expect(e.create(T[0]!, UNPROT, 2)[0]).toBe(0n);
    expect(e.map(UNPROT + MB2, 2, nsDesc(OA_BLOCK))[0]).toBe(0n);
    expect(e.refcount(T[0]!)).toBe(0);
    expect(e.create(T[1]!, UNPROT + MB2, 3)[0]).toBe(0n);
    expect(e.refcount(T[0]!)).toBe(1);
    expect(e.refcount(T[1]!)).toBe(0);
    for (const i of [0, 1, 511]) {
      expect(e.desc(T[1]!, i)).toBe(
        encodeS2tteBig(
          { type: S2tteType.AssignedNs, oa: OA_BLOCK + i * G, nsAttrs: NS_ATTRS },
          3,
          false,
        ),
      );
    }
    expect(e.read(UNPROT + MB2 + 5 * G, 3)).toEqual([0n, 3n, 1n, nsDesc(OA_BLOCK + 5 * G), 0n]);
  });

  it('unfolds an assigned protected block: child refcount 512, consecutive PAs, same RIPAS', () => {
    for (const type of [
      S2tteType.AssignedEmpty,
      S2tteType.AssignedRam,
      S2tteType.AssignedDestroyed,
    ]) {
      const e2 = new RttEnv();
      expect(e2.create(T[0]!, 0, 2)[0]).toBe(0n);
      e2.poke(T[0]!, 1, encodeS2tteBig({ type, oa: OA_BLOCK, nsAttrs: 0 }, 2, false));
      e2.rmm.granules.refcountInc(e2.rmm.granules.find(T[0]!)); // as DATA_CREATE would
      expect(e2.create(T[1]!, MB2, 3)[0]).toBe(0n);
      expect(e2.refcount(T[0]!)).toBe(1);
      expect(e2.refcount(T[1]!)).toBe(512);
      for (const i of [0, 7, 511]) {
        expect(e2.desc(T[1]!, i)).toBe(
          encodeS2tteBig({ type, oa: OA_BLOCK + i * G, nsAttrs: 0 }, 3, false),
        );
      }
    }
  });

  it('rd_align, rd_bound, rd_state → INPUT', () => {
    new RttEnv().rdConditions(SMC_RMI_RTT_CREATE, [T[0]!, 0, 2]);
  });

  it('level_bound (LEVEL_STARTING, LEVEL_OOB, −1, huge), ipa_align, ipa_bound → INPUT', () => {
    const e = new RttEnv();
    for (const level of [1n, 0n, 4n, U64_MAX, 2n ** 63n]) {
      e.fails(SMC_RMI_RTT_CREATE, [RD, T[0]!, 0, level], [INPUT_X0]);
    }
    e.fails(SMC_RMI_RTT_CREATE, [RD, T[0]!, MB2, 2], [INPUT_X0]); // ipa_align (L1 block)
    e.fails(SMC_RMI_RTT_CREATE, [RD, T[0]!, G, 3], [INPUT_X0]); // ipa_align (L2 block)
    e.fails(SMC_RMI_RTT_CREATE, [RD, T[0]!, IPA_END, 2], [INPUT_X0]); // ipa_bound
    e.fails(SMC_RMI_RTT_CREATE, [RD, T[0]!, 2n ** 64n - BigInt(GB1), 2], [INPUT_X0]);
  });

  it('rtt_align, rtt_bound, rtt_state → INPUT', () => {
    const e = new RttEnv();
    const data = e.into(SPARE, GranuleState.Data);
    const rec = e.into(REC, GranuleState.Rec);
    for (const r of [
      T[0]! + 8,
      DEVICE_PA,
      UNTRACKED_PA,
      2 ** 52,
      UNDELEGATED,
      RD,
      rec,
      RTT,
      data,
    ]) {
      e.fails(SMC_RMI_RTT_CREATE, [RD, r, 0, 2], [INPUT_X0]);
    }
    // rtt == rd (find_lock_two_granules alias) → INPUT.
    e.fails(SMC_RMI_RTT_CREATE, [RD, RD, 0, 2], [INPUT_X0]);
  });

  it('rtt_bound2: an RTT granule at or above 2^48 for a realm without LPA2 → INPUT', () => {
    const HIGH = 2 ** 48;
    const e = new RttEnv({ dram: [...DRAM, { base: HIGH, size: G }] });
    e.platform.gpi.set(HIGH / G, World.Normal);
    e.delegate(HIGH);
    e.fails(SMC_RMI_RTT_CREATE, [RD, HIGH, 0, 2], [INPUT_X0]);
  });

  it('rtt_walk → (RTT, walk level); rtte_state TABLE → (RTT, level − 1)', () => {
    const e = new RttEnv();
    e.fails(SMC_RMI_RTT_CREATE, [RD, T[0]!, 0, 3], [rtt(1)]);
    expect(e.create(T[0]!, 0, 2)[0]).toBe(0n);
    e.fails(SMC_RMI_RTT_CREATE, [RD, T[1]!, 0, 2], [rtt(1)]);
    expect(e.create(T[1]!, 0, 3)[0]).toBe(0n);
    e.fails(SMC_RMI_RTT_CREATE, [RD, T[2]!, 0, 3], [rtt(2)]);
  });

  it('checks INPUT conditions before RTT ones', () => {
    const e = new RttEnv();
    // No parent RTTE (would be RTT 1), but the rtt granule is not DELEGATED.
    e.fails(SMC_RMI_RTT_CREATE, [RD, UNDELEGATED, 0, 3], [INPUT_X0]);
    e.fails(SMC_RMI_RTT_CREATE, [RD, T[0]!, G, 3], [INPUT_X0]);
  });
});

describe('RMI_RTT_DESTROY', () => {
  it('destroys a childless RTT: X1 rtt, X2 top; parent unassigned_destroyed / unassigned_ns', () => {
    const e = new RttEnv();
    expect(e.create(T[0]!, 0, 2)[0]).toBe(0n);
    expect(e.create(T[1]!, 0, 3)[0]).toBe(0n);
    expect(e.create(T[2]!, 4 * MB2, 3)[0]).toBe(0n);
    expect(e.refcount(T[0]!)).toBe(2);
    // top: the next live entry of the level-2 RTT (index 4).
    expect(e.destroy(0, 3)).toEqual([0n, BigInt(T[1]!), BigInt(4 * MB2), 0n, 0n]);
    expect(e.state(T[1]!)).toBe(GranuleState.Delegated);
    expect(e.platform.raw(T[1]!).every((b) => b === 0)).toBe(true);
    expect(e.refcount(T[0]!)).toBe(1);
    expect(e.read(0, 2)).toEqual([0n, 2n, 0n, 0n, BigInt(RmiRipas.Destroyed)]);
    // No live entry after it: top is the end of the level-2 RTT.
    expect(e.destroy(4 * MB2, 3)).toEqual([0n, BigInt(T[2]!), BigInt(GB1), 0n, 0n]);
    expect(e.destroy(0, 2)).toEqual([0n, BigInt(T[0]!), BigInt(UNPROT), 0n, 0n]);
    expect(e.refcount(RTT)).toBe(0);
    // Outside the PAR the parent becomes unassigned_ns.
    expect(e.create(T[3]!, UNPROT, 2)[0]).toBe(0n);
    expect(e.destroy(UNPROT, 2)).toEqual([0n, BigInt(T[3]!), BigInt(IPA_END), 0n, 0n]);
    expect(e.rmm.inspect.rttEntry(RD, UNPROT, 1)?.type).toBe(S2tteType.UnassignedNs);
    expect(e.delegatedAreZero()).toBe(true);
    // The realm can now be destroyed.
    expect(e.realmDestroy()).toEqual(OK);
  });

  it('an unprotected RTT holding assigned_ns entries is destroyable (not counted)', () => {
    const e = new RttEnv();
    expect(e.create(T[0]!, UNPROT, 2)[0]).toBe(0n);
    expect(e.create(T[1]!, UNPROT, 3)[0]).toBe(0n);
    expect(e.map(UNPROT + G, 3, nsDesc(NS_PA))[0]).toBe(0n);
    expect(e.refcount(T[1]!)).toBe(0);
    expect(e.destroy(UNPROT, 3)).toEqual([0n, BigInt(T[1]!), BigInt(UNPROT + GB1), 0n, 0n]);
    expect(e.platform.raw(T[1]!).every((b) => b === 0)).toBe(true);
  });

  it('rd_align, rd_bound, rd_state → INPUT with X2 = 0', () => {
    new RttEnv().rdConditions(SMC_RMI_RTT_DESTROY, [0, 2]);
  });

  it('level_bound (LEVEL_INVALID, LEVEL_STARTING_LEVEL), ipa_align, ipa_bound → INPUT, X2 = 0', () => {
    const e = new RttEnv();
    expect(e.create(T[0]!, 0, 2)[0]).toBe(0n);
    for (const level of [4n, 1n, 0n, U64_MAX])
      e.fails(SMC_RMI_RTT_DESTROY, [RD, 0, level], [INPUT_X0]);
    e.fails(SMC_RMI_RTT_DESTROY, [RD, MB2, 2], [INPUT_X0]);
    e.fails(SMC_RMI_RTT_DESTROY, [RD, IPA_END, 2], [INPUT_X0]);
  });

  it('rtt_walk → (RTT, walk level), X2 = top from the table the walk stopped in', () => {
    const e = new RttEnv();
    // No level-2 RTT: the walk stops at the root; nothing live there → end of root RTT 0.
    e.fails(SMC_RMI_RTT_DESTROY, [RD, 0, 3], [rtt(1), 0n, BigInt(UNPROT)]);
    expect(e.create(T[0]!, 3 * GB1, 2)[0]).toBe(0n);
    e.fails(SMC_RMI_RTT_DESTROY, [RD, 0, 3], [rtt(1), 0n, BigInt(3 * GB1)]);
    e.fails(SMC_RMI_RTT_DESTROY, [RD, 3 * GB1 + MB2, 3], [rtt(2), 0n, BigInt(4 * GB1)]);
  });

  it('rtte_state UNASSIGNED / ASSIGNED → (RTT, level − 1), X2 = top', () => {
    const e = new RttEnv();
    expect(e.create(T[0]!, 0, 2)[0]).toBe(0n);
    expect(e.create(T[1]!, 3 * MB2, 3)[0]).toBe(0n);
    e.fails(SMC_RMI_RTT_DESTROY, [RD, MB2, 3], [rtt(2), 0n, BigInt(3 * MB2)]);
    // An assigned (block) entry is live: top = ipa.
    e.poke(
      T[0]!,
      1,
      encodeS2tteBig({ type: S2tteType.AssignedEmpty, oa: OA_BLOCK, nsAttrs: 0 }, 2, false),
    );
    e.fails(SMC_RMI_RTT_DESTROY, [RD, MB2, 3], [rtt(2), 0n, BigInt(MB2)]);
    // assigned_ns block outside the PAR.
    expect(e.create(T[2]!, UNPROT, 2)[0]).toBe(0n);
    expect(e.map(UNPROT + MB2, 2, nsDesc(OA_BLOCK))[0]).toBe(0n);
    e.fails(SMC_RMI_RTT_DESTROY, [RD, UNPROT + MB2, 3], [rtt(2), 0n, BigInt(UNPROT + MB2)]);
  });

  it('rtt_live → (RTT, level), X2 = ipa', () => {
    const e = new RttEnv();
    expect(e.create(T[0]!, 0, 2)[0]).toBe(0n);
    expect(e.create(T[1]!, 0, 3)[0]).toBe(0n);
    // A level-2 RTT with a TABLE entry.
    e.fails(SMC_RMI_RTT_DESTROY, [RD, 0, 2], [rtt(2), 0n, 0n]);
    // A level-3 RTT with an assigned entry (refcount as DATA_CREATE leaves it).
    e.poke(
      T[1]!,
      5,
      encodeS2tteBig({ type: S2tteType.AssignedRam, oa: NS_PA, nsAttrs: 0 }, 3, false),
    );
    e.rmm.granules.refcountInc(e.rmm.granules.find(T[1]!));
    e.fails(SMC_RMI_RTT_DESTROY, [RD, 0, 3], [rtt(3), 0n, 0n]);
  });
});

describe('RMI_RTT_READ_ENTRY', () => {
  it('reports each entry state as §2.17 says', () => {
    const e = new RttEnv();
    // unassigned_empty at the root (walk stops at level 1), X4 written.
    expect(e.read(0, 3)).toEqual([0n, 1n, 0n, 0n, 0n]);
    expect(e.read(0, 1)).toEqual([0n, 1n, 0n, 0n, 0n]);
    // unassigned_ns.
    expect(e.read(UNPROT, 3)).toEqual([0n, 1n, 0n, 0n, 0n]);
    // table.
    expect(e.create(T[0]!, 0, 2)[0]).toBe(0n);
    expect(e.read(0, 1)).toEqual([0n, 1n, 2n, BigInt(T[0]!), 0n]);
    expect(e.create(T[1]!, 0, 3)[0]).toBe(0n);
    // unassigned_ram.
    expect(e.initRipas(0, G)[0]).toBe(0n);
    expect(e.read(0, 3)).toEqual([0n, 3n, 0n, 0n, 1n]);
    // assigned_empty / assigned_ram / assigned_destroyed → PA.
    const cases = [
      [S2tteType.AssignedEmpty, 0n],
      [S2tteType.AssignedRam, 1n],
      [S2tteType.AssignedDestroyed, 2n],
    ] as const;
    for (const [type, ripas] of cases) {
      e.poke(T[1]!, 9, encodeS2tteBig({ type, oa: NS_PA, nsAttrs: 0 }, 3, false));
      expect(e.read(9 * G, 3)).toEqual([0n, 3n, 1n, BigInt(NS_PA), ripas]);
    }
    // assigned_ns: the host's bits, RIPAS EMPTY.
    expect(e.create(T[2]!, UNPROT, 2)[0]).toBe(0n);
    expect(e.map(UNPROT, 2, nsDesc(OA_BLOCK))[0]).toBe(0n);
    expect(e.read(UNPROT, 2)).toEqual([0n, 2n, 1n, nsDesc(OA_BLOCK), 0n]);
    expect(e.read(UNPROT, 3)).toEqual([0n, 2n, 1n, nsDesc(OA_BLOCK), 0n]);
  });

  it('rd_align, rd_bound, rd_state → INPUT (X4 the caller’s)', () => {
    new RttEnv().rdConditions(SMC_RMI_RTT_READ_ENTRY, [0, 3, 0x77]);
  });

  it('level_bound, ipa_align, ipa_bound → INPUT', () => {
    const e = new RttEnv();
    for (const level of [4n, 0n, U64_MAX, 2n ** 63n]) {
      e.fails(SMC_RMI_RTT_READ_ENTRY, [RD, 0, level, 0x55], [INPUT_X0]);
    }
    e.fails(SMC_RMI_RTT_READ_ENTRY, [RD, G, 2], [INPUT_X0]);
    e.fails(SMC_RMI_RTT_READ_ENTRY, [RD, 0x800, 3], [INPUT_X0]);
    e.fails(SMC_RMI_RTT_READ_ENTRY, [RD, IPA_END, 3], [INPUT_X0]);
    e.fails(SMC_RMI_RTT_READ_ENTRY, [RD, U64_MAX - 0xfffn, 3], [INPUT_X0]);
  });
});

describe('RMI_RTT_INIT_RIPAS', () => {
  it('turns unassigned_empty into RAM, one RIPAS descriptor per entry at the walk level', () => {
    const e = new RttEnv();
    expect(e.create(T[0]!, 0, 2)[0]).toBe(0n);
    const h = measurementHash(0, e.rmm.crypto);
    let rim = e.rmm.inspect.realm(RD)!.rim;
    // Level-2 entries: 2 MB each.
    expect(e.initRipas(2 * MB2, 4 * MB2)).toEqual([0n, BigInt(4 * MB2), 0n, 0n, 0n]);
    rim = measureRipas(h, rim, 2 * MB2, 3 * MB2);
    rim = measureRipas(h, rim, 3 * MB2, 4 * MB2);
    expect(e.rmm.inspect.realm(RD)!.rim).toEqual(rim);
    expect(e.rmm.inspect.rttEntry(RD, 3 * MB2)).toMatchObject({ level: 2, ripas: RmiRipas.Ram });
    // Already-RAM entries are re-measured; stops at a level-2 entry that crosses top.
    expect(e.initRipas(3 * MB2, 4 * MB2 + G)).toEqual([0n, BigInt(4 * MB2), 0n, 0n, 0n]);
    rim = measureRipas(h, rim, 3 * MB2, 4 * MB2);
    expect(e.rmm.inspect.realm(RD)!.rim).toEqual(rim);
  });

  it('stops at the end of the RTT and at an assigned entry (partial progress)', () => {
    const e = new RttEnv();
    expect(e.create(T[0]!, 0, 2)[0]).toBe(0n);
    expect(e.create(T[1]!, 0, 3)[0]).toBe(0n);
    expect(e.initRipas(MB2 - G, MB2 + G)).toEqual([0n, BigInt(MB2), 0n, 0n, 0n]);
    e.poke(
      T[1]!,
      3,
      encodeS2tteBig({ type: S2tteType.AssignedEmpty, oa: NS_PA, nsAttrs: 0 }, 3, false),
    );
    expect(e.initRipas(0, 8 * G)).toEqual([0n, BigInt(3 * G), 0n, 0n, 0n]);
    expect(e.read(2 * G, 3)[4]).toBe(1n);
    expect(e.read(4 * G, 3)[4]).toBe(0n);
  });

  it('rd_align, rd_bound, rd_state (incl. realm_state_null) → INPUT', () => {
    new RttEnv().rdConditions(SMC_RMI_RTT_INIT_RIPAS, [0, G]);
  });

  it('size_valid, top_bound, base/top alignment and range → INPUT', () => {
    const e = new RttEnv();
    expect(e.create(T[0]!, 0, 2)[0]).toBe(0n);
    expect(e.create(T[1]!, 0, 3)[0]).toBe(0n);
    const cases: readonly (readonly [number | bigint, number | bigint])[] = [
      [G, G], // size_valid: top == base
      [2 * G, G], // size_valid: top < base
      [0, UNPROT + G], // top_bound: TOP_UNPROTECTED
      [UNPROT, UNPROT + G], // base outside the PAR
      [0x800, G], // base not 4K aligned
      [0, G + 1], // top_gran_align
      [0, IPA_END], // top ≥ 2^s2sz
      [0, U64_MAX], // top way out
    ];
    for (const [b, t] of cases) e.fails(SMC_RMI_RTT_INIT_RIPAS, [RD, b, t], [INPUT_X0]);
  });

  it('realm_state ACTIVE / SYSTEM_OFF → REALM, after the INPUT checks', () => {
    const e = new RttEnv();
    expect(e.activate()).toEqual(OK);
    e.fails(SMC_RMI_RTT_INIT_RIPAS, [RD, 0, G], [2n]);
    e.fails(SMC_RMI_RTT_INIT_RIPAS, [RD, 0, G + 1], [INPUT_X0]);
    const c = contextWithRealm();
    c.realm.state = RealmState.SystemOff;
    expect(c.call(SMC_RMI_RTT_INIT_RIPAS, RD, 0, G)).toEqual([2n, 0n, 0n, 0n, 0n]);
  });

  it('base_align → (RTT, walk level); rtte_state ASSIGNED → (RTT, 3); no_progress → (RTT, level)', () => {
    const e = new RttEnv();
    e.fails(SMC_RMI_RTT_INIT_RIPAS, [RD, G, 2 * G], [rtt(1)]);
    expect(e.create(T[0]!, 0, 2)[0]).toBe(0n);
    e.fails(SMC_RMI_RTT_INIT_RIPAS, [RD, G, 2 * G], [rtt(2)]); // base_align
    e.fails(SMC_RMI_RTT_INIT_RIPAS, [RD, 0, G], [rtt(2)]); // no_progress (TOP_LEVEL_UNALIGNED)
    e.fails(SMC_RMI_RTT_INIT_RIPAS, [RD, 0, G + 0x10], [INPUT_X0]); // top_gran_align ≻ no_progress
    expect(e.create(T[1]!, 0, 3)[0]).toBe(0n);
    e.poke(
      T[1]!,
      0,
      encodeS2tteBig({ type: S2tteType.AssignedRam, oa: NS_PA, nsAttrs: 0 }, 3, false),
    );
    e.fails(SMC_RMI_RTT_INIT_RIPAS, [RD, 0, G], [rtt(3)]);
    // unassigned_destroyed is not initialised either.
    e.poke(
      T[1]!,
      0,
      encodeS2tteBig({ type: S2tteType.UnassignedDestroyed, oa: 0, nsAttrs: 0 }, 3, false),
    );
    e.fails(SMC_RMI_RTT_INIT_RIPAS, [RD, 0, G], [rtt(3)]);
  });
});

describe('RMI_RTT_MAP_UNPROTECTED / RMI_RTT_UNMAP_UNPROTECTED', () => {
  it('maps a page and a block; unmaps them with X1 = top; refcounts unchanged', () => {
    const e = new RttEnv();
    expect(e.create(T[0]!, UNPROT, 2)[0]).toBe(0n);
    expect(e.create(T[1]!, UNPROT, 3)[0]).toBe(0n);
    expect(e.map(UNPROT, 3, nsDesc(NS_PA))).toEqual([0n, 0n, 0n, 0n, nsDesc(NS_PA)]);
    expect(e.map(UNPROT + 2 * G, 3, nsDesc(NS_PA + G))[0]).toBe(0n);
    expect(e.desc(T[1]!, 0)).toBe(
      encodeS2tteBig({ type: S2tteType.AssignedNs, oa: NS_PA, nsAttrs: NS_ATTRS }, 3, false),
    );
    // hi: NS (bit 55) | XN = 2 (bits 54:53); lo: AF | SH IS | attrs | page.
    expect(e.desc(T[1]!, 0)).toBe(
      (1n << 55n) | (2n << 53n) | BigInt(NS_PA) | 0x400n | 0x300n | BigInt(NS_ATTRS) | 3n,
    );
    expect(e.map(UNPROT + MB2, 2, nsDesc(OA_BLOCK))[0]).toBe(0n);
    expect(e.refcount(T[0]!)).toBe(1);
    expect(e.refcount(T[1]!)).toBe(0);
    expect(e.unmap(UNPROT, 3)).toEqual([0n, BigInt(UNPROT + 2 * G), 0n, 0n, 0n]);
    expect(e.unmap(UNPROT + 2 * G, 3)).toEqual([0n, BigInt(UNPROT + MB2), 0n, 0n, 0n]);
    expect(e.unmap(UNPROT + MB2, 2)).toEqual([0n, BigInt(UNPROT + GB1), 0n, 0n, 0n]);
    expect(e.read(UNPROT + MB2, 2)).toEqual([0n, 2n, 0n, 0n, 0n]);
  });

  it('MAP: attr_valid and desc bits → INPUT (checked after level and rd)', () => {
    const e = new RttEnv();
    expect(e.create(T[0]!, UNPROT, 2)[0]).toBe(0n);
    const bad = [
      BigInt(NS_PA) | (0b100n << 2n) | (3n << 6n), // MemAttr reserved
      nsDesc(NS_PA) | 1n, // desc[1:0]
      nsDesc(NS_PA) | (1n << 10n), // AF is the RMM's
      nsDesc(NS_PA) | (1n << 55n), // NS bit
      nsDesc(NS_PA) | (1n << 48n), // addr_bound: OA ≥ 2^48 without LPA2
    ];
    for (const d of bad) e.fails(SMC_RMI_RTT_MAP_UNPROTECTED, [RD, UNPROT, 2, d], [INPUT_X0]);
    // addr_align: OA not aligned to the level.
    e.fails(SMC_RMI_RTT_MAP_UNPROTECTED, [RD, UNPROT, 2, nsDesc(NS_PA + G)], [INPUT_X0]);
  });

  it('rd_align, rd_bound, rd_state → INPUT', () => {
    new RttEnv().rdConditions(SMC_RMI_RTT_MAP_UNPROTECTED, [UNPROT, 2, nsDesc(OA_BLOCK)]);
    new RttEnv().rdConditions(SMC_RMI_RTT_UNMAP_UNPROTECTED, [UNPROT, 2]);
  });

  it('level_bound, ipa_align, ipa_bound (PROTECTED, OOB) → INPUT', () => {
    const e = new RttEnv();
    for (const fid of [SMC_RMI_RTT_MAP_UNPROTECTED, SMC_RMI_RTT_UNMAP_UNPROTECTED]) {
      const d = nsDesc(NS_PA);
      for (const level of [0n, 4n, U64_MAX]) e.fails(fid, [RD, UNPROT, level, d], [INPUT_X0]);
      e.fails(fid, [RD, UNPROT + G, 2, d], [INPUT_X0]); // ipa_align
      e.fails(fid, [RD, 0, 3, d], [INPUT_X0]); // ipa_bound PROTECTED
      e.fails(fid, [RD, UNPROT - G, 3, d], [INPUT_X0]);
      e.fails(fid, [RD, IPA_END, 3, d], [INPUT_X0]); // ipa_bound OOB
    }
  });

  it('rtt_walk → (RTT, walk level); rtte_state → (RTT, level) / (RTT, walk level) with X1 = top', () => {
    const e = new RttEnv();
    e.fails(SMC_RMI_RTT_MAP_UNPROTECTED, [RD, UNPROT, 3, nsDesc(NS_PA)], [rtt(1)]);
    expect(e.create(T[0]!, UNPROT, 2)[0]).toBe(0n);
    e.fails(SMC_RMI_RTT_MAP_UNPROTECTED, [RD, UNPROT, 3, nsDesc(NS_PA)], [rtt(2)]);
    // UNMAP of an unmapped IPA: (RTT, walk level), X1 = top of the table reached.
    e.fails(SMC_RMI_RTT_UNMAP_UNPROTECTED, [RD, UNPROT, 3], [rtt(2), BigInt(UNPROT + GB1)]);
    e.fails(SMC_RMI_RTT_UNMAP_UNPROTECTED, [RD, UNPROT, 2], [rtt(2), BigInt(UNPROT + GB1)]);
    expect(e.create(T[1]!, UNPROT, 3)[0]).toBe(0n);
    e.fails(SMC_RMI_RTT_UNMAP_UNPROTECTED, [RD, UNPROT + G, 3], [rtt(3), BigInt(UNPROT + MB2)]);
    expect(e.map(UNPROT + 4 * G, 3, nsDesc(NS_PA))[0]).toBe(0n);
    e.fails(SMC_RMI_RTT_UNMAP_UNPROTECTED, [RD, UNPROT + G, 3], [rtt(3), BigInt(UNPROT + 4 * G)]);
    // UNMAP at level 2 onto a TABLE entry: the walk stops at 2; the TABLE is live, so X1 = ipa.
    e.fails(SMC_RMI_RTT_UNMAP_UNPROTECTED, [RD, UNPROT, 2], [rtt(2), BigInt(UNPROT)]);
    // rtte_state ASSIGNED_NS: mapping twice.
    e.fails(SMC_RMI_RTT_MAP_UNPROTECTED, [RD, UNPROT + 4 * G, 3, nsDesc(NS_PA)], [rtt(3)]);
    // MAP onto a TABLE entry at level 2 → (RTT, 2).
    e.fails(SMC_RMI_RTT_MAP_UNPROTECTED, [RD, UNPROT, 2, nsDesc(OA_BLOCK)], [rtt(2)]);
  });

  it('compares: level_bound ≻ rtt_walk / rtte_state; ipa_bound ≻ rtt_walk', () => {
    const e = new RttEnv();
    e.fails(SMC_RMI_RTT_UNMAP_UNPROTECTED, [RD, UNPROT, 4], [INPUT_X0]);
    e.fails(SMC_RMI_RTT_UNMAP_UNPROTECTED, [RD, 0, 3], [INPUT_X0]);
    e.fails(SMC_RMI_RTT_MAP_UNPROTECTED, [RD, UNPROT, 0, nsDesc(NS_PA)], [INPUT_X0]);
  });
});

describe('realm lifecycle with RTTs', () => {
  it('REALM_DESTROY refuses while a non-root RTT is linked', () => {
    const e = new RttEnv();
    expect(e.create(T[0]!, UNPROT, 2)[0]).toBe(0n);
    e.fails(0xc400_0159, [RD], [2n]);
    expect(e.destroy(UNPROT, 2)[0]).toBe(0n);
    expect(e.realmDestroy()).toEqual(OK);
  });

  it('default params give the documented geometry', () => {
    expect(realmParams().rttNumStart).toBe(2);
  });
});
