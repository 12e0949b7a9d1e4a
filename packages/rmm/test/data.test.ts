/**
 * RMI_DATA_CREATE, RMI_DATA_CREATE_UNKNOWN and RMI_DATA_DESTROY through `handleRmi`: success
 * paths (RTT entries and RIPAS per rmm-abi.md §4.4, granule states, L3 refcounts, RIM, contents,
 * outputs) and every digest / ACS v1.0 failure condition in the digest's order, with status,
 * index, output registers X1/X2 and "nothing changed" (RMM-owned bytes, granule states,
 * refcounts, GPI, realms incl. RIM).
 *
 * The realm is the default one (s2sz 40, rtt_level_start 1): an L2 RTT covers [0, 1G) and an L3
 * RTT covers [0, 2M) with RIPAS RAM on [0, 0x4000); everything else is RIPAS EMPTY.
 * `data_bound2` (a data PA ≥ 2^48 without LPA2) needs DRAM above 2^48, which the doubles do not
 * have.
 * @module
 */
import {
  GranuleState,
  RealmState,
  RmiDataMeasureContent,
  RmiRipas,
  RmiRttEntryState,
  SMC_RMI_DATA_CREATE,
  SMC_RMI_DATA_CREATE_UNKNOWN,
  SMC_RMI_DATA_DESTROY,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_RTT_CREATE,
  SMC_RMI_RTT_DESTROY,
  SMC_RMI_RTT_FOLD,
  SMC_RMI_RTT_INIT_RIPAS,
  SMC_RMI_RTT_READ_ENTRY,
  World,
} from '@islet/abi';
import type { PhysAddr } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import { measureDataCreate } from '../src/measurement/measurement.ts';
import { DEVICE_PA, ROOT_PA, SECURE_PA, UNTRACKED_PA } from './support/platform.ts';
import { contextWithRealm, OK, RD, REC, RealmEnv, RTT, SPARE } from './support/realm.ts';

const G = 0x1000;
const MB2 = 0x20_0000;
const GB1 = 0x4000_0000;
const UNPROT = 2 ** 39;
const IPA_END = 2 ** 40;
const U64_MAX = 2n ** 64n - 1n;
const L2 = 0x8016_0000;
const L3 = 0x8016_1000;
/** DELEGATED granules for data. */
const D: readonly number[] = Array.from({ length: 6 }, (_, i) => 0x8017_0000 + i * G);
/** A granule the RMM never saw delegated. */
const UNDELEGATED = 0x8018_0000;
/** NS source pages. */
const SRC = 0x8020_2000;
const SRC2 = 0x8020_3000;
const INPUT_X0 = 1n;
const REALM_X0 = 2n;
const rtt = (level: number): bigint => 4n | (BigInt(level & 0xff) << 8n);
type Regs = readonly bigint[];

const page = (seed: number) => Uint8Array.from({ length: G }, (_, i) => (i * 7 + seed) & 0xff);

class DataEnv extends RealmEnv {
  constructor() {
    super();
    this.withRealm();
    this.delegate(L2, L3, ...D);
    expect(this.call(SMC_RMI_RTT_CREATE, RD, L2, 0, 2)[0]).toBe(0n);
    expect(this.call(SMC_RMI_RTT_CREATE, RD, L3, 0, 3)[0]).toBe(0n);
    expect(this.call(SMC_RMI_RTT_INIT_RIPAS, RD, 0, 0x4000)[1]).toBe(0x4000n);
    this.writeNs(SRC, page(1));
    this.writeNs(SRC2, page(2));
  }

  create(data: number, ipa: number, src = SRC, flags = 1): Regs {
    return this.call(SMC_RMI_DATA_CREATE, RD, data, ipa, src, flags);
  }

  unknown(data: number, ipa: number): Regs {
    return this.call(SMC_RMI_DATA_CREATE_UNKNOWN, RD, data, ipa);
  }

  destroy(ipa: number | bigint): Regs {
    return this.call(SMC_RMI_DATA_DESTROY, RD, ipa);
  }

  read(ipa: number): Regs {
    return this.call(SMC_RMI_RTT_READ_ENTRY, RD, ipa, 3);
  }

