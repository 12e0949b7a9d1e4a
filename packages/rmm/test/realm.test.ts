/**
 * RMI_REALM_CREATE, RMI_REALM_ACTIVATE, RMI_REALM_DESTROY and RMI_REC_AUX_COUNT
 * (rmm-abi.md §2.5–§2.8, §4.6, §6.2): success paths and every failure condition of the digest and
 * of ACS v1.0 (`acs-conditions-v10.txt`), each asserting status, index and that nothing changed.
 * @module
 */
import {
  encodeRealmParams,
  GranuleState,
  RealmState,
  RmiHashAlgorithm,
  RmiRealmFlag,
  SMC_RMI_GRANULE_UNDELEGATE,
  SMC_RMI_REALM_ACTIVATE,
  SMC_RMI_REALM_CREATE,
  World,
} from '@islet/abi';
import { nodeCrypto } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import { measurementHash, measureRealmCreate } from '../src/measurement/measurement.ts';
import { isValidS2Geometry, rootRttCount } from '../src/realm/realm.ts';
import { DEVICE_PA, REALM_PA, ROOT_PA, regs, SECURE_PA, UNTRACKED_PA } from './support/platform.ts';
import {
  contextWithRealm,
  INPUT,
  OK,
  RD,
  RD2,
  REALM,
  REALM_PARAMS,
  RealmEnv,
  RTT,
  RTT2,
  realmParams,
  SPARE,
} from './support/realm.ts';

const G = 0x1000;
const ROOTS = [RTT, RTT + G];

/** Runs `act` and asserts the result and that nothing observable changed. */
function expectUnchanged(e: RealmEnv, act: () => readonly bigint[], expected: readonly bigint[]) {
  const before = e.snapshot();
  expect(act()).toEqual(expected);
  expect(e.snapshot()).toEqual(before);
}

describe('RMI_REALM_CREATE success', () => {
  it('RD → RD, roots → RTT, realm NEW with the initial RIM, VMID, RPV and geometry', () => {
    const e = new RealmEnv();
    e.delegate(RD, ...ROOTS);
    expect(e.realmCreate()).toEqual(OK);
    expect(e.state(RD)).toBe(GranuleState.Rd);
    for (const r of ROOTS) expect(e.state(r)).toBe(GranuleState.Rtt);
    const info = e.rmm.inspect.realm(RD)!;
    const h = measurementHash(RmiHashAlgorithm.Sha256, nodeCrypto());
    expect(info).toEqual({
      state: RealmState.New,
      hashAlgo: RmiHashAlgorithm.Sha256,
      rim: measureRealmCreate(h, realmParams()),
      rems: [0, 1, 2, 3].map(() => new Uint8Array(64)),
      rpv: new Uint8Array(64).fill(0xa5),
      vmid: 7,
      s2sz: 40,
      rttLevelStart: 1,
      rttBase: RTT,
      rttNumStart: 2,
      recCount: 0,
      refcount: 0,
    });
    expect(e.rmm.inspect.refcount(RD)).toBe(0);
  });

  it('root RTT entries: unassigned/EMPTY below the PAR, unassigned_ns above (NS bit 55)', () => {
    const e = new RealmEnv().withRealm();
    // s2sz 40, level 1: 1 GiB per entry, 1024 entries, PAR = 2^39 = entries 0..511 = table 0.
    expect(e.platform.raw(RTT).every((b) => b === 0)).toBe(true);
    const t1 = new DataView(e.platform.raw(RTT + G).buffer);
    for (let i = 0; i < 512; i++) {
      expect(t1.getUint32(i * 8, true)).toBe(0);
      expect(t1.getUint32(i * 8 + 4, true)).toBe(1 << 23);
    }
  });

  it('a single-root geometry (s2sz 39, level 1) and a 16-root one (s2sz 43)', () => {
    const e = new RealmEnv();
    const roots = Array.from({ length: 16 }, (_, i) => RTT2 + i * G);
    e.delegate(RD, RTT, RD2, ...roots);
    expect(e.realmCreate(realmParams({ s2sz: 39, rttNumStart: 1 }))).toEqual(OK);
    const p2 = realmParams({ s2sz: 43, rttNumStart: 16, rttBase: BigInt(RTT2), vmid: 9 });
    expect(e.realmCreate(p2, RD2)).toEqual(OK);
    for (const r of roots) expect(e.state(r)).toBe(GranuleState.Rtt);
  });

  it('LPA2 platform: level −1, s2sz 52, one 16-entry root', () => {
    const e = new RealmEnv({ features: { s2sz: 52, lpa2: true } });
    e.delegate(RD, RTT);
    const p = realmParams({
      flags: RmiRealmFlag.Lpa2,
      s2sz: 52,
      rttLevelStart: -1,
      rttNumStart: 1,
    });
    expect(e.realmCreate(p)).toEqual(OK);
    const v = new DataView(e.platform.raw(RTT).buffer);
    expect(v.getUint32(7 * 8 + 4, true)).toBe(0); // below 2^51
    expect(v.getUint32(8 * 8 + 4, true)).toBe(1 << 23); // 2^51 and up
  });

  it('SVE and PMU realms within the platform limits; SHA-512', () => {
    const e = new RealmEnv({ features: { sveEn: true, sveVl: 3 } });
    e.delegate(RD, ...ROOTS);
    const p = realmParams({
      flags: RmiRealmFlag.Sve | RmiRealmFlag.Pmu,
      sveVl: 3,
      pmuNumCtrs: 31,
      numBps: 5,
      numWps: 3,
      hashAlgo: RmiHashAlgorithm.Sha512,
    });
    expect(e.realmCreate(p)).toEqual(OK);
    expect(e.rmm.inspect.realm(RD)?.hashAlgo).toBe(RmiHashAlgorithm.Sha512);
  });

  it('reads the params page exactly once, from the Normal world', () => {
    const e = new RealmEnv();
    e.delegate(RD, ...ROOTS);
    const reads: [World, number, number][] = [];
    const read = e.platform.memory.read;
    e.platform.memory.read = (w, pa, dst) => {
      reads.push([w, pa, dst.length]);
      return read(w, pa, dst);
    };
    expect(e.realmCreate()).toEqual(OK);
    expect(reads).toEqual([[World.Normal, REALM_PARAMS, 0x1000]]);
  });
});

