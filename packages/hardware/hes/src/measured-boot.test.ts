import { fc, test as propTest } from '@fast-check/vitest';
import { concatBytes, fromHex, nodeCrypto, toHex } from '@islet/arch';
import { describe, expect, test } from 'vitest';
import { MEASUREMENT_SLOT_COUNT, MeasuredBoot } from './measured-boot.ts';
import {
  MEASUREMENT_ALGORITHM_PSA_ID,
  type Measurement,
  type MeasurementAlgorithm,
  measurementAlgorithmFromPsaId,
} from './measurement.ts';
import { ISLET_DUMMY_PROVISIONING } from './provisioning.ts';
import { PsaStatus } from './psa-status.ts';

const crypto = nodeCrypto();

// The metadata and values of Islet's measured-boot unit tests (`measured_boot/manager.rs`).
const SIGNER_64 = fromHex(
  '010501ef680788cc330654ab09017477490893a80107ef01830922cd0961b6ff'.repeat(2),
);
const VALUE_64 = fromHex(
  '8a6601f670748be233ff5d75d7ea89a8bbbbbbbbbbbbbbbb010501ef680788cc' +
    '830922cd0961b6ffbbbbbbbbbbbbbbbb564658499931cf597dbc3a4e68798a1c',
);
const VALUE_64_B = fromHex(
  '564658499931cf597dbc3a4e68798a1c010501ef680788cc830922cd0961b6ff' +
    '7dbc3a4e68798a1c010501ef680788cc8a6601f670748be2830922cd0961b6ff',
);
const BB_32 = new Uint8Array(32).fill(0xbb);
const VALUE_32_B = SIGNER_64.subarray(0, 32);

function measurement(algorithm: MeasurementAlgorithm, value: Uint8Array): Measurement {
  return {
    metadata: {
      signerId: SIGNER_64,
      swVersion: '255.255.65535\u0000',
      swType: 'MEASURED_BOOT_TESTS\u0000',
      algorithm,
    },
    value,
  };
}

function expectValue(mb: MeasuredBoot, slot: number, hex: string): void {
  const r = mb.read(slot);
  expect(r.status).toBe(PsaStatus.Success);
  if (r.status === PsaStatus.Success) {
    expect(toHex(r.measurement.value)).toBe(hex);
    expect(r.locked).toBe(false);
  }
}

