/**
 * Islet's RSI_ISLET_REALM_SEALING_KEY (islet-reference.md §2.10) and the VHUK fetch at cold boot
 * (RMM_ISLET_GET_VHUK, §2.9): the derivation against vectors that `@islet/hes`'s
 * `deriveSealingKey` reproduces (its `sealing-key.test.ts`), the key recomputed here from the
 * packed info, its binding to the realm's RIM, and every error with nothing changed.
 * @module
 */
import {
  encodeRealmParams,
  encodeRecParams,
  RmmEl3Status,
  RsiAction,
  SMC_RMI_REALM_ACTIVATE,
  SMC_RMI_REALM_CREATE,
  SMC_RMI_REC_CREATE,
  SMC_RSI_ISLET_REALM_SEALING_KEY,
  SMC_SVE_HINT,
} from '@islet/abi';
import { fromHex, nodeCrypto, type PhysAddr, toHex } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import { realmSealingKey } from '../src/attest/sealing-key.ts';
import type { RealmVhuks } from '../src/attest/vhuk.ts';
import type { IsletRmmOptions } from '../src/rmm.ts';
import { FakePlatform } from './support/platform.ts';
import {
  OK,
  RD,
  RD2,
  REALM_PARAMS,
  REC,
  REC_PARAMS,
  RealmEnv,
  RTT2,
  realmParams,
  recParams,
} from './support/realm.ts';
import { populate, rsiEnv } from './support/rsi.ts';

const crypto = nodeCrypto();
const G = 0x1000;
const FID = SMC_RSI_ISLET_REALM_SEALING_KEY;
const X4 = 0x4444n;
const SALT = fromHex('d5775f524ace3221ce771ed274bb74a460ce3fb9749ce37d0ae6d2e907f8b54b');
const VHUKS: RealmVhuks = {
  a: Uint8Array.from({ length: 32 }, (_, i) => i),
  m: Uint8Array.from({ length: 32 }, (_, i) => 0x20 + i),
};
/** A second realm's REC and aux granules (free in the support map). */
const REC3 = 0x8018_0000;
const AUX3: readonly number[] = Array.from({ length: 16 }, (_, i) => 0x8019_0000 + i * G);
const BOOT = { cpuId: 0, ifcVersion: 0x4, numCpus: 1, sharedBuffer: 0xff00_0000 };

/** The key in X1..X4 (little-endian words). */
function keyOf(regs: ArrayLike<bigint> | undefined): string {
  const key = new Uint8Array(32);
  const v = new DataView(key.buffer);
  for (let i = 0; i < 4; i++) v.setBigUint64(i * 8, regs?.[1 + i] ?? 0n, true);
  return toHex(key);
}

/** The key recomputed from Islet's packed `KdfInfo` of a realm without metadata. */
function expected(vhuk: Uint8Array, rpv: Uint8Array, rim: Uint8Array, flags: bigint): string {
  const info = new Uint8Array(369);
  info.set(rpv, 96 + 128);
  new DataView(info.buffer).setBigUint64(96 + 128 + 64, flags, true);
  info.set(rim, 96 + 128 + 64 + 8);
  return toHex(crypto.hkdf('sha256', vhuk, SALT, info, 32));
}

describe('the derivation', () => {
  // The vectors of @islet/hes sealing-key.test.ts: VHUK_A = 00..1f, VHUK_M = 20..3f,
  // RPV = a5 x 64, RIM = 40..5f (a SHA-256 RIM, zero-padded in its slot).
  it.each([
    [0x0n, '6baec06e66f61d09fc485243a8c9ccaa4b95ea359c8f0c9078c0bbb495e4539d'],
    [0x1n, 'a2a58fa96382ed295ccd7b50e725ac8de5439aea1545c140fbe9702bb51a8bb3'],
    [0x2n, 'd905ea62c0718437d9483dd0a9185a0fab24448155890341e4d45ee6fee19149'],
    [0x3n, '624efc9dcdd61404c5bff7e9e480bc04f8afea3fa05859d96f0452d668f16369'],
  ])("equals HES's deriveSealingKey for flags %s", (flags, want) => {
    const rim = new Uint8Array(64);
    rim.set(Uint8Array.from({ length: 32 }, (_, i) => 0x40 + i));
    const rpv = new Uint8Array(64).fill(0xa5);
    expect(toHex(realmSealingKey(crypto, VHUKS, rpv, rim, flags))).toBe(want);
  });
});

