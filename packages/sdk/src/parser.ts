/**
 * Claims of a CCA token by Islet's SDK titles (`sdk/src/config.rs`) and by claim key, and a printer
 * in the shape of Islet's `print_claim`. Parsing decodes and validates every claim but checks no
 * signature: {@link verify} in `verifier.ts` does that.
 *
 * **Gotchas**
 * - Islet's SDK swaps the labels of 44236 and 44240 (`TAG_REALM_HASH_ALGO_ID = 44240`,
 *   `TAG_REALM_PUB_KEY_HASH_ALGO_ID = 44236`). Here the titles follow the claim meanings of the
 *   token spec: "Realm hash algo id" is 44236 (the RIM/REM algorithm), "Realm public key hash algo
 *   id" is 44240 (the RAK binding algorithm), so a value read by title means what the title says.
 * - "Realm extentible measurements" keeps Islet's spelling so that titles copied from Islet code
 *   still resolve.
 * - "User data" is the realm challenge: Islet's attester zero-pads the caller's user data into it.
 * @see islet-reference.md §4, cca-token.md §1.2–§1.3
 * @module
 */
import { type Bytes, type CryptoProvider, defaultCrypto, toHex } from '@islet/arch';
import {
  type CcaTokenForm,
  type CcaTokenReport,
  decodeCbor,
  decodeCcaTokenParts,
  decodeCoseSign1,
  lifecycleState,
  type PlatformClaims,
  parsePlatformClaims,
  type RealmClaims,
  readRealmClaims,
  type SwComponent,
  TokenError,
} from '@islet/token';
import { SdkError } from './errors.ts';

/** Which of the two signed tokens of a CCA token a claim belongs to. */
export type ClaimSet = 'realm' | 'platform';

/** Where a title points: a claim key, or the token's COSE_Sign1 signature (not a claim). */
export interface ClaimLocation {
  readonly token: ClaimSet;
  readonly key: number | 'signature';
}

/**
 * Islet's claim titles and the claims they name.
 * @since 0.8.0
 */
export const CLAIM_TITLES = {
  'Realm Signature': { token: 'realm', key: 'signature' },
  'Platform Signature': { token: 'platform', key: 'signature' },
  'User data': { token: 'realm', key: 10 },
  'Realm challenge': { token: 'realm', key: 10 },
  'Realm personalization value': { token: 'realm', key: 44235 },
  // Islet labels these two the other way round; see the module's Gotchas.
  'Realm hash algo id': { token: 'realm', key: 44236 },
  'Realm public key hash algo id': { token: 'realm', key: 44240 },
  'Realm signing public key': { token: 'realm', key: 44237 },
  'Realm initial measurement': { token: 'realm', key: 44238 },
  // sic: Islet's spelling.
  'Realm extentible measurements': { token: 'realm', key: 44239 },
  Challenge: { token: 'platform', key: 10 },
  'Verification service': { token: 'platform', key: 2400 },
  Profile: { token: 'platform', key: 265 },
  'Instance ID': { token: 'platform', key: 256 },
  'Implementation ID': { token: 'platform', key: 2396 },
  Lifecycle: { token: 'platform', key: 2395 },
  Configuration: { token: 'platform', key: 2401 },
  'Platform hash algo': { token: 'platform', key: 2402 },
  'Platform sw components': { token: 'platform', key: 2399 },
} as const;

/** One of Islet's claim titles. */
export type ClaimTitle = keyof typeof CLAIM_TITLES;

/** A claim's value: bytes, text, an integer, the four REMs, or the platform's software components. */
export type ClaimValue = Bytes | string | number | readonly Bytes[] | readonly SwComponent[];

/** One claim (or signature) of a parsed token. */
export interface Claim extends ClaimLocation {
  /** Islet's title, or for the claims Islet has none for (realm profile, realm instance ID, MEC policy) the spec's name. */
  readonly title: string;
  readonly value: ClaimValue;
}

/**
 * The claims of a CCA token, typed, with Islet-style lookups.
 * @since 0.8.0
 */
export interface Claims {
  /** The wire form the token came in (399 or 907). */
  readonly form: CcaTokenForm;
  readonly realm: RealmClaims;
  readonly platform: PlatformClaims;
  /** The realm token's raw `r‖s` signature. */
  readonly realmSignature: Bytes;
  /** The platform token's raw `r‖s` signature. */
  readonly platformSignature: Bytes;
  /** Every claim present, realm first, in the order {@link formatClaims} prints them. */
  readonly list: readonly Claim[];
  /**
   * The claim an Islet title names, or `undefined` when that optional claim is absent.
   * @throws {@link SdkError} `SDK_ARGUMENT_INVALID` for a string that is not an Islet title.
   */
  claim(title: ClaimTitle): Claim | undefined;
  /** The claim with `key` in `token`, or `undefined` when absent or not a claim this SDK knows. */
  byKey(token: ClaimSet, key: number): Claim | undefined;
}

