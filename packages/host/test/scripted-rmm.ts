/**
 * A scripted RMM over {@link fakePorts}: REC_ENTER reads the RmiRecEnter from the run page, records
 * it, and writes the next scripted RmiRecExit (a PSCI SYSTEM_OFF once the script is done);
 * RTT_SET_RIPAS advances to the next 2 MiB boundary, like one level-3 RTT per call, and refuses a
 * range that is not 4 KiB aligned (INPUT); DATA_CREATE and DATA_CREATE_UNKNOWN refuse a page that
 * is mapped already (RMI_ERROR_RTT, 3). Every SMC is recorded, so a test asserts the exact RMI
 * sequence the vCPU loop issues.
 * @module
 */
import {
  decodeRecEnter,
  encodeDataAbortEsr,
  encodeRecExit,
  packConsoleWrite,
  packReturnCode,
  REC_EXIT_OFFSET,
  REC_RUN_HALF_SIZE,
  RealmHostCall,
  type RecEnter,
  type RecExit,
  RmiRecExitReason,
  RmiStatus,
  SMC32_PSCI_SYSTEM_OFF,
} from '@islet/abi';
import { type Call, type FakePorts, fakePorts } from './fake-ports.ts';

/** One REC_ENTER as the RMM saw it. */
export interface Entered {
  readonly rec: bigint;
  readonly enter: RecEnter;
}

/** A scripted exit: fields of RmiRecExit (the rest zero), or the raw 0x800 bytes. */
export type ScriptedExit = Partial<RecExit> | Uint8Array;

export interface ScriptedRmm extends FakePorts {
  /** Every REC_ENTER, in order. */
  readonly entered: Entered[];
  /** The exits still to come. */
  readonly script: ScriptedExit[];
  /** Answers a call before the script does (return undefined to let it). */
  refuse?: (call: Call) => bigint[] | undefined;
}

const zeros = (n: number): bigint[] => new Array<bigint>(n).fill(0n);

/** A whole RmiRecExit from some of its fields. */
export function recExit(fields: Partial<RecExit>): RecExit {
  return {
    exitReason: RmiRecExitReason.Sync,
    esr: 0n,
    far: 0n,
    hpfar: 0n,
    gprs: zeros(31),
    gicv3Hcr: 0n,
    gicv3Lrs: zeros(16),
    gicv3Misr: 0n,
    gicv3Vmcr: 0n,
    cntpCtl: 0n,
    cntpCval: 0n,
    cntvCtl: 0n,
    cntvCval: 0n,
    ripasBase: 0n,
    ripasTop: 0n,
    ripasValue: 0,
    imm: 0,
    pmuOvfStatus: 0,
    ...fields,
  };
}

/** `gprs` padded to 31 registers. */
export const regs = (...values: bigint[]): bigint[] => [...values, ...zeros(31 - values.length)];

/** Exits as TF-RMM writes them. */
export const exits = {
  console: (bytes: Uint8Array | string): Partial<RecExit> => ({
    exitReason: RmiRecExitReason.HostCall,
    imm: RealmHostCall.ConsoleWrite,
    gprs: packConsoleWrite(typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes),
  }),
  hostCall: (imm: number, ...gprs: bigint[]): Partial<RecExit> => ({
    exitReason: RmiRecExitReason.HostCall,
    imm,
    gprs: regs(...gprs),
  }),
  psci: (fid: number, target = 0n): Partial<RecExit> => ({
    exitReason: RmiRecExitReason.Psci,
    gprs: regs(BigInt(fid), target),
  }),
  /** A data abort the RMM cannot serve at a protected IPA (no ISV, far = 0). */
  fault: (ipa: bigint): Partial<RecExit> => ({
    exitReason: RmiRecExitReason.Sync,
    esr: encodeDataAbortEsr({ dfsc: 0x07, write: false }),
    hpfar: (ipa >> 12n) << 4n,
  }),
  /** An emulatable access at an unprotected IPA. */
  mmio: (ipa: bigint, size: 1 | 2 | 4 | 8, write?: bigint): Partial<RecExit> => ({
    exitReason: RmiRecExitReason.Sync,
    esr: encodeDataAbortEsr({
      dfsc: 0x07,
      write: write !== undefined,
      access: { size, register: 3 },
    }),
    far: ipa & 0xfffn,
    hpfar: (ipa >> 12n) << 4n,
    gprs: regs(write ?? 0n),
  }),
  ripas: (base: bigint, top: bigint, ripasValue = 1): Partial<RecExit> => ({
    exitReason: RmiRecExitReason.RipasChange,
    ripasBase: base,
    ripasTop: top,
    ripasValue,
  }),
  irq: (): Partial<RecExit> => ({ exitReason: RmiRecExitReason.Irq }),
};

export function scriptedRmm(script: ScriptedExit[] = []): ScriptedRmm {
  const ports = fakePorts() as ScriptedRmm;
  Object.assign(ports, { entered: [], script });
  const mapped = new Set<bigint>();
  ports.answer = (call) => {
    const refused = ports.refuse?.(call);
    if (refused) return refused;
    if (call.name === 'RMI_DATA_CREATE' || call.name === 'RMI_DATA_CREATE_UNKNOWN') {
      const ipa = call.args[2] ?? 0n;
      if (mapped.has(ipa)) return [packReturnCode(RmiStatus.ErrorRtt, 3)];
      mapped.add(ipa);
    }
    if (call.name === 'RMI_DATA_DESTROY') mapped.delete(call.args[1] ?? 0n);
    if (call.name === 'RMI_REC_ENTER') {
      const [rec = 0n, run = 0n] = call.args;
      ports.entered.push({ rec, enter: decodeRecEnter(ports.memory.read(run, REC_RUN_HALF_SIZE)) });
      const next = ports.script.shift() ?? exits.psci(SMC32_PSCI_SYSTEM_OFF);
      const bytes = next instanceof Uint8Array ? next : encodeRecExit(recExit(next));
      ports.memory.write(run + BigInt(REC_EXIT_OFFSET), bytes);
      return [0n, 0n, 0n, 0n, 0n];
    }
    if (call.name === 'RMI_RTT_SET_RIPAS') {
      const [, , base = 0n, top = 0n] = call.args;
      if (top <= base || base % 0x1000n !== 0n || top % 0x1000n !== 0n) {
        return [packReturnCode(RmiStatus.ErrorInput, 0)];
      }
      const end = (base / 0x20_0000n + 1n) * 0x20_0000n;
      return [0n, end < top ? end : top, 0n, 0n, 0n];
    }
    return undefined;
  };
  return ports;
}
