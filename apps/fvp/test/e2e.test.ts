/**
 * The whole realm lifecycle end to end, through `bootPlatform` only: the host delegates granules,
 * builds a realm (RTT tree, RIPAS, measured and unknown DATA, two RECs, an unprotected mapping),
 * activates it, reads every kind of RTT entry back, then tears it all down in reverse and gets
 * every granule back Non-secure and zero. Everything is driven by `host.smc` and `host.memory`;
 * `inspect` and the Realm port of `parts.memory` are used only to assert.
 * @module
 */
import {
  decodeRealmParams,
  decodeRecParams,
  Gpi,
  GranuleState,
  packReturnCode,
  RealmState,
  RmiDataMeasureContent,
  type RmiHashAlgorithm,
  RmiRipas,
  RmiRttEntryState,
  RmiStatus,
  SMC_RMI_DATA_CREATE,
  SMC_RMI_DATA_CREATE_UNKNOWN,
  SMC_RMI_DATA_DESTROY,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_GRANULE_UNDELEGATE,
  SMC_RMI_REALM_ACTIVATE,
  SMC_RMI_REALM_CREATE,
  SMC_RMI_REALM_DESTROY,
  SMC_RMI_REC_AUX_COUNT,
  SMC_RMI_REC_CREATE,
  SMC_RMI_REC_DESTROY,
  SMC_RMI_RTT_CREATE,
  SMC_RMI_RTT_DESTROY,
  SMC_RMI_RTT_INIT_RIPAS,
  SMC_RMI_RTT_MAP_UNPROTECTED,
  SMC_RMI_RTT_READ_ENTRY,
  SMC_RMI_RTT_UNMAP_UNPROTECTED,
} from '@islet/abi';
import { defaultCrypto } from '@islet/arch';
import {
  measureDataCreate,
  measurementHash,
  measureRealmCreate,
  measureRecCreate,
  measureRipas,
} from '@islet/rmm';
import { describe, expect, test } from 'vitest';
import { bootPlatform, type Platform } from '../src/platform.ts';
import {
  G,
  GB1,
  isZero,
  MB2,
  pattern,
  realmParamsPage,
  realmRead,
  recParamsPage,
  rmiOk,
  sameBytes,
} from './support/host.ts';

const F = (fid: number): bigint => BigInt(fid);
/** The first unprotected IPA of a 40-bit realm. */
const UNPROT = 2n ** 39n;
/** Host attributes of the unprotected mapping: MemAttr Normal WB (0b110), S2AP RW. */
const NS_ATTRS = (0b110n << 2n) | (0b11n << 6n);

/** Where everything lives: consecutive host granules from `base`. */
function layout(base: bigint) {
  let next = base;
  const take = (n = 1): bigint[] => {
    const out = Array.from({ length: n }, (_, i) => next + BigInt(i) * G);
    next += BigInt(n) * G;
    return out;
  };
  const [rd] = take() as [bigint];
  const roots = take(2) as [bigint, bigint];
  const [l2p, l3p, l2u, l3u] = take(4) as [bigint, bigint, bigint, bigint];
  const data = take(4) as [bigint, bigint, bigint, bigint];
  const recs = take(2) as [bigint, bigint];
  const aux = [take(16), take(16)] as const;
  const [realmParams, recParams0, recParams1, nsPage] = take(4) as [bigint, bigint, bigint, bigint];
  const src = take(3) as [bigint, bigint, bigint];
  const delegated = [rd, ...roots, l2p, l3p, l2u, l3u, ...data, ...recs, ...aux[0], ...aux[1]];
  return {
    rd,
    roots,
    l2p,
    l3p,
    l2u,
    l3u,
    data,
    recs,
    aux,
    realmParams,
    recParams0,
    recParams1,
    nsPage,
    src,
    delegated,
  };
}

const expectGpf = (p: Platform, pa: bigint): void => {
  expect(() => p.host.memory.read(pa, 8), `host read of 0x${pa.toString(16)}`).toThrowError(
    expect.objectContaining({ code: 'GRANULE_PROTECTION_FAULT' }),
  );
};

