import { describe, expect, it } from 'vitest';
import {
  isPsciFid,
  PSCI_REALM_FIDS,
  PsciAffinityInfo,
  PsciReturnCode,
  SMC32_PSCI_AFFINITY_INFO,
  SMC32_PSCI_CPU_OFF,
  SMC32_PSCI_CPU_ON,
  SMC32_PSCI_CPU_SUSPEND,
  SMC32_PSCI_FEATURES,
  SMC32_PSCI_FID_MAX,
  SMC32_PSCI_FID_MIN,
  SMC32_PSCI_SYSTEM_OFF,
  SMC32_PSCI_SYSTEM_RESET,
  SMC32_PSCI_VERSION,
  SMC64_PSCI_AFFINITY_INFO,
  SMC64_PSCI_CPU_ON,
  SMC64_PSCI_CPU_SUSPEND,
  SMC64_PSCI_FID_MAX,
  SMC64_PSCI_FID_MIN,
} from './psci.ts';

describe('PSCI FIDs a realm uses (rmm-abi.md §1.1, §5.11)', () => {
  it('ranges', () => {
    expect(SMC32_PSCI_FID_MIN).toBe(0x84000000);
    expect(SMC32_PSCI_FID_MAX).toBe(0x84000014);
    expect(SMC64_PSCI_FID_MIN).toBe(0xc4000000);
    expect(SMC64_PSCI_FID_MAX).toBe(0xc4000014);
    expect(isPsciFid(0x84000014)).toBe(true);
    expect(isPsciFid(0x84000015)).toBe(false);
    expect(isPsciFid(0xc4000003)).toBe(true);
    expect(isPsciFid(0xc4000150)).toBe(false);
  });
  it('function IDs', () => {
    expect(SMC32_PSCI_VERSION).toBe(0x84000000);
    expect(SMC32_PSCI_CPU_SUSPEND).toBe(0x84000001);
    expect(SMC64_PSCI_CPU_SUSPEND).toBe(0xc4000001);
    expect(SMC32_PSCI_CPU_OFF).toBe(0x84000002);
    expect(SMC32_PSCI_CPU_ON).toBe(0x84000003);
    expect(SMC64_PSCI_CPU_ON).toBe(0xc4000003);
    expect(SMC32_PSCI_AFFINITY_INFO).toBe(0x84000004);
    expect(SMC64_PSCI_AFFINITY_INFO).toBe(0xc4000004);
    expect(SMC32_PSCI_SYSTEM_OFF).toBe(0x84000008);
    expect(SMC32_PSCI_SYSTEM_RESET).toBe(0x84000009);
    expect(SMC32_PSCI_FEATURES).toBe(0x8400000a);
    expect(PSCI_REALM_FIDS).toHaveLength(11);
  });
  it('return codes and affinity states', () => {
    expect(PsciReturnCode).toMatchObject({
      Success: 0,
      NotSupported: -1,
      InvalidParams: -2,
      Denied: -3,
      AlreadyOn: -4,
      InvalidAddress: -9,
    });
    expect(PsciAffinityInfo).toMatchObject({ On: 0, Off: 1 });
  });
});
