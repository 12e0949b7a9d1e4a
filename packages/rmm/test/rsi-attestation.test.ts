/**
 * RSI_ATTESTATION_TOKEN_INIT / CONTINUE (rmm-abi.md §5.5, §5.6, §7): the CCA token a realm gets
 * verifies with @islet/token's `verifyCcaToken` against the CPAK that signed the platform token,
 * carries the realm's claims as of INIT in TF-RMM's claim order, and every failure condition of
 * §5.6 and of the ACS (cmd_attestation_token_continue) answers its exact status. Also end to end
 * through `IsletRmm`: cold boot fetches the RAK and the platform token from the EL3 double, the
 * realm is built through `handleRmi`, and the token is read back from realm memory.
 * @module
 */
import {
  SMC_RSI_ATTESTATION_TOKEN_CONTINUE as CONT,
  SMC_RSI_ATTESTATION_TOKEN_INIT as INIT,
  RmiRecExitReason,
  RsiAction,
  SMC_RSI_MEASUREMENT_EXTEND,
  World,
} from '@islet/abi';
import { type EcPrivateKey, nodeCrypto, type PhysAddr } from '@islet/arch';
import {
  decodeCbor,
  decodeCcaTokenParts,
  decodeCoseSign1,
  PlatformProfile,
  rakBinding,
  signPlatformToken,
  verifyCcaToken,
} from '@islet/token';
import { describe, expect, it } from 'vitest';
import type { BootAttestation } from '../src/attest/boot.ts';
import { rsiExit } from '../src/rsi/context.ts';
import { RD, REC, RealmEnv, realmParams } from './support/realm.ts';
import { D, IPA, PAR_END, populate, rsiEnv } from './support/rsi.ts';

const crypto = nodeCrypto();
const SCALAR = Uint8Array.from({ length: 48 }, (_, i) => i + 1);
const rak = crypto.ecFromPrivate('P-384', SCALAR);
const cpak: EcPrivateKey = crypto.ecGenerate('P-384');
const binding = rakBinding(rak.publicKey, 'sha-256', crypto);
const platformToken = signPlatformToken(
  {
    profile: PlatformProfile.V1,
    challenge: binding.challenge,
    implementationId: new Uint8Array(32).fill(1),
    instanceId: Uint8Array.from([1, ...new Array(32).fill(2)]),
    config: Uint8Array.of(0xcf),
    lifecycle: 0x3000,
    swComponents: [
      {
        type: 'RMM',
        measurement: new Uint8Array(32).fill(3),
        signerId: new Uint8Array(32).fill(4),
      },
    ],
    hashAlgorithm: 'sha-256',
  },
  cpak,
  crypto,
);
const attestation: BootAttestation = {
  rak,
  rakCoseKey: binding.publicKey,
  rakHash: binding.challenge,
  platformToken,
};
/** The challenge X1..X8 and its bytes. */
const CHALLENGE = Array.from({ length: 8 }, (_, i) => 0x0101_0101_0101_0101n * BigInt(i + 1));
const challengeBytes = () => {
  const b = new Uint8Array(64);
  CHALLENGE.forEach((w, i) => {
    new DataView(b.buffer).setBigUint64(i * 8, w, true);
  });
  return b;
};
const X4 = 0x4444n;
const back = (...regs: bigint[]) => ({ action: RsiAction.ReturnToRealm, regs });
const INPUT = back(1n, 0n, 0n, 0n, X4);

/** Runs CONTINUE until SUCCESS with `chunk`-byte pieces into IPA.ram2, returning the token. */
function fetchToken(
  rsi: (fid: number, ...xs: (number | bigint)[]) => { regs: unknown },
  dataOf: () => Uint8Array,
  chunk: number,
) {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < 100; i++) {
    const out = rsi(CONT, IPA.ram2, 0x10, chunk, X4).regs as bigint[];
    const n = Number(out[1]);
    parts.push(dataOf().slice(0x10, 0x10 + n));
    if (out[0] === 0n) break;
    expect(out[0]).toBe(3n); // RSI_INCOMPLETE
    expect(n).toBe(chunk);
  }
  const token = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    token.set(p, o);
    o += p.length;
  }
  return token;
}

describe('RSI_ATTESTATION_TOKEN_INIT', () => {
  it('captures the challenge and the measurements: X1 = 4096', () => {
    const e = rsiEnv(attestation);
    expect(e.rsi(INIT, ...CHALLENGE)).toEqual(back(0n, 4096n, 0n, 0n, CHALLENGE[3]!));
    expect(e.rec.attestToken?.challenge).toEqual(challengeBytes());
    expect(e.rec.attestToken?.measurements).toEqual(e.realm.measurements);
  });
  it('no RAK at boot → RSI_ERROR_UNKNOWN (and any token in progress is abandoned)', () => {
    const e = rsiEnv(undefined);
    e.rec.attestToken = {
      challenge: new Uint8Array(64),
      measurements: new Uint8Array(320),
      token: undefined,
      copied: 0,
    };
    expect(e.rsi(INIT, ...CHALLENGE)).toEqual(back(4n, 0n, 0n, 0n, CHALLENGE[3]!));
    expect(e.rec.attestToken).toBeUndefined();
    expect(e.rsi(CONT, IPA.ram2, 0, 64, X4)).toEqual(back(2n, 0n, 0n, 0n, X4));
  });
});

