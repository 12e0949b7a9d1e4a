/**
 * Test doubles for the ports the RMM depends on: a small world-checked memory (a Map of granule
 * number → bytes plus a GPI map) and EL3 services that flip the GPI as TF-A's
 * `gpt_delegate_pas`/`gpt_undelegate_pas` do (rmm-abi.md §8.5), serve attestation material and
 * Islet's VHUKs. Not a GPT model: just enough to drive the RMM through its ports.
 * @module
 */

import {
  type El3PlatformTokenResult,
  type El3RealmKeyResult,
  type El3Services,
  type El3VhukResult,
  type El3VhukService,
  MemoryAccess,
  type PhysMemory,
  RmmEl3Status,
  World,
} from '@islet/abi';
import type { PhysAddr } from '@islet/arch';
import type { DramBank } from '../../src/granule/granule-table.ts';

const G = 4096;

/** Two DRAM banks the RMM is told about (FVP-like, scaled down). */
export const DRAM: readonly DramBank[] = [
  { base: 0x8000_0000, size: 0x40_0000 },
  { base: 0x88_8000_0000, size: 0x10_0000 },
];
/** A device (MMIO) granule: protected by the GPT as NS, but not DRAM the RMM tracks. */
export const DEVICE_PA = 0x1c09_0000;
/** A DRAM granule the GPT covers but the RMM was not told about (e.g. the RMM's own carve-out). */
export const UNTRACKED_PA = 0xff00_0000;
/** A granule of bank 0 preset to the Secure PAS. */
export const SECURE_PA = 0x8030_0000;
/** A granule of bank 0 preset to the Realm PAS while the RMM thinks it UNDELEGATED. */
export const REALM_PA = 0x8030_1000;
/** A granule of bank 0 preset to the Root PAS. */
export const ROOT_PA = 0x8030_2000;

/** Log of EL3 calls, for ordering assertions. */
export type El3Call = readonly ['delegate' | 'undelegate', number];

/** Log of the attestation EL3 calls: [name, x1, x2, x3, the status returned]. */
export type AttestCall = readonly ['key' | 'token', number, number, number, RmmEl3Status];

/**
 * What the EL3 double serves at cold boot: a RAK scalar and a platform token in hunks. With no
 * key, RMM_ATTEST_GET_REALM_KEY answers Unknown (the default).
 */
export interface AttestServe {
  /** The scalar written to the buffer; its length is the key size returned. */
  readonly key?: Uint8Array;
  /** Status of RMM_ATTEST_GET_REALM_KEY (default Ok when there is a key). */
  readonly keyStatus?: RmmEl3Status;
  /** The platform token. */
  readonly token?: Uint8Array;
  /** Largest hunk per call (default 4096). */
  readonly hunk?: number;
  /** 0-based token call numbers answered Again (nothing copied). */
  readonly againAt?: readonly number[];
  /** Answer every token call Again. */
  readonly alwaysAgain?: boolean;
  /** 0-based token call number answered with this status instead. */
  readonly failAt?: readonly [number, RmmEl3Status];
  /** Reported hunk size overriding the real one (to test a lying EL3). */
  readonly lieHunk?: number;
}

/** The ports and their state, exposed for assertions. */
export class FakePlatform {
  /** GPI (as the World whose PAS it is) of every granule the GPT covers, by granule number. */
  readonly gpi: Map<number, World> = new Map();
  /** Backing bytes of every granule touched. */
  readonly bytes: Map<number, Uint8Array> = new Map();
  /** Every EL3 call, in order. */
  readonly calls: El3Call[] = [];
  /** When set, the next gtsiUndelegate returns this status (to test the panic path). */
  failNextUndelegate: RmmEl3Status | undefined;
  /** What the attestation calls serve. */
  attest: AttestServe = {};
  /** Every attestation EL3 call, in order. */
  readonly attestCalls: AttestCall[] = [];
  /** The challenges (RAK hashes) read on first RMM_ATTEST_GET_PLAT_TOKEN calls. */
  readonly challenges: Uint8Array[] = [];
  /**
   * What RMM_ISLET_GET_VHUK serves, by key id (1 VHUK_A, 2 VHUK_M): a key, or the error status.
   * Nothing by default (E_RMM_UNK).
   */
  vhuks: Partial<Record<number, Uint8Array | RmmEl3Status>> = {};
  /** The key ids RMM_ISLET_GET_VHUK was asked for, in order. */
  readonly vhukCalls: number[] = [];
  #tokenCalls = 0;
  #tokenOffset = 0;

  constructor() {
    for (const b of DRAM) {
      for (let pa = b.base; pa < b.base + b.size; pa += G) this.gpi.set(pa / G, World.Normal);
    }
    this.gpi.set(DEVICE_PA / G, World.Normal);
    this.gpi.set(UNTRACKED_PA / G, World.Realm);
    this.gpi.set(SECURE_PA / G, World.Secure);
    this.gpi.set(REALM_PA / G, World.Realm);
    this.gpi.set(ROOT_PA / G, World.Root);
  }

  /** The GPI of the granule at `pa`, or undefined outside the GPT. */
  gpiOf(pa: number): World | undefined {
    return this.gpi.get(Math.floor(pa / G));
  }

  /** Raw bytes of the granule at aligned `pa` (allocated on first touch). */
  raw(pa: number): Uint8Array {
    const n = pa / G;
    let b = this.bytes.get(n);
    if (!b) {
      b = new Uint8Array(G);
      this.bytes.set(n, b);
    }
    return b;
  }

