import { describe, expect, it } from 'vitest';
import { DFSC_SEA, decodeDataAbortEsr, dfscTranslation, EsrEc, encodeDataAbortEsr } from './esr.ts';

describe('data abort ESR', () => {
  it('encodes the documented example bit for bit', () => {
    const esr = encodeDataAbortEsr({
      dfsc: dfscTranslation(3),
      write: true,
      access: { size: 4, register: 1 },
    });
    expect(esr).toBe(0x93810047n);
  });

  it('round-trips every access size, register and direction', () => {
    for (const size of [1, 2, 4, 8] as const) {
      for (const register of [0, 5, 30]) {
        for (const write of [false, true]) {
          const esr = encodeDataAbortEsr({
            dfsc: DFSC_SEA,
            write,
            access: { size, register, signExtend: !write, sixtyFour: size === 8 },
          });
          expect(decodeDataAbortEsr(esr)).toEqual({
            ec: EsrEc.DataAbortLower,
            isv: true,
            size,
            register,
            signExtend: !write,
            sixtyFour: size === 8,
            write,
            dfsc: DFSC_SEA,
          });
        }
      }
    }
  });

  it('has no ISV and no access fields without an access', () => {
    const d = decodeDataAbortEsr(encodeDataAbortEsr({ dfsc: dfscTranslation(-1), write: false }));
    expect(d.isv).toBe(false);
    expect(d.register).toBe(0);
    expect(d.dfsc).toBe(0x2b);
    expect(dfscTranslation(0)).toBe(0x04);
    expect(dfscTranslation(2)).toBe(0x06);
  });
});
