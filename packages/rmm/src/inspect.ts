/**
 * A read-only window on the RMM's state for tests and tools: snapshots (copies) of realms and
 * RECs by physical address, and granule states. Nothing returned aliases RMM state.
 * @module
 */
import {
  type GranuleState,
  type PhysMemory,
  type RealmState,
  type RmiHashAlgorithm,
  type RmiRipas,
  type RmiRttEntryState,
  RTT_PAGE_LEVEL,
  type S2tteType,
} from '@islet/abi';
import { type EcPublicKey, type PhysAddr, U64 } from '@islet/arch';
import type { BootAttestation } from './attest/boot.ts';
import { type GranuleTable, NO_GRANULE } from './granule/granule-table.ts';
import { MEASUREMENT_SLOT_SIZE } from './measurement/measurement.ts';
import type { RealmTable } from './realm/realm.ts';
import type { RecTable, SetRipasRequest } from './rec/rec.ts';
import { readEntry } from './rmi/rtt.ts';
import { rttWalk } from './rtt/rtt-walk.ts';

/**
 * A snapshot of one realm.
 * @since 0.2.0
 */
export interface RealmInfo {
  readonly state: RealmState;
  readonly hashAlgo: RmiHashAlgorithm;
  /** RIM, 64-byte slot (hash_len significant bytes, then zeros). */
  readonly rim: Uint8Array<ArrayBuffer>;
  /** REM0..REM3, 64-byte slots. */
  readonly rems: readonly Uint8Array<ArrayBuffer>[];
  readonly rpv: Uint8Array<ArrayBuffer>;
  readonly vmid: number;
  readonly s2sz: number;
  readonly rttLevelStart: number;
  readonly rttBase: PhysAddr;
  readonly rttNumStart: number;
  /** The index the next REC must have. */
  readonly recCount: number;
  /** The RD's refcount: live RECs. */
  readonly refcount: number;
}

/**
 * A snapshot of one REC.
 * @since 0.2.0
 */
export interface RecInfo {
  /** PA of the owning RD. */
  readonly rd: PhysAddr;
  readonly index: number;
  readonly mpidr: bigint;
  readonly runnable: boolean;
  readonly pc: bigint;
  readonly pstate: bigint;
  /** X0..X30. */
  readonly gprs: readonly bigint[];
  /** PAs of the aux granules. */
  readonly aux: readonly PhysAddr[];
  /** The PSCI FID awaiting RMI_PSCI_COMPLETE, if any. @since 0.5.0 */
  readonly psciPending: number | undefined;
  /** The RIPAS change in progress (RSI_IPA_STATE_SET), if any. @since 0.5.0 */
  readonly setRipas: SetRipasRequest | undefined;
  /** The IPA of the RsiHostCall awaiting completion, if any. @since 0.5.0 */
  readonly hostCall: number | undefined;
  /** Bytes of the attestation token copied so far, or `undefined` with no token in progress. @since 0.5.0 */
  readonly attestTokenCopied: number | undefined;
}

/**
 * A snapshot of one RTT entry, as RMI_RTT_READ_ENTRY reports it plus the raw descriptor.
 * @since 0.3.0
 */
export interface RttEntryInfo {
  /** The level the walk stopped at. */
  readonly level: number;
  /** RmiRttEntryState (X2 of RTT_READ_ENTRY). */
  readonly state: RmiRttEntryState;
  /** RmiRipas (X4 of RTT_READ_ENTRY). */
  readonly ripas: RmiRipas;
  /** X3 of RTT_READ_ENTRY. */
  readonly desc: bigint;
  /** TF-RMM's kind of entry. */
  readonly type: S2tteType;
  /** The stored 64-bit descriptor. */
  readonly raw: bigint;
}

/**
 * What {@link RmmInspector.attestation} shows of the boot attestation material.
 * @since 0.4.0
 */
export interface AttestationInfo {
  /** The RAK's public key. */
  readonly rakPublic: EcPublicKey;
  /** Its COSE_Key encoding (107 bytes for P-384). */
  readonly rakCoseKey: Uint8Array;
  /** SHA-256 of the COSE_Key: the challenge the RMM sent for the platform token. */
  readonly rakHash: Uint8Array;
  /** The platform token EL3 handed over. */
  readonly platformToken: Uint8Array;
}

/**
 * Read-only inspection of an RMM.
 * @since 0.2.0
 */
export class RmmInspector {
  readonly #granules: GranuleTable;
  readonly #realms: RealmTable;
  readonly #recs: RecTable;
  readonly #memory: PhysMemory | undefined;
  readonly #attestation: () => BootAttestation | undefined;
  readonly #settle: () => void;