  readonly el3: El3Services & El3VhukService = {
    gtsiDelegate: (pa: PhysAddr): RmmEl3Status => {
      this.calls.push(['delegate', pa]);
      const gpi = pa % G === 0 ? this.gpiOf(pa) : undefined;
      if (gpi === undefined) return RmmEl3Status.BadAddr;
      if (gpi !== World.Normal) return RmmEl3Status.BadPas;
      this.gpi.set(pa / G, World.Realm);
      return RmmEl3Status.Ok;
    },
    gtsiUndelegate: (pa: PhysAddr): RmmEl3Status => {
      this.calls.push(['undelegate', pa]);
      if (this.failNextUndelegate !== undefined) {
        const s = this.failNextUndelegate;
        this.failNextUndelegate = undefined;
        return s;
      }
      const gpi = pa % G === 0 ? this.gpiOf(pa) : undefined;
      if (gpi === undefined) return RmmEl3Status.BadAddr;
      if (gpi !== World.Realm) return RmmEl3Status.BadPas;
      this.gpi.set(pa / G, World.Normal);
      return RmmEl3Status.Ok;
    },
    getRealmAttestKey: (buffer: PhysAddr, size: number, curve: number): El3RealmKeyResult => {
      const { key } = this.attest;
      let status =
        key === undefined ? RmmEl3Status.Unknown : (this.attest.keyStatus ?? RmmEl3Status.Ok);
      if (status === RmmEl3Status.Ok && key !== undefined) {
        if (this.memory.write(World.Root, buffer, key) !== MemoryAccess.Ok)
          status = RmmEl3Status.BadPas;
      }
      this.attestCalls.push(['key', buffer, size, curve, status]);
      return { status, keySize: status === RmmEl3Status.Ok ? (key?.length ?? 0) : 0 };
    },
    getPlatformToken: (buffer: PhysAddr, size: number, cSize: number): El3PlatformTokenResult => {
      const a = this.attest;
      const n = this.#tokenCalls++;
      const done = (status: RmmEl3Status, hunkSize = 0, remaining = 0): El3PlatformTokenResult => {
        this.attestCalls.push(['token', buffer, size, cSize, status]);
        return { status, hunkSize, remaining };
      };
      if (a.token === undefined) return done(RmmEl3Status.Unknown);
      if (a.failAt !== undefined && a.failAt[0] === n) return done(a.failAt[1]);
      if (a.alwaysAgain === true || a.againAt?.includes(n)) return done(RmmEl3Status.Again);
      if (cSize !== 0) {
        const c = new Uint8Array(cSize);
        this.memory.read(World.Root, buffer, c);
        this.challenges.push(c);
        this.#tokenOffset = 0;
      }
      const len = Math.min(a.hunk ?? size, size, a.token.length - this.#tokenOffset);
      const hunk = a.token.subarray(this.#tokenOffset, this.#tokenOffset + len);
      this.memory.write(World.Root, buffer, hunk);
      this.#tokenOffset += len;
      return done(RmmEl3Status.Ok, a.lieHunk ?? len, a.token.length - this.#tokenOffset);
    },
    getVhuk: (id: number): El3VhukResult => {
      this.vhukCalls.push(id);
      const v = this.vhuks[id] ?? RmmEl3Status.Unknown;
      if (v instanceof Uint8Array) return { status: RmmEl3Status.Ok, key: v };
      return { status: v === RmmEl3Status.Ok ? RmmEl3Status.Unknown : v };
    },
  };

  #check(world: World, pa: number, length: number): MemoryAccess {
    for (let g = Math.floor(pa / G); g * G < pa + length; g++) {
      const gpi = this.gpi.get(g);
      if (gpi === undefined || g * G === DEVICE_PA) return MemoryAccess.ExternalAbort;
      if (world !== World.Root && gpi !== world) return MemoryAccess.GranuleProtectionFault;
    }
    return MemoryAccess.Ok;
  }

  #copyOut(pa: number, dst: Uint8Array): void {
    for (let i = 0; i < dst.length; i++) {
      const a = pa + i;
      dst[i] = this.raw(a - (a % G))[a % G]!;
    }
  }

  #copyIn(pa: number, src: Uint8Array): void {
    for (let i = 0; i < src.length; i++) {
      const a = pa + i;
      this.raw(a - (a % G))[a % G] = src[i]!;
    }
  }

  readonly memory: PhysMemory = {
    read: (world, pa, dst) => {
      const r = this.#check(world, pa, dst.length);
      if (r === MemoryAccess.Ok) this.#copyOut(pa, dst);
      return r;
    },
    write: (world, pa, src) => {
      const r = this.#check(world, pa, src.length);
      if (r === MemoryAccess.Ok) this.#copyIn(pa, src);
      return r;
    },
    zero: (world, pa, length) => {
      const r = this.#check(world, pa, length);
      if (r === MemoryAccess.Ok) this.#copyIn(pa, new Uint8Array(length));
      return r;
    },
    copy: (srcWorld, src, dstWorld, dst, length) => {
      const r1 = this.#check(srcWorld, src, length);
      if (r1 !== MemoryAccess.Ok) return r1;
      const r2 = this.#check(dstWorld, dst, length);
      if (r2 !== MemoryAccess.Ok) return r2;
      const tmp = new Uint8Array(length);
      this.#copyOut(src, tmp);
      this.#copyIn(dst, tmp);
      return MemoryAccess.Ok;
    },
    granule: (world, pa) =>
      pa % G === 0 && this.#check(world, pa, G) === MemoryAccess.Ok ? this.raw(pa) : undefined,
  };
}

/** Registers X1..X6 from up to six values (the rest 0). */
export function regs(...xs: bigint[]): readonly [bigint, bigint, bigint, bigint, bigint, bigint] {
  const r = [0n, 0n, 0n, 0n, 0n, 0n].map((z, i) => xs[i] ?? z);
  return [r[0]!, r[1]!, r[2]!, r[3]!, r[4]!, r[5]!];
}
