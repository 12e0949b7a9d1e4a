/**
 * The RSI commands of rmm-abi.md §5 through the RSI dispatcher (`handleRsi`'s path), on an ACTIVE
 * realm (test/support/rsi.ts): every command's success path with its exact result registers, and
 * every failure condition of §5 and of the ACS RSI lines (cmd_measurement_*, cmd_realm_config,
 * cmd_ipa_state_*, cmd_host_call) with its exact status and nothing changed.
 * @module
 */
import {
  decodeRealmConfig,
  encodeHostCall,
  ISLET_RSI_COMMANDS,
  RmiRecExitReason,
  RSI_COMMANDS,
  RsiAction,
  RsiRipas,
  SMC_RSI_FEATURES,
  SMC_RSI_HOST_CALL,
  SMC_RSI_IPA_STATE_GET,
  SMC_RSI_IPA_STATE_SET,
  SMC_RSI_MEASUREMENT_EXTEND,
  SMC_RSI_MEASUREMENT_READ,
  SMC_RSI_REALM_CONFIG,
  SMC_RSI_VERSION,
  SMC_SVE_HINT,
  SMC_UNKNOWN,
  SMCCC_VERSION,
} from '@islet/abi';
import { IsletInvariantError, nodeCrypto, type PhysAddr } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import { rsiExit } from '../src/rsi/context.ts';
import { RSI_HANDLERS } from '../src/rsi/handlers.ts';
import { REC, REC2, SPARE } from './support/realm.ts';
import { IPA, PAR_END, rsiEnv } from './support/rsi.ts';

const crypto = nodeCrypto();
const X4 = 0x4444n;
const ret = (action: RsiAction, regs: readonly bigint[] | undefined) => ({ action, regs });
const back = (...regs: bigint[]) => ret(RsiAction.ReturnToRealm, regs);
/** X0 = status, X1..X3 = 0, X4 unchanged. */
const status = (s: number, x4 = 0n) => back(BigInt(s), 0n, 0n, 0n, x4);
const INPUT = (x4 = 0n) => status(1, x4);
/** The emulated stage-2 abort exit of an RSI buffer at `ipa`, walk level `level`. */
const abort = (ipa: number, level: number) => ({
  action: RsiAction.ExitToHostS2Fault,
  regs: undefined,
  exit: rsiExit({
    exitReason: RmiRecExitReason.Sync,
    esr: (0x24n << 26n) | BigInt(0x04 + level),
    hpfar: BigInt(ipa) >> 8n,
  }),
});

/** Runs `f`, expecting the env to be as it was. */
function unchanged(e: ReturnType<typeof rsiEnv>, f: () => void): void {
  const before = e.snapshot();
  f();
  expect(e.snapshot()).toEqual(before);
}

describe('the RSI table', () => {
  it('has every RSI command of RMM 1.0 and Islet with the arity of @islet/abi', () => {
    for (const c of [...RSI_COMMANDS, ...ISLET_RSI_COMMANDS]) {
      const e = RSI_HANDLERS.find((h) => h.fid === c.fid);
      expect(e, c.name).toBeDefined();
      expect([e?.name, e?.argc, e?.retc]).toEqual([c.name, c.inputs.length, c.outputs.length]);
    }
  });
});

