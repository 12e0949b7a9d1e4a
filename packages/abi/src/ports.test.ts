import type { PhysAddr } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import { RmmBootError, RmmEl3Status } from './el3-fid.ts';
import {
  type El3Services,
  MemoryAccess,
  type PhysMemory,
  type RmiArgs,
  type RmiResult,
  type Rmm,
  RsiAction,
  type RsiExit,
  type RsiOutcome,
  type Smc,
} from './ports.ts';
import { decodeRecExit, encodeRecExit, RmiRecExitReason } from './rec-run.ts';
import { SMC_RMI_VERSION } from './rmi-fid.ts';
import { packReturnCode, RmiStatus } from './rmi-status.ts';
import { SMC_UNKNOWN } from './smc.ts';
import { World } from './world.ts';

// The ports are types; these tests show they can be implemented and composed as documented.
describe('ports', () => {
  it('an Rmm implements the register-exact RMI return path (rmm-abi.md §1.1)', () => {
    const rmm: Rmm = {
      coldBoot: () => RmmBootError.Success,
      warmBoot: () => RmmBootError.Success,
      handleRmi(fid: number, a: RmiArgs): RmiResult {
        if (fid !== SMC_RMI_VERSION) return [SMC_UNKNOWN, a[0], a[1], a[2], a[3]];
        const ok = a[0] === 0x10000n ? RmiStatus.Success : RmiStatus.ErrorInput;
        return [packReturnCode(ok), 0x10000n, 0x10000n, 0n, a[3]];
      },
      handleRsi: () => ({ action: RsiAction.ReturnToRealm, regs: [SMC_UNKNOWN, 0n, 0n, 0n, 0n] }),
    };
    // A host-side Smc over the monitor, register file as BigUint64Array.
    const smc: Smc = (fid, args) => {
      const a = [0, 1, 2, 3, 4, 5].map((i) => args[i] ?? 0n) as unknown as RmiArgs;
      return BigUint64Array.from(rmm.handleRmi(fid, a));
    };
    const r = smc(SMC_RMI_VERSION, BigUint64Array.of(0x10000n, 0n, 0n, 0xaan));
    expect(Array.from(r)).toEqual([0n, 0x10000n, 0x10000n, 0n, 0xaan]);
    expect(smc(0xc400_0156, [1n, 2n, 3n, 4n])[0]).toBe(SMC_UNKNOWN);
  });
  it('El3Services and PhysMemory are implementable', () => {
    const el3: El3Services = {
      gtsiDelegate: () => RmmEl3Status.Ok,
      gtsiUndelegate: () => RmmEl3Status.BadPas,
      getRealmAttestKey: () => ({ status: RmmEl3Status.Ok, keySize: 48 }),
      getPlatformToken: () => ({ status: RmmEl3Status.Ok, hunkSize: 100, remaining: 0 }),
    };
    const ram = new Uint8Array(0x2000);
    const mem: PhysMemory = {
      read: (w, pa, dst) => {
        if (w !== World.Normal) return MemoryAccess.GranuleProtectionFault;
        dst.set(ram.subarray(pa, pa + dst.length));
        return MemoryAccess.Ok;
      },
      write: () => MemoryAccess.ExternalAbort,
      zero: () => MemoryAccess.ExternalAbort,
      copy: () => MemoryAccess.Ok,
      granule: (_w, pa) => ram.subarray(pa, pa + 0x1000),
    };
    expect(el3.gtsiDelegate(0x1000 as PhysAddr)).toBe(0);
    expect(mem.read(World.Realm, 0 as PhysAddr, new Uint8Array(8))).toBe(
      MemoryAccess.GranuleProtectionFault,
    );
    expect(mem.read(World.Normal, 0 as PhysAddr, new Uint8Array(8))).toBe(MemoryAccess.Ok);
    expect(RsiAction).toEqual({ ReturnToRealm: 0, ExitToHost: 1, ExitToHostS2Fault: 2 });
  });
});

describe('RsiOutcome.exit', () => {
  it('an RsiExit is the RSI-decided part of RmiRecExit and round-trips through it', () => {
    const exit: RsiExit = {
      exitReason: RmiRecExitReason.HostCall,
      esr: 0n,
      far: 0n,
      hpfar: 0n,
      gprs: Array.from({ length: 31 }, (_, i) => BigInt(i)),
      ripasBase: 0n,
      ripasTop: 0n,
      ripasValue: 0,
      imm: 0xbeef,
    };
    const outcome: RsiOutcome = { action: RsiAction.ExitToHost, regs: undefined, exit };
    // The run loop adds what it owns (GIC, timers, PMU) and writes the record.
    const rest = {
      gicv3Hcr: 0n,
      gicv3Lrs: new Array<bigint>(16).fill(0n),
      gicv3Misr: 0n,
      gicv3Vmcr: 0n,
      cntpCtl: 0n,
      cntpCval: 0n,
      cntvCtl: 0n,
      cntvCval: 0n,
      pmuOvfStatus: 0,
    };
    const decoded = decodeRecExit(encodeRecExit({ ...rest, ...outcome.exit! }));
    expect(decoded).toMatchObject(exit);
    // A stub RMM that never exits need not build one.
    const stub: RsiOutcome = { action: RsiAction.ReturnToRealm, regs: [0n] };
    expect(stub.exit).toBeUndefined();
  });
});