/** Options of {@link parseClaims}. */
export interface ParseClaimsOptions {
  /** Validates the RAK's point; {@link defaultCrypto} by default. */
  readonly crypto?: CryptoProvider;
}

/**
 * Decodes a CCA token and validates every claim, without checking any signature (Islet's
 * `parse`). Use it to read a token you have verified, or to show one you cannot.
 * @throws {@link SdkError} `SDK_VERIFY_FAILED` when the token is malformed, with the
 * `TokenError` as `cause`.
 * @example
 * ```ts
 * const claims = parseClaims(token);
 * claims.claim('Realm initial measurement')?.value; // the RIM bytes
 * claims.byKey('platform', 2395)?.value; // the lifecycle
 * ```
 * @since 0.8.0
 */
export function parseClaims(token: Uint8Array, options: ParseClaimsOptions = {}): Claims {
  const crypto = options.crypto ?? defaultCrypto();
  try {
    const parts = decodeCcaTokenParts(token);
    const platformSign1 = decodeCoseSign1(parts.platformToken, 'platform token');
    const realmSign1 = decodeCoseSign1(parts.realmToken, 'realm token');
    const platform = parsePlatformClaims(
      decodeCbor(platformSign1.payload, 'platform token payload'),
    );
    const { claims: realm } = readRealmClaims(
      decodeCbor(realmSign1.payload, 'realm token payload'),
      crypto,
    );
    return makeClaims(parts.form, realm, platform, realmSign1.signature, platformSign1.signature);
  } catch (err) {
    throw asVerifyFailed(err);
  }
}

/**
 * The claims of a report that `@islet/token`'s `verifyCcaToken`/`inspectCcaToken` produced, so a
 * verifier does not decode the token twice.
 * @throws {@link SdkError} `SDK_VERIFY_FAILED` if the report's tokens do not decode (they did once).
 * @since 0.8.0
 */
export function claimsFromReport(report: CcaTokenReport): Claims {
  try {
    return makeClaims(
      report.form,
      report.realm,
      report.platform,
      decodeCoseSign1(report.realmToken, 'realm token').signature,
      decodeCoseSign1(report.platformToken, 'platform token').signature,
    );
  } catch (err) {
    throw asVerifyFailed(err);
  }
}

/**
 * Turns a `TokenError` into the SDK's one-line `SDK_VERIFY_FAILED`, keeping it as the cause; any
 * other error is a bug and passes through untouched.
 */
export function asVerifyFailed(err: unknown): unknown {
  if (!(err instanceof TokenError)) return err;
  return new SdkError('SDK_VERIFY_FAILED', err.shortMessage, {
    cause: err,
    ...(err.details === undefined ? {} : { details: err.details }),
  });
}

/** One printable entry: its title, where it lives, and how to read it from the typed claims. */
interface Entry extends ClaimLocation {
  readonly title: string;
  readonly get: (c: Omit<Claims, 'list' | 'claim' | 'byKey'>) => ClaimValue | undefined;
}

// The print order, realm then platform as Islet prints them. "User data" is left out: it is the
// realm challenge again.
const ENTRIES: readonly Entry[] = [
  { title: 'Realm Signature', token: 'realm', key: 'signature', get: (c) => c.realmSignature },
  { title: 'Realm profile', token: 'realm', key: 265, get: (c) => c.realm.profile },
  { title: 'Realm challenge', token: 'realm', key: 10, get: (c) => c.realm.challenge },
  { title: 'Realm instance ID', token: 'realm', key: 256, get: (c) => c.realm.instanceId },
  {
    title: 'Realm personalization value',
    token: 'realm',
    key: 44235,
    get: (c) => c.realm.personalizationValue,
  },
  { title: 'Realm hash algo id', token: 'realm', key: 44236, get: (c) => c.realm.hashAlgorithm },
  {
    title: 'Realm public key hash algo id',
    token: 'realm',
    key: 44240,
    get: (c) => c.realm.publicKeyHashAlgorithm,
  },
  { title: 'Realm signing public key', token: 'realm', key: 44237, get: (c) => c.realm.publicKey },
  {
    title: 'Realm initial measurement',
    token: 'realm',
    key: 44238,
    get: (c) => c.realm.initialMeasurement,
  },
  {
    title: 'Realm extentible measurements',
    token: 'realm',
    key: 44239,
    get: (c) => c.realm.extensibleMeasurements,
  },
  { title: 'Realm MEC policy', token: 'realm', key: 44243, get: (c) => c.realm.mecPolicy },
  {
    title: 'Platform Signature',
    token: 'platform',
    key: 'signature',
    get: (c) => c.platformSignature,
  },
  { title: 'Challenge', token: 'platform', key: 10, get: (c) => c.platform.challenge },
  {
    title: 'Verification service',
    token: 'platform',
    key: 2400,
    get: (c) => c.platform.verificationServiceIndicator,
  },
  { title: 'Profile', token: 'platform', key: 265, get: (c) => c.platform.profile },
  { title: 'Instance ID', token: 'platform', key: 256, get: (c) => c.platform.instanceId },
  {
    title: 'Implementation ID',
    token: 'platform',
    key: 2396,
    get: (c) => c.platform.implementationId,
  },
  { title: 'Lifecycle', token: 'platform', key: 2395, get: (c) => c.platform.lifecycle },
  { title: 'Configuration', token: 'platform', key: 2401, get: (c) => c.platform.config },
  {
    title: 'Platform hash algo',
    token: 'platform',
    key: 2402,
    get: (c) => c.platform.hashAlgorithm,
  },
  {
    title: 'Platform sw components',
    token: 'platform',
    key: 2399,
    get: (c) => c.platform.swComponents,
  },
];

