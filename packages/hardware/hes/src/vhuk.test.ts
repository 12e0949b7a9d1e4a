import { concatBytes, nodeCrypto, toHex } from '@islet/arch';
import { describe, expect, test } from 'vitest';
import { deriveSeed, u32le, VHUK_A_SEED_LABEL, VHUK_M_SEED_LABEL } from './key-derivation.ts';
import type { Measurement } from './measurement.ts';
import { ISLET_DUMMY_PROVISIONING as P } from './provisioning.ts';
import { encodeMeasurements } from './sw-components.ts';
import { deriveVhukA, deriveVhukM } from './vhuk.ts';

const crypto = nodeCrypto();
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const material = { huk: P.huk, measurements: P.bootMeasurements, lifecycle: P.lifecycle };
const bl1 = P.bootMeasurements[0]!;
const bl2 = P.bootMeasurements[1]!;

/** BL2 with another value (a firmware update by the same authority). */
const updated: Measurement = { ...bl2, value: new Uint8Array(64).fill(7) };

describe('VHUK_A', () => {
  test('is the HUK seed over Σ(signer ID ‖ sw type) ‖ u32le(lcs)', () => {
    const context = concatBytes(
      bl1.metadata.signerId,
      ascii('BL1'),
      bl2.metadata.signerId,
      ascii('BL2'),
      u32le(0x3000),
    );
    expect(deriveVhukA(material, crypto)).toEqual(
      deriveSeed(P.huk, VHUK_A_SEED_LABEL, context, crypto),
    );
  });

  test('survives a firmware update, not a change of authority, type, lifecycle or HUK', () => {
    const a = toHex(deriveVhukA(material, crypto));
    const with_ = (m: Partial<typeof material>) =>
      toHex(deriveVhukA({ ...material, ...m }, crypto));
    expect(with_({ measurements: [bl1, updated] })).toBe(a);
    expect(
      with_({
        measurements: [
          bl1,
          { ...bl2, metadata: { ...bl2.metadata, signerId: new Uint8Array(32) } },
        ],
      }),
    ).not.toBe(a);
    expect(
      with_({ measurements: [bl1, { ...bl2, metadata: { ...bl2.metadata, swType: 'BL3' } }] }),
    ).not.toBe(a);
    expect(with_({ lifecycle: 0x4000 })).not.toBe(a);
    expect(with_({ huk: new Uint8Array(32) })).not.toBe(a);
  });
});

describe('VHUK_M', () => {
  test('is the HUK seed over CBOR(measurements) ‖ u32le(lcs)', () => {
    const context = concatBytes(encodeMeasurements(P.bootMeasurements), u32le(0x3000));
    expect(deriveVhukM(material, crypto)).toEqual(
      deriveSeed(P.huk, VHUK_M_SEED_LABEL, context, crypto),
    );
  });

  test('changes with any firmware update', () => {
    expect(deriveVhukM({ ...material, measurements: [bl1, updated] }, crypto)).not.toEqual(
      deriveVhukM(material, crypto),
    );
    expect(deriveVhukM(material, crypto)).not.toEqual(deriveVhukA(material, crypto));
  });

  test('refuses a lifecycle that is not a u32 and a short HUK', () => {
    expect(() => deriveVhukM({ ...material, lifecycle: -1 }, crypto)).toThrow(
      expect.objectContaining({ code: 'HES_ARGUMENT_INVALID' }),
    );
    expect(() => deriveVhukA({ ...material, huk: new Uint8Array(8) }, crypto)).toThrow(
      expect.objectContaining({ code: 'HES_ARGUMENT_INVALID' }),
    );
  });
});