/** [name, arrange (after RD + roots are delegated), params override, options]. */
const createCases: [
  string,
  (e: RealmEnv) => { rd?: number | bigint; params?: number | bigint } | undefined,
  Parameters<typeof realmParams>[0],
  ConstructorParameters<typeof RealmEnv>[0]?,
][] = [
  // 1. params (ACS params_align, params_bound, params_pas)
  ['params_align PARAMS_UNALIGNED', () => ({ params: REALM_PARAMS + 8 }), {}],
  ['params_bound PARAMS_DEV_MEM', () => ({ params: DEVICE_PA }), {}],
  ['params_bound PARAMS_OUTSIDE_OF_PERMITTED_PA (2^52)', () => ({ params: 2n ** 52n }), {}],
  ['params_bound outside DRAM', () => ({ params: UNTRACKED_PA }), {}],
  ['params_pas PARAMS_PAS_REALM (delegated)', (e) => ({ params: e.into(SPARE, 1) }), {}],
  ['params_pas PARAMS_PAS_REALM (NS in table, Realm GPI)', () => ({ params: REALM_PA }), {}],
  ['params_pas PARAMS_PAS_SECURE', () => ({ params: SECURE_PA }), {}],
  ['params_pas Root PAS', () => ({ params: ROOT_PA }), {}],
  // 2. validate_realm_params (params_valid, params_supp)
  ['params_valid HASH_ALGO_INVALID (2)', () => {}, { hashAlgo: 2 }],
  ['params_valid HASH_ALGO_INVALID (0xff)', () => {}, { hashAlgo: 0xff }],
  ['params_valid S2SZ_INVALID (31)', () => {}, { s2sz: 31 }],
  ['params_valid S2SZ_INVALID (49 > feat0.S2SZ)', () => {}, { s2sz: 49 }],
  ['params_valid S2SZ_INVALID (2^32 − 1)', () => {}, { s2sz: 0xffff_ffff }],
  [
    's2sz > feat0.S2SZ (platform 40)',
    () => {},
    { s2sz: 41, rttNumStart: 4 },
    { features: { s2sz: 40 } },
  ],
  ['params_supp LPA2_UNSUPPORTED', () => {}, { flags: RmiRealmFlag.Lpa2 }],
  ['params_supp SVE_UNSUPPORTED', () => {}, { flags: RmiRealmFlag.Sve }],
  [
    'SVE sve_vl > feat0.SVE_VL',
    () => {},
    { flags: RmiRealmFlag.Sve, sveVl: 4 },
    { features: { sveEn: true, sveVl: 3 } },
  ],
  [
    'params_supp PMU_UNSUPPORTED (32 counters > 31)',
    () => {},
    { flags: RmiRealmFlag.Pmu, pmuNumCtrs: 32 },
  ],
  ['PMU with 0 counters without FEAT_HPMN0', () => {}, { flags: RmiRealmFlag.Pmu, pmuNumCtrs: 0 }],
  ['params_supp BPS_UNSUPPORTED (0)', () => {}, { numBps: 0 }],
  ['params_supp BPS_UNSUPPORTED (6 > 5)', () => {}, { numBps: 6 }],
  ['params_supp WPS_UNSUPPORTED (0)', () => {}, { numWps: 0 }],
  ['params_supp WPS_UNSUPPORTED (4 > 3)', () => {}, { numWps: 4 }],
  ['geometry: level 0 with s2sz 39', () => {}, { rttLevelStart: 0, rttNumStart: 1, s2sz: 39 }],
  [
    'geometry: level 0 needs PA width ≥ 44',
    () => {},
    { rttLevelStart: 0, rttNumStart: 1 },
    { features: { s2sz: 42 } },
  ],
  ['geometry: level 1 with s2sz 44', () => {}, { s2sz: 44, rttNumStart: 32 }],
  ['geometry: level 2 with s2sz 35', () => {}, { rttLevelStart: 2, s2sz: 35, rttNumStart: 16 }],
  ['geometry: level 3', () => {}, { rttLevelStart: 3, s2sz: 32, rttNumStart: 1 }],
  ['geometry: level −1 without LPA2', () => {}, { rttLevelStart: -1, rttNumStart: 1 }],
  ['geometry: level 4', () => {}, { rttLevelStart: 4 }],
  ['geometry: level −2', () => {}, { rttLevelStart: -2 }],
  ['rtt_num_level RTT_START_INVALID (1 instead of 2)', () => {}, { rttNumStart: 1 }],
  ['rtt_num_level RTT_START_INVALID (4 instead of 2)', () => {}, { rttNumStart: 4 }],
  ['vmid_valid VMID_INVALID (256 without FEAT_VMID16)', () => {}, { vmid: 256 }, { vmid16: false }],
  [
    'vmid_valid VMID_USED',
    (e) => {
      e.delegate(RD2, RTT2, RTT2 + G);
      expect(e.realmCreate(realmParams({ rttBase: BigInt(RTT2) }), RD2)).toEqual(OK);
    },
    {},
  ],
  // 3. alias
  ['alias RTT_BASE_RD_ALIASED (rd = rtt_base)', () => ({ rd: RTT }), {}],
  ['alias RTT_BASE_RD_ALIASED (rd = second root)', () => ({ rd: RTT + G }), {}],
  // 4. rd, roots
  ['rd_align RD_UNALIGNED', () => ({ rd: RD + 0x10 }), {}],
  ['rd_bound RD_DEV_MEM', () => ({ rd: DEVICE_PA }), {}],
  ['rd_bound RD_OUTSIDE_OF_PERMITTED_PA', () => ({ rd: 2n ** 64n - 4096n }), {}],
  ['rd_state RD_STATE_UNDELEGATED', () => ({ rd: SPARE }), {}],
  ['rd_state RD_STATE_RD', (e) => ({ rd: e.into(SPARE, GranuleState.Rd) }), {}],
  ['rd_state RD_STATE_REC', (e) => ({ rd: e.into(SPARE, GranuleState.Rec) }), {}],
  ['rd_state RD_STATE_REC_AUX', (e) => ({ rd: e.into(SPARE, GranuleState.RecAux) }), {}],
  ['rd_state RD_STATE_RTT', (e) => ({ rd: e.into(SPARE, GranuleState.Rtt) }), {}],
  ['rd_state RD_STATE_DATA', (e) => ({ rd: e.into(SPARE, GranuleState.Data) }), {}],
  ['rtt_align RTT_UNALIGNED', () => {}, { rttBase: BigInt(RTT + 8) }],
  ['rtt_bound rtt_base ≥ 2^52', () => {}, { rttBase: 2n ** 52n }],
  ['rtt_bound rtt_base device memory', () => {}, { rttBase: BigInt(DEVICE_PA) }],
  ['rtt_state RTT_BASE_UNDELEGATED', () => {}, { rttBase: BigInt(SPARE) }],
  ['rtt_state second root UNDELEGATED', () => {}, { rttBase: BigInt(RTT + G) }],
  [
    'rtt_state root is an RTT already',
    (e) => {
      e.rmm.granules.transition(e.rmm.granules.find(RTT + G), 1, GranuleState.Rtt);
    },
    {},
  ],
];