  rim(): Uint8Array {
    return this.rmm.inspect.realm(RD)!.rim;
  }

  /** Calls and expects `want` (X0..X3; X4 = the caller's X4) and no change at all. */
  fails(fid: number, xs: readonly (number | bigint)[], want: Regs): void {
    const before = this.snapshot();
    const full = [...want, 0n, 0n, 0n, 0n].slice(0, 4);
    full.push(BigInt(xs[3] ?? 0));
    expect(this.call(fid, ...xs), `${fid.toString(16)} ${xs.join(',')}`).toEqual(full);
    expect(this.snapshot()).toEqual(before);
  }

  /** The rd_* conditions with the rd in X1 and `rest` valid. */
  rdConditions(fid: number, rest: readonly (number | bigint)[]): void {
    const data = this.into(SPARE, GranuleState.Data);
    const rec = this.into(REC, GranuleState.Rec);
    for (const rd of [
      RD + 8, // rd_align
      DEVICE_PA, // rd_bound (device memory)
      UNTRACKED_PA, // rd_bound (outside the permitted PA)
      2 ** 52, // rd_bound (beyond any PA)
      UNDELEGATED, // rd_state UNDELEGATED
      D[5]!, // rd_state DELEGATED
      rec, // rd_state REC
      RTT, // rd_state RTT
      data, // rd_state DATA
    ]) {
      this.fails(fid, [rd, ...rest], [INPUT_X0]);
    }
  }

  /** The data_* conditions with the data granule in X2. */
  dataConditions(fid: number, ipa: number, tail: readonly (number | bigint)[]): void {
    const rec = this.into(REC, GranuleState.Rec);
    const dataState = this.into(SPARE, GranuleState.Data);
    for (const data of [
      D[0]! + 8, // data_align
      DEVICE_PA, // data_bound
      UNTRACKED_PA, // data_bound
      2 ** 52, // data_bound
      UNDELEGATED, // data_state UNDELEGATED
      RD, // data_state RD
      rec, // data_state REC
      RTT, // data_state RTT
      dataState, // data_state DATA
    ]) {
      this.fails(fid, [RD, data, ipa, ...tail], [INPUT_X0]);
    }
  }
}

describe('RMI_DATA_CREATE success', () => {
  it('copies the source, measures per §6.3, assigns RAM, DELEGATED → DATA, L3 refcount + 1', () => {
    const e = new DataEnv();
    const h = e.rmm.inspect.realm(RD)!;
    const hash = { algo: h.hashAlgo, crypto: e.rmm.crypto };
    let rim = e.rim();
    // Measured content, RIPAS RAM before.
    expect(e.create(D[0]!, 0, SRC, 1)).toEqual([0n, 0n, 0n, 0n, BigInt(SRC)]);
    rim = measureDataCreate(hash, rim, 0, RmiDataMeasureContent.Measure, page(1));
    expect(e.rim()).toEqual(rim);
    expect(e.platform.raw(D[0]!)).toEqual(page(1));
    expect(e.state(D[0]!)).toBe(GranuleState.Data);
    expect(e.rmm.inspect.refcount(L3)).toBe(1);
    expect(e.read(0)).toEqual([0n, 3n, BigInt(RmiRttEntryState.Assigned), BigInt(D[0]!), 1n]);
    // Unmeasured content (descriptor only), RIPAS EMPTY before → RAM.
    expect(e.create(D[1]!, 0x8000, SRC2, 0)[0]).toBe(0n);
    rim = measureDataCreate(hash, rim, 0x8000, RmiDataMeasureContent.NoMeasure);
    expect(e.rim()).toEqual(rim);
    expect(e.platform.raw(D[1]!)).toEqual(page(2));
    expect(e.read(0x8000)[4]).toBe(BigInt(RmiRipas.Ram));
    expect(e.rmm.inspect.refcount(L3)).toBe(2);
    // RIPAS DESTROYED (after DATA_DESTROY) → RAM.
    expect(e.destroy(0)[0]).toBe(0n);
    expect(e.read(0)[4]).toBe(BigInt(RmiRipas.Destroyed));
    expect(e.create(D[2]!, 0, SRC, 1)[0]).toBe(0n);
    expect(e.read(0)).toEqual([0n, 3n, BigInt(RmiRttEntryState.Assigned), BigInt(D[2]!), 1n]);
    // The NS source is untouched and stays UNDELEGATED.
    expect(e.platform.raw(SRC)).toEqual(page(1));
    expect(e.state(SRC)).toBe(GranuleState.Undelegated);
  });

  it('reads the source from the Normal world exactly once', () => {
    const e = new DataEnv();
    const reads: [World, number][] = [];
    const read = e.platform.memory.read;
    e.platform.memory.read = (world, pa, dst) => {
      reads.push([world, pa]);
      return read(world, pa, dst);
    };
    expect(e.create(D[0]!, 0, SRC, 1)[0]).toBe(0n);
    expect(reads).toEqual([[World.Normal, SRC]]);
  });
});