describe('RSI_ATTESTATION_TOKEN_CONTINUE', () => {
  it('copies the CCA token in pieces; it verifies against the CPAK and carries the realm claims', () => {
    const e = rsiEnv(attestation);
    e.rsi(INIT, ...CHALLENGE);
    const rim = e.realm.measurements.slice(0, 32);
    // A REM extended after INIT is not in this token.
    e.rsi(SMC_RSI_MEASUREMENT_EXTEND, 2, 64, 1n);
    const token = fetchToken(e.rsi, () => e.dataOf(1), 1000);
    expect(e.rec.attestToken).toBeUndefined();
    expect(Array.from(token.subarray(0, 8))).toEqual([
      0xd9, 0x01, 0x8f, 0xa2, 0x19, 0xac, 0xca, 0x59,
    ]);
    const report = verifyCcaToken(token, {
      crypto,
      cpak: cpak.publicKey,
      expectedChallenge: challengeBytes(),
    });
    expect(report.form).toBe(399);
    expect(new Uint8Array(report.platformToken)).toEqual(platformToken);
    expect(report.realm).toEqual({
      profile: 'tag:arm.com,2023:realm#1.0.0',
      challenge: challengeBytes(),
      personalizationValue: new Uint8Array(64).fill(0xa5),
      hashAlgorithm: 'sha-256',
      publicKey: binding.publicKey,
      initialMeasurement: rim,
      extensibleMeasurements: [0, 0, 0, 0].map(() => new Uint8Array(32)),
      publicKeyHashAlgorithm: 'sha-256',
    });
    expect(report.rak).toEqual(rak.publicKey);
    // TF-RMM's exact realm token layout: protected A1 01 38 22, payload A8 with the claims in
    // insertion order 10, 44235, 44237, 44236, 44240, 265, 44238, 44239.
    const sign1 = decodeCoseSign1(decodeCcaTokenParts(token).realmToken, 'realm');
    expect(Array.from(sign1.protectedHeader)).toEqual([0xa1, 0x01, 0x38, 0x22]);
    expect(sign1.payload[0]).toBe(0xa8);
    const map = decodeCbor(sign1.payload, 'payload') as Map<number, unknown>;
    expect([...map.keys()]).toEqual([10, 44235, 44237, 44236, 44240, 265, 44238, 44239]);
    // A new INIT is needed for another token.
    expect(e.rsi(CONT, IPA.ram2, 0, 64, X4)).toEqual(back(2n, 0n, 0n, 0n, X4));
  });
  it('the last piece is SUCCESS with X1 = what remained; size 0 → INCOMPLETE, X1 = 0', () => {
    const e = rsiEnv(attestation);
    e.rsi(INIT, ...CHALLENGE);
    expect(e.rsi(CONT, IPA.ram2, 0, 0, X4)).toEqual(back(3n, 0n, 0n, 0n, X4));
    const first = e.rsi(CONT, IPA.ram2, 0, 4096, X4).regs!;
    expect(first[0]).toBe(0n);
    const len = Number(first[1]);
    expect(len).toBeGreaterThan(platformToken.length);
    expect(len).toBeLessThan(4096);
    expect(() =>
      verifyCcaToken(e.dataOf(1).slice(0, len), { crypto, cpak: cpak.publicKey }),
    ).not.toThrow();
  });
  it('INIT again abandons a token in progress and captures the new state', () => {
    const e = rsiEnv(attestation);
    e.rsi(INIT, ...CHALLENGE);
    e.rsi(CONT, IPA.ram2, 0, 100, X4);
    expect(e.rec.attestToken?.copied).toBe(100);
    e.rsi(SMC_RSI_MEASUREMENT_EXTEND, 1, 1, 7n);
    const rem0 = e.realm.measurements.slice(64, 96);
    e.rsi(INIT, 1n);
    const token = fetchToken(e.rsi, () => e.dataOf(1), 4000);
    const r = verifyCcaToken(token, { crypto, cpak: cpak.publicKey });
    expect(r.realm.challenge[0]).toBe(1);
    expect(r.realm.extensibleMeasurements[0]).toEqual(rem0);
  });
  it('addr_align, offset_bound, size_overflow, size_bound, addr_bound → INPUT (before STATE)', () => {
    const e = rsiEnv(attestation);
    for (const [a, o, s] of [
      [IPA.ram2 + 8, 0, 64],
      [IPA.ram2, 4096, 0],
      [IPA.ram2, 2n ** 64n - 1n, 2],
      [IPA.ram2, 4000, 97],
      [IPA.ram2, 0, 4097],
      [IPA.ram2, 1, 2n ** 64n - 1n],
      [PAR_END, 0, 64],
      [2 ** 40, 0, 64],
    ] as const) {
      const before = e.snapshot();
      expect(e.rsi(CONT, a, o, s, X4), `${a} ${o} ${s}`).toEqual(INPUT);
      expect(e.snapshot()).toEqual(before);
    }
  });
  it('no INIT → STATE; then RIPAS EMPTY → INPUT; unmapped → emulated abort; nothing copied', () => {
    const e = rsiEnv(attestation);
    expect(e.rsi(CONT, IPA.ram2, 0, 64, X4)).toEqual(back(2n, 0n, 0n, 0n, X4));
    // STATE comes before the translation.
    expect(e.rsi(CONT, IPA.unassignedRam, 0, 64, X4)).toEqual(back(2n, 0n, 0n, 0n, X4));
    e.rsi(INIT, ...CHALLENGE);
    const before = e.snapshot();
    expect(e.rsi(CONT, IPA.assignedEmpty, 0, 64, X4)).toEqual(INPUT);
    expect(e.rsi(CONT, IPA.empty, 0, 64, X4)).toEqual(INPUT);
    for (const [ipa, level] of [
      [IPA.unassignedRam, 3],
      [IPA.destroyed, 3],
      [IPA.l2Ram, 2],
    ] as const) {
      expect(e.rsi(CONT, ipa, 0, 64, X4)).toEqual({
        action: RsiAction.ExitToHostS2Fault,
        regs: undefined,
        exit: rsiExit({
          exitReason: RmiRecExitReason.Sync,
          esr: (0x24n << 26n) | BigInt(4 + level),
          hpfar: BigInt(ipa) >> 8n,
        }),
      });
    }
    expect(e.snapshot()).toEqual(before);
    expect(e.rec.attestToken?.copied).toBe(0);
  });
  it('a CCA token larger than the 4 KiB REC buffer → RSI_ERROR_UNKNOWN', () => {
    const e = rsiEnv({ ...attestation, platformToken: new Uint8Array(4000) });
    e.rsi(INIT, ...CHALLENGE);
    expect(e.rsi(CONT, IPA.ram2, 0, 64, X4)).toEqual(back(4n, 0n, 0n, 0n, X4));
    expect(e.rec.attestToken).toBeUndefined();
  });
});