describe('dispatch', () => {
  it('an unknown FID returns X0 = SMC_UNKNOWN and changes nothing else', () => {
    const e = rsiEnv();
    for (const fid of [0xc400_019a, 0xc400_01af, 0x8400_0190, 0xc400_0150, 0, 0xffff_ffff]) {
      unchanged(e, () => {
        expect(e.rsi(fid, 1n, 2n, 3n, X4)).toEqual(back(SMC_UNKNOWN));
      });
      expect(Array.from(e.rec.gprs.slice(0, 5))).toEqual([SMC_UNKNOWN, 1n, 2n, 3n, X4]);
    }
  });
  it('ignores the SVE hint; X4 is preserved unless an output; the call lands in the REC registers', () => {
    const e = rsiEnv();
    const out = e.rsi(
      (SMC_RSI_VERSION | SMC_SVE_HINT) >>> 0,
      0x10000n,
      7n,
      8n,
      X4,
      5n,
      6n,
      7n,
      8n,
      9n,
      10n,
    );
    expect(out).toEqual(back(0n, 0x10000n, 0x10000n, 0n, X4));
    expect(Array.from(e.rec.gprs.slice(0, 12))).toEqual([
      0n,
      0x10000n,
      0x10000n,
      0n,
      X4,
      5n,
      6n,
      7n,
      8n,
      9n,
      10n,
      0n,
    ]);
  });
  it('a call from anything but a live REC of an ACTIVE realm is an invariant violation', () => {
    const e = rsiEnv();
    for (const pa of [SPARE, 0x8000_0000, 0x1234, -1, Number.NaN]) {
      expect(() => e.rsiFrom(pa, SMC_RSI_VERSION, 0x10000n)).toThrow(IsletInvariantError);
    }
    e.realm.state = 2; // SYSTEM_OFF
    expect(() => e.rsiFrom(REC2, SMC_RSI_VERSION)).toThrow(IsletInvariantError);
  });
});

describe('RSI_VERSION, RSI_FEATURES, SMCCC_VERSION', () => {
  it('VERSION: SUCCESS for exactly 1.0, else INPUT; X1 = X2 = 0x10000', () => {
    const e = rsiEnv();
    expect(e.rsi(SMC_RSI_VERSION, 0x10000n)).toEqual(back(0n, 0x10000n, 0x10000n, 0n, 0n));
    for (const v of [0n, 0x10001n, 0x20000n, 0x1_0001_0000n]) {
      unchanged(e, () => {
        expect(e.rsi(SMC_RSI_VERSION, v, 0n, 0n, X4)).toEqual(back(1n, 0x10000n, 0x10000n, 0n, X4));
      });
    }
  });
  it('FEATURES: X1 = 0 for every index', () => {
    const e = rsiEnv();
    for (const i of [0n, 1n, 2n ** 64n - 1n]) {
      expect(e.rsi(SMC_RSI_FEATURES, i, 9n, 9n, X4)).toEqual(back(0n, 0n, 0n, 0n, X4));
    }
  });
  it('SMCCC_VERSION: 0x10002', () => {
    expect(rsiEnv().rsi(SMCCC_VERSION, 5n).regs?.[0]).toBe(0x10002n);
  });
});

describe('RSI_MEASUREMENT_READ', () => {
  it('slot 0 is the RIM, 1..4 the REMs, as 8 LE words (SHA-256: X5..X8 = 0)', () => {
    const e = rsiEnv();
    const rim = e.realm.measurements.slice(0, 64);
    expect(rim.subarray(0, 32).some((b) => b !== 0)).toBe(true);
    const v = new DataView(rim.buffer);
    const words = Array.from({ length: 8 }, (_, i) => v.getBigUint64(i * 8, true));
    expect(words.slice(4)).toEqual([0n, 0n, 0n, 0n]);
    expect(e.rsi(SMC_RSI_MEASUREMENT_READ, 0n, 1n, 1n, X4)).toEqual(back(0n, ...words));
    for (const i of [1n, 2n, 3n, 4n]) {
      expect(e.rsi(SMC_RSI_MEASUREMENT_READ, i, 1n, 1n, X4)).toEqual(
        back(0n, ...new Array(8).fill(0n)),
      );
    }
    expect(Array.from(e.rec.gprs.slice(0, 9))).toEqual(new Array(9).fill(0n));
  });
  it('index_bound: index ≥ 5 → INPUT', () => {
    const e = rsiEnv();
    for (const i of [5n, 6n, 2n ** 63n, 2n ** 64n - 1n]) {
      unchanged(e, () => {
        const out = e.rsi(SMC_RSI_MEASUREMENT_READ, i, 1n, 2n, X4);
        expect(out).toEqual(back(1n, 0n, 0n, 0n, X4, 0n, 0n, 0n, 0n));
      });
    }
  });
});

