/**
 * The RIMs TF-RMM itself computed for the scripted RMI sequence of
 * `vectors/tf-rmm-host/rim-sequence.json`, reproduced through the measurement functions with
 * both crypto providers.
 * @module
 */
import { readFileSync } from 'node:fs';
import {
  type RealmParams,
  type RecParams,
  RmiDataMeasureContent,
  RmiHashAlgorithm,
} from '@islet/abi';
import { nobleCrypto, nodeCrypto, toHex } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import {
  MEASUREMENT_SLOT_SIZE,
  measureDataCreate,
  measurementHash,
  measureRealmCreate,
  measureRecCreate,
  measureRipas,
} from '../src/measurement/measurement.ts';

interface RimSet {
  readonly rim0: string;
  readonly rim1: string;
  readonly rim2: string;
  readonly rim2b: string;
  readonly rim3: string;
}
const vectors = JSON.parse(
  readFileSync(new URL('./vectors/tf-rmm-host/rim-sequence.json', import.meta.url), 'utf8'),
) as { readonly sha256: RimSet; readonly sha512: RimSet };

/** DATA content A: byte i = (i*5) & 0xff; B: byte i = (i*11+1) & 0xff. */
const contentA = Uint8Array.from({ length: 4096 }, (_, i) => (i * 5) & 0xff);
const contentB = Uint8Array.from({ length: 4096 }, (_, i) => (i * 11 + 1) & 0xff);

function realmParams(algo: RmiHashAlgorithm): RealmParams {
  return {
    flags: 0n,
    s2sz: 40,
    sveVl: 0,
    numBps: 1,
    numWps: 1,
    pmuNumCtrs: 0,
    hashAlgo: algo,
    rpv: new Uint8Array(64).fill(0xa5),
    vmid: 7 + algo,
    rttBase: 0x8000_0000n,
    rttLevelStart: 1,
    rttNumStart: 2,
  };
}

const aux = Array.from({ length: 16 }, (_, i) => BigInt(0x9000_0000 + i * 0x1000));
const runnableRec: RecParams = {
  flags: 1n,
  mpidr: 0n,
  pc: 0x80000n,
  gprs: [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n],
  numAux: 16,
  aux,
};

/** The RIM after each phase, in the JSON's order. */
function sequence(algo: RmiHashAlgorithm, crypto: typeof nobleCrypto): RimSet {
  const h = measurementHash(algo, crypto);
  const len = algo === RmiHashAlgorithm.Sha256 ? 32 : 64;
  const hex = (slot: Uint8Array): string => {
    // The tail of a slot beyond hash_len is always zero.
    expect(slot.length).toBe(MEASUREMENT_SLOT_SIZE);
    expect(slot.subarray(len).every((b) => b === 0)).toBe(true);
    return toHex(slot.subarray(0, len));
  };
  // REALM_CREATE
  let rim = measureRealmCreate(h, realmParams(algo));
  const rim0 = hex(rim);
  // RTTs at level 3 exist for IPA 0 and 0x200000, so RTT_INIT_RIPAS walks level-3 entries:
  // [0, 0x4000) is four 4 KiB descriptors, [0x200000, 0x201000) one.
  for (let base = 0; base < 0x4000; base += 0x1000) rim = measureRipas(h, rim, base, base + 0x1000);
  rim = measureRipas(h, rim, 0x200000, 0x201000);
  const rim1 = hex(rim);
  // DATA_CREATE ×3 (the last one not measuring its content, but still extending the RIM).
  rim = measureDataCreate(h, rim, 0, RmiDataMeasureContent.Measure, contentA);
  rim = measureDataCreate(h, rim, 0x1000, RmiDataMeasureContent.Measure, contentB);
  rim = measureDataCreate(h, rim, 0x200000, RmiDataMeasureContent.NoMeasure);
  const rim2 = hex(rim);
  // DATA_CREATE_UNKNOWN does not measure.
  const rim2b = hex(rim);
  // REC_CREATE: only the runnable REC is measured.
  rim = measureRecCreate(h, rim, runnableRec);
  const rim3 = hex(rim);
  return { rim0, rim1, rim2, rim2b, rim3 };
}

describe('TF-RMM RIM vectors (vectors/tf-rmm-host/rim-sequence.json)', () => {
  for (const [name, algo] of [
    ['sha256', RmiHashAlgorithm.Sha256],
    ['sha512', RmiHashAlgorithm.Sha512],
  ] as const) {
    for (const crypto of [nodeCrypto(), nobleCrypto]) {
      it(`${name} rim0..rim3 with ${crypto.name}`, () => {
        expect(sequence(algo, crypto)).toEqual(vectors[name]);
      });
    }
  }

  it('the measured DATA content matters, the unmeasured one does not', () => {
    const h = measurementHash(RmiHashAlgorithm.Sha256, nodeCrypto());
    const rim = new Uint8Array(64);
    const a = measureDataCreate(h, rim, 0, RmiDataMeasureContent.Measure, contentA);
    const b = measureDataCreate(h, rim, 0, RmiDataMeasureContent.Measure, contentB);
    expect(toHex(a)).not.toBe(toHex(b));
    expect(() => measureDataCreate(h, rim, 0, RmiDataMeasureContent.Measure)).toThrow(RangeError);
  });

  it('non-measured REC fields (mpidr, aux) do not change the RIM', () => {
    const h = measurementHash(RmiHashAlgorithm.Sha512, nodeCrypto());
    const rim = new Uint8Array(64).fill(7);
    const other = { ...runnableRec, mpidr: 5n, numAux: 0, aux: [] };
    expect(toHex(measureRecCreate(h, rim, other))).toBe(
      toHex(measureRecCreate(h, rim, runnableRec)),
    );
  });
});