describe('the last level-3 RTT a walk reached', () => {
  // DATA_CREATE and DATA_DESTROY reuse the level-3 RTT of the previous page's block; RTT_DESTROY
  // and RTT_CREATE must make the next walk find the table that is there now.
  it('is forgotten when the RTT under its block is destroyed or folded and another created', () => {
    const e = new DataEnv();
    const next = 0x8019_0000;
    e.delegate(next);
    expect(e.create(D[0]!, 0)[0]).toBe(0n);
    expect(e.destroy(0)[0]).toBe(0n);
    expect(e.call(SMC_RMI_RTT_DESTROY, RD, 0, 3).slice(0, 2)).toEqual([0n, BigInt(L3)]);
    expect(e.state(L3)).toBe(GranuleState.Delegated);
    expect(e.create(D[1]!, G)).toEqual([rtt(2), 0n, 0n, 0n, BigInt(SRC)]);
    expect(e.call(SMC_RMI_RTT_CREATE, RD, next, 0, 3)[0]).toBe(0n);
    expect(e.create(D[1]!, G)[0]).toBe(0n);
    expect(e.rmm.inspect.refcount(next)).toBe(1);
    expect(e.read(G)).toEqual([0n, 3n, BigInt(RmiRttEntryState.Assigned), BigInt(D[1]!), 1n]);
    // The old table stayed DELEGATED and zero: nothing was written through it.
    expect(e.platform.raw(L3).every((b) => b === 0)).toBe(true);

    // RTT_FOLD of the new table (every entry DESTROYED), then a third table.
    const third = 0x8019_1000;
    e.delegate(third);
    expect(e.destroy(G)[0]).toBe(0n);
    expect(e.call(SMC_RMI_RTT_FOLD, RD, 0, 3).slice(0, 2)).toEqual([0n, BigInt(next)]);
    expect(e.read(2 * G).slice(0, 2)).toEqual([0n, 2n]);
    expect(e.create(D[2]!, 2 * G)).toEqual([rtt(2), 0n, 0n, 0n, BigInt(SRC)]);
    expect(e.call(SMC_RMI_RTT_CREATE, RD, third, 0, 3)[0]).toBe(0n);
    expect(e.create(D[2]!, 2 * G)[0]).toBe(0n);
    expect(e.rmm.inspect.refcount(third)).toBe(1);
    expect(e.platform.raw(next).every((b) => b === 0)).toBe(true);
  });
});

