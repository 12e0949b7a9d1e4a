/**
 * The register-exact RMI path (rmm-abi.md §1.1) through `IsletRmm.handleRmi`: X4 preserved,
 * unknown and unused FIDs, the SVE hint, and the handler table against `@islet/abi`.
 * @module
 */
import {
  RMI_COMMANDS,
  RMI_FID,
  RMI_UNUSED_FIDS,
  SMC_RMI_FEATURES,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_REALM_CREATE,
  SMC_RMI_VERSION,
  SMC_SVE_HINT,
  SMC_UNKNOWN,
} from '@islet/abi';
import { IsletInvariantError } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import { createRmiDispatcher } from '../src/rmi/dispatch.ts';
import { RMI_HANDLERS } from '../src/rmi/handlers.ts';
import { rmiVersion } from '../src/rmi/system.ts';
import { FakePlatform, regs } from './support/platform.ts';
import { context, setup } from './support/rmm.ts';

const X = regs(0x10000n, 0x1111n, 0x2222n, 0xdead_beef_0000_0004n, 0x5555n, 0x6666n);
const IMPLEMENTED = new Set(RMI_HANDLERS.map((e) => e.fid));

describe('handler table', () => {
  it('lists every RMM 1.0 command, in FID order', () => {
    expect(RMI_HANDLERS.map((e) => e.name)).toEqual([
      'RMI_VERSION',
      'RMI_GRANULE_DELEGATE',
      'RMI_GRANULE_UNDELEGATE',
      'RMI_DATA_CREATE',
      'RMI_DATA_CREATE_UNKNOWN',
      'RMI_DATA_DESTROY',
      'RMI_REALM_ACTIVATE',
      'RMI_REALM_CREATE',
      'RMI_REALM_DESTROY',
      'RMI_REC_CREATE',
      'RMI_REC_DESTROY',
      'RMI_REC_ENTER',
      'RMI_RTT_CREATE',
      'RMI_RTT_DESTROY',
      'RMI_RTT_MAP_UNPROTECTED',
      'RMI_RTT_READ_ENTRY',
      'RMI_RTT_UNMAP_UNPROTECTED',
      'RMI_FEATURES',
      'RMI_RTT_FOLD',
      'RMI_REC_AUX_COUNT',
      'RMI_RTT_INIT_RIPAS',
      'RMI_RTT_SET_RIPAS',
      'RMI_PSCI_COMPLETE',
    ]);
  });

  it('states the spec arity of @islet/abi RMI_COMMANDS', () => {
    for (const e of RMI_HANDLERS) {
      const spec = RMI_COMMANDS.find((c) => c.name === e.name);
      expect(spec?.fid).toBe(e.fid);
      expect(e.argc).toBe(spec?.inputs.length);
      expect(e.retc).toBe(spec?.outputs.length);
    }
  });

  it('refuses a table with a FID twice or outside the RMI range', () => {
    const v = RMI_HANDLERS[0]!;
    expect(() => createRmiDispatcher([v, v])).toThrow(IsletInvariantError);
    expect(() => createRmiDispatcher([{ ...v, fid: 0xc400_0190 }])).toThrow(IsletInvariantError);
  });

  it('asserts a handler does not write beyond its outputs', () => {
    const d = createRmiDispatcher([{ ...RMI_HANDLERS[0]!, retc: 1, handler: rmiVersion }]);
    const ctx = context(new FakePlatform());
    expect(() => d(ctx, SMC_RMI_VERSION, X)).toThrow(IsletInvariantError);
  });
});

describe('register-exact result (rmm-abi.md §1.1)', () => {
  it('X0..X3 start at 0 and X4 is the caller’s: GRANULE_DELEGATE with a bad address', () => {
    const { rmm } = setup();
    expect(rmm.handleRmi(SMC_RMI_GRANULE_DELEGATE, X)).toEqual([1n, 0n, 0n, 0n, X[3]]);
  });

  it('RMI_VERSION writes X1 and X2 only', () => {
    const { rmm } = setup();
    expect(rmm.handleRmi(SMC_RMI_VERSION, X)).toEqual([0n, 0x10000n, 0x10000n, 0n, X[3]]);
  });

  it('RMI_FEATURES writes X1 only', () => {
    const { rmm } = setup();
    const r = rmm.handleRmi(SMC_RMI_FEATURES, regs(0n, 9n, 9n, 9n, 9n, 9n));
    expect(r).toEqual([0n, rmm.featureRegister0, 0n, 0n, 9n]);
  });

  it('returns a fresh array each call', () => {
    const { rmm } = setup();
    const a = rmm.handleRmi(SMC_RMI_VERSION, X);
    const b = rmm.handleRmi(SMC_RMI_VERSION, X);
    expect(a).not.toBe(b);
  });
});

describe('unknown FIDs: X0 = SMC_UNKNOWN, X1..X4 as the caller’s', () => {
  const unknown = [SMC_UNKNOWN, X[0], X[1], X[2], X[3]];

  it('unused slots 0x156, 0x160, 0x163', () => {
    const { rmm } = setup();
    for (const fid of RMI_UNUSED_FIDS) expect(rmm.handleRmi(fid, X)).toEqual(unknown);
  });

  it('every RMI command of RMM 1.0 is implemented', () => {
    expect(RMI_COMMANDS.filter((c) => !IMPLEMENTED.has(c.fid)).map((c) => c.name)).toEqual([]);
  });

  it('FIDs outside the RMI range and SMC32/other-owner aliases of RMI FIDs', () => {
    const { rmm } = setup();
    for (const fid of [
      RMI_FID(-1),
      RMI_FID(0x1a),
      0xc400_0190, // RSI_VERSION
      0xc400_01b0, // RMM_GTSI_DELEGATE
      0x8400_0150, // SMC32 alias of RMI_VERSION
      0xc500_0150, // other owner
      0xc480_0150, // bits [23:17] set
      0x0000_0150,
      0,
      0xffff_ffff,
      -1,
      2 ** 32,
      1.5,
      Number.NaN,
    ]) {
      expect(rmm.handleRmi(fid, X), `0x${fid.toString(16)}`).toEqual(unknown);
    }
  });
});

describe('SVE hint (FID bit 16) is stripped', () => {
  it('RMI_VERSION | SVE hint is RMI_VERSION', () => {
    const { rmm } = setup();
    expect(rmm.handleRmi((SMC_RMI_VERSION | SMC_SVE_HINT) >>> 0, X)).toEqual(
      rmm.handleRmi(SMC_RMI_VERSION, X),
    );
  });

  it('an unused FID with the hint is still unknown', () => {
    const { rmm } = setup();
    for (const fid of RMI_UNUSED_FIDS) {
      expect(rmm.handleRmi((fid | SMC_SVE_HINT) >>> 0, X)[0]).toBe(SMC_UNKNOWN);
    }
  });

  it('an implemented FID with the hint is dispatched (REALM_CREATE, bad params → INPUT)', () => {
    const { rmm } = setup();
    expect(rmm.handleRmi((SMC_RMI_REALM_CREATE | SMC_SVE_HINT) >>> 0, X)[0]).toBe(1n);
  });

  it('the hint also reaches GRANULE_DELEGATE', () => {
    const { rmm, platform } = setup();
    const r = rmm.handleRmi((SMC_RMI_GRANULE_DELEGATE | SMC_SVE_HINT) >>> 0, regs(0x8000_0000n));
    expect(r[0]).toBe(0n);
    expect(platform.calls).toEqual([['delegate', 0x8000_0000]]);
  });
});