describe('RSI_ISLET_REALM_SEALING_KEY(X1 flags, X2 svn)', () => {
  it.each([
    ['VHUK_A', 0x0n, VHUKS.a],
    ['VHUK_M', 0x1n, VHUKS.m],
    ['VHUK_A, RIM', 0x2n, VHUKS.a],
    ['VHUK_M, RIM', 0x3n, VHUKS.m],
  ])('%s: X0 = SUCCESS, X1..X4 = the key; the same realm always gets it', (_, flags, vhuk) => {
    const e = rsiEnv(undefined, VHUKS);
    const out = e.rsi(FID, flags, 0x77n, 0n, X4);
    expect(out.action).toBe(RsiAction.ReturnToRealm);
    expect(out.regs?.[0]).toBe(0n);
    expect(keyOf(out.regs)).toBe(
      expected(vhuk, e.realm.rpv, e.realm.measurements.slice(0, 64), flags),
    );
    expect(Array.from(e.rec.gprs.slice(1, 5))).toEqual(Array.from(out.regs!).slice(1, 5));
    // Again, with the SVE hint and another X2 (not used without metadata): the same key.
    expect(keyOf(e.rsi((FID | SMC_SVE_HINT) >>> 0, flags, 0n).regs)).toBe(keyOf(out.regs));
  });

  it('every flag word gives another key', () => {
    const e = rsiEnv(undefined, VHUKS);
    const keys = [0n, 1n, 2n, 3n].map((f) => keyOf(e.rsi(FID, f, 0n).regs));
    expect(new Set(keys).size).toBe(4);
  });

  it.each([
    ['an undefined flag bit', 0x10n, 0n, 1n],
    ['the top bit', 1n << 63n, 0n, 1n],
    ['REALM_ID (the realm has no metadata)', 0x4n, 0n, 1n],
    ['SVN (above the SVN of no metadata)', 0x8n, 0n, 1n],
    ['SVN with a large SVN', 0x9n, 2n ** 64n - 1n, 1n],
  ])('%s → RSI_ERROR_INPUT, nothing changed', (_, flags, svn, status) => {
    const e = rsiEnv(undefined, VHUKS);
    const before = e.snapshot();
    expect(e.rsi(FID, flags, svn, 0n, X4)).toEqual({
      action: RsiAction.ReturnToRealm,
      regs: [status, 0n, 0n, 0n, X4],
    });
    expect(e.snapshot()).toEqual(before);
  });

  it('without VHUKs from EL3 → RSI_ERROR_UNKNOWN', () => {
    const e = rsiEnv();
    expect(e.rsi(FID, 3n, 0n, 0n, X4)).toEqual({
      action: RsiAction.ReturnToRealm,
      regs: [4n, 0n, 0n, 0n, X4],
    });
  });
});

/** An IsletRmm booted with `vhuks` served by EL3, with the realm of support/rsi.ts. */
function booted(
  vhuks: FakePlatform['vhuks'],
  options: Partial<IsletRmmOptions> = {},
  platform = new FakePlatform(),
): RealmEnv {
  platform.vhuks = vhuks;
  const env = new RealmEnv(options, platform);
  expect(env.rmm.coldBoot(BOOT)).toBe(0);
  env.withRecGranules();
  populate(env.call.bind(env), env.writeNs.bind(env));
  return env;
}

describe('through IsletRmm: the VHUKs come from EL3 at cold boot', () => {
  it('asks for VHUK_A then VHUK_M once; the key is derived from them', () => {
    const env = booted({ 1: VHUKS.a, 2: VHUKS.m });
    expect(env.platform.vhukCalls).toEqual([1, 2]);
    const realm = env.rmm.inspect.realm(RD)!;
    const out = env.rmm.handleRsi(REC as PhysAddr, FID, [3n, 0n]);
    expect(out.regs?.[0]).toBe(0n);
    expect(keyOf(out.regs)).toBe(expected(VHUKS.m, realm.rpv, realm.rim, 3n));
    expect(env.platform.vhukCalls).toEqual([1, 2]);
  });

  it('two realms with the same RPV but different RIMs get different keys', () => {
    const env = booted({ 1: VHUKS.a, 2: VHUKS.m });
    env.delegate(RD2, RTT2, RTT2 + G, REC3, ...AUX3);
    env.writeNs(REALM_PARAMS, encodeRealmParams(realmParams({ rttBase: BigInt(RTT2), vmid: 9 })));
    expect(env.call(SMC_RMI_REALM_CREATE, RD2, REALM_PARAMS)).toEqual(OK);
    env.writeNs(REC_PARAMS, encodeRecParams(recParams({}, AUX3)));
    expect(env.call(SMC_RMI_REC_CREATE, RD2, REC3, REC_PARAMS)).toEqual(OK);
    expect(env.call(SMC_RMI_REALM_ACTIVATE, RD2)).toEqual(OK);
    const [r1, r2] = [env.rmm.inspect.realm(RD)!, env.rmm.inspect.realm(RD2)!];
    expect(r1.rpv).toEqual(r2.rpv);
    expect(r1.rim).not.toEqual(r2.rim);
    for (const flags of [0n, 1n, 2n, 3n]) {
      const k1 = keyOf(env.rmm.handleRsi(REC as PhysAddr, FID, [flags, 0n]).regs);
      const k2 = keyOf(env.rmm.handleRsi(REC3 as PhysAddr, FID, [flags, 0n]).regs);
      expect(k1).not.toBe(k2);
      expect(k2).toBe(expected(flags & 1n ? VHUKS.m : VHUKS.a, r2.rpv, r2.rim, flags));
    }
  });

  it.each([
    ['EL3 has no VHUK service', undefined],
    ['EL3 fails VHUK_M', { 1: VHUKS.a, 2: RmmEl3Status.Unknown }],
    ['EL3 refuses VHUK_A', { 1: RmmEl3Status.Inval, 2: VHUKS.m }],
    ['EL3 returns a short key', { 1: VHUKS.a, 2: VHUKS.m.subarray(0, 31) }],
  ])('%s: the boot succeeds, the realm gets RSI_ERROR_UNKNOWN', (_, vhuks) => {
    const platform = new FakePlatform();
    const { getVhuk: _omit, ...el3 } = platform.el3;
    const env = booted(vhuks ?? {}, vhuks === undefined ? { el3 } : {}, platform);
    expect(platform.vhukCalls).toEqual(vhuks === undefined ? [] : [1, 2]);
    expect(env.rmm.handleRsi(REC as PhysAddr, FID, [3n, 0n]).regs?.[0]).toBe(4n);
  });
});