describe('RSI_MEASUREMENT_EXTEND', () => {
  // X3..X10; X4 is value[1].
  const value = [0x0706050403020100n, X4, 3n, 4n, 5n, 6n, 7n, 0xffn << 56n];
  const valueBytes = () => {
    const b = new Uint8Array(64);
    const v = new DataView(b.buffer);
    value.forEach((w, i) => {
      v.setBigUint64(i * 8, w, true);
    });
    return b;
  };
  it('REM = H(REM[0:32] || value[0:size]), size 0..64; only that REM changes', () => {
    const e = rsiEnv();
    let rem: Uint8Array = new Uint8Array(32);
    for (const [index, size] of [
      [1, 64],
      [1, 0],
      [1, 13],
      [4, 1],
    ] as const) {
      const others = [0, 1, 2, 3, 4]
        .filter((s) => s !== index)
        .map((s) => e.realm.measurements.slice(s * 64, s * 64 + 64));
      const before = e.realm.measurements.slice(index * 64, index * 64 + 32);
      expect(e.rsi(SMC_RSI_MEASUREMENT_EXTEND, index, size, ...value)).toEqual(
        back(0n, 0n, 0n, 0n, X4),
      );
      const expected = crypto.hash(
        'sha256',
        new Uint8Array([...before, ...valueBytes().subarray(0, size)]),
      );
      const slot = e.realm.measurements.slice(index * 64, index * 64 + 64);
      expect(slot.subarray(0, 32)).toEqual(expected);
      expect(slot.subarray(32).every((b) => b === 0)).toBe(true);
      expect(
        [0, 1, 2, 3, 4]
          .filter((s) => s !== index)
          .map((s) => e.realm.measurements.slice(s * 64, s * 64 + 64)),
      ).toEqual(others);
      if (index === 1) rem = expected;
    }
    // MEASUREMENT_READ returns it.
    const r = e.rsi(SMC_RSI_MEASUREMENT_READ, 1n).regs!;
    const got = new Uint8Array(64);
    for (let i = 0; i < 8; i++) new DataView(got.buffer).setBigUint64(i * 8, r[1 + i]!, true);
    expect(got.subarray(0, 32)).toEqual(rem);
  });
  it('index_bound (0, ≥ 5) and size_bound (> 64) → INPUT, nothing changed', () => {
    const e = rsiEnv();
    for (const [i, s] of [
      [0n, 1n],
      [5n, 1n],
      [2n ** 64n - 1n, 1n],
      [1n, 65n],
      [1n, 2n ** 64n - 1n],
      [0n, 65n],
    ]) {
      unchanged(e, () => {
        expect(e.rsi(SMC_RSI_MEASUREMENT_EXTEND, i!, s!, ...value)).toEqual(INPUT(X4));
      });
    }
  });
});

describe('RSI_REALM_CONFIG', () => {
  it('writes ipa_width, hash_algo and the RPV into an ASSIGNED RAM granule, nothing else', () => {
    const e = rsiEnv();
    const page = e.dataOf(1);
    page.fill(0xee);
    expect(e.rsi(SMC_RSI_REALM_CONFIG, IPA.ram2, 0n, 0n, X4)).toEqual(status(0, X4));
    const cfg = decodeRealmConfig(page);
    expect(cfg).toEqual({ ipaWidth: 40, hashAlgo: 0, rpv: new Uint8Array(64).fill(0xa5) });
    expect(page.subarray(9, 0x200).every((b) => b === 0xee)).toBe(true);
    expect(page.subarray(0x240).every((b) => b === 0xee)).toBe(true);
  });
  it('addr_align, addr_bound (unprotected, beyond 2^s2sz), RIPAS EMPTY → INPUT', () => {
    const e = rsiEnv();
    for (const a of [
      0x1008,
      0x1800,
      PAR_END,
      PAR_END + 0x1000,
      2 ** 40,
      2n ** 64n - 4096n,
      IPA.assignedEmpty,
      IPA.empty,
      IPA.l1Empty,
    ]) {
      unchanged(e, () => {
        expect(e.rsi(SMC_RSI_REALM_CONFIG, a, 0n, 0n, X4), String(a)).toEqual(INPUT(X4));
      });
    }
  });
  it('unmapped (UNASSIGNED RAM, DESTROYED; level 3 and 2) → emulated stage-2 abort', () => {
    const e = rsiEnv();
    for (const [ipa, level] of [
      [IPA.unassignedRam, 3],
      [IPA.destroyed, 3],
      [IPA.l2Ram, 2],
      [IPA.l2Ram + 0x1000, 2],
    ] as const) {
      unchanged(e, () => {
        expect(e.rsi(SMC_RSI_REALM_CONFIG, ipa, 0n, 0n, X4)).toEqual(abort(ipa, level));
      });
    }
  });
});

