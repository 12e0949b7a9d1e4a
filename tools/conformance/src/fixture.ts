/**
 * The host-side builder that case setups use: it takes granules from `host.dram`, delegates them,
 * writes RmiRealmParams/RmiRecParams into host pages and builds realms, RECs, RTTs and data
 * through RMI, each step checked. One fixture serves every case on one booted platform; cases
 * never share granules (the allocator only moves forward), only the RMM's global state (VMIDs),
 * and what they share on purpose through {@link Fixture.memo} (a realm that runs).
 *
 * Realm shape (as apps/fvp's small realm): IPA width 40, two concatenated level-1 root RTTs, so
 * the protected range is [0, 2^39) and the unprotected range [2^39, 2^40). A case that needs the
 * walk to stop at level 0 asks for a level-0 start (one root RTT).
 * @module
 */
import {
  decodeFeatureRegister0,
  encodeRealmParams,
  encodeRecParams,
  type FeatureRegister0,
  type RealmParams,
  type RecParams,
  rmiCommandByFid,
  SMC_RMI_DATA_CREATE,
  SMC_RMI_DATA_CREATE_UNKNOWN,
  SMC_RMI_FEATURES,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_REALM_ACTIVATE,
  SMC_RMI_REALM_CREATE,
  SMC_RMI_REALM_DESTROY,
  SMC_RMI_REC_AUX_COUNT,
  SMC_RMI_REC_CREATE,
  SMC_RMI_RTT_CREATE,
  SMC_RMI_RTT_MAP_UNPROTECTED,
} from '@islet/abi';
import { IsletError } from '@islet/arch';
import { formatX0 } from './status.ts';
import type { PlatformDescription, Target } from './target.ts';

/** A setup SMC did not succeed: the case fails with this message instead of running. */
export class SetupError extends IsletError<'CONFORMANCE_SETUP_FAILED'> {
  override name = 'Conformance.SetupError';
  constructor(shortMessage: string) {
    super('CONFORMANCE_SETUP_FAILED', shortMessage);
  }
}

/** 4 KiB. */
export const GRANULE = 0x1000n;
/** IPA width of the fixture's realms. */
export const S2SZ = 40;
/** Size of the protected IPA range (PAR): 2^(s2sz-1). */
export const PAR_SIZE: bigint = 1n << BigInt(S2SZ - 1);
/** An IPA outside the realm's IPA space: 2^s2sz. */
export const IPA_OUT_OF_RANGE: bigint = 1n << BigInt(S2SZ);
/** The protected IPA the cases work at: 2 GiB, aligned to a level-1 block. */
export const IPA_PROTECTED = 0x8000_0000n;
/** The unprotected IPA the cases work at: PAR_SIZE + 2 GiB, aligned to a level-1 block. */
export const IPA_UNPROTECTED: bigint = PAR_SIZE + 0x8000_0000n;
/** Added to an aligned address to make it unaligned. */
export const UNALIGNED_OFFSET = 0x800n;

/** `MemAttr[4:2]` Normal write-back (FWB encoding) and `S2AP[7:6]` RW of an unprotected desc. */
const NS_DESC_ATTRS = (0b110n << 2n) | (0b11n << 6n);
/** `MemAttr = 0b100`: reserved with FWB. */
export const NS_DESC_MEMATTR_RESERVED: bigint = 0b100n << 2n;

/** Block size of an RTT entry at `level` (4 KiB granules). */
export function blockSize(level: number): bigint {
  return 1n << BigInt(12 + 9 * (3 - level));
}

/** `addr` rounded down to a `level` block. */
export function alignDown(addr: bigint, level: number): bigint {
  return addr - (addr % blockSize(level));
}

/** An RMI_RTT_MAP_UNPROTECTED descriptor: output address plus Normal-WB, RW attributes. */
export function nsDesc(oa: bigint): bigint {
  return oa | NS_DESC_ATTRS;
}

/** A realm built by the fixture. */
export interface RealmFixture {
  readonly rd: bigint;
  /** The root RTTs, contiguous. */
  readonly rtts: readonly bigint[];
  readonly vmid: number;
  readonly startLevel: number;
  /** RTTs created below the roots, by `level:base`. */
  readonly tables: Map<string, bigint>;
  /** RECs created so far (the next REC's index). */
  recCount: number;
}

/** A REC built by the fixture. */
export interface RecFixture {
  readonly rec: bigint;
  readonly aux: readonly bigint[];
  readonly mpidr: bigint;
}

/** Options of {@link Fixture.realm}. */
export interface RealmOptions {
  /** Root level: 1 (two concatenated level-1 RTTs, default) or 0 (one level-0 RTT). */
  readonly startLevel?: 0 | 1;
  /** Activate after creation. */
  readonly activate?: boolean;
}

/** A granule state the fixture can produce, in ACS's names. */
export type GranuleKind = 'UNDELEGATED' | 'DELEGATED' | 'RD' | 'REC' | 'REC_AUX' | 'RTT' | 'DATA';

