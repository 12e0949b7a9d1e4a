/**
 * A fake platform for the realm side: a tiny RMM (the RSI and PSCI calls the runtime makes), a
 * host that maps RAM on first touch and emulates one MMIO device, and realm memory as a map of
 * pages. It drives {@link WorkerVcpus} the way REC_ENTER does, and also gives in-thread ports
 * (an SMC function and a GuestMemory) for tests without workers.
 * @module
 */
import { createHash } from 'node:crypto';
import {
  decodeDataAbortEsr,
  decodeHostCall,
  encodeHostCall,
  RealmHostCall,
  type RealmTrap,
  type RecView,
  recIndexFromPsciMpidr,
  SMC_RSI_ATTESTATION_TOKEN_CONTINUE,
  SMC_RSI_ATTESTATION_TOKEN_INIT,
  SMC_RSI_FEATURES,
  SMC_RSI_HOST_CALL,
  SMC_RSI_IPA_STATE_GET,
  SMC_RSI_ISLET_REALM_SEALING_KEY,
  SMC_RSI_MEASUREMENT_EXTEND,
  SMC_RSI_MEASUREMENT_READ,
  SMC_RSI_REALM_CONFIG,
  SMC_RSI_VERSION,
  SMC_UNKNOWN,
  SMC32_PSCI_CPU_OFF,
  SMC32_PSCI_SYSTEM_OFF,
  SMC32_PSCI_SYSTEM_RESET,
  SMC32_PSCI_VERSION,
  SMC64_PSCI_AFFINITY_INFO,
  SMC64_PSCI_CPU_ON,
  unpackConsoleWrite,
} from '@islet/abi';
import type { AccessSize, GuestMemory, RealmCpu, RealmMemory } from '../src/index.ts';
import { SeaError, WorkerVcpus } from '../src/index.ts';

export const PAGE = 4096;
/** IPA width of the fake realm: the unprotected half (MMIO) starts at 2^32. */
export const IPA_WIDTH = 33;
export const MMIO_BASE: number = 2 ** 32;
/** The token the fake RMM returns is this long, in chunks of at most {@link TOKEN_CHUNK}. */
export const TOKEN_SIZE = 10_000;
const TOKEN_CHUNK = 1500;
export const TOKEN_MAX_SIZE = 16_384;

/** What the fake RMM did with an SMC. */
type Step = 'done' | 'retry' | 'off';

/** The fake token for a challenge: deterministic bytes that depend on it. */
export function fakeToken(challenge: Uint8Array): Uint8Array {
  const out = new Uint8Array(TOKEN_SIZE);
  for (let i = 0; i < out.length; i++) out[i] = (challenge[i % 64]! + i * 7) & 0xff;
  return out;
}

/** The fake RMM's sealing key words. */
export const SEALING_KEY_WORDS: readonly bigint[] = [
  0x0706050403020100n,
  0x0f0e0d0c0b0a0908n,
  0x1716151413121110n,
  0x1f1e1d1c1b1a1918n,
];

export interface FakeRealmOptions {
  readonly memorySize?: number;
  /** RsiHashAlgorithm: 0 SHA-256, 1 SHA-512. */
  readonly hashAlgo?: number;
  /** Pages whose access the host answers with INJECT_SEA. */
  readonly seaPages?: readonly number[];
  /** The IPA width RSI_REALM_CONFIG reports (default {@link IPA_WIDTH}). */
  readonly ipaWidth?: number;
}

let nextRd = 0x8000_0000n;

/** A fake realm with its program at IPA 0. */
export class FakeRealm {
  readonly pages: Map<number, Uint8Array> = new Map();
  readonly measurements: Uint8Array[] = Array.from({ length: 5 }, () => new Uint8Array(64));
  readonly hashAlgo: number;
  readonly ipaWidth: number;
  readonly memorySize: number;
  readonly seaPages: ReadonlySet<number>;
  readonly rd: bigint = nextRd++;
  /** What the program wrote to the console. */
  console = '';
  exitStatus: number | undefined;
  off = false;
  /** Every trap the vCPUs returned, by REC index. */
  readonly traps: { index: number; trap: RealmTrap; pc: bigint }[] = [];
  /** MMIO stores the device saw. */
  readonly mmioWrites: { ipa: number; size: number; value: bigint }[] = [];
  /** Emulated S2 faults of RSI buffers (the RMM left the PC for the SMC to re-execute). */
  rsiFaults = 0;
  readonly recs: RecView[] = [];
  /** Each REC's boot: its index, PC and X0. */
  readonly boots: { index: number; pc: bigint; x0: bigint }[] = [];
  readonly on: Set<number> = new Set();
  #token: { bytes: Uint8Array; at: number } | undefined;
  readonly image: Uint8Array;