describe('RMI_DATA_CREATE failure conditions, in order', () => {
  it('flags ∉ {0, 1} → INPUT (first)', () => {
    const e = new DataEnv();
    for (const flags of [2n, 0x100n, U64_MAX]) {
      e.fails(SMC_RMI_DATA_CREATE, [RD, D[0]!, 0, SRC, flags], [INPUT_X0]);
    }
    // Before src, data, rd, realm state, ipa.
    e.fails(SMC_RMI_DATA_CREATE, [RD + 8, D[0]! + 8, 1, SRC + 8, 2], [INPUT_X0]);
  });

  it('src_align, src_bound, src_pas (tracked non-NS) → INPUT', () => {
    const e = new DataEnv();
    for (const src of [SRC + 8, DEVICE_PA, UNTRACKED_PA, 2 ** 52, D[5]!, RD]) {
      e.fails(SMC_RMI_DATA_CREATE, [RD, D[0]!, 0, src, 1], [INPUT_X0]);
    }
    // src before rd and realm state.
    expect(e.activate()).toEqual(OK);
    e.fails(SMC_RMI_DATA_CREATE, [RD + 8, D[0]!, 0, D[5]!, 1], [INPUT_X0]);
  });

  it('src_pas Secure/Root: the copy faults late, after the RTT checks → INPUT, data still zero', () => {
    const e = new DataEnv();
    for (const src of [SECURE_PA, ROOT_PA]) {
      e.fails(SMC_RMI_DATA_CREATE, [RD, D[0]!, 0, src, 1], [INPUT_X0]);
      e.fails(SMC_RMI_DATA_CREATE, [RD, D[0]!, 0x1000, src, 0], [INPUT_X0]);
      // The RTT checks come first.
      e.fails(SMC_RMI_DATA_CREATE, [RD, D[0]!, 0x40_0000, src, 1], [rtt(2)]);
      e.fails(SMC_RMI_DATA_CREATE, [RD, D[0]!, GB1, src, 1], [rtt(1)]);
    }
    expect(e.platform.raw(D[0]!).every((b) => b === 0)).toBe(true);
    expect(e.state(D[0]!)).toBe(GranuleState.Delegated);
    expect(e.create(D[0]!, 0)[0]).toBe(0n);
    e.fails(SMC_RMI_DATA_CREATE, [RD, D[1]!, 0, SECURE_PA, 1], [rtt(3)]);
  });

  it('data_align, data_bound, data_state → INPUT', () => {
    const e = new DataEnv();
    e.dataConditions(SMC_RMI_DATA_CREATE, 0, [SRC, 1]);
  });

  it('rd_align, rd_bound, rd_state → INPUT', () => {
    const e = new DataEnv();
    e.rdConditions(SMC_RMI_DATA_CREATE, [D[0]!, 0, SRC, 1]);
  });

  it('realm_state ACTIVE → REALM, before the ipa and RTT checks', () => {
    const e = new DataEnv();
    expect(e.activate()).toEqual(OK);
    for (const ipa of [0, 0x800, UNPROT, IPA_END, 0x40_0000]) {
      e.fails(SMC_RMI_DATA_CREATE, [RD, D[0]!, ipa, SRC, 1], [REALM_X0]);
    }
  });

  it('realm_state SYSTEM_OFF → REALM', () => {
    const { ctx, call, realm } = contextWithRealm();
    expect(call(SMC_RMI_GRANULE_DELEGATE, D[0]!)).toEqual(OK);
    ctx.memory.write(World.Normal, SRC as PhysAddr, page(1));
    realm.state = RealmState.SystemOff;
    expect(call(SMC_RMI_DATA_CREATE, RD, D[0]!, 0, SRC, 1)).toEqual([2n, 0n, 0n, 0n, BigInt(SRC)]);
    expect(ctx.granules.state(ctx.granules.find(D[0]!))).toBe(GranuleState.Delegated);
  });

  it('ipa_align, ipa_bound (unprotected, ≥ 2^s2sz) → INPUT, before rtt_walk / rtte_state', () => {
    const e = new DataEnv();
    for (const ipa of [0x800, 0x10, UNPROT, UNPROT + 0x1000, IPA_END, 2 ** 48, U64_MAX]) {
      e.fails(SMC_RMI_DATA_CREATE, [RD, D[0]!, ipa, SRC, 1], [INPUT_X0]);
    }
    expect(e.create(D[0]!, 0)[0]).toBe(0n);
    // ipa_bound ≻ rtte_state: an unprotected alias of the assigned IPA.
    e.fails(SMC_RMI_DATA_CREATE, [RD, D[1]!, UNPROT, SRC, 1], [INPUT_X0]);
  });

  it('rtt_walk → (RTT, walk level); rtte_state ASSIGNED → (RTT, 3)', () => {
    const e = new DataEnv();
    e.fails(SMC_RMI_DATA_CREATE, [RD, D[0]!, 0x40_0000, SRC, 1], [rtt(2)]);
    e.fails(SMC_RMI_DATA_CREATE, [RD, D[0]!, GB1, SRC, 1], [rtt(1)]);
    expect(e.create(D[0]!, 0x1000)[0]).toBe(0n);
    e.fails(SMC_RMI_DATA_CREATE, [RD, D[1]!, 0x1000, SRC, 1], [rtt(3)]);
    expect(e.unknown(D[1]!, 0x2000)[0]).toBe(0n);
    e.fails(SMC_RMI_DATA_CREATE, [RD, D[2]!, 0x2000, SRC, 0], [rtt(3)]);
  });
});