describe('end to end through IsletRmm (SHA-512 realm)', () => {
  it('cold boot → realm → MEASUREMENT_EXTEND → token read from realm memory verifies', () => {
    const env = new RealmEnv();
    env.platform.attest = { key: SCALAR, token: platformToken, hunk: 300 };
    expect(
      env.rmm.coldBoot({ cpuId: 0, ifcVersion: 4, numCpus: 1, sharedBuffer: 0xff00_0000 }),
    ).toBe(0);
    env.withRecGranules();
    // The default realm is SHA-256: replace it with a SHA-512 one.
    expect(env.realmDestroy()[0]).toBe(0n);
    expect(env.realmCreate(realmParams({ hashAlgo: 1 }))[0]).toBe(0n);
    populate(env.call.bind(env), env.writeNs.bind(env));
    const rsi = (fid: number, ...xs: (number | bigint)[]) =>
      env.rmm.handleRsi(
        REC as PhysAddr,
        fid,
        xs.map((x) => BigInt(x)),
      );
    expect(rsi(SMC_RSI_MEASUREMENT_EXTEND, 3, 64, ...CHALLENGE).regs?.[0]).toBe(0n);
    const rem2 = env.rmm.inspect.realm(RD)!.rems[2]!;
    expect(rem2.some((b) => b !== 0)).toBe(true);
    expect(Array.from(rsi(INIT, ...CHALLENGE).regs ?? []).slice(0, 2)).toEqual([0n, 4096n]);
    const read = () => {
      const b = new Uint8Array(4096);
      env.platform.memory.read(World.Realm, D[1]! as PhysAddr, b);
      return b;
    };
    const token = fetchToken(rsi, read, 512);
    const r = verifyCcaToken(token, {
      crypto,
      cpak: cpak.publicKey,
      expectedChallenge: challengeBytes(),
    });
    const info = env.rmm.inspect.realm(RD)!;
    expect(r.realm.hashAlgorithm).toBe('sha-512');
    expect(r.realm.initialMeasurement).toEqual(info.rim);
    expect(r.realm.extensibleMeasurements).toEqual(info.rems);
    expect(new Uint8Array(r.realm.publicKey)).toEqual(env.rmm.inspect.attestation()!.rakCoseKey);
  });
});