  constructor(program: string | Uint8Array, options: FakeRealmOptions = {}) {
    this.image = typeof program === 'string' ? new TextEncoder().encode(program) : program;
    this.memorySize = options.memorySize ?? 0x10_0000;
    this.hashAlgo = options.hashAlgo ?? 0;
    this.ipaWidth = options.ipaWidth ?? IPA_WIDTH;
    this.seaPages = new Set(options.seaPages ?? []);
    for (let at = 0; at < this.image.length; at += PAGE) {
      this.page(at).set(this.image.subarray(at, at + PAGE));
    }
    this.measurements[0]!.set(createHash('sha256').update(this.image).digest());
    this.addRec(0, 0n, [BigInt(this.image.length), BigInt(this.memorySize)]);
  }

  /** The page at `ipa`, mapped (zeroed) if it was not. */
  page(ipa: number): Uint8Array {
    const n = Math.floor(ipa / PAGE);
    let p = this.pages.get(n);
    if (p === undefined) {
      p = new Uint8Array(PAGE);
      this.pages.set(n, p);
    }
    return p;
  }

  isMapped(ipa: number): boolean {
    return this.pages.has(Math.floor(ipa / PAGE));
  }

  addRec(index: number, pc: bigint, x: readonly bigint[]): RecView {
    const gprs = new BigUint64Array(31);
    x.forEach((v, i) => {
      gprs[i] = v;
    });
    const rec: RecView = {
      index,
      mpidr: BigInt(index),
      gprs,
      pc,
      realm: { rd: this.rd, rttBase: 0n, rttLevelStart: 0, ipaWidth: IPA_WIDTH },
      injectSea: false,
    };
    this.recs[index] = rec;
    this.on.add(index);
    this.boots.push({ index, pc, x0: gprs[0]! });
    return rec;
  }

  /** What a device at {@link MMIO_BASE} answers to a load: its offset's low bits set high. */
  mmioRead(ipa: number, size: number): bigint {
    return ipa === MMIO_BASE ? 0x80n : ipa === MMIO_BASE + 8 ? 0xfffen : BigInt(size * 0x11);
  }

  /** The stage-2 port the worker vCPUs use. */
  readonly memory: RealmMemory = {
    access: (_realm, ipa, data, write) => {
      if (ipa >= MMIO_BASE || !this.isMapped(ipa)) return { fault: 'translation', level: 3 };
      const p = this.page(ipa);
      const at = ipa % PAGE;
      if (write) p.set(data, at);
      else data.set(p.subarray(at, at + data.length));
      return undefined;
    },
  };