describe('RMI_DATA_CREATE_UNKNOWN', () => {
  it('assigns with the RIPAS unchanged, not measured, in any realm state', () => {
    const e = new DataEnv();
    const rim = e.rim().slice();
    expect(e.unknown(D[0]!, 0)).toEqual(OK); // RAM
    expect(e.unknown(D[1]!, 0x8000)).toEqual(OK); // EMPTY
    expect(e.read(0)).toEqual([0n, 3n, 1n, BigInt(D[0]!), BigInt(RmiRipas.Ram)]);
    expect(e.read(0x8000)).toEqual([0n, 3n, 1n, BigInt(D[1]!), BigInt(RmiRipas.Empty)]);
    expect(e.rim()).toEqual(rim);
    expect(e.platform.raw(D[0]!).every((b) => b === 0)).toBe(true);
    expect(e.state(D[0]!)).toBe(GranuleState.Data);
    expect(e.rmm.inspect.refcount(L3)).toBe(2);
    // DESTROYED → assigned DESTROYED, after activation.
    expect(e.activate()).toEqual(OK);
    expect(e.destroy(0)).toEqual([0n, BigInt(D[0]!), 0x8000n, 0n, 0n]);
    expect(e.unknown(D[2]!, 0)).toEqual(OK);
    expect(e.read(0)).toEqual([0n, 3n, 1n, BigInt(D[2]!), BigInt(RmiRipas.Destroyed)]);
    expect(e.rim()).toEqual(rim);
  });

  it('data_align, data_bound, data_state → INPUT', () => {
    new DataEnv().dataConditions(SMC_RMI_DATA_CREATE_UNKNOWN, 0, []);
  });

  it('rd_align, rd_bound, rd_state → INPUT', () => {
    new DataEnv().rdConditions(SMC_RMI_DATA_CREATE_UNKNOWN, [D[0]!, 0]);
  });

  it('ipa_align, ipa_bound → INPUT; rtt_walk → (RTT, l); rtte_state → (RTT, 3)', () => {
    const e = new DataEnv();
    for (const ipa of [0x800, UNPROT, IPA_END, U64_MAX]) {
      e.fails(SMC_RMI_DATA_CREATE_UNKNOWN, [RD, D[0]!, ipa], [INPUT_X0]);
    }
    e.fails(SMC_RMI_DATA_CREATE_UNKNOWN, [RD, D[0]!, 0x40_0000], [rtt(2)]);
    e.fails(SMC_RMI_DATA_CREATE_UNKNOWN, [RD, D[0]!, GB1], [rtt(1)]);
    // ipa_bound ≻ rtt_walk.
    e.fails(SMC_RMI_DATA_CREATE_UNKNOWN, [RD, D[0]!, UNPROT + 0x40_0000], [INPUT_X0]);
    expect(e.create(D[0]!, 0)[0]).toBe(0n);
    e.fails(SMC_RMI_DATA_CREATE_UNKNOWN, [RD, D[1]!, 0], [rtt(3)]);
    // ipa_bound ≻ rtte_state.
    e.fails(SMC_RMI_DATA_CREATE_UNKNOWN, [RD, D[1]!, UNPROT], [INPUT_X0]);
  });
});

