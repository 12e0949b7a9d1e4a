/**
 * Test fixtures: an FVP-like platform composed from the REAL `@islet/gpt`, `@islet/mmu` and
 * `@islet/hes`, and a test-double RMM that implements the abi `Rmm` port and, like TF-RMM's cold
 * boot, fetches the RAK and the platform token from EL3.
 * @module
 */
import {
  type El3Services,
  Gpi,
  isRmmEl3IfcVersionSupported,
  type PhysMemory,
  type Regs,
  type RmiArgs,
  type RmiResult,
  type Rmm,
  RmmAttestKeyCurve,
  type RmmBootArgs,
  RmmBootError,
  RmmEl3Status,
  RsiAction,
  type RsiOutcome,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_VERSION,
  SMC_RMM_ATTEST_GET_PLAT_TOKEN,
  SMC_RMM_ATTEST_GET_REALM_KEY,
  SMC_UNKNOWN,
  type Smc,
  signedFromRegister,
  stripSveHint,
  World,
} from '@islet/abi';
import {
  type Bytes,
  type CryptoProvider,
  concatBytes,
  defaultCrypto,
  type EcPrivateKey,
  type PhysAddr,
  physAddr,
} from '@islet/arch';
import { createGpt, GpccrPps, type Gpt } from '@islet/gpt';
import { Hes } from '@islet/hes';
import { ARM_DRAM1_BASE, ARM_DRAM2_BASE, ARM_DRAM2_SIZE, Dram, PhysicalMemory } from '@islet/mmu';
import { encodeCoseKey } from '@islet/token';
import { El3Monitor, type El3MonitorOptions, type NsDramBank } from '../src/index.ts';

/** GPT tables: 8 MiB of Root memory at the top of DRAM bank 0. */
export const TABLES = { base: 0xff80_0000, size: 0x80_0000 } as const;
/** EL3's own Root memory below the tables. */
export const EL3_BASE = 0xff00_0000;
/** The RMM carve-out (Realm PAS), as TF-A's FVP places it below EL3. */
export const RMM_BASE = 0xfe00_0000;
/** The RMM-EL3 shared buffer: the last page of the RMM carve-out. */
export const SHARED_BUFFER: PhysAddr = physAddr(EL3_BASE - 0x1000);
/** Non-secure DRAM, as the boot manifest describes it. */
export const NS_BANKS: readonly NsDramBank[] = [
  { base: ARM_DRAM1_BASE, size: RMM_BASE - ARM_DRAM1_BASE },
  { base: ARM_DRAM2_BASE, size: ARM_DRAM2_SIZE },
];

/** The composed platform. */
export interface Platform {
  readonly dram: Dram;
  readonly gpt: Gpt;
  readonly mem: PhysicalMemory;
  readonly hes: Hes;
  readonly crypto: CryptoProvider;
}

/** One Hes per file (the CPAK derivation is the slow part); `hes.reset()` between uses. */
let sharedHes: Hes | undefined;

/** DRAM with the FVP map, the real GPT over it, PhysicalMemory behind the GPT and a HES. */
export function platform(): Platform {
  const crypto = defaultCrypto();
  const dram = new Dram();
  const gpt = createGpt({
    memory: dram,
    pps: GpccrPps.Size64GB,
    tables: TABLES,
    regions: [
      { base: ARM_DRAM1_BASE, size: RMM_BASE - ARM_DRAM1_BASE, gpi: Gpi.NonSecure },
      { base: RMM_BASE, size: EL3_BASE - RMM_BASE, gpi: Gpi.Realm },
      { base: EL3_BASE, size: TABLES.base - EL3_BASE, gpi: Gpi.Root },
      { base: ARM_DRAM2_BASE, size: ARM_DRAM2_SIZE, gpi: Gpi.NonSecure },
    ],
  });
  sharedHes ??= new Hes({ crypto });
  sharedHes.reset();
  return { dram, gpt, mem: new PhysicalMemory(dram, gpt), hes: sharedHes, crypto };
}

/** A monitor over `p` (no RMM attached unless given). */
export function monitorOf(p: Platform, options: Partial<El3MonitorOptions> = {}): El3Monitor {
  return new El3Monitor({
    gpt: p.gpt,
    memory: p.mem.physMemory,
    hes: p.hes,
    sharedBuffer: SHARED_BUFFER,
    numCpus: 4,
    nsDramBanks: NS_BANKS,
    crypto: p.crypto,
    ...options,
  });
}

/** A recorded call into the double. */
export type RmmCall =
  | { readonly method: 'coldBoot'; readonly args: RmmBootArgs }
  | { readonly method: 'warmBoot'; readonly cpuId: number }
  | { readonly method: 'handleRmi'; readonly fid: number; readonly args: readonly bigint[] }
  | { readonly method: 'handleRsi'; readonly rec: number; readonly fid: number };

/**
 * A test-double RMM. Its cold boot does what TF-RMM's does with EL3 (§7.1): RAK into the shared
 * buffer, RAK hash into the buffer, platform token in hunks until `remaining` is 0 (retrying
 * E_RMM_AGAIN). It reaches EL3 through the `El3Services` object or, with `realmSmc`, through SMCs
 * from the Realm world (register decoding included). RMI: VERSION and GRANULE_DELEGATE.
 */