  #read(ipa: number, length: number): Uint8Array {
    return this.page(ipa).slice(ipa % PAGE, (ipa % PAGE) + length);
  }

  #write(ipa: number, bytes: Uint8Array): void {
    this.page(ipa).set(bytes, ipa % PAGE);
  }

  /** One SMC of REC `index`, as the RMM (and the host behind its exits) completes it. */
  smc(index: number, gprs: BigUint64Array): Step {
    const fid = Number(gprs[0]! & 0xffff_ffffn);
    const x = (i: number): bigint => gprs[i]!;
    const ret = (...values: bigint[]): Step => {
      values.forEach((v, i) => {
        gprs[i] = v;
      });
      return 'done';
    };
    /** An RSI buffer the host has not mapped: an emulated S2 fault, the SMC re-executes. */
    const unmapped = (ipa: number): boolean => {
      if (this.isMapped(ipa)) return false;
      this.page(ipa);
      this.rsiFaults++;
      return true;
    };
    switch (fid) {
      case SMC_RSI_VERSION:
        return ret(x(1) === 0x10000n ? 0n : 1n, 0x10000n, 0x10000n);
      case SMC_RSI_FEATURES:
        return ret(0n, 0n);
      case SMC_RSI_MEASUREMENT_READ: {
        if (x(1) > 4n) return ret(1n);
        const v = new DataView(this.measurements[Number(x(1))]!.buffer);
        return ret(0n, ...Array.from({ length: 8 }, (_, i) => v.getBigUint64(i * 8, true)));
      }
      case SMC_RSI_MEASUREMENT_EXTEND: {
        const i = Number(x(1));
        const size = Number(x(2));
        if (i < 1 || i > 4 || size > 64) return ret(1n);
        const value = new Uint8Array(64);
        const v = new DataView(value.buffer);
        for (let w = 0; w < 8; w++) v.setBigUint64(w * 8, x(3 + w), true);
        const slot = this.measurements[i]!;
        const h = createHash('sha256').update(slot.subarray(0, 32)).update(value.subarray(0, size));
        slot.set(h.digest());
        return ret(0n);
      }
      case SMC_RSI_REALM_CONFIG: {
        const ipa = Number(x(1));
        if (unmapped(ipa)) return 'retry';
        const page = new Uint8Array(8);
        new DataView(page.buffer).setBigUint64(0, BigInt(this.ipaWidth), true);
        this.#write(ipa, page);
        this.#write(ipa + 8, Uint8Array.of(this.hashAlgo));
        return ret(0n);
      }
      case SMC_RSI_ATTESTATION_TOKEN_INIT: {
        const challenge = new Uint8Array(64);
        const v = new DataView(challenge.buffer);
        for (let w = 0; w < 8; w++) v.setBigUint64(w * 8, x(1 + w), true);
        this.#token = { bytes: fakeToken(challenge), at: 0 };
        return ret(0n, BigInt(TOKEN_MAX_SIZE));
      }
      case SMC_RSI_ATTESTATION_TOKEN_CONTINUE: {
        const token = this.#token;
        if (token === undefined) return ret(2n);
        const ipa = Number(x(1));
        const offset = Number(x(2));
        const size = Number(x(3));
        if (ipa % PAGE !== 0 || offset + size > PAGE) return ret(1n);
        if (unmapped(ipa)) return 'retry';
        const n = Math.min(size, TOKEN_CHUNK, token.bytes.length - token.at);
        this.#write(ipa + offset, token.bytes.subarray(token.at, token.at + n));
        token.at += n;
        const done = token.at === token.bytes.length;
        if (done) this.#token = undefined;
        return ret(done ? 0n : 3n, BigInt(n));
      }
      case SMC_RSI_HOST_CALL: {
        const ipa = Number(x(1));
        if (unmapped(ipa)) return 'retry';
        const call = decodeHostCall(this.#read(ipa, 0x100));
        const regs = [...call.gprs];
        if (call.imm === RealmHostCall.ConsoleWrite) {
          const bytes = unpackConsoleWrite(call.gprs);
          this.console += new TextDecoder().decode(bytes);
          regs[0] = BigInt(bytes?.length ?? 0);
        } else if (call.imm === RealmHostCall.Exit) {
          this.exitStatus = Number(BigInt.asIntN(32, call.gprs[0]!));
        } else {
          regs[0] = SMC_UNKNOWN;
        }
        this.#write(ipa, encodeHostCall({ imm: call.imm, gprs: regs }));
        return ret(0n);
      }
      case SMC_RSI_IPA_STATE_GET:
        return ret(0n, x(2), 1n);
      case SMC_RSI_ISLET_REALM_SEALING_KEY:
        return ret(0n, ...SEALING_KEY_WORDS);
      case SMC32_PSCI_VERSION:
        return ret(0x10001n);
      case SMC64_PSCI_CPU_ON: {
        const target = recIndexFromPsciMpidr(x(1));
        if (this.on.has(target)) return ret(BigInt.asUintN(64, -4n));
        this.addRec(target, x(2), [x(3)]);
        return ret(0n);
      }
      case SMC64_PSCI_AFFINITY_INFO:
        return ret(this.on.has(recIndexFromPsciMpidr(x(1))) ? 0n : 1n);
      case SMC32_PSCI_CPU_OFF:
        this.on.delete(index);
        return ret(0n);
      case SMC32_PSCI_SYSTEM_OFF:
      case SMC32_PSCI_SYSTEM_RESET:
        this.off = true;
        return 'off';
      default:
        return ret(SMC_UNKNOWN);
    }
  }

  /** REC_ENTER's loop and the host's: round-robin over the RECs that are on until SYSTEM_OFF. */
  run(vcpus: WorkerVcpus, maxTraps = 100_000): void {
    for (let n = 0, next = 0; n < maxTraps && !this.off; n++) {
      const indices = [...this.on].sort((a, b) => a - b);
      if (indices.length === 0) return;
      const index = indices[next++ % indices.length]!;
      const rec = this.recs[index]!;
      const trap = vcpus.resume(rec);
      this.traps.push({ index, trap, pc: rec.pc });
      this.#handle(rec, trap);
    }
  }

  #handle(rec: RecView, trap: RealmTrap): void {
    if (trap.kind === 'smc') {
      if (this.smc(rec.index, rec.gprs) !== 'retry') rec.pc += 4n;
      return;
    }
    if (trap.kind !== 'dataAbort') {
      rec.pc += 4n;
      return;
    }
    const esr = decodeDataAbortEsr(trap.esr);
    const ipa = Number(trap.far);
    if (this.seaPages.has(Math.floor(ipa / PAGE)) || (ipa >= MMIO_BASE && !esr.isv)) {
      rec.injectSea = true;
    } else if (ipa >= MMIO_BASE) {
      if (esr.write) {
        const mask = (1n << BigInt(esr.size * 8)) - 1n;
        this.mmioWrites.push({ ipa, size: esr.size, value: rec.gprs[esr.register]! & mask });
      } else {
        rec.gprs[esr.register] = this.mmioRead(ipa, esr.size);
      }
      rec.pc += 4n;
    } else {
      this.page(ipa);
    }
  }

  /** Runs the program on worker vCPUs until SYSTEM_OFF; returns the vCPUs (closed). */
  runOnWorkers(maxTraps?: number): WorkerVcpus {
    const vcpus = new WorkerVcpus({ memory: this.memory });
    try {
      this.run(vcpus, maxTraps);
    } finally {
      vcpus.close();
    }
    return vcpus;
  }

  /** A RealmCpu for REC `index` that runs in this thread; `halt` throws {@link Halted}. */
  cpu(index = 0): RealmCpu {
    const rec = this.recs[index]!;
    const smc = (x: readonly bigint[]): bigint[] => {
      const gprs = new BigUint64Array(31);
      x.forEach((v, i) => {
        gprs[i] = BigInt.asUintN(64, v);
      });
      while (this.smc(index, gprs) === 'retry');
      return Array.from(gprs.subarray(0, 11));
    };
    const check = (ipa: number, length: number): void => {
      for (let p = Math.floor(ipa / PAGE); p * PAGE < ipa + length; p++) {
        if (this.seaPages.has(p)) throw new SeaError(Math.max(ipa, p * PAGE));
      }
    };
    const memory: GuestMemory = {
      read: (ipa, length) => {
        check(ipa, length);
        const out = new Uint8Array(length);
        for (let i = 0; i < length; i++) out[i] = this.page(ipa + i)[(ipa + i) % PAGE]!;
        return out;
      },
      write: (ipa, bytes) => {
        check(ipa, bytes.length);
        bytes.forEach((b, i) => {
          this.page(ipa + i)[(ipa + i) % PAGE] = b;
        });
      },
      load: (ipa: number, size: AccessSize, signExtend: boolean) => {
        const v = this.mmioRead(ipa, size);
        return signExtend ? BigInt.asIntN(size * 8, v) : v;
      },
      store: (ipa, size, value) => {
        this.mmioWrites.push({ ipa, size, value });
      },
    };
    return {
      index,
      boot: { pc: rec.pc, x0: rec.gprs[0]!, x1: rec.gprs[1]! },
      smc,
      memory,
      wfi: () => undefined,
      wfe: () => undefined,
      halt: () => {
        throw new Halted();
      },
    };
  }
}

/** What an in-thread vCPU's `halt` throws, to end a test's run. */
export class Halted extends Error {
  override name = 'Halted';
}
