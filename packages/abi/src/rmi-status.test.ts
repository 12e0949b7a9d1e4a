import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { packReturnCode, RmiStatus, rttLevelFromIndex, unpackReturnCode } from './rmi-status.ts';
import { RsiResponse, RsiRipas, RsiRipasChangeDestroyed, RsiStatus } from './rsi-status.ts';
import { SMC_UNKNOWN } from './smc.ts';

const status = fc.constantFrom(...Object.values(RmiStatus));

describe('RMI return codes (rmm-abi.md §1.2)', () => {
  it('status values', () => {
    expect(RmiStatus).toEqual({
      Success: 0,
      ErrorInput: 1,
      ErrorRealm: 2,
      ErrorRec: 3,
      ErrorRtt: 4,
    });
  });
  it('X0 = status | (index << 8)', () => {
    expect(packReturnCode(RmiStatus.Success)).toBe(0n);
    expect(packReturnCode(RmiStatus.ErrorRtt, 2)).toBe(0x204n);
    expect(packReturnCode(RmiStatus.ErrorRealm, 1)).toBe(0x102n);
    expect(packReturnCode(RmiStatus.ErrorRtt, -1)).toBe(0xff04n);
    expect(rttLevelFromIndex(0xff)).toBe(-1);
    expect(rttLevelFromIndex(3)).toBe(3);
  });
  it('rejects indices outside -1..255', () => {
    expect(() => packReturnCode(RmiStatus.ErrorRtt, 256)).toThrow(RangeError);
    expect(() => packReturnCode(RmiStatus.ErrorRtt, -2)).toThrow(RangeError);
    expect(() => packReturnCode(5 as RmiStatus, 0)).toThrow(RangeError);
  });
  it('unpack rejects what is not a 1.0 return code', () => {
    expect(unpackReturnCode(SMC_UNKNOWN)).toBeUndefined();
    expect(unpackReturnCode(0x1_0000n)).toBeUndefined();
    expect(unpackReturnCode(0x5n)).toBeUndefined();
    expect(unpackReturnCode(0xff04n)).toEqual({ status: RmiStatus.ErrorRtt, index: 0xff });
  });
  test.prop([status, fc.integer({ min: -1, max: 255 })])(
    'unpack(pack(s, i)) == { s, i & 0xff } and only bits [15:0] are used',
    (s, i) => {
      const x0 = packReturnCode(s, i);
      expect(x0 >> 16n).toBe(0n);
      expect(Number(x0 & 0xffn)).toBe(s);
      expect(Number((x0 >> 8n) & 0xffn)).toBe(i & 0xff);
      expect(unpackReturnCode(x0)).toEqual({ status: s, index: i & 0xff });
    },
  );
});

describe('RSI enums (rmm-abi.md §1.3)', () => {
  it('values', () => {
    expect(RsiStatus).toEqual({
      Success: 0,
      ErrorInput: 1,
      ErrorState: 2,
      Incomplete: 3,
      ErrorUnknown: 4,
    });
    expect(RsiResponse).toEqual({ Accept: 0, Reject: 1 });
    expect(RsiRipasChangeDestroyed).toEqual({ NoChangeDestroyed: 0, ChangeDestroyed: 1 });
    expect(RsiRipas).toEqual({ Empty: 0, Ram: 1, Destroyed: 2 });
  });
});
