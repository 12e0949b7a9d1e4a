import {
  encodeDataAbortEsr,
  packConsoleWrite,
  packReturnCode,
  REC_RUN_HALF_SIZE,
  RealmHostCall,
  RmiRecEnterFlag,
  RmiRecExitReason,
  RmiStatus,
  SMC32_PSCI_AFFINITY_INFO,
  SMC32_PSCI_CPU_OFF,
  SMC32_PSCI_CPU_ON,
  SMC32_PSCI_CPU_SUSPEND,
  SMC32_PSCI_SYSTEM_OFF,
  SMC32_PSCI_SYSTEM_RESET,
  SMC64_PSCI_AFFINITY_INFO,
  SMC64_PSCI_CPU_ON,
} from '@islet/abi';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  type ExitInfo,
  GranuleAllocator,
  HOST_CALL_ERROR,
  launchRealm,
  type MmioDevice,
  type RealmLaunch,
  RmiCallError,
  type RunRealmOptions,
  runRealm,
} from '../src/index.ts';
import { exits, regs, type ScriptedExit, scriptedRmm } from './scripted-rmm.ts';

const image = Uint8Array.from({ length: 100 }, (_, i) => i);
const TRAP_WFX = RmiRecEnterFlag.TrapWfi | RmiRecEnterFlag.TrapWfe;
const UNPROTECTED = 1n << 39n;

/** A launched realm (4 MiB of RAM, 40-bit IPAs) on a scripted RMM; the launch's calls are cleared. */
function setup(script: ScriptedExit[], launch: Partial<RealmLaunch> = {}) {
  const ports = scriptedRmm(script);
  const granules = new GranuleAllocator(ports.dram);
  const realm = launchRealm(
    ports,
    { image, memorySize: 0x40_0000, ...launch },
    { allocator: granules },
  );
  ports.calls.length = 0;
  ports.writes.length = 0;
  const names = (): string[] => ports.calls.map((c) => c.name.replace('RMI_', ''));
  const run = (options?: RunRealmOptions) => runRealm(ports, realm, options);
  return { ports, granules, realm, names, run };
}

describe('runRealm: host calls', () => {
  test('ConsoleWrite reaches the callback and is answered n; Exit records the status', () => {
    const { ports, realm, names, run } = setup([
      exits.console('hello '),
      exits.console('realm'),
      exits.hostCall(RealmHostCall.Exit, 0xffff_ffff_ffff_fffdn, 9n),
      exits.psci(SMC32_PSCI_SYSTEM_OFF),
    ]);
    const seen: string[] = [];
    const result = run({ console: (b) => seen.push(new TextDecoder().decode(b)) });
    expect(seen).toEqual(['hello ', 'realm']);
    expect(result).toMatchObject({
      reason: 'system-off',
      exitStatus: -3,
      console: '',
      exitCount: 4,
    });
    expect(result.exits).toMatchObject({ console: 2, 'exit-status': 1, 'psci-system-off': 1 });
    expect(names()).toEqual(['REC_ENTER', 'REC_ENTER', 'REC_ENTER', 'REC_ENTER']);
    const rec = realm.recs[0]!;
    expect(ports.calls[0]!.args).toEqual([rec.rec, rec.run]);
    const [first, second, third, fourth] = ports.entered.map((e) => e.enter);
    expect(first).toMatchObject({ flags: 0n, gprs: regs(), gicv3Hcr: 0n });
    // The answer is X0 = n; the other registers go back as the realm left them.
    expect(second!.gprs).toEqual([
      6n,
      ...packConsoleWrite(new TextEncoder().encode('hello ')).slice(1),
    ]);
    expect(third!.gprs[0]).toBe(5n);
    expect(fourth!.gprs).toEqual(regs(0xffff_ffff_ffff_fffdn, 9n));
  });

  test('without a callback the output is collected and decoded once (UTF-8 split across writes)', () => {
    const bytes = new TextEncoder().encode('wörld');
    const { run } = setup([exits.console(bytes.subarray(0, 2)), exits.console(bytes.subarray(2))]);
    expect(run()).toMatchObject({ reason: 'system-off', console: 'wörld' });
  });

  test('an unknown imm or a bad console length is answered HOST_CALL_ERROR, never thrown', () => {
    const { ports, run } = setup([
      exits.hostCall(0xffff_ffff, 5n, 6n),
      exits.hostCall(3),
      exits.hostCall(RealmHostCall.ConsoleWrite, 0n),
      exits.hostCall(RealmHostCall.ConsoleWrite, 1000n, 0x41n),
      exits.hostCall(RealmHostCall.ConsoleWrite, HOST_CALL_ERROR),
    ]);
    const seen: Uint8Array[] = [];
    const result = run({ console: (b) => seen.push(b) });
    expect(seen).toEqual([]);
    expect(result.exits['host-call-invalid']).toBe(5);
    expect(ports.entered.slice(1).map((e) => e.enter.gprs[0])).toEqual(
      new Array(5).fill(HOST_CALL_ERROR),
    );
    expect(ports.entered[1]!.enter.gprs.slice(1, 3)).toEqual([6n, 0n]);
    expect(result.exitStatus).toBeUndefined();
  });

  test('other imms go to the hostCall option; what it does not serve is HOST_CALL_ERROR', () => {
    const { ports, run } = setup([exits.hostCall(3, 1n, 2n, 3n), exits.hostCall(9, 1n, 2n, 3n)]);
    const asked: [number, bigint][] = [];
    const result = run({
      hostCall: (imm, gprs) => {
        asked.push([imm, gprs[0]!]);
        return imm === 3 ? [0xc0n, 0xc1n] : undefined;
      },
    });
    expect(asked).toEqual([
      [3, 1n],
      [9, 1n],
    ]);
    expect(ports.entered[1]!.enter.gprs).toEqual(regs(0xc0n, 0xc1n, 3n));
    expect(ports.entered[2]!.enter.gprs).toEqual(regs(HOST_CALL_ERROR, 2n, 3n));
    expect(result.exits).toMatchObject({ 'host-call': 1, 'host-call-invalid': 1 });
    const tooMany = setup([exits.hostCall(5)]);
    expect(() => tooMany.run({ hostCall: () => new Array(32).fill(0n) })).toThrow(RangeError);
  });
});