  constructor(
    granules: GranuleTable,
    realms: RealmTable,
    recs: RecTable,
    memory?: PhysMemory,
    attestation: () => BootAttestation | undefined = () => undefined,
    settle: () => void = () => {},
  ) {
    this.#granules = granules;
    this.#realms = realms;
    this.#recs = recs;
    this.#memory = memory;
    this.#attestation = attestation;
    this.#settle = settle;
  }

  /**
   * The attestation material cold boot fetched from EL3 (copies), or `undefined` before cold
   * boot or when fetching it failed. The RAK's private scalar is never shown.
   * @since 0.4.0
   */
  attestation(): AttestationInfo | undefined {
    const a = this.#attestation();
    if (a === undefined) return undefined;
    return {
      rakPublic: { curve: a.rak.publicKey.curve, point: a.rak.publicKey.point.slice() },
      rakCoseKey: a.rakCoseKey.slice(),
      rakHash: a.rakHash.slice(),
      platformToken: a.platformToken.slice(),
    };
  }

  /**
   * The RTT entry of realm `rd` for `ipa`, walking towards `level` (default 3) as
   * RMI_RTT_READ_ENTRY does, or `undefined` when there is no such realm, no memory port, or the
   * IPA/level is outside the realm's stage 2. The IPA need not be aligned.
   */
  rttEntry(rd: number, ipa: number, level: number = RTT_PAGE_LEVEL): RttEntryInfo | undefined {
    const idx = this.#granules.find(rd);
    const r = idx === NO_GRANULE ? undefined : this.#realms.get(idx);
    if (r === undefined || this.#memory === undefined) return undefined;
    if (!Number.isSafeInteger(ipa) || ipa < 0 || ipa >= 2 ** r.s2sz) return undefined;
    if (!Number.isInteger(level) || level < r.rttLevelStart || level > RTT_PAGE_LEVEL) {
      return undefined;
    }
    const w = rttWalk(this.#granules, this.#memory, r, ipa, level);
    const e = readEntry(w, r);
    return {
      level: w.level,
      state: e.state,
      ripas: e.ripas,
      desc: e.desc,
      type: e.type,
      raw: U64.toBig(w.hi, w.lo),
    };
  }

  /** The RMM state of the granule at `pa`, or `undefined` if the RMM does not track it. */
  granuleState(pa: number): GranuleState | undefined {
    const idx = this.#granules.find(pa);
    return idx === NO_GRANULE ? undefined : this.#granules.state(idx);
  }

  /** The refcount of the granule at `pa`, or `undefined` if the RMM does not track it. */
  refcount(pa: number): number | undefined {
    const idx = this.#granules.find(pa);
    return idx === NO_GRANULE ? undefined : this.#granules.refcount(idx);
  }

  /** The realm whose RD is at `rd`, or `undefined`. */
  realm(rd: number): RealmInfo | undefined {
    // Pending DATA_CREATE digests land in the RIM first (`RimQueue`).
    this.#settle();
    const idx = this.#granules.find(rd);
    const r = idx === NO_GRANULE ? undefined : this.#realms.get(idx);
    if (r === undefined) return undefined;
    const slot = (i: number) =>
      r.measurements.slice(i * MEASUREMENT_SLOT_SIZE, (i + 1) * MEASUREMENT_SLOT_SIZE);
    return {
      state: r.state,
      hashAlgo: r.hash.algo,
      rim: slot(0),
      rems: [slot(1), slot(2), slot(3), slot(4)],
      rpv: r.rpv.slice(),
      vmid: r.vmid,
      s2sz: r.s2sz,
      rttLevelStart: r.rttLevelStart,
      rttBase: r.rttBase,
      rttNumStart: r.rttNumStart,
      recCount: r.recCount,
      refcount: this.#granules.refcount(idx),
    };
  }

  /** The REC at `rec`, or `undefined`. */
  rec(rec: number): RecInfo | undefined {
    const idx = this.#granules.find(rec);
    const r = idx === NO_GRANULE ? undefined : this.#recs.get(idx);
    if (r === undefined) return undefined;
    return {
      rd: this.#granules.address(r.rdIdx),
      index: r.index,
      mpidr: r.mpidr,
      runnable: r.runnable,
      pc: r.pc,
      pstate: r.pstate,
      gprs: Array.from(r.gprs),
      aux: r.auxIdx.map((i) => this.#granules.address(i)),
      psciPending: r.psciPending,
      setRipas: r.setRipas === undefined ? undefined : { ...r.setRipas },
      hostCall: r.hostCall,
      attestTokenCopied: r.attestToken?.copied,
    };
  }

  /** Number of live realms and RECs. */
  counts(): { readonly realms: number; readonly recs: number } {
    return { realms: this.#realms.size, recs: this.#recs.size };
  }
}