describe('RMI_REALM_CREATE failure conditions (RMI_ERROR_INPUT, index 0; nothing changes)', () => {
  it.each(createCases)('%s', (_name, arrange, over, options) => {
    const e = new RealmEnv(options);
    e.delegate(RD, ...ROOTS);
    const { rd = RD, params = REALM_PARAMS } = arrange(e) ?? {};
    e.writeNs(REALM_PARAMS, encodeRealmParams(realmParams(over)));
    expectUnchanged(e, () => e.call(SMC_RMI_REALM_CREATE, rd, params), INPUT);
    expect(e.rmm.inspect.realm(RD)).toBeUndefined();
  });

  it('the VMID of a failed create is not reserved', () => {
    const e = new RealmEnv();
    e.delegate(RD, ...ROOTS);
    expect(e.realmCreate(realmParams({ rttNumStart: 1 }))).toEqual(INPUT);
    expect(e.realmCreate()).toEqual(OK);
  });

  it('X4 is preserved and X1..X3 are 0 on failure', () => {
    const e = new RealmEnv();
    expect(e.rmm.handleRmi(SMC_RMI_REALM_CREATE, regs(1n, 2n, 3n, 4n, 5n, 6n))).toEqual([
      1n,
      0n,
      0n,
      0n,
      4n,
    ]);
  });
});