describe('MeasuredBoot against Islet’s extend vectors', () => {
  test('SHA-256 slot extended with 32-byte values', () => {
    const mb = new MeasuredBoot(crypto);
    expect(mb.extend(20, measurement('sha-256', BB_32))).toBe(PsaStatus.Success);
    expectValue(mb, 20, '86bfbce7f88e77dab6bbfb923bb70e2411d374dc658db751c9bdec438f5cce54');
    const other = fromHex('75b220fd5ffcdbfc2073e4a02f8c53383c74bdf3b6ab9fb6b3d2bb7aa208c598');
    expect(mb.extend(21, measurement('sha-256', other))).toBe(PsaStatus.Success);
    expectValue(mb, 21, '848a8ca64f17546a718ee259459201be31f885f1d33f3809e6f6f1823a90045a');
    expect(mb.extend(20, measurement('sha-256', VALUE_32_B))).toBe(PsaStatus.Success);
    expectValue(mb, 20, 'd2abc126eb5c259d30339c02d7494f04e2d449be81a96039560e5690b3daaf25');
  });

  test('SHA-256 slot extended with 64-byte values', () => {
    const mb = new MeasuredBoot(crypto);
    mb.extend(22, measurement('sha-256', VALUE_64));
    expectValue(mb, 22, '75b220fd5ffcdbfc2073e4a02f8c53383c74bdf3b6ab9fb6b3d2bb7aa208c598');
    mb.extend(22, measurement('sha-256', VALUE_64_B));
    expectValue(mb, 22, '79c3b9caf77ba7f32065770409608a024fa5459c6d10a7ca593ff14d9b37e83c');
  });

  test('SHA-512 slot extended with 32-byte values', () => {
    const mb = new MeasuredBoot(crypto);
    mb.extend(23, measurement('sha-512', BB_32));
    expectValue(
      mb,
      23,
      'a634b5b6e5e9715d4788f72f1a39c3e2d2e103decfb8f8d622ccff8cb2e3e822' +
        '74316c4b8d662511cc1cf90a2456dff2b620d3bef0e0b956cf3acc78e658be40',
    );
    mb.extend(23, measurement('sha-512', VALUE_32_B));
    expectValue(
      mb,
      23,
      '532e19a7df21e77f6ae0e630dafb39678cdd745f309f1080b3fa887533310046' +
        '594f76b8fe5baec4ebe2e915024f344e88c043cd9014cdaad1c573bac34c56be',
    );
  });

  test('SHA-512 slot 31 extended with 64-byte values', () => {
    const mb = new MeasuredBoot(crypto);
    mb.extend(MEASUREMENT_SLOT_COUNT - 1, measurement('sha-512', VALUE_64));
    expectValue(
      mb,
      31,
      '8e175a1dcd79b8b51ce9e259c2568305b73f5f26f5673a8cf781a94598e44f67' +
        'fdf4926869ee7667e9120b5c1b97625cc96d347c23ce3c5f763bf1d9b54781f6',
    );
    mb.extend(31, measurement('sha-512', VALUE_64_B));
    expectValue(
      mb,
      31,
      '698fc19dc0fb93c9783152d9336f35a79a2d48db45a8d4c48c0eefcbebc0110d' +
        'a2e40f627834dd8e46a92baa23006b36c679c04e14ca913fd2dee23858d543d2',
    );
  });

  test('the dummy boot measurements land in slots 0 and 1 as in Islet’s tokens', () => {
    const mb = MeasuredBoot.fromBootMeasurements(ISLET_DUMMY_PROVISIONING.bootMeasurements, crypto);
    expectValue(mb, 0, '697de4407dae45c07506d1f00b3dbf5ce1db41f69e1750a311f91d213e119889');
    expectValue(
      mb,
      1,
      '8e175a1dcd79b8b51ce9e259c2568305b73f5f26f5673a8cf781a94598e44f67' +
        'fdf4926869ee7667e9120b5c1b97625cc96d347c23ce3c5f763bf1d9b54781f6',
    );
    const r = mb.read(1);
    if (r.status === PsaStatus.Success) {
      expect(r.measurement.metadata).toEqual(
        ISLET_DUMMY_PROVISIONING.bootMeasurements[1]!.metadata,
      );
    }
    expect(mb.read(2)).toEqual({ status: PsaStatus.DoesNotExist });
    expect(mb.current().map((m) => m.metadata.swType)).toEqual(['BL1', 'BL2']);
  });

  test('Islet’s own boot-measurement test: BL2 as a 32-byte SHA-256 value', () => {
    const bl2 = ISLET_DUMMY_PROVISIONING.bootMeasurements[1]!;
    const mb = MeasuredBoot.fromBootMeasurements(
      [
        ISLET_DUMMY_PROVISIONING.bootMeasurements[0]!,
        {
          metadata: { ...bl2.metadata, algorithm: 'sha-256' },
          value: ISLET_DUMMY_PROVISIONING.bl2SignedHash,
        },
      ],
      crypto,
    );
    expectValue(mb, 1, 'a19b4cf93289d689c8a9b7fe166b4c5c12abc112b35fba81df12f14a996f9d81');
  });
});