describe('RSI_IPA_STATE_GET (range form)', () => {
  it('reports the RIPAS run from base within the RTT, clipped to end', () => {
    const e = rsiEnv();
    const get = (b: number, t: number) => e.rsi(SMC_RSI_IPA_STATE_GET, b, t, 9n, X4);
    // [0, 0x3000) assigned RAM, 0x3000 unassigned RAM: the same RIPAS.
    expect(get(0, 0x10_0000)).toEqual(back(0n, 0x4000n, 1n, 0n, X4));
    expect(get(0x1000, 0x3000)).toEqual(back(0n, 0x3000n, 1n, 0n, X4));
    expect(get(IPA.destroyed, 0x10_0000)).toEqual(back(0n, 0x5000n, 2n, 0n, X4));
    // assigned EMPTY then unassigned EMPTY up to the end of the L3 RTT.
    expect(get(IPA.assignedEmpty, 0x40_0000)).toEqual(back(0n, 0x20_0000n, 0n, 0n, X4));
    // A level-2 block: the run starts at the aligned-down block.
    expect(get(IPA.l2Ram + 0x3000, 0x80_0000)).toEqual(back(0n, 0x60_0000n, 1n, 0n, X4));
    expect(get(0x60_0000, PAR_END)).toEqual(back(0n, 0x4000_0000n, 0n, 0n, X4));
    expect(get(IPA.l1Empty, PAR_END)).toEqual(back(0n, BigInt(PAR_END), 0n, 0n, X4));
    expect(get(PAR_END - 0x1000, PAR_END)).toEqual(back(0n, BigInt(PAR_END), 0n, 0n, X4));
  });
  it('base_align, end_align, size_valid, rgn_bound → INPUT', () => {
    const e = rsiEnv();
    for (const [b, t] of [
      [0x800, 0x2000],
      [0x1000, 0x2800],
      [0x2000, 0x2000],
      [0x3000, 0x2000],
      [0, 0],
      [PAR_END - 0x1000, PAR_END + 0x1000],
      [PAR_END, PAR_END + 0x1000],
      [0, 2n ** 64n - 4096n],
    ] as const) {
      unchanged(e, () => {
        expect(e.rsi(SMC_RSI_IPA_STATE_GET, b, t, 9n, X4), `${b} ${t}`).toEqual(INPUT(X4));
      });
    }
  });
});

