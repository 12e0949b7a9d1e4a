/** fast-check arbitraries of valid platform and realm claim sets. @module */
import fc from 'fast-check';
import type { RealmTokenInput } from '../src/build.ts';
import { LIFECYCLE_STATES } from '../src/lifecycle.ts';
import type { PlatformClaims, SwComponent } from '../src/platform-claims.ts';
import { PlatformProfile, RealmProfile } from '../src/profiles.ts';

const bytes = (n: number): fc.Arbitrary<Uint8Array<ArrayBuffer>> =>
  fc.uint8Array({ minLength: n, maxLength: n }).map((b) => new Uint8Array(b));
const digest = fc.constantFrom(32, 48, 64).chain(bytes);
const ueid = bytes(32).map((b) => Uint8Array.of(1, ...b));
const text = fc.string({ minLength: 1, maxLength: 24 });

const swComponent: fc.Arbitrary<SwComponent> = fc.record(
  {
    type: text,
    measurement: digest,
    version: text,
    signerId: digest,
    hashAlgorithm: fc.constantFrom('sha-256', 'sha-384', 'sha-512'),
  },
  { requiredKeys: ['measurement', 'signerId'] },
);

/** Valid platform claims without the challenge (the RAK binding fills it). */
export const platformClaims: fc.Arbitrary<Omit<PlatformClaims, 'challenge'>> = fc.record(
  {
    profile: fc.constantFrom(PlatformProfile.V1, PlatformProfile.Legacy),
    implementationId: bytes(32),
    instanceId: ueid,
    config: fc.uint8Array({ maxLength: 40 }).map((b) => new Uint8Array(b)),
    lifecycle: fc
      .tuple(fc.constantFrom(...LIFECYCLE_STATES.keys()), fc.integer({ min: 0, max: 255 }))
      .map(([major, minor]) => major * 256 + minor),
    swComponents: fc.array(swComponent, { minLength: 1, maxLength: 6 }),
    verificationServiceIndicator: text,
    hashAlgorithm: fc.constantFrom('sha-256', 'sha-512'),
  },
  {
    requiredKeys: [
      'profile',
      'implementationId',
      'instanceId',
      'config',
      'lifecycle',
      'swComponents',
      'hashAlgorithm',
    ],
  },
);

/** Valid realm claims of the RMM 1.0 profile, without the RAK. */
export const realmInput: fc.Arbitrary<RealmTokenInput> = fc.constantFrom(32, 64).chain((hashLen) =>
  fc.record({
    profile: fc.constant(RealmProfile.V1),
    challenge: bytes(64),
    personalizationValue: bytes(64),
    hashAlgorithm: fc.constant(hashLen === 32 ? 'sha-256' : 'sha-512'),
    initialMeasurement: bytes(hashLen),
    extensibleMeasurements: fc.tuple(
      bytes(hashLen),
      bytes(hashLen),
      bytes(hashLen),
      bytes(hashLen),
    ),
    publicKeyHashAlgorithm: fc.constantFrom('sha-256', 'sha-384', 'sha-512'),
  }),
);
