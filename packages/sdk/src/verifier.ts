/**
 * Verifying a CCA token as a relying party: everything Islet's SDK `verify` checks and what it
 * leaves out. Islet's SDK checks only the realm signature, with the RAK the token itself carries;
 * here the platform signature is checked with the CPAK the caller trusts, the platform challenge
 * must bind the RAK, and the realm challenge and reference values (RIM, REMs, RPV, platform
 * software components) are compared when given. A token that passes only Islet's checks proves
 * nothing: anyone can sign a realm token with a key of their own.
 * @see islet-reference.md §4, cca-token.md §1.6, §2.5
 * @module
 */
import {
  type CryptoProvider,
  defaultCrypto,
  type EcPublicKey,
  equalBytes,
  toHex,
} from '@islet/arch';
import { DIGEST_SIZES, type SwComponent, verifyCcaToken } from '@islet/token';
import { SdkError } from './errors.ts';
import { asVerifyFailed, type Claims, claimsFromReport } from './parser.ts';
import { CHALLENGE_SIZE } from './rsi-dispatcher.ts';

/** A platform software component the token must carry. Omitted fields match anything. */
export interface SwComponentReference {
  /** Component type (1), e.g. `"RMM"`. */
  readonly measurementType?: string;
  /** Measurement value (2), hex. */
  readonly measurementValue: string;
  /** Signer ID (5), hex. */
  readonly signerId?: string;
  /** Version (4). */
  readonly version?: string;
}

/**
 * Expected values of a realm and its platform, byte strings in hex. Each field is checked only
 * when present.
 * @since 0.8.0
 */
export interface ReferenceValues {
  /** Realm initial measurement (44238). */
  readonly rim?: string;
  /** Realm extensible measurements (44239) by index; an `undefined` (JSON `null`) entry matches anything. */
  readonly rems?: readonly (string | undefined)[];
  /** Realm personalization value (44235), 64 bytes. */
  readonly rpv?: string;
  /** The platform's software components (2399): the token must carry exactly these, in any order. */
  readonly platformSwComponents?: readonly SwComponentReference[];
}

/** Options of {@link verify}. */
export interface VerifyOptions {
  /** {@link defaultCrypto} by default. */
  readonly crypto?: CryptoProvider;
  /** The platform attestation key the relying party trusts; it must have signed the platform token. */
  readonly cpak: EcPublicKey;
  /**
   * The user data the attester was given. Shorter than 64 bytes, it is zero-padded to 64 as
   * Islet's attester and Linux's configfs-tsm do, then compared with the realm challenge.
   */
  readonly challenge?: Uint8Array;
  /** Reference values; validated with {@link parseReferenceValues} before anything is verified. */
  readonly reference?: ReferenceValues;
}

/**
 * Verifies a CCA token: the platform signature with `cpak`, the realm signature with the RAK it
 * carries, the RAK binding, profiles and claim sizes (`@islet/token`'s `verifyCcaToken`), then the
 * challenge and the reference values when given.
 * @returns the token's claims.
 * @throws {@link SdkError} `SDK_ARGUMENT_INVALID` for a challenge above 64 bytes,
 * `SDK_REFERENCE_INVALID` for malformed reference values, and `SDK_VERIFY_FAILED` naming the first
 * check that fails (a `TokenError` cause when the token itself is at fault).
 * @example
 * ```ts
 * const claims = verify(token, { cpak, challenge: nonce, reference: { rim: '7d77ac01…' } });
 * ```
 * @since 0.8.0
 */
export function verify(token: Uint8Array, options: VerifyOptions): Claims {
  const crypto = options.crypto ?? defaultCrypto();
  const expected = options.challenge && padChallenge(options.challenge);
  const reference = options.reference && parseReferenceValues(options.reference);
  let claims: Claims;
  try {
    claims = claimsFromReport(verifyCcaToken(token, { crypto, cpak: options.cpak }));
  } catch (err) {
    throw asVerifyFailed(err);
  }
  if (expected && !equalBytes(claims.realm.challenge, expected)) {
    throw failed('realm challenge differs from the expected challenge');
  }
  if (reference) checkReference(claims, reference);
  return claims;
}

function padChallenge(challenge: Uint8Array): Uint8Array {
  if (challenge.length > CHALLENGE_SIZE) {
    throw new SdkError(
      'SDK_ARGUMENT_INVALID',
      `challenge is ${challenge.length} bytes, at most ${CHALLENGE_SIZE} are allowed`,
    );
  }
  const padded = new Uint8Array(CHALLENGE_SIZE);
  padded.set(challenge);
  return padded;
}

function failed(what: string): SdkError {
  return new SdkError('SDK_VERIFY_FAILED', what);
}

function sameHex(actual: Uint8Array, hex: string): boolean {
  return toHex(actual) === hex.toLowerCase();
}