/** The host-side builder over one booted platform. */
export class Fixture {
  readonly target: Target;
  readonly platform: PlatformDescription;
  #bank = 0;
  #next: bigint;
  #vmid = 1;
  #features: FeatureRegister0 | undefined;
  readonly #memo = new Map<string, unknown>();

  constructor(target: Target, platform: PlatformDescription) {
    this.target = target;
    this.platform = platform;
    const first = target.host.dram[0];
    if (first === undefined) throw new SetupError('the host owns no DRAM');
    this.#next = first.base;
  }

  /** A raw SMC: X0..X4. */
  smc(fid: number, ...args: bigint[]): bigint[] {
    return this.target.host.smc(BigInt(fid), ...args);
  }

  /**
   * An SMC that must succeed.
   * @throws {@link SetupError} naming the command and what it returned.
   */
  must(fid: number, ...args: bigint[]): bigint[] {
    const out = this.smc(fid, ...args);
    if (out[0] !== 0n) {
      const name = rmiCommandByFid(fid)?.name ?? `FID 0x${fid.toString(16)}`;
      throw new SetupError(`setup ${name} returned ${formatX0(out[0] ?? 0n)}`);
    }
    return out;
  }

  /** `count` contiguous fresh Normal-world granules, the first aligned to `align` bytes. */
  granules(count = 1, align: bigint = GRANULE): bigint {
    const size = BigInt(count) * GRANULE;
    for (;;) {
      const bank = this.target.host.dram[this.#bank];
      if (bank === undefined) throw new SetupError('the host DRAM is exhausted');
      const start = this.#next + ((align - (this.#next % align)) % align);
      if (start + size <= bank.base + bank.size) {
        this.#next = start + size;
        return start;
      }
      this.#bank++;
      const following = this.target.host.dram[this.#bank];
      if (following !== undefined) this.#next = following.base;
    }
  }

  /** A fresh Normal-world granule. */
  granule(): bigint {
    return this.granules(1);
  }

  /** A fresh granule, delegated. */
  delegated(): bigint {
    const pa = this.granule();
    this.must(SMC_RMI_GRANULE_DELEGATE, pa);
    return pa;
  }

  /** A fresh host page holding `bytes`. */
  page(bytes: Uint8Array): bigint {
    const pa = this.granule();
    this.target.host.memory.write(pa, bytes);
    return pa;
  }

  /** Whether the host can read the granule at `pa` (the GPT lets it). */
  hostCanRead(pa: bigint): boolean {
    try {
      this.target.host.memory.read(pa, 8);
      return true;
    } catch {
      return false;
    }
  }

  /** Feature register 0, read once per platform. */
  features(): FeatureRegister0 {
    this.#features ??= decodeFeatureRegister0(this.must(SMC_RMI_FEATURES, 0n)[1] ?? 0n);
    return this.#features;
  }

  /**
   * What `make` returns, made once per platform and kept under `key` until {@link forget}: how
   * cases share what is expensive to build, a realm that runs (a worker thread each), in a state
   * their failing calls do not change. A {@link SetupError} from `make` is kept too and thrown to
   * every later caller (each case reports it; none builds again); anything else it throws keeps
   * nothing.
   * @throws {@link SetupError} what `make` threw, now or before.
   */
  memo<T>(key: string, make: () => T): T {
    if (!this.#memo.has(key)) {
      try {
        this.#memo.set(key, make());
      } catch (err) {
        if (!(err instanceof SetupError)) throw err;
        this.#memo.set(key, err);
      }
    }
    const value = this.#memo.get(key);
    if (value instanceof SetupError) throw value;
    return value as T;
  }

  /** Drops what {@link memo} keeps under `key` (the next `memo(key, …)` makes it afresh). */
  forget(key: string): void {
    this.#memo.delete(key);
  }

  /** A VMID no realm on this platform has used. */
  vmid(): number {
    return this.#vmid++;
  }

  /**
   * Valid RmiRealmParams for a realm whose root RTTs start at `rttBase`, with `overrides`.
   * Level 1 start: two concatenated RTTs; level 0: one.
   */
  realmParams(rttBase: bigint, overrides: Partial<RealmParams> = {}, startLevel = 1): RealmParams {
    return {
      flags: 0n,
      s2sz: S2SZ,
      sveVl: 0,
      numBps: 1,
      numWps: 1,
      pmuNumCtrs: 0,
      hashAlgo: 0,
      rpv: new Uint8Array(64),
      vmid: this.vmid(),
      rttBase,
      rttLevelStart: startLevel,
      rttNumStart: startLevel === 1 ? 2 : 1,
      ...overrides,
    };
  }

  /** Delegated root RTT granules for a realm starting at `startLevel`. */
  rootRtts(startLevel = 1): bigint[] {
    const n = startLevel === 1 ? 2 : 1;
    const base = this.granules(n);
    const rtts = Array.from({ length: n }, (_, i) => base + BigInt(i) * GRANULE);
    for (const r of rtts) this.must(SMC_RMI_GRANULE_DELEGATE, r);
    return rtts;
  }

  /** A realm in state NEW (or ACTIVE with `activate`). */
  realm(options: RealmOptions = {}): RealmFixture {
    const startLevel = options.startLevel ?? 1;
    const rd = this.delegated();
    const rtts = this.rootRtts(startLevel);
    const params = this.realmParams(rtts[0]!, {}, startLevel);
    this.must(SMC_RMI_REALM_CREATE, rd, this.page(encodeRealmParams(params)));
    const realm: RealmFixture = {
      rd,
      rtts,
      vmid: params.vmid,
      startLevel,
      tables: new Map(),
      recCount: 0,
    };
    if (options.activate) this.activate(realm);
    return realm;
  }

  /** REALM_ACTIVATE. */
  activate(realm: RealmFixture): void {
    this.must(SMC_RMI_REALM_ACTIVATE, realm.rd);
  }

  /** The RD of a realm that was created and destroyed: a DELEGATED granule, realm state NULL. */
  destroyedRd(): bigint {
    const realm = this.realm();
    this.must(SMC_RMI_REALM_DESTROY, realm.rd);
    return realm.rd;
  }

  /** RMI_REC_AUX_COUNT of `realm`. */
  auxCount(realm: RealmFixture): number {
    return Number(this.must(SMC_RMI_REC_AUX_COUNT, realm.rd)[1]);
  }

  /** `count` delegated aux granules. */
  auxGranules(count: number): bigint[] {
    return Array.from({ length: count }, () => this.delegated());
  }

  /** RmiRecParams for the next REC of `realm` with `aux`, runnable, with `overrides`. */
  recParams(
    realm: RealmFixture,
    aux: readonly bigint[],
    overrides: Partial<RecParams> = {},
  ): RecParams {
    return {
      flags: 1n,
      mpidr: BigInt(realm.recCount),
      pc: 0n,
      gprs: Array.from({ length: 8 }, () => 0n),
      numAux: aux.length,
      aux,
      ...overrides,
    };
  }

  /** The next REC of `realm` (MPIDR = its index, < 16), runnable unless told otherwise. */
  rec(realm: RealmFixture, options: { readonly runnable?: boolean } = {}): RecFixture {
    const aux = this.auxGranules(this.auxCount(realm));
    const rec = this.delegated();
    const params = this.recParams(realm, aux, { flags: options.runnable === false ? 0n : 1n });
    this.must(SMC_RMI_REC_CREATE, realm.rd, rec, this.page(encodeRecParams(params)));
    realm.recCount++;
    return { rec, aux, mpidr: params.mpidr };
  }

  /**
   * The RTT at `level` that covers `ipa`, creating it and any missing parent below the root
   * (RTT_CREATE from the start level + 1 down). Returns its PA.
   */
  rtt(realm: RealmFixture, ipa: bigint, level: number): bigint {
    let pa = 0n;
    for (let l = realm.startLevel + 1; l <= level; l++) {
      const base = alignDown(ipa, l - 1);
      const key = `${l}:${base}`;
      const known = realm.tables.get(key);
      if (known !== undefined) {
        pa = known;
        continue;
      }
      pa = this.delegated();
      this.must(SMC_RMI_RTT_CREATE, realm.rd, pa, base, BigInt(l));
      realm.tables.set(key, pa);
    }
    return pa;
  }

  /** A DATA granule at protected `ipa` (DATA_CREATE, no content measured; realm must be NEW). */
  data(realm: RealmFixture, ipa: bigint): bigint {
    this.rtt(realm, ipa, 3);
    const data = this.delegated();
    this.must(SMC_RMI_DATA_CREATE, realm.rd, data, ipa, this.granule(), 0n);
    return data;
  }

  /** A DATA granule at protected `ipa` through DATA_CREATE_UNKNOWN (any realm state). */
  dataUnknown(realm: RealmFixture, ipa: bigint): bigint {
    this.rtt(realm, ipa, 3);
    const data = this.delegated();
    this.must(SMC_RMI_DATA_CREATE_UNKNOWN, realm.rd, data, ipa);
    return data;
  }

  /** Maps unprotected `ipa` at `level` to a fresh host granule (block-aligned OA); returns desc. */
  mapUnprotected(realm: RealmFixture, ipa: bigint, level = 3): bigint {
    this.rtt(realm, ipa, level);
    const desc = nsDesc(level === 3 ? this.granule() : this.granules(1, blockSize(level)));
    this.must(SMC_RMI_RTT_MAP_UNPROTECTED, realm.rd, ipa, BigInt(level), desc);
    return desc;
  }

  /** A granule in RMM state `kind`, each from a new realm so nothing else depends on it. */
  granuleIn(kind: GranuleKind): bigint {
    switch (kind) {
      case 'UNDELEGATED':
        return this.granule();
      case 'DELEGATED':
        return this.delegated();
      case 'RD':
        return this.realm().rd;
      case 'REC':
        return this.rec(this.realm()).rec;
      case 'REC_AUX':
        return this.rec(this.realm()).aux[0]!;
      case 'RTT':
        return this.realm().rtts[0]!;
      case 'DATA':
        return this.data(this.realm(), IPA_PROTECTED);
    }
  }
}