describe('RSI_IPA_STATE_SET', () => {
  it('records the request and exits RIPAS_CHANGE, registers untouched until completion', () => {
    const e = rsiEnv();
    const out = e.rsi(SMC_RSI_IPA_STATE_SET, 0x1000, 0x5000, RsiRipas.Empty, 0n);
    expect(out).toEqual({
      action: RsiAction.ExitToHost,
      regs: undefined,
      exit: rsiExit({
        exitReason: RmiRecExitReason.RipasChange,
        ripasBase: 0x1000n,
        ripasTop: 0x5000n,
        ripasValue: 0,
      }),
    });
    expect(e.rec.setRipas).toEqual({
      base: 0x1000,
      top: 0x5000,
      addr: 0x1000,
      ripas: RsiRipas.Empty,
      changeDestroyed: false,
    });
    expect(Array.from(e.rec.gprs.slice(0, 5))).toEqual([
      BigInt(SMC_RSI_IPA_STATE_SET),
      0x1000n,
      0x5000n,
      0n,
      0n,
    ]);
    // CHANGE_DESTROYED only for X4 == 1.
    e.rsi(SMC_RSI_IPA_STATE_SET, 0, PAR_END, RsiRipas.Ram, 1n);
    expect(e.rec.setRipas).toMatchObject({ top: PAR_END, ripas: 1, changeDestroyed: true });
    e.rsi(SMC_RSI_IPA_STATE_SET, 0, 0x1000, RsiRipas.Ram, 3n);
    expect(e.rec.setRipas?.changeDestroyed).toBe(false);
  });
  it('ripas_valid, base_align, top_align, size_valid, rgn_bound → INPUT', () => {
    const e = rsiEnv();
    for (const [b, t, r] of [
      [0, 0x1000, 2],
      [0, 0x1000, 2n ** 64n - 1n],
      [0x800, 0x2000, 1],
      [0x1000, 0x2800, 1],
      [0x2000, 0x2000, 0],
      [0x3000, 0x2000, 0],
      [PAR_END - 0x1000, PAR_END + 0x1000, 1],
      [PAR_END, PAR_END + 0x1000, 0],
    ] as const) {
      unchanged(e, () => {
        expect(e.rsi(SMC_RSI_IPA_STATE_SET, b, t, r, X4), `${b} ${t} ${r}`).toEqual(INPUT(X4));
      });
    }
  });
});

describe('RSI_HOST_CALL', () => {
  const gprs = Array.from({ length: 31 }, (_, i) => BigInt(i) * 0x1_0000_0001n);
  it('exits HOST_CALL with imm and gprs[0..30] from realm memory; the call is pending', () => {
    const e = rsiEnv();
    e.dataOf(2).set(encodeHostCall({ imm: 0xdead_beef, gprs }), 0x300);
    const out = e.rsi(SMC_RSI_HOST_CALL, IPA.ram3 + 0x300, 0n, 0n, X4);
    expect(out).toEqual({
      action: RsiAction.ExitToHost,
      regs: undefined,
      exit: rsiExit({ exitReason: RmiRecExitReason.HostCall, imm: 0xdead_beef, gprs }),
    });
    expect(e.rec.hostCall).toBe(IPA.ram3 + 0x300);
    expect(e.rec.gprs[4]).toBe(X4);
  });
  it('addr_align (256), addr_bound, RIPAS EMPTY → INPUT', () => {
    const e = rsiEnv();
    for (const a of [
      IPA.ram + 8,
      IPA.ram + 0x80,
      IPA.ram + 0xff0,
      PAR_END,
      PAR_END + 0x100,
      IPA.assignedEmpty,
      IPA.empty + 0x100,
    ]) {
      unchanged(e, () => {
        expect(e.rsi(SMC_RSI_HOST_CALL, a, 0n, 0n, X4), String(a)).toEqual(INPUT(X4));
      });
    }
  });
  it('unmapped → emulated stage-2 abort, nothing pending', () => {
    const e = rsiEnv();
    for (const [ipa, level] of [
      [IPA.unassignedRam + 0x100, 3],
      [IPA.destroyed + 0xf00, 3],
      [IPA.l2Ram + 0x200, 2],
    ] as const) {
      unchanged(e, () => {
        expect(e.rsi(SMC_RSI_HOST_CALL, ipa)).toEqual(abort(ipa, level));
      });
    }
    expect(e.rec.hostCall).toBeUndefined();
  });
});

describe('a second REC', () => {
  it('its calls use its own registers and state', () => {
    const e = rsiEnv();
    e.rec2.runnable = true;
    expect(e.rsiFrom(REC2, SMC_RSI_IPA_STATE_SET, 0, 0x1000, 1, 0).action).toBe(
      RsiAction.ExitToHost,
    );
    expect(e.rec2.setRipas?.top).toBe(0x1000);
    expect(e.rec.setRipas).toBeUndefined();
    expect(REC as PhysAddr).not.toBe(REC2);
  });
});
