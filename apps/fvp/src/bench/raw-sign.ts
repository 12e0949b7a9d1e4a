/**
 * The raw primitive of every benchmark that signs a CCA token: node:crypto ECDSA P-384 (SHA-384,
 * P1363) over a payload of a realm token's size.
 * @module
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { BenchCase } from './harness.ts';

/** The bytes of a realm token's COSE_Sign1 payload, roughly (claims with a 97-byte RAK). */
const PAYLOAD_SIZE = 600;

/** `raw: ECDSA P-384 sign`, with a fresh key. */
export function rawP384SignCase(): BenchCase {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  const payload = randomBytes(PAYLOAD_SIZE);
  return {
    name: `raw: ECDSA P-384 sign (SHA-384) of a ${PAYLOAD_SIZE}-byte payload (node:crypto)`,
    run(n) {
      let acc = 0;
      for (let i = 0; i < n; i++) {
        payload[0] = i;
        acc += sign('sha384', payload, { key: privateKey, dsaEncoding: 'ieee-p1363' })[0]!;
      }
      return acc;
    },
  };
}
