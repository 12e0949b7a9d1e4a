/**
 * Builds a small realm through the RMI ABI alone, as a KVM-like host would on the booted platform:
 * delegate the granules, write RmiRealmParams into a Normal-world page and REALM_CREATE; build the
 * stage-2 tree down to level 3 for the image (RTT_CREATE), set RIPAS RAM over the image
 * (RTT_INIT_RIPAS) and load it with measured DATA_CREATE from Normal-world source pages; then
 * REC_CREATE for one runnable REC and REALM_ACTIVATE. Every step checks the status.
 * @module
 */
import {
  encodeRealmParams,
  encodeRecParams,
  type RealmParams,
  RmiDataMeasureContent,
  type RmiHashAlgorithm,
  SMC_RMI_DATA_CREATE,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_REALM_ACTIVATE,
  SMC_RMI_REALM_CREATE,
  SMC_RMI_REC_AUX_COUNT,
  SMC_RMI_REC_CREATE,
  SMC_RMI_RTT_CREATE,
  SMC_RMI_RTT_INIT_RIPAS,
} from '@islet/abi';
import { IsletError } from '@islet/arch';
import type { Platform } from './platform.ts';

/** Where the pieces of the realm live. */
export interface SmallRealm {
  readonly rd: bigint;
  /** The two root RTTs (level 1), then the level-2 and level-3 RTTs over the image. */
  readonly rtts: readonly bigint[];
  /** The data granules holding the image, in IPA order from {@link SMALL_REALM_IMAGE_IPA}. */
  readonly data: readonly bigint[];
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
  /** The realm image, loaded at {@link SMALL_REALM_IMAGE_IPA} (at most 2 MiB; padded with zeros). */
  readonly image?: Uint8Array;
}

const GRANULE = 0x1000n;
/** Where the image is loaded: the start of the protected IPA space. */
export const SMALL_REALM_IMAGE_IPA = 0n;
/** The image of {@link createSmallRealm} by default: two pages, text then zeros. */
const DEFAULT_IMAGE = Uint8Array.from('Islet for TypeScript: a small realm\n', (c) =>
  c.charCodeAt(0),
);
const MAX_IMAGE = 0x20_0000;

/**
 * The RmiRealmParams of a small realm: IPA width 40, two concatenated level-1 root RTTs at
 * `rttBase`, SHA-256, one breakpoint and watchpoint, no PMU or SVE, VMID 1, zero RPV; `over`
 * replaces any of them.
 */
export function smallRealmParams(rttBase: bigint, over: Partial<RealmParams> = {}): RealmParams {
  return {
    flags: 0n,
    s2sz: 40,
    sveVl: 0,
    numBps: 1,
    numWps: 1,
    pmuNumCtrs: 0,
    hashAlgo: 0,
    rpv: new Uint8Array(64),
    vmid: 1,
    rttBase,
    rttLevelStart: 1,
    rttNumStart: 2,
    ...over,
  };
}

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
  const image = options.image ?? DEFAULT_IMAGE;
  if (image.length === 0 || image.length > MAX_IMAGE) {
    throw new IsletError('FVP_IMAGE_SIZE', 'the realm image must be 1 byte to 2 MiB', {
      details: `${image.length} bytes`,
    });
  }
  const pages = Math.max(2, Math.ceil(image.length / 0x1000));
  const rd = take();
  const rtts = [take(2)];
  rtts.push(rtts[0]! + GRANULE, take(), take());
  const rec = take();
  const realmParamsPage = take();
  const recParamsPage = take();
  const source = take();
  const data = Array.from({ length: pages }, () => take());
  for (const g of [rd, ...rtts, rec, ...data]) {
    smc('RMI_GRANULE_DELEGATE', SMC_RMI_GRANULE_DELEGATE, g);
  }

  const hashAlgo = options.hashAlgo ?? 0;
  platform.host.memory.write(
    realmParamsPage,
    encodeRealmParams(
      smallRealmParams(rtts[0]!, {
        hashAlgo,
        rpv: new Uint8Array(options.rpv ?? new Uint8Array(64)),
      }),
    ),
  );
  smc('RMI_REALM_CREATE', SMC_RMI_REALM_CREATE, rd, realmParamsPage);

  const ipa = SMALL_REALM_IMAGE_IPA;
  const top = ipa + BigInt(pages) * GRANULE;
  smc('RMI_RTT_CREATE', SMC_RMI_RTT_CREATE, rd, rtts[2]!, ipa, 2n);
  smc('RMI_RTT_CREATE', SMC_RMI_RTT_CREATE, rd, rtts[3]!, ipa, 3n);
  smc('RMI_RTT_INIT_RIPAS', SMC_RMI_RTT_INIT_RIPAS, rd, ipa, top);
  data.forEach((g, i) => {
    const page = new Uint8Array(0x1000);
    page.set(image.subarray(i * 0x1000, (i + 1) * 0x1000));
    platform.host.memory.write(source, page);
    smc(
      'RMI_DATA_CREATE',
      SMC_RMI_DATA_CREATE,
      rd,
      g,
      ipa + BigInt(i) * GRANULE,
      source,
      BigInt(RmiDataMeasureContent.Measure),
    );
  });

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
  return { rd, rtts, data, rec, aux };
}
