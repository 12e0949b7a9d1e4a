/**
 * RMI_GRANULE_DELEGATE and RMI_GRANULE_UNDELEGATE (rmm-abi.md §2.3, §2.4): success, zeroing, and
 * every failure condition of the digest and of ACS v1.0 (`acs-conditions-v10.txt`,
 * cmd_granule_delegate / cmd_granule_undelegate), all RMI_ERROR_INPUT with index 0.
 * @module
 */
import {
  GranuleState,
  RmmEl3Status,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_GRANULE_UNDELEGATE,
  World,
} from '@islet/abi';
import { IsletInvariantError } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import {
  DEVICE_PA,
  DRAM,
  REALM_PA,
  ROOT_PA,
  regs,
  SECURE_PA,
  UNTRACKED_PA,
} from './support/platform.ts';
import { setup } from './support/rmm.ts';

const PA = 0x8000_5000;
const PA_BANK1 = 0x88_8000_f000; // last granule of bank 1, above 2^32
const INPUT = [1n, 0n, 0n, 0n, 0n];
const OK = [0n, 0n, 0n, 0n, 0n];

function env() {
  const { rmm, platform } = setup();
  const delegate = (pa: number | bigint) =>
    rmm.handleRmi(SMC_RMI_GRANULE_DELEGATE, regs(BigInt(pa)));
  const undelegate = (pa: number | bigint) =>
    rmm.handleRmi(SMC_RMI_GRANULE_UNDELEGATE, regs(BigInt(pa)));
  const state = (pa: number) => rmm.granules.state(rmm.granules.find(pa));
  /** Puts a DELEGATED granule into `s`, as the not-yet-implemented commands will. */
  const into = (pa: number, s: GranuleState): bigint => {
    expect(delegate(pa)).toEqual(OK);
    rmm.granules.transition(rmm.granules.find(pa), GranuleState.Delegated, s);
    return BigInt(pa);
  };
  return { rmm, platform, delegate, undelegate, state, into };
}

describe('RMI_GRANULE_DELEGATE success', () => {
  it('UNDELEGATED → DELEGATED, GPI NS → Realm, granule zero-filled', () => {
    const { platform, delegate, state } = env();
    platform.memory.write(World.Normal, PA as never, new Uint8Array(4096).fill(0xa5));
    expect(delegate(PA)).toEqual(OK);
    expect(state(PA)).toBe(GranuleState.Delegated);
    expect(platform.gpiOf(PA)).toBe(World.Realm);
    expect(platform.raw(PA).every((b) => b === 0)).toBe(true);
    expect(platform.calls).toEqual([['delegate', PA]]);
  });

  it('works above 2^32 (bank 1) with arithmetic addresses', () => {
    const { delegate, undelegate, state, platform } = env();
    expect(delegate(PA_BANK1)).toEqual(OK);
    expect(state(PA_BANK1)).toBe(GranuleState.Delegated);
    expect(platform.gpiOf(PA_BANK1)).toBe(World.Realm);
    expect(undelegate(PA_BANK1)).toEqual(OK);
    expect(state(PA_BANK1)).toBe(GranuleState.Undelegated);
  });

  it('the host can no longer touch a delegated granule', () => {
    const { platform, delegate } = env();
    delegate(PA);
    expect(platform.memory.granule(World.Normal, PA as never)).toBeUndefined();
  });
});

describe('RMI_GRANULE_DELEGATE failure conditions (all RMI_ERROR_INPUT, index 0)', () => {
  const cases: [string, (e: ReturnType<typeof env>) => bigint][] = [
    ['gran_align ADDR_UNALIGNED (+1)', () => BigInt(PA + 1)],
    ['gran_align ADDR_UNALIGNED (+0x800)', () => BigInt(PA + 0x800)],
    ['gran_bound ADDR_DEV_MEM_MMIO', () => BigInt(DEVICE_PA)],
    ['gran_bound outside DRAM (GPT-covered, not tracked)', () => BigInt(UNTRACKED_PA)],
    ['gran_bound ADDR_OUTSIDE_OF_PERMITTED_PA (just past bank 0)', () => BigInt(0x8040_0000)],
    ['gran_bound ADDR_OUTSIDE_OF_PERMITTED_PA (2^52 - 4K)', () => 2n ** 52n - 4096n],
    ['gran_bound ADDR_OUTSIDE_OF_PERMITTED_PA (2^52)', () => 2n ** 52n],
    ['gran_bound ADDR_OUTSIDE_OF_PERMITTED_PA (2^64 - 4K)', () => 2n ** 64n - 4096n],
    ['gran_bound address 0', () => 0n],
    ['gran_state ADDR_DELEGATED', (e) => e.into(PA, GranuleState.Delegated)],
    ['gran_state ADDR_REC', (e) => e.into(PA, GranuleState.Rec)],
    ['gran_state ADDR_REC_AUX', (e) => e.into(PA, GranuleState.RecAux)],
    ['gran_state ADDR_DATA', (e) => e.into(PA, GranuleState.Data)],
    ['gran_state ADDR_RTT', (e) => e.into(PA, GranuleState.Rtt)],
    ['gran_state ADDR_RD', (e) => e.into(PA, GranuleState.Rd)],
    ['gran_gpt GRANULE_GPT_REALM', () => BigInt(REALM_PA)],
    ['gran_gpt GRANULE_GPT_SECURE', () => BigInt(SECURE_PA)],
    ['gran_gpt Root PAS', () => BigInt(ROOT_PA)],
  ];

  it.each(cases)('%s', (_name, arrange) => {
    const e = env();
    const addr = arrange(e);
    const census = e.rmm.granules.census();
    const gpi = new Map(e.platform.gpi);
    expect(e.delegate(addr)).toEqual(INPUT);
    // Nothing changed.
    expect(e.rmm.granules.census()).toEqual(census);
    expect(e.platform.gpi).toEqual(gpi);
  });

  it('state is checked before EL3 is called (TF-RMM order)', () => {
    const e = env();
    e.into(PA, GranuleState.Rd);
    e.platform.calls.length = 0;
    expect(e.delegate(PA)).toEqual(INPUT);
    expect(e.delegate(PA + 1)).toEqual(INPUT);
    expect(e.delegate(DEVICE_PA)).toEqual(INPUT);
    expect(e.platform.calls).toEqual([]);
  });

  it('an EL3 refusal (E_RMM_BAD_PAS) is detected after the state check and leaves NS', () => {
    const e = env();
    expect(e.delegate(SECURE_PA)).toEqual(INPUT);
    expect(e.platform.calls).toEqual([['delegate', SECURE_PA]]);
    expect(e.state(SECURE_PA)).toBe(GranuleState.Undelegated);
  });

  it('the index is 0 and X4 is preserved on failure', () => {
    const { rmm } = setup();
    const r = rmm.handleRmi(SMC_RMI_GRANULE_DELEGATE, regs(BigInt(PA + 1), 1n, 2n, 3n, 4n, 5n));
    expect(r).toEqual([1n, 0n, 0n, 0n, 3n]);
  });
});