describe('stage-2 geometry (§4.6)', () => {
  it('valid (s2sz, level) without LPA2 on a 48-bit PA platform', () => {
    const valid: string[] = [];
    for (let sl = -1; sl <= 3; sl++) {
      for (let s = 30; s <= 53; s++)
        if (isValidS2Geometry(s, sl, false, 48)) valid.push(`${sl}:${s}`);
    }
    const expected = [
      ...range(40, 48).map((s) => `0:${s}`),
      ...range(32, 43).map((s) => `1:${s}`),
      ...range(32, 34).map((s) => `2:${s}`),
    ];
    expect(valid.sort()).toEqual(expected.sort());
  });

  it('valid with LPA2 on a 52-bit platform: level −1 49..52, level 0 40..52', () => {
    for (let s = 49; s <= 52; s++) expect(isValidS2Geometry(s, -1, true, 52)).toBe(true);
    expect(isValidS2Geometry(48, -1, true, 52)).toBe(false);
    for (let s = 40; s <= 52; s++) expect(isValidS2Geometry(s, 0, true, 52)).toBe(true);
    expect(isValidS2Geometry(53, 0, true, 52)).toBe(false);
  });

  it('rtt_num_start examples of the digest', () => {
    expect(rootRttCount(40, 1)).toBe(2);
    expect(rootRttCount(43, 1)).toBe(16);
    expect(rootRttCount(48, 0)).toBe(1);
    expect(rootRttCount(52, 0)).toBe(16);
    expect(rootRttCount(52, -1)).toBe(1);
    expect(rootRttCount(34, 2)).toBe(16);
  });
});

describe('RMI_REALM_ACTIVATE', () => {
  it('NEW → ACTIVE; a second activate is RMI_ERROR_REALM (realm_state)', () => {
    const e = new RealmEnv().withRealm();
    expect(e.activate()).toEqual(OK);
    expect(e.rmm.inspect.realm(RD)?.state).toBe(RealmState.Active);
    expectUnchanged(e, () => e.activate(), REALM);
  });

  it('realm_state REALM_SYSTEM_OFF → RMI_ERROR_REALM', () => {
    // PSCI SYSTEM_OFF needs REC_ENTER; set the state on a bare context instead.
    const { call, realm } = contextWithRealm();
    realm.state = RealmState.SystemOff;
    expect(call(SMC_RMI_REALM_ACTIVATE, RD)).toEqual(REALM);
    expect(realm.state).toBe(RealmState.SystemOff);
  });

  const cases: [string, (e: RealmEnv) => number | bigint][] = [
    ['rd_align RD_UNALIGNED', () => RD + 1],
    ['rd_bound RD_DEV_MEM_MMIO', () => DEVICE_PA],
    ['rd_bound RD_OUTSIDE_OF_PERMITTED_PA', () => 2n ** 52n],
    ['rd_state RD_STATE_UNDELEGATED', () => SPARE],
    ['rd_state RD_STATE_DELEGATED', (e) => e.into(SPARE, GranuleState.Delegated)],
    ['rd_state RD_REC', (e) => e.into(SPARE, GranuleState.Rec)],
    ['rd_state RD_DATA', (e) => e.into(SPARE, GranuleState.Data)],
    ['rd_state RD_RTT (a root RTT)', () => RTT],
    ['rd_state REC_AUX', (e) => e.into(SPARE, GranuleState.RecAux)],
    [
      'realm_state_null REALM_NULL (destroyed realm)',
      (e) => {
        expect(e.realmDestroy()).toEqual(OK);
        return RD;
      },
    ],
  ];
  it.each(cases)('%s → RMI_ERROR_INPUT', (_name, arrange) => {
    const e = new RealmEnv().withRealm();
    const rd = arrange(e);
    expectUnchanged(e, () => e.activate(rd), INPUT);
  });
});

