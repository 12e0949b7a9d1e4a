import { PsciReturnCode, packReturnCode, RmiStatus } from '@islet/abi';
import { describe, expect, test } from 'vitest';
import { RmiCallError, RmiDriver } from '../src/index.ts';
import { fakePorts } from './fake-ports.ts';

describe('RmiDriver', () => {
  test('a non-success status throws HOST_RMI_FAILED naming the command, status and index', () => {
    const ports = fakePorts();
    ports.answer = () => [packReturnCode(RmiStatus.ErrorRtt, 2), 0n, 0n, 0n, 0n];
    const rmi = new RmiDriver(ports);
    let error: unknown;
    try {
      rmi.rttCreate(0x8000_0000n, 0x8000_1000n, 0x20_0000n, 3);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RmiCallError);
    const e = error as RmiCallError;
    expect(e.code).toBe('HOST_RMI_FAILED');
    expect(e.shortMessage).toBe('RMI_RTT_CREATE failed: RMI_ERROR_RTT (status 4, index 2)');
    expect(e).toMatchObject({ command: 'RMI_RTT_CREATE', status: RmiStatus.ErrorRtt, index: 2 });
    expect(e.details).toBe('X1.. = 0x80000000, 0x80001000, 0x200000, 0x3');
    expect(ports.calls).toEqual([
      { name: 'RMI_RTT_CREATE', args: [0x8000_0000n, 0x8000_1000n, 0x20_0000n, 3n] },
    ]);
  });

  test('an X0 that is no return code (SMC_UNKNOWN) is reported as such', () => {
    const ports = fakePorts();
    ports.answer = () => [0xffff_ffff_ffff_ffffn];
    expect(() => new RmiDriver(ports).version()).toThrowError(
      /RMI_VERSION failed: X0 = 0xffffffffffffffff, not an RMI return code/,
    );
  });

  test('RTT_INIT_RIPAS is issued again from X1 until the whole range is done', () => {
    const ports = fakePorts();
    const calls = new RmiDriver(ports).rttInitRipas(1n, 0n, 0x50_0000n);
    expect(calls).toBe(3);
    expect(ports.calls.map((c) => c.args)).toEqual([
      [1n, 0n, 0x50_0000n],
      [1n, 0x20_0000n, 0x50_0000n],
      [1n, 0x40_0000n, 0x50_0000n],
    ]);
  });

  test('outputs are typed; level -1 is passed as all ones', () => {
    const ports = fakePorts();
    ports.answer = (c) =>
      c.name === 'RMI_RTT_READ_ENTRY' ? [0n, 3n, 1n, 0x8000_0000n, 1n] : undefined;
    const rmi = new RmiDriver(ports);
    expect(rmi.rttReadEntry(1n, 0n)).toEqual({
      walkLevel: 3,
      state: 1,
      desc: 0x8000_0000n,
      ripas: 1,
    });
    expect(rmi.recAuxCount(1n)).toBe(16);
    rmi.rttDestroy(1n, 0n, -1);
    expect(ports.calls.at(-1)!.args[2]).toBe(0xffff_ffff_ffff_ffffn);
  });

  test('the run-time commands: REC_ENTER, PSCI_COMPLETE (status as 64 bits), RTT_SET_RIPAS', () => {
    const ports = fakePorts();
    ports.answer = (c) => (c.name === 'RMI_RTT_SET_RIPAS' ? [0n, 0x20_0000n] : undefined);
    const rmi = new RmiDriver(ports);
    rmi.recEnter(0x8000_1000n, 0x8000_2000n);
    rmi.psciComplete(0x8000_1000n, 0x8000_3000n);
    rmi.psciComplete(0x8000_1000n, 0x8000_3000n, PsciReturnCode.Denied);
    expect(rmi.rttSetRipas(1n, 2n, 0x1000n, 0x40_0000n)).toBe(0x20_0000n);
    expect(ports.calls).toEqual([
      { name: 'RMI_REC_ENTER', args: [0x8000_1000n, 0x8000_2000n] },
      { name: 'RMI_PSCI_COMPLETE', args: [0x8000_1000n, 0x8000_3000n, 0n] },
      { name: 'RMI_PSCI_COMPLETE', args: [0x8000_1000n, 0x8000_3000n, 0xffff_ffff_ffff_fffdn] },
      { name: 'RMI_RTT_SET_RIPAS', args: [1n, 2n, 0x1000n, 0x40_0000n] },
    ]);
  });
});
