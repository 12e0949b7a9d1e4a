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

/** The baseline of a token verification: two raw verifications. */
function rawVerifyTwice(): void {
  if (!(rawVerify() && rawVerify())) throw new Error('raw verification failed');
}

/** The baseline of building a token: one raw signature. */
function rawSignOnce(): void {
  if (rawSign().length !== 96) throw new Error('raw signature failed');
}

/** Verifies the TF-RMM token; its RAK stays in the provider's key cache after the first run. */
function verifyWarm(): void {
  if (verifyCcaToken(token, { cpak, crypto }).binding !== 'valid') throw new Error('failed');
}

// More tokens than the provider keeps imported keys for (256), each with its own RAK, verified in
// turn: every verification imports its RAK afresh, as a verifier seeing a new platform would.
const coldCpak = crypto.ecGenerate('P-384');
const coldTokens = Array.from({ length: 300 }, () =>
  buildCcaToken({
    platform: { claims: platform, cpak: coldCpak },
    realm,
    rak: crypto.ecGenerate('P-384'),
    crypto,
  }),
);
let nextCold = 0;

/** Verifies the next of the cold tokens. */
function verifyCold(): void {
  const t = coldTokens[nextCold++ % coldTokens.length]!;
  if (verifyCcaToken(t, { cpak: coldCpak.publicKey, crypto }).binding !== 'valid') {
    throw new Error('failed');
  }
}

/** Builds a token as the RMM does per request. */
function build(): void {
  if (buildCcaToken({ platform: { token: platformToken }, realm, rak, crypto }).length < 1000) {
    throw new Error('token too short');
  }
}

describe('verify', () => {
  bench('raw: two node:crypto P-384 verifications', rawVerifyTwice, options);
  bench('verifyCcaToken (TF-RMM token, ES384/ES384)', verifyWarm, options);
  bench('verifyCcaToken (a new RAK every token: no key-cache hit)', verifyCold, options);
});

describe('sign', () => {
  bench('raw: one node:crypto P-384 signature', rawSignOnce, options);
  bench('buildCcaToken (realm token signed, platform token pre-signed)', build, options);
});