describe('runRealm: data aborts', () => {
  const base = UNPROTECTED + 0x900_0000n;

  test('MMIO reads and writes go to the device that claims them, with EMUL_MMIO', () => {
    const log: unknown[] = [];
    const uart: MmioDevice = {
      base,
      size: 0x1000n,
      read: (ipa, size) => {
        log.push(['read', ipa, size]);
        return 0x1_2345_6789n; // wider than the access: truncated
      },
      write: (ipa, size, value) => log.push(['write', ipa, size, value]),
    };
    const { ports, names, run } = setup([
      exits.mmio(base + 0x10n, 4),
      exits.mmio(base + 0x21n, 1, 0x1ffn),
      exits.mmio(base + 0xffcn, 8), // runs past the window
      exits.mmio(UNPROTECTED, 4), // no device there
      exits.fault(base), // no ISV: nothing to emulate
    ]);
    const result = run({ mmio: [uart] });
    expect(log).toEqual([
      ['read', base + 0x10n, 4],
      ['write', base + 0x21n, 1, 0xffn],
    ]);
    const entries = ports.entered.map((e) => e.enter);
    expect(entries[1]).toMatchObject({ flags: RmiRecEnterFlag.EmulMmio, gprs: regs(0x2345_6789n) });
    expect(entries[2]).toMatchObject({ flags: RmiRecEnterFlag.EmulMmio, gprs: regs() });
    expect(entries.slice(3, 6).map((e) => e.flags)).toEqual(
      new Array(3).fill(RmiRecEnterFlag.InjectSea),
    );
    expect(result.exits).toMatchObject({ 'mmio-read': 1, 'mmio-write': 1, 'inject-sea': 3 });
    expect(names().every((n) => n === 'REC_ENTER')).toBe(true);
  });

  test('without devices every emulatable access reads as zero and ignores writes (counted)', () => {
    const { ports, run } = setup([exits.mmio(base, 8), exits.mmio(base, 2, 7n), exits.fault(base)]);
    const result = run();
    expect(ports.entered.slice(1).map((e) => e.enter.flags)).toEqual([
      RmiRecEnterFlag.EmulMmio,
      RmiRecEnterFlag.EmulMmio,
      RmiRecEnterFlag.InjectSea,
    ]);
    expect(result.exits).toMatchObject({ 'mmio-read': 1, 'mmio-write': 1, 'inject-sea': 1 });
  });

  test('a protected fault: delegate, DATA_CREATE_UNKNOWN, re-enter; destroy() gives it back', () => {
    const { ports, granules, realm, names, run } = setup([exits.fault(0x30_1234n)]);
    const before = realm.granules.length;
    const result = run();
    expect(names()).toEqual(['REC_ENTER', 'GRANULE_DELEGATE', 'DATA_CREATE_UNKNOWN', 'REC_ENTER']);
    const pa = ports.calls[1]!.args[0]!;
    expect(ports.calls[2]!.args).toEqual([realm.rd, pa, 0x30_1000n]);
    expect(ports.entered[1]!.enter.flags).toBe(0n); // the access is retried
    expect(result.exits['fault-in']).toBe(1);
    expect(realm.data.at(-1)).toBe(pa);
    expect(realm.granules).toHaveLength(before + 1);

    ports.calls.length = 0;
    realm.destroy();
    // Data pages go in IPA order (the image's, then the page faulted in above them).
    const destroyed = ports.calls.filter((c) => c.name === 'RMI_DATA_DESTROY');
    expect(destroyed.every((c) => c.args[0] === realm.rd)).toBe(true);
    const ipas = destroyed.map((c) => c.args[1]!);
    expect(ipas.at(-1)).toBe(0x30_1000n);
    expect(ipas).toEqual([...ipas].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    expect(
      ports.calls.filter((c) => c.name === 'RMI_GRANULE_UNDELEGATE').map((c) => c.args[0]),
    ).toContain(pa);
    expect(granules.inUse).toBe(0);
  });

  test('a fault where the plan has no tables creates them first (walk level from RMI_ERROR_RTT)', () => {
    const { ports, granules, realm, names, run } = setup([exits.fault(0x4000_0000n)]);
    let refusals = 0;
    ports.refuse = (c) =>
      c.name === 'RMI_DATA_CREATE_UNKNOWN' && refusals++ === 0
        ? [packReturnCode(RmiStatus.ErrorRtt, 1)]
        : undefined;
    run();
    expect(names()).toEqual([
      'REC_ENTER',
      'GRANULE_DELEGATE',
      'DATA_CREATE_UNKNOWN', // (RTT, 1)
      'GRANULE_DELEGATE',
      'RTT_CREATE',
      'GRANULE_DELEGATE',
      'RTT_CREATE',
      'DATA_CREATE_UNKNOWN',
      'REC_ENTER',
    ]);
    const creates = ports.calls
      .filter((c) => c.name === 'RMI_RTT_CREATE')
      .map((c) => c.args.slice(2));
    expect(creates).toEqual([
      [0x4000_0000n, 2n],
      [0x4000_0000n, 3n],
    ]);
    // The plan's level-2 table at 0 and level-3 table under the image, then the two new ones.
    expect(realm.rtts).toHaveLength(2 + 2);

    ports.calls.length = 0;
    realm.destroy();
    const destroys = ports.calls
      .filter((c) => c.name === 'RMI_RTT_DESTROY')
      .map((c) => c.args.slice(1));
    expect(destroys).toEqual([
      [0x4000_0000n, 3n],
      [0x4000_0000n, 2n],
      [0n, 3n],
      [0n, 2n],
    ]);
    expect(granules.inUse).toBe(0);
  });

  test('a fault in RAM away from the image (a level-2 block entry) gets its level-3 table (RTT, 2)', () => {
    const { ports, granules, realm, names, run } = setup([exits.fault(0x30_1234n)]);
    let refusals = 0;
    ports.refuse = (c) =>
      c.name === 'RMI_DATA_CREATE_UNKNOWN' && refusals++ === 0
        ? [packReturnCode(RmiStatus.ErrorRtt, 2)]
        : undefined;
    const result = run();
    expect(names()).toEqual([
      'REC_ENTER',
      'GRANULE_DELEGATE',
      'DATA_CREATE_UNKNOWN', // (RTT, 2)
      'GRANULE_DELEGATE',
      'RTT_CREATE',
      'DATA_CREATE_UNKNOWN',
      'REC_ENTER',
    ]);
    const pa = ports.calls[1]!.args[0]!;
    expect(ports.calls[4]!.args.slice(1)).toEqual([ports.calls[3]!.args[0], 0x20_0000n, 3n]);
    expect(ports.calls[5]!.args).toEqual([realm.rd, pa, 0x30_1000n]);
    expect(result.exits['fault-in']).toBe(1);
    expect(realm.rtts).toHaveLength(2 + 1);
    expect(realm.data.at(-1)).toBe(pa);

    ports.calls.length = 0;
    realm.destroy();
    expect(
      ports.calls.filter((c) => c.name === 'RMI_RTT_DESTROY').map((c) => c.args.slice(1)),
    ).toEqual([
      [0x20_0000n, 3n],
      [0n, 3n],
      [0n, 2n],
    ]);
    expect(granules.inUse).toBe(0);
  });

  test('a page the RMM will not back ends the run as stage2-fault; the granule goes back at once', () => {
    const { ports, granules, realm, names, run } = setup([
      exits.fault(0x30_0000n),
      exits.fault(0x30_0000n),
    ]);
    const result = run();
    expect(result).toMatchObject({ reason: 'stage2-fault', fault: { rec: 0, ipa: 0x30_0000n } });
    expect(names().slice(-3)).toEqual([
      'GRANULE_DELEGATE',
      'DATA_CREATE_UNKNOWN',
      'GRANULE_UNDELEGATE',
    ]);
    expect(ports.calls.at(-1)!.args[0]).toBe(ports.calls.at(-3)!.args[0]);
    expect(realm.data).toHaveLength(2);
    realm.destroy();
    expect(granules.inUse).toBe(0);
  });

  test('an IPA beyond the IPA space ends the run; no RMI is issued for it', () => {
    for (const hpfar of [(1n << 40n) >> 8n, 0xffff_ffff_ffff_ffffn]) {
      const { names, run } = setup([{ ...exits.fault(0n), hpfar }]);
      expect(run()).toMatchObject({ reason: 'stage2-fault', exitCount: 1 });
      expect(names()).toEqual(['REC_ENTER']);
    }
  });

  test('an external abort (SEA, or SEA on a walk) re-enters without mapping or emulating', () => {
    const sea = (dfsc: number) => ({
      exitReason: RmiRecExitReason.Sync,
      esr: (0x24n << 26n) | BigInt(dfsc),
    });
    const { names, run } = setup([sea(0x10), sea(0x13), sea(0x17)]);
    const result = run();
    expect(result.exits).toMatchObject({ 'external-abort': 3, 'fault-in': 0, 'inject-sea': 0 });
    expect(names().filter((n) => n !== 'REC_ENTER')).toEqual([]);
  });

  test('WFx and other syndromes re-enter', () => {
    const sync = (ec: number) => ({ exitReason: RmiRecExitReason.Sync, esr: BigInt(ec) << 26n });
    const { run } = setup([sync(0x01), sync(0x18), sync(0x3f)]);
    expect(run().exits).toMatchObject({ wfx: 1, 'sync-other': 2 });
  });
});

describe('runRealm: RIPAS changes', () => {
  test('accepted: RTT_SET_RIPAS from base until top, then RIPAS_RESPONSE accept', () => {
    const { ports, realm, names, run } = setup([exits.ripas(0x40_0000n, 0x80_0000n, 1)]);
    const asked: unknown[] = [];
    const result = run({
      ripas: (...a) => {
        asked.push(a);
        return 'accept';
      },
    });
    expect(asked).toEqual([[0x40_0000n, 0x80_0000n, 1]]);
    expect(names()).toEqual(['REC_ENTER', 'RTT_SET_RIPAS', 'RTT_SET_RIPAS', 'REC_ENTER']);
    const rec = realm.recs[0]!.rec;
    expect(ports.calls[1]!.args).toEqual([realm.rd, rec, 0x40_0000n, 0x80_0000n]);
    expect(ports.calls[2]!.args).toEqual([realm.rd, rec, 0x60_0000n, 0x80_0000n]);
    expect(ports.entered[1]!.enter.flags).toBe(0n);
    expect(result.exits['ripas-accept']).toBe(1);
  });

  test('rejected by the policy: no RTT_SET_RIPAS, RIPAS_RESPONSE reject', () => {
    const { ports, names, run } = setup([exits.ripas(0x40_0000n, 0x80_0000n, 0)]);
    run({ ripas: () => 'reject' });
    expect(names()).toEqual(['REC_ENTER', 'REC_ENTER']);
    expect(ports.entered[1]!.enter.flags).toBe(RmiRecEnterFlag.RipasResponse);
  });

  test('the RMM stopping short (RTT, 3) or refusing the range (INPUT) is answered reject', () => {
    const { ports, names, run } = setup([
      exits.ripas(0x40_0000n, 0x80_0000n),
      exits.ripas(0x80_0000n, 0x40_0000n), // top below base
      exits.ripas(0x1234n, 0x2000n),
    ]);
    let calls = 0;
    ports.refuse = (c) =>
      c.name === 'RMI_RTT_SET_RIPAS' && calls++ === 1
        ? [packReturnCode(RmiStatus.ErrorRtt, 3)]
        : undefined;
    const result = run();
    expect(names()).toEqual([
      'REC_ENTER',
      'RTT_SET_RIPAS',
      'RTT_SET_RIPAS',
      'REC_ENTER',
      'REC_ENTER', // nothing to do for an empty range: accepted
      'RTT_SET_RIPAS',
      'REC_ENTER',
    ]);
    expect(ports.entered.slice(1).map((e) => e.enter.flags)).toEqual([
      RmiRecEnterFlag.RipasResponse,
      0n,
      RmiRecEnterFlag.RipasResponse,
    ]);
    expect(result.exits).toMatchObject({ 'ripas-accept': 1, 'ripas-reject': 2 });
  });

  test('a range whose base needs a level-3 table gets one (RTT, 2), then the walk goes on', () => {
    // RAM away from the image is mapped by level-2 block entries: part of a block needs a table.
    const { ports, realm, names, run } = setup([exits.ripas(0x20_1000n, 0x20_3000n)]);
    let calls = 0;
    ports.refuse = (c) =>
      c.name === 'RMI_RTT_SET_RIPAS' && calls++ === 0
        ? [packReturnCode(RmiStatus.ErrorRtt, 2)]
        : undefined;
    run();
    expect(names()).toEqual([
      'REC_ENTER',
      'RTT_SET_RIPAS',
      'GRANULE_DELEGATE',
      'RTT_CREATE',
      'RTT_SET_RIPAS',
      'REC_ENTER',
    ]);
    const rec = realm.recs[0]!.rec;
    expect(ports.calls[1]!.args).toEqual([realm.rd, rec, 0x20_1000n, 0x20_3000n]);
    expect(ports.calls[3]!.args.slice(2)).toEqual([0x20_0000n, 3n]);
    expect(ports.calls[4]!.args).toEqual([realm.rd, rec, 0x20_1000n, 0x20_3000n]);
    expect(ports.entered[1]!.enter.flags).toBe(0n);
    expect(realm.rtts).toHaveLength(2 + 1);
    expect(realm.rtts.at(-1)).toBe(ports.calls[3]!.args[1]);
  });
});

describe('runRealm: PSCI and scheduling', () => {
  test('CPU_ON completes and the secondary is entered; round-robin; CPU_OFF; WFx trapped while two are on', () => {
    const { ports, realm, names, run } = setup(
      [
        exits.psci(SMC64_PSCI_CPU_ON, 1n),
        exits.psci(SMC64_PSCI_AFFINITY_INFO, 0n),
        exits.irq(),
        exits.psci(SMC32_PSCI_CPU_OFF),
        exits.psci(SMC32_PSCI_CPU_SUSPEND),
        exits.psci(SMC32_PSCI_SYSTEM_OFF),
      ],
      { vcpus: 2 },
    );
    const [r0, r1] = realm.recs.map((r) => r.rec);
    const result = run();
    expect(result).toMatchObject({ reason: 'system-off', exitCount: 6 });
    expect(names()).toEqual([
      'REC_ENTER',
      'PSCI_COMPLETE',
      'REC_ENTER',
      'PSCI_COMPLETE',
      'REC_ENTER',
      'REC_ENTER',
      'REC_ENTER',
      'REC_ENTER',
    ]);
    expect(ports.calls[1]!.args).toEqual([r0, r1, 0n]);
    expect(ports.calls[3]!.args).toEqual([r1, r0, 0n]);
    expect(ports.entered.map((e) => e.rec)).toEqual([r0, r1, r0, r1, r0, r0]);
    expect(ports.entered.map((e) => e.enter.flags)).toEqual([
      0n,
      TRAP_WFX,
      TRAP_WFX,
      TRAP_WFX,
      0n,
      0n,
    ]);
    expect(ports.calls[4]!.args[1]).toBe(realm.recs[0]!.run);
    expect(ports.calls[2]!.args[1]).toBe(realm.recs[1]!.run);
    expect(result.exits).toMatchObject({
      'psci-cpu-on': 1,
      'psci-affinity-info': 1,
      irq: 1,
      'psci-cpu-off': 1,
      'psci-other': 1,
    });
  });

  test('SYSTEM_RESET ends the run; CPU_OFF of the last REC ends it as cpus-off', () => {
    expect(setup([exits.psci(SMC32_PSCI_SYSTEM_RESET)]).run().reason).toBe('system-reset');
    expect(setup([exits.psci(SMC32_PSCI_CPU_OFF)]).run()).toMatchObject({
      reason: 'cpus-off',
      exitCount: 1,
    });
  });

  test('the FID is W0: upper bits are ignored', () => {
    const { run } = setup([exits.psci(0xdead_0000_0000 + SMC32_PSCI_SYSTEM_OFF)]);
    expect(run()).toMatchObject({ reason: 'system-off', exitCount: 1 });
  });

  test('a target that is no REC of the realm (or the caller) takes the caller off the schedule', () => {
    for (const target of [5n, 0n, 0xff_0000_0000n]) {
      const { names, run } = setup([exits.psci(SMC32_PSCI_CPU_ON, target)]);
      expect(run()).toMatchObject({ reason: 'cpus-off', exits: { 'psci-invalid': 1 } });
      expect(names()).toEqual(['REC_ENTER']);
    }
    const { names, run } = setup([exits.psci(SMC32_PSCI_AFFINITY_INFO, 2n)], { vcpus: 2 });
    expect(run().reason).toBe('cpus-off');
    expect(names()).toEqual(['REC_ENTER']);
  });
});

describe('runRealm: bounds, tracing, failures, hostile records', () => {
  test('maxExits bounds the loop', () => {
    const { names, run } = setup(Array.from({ length: 10 }, exits.irq));
    expect(run({ maxExits: 5 })).toMatchObject({
      reason: 'exit-limit',
      exitCount: 5,
      exits: { irq: 5 },
    });
    expect(names()).toEqual(new Array(5).fill('REC_ENTER'));
    expect(setup([]).run({ maxExits: 0 })).toMatchObject({ reason: 'exit-limit', exitCount: 0 });
    for (const maxExits of [-1, 1.5, Number.NaN]) {
      expect(() => setup([]).run({ maxExits })).toThrow(RangeError);
    }
  });

  test('until stops the run after the exit it accepts; the realm is left for a later run', () => {
    const { names, run } = setup(Array.from({ length: 10 }, exits.irq));
    const seen: number[] = [];
    expect(
      run({
        until: (info) => {
          seen.push(info.count);
          return info.count === 3;
        },
      }),
    ).toMatchObject({ reason: 'stopped', exitCount: 3, exits: { irq: 3 } });
    expect(seen).toEqual([1, 2, 3]);
    expect(names()).toEqual(new Array(3).fill('REC_ENTER'));
  });

  test('onExit sees every exit after it is serviced', () => {
    const seen: Omit<ExitInfo, 'exit'>[] = [];
    const { run } = setup([exits.console('x'), exits.irq()]);
    run({ onExit: ({ exit, ...info }) => seen.push(info), console: () => {} });
    expect(seen).toEqual([
      { rec: 0, kind: 'console', count: 1 },
      { rec: 0, kind: 'irq', count: 2 },
      { rec: 0, kind: 'psci-system-off', count: 3 },
    ]);
  });

  test('a refused REC_ENTER or PSCI_COMPLETE throws RmiCallError naming the command', () => {
    const a = setup([]);
    a.ports.refuse = (c) =>
      c.name === 'RMI_REC_ENTER' ? [packReturnCode(RmiStatus.ErrorRealm, 1)] : undefined;
    expect(() => a.run()).toThrowError(
      expect.objectContaining({ code: 'HOST_RMI_FAILED', command: 'RMI_REC_ENTER', index: 1 }),
    );
    const b = setup([exits.psci(SMC32_PSCI_CPU_ON, 1n)], { vcpus: 2 });
    b.ports.refuse = (c) =>
      c.name === 'RMI_PSCI_COMPLETE' ? [packReturnCode(RmiStatus.ErrorInput, 0)] : undefined;
    let error: unknown;
    try {
      b.run();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RmiCallError);
    expect((error as RmiCallError).command).toBe('RMI_PSCI_COMPLETE');
  });

  test('an exit_reason RMM 1.0 does not define is counted and re-entered', () => {
    const raw = (reason: bigint) => {
      const half = new Uint8Array(REC_RUN_HALF_SIZE);
      new DataView(half.buffer).setBigUint64(0, reason, true);
      return half;
    };
    const { run } = setup([raw(7n), raw(99n), raw(1n << 63n), raw(HOST_CALL_ERROR)]);
    expect(run()).toMatchObject({ reason: 'system-off', exits: { unknown: 4 } });
    const { run: run2 } = setup([
      { exitReason: RmiRecExitReason.Fiq },
      { exitReason: RmiRecExitReason.Serror },
    ]);
    expect(run2().exits).toMatchObject({ fiq: 1, serror: 1 });
  });

  test('any exit record: the loop never throws and counts every exit', () => {
    const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    const fids = [
      SMC32_PSCI_CPU_ON,
      SMC64_PSCI_CPU_ON,
      SMC32_PSCI_AFFINITY_INFO,
      SMC32_PSCI_CPU_OFF,
      SMC32_PSCI_CPU_SUSPEND,
      SMC32_PSCI_SYSTEM_RESET,
    ].map(BigInt);
    const reg = fc.oneof(u64, fc.bigInt({ min: 0n, max: 300n }), fc.constantFrom(...fids));
    const syndrome = fc.record({
      dfsc: fc.integer({ min: 0, max: 63 }),
      write: fc.boolean(),
      size: fc.constantFrom(1, 2, 4, 8 as const),
      isv: fc.boolean(),
    });
    const esr = fc.oneof(
      { weight: 1, arbitrary: u64 },
      {
        weight: 3,
        arbitrary: syndrome.map(({ isv, size, ...s }) =>
          encodeDataAbortEsr(isv ? { ...s, access: { size, register: 2 } } : s),
        ),
      },
    );
    const addr = fc.oneof(
      u64,
      fc.bigInt({ min: 0n, max: 1n << 41n }).map((a) => a & ~0xfffn),
    );
    const exit = fc.record({
      exitReason: fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: 0, max: 6 }) },
        { weight: 1, arbitrary: fc.integer({ min: 7, max: 2 ** 40 }) },
      ),
      esr,
      far: u64,
      // Mostly a page of the 40-bit IPA space, half protected and half not.
      hpfar: fc.oneof(
        { weight: 1, arbitrary: u64 },
        { weight: 6, arbitrary: fc.bigInt({ min: 0n, max: (1n << 28n) - 1n }).map((p) => p << 4n) },
      ),
      gprs: fc.array(reg, { minLength: 31, maxLength: 31 }),
      ripasBase: addr,
      ripasTop: addr,
      ripasValue: fc.integer({ min: 0, max: 255 }),
      imm: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0xffff_ffff })),
    });
    const device: MmioDevice = {
      base: UNPROTECTED,
      size: 0x10_0000n,
      read: () => -1n,
      write: () => {},
    };
    fc.assert(
      fc.property(fc.array(exit, { maxLength: 40 }), fc.boolean(), (script, withDevice) => {
        const { realm, granules, run } = setup(script, { vcpus: 3 });
        const result = run({
          maxExits: 40,
          console: () => {},
          ...(withDevice ? { mmio: [device] } : {}),
        });
        expect(Object.values(result.exits).reduce((a, b) => a + b, 0)).toBe(result.exitCount);
        expect(result.exitCount).toBeLessThanOrEqual(40);
        realm.destroy();
        expect(granules.inUse).toBe(0);
      }),
      { numRuns: 150 },
    );
  });
});