function checkReference(claims: Claims, ref: ReferenceValues): void {
  const { realm, platform } = claims;
  if (ref.rim !== undefined && !sameHex(realm.initialMeasurement, ref.rim)) {
    throw failed('realm initial measurement differs from the reference');
  }
  ref.rems?.forEach((rem, i) => {
    if (rem !== undefined && !sameHex(realm.extensibleMeasurements[i]!, rem)) {
      throw failed(`realm extensible measurement ${i} differs from the reference`);
    }
  });
  if (ref.rpv !== undefined && !sameHex(realm.personalizationValue, ref.rpv)) {
    throw failed('realm personalization value differs from the reference');
  }
  if (ref.platformSwComponents) checkSwComponents(platform.swComponents, ref.platformSwComponents);
}

// Exactly the reference set, in any order: a component the reference does not list is unexpected
// firmware, and a listed one that is missing was not measured. Each reference entry matches at
// most one component, so two identical components need two entries.
function checkSwComponents(
  actual: readonly SwComponent[],
  refs: readonly SwComponentReference[],
): void {
  const unused = new Set(refs.keys());
  actual.forEach((c, i) => {
    const match = [...unused].find((j) => swMatches(c, refs[j]!));
    if (match === undefined) {
      throw failed(`platform sw component ${i}${label(c.type)} matches no reference value`);
    }
    unused.delete(match);
  });
  const [missing] = unused;
  if (missing !== undefined) {
    throw failed(
      `reference sw component ${missing}${label(refs[missing]!.measurementType)} is not in the platform token`,
    );
  }
}

function label(type: string | undefined): string {
  return type === undefined ? '' : ` (${type})`;
}

function swMatches(c: SwComponent, r: SwComponentReference): boolean {
  return (
    sameHex(c.measurement, r.measurementValue) &&
    (r.signerId === undefined || sameHex(c.signerId, r.signerId)) &&
    (r.measurementType === undefined || c.type === r.measurementType) &&
    (r.version === undefined || c.version === r.version)
  );
}

/**
 * Validates a reference-value document (parsed JSON) field by field, so that a typo fails loudly
 * instead of silently checking nothing. Hex may be in either case; `rems` entries may be `null`.
 * @returns the reference values, hex as given.
 * @throws {@link SdkError} `SDK_REFERENCE_INVALID` naming the first bad field: an unknown field,
 * a wrong type, non-hex, or a wrong size (RIM, REMs, measurements and signer IDs 32, 48 or 64
 * bytes; RPV 64; at most 4 REMs).
 * @example
 * ```ts
 * const reference = parseReferenceValues(JSON.parse(readFileSync('reference.json', 'utf8')));
 * ```
 * @since 0.8.0
 */
export function parseReferenceValues(json: unknown): ReferenceValues {
  const doc = object(json, 'the document', ['rim', 'rems', 'rpv', 'platformSwComponents']);
  const rems = optionalArray(doc.rems, 'rems');
  if (rems && rems.length > 4) invalid('rems', `has ${rems.length} entries, a realm has 4`);
  const sw = optionalArray(doc.platformSwComponents, 'platformSwComponents');
  return {
    ...(doc.rim === undefined ? {} : { rim: hex(doc.rim, 'rim', DIGEST_SIZES) }),
    ...(rems === undefined
      ? {}
      : {
          rems: rems.map((r, i) =>
            r === null || r === undefined ? undefined : hex(r, `rems[${i}]`, DIGEST_SIZES),
          ),
        }),
    ...(doc.rpv === undefined ? {} : { rpv: hex(doc.rpv, 'rpv', [64]) }),
    ...(sw === undefined ? {} : { platformSwComponents: sw.map(swReference) }),
  };
}

function swReference(json: unknown, i: number): SwComponentReference {
  const where = `platformSwComponents[${i}]`;
  const c = object(json, where, ['measurementType', 'measurementValue', 'signerId', 'version']);
  if (c.measurementValue === undefined) invalid(`${where}.measurementValue`, 'is missing');
  return {
    ...(c.measurementType === undefined
      ? {}
      : { measurementType: text(c.measurementType, `${where}.measurementType`) }),
    measurementValue: hex(c.measurementValue, `${where}.measurementValue`, DIGEST_SIZES),
    ...(c.signerId === undefined
      ? {}
      : { signerId: hex(c.signerId, `${where}.signerId`, DIGEST_SIZES) }),
    ...(c.version === undefined ? {} : { version: text(c.version, `${where}.version`) }),
  };
}

function invalid(field: string, problem: string): never {
  throw new SdkError('SDK_REFERENCE_INVALID', `reference values: ${field} ${problem}`);
}

function object(json: unknown, field: string, allowed: readonly string[]): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    invalid(field, 'is not an object');
  }
  const o = json as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) invalid(field, `has an unknown field "${k}"`);
  }
  return o;
}

function optionalArray(v: unknown, field: string): readonly unknown[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) invalid(field, 'is not an array');
  return v;
}

function text(v: unknown, field: string): string {
  if (typeof v !== 'string') invalid(field, 'is not a string');
  return v;
}

function hex(v: unknown, field: string, sizes: readonly number[]): string {
  const s = text(v, field);
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) invalid(field, 'is not hex');
  const size = s.length / 2;
  if (!sizes.includes(size)) {
    invalid(field, `is ${size} bytes, expected ${sizes.join(', ')}`);
  }
  return s;
}
