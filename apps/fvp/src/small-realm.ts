/**
 * Builds a small realm through the RMI ABI alone, as a KVM-like host would on the booted platform:
 * delegate the granules, write RmiRealmParams and RmiRecParams into Normal-world pages, then
 * REALM_CREATE, REC_CREATE for one runnable REC and REALM_ACTIVATE. Every step checks the status.
 * @module
 */
import {
  encodeRealmParams,
  encodeRecParams,
  type RmiHashAlgorithm,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_REALM_ACTIVATE,
  SMC_RMI_REALM_CREATE,
  SMC_RMI_REC_AUX_COUNT,
  SMC_RMI_REC_CREATE,
} from '@islet/abi';
import { IsletError } from '@islet/arch';
import type { Platform } from './platform.ts';

/** Where the pieces of the realm live. */
export interface SmallRealm {
  readonly rd: bigint;
  readonly rtts: readonly bigint[];
  readonly rec: bigint;
  readonly aux: readonly bigint[];
}

/** Options of {@link createSmallRealm}. */
export interface SmallRealmOptions {
  /** 0 = SHA-256 (default), 1 = SHA-512. */
  readonly hashAlgo?: RmiHashAlgorithm;
  /** The realm personalization value (64 bytes); zero by default. */
  readonly rpv?: Uint8Array;
  /** The entry point of the REC. */
  readonly pc?: bigint;
  /** The host DRAM to take granules from: the start of the first bank by default. */
  readonly base?: bigint;
}

const GRANULE = 0x1000n;

/**
 * Creates and activates a realm with two concatenated level-1 root RTTs (IPA width 40) and one
 * runnable REC.
 * @throws {@link IsletError} `FVP_RMI_FAILED` naming the command and the status it returned.
 */
export function createSmallRealm(platform: Platform, options: SmallRealmOptions = {}): SmallRealm {
  const smc = (name: string, fid: number, ...args: bigint[]): bigint[] => {
    const out = platform.host.smc(BigInt(fid), ...args);
    if (out[0] !== 0n) {
      throw new IsletError('FVP_RMI_FAILED', `${name} failed`, {
        details: `X0 = 0x${out[0]!.toString(16)} (status ${out[0]! & 0xffn}, index ${(out[0]! >> 8n) & 0xffn})`,
      });
    }
    return out;
  };
  let next = options.base ?? platform.host.dram[0]!.base + 0x100_0000n;
  const take = (count = 1): bigint => {
    const pa = next;
    next += GRANULE * BigInt(count);
    return pa;
  };
  const rd = take();
  const rtts = [take(2)];
  rtts.push(rtts[0]! + GRANULE);
  const rec = take();
  const realmParamsPage = take();
  const recParamsPage = take();
  for (const g of [rd, ...rtts, rec]) smc('RMI_GRANULE_DELEGATE', SMC_RMI_GRANULE_DELEGATE, g);

  const hashAlgo = options.hashAlgo ?? 0;
  platform.host.memory.write(
    realmParamsPage,
    encodeRealmParams({
      flags: 0n,
      s2sz: 40,
      sveVl: 0,
      numBps: 1,
      numWps: 1,
      pmuNumCtrs: 0,
      hashAlgo,
      rpv: new Uint8Array(options.rpv ?? new Uint8Array(64)),
      vmid: 1,
      rttBase: rtts[0]!,
      rttLevelStart: 1,
      rttNumStart: 2,
    }),
  );
  smc('RMI_REALM_CREATE', SMC_RMI_REALM_CREATE, rd, realmParamsPage);

  const auxCount = Number(smc('RMI_REC_AUX_COUNT', SMC_RMI_REC_AUX_COUNT, rd)[1]);
  const aux = Array.from({ length: auxCount }, () => take());
  for (const g of aux) smc('RMI_GRANULE_DELEGATE', SMC_RMI_GRANULE_DELEGATE, g);
  platform.host.memory.write(
    recParamsPage,
    encodeRecParams({
      flags: 1n,
      mpidr: 0n,
      pc: options.pc ?? 0x8000_0000n,
      gprs: Array.from({ length: 8 }, () => 0n),
      numAux: auxCount,
      aux,
    }),
  );
  smc('RMI_REC_CREATE', SMC_RMI_REC_CREATE, rd, rec, recParamsPage);
  smc('RMI_REALM_ACTIVATE', SMC_RMI_REALM_ACTIVATE, rd);
  return { rd, rtts, rec, aux };
}