describe('a realm from delegation to teardown, through the host only', () => {
  test.each([0, 1] as const)(
    'hash algorithm %i (0 = SHA-256, 1 = SHA-512)',
    (hashAlgo: RmiHashAlgorithm) => {
      const p = bootPlatform();
      const L = layout(p.host.dram[0]!.base + 0x400_0000n);
      const h = measurementHash(hashAlgo, defaultCrypto());
      const rim = (): Uint8Array => p.inspect.realm(L.rd)!.rim;
      const smc = (fid: number, ...args: bigint[]): bigint[] => p.host.smc(F(fid), ...args);

      // --- Delegation: the granules leave the Normal world.
      for (const g of L.delegated) {
        p.host.memory.write(g, new Uint8Array(4096).fill(0xee)); // stale host data, must be scrubbed
        rmiOk(p, SMC_RMI_GRANULE_DELEGATE, g);
        expect(p.inspect.granule(g)).toEqual({
          gpi: Gpi.Realm,
          hostAccessible: false,
          rmmState: GranuleState.Delegated,
          refcount: 0,
        });
        expect(isZero(realmRead(p, g))).toBe(true);
      }
      expectGpf(p, L.rd);
      expectGpf(p, L.data[0]);
      expect(() => p.host.memory.write(L.aux[1][15]!, new Uint8Array(1))).toThrowError(
        expect.objectContaining({ code: 'GRANULE_PROTECTION_FAULT' }),
      );

      // --- REALM_CREATE: the RIM starts as the hash of the measured parameters.
      p.host.memory.write(
        L.realmParams,
        realmParamsPage({ hashAlgo, rttBase: L.roots[0], vmid: 7 }),
      );
      rmiOk(p, SMC_RMI_REALM_CREATE, L.rd, L.realmParams);
      let want = measureRealmCreate(h, decodeRealmParams(p.host.memory.read(L.realmParams, 4096)));
      expect(rim()).toEqual(want);
      expect(rim().some((b) => b !== 0)).toBe(true);
      expect(p.inspect.realm(L.rd)).toMatchObject({
        state: RealmState.New,
        hashAlgo,
        vmid: 7,
        s2sz: 40,
      });
      expect(p.inspect.granule(L.rd).rmmState).toBe(GranuleState.Rd);
      for (const r of L.roots) expect(p.inspect.granule(r).rmmState).toBe(GranuleState.Rtt);

      // --- The RTT tree: L2 and L3 under IPA 0 (protected) and under 2^39 (unprotected).
      rmiOk(p, SMC_RMI_RTT_CREATE, L.rd, L.l2p, 0n, 2n);
      rmiOk(p, SMC_RMI_RTT_CREATE, L.rd, L.l3p, 0n, 3n);
      rmiOk(p, SMC_RMI_RTT_CREATE, L.rd, L.l2u, UNPROT, 2n);
      rmiOk(p, SMC_RMI_RTT_CREATE, L.rd, L.l3u, UNPROT, 3n);
      expect(rim(), 'RTT_CREATE does not measure').toEqual(want);
      expect(p.inspect.granule(L.roots[0]).refcount).toBe(1);
      expect(p.inspect.granule(L.roots[1]).refcount).toBe(1);
      expect(p.inspect.granule(L.l2p).refcount).toBe(1);
      expect(p.inspect.granule(L.l3p).refcount).toBe(0);

      // --- RTT_INIT_RIPAS over six L3 pages (one descriptor each) and one whole L2 block.
      expect(smc(SMC_RMI_RTT_INIT_RIPAS, L.rd, 0n, 0x6000n)).toEqual([0n, 0x6000n, 0n, 0n, 0n]);
      for (let ipa = 0; ipa < 0x6000; ipa += 0x1000) {
        const before = want;
        want = measureRipas(h, want, ipa, ipa + 0x1000);
        expect(want).not.toEqual(before);
      }
      expect(rim()).toEqual(want);
      expect(smc(SMC_RMI_RTT_INIT_RIPAS, L.rd, MB2, 2n * MB2)).toEqual([0n, 2n * MB2, 0n, 0n, 0n]);
      want = measureRipas(h, want, Number(MB2), Number(2n * MB2));
      expect(rim(), 'the L2 entry is measured as one 2 MiB descriptor').toEqual(want);

      // --- DATA_CREATE from recognisable host pages: two measured, one not; one DATA_CREATE_UNKNOWN.
      const flags = [
        RmiDataMeasureContent.Measure,
        RmiDataMeasureContent.Measure,
        RmiDataMeasureContent.NoMeasure,
      ];
      for (let i = 0; i < 3; i++) {
        p.host.memory.write(L.src[i]!, pattern(i + 1));
        const before = rim();
        rmiOk(
          p,
          SMC_RMI_DATA_CREATE,
          L.rd,
          L.data[i]!,
          BigInt(i) * G,
          L.src[i]!,
          BigInt(flags[i]!),
        );
        want = measureDataCreate(h, want, i * 0x1000, flags[i]!, pattern(i + 1));
        expect(rim(), `DATA_CREATE ${i} extends the RIM`).not.toEqual(before);
        expect(rim()).toEqual(want);
        expect(p.inspect.granule(L.data[i]!)).toMatchObject({
          gpi: Gpi.Realm,
          hostAccessible: false,
          rmmState: GranuleState.Data,
        });
      }
      rmiOk(p, SMC_RMI_DATA_CREATE_UNKNOWN, L.rd, L.data[3], 0x7000n);
      expect(rim(), 'DATA_CREATE_UNKNOWN is not measured').toEqual(want);
      expect(p.inspect.granule(L.l3p).refcount, 'four ASSIGNED entries').toBe(4);

      // --- Two RECs with their aux granules; only the runnable one is measured.
      const auxCount = rmiOk(p, SMC_RMI_REC_AUX_COUNT, L.rd)[1]!;
      expect(auxCount).toBe(16n);
      for (const [i, page] of [L.recParams0, L.recParams1].entries()) {
        p.host.memory.write(page, recParamsPage(i, L.aux[i]!, i === 0, 0x8000_0000n + BigInt(i)));
        const before = rim();
        rmiOk(p, SMC_RMI_REC_CREATE, L.rd, L.recs[i]!, page);
        if (i === 0) {
          want = measureRecCreate(h, want, decodeRecParams(p.host.memory.read(page, 4096)));
          expect(rim(), 'a runnable REC extends the RIM').not.toEqual(before);
        }
        expect(rim()).toEqual(want);
        expect(p.inspect.rec(L.recs[i]!)).toMatchObject({
          rd: Number(L.rd),
          index: i,
          runnable: i === 0,
        });
        for (const a of L.aux[i]!) expect(p.inspect.granule(a).rmmState).toBe(GranuleState.RecAux);
      }
      expect(p.inspect.realm(L.rd)).toMatchObject({ recCount: 2, refcount: 2 });
      expect(p.inspect.counts()).toEqual({ realms: 1, recs: 2 });

      // --- An unprotected mapping of a host page.
      const desc = L.nsPage | NS_ATTRS;
      rmiOk(p, SMC_RMI_RTT_MAP_UNPROTECTED, L.rd, UNPROT + 3n * G, 3n, desc);
      expect(p.inspect.granule(L.l3u).refcount, 'ASSIGNED_NS is not counted').toBe(0);
      expect(rim()).toEqual(want);

      // --- REALM_ACTIVATE freezes the RIM: every measuring command now fails and changes nothing.
      rmiOk(p, SMC_RMI_REALM_ACTIVATE, L.rd);
      expect(p.inspect.realm(L.rd)!.state).toBe(RealmState.Active);
      expect(rim()).toEqual(want);
      const realmError = packReturnCode(RmiStatus.ErrorRealm);
      expect(smc(SMC_RMI_REALM_ACTIVATE, L.rd)[0]).toBe(realmError);
      expect(smc(SMC_RMI_RTT_INIT_RIPAS, L.rd, 0x6000n, 0x7000n)[0]).toBe(realmError);
      expect(smc(SMC_RMI_DATA_CREATE, L.rd, L.data[3], 0x5000n, L.src[0], 1n)[0]).toBe(
        packReturnCode(RmiStatus.ErrorInput), // DATA[3] is DATA, not DELEGATED
      );
      p.host.memory.write(L.recParams1, recParamsPage(2, L.aux[1]!, true));
      expect(smc(SMC_RMI_REC_CREATE, L.rd, L.recs[1], L.recParams1)[0]).not.toBe(0n);
      expect(rim(), 'the RIM is frozen').toEqual(want);
      expect(p.inspect.realm(L.rd)!.state).toBe(RealmState.Active);

      // --- RTT_READ_ENTRY: X1 walk level, X2 state, X3 desc, X4 RIPAS, for every kind of entry.
      const read = (ipa: bigint, level: number): bigint[] =>
        smc(SMC_RMI_RTT_READ_ENTRY, L.rd, ipa, BigInt(level), 0n, 0xdeadn);
      const { Unassigned, Assigned, Table } = RmiRttEntryState;
      const { Empty, Ram, Destroyed } = RmiRipas;
      const entry = (level: number, state: number, d: bigint, ripas: number): bigint[] => [
        0n,
        BigInt(level),
        BigInt(state),
        d,
        BigInt(ripas),
      ];
      expect(read(0n, 1), 'TABLE at L1').toEqual(entry(1, Table, L.l2p, Empty));
      expect(read(0n, 2), 'TABLE at L2').toEqual(entry(2, Table, L.l3p, Empty));
      expect(read(UNPROT, 2), 'TABLE in the unprotected half').toEqual(
        entry(2, Table, L.l3u, Empty),
      );
      expect(read(0x1000n, 3), 'ASSIGNED RAM').toEqual(entry(3, Assigned, L.data[1], Ram));
      expect(read(0x2000n, 3), 'ASSIGNED RAM, unmeasured').toEqual(
        entry(3, Assigned, L.data[2], Ram),
      );
      expect(read(0x7000n, 3), 'ASSIGNED EMPTY (unknown)').toEqual(
        entry(3, Assigned, L.data[3], Empty),
      );
      expect(read(0x4000n, 3), 'UNASSIGNED RAM').toEqual(entry(3, Unassigned, 0n, Ram));
      expect(read(0x6000n, 3), 'UNASSIGNED EMPTY').toEqual(entry(3, Unassigned, 0n, Empty));
      expect(read(MB2, 3), 'UNASSIGNED RAM at L2').toEqual(entry(2, Unassigned, 0n, Ram));
      expect(read(GB1, 3), 'UNASSIGNED EMPTY at L1').toEqual(entry(1, Unassigned, 0n, Empty));
      expect(read(UNPROT + 3n * G, 3), 'ASSIGNED_NS: the host bits').toEqual(
        entry(3, Assigned, desc, Empty),
      );
      expect(read(UNPROT + 4n * G, 3), 'UNASSIGNED_NS').toEqual(entry(3, Unassigned, 0n, Empty));
      expect(read(UNPROT + GB1, 3), 'UNASSIGNED_NS at L1').toEqual(entry(1, Unassigned, 0n, Empty));

      // --- The host cannot read realm memory; the Realm PAS holds exactly what the host supplied.
      for (const g of [L.rd, L.roots[0], L.l3u, L.recs[0], L.aux[0][0]!, ...L.data])
        expectGpf(p, g);
      for (let i = 0; i < 3; i++) {
        expect(
          sameBytes(realmRead(p, L.data[i]!), pattern(i + 1)),
          `DATA ${i} holds its source`,
        ).toBe(true);
      }
      expect(isZero(realmRead(p, L.data[3]))).toBe(true);
      expect(p.host.memory.read(L.nsPage, 8)).toEqual(new Uint8Array(8)); // still the host's

      // --- Teardown in reverse: RECs, DATA, the unprotected mapping, RTTs from L3 up, the realm.
      for (const i of [1, 0]) {
        expect(smc(SMC_RMI_REC_DESTROY, L.recs[i]!)).toEqual([0n, 0n, 0n, 0n, 0n]);
        expect(p.inspect.realm(L.rd)!.refcount).toBe(i);
        expect(p.inspect.rec(L.recs[i]!)).toBeUndefined();
      }
      expect(p.inspect.counts()).toEqual({ realms: 1, recs: 0 });
      // DATA_DESTROY in IPA order: X2 = the next live entry of the L3 table, or its end.
      const tops = [0x1000n, 0x2000n, 0x7000n, MB2];
      const ipas = [0n, 0x1000n, 0x2000n, 0x7000n];
      for (let i = 0; i < 4; i++) {
        expect(smc(SMC_RMI_DATA_DESTROY, L.rd, ipas[i]!), `DATA_DESTROY ${i}`).toEqual([
          0n,
          L.data[i]!,
          tops[i]!,
          0n,
          0n,
        ]);
        expect(p.inspect.granule(L.data[i]!).rmmState).toBe(GranuleState.Delegated);
        expect(isZero(realmRead(p, L.data[i]!)), `DATA ${i} scrubbed`).toBe(true);
      }
      expect(read(0x1000n, 3), 'RAM data destroyed').toEqual(entry(3, Unassigned, 0n, Destroyed));
      expect(read(0x7000n, 3), 'EMPTY data destroyed').toEqual(entry(3, Unassigned, 0n, Empty));
      expect(p.inspect.granule(L.l3p).refcount).toBe(0);
      expect(smc(SMC_RMI_RTT_UNMAP_UNPROTECTED, L.rd, UNPROT + 3n * G, 3n)).toEqual([
        0n,
        UNPROT + MB2,
        0n,
        0n,
        0n,
      ]);
      expect(read(UNPROT + 3n * G, 3)).toEqual(entry(3, Unassigned, 0n, Empty));
      // RTT_DESTROY from L3 up: X1 = the RTT, X2 = the end of the (now empty) parent table.
      for (const [rtt, ipa, level, top] of [
        [L.l3u, UNPROT, 3, UNPROT + GB1],
        [L.l3p, 0n, 3, GB1],
        [L.l2u, UNPROT, 2, 2n * UNPROT],
        [L.l2p, 0n, 2, UNPROT],
      ] as const) {
        expect(smc(SMC_RMI_RTT_DESTROY, L.rd, ipa, BigInt(level)), `RTT_DESTROY L${level}`).toEqual(
          [0n, rtt, top, 0n, 0n],
        );
        expect(p.inspect.granule(rtt)).toMatchObject({
          rmmState: GranuleState.Delegated,
          refcount: 0,
        });
      }
      expect(read(0n, 3), 'a destroyed protected RTT leaves DESTROYED').toEqual(
        entry(1, Unassigned, 0n, Destroyed),
      );
      expect(read(UNPROT, 3), 'a destroyed unprotected RTT leaves UNASSIGNED_NS').toEqual(
        entry(1, Unassigned, 0n, Empty),
      );
      expect(p.inspect.granule(L.roots[0]).refcount).toBe(0);
      rmiOk(p, SMC_RMI_REALM_DESTROY, L.rd);
      expect(p.inspect.realm(L.rd)).toBeUndefined();
      expect(p.inspect.counts()).toEqual({ realms: 0, recs: 0 });

      // --- Every granule goes home: undelegated, Non-secure, host-accessible and zero.
      for (const g of L.delegated) {
        expect(p.inspect.granule(g).rmmState, `0x${g.toString(16)}`).toBe(GranuleState.Delegated);
        expect(smc(SMC_RMI_GRANULE_UNDELEGATE, g)).toEqual([0n, 0n, 0n, 0n, 0n]);
      }
      for (const g of L.delegated) {
        expect(p.inspect.granule(g), `0x${g.toString(16)}`).toEqual({
          gpi: Gpi.NonSecure,
          hostAccessible: true,
          rmmState: GranuleState.Undelegated,
          refcount: 0,
        });
        expect(isZero(p.host.memory.read(g, 4096)), `0x${g.toString(16)} is zero`).toBe(true);
      }
      expect(p.inspect.counts()).toEqual({ realms: 0, recs: 0 });
    },
  );
});