describe('RMI_REALM_DESTROY', () => {
  it('RD and roots → DELEGATED and zero; VMID freed; GPI stays Realm', () => {
    const e = new RealmEnv().withRealm();
    expect(e.activate()).toEqual(OK);
    expect(e.realmDestroy()).toEqual(OK);
    for (const pa of [RD, ...ROOTS]) {
      expect(e.state(pa)).toBe(GranuleState.Delegated);
      expect(e.platform.raw(pa).every((b) => b === 0)).toBe(true);
      expect(e.platform.gpiOf(pa)).toBe(World.Realm);
    }
    expect(e.rmm.inspect.realm(RD)).toBeUndefined();
    expect(e.delegatedAreZero()).toBe(true);
    // Same VMID, same granules: accepted again.
    expect(e.realmCreate()).toEqual(OK);
  });

  it('the granules can be undelegated afterwards', () => {
    const e = new RealmEnv().withRealm();
    expect(e.realmDestroy()).toEqual(OK);
    for (const pa of [RD, ...ROOTS]) expect(e.call(SMC_RMI_GRANULE_UNDELEGATE, pa)).toEqual(OK);
  });

  it('realm_live REALM_LIVE: a REC exists → RMI_ERROR_REALM', () => {
    const e = new RealmEnv().withRecGranules();
    expect(e.recCreate()).toEqual(OK);
    expectUnchanged(e, () => e.realmDestroy(), REALM);
  });

  it('realm_live: a root RTT has a live entry (refcount ≠ 0) → RMI_ERROR_REALM', () => {
    const e = new RealmEnv().withRealm();
    e.rmm.granules.refcountInc(e.rmm.granules.find(RTT + G));
    expectUnchanged(e, () => e.realmDestroy(), REALM);
  });

  const cases: [string, (e: RealmEnv) => number | bigint][] = [
    ['rd_align RD_UNALIGNED', () => RD + 0x800],
    ['rd_bound RD_OUTSIDE_OF_PERMITTED_PA', () => 2n ** 64n - 4096n],
    ['rd_bound RD_DEV_MEM', () => DEVICE_PA],
    ['rd_state RD_STATE_UNDELEGATED', () => SPARE],
    ['rd_state RD_STATE_DELEGATED', (e) => e.into(SPARE, GranuleState.Delegated)],
    ['rd_state RD_STATE_REC', (e) => e.into(SPARE, GranuleState.Rec)],
    ['rd_state RD_STATE_RTT', () => RTT],
    ['rd_state RD_STATE_DATA', (e) => e.into(SPARE, GranuleState.Data)],
  ];
  it.each(cases)('%s → RMI_ERROR_INPUT', (_name, arrange) => {
    const e = new RealmEnv().withRealm();
    const rd = arrange(e);
    expectUnchanged(e, () => e.realmDestroy(rd), INPUT);
  });
});

describe('RMI_REC_AUX_COUNT', () => {
  it('X1 = 16 for a NEW and an ACTIVE realm', () => {
    const e = new RealmEnv().withRealm();
    expect(e.auxCount()).toEqual([0n, 16n, 0n, 0n, 0n]);
    e.activate();
    expect(e.auxCount()).toEqual([0n, 16n, 0n, 0n, 0n]);
  });

  const cases: [string, (e: RealmEnv) => number | bigint][] = [
    ['rd_align RD_UNALIGNED', () => RD + 4],
    ['rd_bound RD_DEV_MEM', () => DEVICE_PA],
    ['rd_bound RD_OUTSIDE_OF_PERMITTED_PA', () => 2n ** 52n + BigInt(RD)],
    ['rd_state RD_STATE_UNDELEGATED', () => SPARE],
    ['rd_state RD_STATE_DELEGATED', (e) => e.into(SPARE, GranuleState.Delegated)],
    ['rd_state RD_STATE_REC', (e) => e.into(SPARE, GranuleState.Rec)],
    ['rd_state RD_STATE_RTT', () => RTT],
    ['rd_state RD_STATE_DATA', (e) => e.into(SPARE, GranuleState.Data)],
  ];
  it.each(cases)('%s → RMI_ERROR_INPUT, X1 = 0', (_name, arrange) => {
    const e = new RealmEnv().withRealm();
    const rd = arrange(e);
    expectUnchanged(e, () => e.auxCount(rd), INPUT);
  });
});

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}