export class RmmDouble implements Rmm {
  readonly calls: RmmCall[] = [];
  rak: EcPrivateKey | undefined;
  rakHash: Bytes | undefined;
  platformToken: Bytes | undefined;
  hunks: number[] = [];
  manifestVersion: number | undefined;
  readonly #el3: El3Services;
  readonly #realmSmc: Smc | undefined;
  readonly #mem: PhysMemory;
  readonly #crypto: CryptoProvider;

  constructor(el3: El3Services, mem: PhysMemory, crypto: CryptoProvider, realmSmc?: Smc) {
    this.#el3 = el3;
    this.#mem = mem;
    this.#crypto = crypto;
    this.#realmSmc = realmSmc;
  }

  coldBoot(args: RmmBootArgs): RmmBootError {
    this.calls.push({ method: 'coldBoot', args });
    if (!isRmmEl3IfcVersionSupported(args.ifcVersion)) return RmmBootError.VersionMismatch;
    if (args.cpuId >= args.numCpus) return RmmBootError.CpuIdOutOfRange;
    const buf = args.sharedBuffer as PhysAddr;
    if (buf === 0 || buf % 4096 !== 0) return RmmBootError.InvalidSharedBuffer;
    const head = new Uint8Array(4);
    this.#mem.read(World.Realm, buf, head);
    this.manifestVersion = new DataView(head.buffer).getUint32(0, true);

    const key = this.#getKey(buf);
    if (key.status !== RmmEl3Status.Ok || key.keySize !== 48) return RmmBootError.Unknown;
    const d = new Uint8Array(48);
    this.#mem.read(World.Realm, buf, d);
    this.#mem.write(World.Realm, buf, new Uint8Array(4096)); // TF-RMM zeroes the buffer
    this.rak = this.#crypto.ecFromPrivate('P-384', d);
    this.rakHash = this.#crypto.hash('sha256', encodeCoseKey(this.rak.publicKey));

    this.#mem.write(World.Realm, buf, this.rakHash);
    const parts: Uint8Array[] = [];
    let challengeSize = 32;
    for (let guard = 0; guard < 1000; guard++) {
      const r = this.#getToken(buf, challengeSize);
      if (r.status === RmmEl3Status.Again) continue;
      if (r.status !== RmmEl3Status.Ok) return RmmBootError.Unknown;
      const hunk = new Uint8Array(r.hunkSize);
      this.#mem.read(World.Realm, buf, hunk);
      parts.push(hunk);
      this.hunks.push(r.hunkSize);
      challengeSize = 0;
      if (r.remaining === 0) {
        this.platformToken = concatBytes(...parts);
        return RmmBootError.Success;
      }
    }
    return RmmBootError.Unknown;
  }

  warmBoot(cpuId: number): RmmBootError {
    this.calls.push({ method: 'warmBoot', cpuId });
    return RmmBootError.Success;
  }

  handleRmi(fid: number, args: RmiArgs): RmiResult {
    this.calls.push({ method: 'handleRmi', fid, args: [...args] });
    const f = stripSveHint(fid);
    if (f === SMC_RMI_VERSION) {
      return [args[0] === 0x1_0000n ? 0n : 1n, 0x1_0000n, 0x1_0000n, 0n, args[3]];
    }
    if (f === SMC_RMI_GRANULE_DELEGATE) {
      const pa = args[0] < 2n ** 52n ? Number(args[0]) : -1;
      const ok = this.#el3.gtsiDelegate(pa as PhysAddr) === RmmEl3Status.Ok;
      return [ok ? 0n : 1n, 0n, 0n, 0n, args[3]];
    }
    return [SMC_UNKNOWN, args[0], args[1], args[2], args[3]];
  }

  handleRsi(rec: PhysAddr, fid: number, args: Regs): RsiOutcome {
    this.calls.push({ method: 'handleRsi', rec, fid });
    return { action: RsiAction.ReturnToRealm, regs: [0n, args[0] ?? 0n, 0x1_0000n] };
  }

  #getKey(buf: PhysAddr): { status: number; keySize: number } {
    const smc = this.#realmSmc;
    if (smc === undefined) {
      return this.#el3.getRealmAttestKey(buf, 4096, RmmAttestKeyCurve.EccSecp384r1);
    }
    const r = smc(SMC_RMM_ATTEST_GET_REALM_KEY, [BigInt(buf), 4096n, 0n]);
    return { status: signedFromRegister(r[0] ?? 0n), keySize: Number(r[1] ?? 0n) };
  }

  #getToken(
    buf: PhysAddr,
    challengeSize: number,
  ): { status: number; hunkSize: number; remaining: number } {
    const smc = this.#realmSmc;
    if (smc === undefined) return this.#el3.getPlatformToken(buf, 4096, challengeSize);
    const r = smc(SMC_RMM_ATTEST_GET_PLAT_TOKEN, [BigInt(buf), 4096n, BigInt(challengeSize)]);
    return {
      status: signedFromRegister(r[0] ?? 0n),
      hunkSize: Number(r[1] ?? 0n),
      remaining: Number(r[2] ?? 0n),
    };
  }
}

/** The error `f` throws, or `undefined`. */
export function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}
