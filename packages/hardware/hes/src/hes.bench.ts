/**
 * HES benchmarks: platform tokens per second (the PSA call with its DAK check, and the unchecked
 * signing path), key derivations per second (CPAK, DAK, VHUK), and the pieces under them (the seed,
 * one measured-boot extend). `pnpm bench` writes the JSON.
 * @module
 */
import { defaultCrypto } from '@islet/arch';
import { bench, describe } from 'vitest';
import { deriveCpak } from './attestation-keys.ts';
import { Hes } from './hes.ts';
import { BL1_DAK_SEED_DERIVATION, deriveSeed } from './key-derivation.ts';
import { MeasuredBoot } from './measured-boot.ts';
import { ISLET_DUMMY_PROVISIONING } from './provisioning.ts';
import { PsaStatus } from './psa-status.ts';
import { VhukId } from './vhuk.ts';

const crypto = defaultCrypto();
const hes = new Hes({ crypto });
const dak = hes.getDelegatedKey();
if (dak.status !== PsaStatus.Success) throw new Error('no DAK');
const challenge = crypto.hash('sha256', dak.key.publicKey.point);
const context = new Uint8Array(40);
const measuredBoot = new MeasuredBoot(crypto);
const rmm = {
  metadata: { signerId: new Uint8Array(32), swType: 'RMM', swVersion: '', algorithm: 'sha-256' },
  value: new Uint8Array(32),
} as const;

/** Long runs: the 2-core machines are shared and a short run is mostly noise. */
const options = { time: 3000, warmupTime: 500 };

/** Throws unless a PSA call succeeded, so that every result is consumed. */
function ok(r: { status: number }): void {
  if (r.status !== PsaStatus.Success) throw new Error(`PSA status ${r.status}`);
}

describe('platform token', () => {
  bench(
    'GET_PLATFORM_TOKEN (DAK check, claims, ES384)',
    () => ok(hes.getPlatformToken(challenge)),
    options,
  );
  bench(
    'issuePlatformToken (claims, ES384)',
    () => {
      if (hes.issuePlatformToken(challenge).length < 400) throw new Error('short token');
    },
    options,
  );
});

describe('key derivation', () => {
  bench('GET_DELEGATED_KEY (DAK, P-384)', () => ok(hes.getDelegatedKey()), options);
  bench(
    'deriveCpak (P-384)',
    () => {
      if (deriveCpak(ISLET_DUMMY_PROVISIONING, crypto).d.length !== 48) throw new Error('bad');
    },
    options,
  );
  bench('GET_KEY VHUK_M', () => ok(hes.getVhuk(VhukId.M)), options);
  bench(
    'deriveSeed (SHA-256 + 2 AES-256 blocks)',
    () => {
      if (
        deriveSeed(ISLET_DUMMY_PROVISIONING.guk, BL1_DAK_SEED_DERIVATION, context, crypto)
          .length !== 32
      ) {
        throw new Error('bad seed');
      }
    },
    options,
  );
});

describe('measured boot', () => {
  bench('extend a SHA-256 slot', () => ok({ status: measuredBoot.extend(3, rmm) }), options);
});
