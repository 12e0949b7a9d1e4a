/**
 * Token benchmarks, each measured against the raw node:crypto primitive in the same run:
 * verification (decode, two ECDSA verifications, binding) against two raw P-384 verifications,
 * building and signing against one raw P-384 signature. `pnpm bench` writes the JSON.
 * @module
 */
import * as nodeCrypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { defaultCrypto, ecPublicKeyFromPem } from '@islet/arch';
import fc from 'fast-check';
import { bench, describe } from 'vitest';
import { platformClaims, realmInput } from '../test/arbitraries.ts';
import { buildCcaToken, rakBinding, signPlatformToken } from './build.ts';
import { verifyCcaToken } from './verify.ts';

const crypto = defaultCrypto();
const vector = (path: string): Buffer =>
  readFileSync(new URL(`../test/vectors/${path}`, import.meta.url));

// A real token TF-RMM produced (ES384 platform and realm signatures, COSE_Key RAK).
const token = new Uint8Array(vector('tf-rmm-host/cca-token.cbor'));
const cpak = ecPublicKeyFromPem(
  vector('ccatoken/realm/testvectors/tf-rmm/cca_platform.pub').toString(),
);

// The raw primitive: a P-384 key pair as node:crypto KeyObjects and a signature over a token-sized message.
const { privateKey, publicKey } = nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'P-384' });
const message = nodeCrypto.randomBytes(token.length);
const rawSign = (): Buffer =>
  nodeCrypto.sign('sha384', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
const signature = rawSign();
const rawVerify = (): boolean =>
  nodeCrypto.verify('sha384', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);

// What the RMM does per RSI_ATTESTATION_TOKEN_INIT: the platform token is signed once at boot.
const rak = crypto.ecGenerate('P-384');
const [platform, realm] = fc.sample(fc.tuple(platformClaims, realmInput), {
  numRuns: 1,
  seed: 1,
})[0]!;
const platformToken = signPlatformToken(
  {
    ...platform,
    challenge: rakBinding(rak.publicKey, realm.publicKeyHashAlgorithm, crypto).challenge,
  },
  crypto.ecGenerate('P-384'),
  crypto,
);

/** Long runs: the 2-core machines are shared and a short run is mostly noise. */
const options = { time: 3000, warmupTime: 500 };

describe('verify', () => {
  bench(
    'raw: two node:crypto P-384 verifications',
    () => {
      if (!(rawVerify() && rawVerify())) throw new Error('raw verification failed');
    },
    options,
  );
  bench(
    'verifyCcaToken (TF-RMM token, ES384/ES384)',
    () => {
      if (verifyCcaToken(token, { cpak, crypto }).binding !== 'valid')
        throw new Error('verification failed');
    },
    options,
  );
});

describe('sign', () => {
  bench(
    'raw: one node:crypto P-384 signature',
    () => {
      if (rawSign().length !== 96) throw new Error('raw signature failed');
    },
    options,
  );
  bench(
    'buildCcaToken (realm token signed, platform token pre-signed)',
    () => {
      if (buildCcaToken({ platform: { token: platformToken }, realm, rak, crypto }).length < 1000) {
        throw new Error('token too short');
      }
    },
    options,
  );
});