describe('RMI_GRANULE_UNDELEGATE', () => {
  it('DELEGATED → UNDELEGATED, GPI Realm → NS; content stays zero', () => {
    const { delegate, undelegate, state, platform } = env();
    delegate(PA);
    expect(undelegate(PA)).toEqual(OK);
    expect(state(PA)).toBe(GranuleState.Undelegated);
    expect(platform.gpiOf(PA)).toBe(World.Normal);
    expect(platform.raw(PA).every((b) => b === 0)).toBe(true);
    expect(platform.calls).toEqual([
      ['delegate', PA],
      ['undelegate', PA],
    ]);
  });

  it('delegate → undelegate → delegate again', () => {
    const { delegate, undelegate, state } = env();
    for (let i = 0; i < 3; i++) {
      expect(delegate(PA)).toEqual(OK);
      expect(undelegate(PA)).toEqual(OK);
    }
    expect(state(PA)).toBe(GranuleState.Undelegated);
  });

  const cases: [string, (e: ReturnType<typeof env>) => bigint][] = [
    ['gran_align ADDR_UNALIGNED', (e) => e.into(PA, GranuleState.Delegated) + 8n],
    ['gran_bound ADDR_DEV_MEM_MMIO', () => BigInt(DEVICE_PA)],
    ['gran_bound outside DRAM (Realm PAS, not tracked)', () => BigInt(UNTRACKED_PA)],
    ['gran_bound ADDR_OUTSIDE_OF_PERMITTED_PA', () => 2n ** 52n],
    ['gran_bound ADDR_OUTSIDE_OF_PERMITTED_PA (2^64 - 4K)', () => 2n ** 64n - 4096n],
    ['gran_state ADDR_UNDELEGATED', () => BigInt(PA)],
    ['gran_state ADDR_UNDELEGATED in the Realm PAS', () => BigInt(REALM_PA)],
    ['gran_state ADDR_REC', (e) => e.into(PA, GranuleState.Rec)],
    ['gran_state ADDR_REC_AUX', (e) => e.into(PA, GranuleState.RecAux)],
    ['gran_state ADDR_DATA', (e) => e.into(PA, GranuleState.Data)],
    ['gran_state ADDR_RTT', (e) => e.into(PA, GranuleState.Rtt)],
    ['gran_state ADDR_RD', (e) => e.into(PA, GranuleState.Rd)],
  ];

  it.each(cases)('%s → RMI_ERROR_INPUT', (_name, arrange) => {
    const e = env();
    const addr = arrange(e);
    const census = e.rmm.granules.census();
    const gpi = new Map(e.platform.gpi);
    const calls = e.platform.calls.length;
    expect(e.undelegate(addr)).toEqual(INPUT);
    expect(e.rmm.granules.census()).toEqual(census);
    expect(e.platform.gpi).toEqual(gpi);
    expect(e.platform.calls.length).toBe(calls); // EL3 never called
  });

  it('a failing RMM_GTSI_UNDELEGATE of a DELEGATED granule is a panic (invariant)', () => {
    const e = env();
    e.delegate(PA);
    e.platform.failNextUndelegate = RmmEl3Status.BadPas;
    expect(() => e.undelegate(PA)).toThrow(IsletInvariantError);
  });

  it('a DELEGATED granule that is not zero is a broken invariant', () => {
    const e = env();
    e.delegate(PA);
    e.platform.raw(PA)[17] = 1; // behind the GPT's back
    expect(() => e.undelegate(PA)).toThrow(IsletInvariantError);
  });
});

describe('DRAM banks', () => {
  it('every granule of both banks can be found; none between them', () => {
    const { rmm } = setup();
    expect(rmm.granules.count).toBe(DRAM.reduce((n, b) => n + b.size / 4096, 0));
    expect(rmm.granules.find(DRAM[1]!.base)).toBe(DRAM[0]!.size / 4096);
    expect(rmm.granules.find(DRAM[0]!.base + DRAM[0]!.size)).toBe(-1);
  });
});
