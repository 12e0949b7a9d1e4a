/** Hostile-input generators shared by the property test and the fuzz suite. @module */
import { readFileSync } from 'node:fs';
import type { CryptoProvider, EcPublicKey } from '@islet/arch';
import { ecPublicKeyFromPem } from '@islet/arch';
import fc from 'fast-check';
import { TokenError } from '../src/errors.ts';
import { CborTag, encodeCbor } from '../src/internal/cbor.ts';
import { verifyCcaToken } from '../src/verify.ts';

const vector = (path: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`./vectors/${path}`, import.meta.url)));

/** A real TF-RMM token and the key that verifies it. */
const token = vector('tf-rmm-host/cca-token.cbor');
const cpak: EcPublicKey = ecPublicKeyFromPem(
  new TextDecoder().decode(vector('ccatoken/realm/testvectors/tf-rmm/cca_platform.pub')),
);

/** Any CBOR-ish value: what a hostile peer can encode. */
const cborValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer(),
    fc.string(),
    fc.uint8Array({ maxLength: 64 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc
      .array(fc.tuple(fc.oneof(fc.integer({ min: -50, max: 50_000 }), fc.string()), tie('value')), {
        maxLength: 5,
      })
      .map((entries) => new Map(entries)),
    fc
      .tuple(fc.constantFrom(18, 399, 907, 263, 1), tie('value'))
      .map(([t, v]) => new CborTag(t, v)),
  ),
})).value;

/**
 * Runs a verification and classifies the result: `ok`, or the TokenError code. Anything else
 * (a TypeError, a RangeError, a cbor-x error escaping) is returned as `CRASH: …` and fails the test.
 */
function classify(input: Uint8Array, crypto: CryptoProvider): string {
  try {
    verifyCcaToken(input, { cpak, crypto });
    return 'ok';
  } catch (err) {
    return err instanceof TokenError ? err.code : `CRASH: ${String(err)}`;
  }
}

/** `[name, arbitrary, run]` triples: each run returns `ok` or a TOKEN_* code. */
export function hostileCases(
  crypto: CryptoProvider,
): [string, fc.Arbitrary<Uint8Array>, (input: Uint8Array) => string][] {
  const run = (input: Uint8Array): string => classify(input, crypto);
  return [
    ['random bytes', fc.uint8Array({ maxLength: 256 }), run],
    ['random CBOR structures', cborValue.map(encodeCbor), run],
    [
      'random CBOR in a token collection',
      fc.tuple(cborValue, cborValue, fc.constantFrom(399, 907)).map(([p, r, tag]) =>
        encodeCbor(
          new CborTag(
            tag,
            new Map([
              [44234, p],
              [44241, r],
            ]),
          ),
        ),
      ),
      run,
    ],
    [
      'a real token with bytes changed',
      fc
        .uniqueArray(
          fc.tuple(fc.nat({ max: token.length - 1 }), fc.integer({ min: 1, max: 255 })),
          {
            minLength: 1,
            maxLength: 8,
            selector: ([i]) => i,
          },
        )
        .map((edits) => {
          const t = token.slice();
          for (const [i, mask] of edits) t[i]! ^= mask;
          return t;
        }),
      run,
    ],
    [
      'a real token cut short or extended',
      fc
        .tuple(fc.nat({ max: token.length + 16 }), fc.uint8Array({ maxLength: 16 }))
        .map(([n, tail]) => {
          const t = new Uint8Array(n);
          t.set(token.subarray(0, Math.min(n, token.length)));
          t.set(tail.subarray(0, Math.max(0, n - token.length)), Math.min(n, token.length));
          return t;
        }),
      run,
    ],
  ];
}
