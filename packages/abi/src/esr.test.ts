import { describe, expect, it } from 'vitest';
import {
  DFSC_SEA,
  decodeDataAbortEsr,
  dfscTranslation,
  EsrEc,
  encodeDataAbortEsr,
  hpfarToIpa,
  isExternalAbortDfsc,
} from './esr.ts';

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

describe('external aborts and HPFAR', () => {
  it('classifies SEA on the access and on a table walk, nothing else', () => {
    const sea = [0x10, 0x13, 0x14, 0x15, 0x16, 0x17];
    for (let dfsc = 0; dfsc < 0x40; dfsc++) {
      expect(isExternalAbortDfsc(dfsc), `0x${dfsc.toString(16)}`).toBe(sea.includes(dfsc));
    }
  });

  it('turns HPFAR.FIPA into the page IPA, ignoring other bits', () => {
    expect(hpfarToIpa(0x10n)).toBe(0x1000n);
    expect(hpfarToIpa((0x8_0000_1234n >> 12n) << 4n)).toBe(0x8_0000_1000n);
    expect(hpfarToIpa(0xfn)).toBe(0n);
    expect(hpfarToIpa(2n ** 64n - 1n)).toBe(0xf_ffff_ffff_f000n);
  });
});