describe('MeasuredBoot refusals', () => {
  const m = measurement('sha-256', VALUE_64.subarray(0, 32));

  test('a locked slot is BadState', () => {
    const mb = new MeasuredBoot(crypto);
    expect(mb.extend(9, m, true)).toBe(PsaStatus.Success);
    const r = mb.read(9);
    expect(r.status === PsaStatus.Success && r.locked).toBe(true);
    expect(mb.extend(9, m)).toBe(PsaStatus.BadState);
  });

  test('lock() locks a populated slot and refuses an empty one', () => {
    const mb = new MeasuredBoot(crypto);
    expect(mb.lock(3)).toBe(PsaStatus.DoesNotExist);
    mb.extend(3, m);
    expect(mb.lock(3)).toBe(PsaStatus.Success);
    expect(mb.lock(3)).toBe(PsaStatus.Success);
    expect(mb.extend(3, m)).toBe(PsaStatus.BadState);
    expect(mb.lock(32)).toBe(PsaStatus.InvalidArgument);
  });

  test('another algorithm or signer is NotPermitted', () => {
    const mb = new MeasuredBoot(crypto);
    mb.extend(10, m);
    expect(mb.extend(10, measurement('sha-384', m.value))).toBe(PsaStatus.NotPermitted);
    const signerId = Uint8Array.from(SIGNER_64);
    signerId[13] = 13;
    expect(mb.extend(10, { ...m, metadata: { ...m.metadata, signerId } })).toBe(
      PsaStatus.NotPermitted,
    );
  });

  test('a later extend replaces the software type and version', () => {
    const mb = new MeasuredBoot(crypto);
    mb.extend(4, m);
    mb.extend(4, { ...m, metadata: { ...m.metadata, swType: 'RMM', swVersion: '1.0' } });
    const r = mb.read(4);
    expect(r.status === PsaStatus.Success && r.measurement.metadata.swType).toBe('RMM');
    expect(r.status === PsaStatus.Success && r.measurement.metadata.swVersion).toBe('1.0');
  });

  test.each([32, -1, 1.5, Number.NaN, Infinity, '3', null, undefined])(
    'slot %s is InvalidArgument',
    (slot) => {
      const mb = new MeasuredBoot(crypto);
      expect(mb.extend(slot as number, m)).toBe(PsaStatus.InvalidArgument);
      expect(mb.read(slot as number)).toEqual({ status: PsaStatus.InvalidArgument });
    },
  );

  test('an empty slot is DoesNotExist', () => {
    expect(new MeasuredBoot(crypto).read(20)).toEqual({ status: PsaStatus.DoesNotExist });
  });

  const md = m.metadata;
  test.each<[string, unknown]>([
    ['a 31-byte value', { ...m, value: new Uint8Array(31) }],
    ['a 65-byte value', { ...m, value: new Uint8Array(65) }],
    ['a 31-byte signer ID', { ...m, metadata: { ...md, signerId: new Uint8Array(31) } }],
    ['a 65-byte signer ID', { ...m, metadata: { ...md, signerId: new Uint8Array(65) } }],
    ['a 33-byte software type', { ...m, metadata: { ...md, swType: 'x'.repeat(33) } }],
    ['a 15-byte version', { ...m, metadata: { ...md, swVersion: '1.2.3.4.5.6.7.8' } }],
    ['a version of 15 UTF-8 bytes', { ...m, metadata: { ...md, swVersion: `${'1'.repeat(13)}é` } }],
    ['an unknown algorithm', { ...m, metadata: { ...md, algorithm: 'sha-1' } }],
    ['an inherited algorithm name', { ...m, metadata: { ...md, algorithm: 'toString' } }],
    ['a value that is not bytes', { ...m, value: Array.from(m.value) }],
    ['no metadata', { value: m.value }],
    ['null', null],
    ['a number', 7],
  ])('%s is InvalidArgument', (_, bad) => {
    const mb = new MeasuredBoot(crypto);
    expect(mb.extend(0, bad as Measurement)).toBe(PsaStatus.InvalidArgument);
    expect(mb.read(0)).toEqual({ status: PsaStatus.DoesNotExist });
  });

  test('more than 32 boot measurements, or a malformed one, is a provisioning error', () => {
    const many = Array.from({ length: 33 }, () => m);
    expect(() => MeasuredBoot.fromBootMeasurements(many, crypto)).toThrow(
      expect.objectContaining({ code: 'HES_PROVISIONING_INVALID' }),
    );
    expect(() =>
      MeasuredBoot.fromBootMeasurements([{ ...m, value: new Uint8Array(8) }], crypto),
    ).toThrow(expect.objectContaining({ code: 'HES_PROVISIONING_INVALID' }));
  });

  test('slots are copied in and out', () => {
    const mb = new MeasuredBoot(crypto);
    const value = Uint8Array.from(m.value);
    mb.extend(5, { ...m, value });
    const before = mb.read(5);
    value.fill(0);
    if (before.status === PsaStatus.Success) {
      before.measurement.value.fill(0);
      (before.measurement.metadata.signerId as Uint8Array).fill(0);
    }
    expect(mb.read(5)).toEqual(
      (() => {
        const fresh = new MeasuredBoot(crypto);
        fresh.extend(5, m);
        return fresh.read(5);
      })(),
    );
  });
});

describe('MeasuredBoot model', () => {
  const algorithms = fc.constantFrom<MeasurementAlgorithm>('sha-256', 'sha-384', 'sha-512');
  const hashName = { 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512' } as const;
  const lengths = { 'sha-256': 32, 'sha-384': 48, 'sha-512': 64 } as const;

  propTest.prop([
    fc.nat({ max: 31 }),
    algorithms,
    fc.array(fc.uint8Array({ minLength: 32, maxLength: 64 }), { minLength: 1, maxLength: 6 }),
  ])('a slot holds the fold of H(old ‖ value) from zeros', (slot, algorithm, values) => {
    const mb = new MeasuredBoot(crypto);
    let expected: Uint8Array = new Uint8Array(lengths[algorithm]);
    for (const value of values) {
      expect(mb.extend(slot, measurement(algorithm, value))).toBe(PsaStatus.Success);
      expected = crypto.hash(hashName[algorithm], concatBytes(expected, value));
    }
    const r = mb.read(slot);
    expect(r.status === PsaStatus.Success && toHex(r.measurement.value)).toBe(toHex(expected));
    expect(mb.current()).toHaveLength(1);
  });
});

describe('PSA algorithm identifiers', () => {
  test('map both ways', () => {
    for (const [name, id] of Object.entries(MEASUREMENT_ALGORITHM_PSA_ID)) {
      expect(measurementAlgorithmFromPsaId(id)).toBe(name);
    }
    expect(measurementAlgorithmFromPsaId(0x02000008)).toBeUndefined();
  });
});
