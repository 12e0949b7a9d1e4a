import { describe, expect, it } from 'vitest';
import {
  abiVersion,
  abiVersionMajor,
  abiVersionMinor,
  isRmmEl3IfcVersionSupported,
  PSCI_VERSION_1_1,
  RMI_ABI_VERSION,
  RMM_EL3_IFC_VERSION_TFA_2_12,
  RMM_SPEC_REVISION,
  RSI_ABI_VERSION,
  SMCCC_VERSION_1_2,
} from './abi-version.ts';
import { GRANULE_REFCOUNT_MAX, GranuleState } from './granule-state.ts';
import { hashDigestLength, isHashAlgorithm, RmiHashAlgorithm } from './hash-algorithm.ts';
import { RealmState } from './realm-state.ts';
import { RecRunnable, RecState } from './rec-state.ts';
import { World } from './world.ts';

describe('versions (rmm-abi.md §1.4)', () => {
  it('names the spec revision', () => {
    expect(RMM_SPEC_REVISION).toBe('RMM 1.0-rel0');
  });
  it('ABI versions', () => {
    expect(RMI_ABI_VERSION).toBe(0x10000);
    expect(RSI_ABI_VERSION).toBe(0x10000);
    expect(abiVersion(1, 0)).toBe(RMI_ABI_VERSION);
    expect(SMCCC_VERSION_1_2).toBe(abiVersion(1, 2));
    expect(PSCI_VERSION_1_1).toBe(abiVersion(1, 1));
    expect(abiVersionMajor(0x7fff_1234)).toBe(0x7fff);
    expect(abiVersionMinor(0x7fff_1234)).toBe(0x1234);
    expect(() => abiVersion(0x8000, 0)).toThrow(RangeError);
  });
  it('RMM-EL3 interface version: major 0, minor >= 3', () => {
    expect(isRmmEl3IfcVersionSupported(abiVersion(0, 3))).toBe(true);
    expect(isRmmEl3IfcVersionSupported(RMM_EL3_IFC_VERSION_TFA_2_12)).toBe(true);
    expect(isRmmEl3IfcVersionSupported(abiVersion(0, 2))).toBe(false);
    expect(isRmmEl3IfcVersionSupported(abiVersion(1, 3))).toBe(false);
  });
});

describe('enumerations (rmm-abi.md §1.3, §3.7, §4)', () => {
  it('hash algorithms', () => {
    expect(RmiHashAlgorithm).toEqual({ Sha256: 0, Sha512: 1 });
    expect(isHashAlgorithm(1)).toBe(true);
    expect(isHashAlgorithm(2)).toBe(false);
    expect(hashDigestLength(RmiHashAlgorithm.Sha256)).toBe(32);
    expect(hashDigestLength(RmiHashAlgorithm.Sha512)).toBe(64);
  });
  it('granule states use TF-RMM values', () => {
    expect(GranuleState).toEqual({
      Undelegated: 0,
      Delegated: 1,
      Rd: 2,
      Rec: 3,
      RecAux: 4,
      Data: 5,
      Rtt: 6,
    });
    expect(GRANULE_REFCOUNT_MAX).toBe(2 ** 10 - 1);
  });
  it('realm and REC states', () => {
    expect(RealmState).toEqual({ New: 0, Active: 1, SystemOff: 2 });
    expect(RecState).toEqual({ Ready: 0, Running: 1 });
    expect(RecRunnable).toEqual({ NotRunnable: 0, Runnable: 1 });
  });
  it('worlds are (NSE << 1) | NS', () => {
    expect(World).toEqual({ Secure: 0, Normal: 1, Root: 2, Realm: 3 });
  });
});
