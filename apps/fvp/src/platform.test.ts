/** The composed platform, driven from the Normal world as a host would. @module */
import {
  type RmiArgs,
  type RmiResult,
  type Rmm,
  RmmBootError,
  RsiAction,
  type RsiOutcome,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_GRANULE_UNDELEGATE,
  SMC_RMI_VERSION,
  SMC_UNKNOWN,
} from '@islet/abi';
import { defaultCrypto } from '@islet/arch';
import { verifyPlatformToken } from '@islet/token';
import { describe, expect, test } from 'vitest';
import { bootPlatform } from './platform.ts';

const F = (fid: number): bigint => BigInt(fid);

describe('bootPlatform with the Islet RMM', () => {
  const p = bootPlatform();
  const granule = p.host.dram[0]!.base + 0x10_0000n;

  test('boots: firmware measured into HES, the RMM entered and ready', () => {
    expect(p.boot.rmmBootError).toBe(RmmBootError.Success);
    expect(p.boot.measurements.map((m) => m.measurement.metadata.swType)).toEqual([
      'BL31',
      'RMM',
      'BL33',
    ]);
    expect(p.parts.hes.measurements().map((m) => m.metadata.swType)).toEqual([
      'BL1',
      'BL2',
      'BL31',
      'RMM',
      'BL33',
    ]);
  });

  test('RMI_VERSION round-trips through the monitor, register for register', () => {
    expect(p.host.smc(F(SMC_RMI_VERSION), 0x10000n, 0n, 0n, 0xdeadn)).toEqual([
      0n,
      0x10000n,
      0x10000n,
      0n,
      0xdeadn,
    ]);
    expect(p.host.smc(0xc400_0156n)[0]).toBe(SMC_UNKNOWN);
    expect(p.host.smc(0x1_0000_0000n)[0]).toBe(SMC_UNKNOWN);
  });

  test('a delegated granule is Realm in the GPT and the host faults on it; undelegated it is back and zero', () => {
    p.host.memory.write(granule, new Uint8Array(64).fill(0x77));
    expect(p.host.smc(F(SMC_RMI_GRANULE_DELEGATE), granule)[0]).toBe(0n);
    expect(() => p.host.memory.read(granule, 8)).toThrowError(
      expect.objectContaining({ code: 'GRANULE_PROTECTION_FAULT' }),
    );
    expect(() => p.host.memory.write(granule, new Uint8Array(8))).toThrowError(
      expect.objectContaining({ code: 'GRANULE_PROTECTION_FAULT' }),
    );
    expect(p.host.smc(F(SMC_RMI_GRANULE_DELEGATE), granule)[0]).toBe(1n); // RMI_ERROR_INPUT: not undelegated
    expect(p.host.smc(F(SMC_RMI_GRANULE_UNDELEGATE), granule)[0]).toBe(0n);
    expect(p.host.memory.read(granule, 64)).toEqual(new Uint8Array(64));
  });

  test('the host cannot touch the RMM carve-out, EL3 or the GPT tables', () => {
    for (const pa of [0xfe00_0000n, 0xff00_0000n, 0xff80_0000n]) {
      expect(() => p.host.memory.read(pa, 1)).toThrowError(
        expect.objectContaining({ code: 'GRANULE_PROTECTION_FAULT' }),
      );
    }
    expect(() => p.host.memory.read(-1n, 1)).toThrowError(
      expect.objectContaining({ code: 'ADDRESS_OUT_OF_RANGE' }),
    );
  });

  test('the platform token HES issues verifies with the CPAK in the boot report and lists the RMM', () => {
    const token = p.parts.hes.issuePlatformToken(new Uint8Array(32).fill(1));
    const report = verifyPlatformToken(token, {
      cpak: p.boot.cpakPublicKey,
      crypto: defaultCrypto(),
    });
    expect(report.platform.swComponents.map((c) => c.type)).toEqual([
      'BL1',
      'BL2',
      'BL31',
      'RMM',
      'BL33',
    ]);
  });
});

/** A minimal alternative RMM: answers RMI_VERSION with 1.0 and nothing else. */
class VersionOnlyRmm implements Rmm {
  coldBoot(): RmmBootError {
    return RmmBootError.Success;
  }
  warmBoot(): RmmBootError {
    return RmmBootError.Success;
  }
  handleRmi(fid: number, args: RmiArgs): RmiResult {
    if (fid === SMC_RMI_VERSION) return [0n, 0x10000n, 0x10000n, 0n, args[3]];
    return [SMC_UNKNOWN, args[0], args[1], args[2], args[3]];
  }
  handleRsi(): RsiOutcome {
    return { action: RsiAction.ReturnToRealm, regs: [SMC_UNKNOWN] };
  }
}

describe('swapping the RMM', () => {
  test('another implementation of the Rmm port plugs in, and its measurement differs', () => {
    const islet = bootPlatform();
    const other = bootPlatform({
      rmm: { name: 'version-only', create: () => new VersionOnlyRmm() },
    });
    expect(other.host.smc(F(SMC_RMI_VERSION), 0x10000n)[0]).toBe(0n);
    expect(other.host.smc(F(SMC_RMI_GRANULE_DELEGATE), other.host.dram[0]!.base)[0]).toBe(
      SMC_UNKNOWN,
    );
    const rmmOf = (q: typeof islet) =>
      q.boot.measurements.find((m) => m.measurement.metadata.swType === 'RMM')!.measurement.value;
    expect(rmmOf(other)).not.toEqual(rmmOf(islet));
  });
});