function makeClaims(
  form: CcaTokenForm,
  realm: RealmClaims,
  platform: PlatformClaims,
  realmSignature: Bytes,
  platformSignature: Bytes,
): Claims {
  const base = { form, realm, platform, realmSignature, platformSignature };
  const list: Claim[] = [];
  for (const e of ENTRIES) {
    const value = e.get(base);
    if (value !== undefined) list.push({ title: e.title, token: e.token, key: e.key, value });
  }
  const find = (token: ClaimSet, key: number | 'signature') =>
    list.find((c) => c.token === token && c.key === key);
  return {
    ...base,
    list,
    claim(title) {
      if (!Object.hasOwn(CLAIM_TITLES, title)) {
        throw new SdkError(
          'SDK_ARGUMENT_INVALID',
          `"${String(title)}" is not an Islet claim title`,
        );
      }
      const { token, key } = CLAIM_TITLES[title];
      const found = find(token, key);
      // "User data" reads the realm challenge but keeps the title it was asked by.
      return found && { ...found, title };
    },
    byKey: (token, key) => find(token, key),
  };
}

/** Options of {@link formatClaims}. */
export interface FormatClaimsOptions {
  /** Emphasise titles and dim keys with ANSI escapes, for a terminal. Off by default. */
  readonly color?: boolean;
}

/**
 * Prints claims one per line as Islet's `print_claim` does: `Realm challenge (#10) = [abab…]`, byte
 * strings in hex inside brackets, text quoted, the REMs and software components on indented lines.
 * @example
 * ```ts
 * formatClaims(parseClaims(token)).split('\n')[2]; // 'Realm challenge (#10) = [a740e739…]'
 * ```
 * @since 0.8.0
 */
export function formatClaims(claims: Claims, options: FormatClaimsOptions = {}): string {
  const bold = options.color ? (s: string) => `\x1b[1m${s}\x1b[22m` : (s: string) => s;
  const dim = options.color ? (s: string) => `\x1b[2m${s}\x1b[22m` : (s: string) => s;
  const lines: string[] = [];
  for (const c of claims.list) {
    const head = `${bold(c.title)}${c.key === 'signature' ? '' : ` ${dim(`(#${c.key})`)}`} =`;
    const v = c.value;
    if (Array.isArray(v)) {
      lines.push(head);
      v.forEach((item: Bytes | SwComponent, i) => {
        lines.push(`  [${i}] ${item instanceof Uint8Array ? bytes(item) : swComponent(item)}`);
      });
    } else {
      lines.push(`${head} ${scalar(c.key, v as Bytes | string | number)}`);
    }
  }
  return lines.join('\n');
}

function bytes(b: Uint8Array): string {
  return `[${toHex(b)}]`;
}

function scalar(key: number | 'signature', v: Bytes | string | number): string {
  if (v instanceof Uint8Array) return bytes(v);
  if (typeof v === 'string') return JSON.stringify(v);
  // The lifecycle reads better with its range name (`0x3000` is "secured").
  if (key === 2395) return `${v} (0x${v.toString(16)}, ${lifecycleState(v)})`;
  return String(v);
}

function swComponent(c: SwComponent): string {
  const fields = [
    c.type === undefined ? undefined : `type ${JSON.stringify(c.type)}`,
    c.version === undefined ? undefined : `version ${JSON.stringify(c.version)}`,
    c.hashAlgorithm === undefined ? undefined : `alg ${JSON.stringify(c.hashAlgorithm)}`,
    `measurement ${bytes(c.measurement)}`,
    `signer ${bytes(c.signerId)}`,
  ];
  return fields.filter((f) => f !== undefined).join(', ');
}