describe('RMI_DATA_DESTROY', () => {
  it('X1 = data PA, X2 = top; RAM → DESTROYED, EMPTY → EMPTY, DESTROYED → DESTROYED; zeroed', () => {
    const e = new DataEnv();
    expect(e.create(D[0]!, 0)[0]).toBe(0n);
    expect(e.unknown(D[1]!, 0x8000)[0]).toBe(0n);
    expect(e.create(D[2]!, 0x6000)[0]).toBe(0n);
    expect(e.rmm.inspect.refcount(L3)).toBe(3);
    const rim = e.rim().slice();
    // ipa 0: the next live entry is 0x6000.
    expect(e.destroy(0)).toEqual([0n, BigInt(D[0]!), 0x6000n, 0n, 0n]);
    expect(e.read(0)).toEqual([0n, 3n, 0n, 0n, BigInt(RmiRipas.Destroyed)]);
    expect(e.state(D[0]!)).toBe(GranuleState.Delegated);
    expect(e.platform.raw(D[0]!).every((b) => b === 0)).toBe(true);
    expect(e.destroy(0x8000)).toEqual([0n, BigInt(D[1]!), BigInt(MB2), 0n, 0n]);
    expect(e.read(0x8000)).toEqual([0n, 3n, 0n, 0n, BigInt(RmiRipas.Empty)]);
    expect(e.rmm.inspect.refcount(L3)).toBe(1);
    // assigned_destroyed → unassigned_destroyed.
    expect(e.unknown(D[0]!, 0)[0]).toBe(0n);
    expect(e.destroy(0)).toEqual([0n, BigInt(D[0]!), 0x6000n, 0n, 0n]);
    expect(e.read(0)[4]).toBe(BigInt(RmiRipas.Destroyed));
    expect(e.destroy(0x6000)).toEqual([0n, BigInt(D[2]!), BigInt(MB2), 0n, 0n]);
    expect(e.rmm.inspect.refcount(L3)).toBe(0);
    expect(e.rim()).toEqual(rim);
    expect(e.delegatedAreZero()).toBe(true);
    // Allowed in an ACTIVE realm too.
    expect(e.create(D[3]!, 0x1000)[0]).toBe(0n);
    expect(e.activate()).toEqual(OK);
    expect(e.destroy(0x1000)).toEqual([0n, BigInt(D[3]!), BigInt(MB2), 0n, 0n]);
  });

  it('rd_* → INPUT with X2 = 0', () => {
    const e = new DataEnv();
    expect(e.create(D[0]!, 0)[0]).toBe(0n);
    e.rdConditions(SMC_RMI_DATA_DESTROY, [0]);
  });

  it('ipa_align, ipa_bound → INPUT with X2 = 0, before rtt_walk / rtte_state', () => {
    const e = new DataEnv();
    expect(e.create(D[0]!, 0)[0]).toBe(0n);
    for (const ipa of [0x800, 0x10, UNPROT, UNPROT + 0x40_0000, IPA_END, U64_MAX]) {
      e.fails(SMC_RMI_DATA_DESTROY, [RD, ipa], [INPUT_X0]);
    }
  });

  it('rtt_walk → (RTT, walk level) and rtte_state → (RTT, 3), X2 = top', () => {
    const e = new DataEnv();
    // Walk stops in the L2 RTT: no live entry after index 2 → the end of the L2 RTT (1G).
    e.fails(SMC_RMI_DATA_DESTROY, [RD, 0x40_0000], [rtt(2), 0n, BigInt(GB1)]);
    // Walk stops in root RTT 0 at index 1 → the end of that root RTT.
    e.fails(SMC_RMI_DATA_DESTROY, [RD, GB1], [rtt(1), 0n, BigInt(UNPROT)]);
    // Unassigned: the next live entry, or the L3 RTT's end.
    e.fails(SMC_RMI_DATA_DESTROY, [RD, 0x5000], [rtt(3), 0n, BigInt(MB2)]);
    expect(e.create(D[0]!, 0x7000)[0]).toBe(0n);
    e.fails(SMC_RMI_DATA_DESTROY, [RD, 0x5000], [rtt(3), 0n, 0x7000n]);
    e.fails(SMC_RMI_DATA_DESTROY, [RD, 0], [rtt(3), 0n, 0x7000n]);
  });
});
