#!/usr/bin/env node
/**
 * An independent Arm CCA attestation token verifier: plain JavaScript, node built-ins and the
 * `cbor2` CBOR library only. It shares no code with the rest of this repository (which uses
 * `cbor-x` and its own COSE code), so that it can cross-check the tokens the SDK makes.
 *
 * Checks, in order (each failure throws a `CcaVerifyError` whose message starts with the check):
 *   collection          tag 907 with CMW records [263, bstr], or tag 399 with bstr entries (or,
 *                       as in the draft working copy, 399 with CMW records); keys 44234, 44241
 *   platform COSE_Sign1 tag 18, [protected bstr, unprotected map, payload bstr, signature bstr],
 *                       protected = {1: alg}, alg ES256/ES384/ES512
 *   platform signature  Sig_structure ["Signature1", protected, h'', payload], raw r||s, CPAK
 *   platform claims     profile, challenge (10), impl-id, instance-id, config, lifecycle,
 *                       sw-components, hash-algo-id
 *   realm COSE_Sign1    as for the platform
 *   realm claims        challenge (64 B), RPV (64 B), hash-algo-id, RIM, 4 REMs, RAK, RAK hash-algo
 *   realm public key    COSE_Key (kty 2, crv 1/2/3, x, y) when the realm has a profile; a raw
 *                       0x04||X||Y P-384 point when it has none (RMM 1.0-eac/bet)
 *   realm signature     as for the platform, with the RAK
 *   binding             platform challenge == H_{realm[44240]}(the bytes of realm[44237])
 *
 * Usage: node verify.mjs <token.bin> <cpak.pem | cpak.der (SPKI) | cpak.bin (raw 0x04||X||Y)>
 * @module
 */
import { createHash, createPublicKey, verify as cryptoVerify, timingSafeEqual } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decode, encode, Tag } from 'cbor2';

/** A failed check: `check` names it, the message starts with it. */
export class CcaVerifyError extends Error {
  /**
   * @param {string} check - the check that failed, e.g. "platform signature".
   * @param {string} detail - what was wrong.
   * @param {unknown} [cause] - the underlying error, if any.
   */
  constructor(check, detail, cause) {
    super(`${check}: ${detail}`, cause === undefined ? undefined : { cause });
    this.name = 'CcaVerifyError';
    this.check = check;
  }
}

/** Strict decoding: definite lengths only, no duplicate map keys, every map a `Map`. */
const DECODE_OPTIONS = {
  rejectStreaming: true,
  rejectDuplicateKeys: true,
  preferMap: true,
  ignoreGlobalTags: true,
};

const TAG_CCA_LEGACY = 399;
const TAG_CCA = 907;
const TAG_COSE_SIGN1 = 18;
const CT_EAT_CWT = 263;
const KEY_PLATFORM = 44234;
const KEY_REALM = 44241;

/** COSE algorithm → hash and curve (RFC 9053). */
const ALGS = new Map([
  [-7, { name: 'ES256', hash: 'sha256', curve: 'P-256', size: 32 }],
  [-35, { name: 'ES384', hash: 'sha384', curve: 'P-384', size: 48 }],
  [-36, { name: 'ES512', hash: 'sha512', curve: 'P-521', size: 66 }],
]);
/** COSE crv → JWK crv and coordinate size. */
const COSE_CURVES = new Map([
  [1, { crv: 'P-256', size: 32 }],
  [2, { crv: 'P-384', size: 48 }],
  [3, { crv: 'P-521', size: 66 }],
]);
/** node's EC curve names. */
const NODE_CURVES = new Map([
  ['prime256v1', 'P-256'],
  ['secp384r1', 'P-384'],
  ['secp521r1', 'P-521'],
]);
/** Raw point length → curve. */
const RAW_POINTS = new Map([
  [65, { crv: 'P-256', size: 32 }],
  [97, { crv: 'P-384', size: 48 }],
  [133, { crv: 'P-521', size: 66 }],
]);
/** Binding hash algorithms (claim 44240). */
const BINDING_HASHES = new Map([
  ['sha-256', 'sha256'],
  ['sha-384', 'sha384'],
  ['sha-512', 'sha512'],
]);

const PLATFORM_PROFILES = ['tag:arm.com,2023:cca_platform#1.0.0', 'http://arm.com/CCA-SSD/1.0.0'];
const REALM_PROFILES = ['tag:arm.com,2023:realm#1.0.0', 'tag:arm.com,2024:realm#2.0.0'];

/** Lifecycle (2395) ranges and their names. */
const LIFECYCLES = [
  [0x0000, 'unknown'],
  [0x1000, 'assembly-and-test'],
  [0x2000, 'cca-platform-rot-provisioning'],
  [0x3000, 'secured'],
  [0x4000, 'non-cca-platform-rot-debug'],
  [0x5000, 'recoverable-cca-platform-rot-debug'],
  [0x6000, 'decommissioned'],
];

const hex = (b) => Buffer.from(b).toString('hex');
const isBytes = (v) => v instanceof Uint8Array;
const b64url = (b) => Buffer.from(b).toString('base64url');
/** A plain `Uint8Array` copy (cbor2 hands back views into its input). */
const plain = (b) => Uint8Array.from(b);

/**
 * Decodes one CBOR item; any failure (including trailing bytes) is the given check's.
 * @param {Uint8Array} bytes
 * @param {string} check
 */
function decodeStrict(bytes, check) {
  try {
    return decode(bytes, DECODE_OPTIONS);
  } catch (err) {
    throw new CcaVerifyError(check, `not well-formed CBOR (${err.message})`, err);
  }
}

/**
 * Splits a token into its two COSE_Sign1 byte strings.
 * @param {Uint8Array} token - the CCA token.
 * @returns {{ tag: number, entries: 'bstr' | 'cmw', platform: Uint8Array, realm: Uint8Array }}
 */
export function splitCcaToken(token) {
  const CHECK = 'collection';
  const top = decodeStrict(token, CHECK);
  if (!(top instanceof Tag)) throw new CcaVerifyError(CHECK, 'not a tagged CBOR item');
  const tag = Number(top.tag);
  if (tag !== TAG_CCA && tag !== TAG_CCA_LEGACY) {
    throw new CcaVerifyError(CHECK, `tag ${top.tag}, expected ${TAG_CCA} or ${TAG_CCA_LEGACY}`);
  }
  const map = top.contents;
  if (!(map instanceof Map)) throw new CcaVerifyError(CHECK, 'the tag does not hold a map');
  for (const key of map.keys()) {
    if (key !== KEY_PLATFORM && key !== KEY_REALM) {
      throw new CcaVerifyError(CHECK, `unexpected key ${String(key)}`);
    }
  }
  const kinds = new Set();
  const entry = (key, what) => {
    const value = map.get(key);
    if (value === undefined) throw new CcaVerifyError(CHECK, `no ${what} token (key ${key})`);
    if (isBytes(value)) {
      if (tag === TAG_CCA) {
        throw new CcaVerifyError(
          CHECK,
          `${what} entry of a ${TAG_CCA} collection is not a CMW record`,
        );
      }
      kinds.add('bstr');
      return plain(value);
    }
    if (Array.isArray(value)) {
      if (value.length !== 2 || value[0] !== CT_EAT_CWT || !isBytes(value[1])) {
        throw new CcaVerifyError(CHECK, `${what} entry is not a CMW record [${CT_EAT_CWT}, bstr]`);
      }
      kinds.add('cmw');
      return plain(value[1]);
    }
    throw new CcaVerifyError(CHECK, `${what} entry is neither a bstr nor a CMW record`);
  };
  const platform = entry(KEY_PLATFORM, 'platform');
  const realm = entry(KEY_REALM, 'realm');
  if (kinds.size !== 1) throw new CcaVerifyError(CHECK, 'the entries mix bstr and CMW records');
  return { tag, entries: [...kinds][0], platform, realm };
}

/**
 * Decodes a tagged COSE_Sign1 (signature not yet checked).
 * @param {Uint8Array} bytes
 * @param {string} which - "platform" or "realm".
 */
function decodeSign1(bytes, which) {
  const CHECK = `${which} COSE_Sign1`;
  const item = decodeStrict(bytes, CHECK);
  if (!(item instanceof Tag) || Number(item.tag) !== TAG_COSE_SIGN1) {
    throw new CcaVerifyError(CHECK, `not tagged ${TAG_COSE_SIGN1}`);
  }
  const arr = item.contents;
  if (!Array.isArray(arr) || arr.length !== 4) {
    throw new CcaVerifyError(CHECK, 'not an array of 4');
  }
  const [protectedBytes, unprotected, payload, signature] = arr;
  if (!isBytes(protectedBytes)) throw new CcaVerifyError(CHECK, 'protected header is not a bstr');
  if (!(unprotected instanceof Map)) {
    throw new CcaVerifyError(CHECK, 'unprotected header is not a map');
  }
  if (!isBytes(payload)) throw new CcaVerifyError(CHECK, 'payload is not a bstr (detached?)');
  if (!isBytes(signature)) throw new CcaVerifyError(CHECK, 'signature is not a bstr');
  const headers = protectedBytes.length === 0 ? new Map() : decodeStrict(protectedBytes, CHECK);
  if (!(headers instanceof Map)) throw new CcaVerifyError(CHECK, 'protected header is not a map');
  if (unprotected.has(1)) throw new CcaVerifyError(CHECK, 'alg in the unprotected header');
  const alg = ALGS.get(headers.get(1));
  if (alg === undefined) {
    throw new CcaVerifyError(CHECK, `alg ${String(headers.get(1))} is not ES256, ES384 or ES512`);
  }
  return {
    alg,
    protectedBytes: plain(protectedBytes),
    payload: plain(payload),
    signature: plain(signature),
  };
}

/**
 * Checks a COSE_Sign1 signature.
 * @param {ReturnType<typeof decodeSign1>} sign1
 * @param {import('node:crypto').KeyObject} key
 * @param {string} which
 */
function verifySign1(sign1, key, which) {
  const CHECK = `${which} signature`;
  const keyCurve = NODE_CURVES.get(key.asymmetricKeyDetails?.namedCurve);
  if (key.asymmetricKeyType !== 'ec' || keyCurve === undefined) {
    throw new CcaVerifyError(CHECK, 'the key is not a P-256/P-384/P-521 EC key');
  }
  if (keyCurve !== sign1.alg.curve) {
    throw new CcaVerifyError(
      CHECK,
      `${sign1.alg.name} needs a ${sign1.alg.curve} key, not ${keyCurve}`,
    );
  }
  if (sign1.signature.length !== 2 * sign1.alg.size) {
    throw new CcaVerifyError(
      CHECK,
      `${sign1.alg.name} signature is ${2 * sign1.alg.size} bytes, not ${sign1.signature.length}`,
    );
  }
  const toBeSigned = encode(['Signature1', sign1.protectedBytes, new Uint8Array(0), sign1.payload]);
  const ok = cryptoVerify(
    sign1.alg.hash,
    toBeSigned,
    { key, dsaEncoding: 'ieee-p1363' },
    sign1.signature,
  );
  if (!ok) throw new CcaVerifyError(CHECK, `${sign1.alg.name} verification failed`);
}

/** A claims map from a payload. */
function decodeClaims(payload, which) {
  const CHECK = `${which} claims`;
  const claims = decodeStrict(payload, CHECK);
  if (!(claims instanceof Map)) throw new CcaVerifyError(CHECK, 'the payload is not a map');
  return claims;
}

/** Claim accessors that throw the right check on a missing or ill-typed claim. */
function claimReader(claims, check) {
  const fail = (key, what) => {
    throw new CcaVerifyError(check, `claim ${key} ${what}`);
  };
  return {
    bytes(key, sizes, optional = false) {
      const v = claims.get(key);
      if (v === undefined) return optional ? undefined : fail(key, 'is missing');
      if (!isBytes(v)) return fail(key, 'is not a bstr');
      if (sizes !== undefined && !sizes.includes(v.length)) {
        return fail(key, `is ${v.length} bytes, expected ${sizes.join('/')}`);
      }
      return plain(v);
    },
    text(key, optional = false, allowEmpty = false) {
      const v = claims.get(key);
      if (v === undefined) return optional ? undefined : fail(key, 'is missing');
      if (typeof v !== 'string') return fail(key, 'is not a tstr');
      if (v.length === 0 && !allowEmpty) return fail(key, 'is an empty tstr');
      return v;
    },
    uint(key, optional = false) {
      const v = claims.get(key);
      if (v === undefined) return optional ? undefined : fail(key, 'is missing');
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
        return fail(key, 'is not a uint');
      }
      return v;
    },
    raw(key) {
      return claims.get(key);
    },
    fail,
  };
}

const DIGEST_SIZES = [32, 48, 64];

/** Platform claims (§1.2 of the spec digest). */
function readPlatformClaims(claims) {
  const CHECK = 'platform claims';
  const r = claimReader(claims, CHECK);
  const profile = r.text(265);
  if (!PLATFORM_PROFILES.includes(profile)) r.fail(265, `is an unknown profile "${profile}"`);
  const challenge = r.bytes(10, DIGEST_SIZES);
  const implementationId = r.bytes(2396, [32]);
  const instanceId = r.bytes(256, [33]);
  if (instanceId[0] !== 0x01) r.fail(256, 'is not a RAND UEID (first byte 0x01)');
  const config = r.bytes(2401);
  const lifecycle = r.uint(2395);
  const state = LIFECYCLES.find(([base]) => lifecycle >= base && lifecycle <= base + 0xff);
  if (state === undefined) r.fail(2395, `0x${lifecycle.toString(16)} is in no lifecycle range`);
  const components = r.raw(2399);
  if (!Array.isArray(components) || components.length === 0) {
    r.fail(2399, 'is not a non-empty array');
  }
  const swComponents = components.map((c, i) => {
    if (!(c instanceof Map)) return r.fail(2399, `entry ${i} is not a map`);
    const cr = claimReader(c, `${CHECK}: sw-component ${i}`);
    // Islet's components carry an empty version: any tstr is allowed in the component.
    const type = cr.text(1, true, true);
    const version = cr.text(4, true, true);
    const hashAlgo = cr.text(6, true, true);
    return {
      ...(type === undefined ? {} : { type }),
      measurement: hex(cr.bytes(2, DIGEST_SIZES)),
      ...(version === undefined ? {} : { version }),
      signerId: hex(cr.bytes(5, DIGEST_SIZES)),
      ...(hashAlgo === undefined ? {} : { hashAlgo }),
    };
  });
  const verificationService = r.text(2400, true);
  const hashAlgo = r.text(2402);
  return {
    profile,
    challenge,
    implementationId,
    instanceId,
    config,
    lifecycle,
    lifecycleState: state[1],
    swComponents,
    ...(verificationService === undefined ? {} : { verificationService }),
    hashAlgo,
  };
}

/** Realm claims (§1.3 of the spec digest). */
function readRealmClaims(claims) {
  const r = claimReader(claims, 'realm claims');
  const profile = r.text(265, true);
  if (profile !== undefined && !REALM_PROFILES.includes(profile)) {
    r.fail(265, `is an unknown profile "${profile}"`);
  }
  const challenge = r.bytes(10, [64]);
  const instanceId = r.bytes(256, [33], true);
  const rpv = r.bytes(44235, [64]);
  const hashAlgo = r.text(44236);
  const rak = r.bytes(44237);
  const rim = r.bytes(44238, DIGEST_SIZES);
  const rems = r.raw(44239);
  if (!Array.isArray(rems) || rems.length !== 4) r.fail(44239, 'is not an array of 4');
  const rem = rems.map((m, i) => {
    if (!isBytes(m) || !DIGEST_SIZES.includes(m.length)) {
      return r.fail(44239, `entry ${i} is not a 32/48/64-byte bstr`);
    }
    return plain(m);
  });
  const rakHashAlgo = r.text(44240);
  const mecPolicy = r.raw(44243);
  return {
    ...(profile === undefined ? {} : { profile }),
    challenge,
    ...(instanceId === undefined ? {} : { instanceId }),
    rpv,
    hashAlgo,
    rak,
    rim,
    rem,
    rakHashAlgo,
    ...(mecPolicy === undefined ? {} : { mecPolicy }),
  };
}

/** A public key from a raw 0x04||X||Y point. */
function keyFromRawPoint(point, check) {
  const curve = RAW_POINTS.get(point.length);
  if (curve === undefined || point[0] !== 0x04) {
    throw new CcaVerifyError(
      check,
      `not an uncompressed P-256/384/521 point (${point.length} bytes)`,
    );
  }
  return keyFromJwk(
    {
      kty: 'EC',
      crv: curve.crv,
      x: b64url(point.subarray(1, 1 + curve.size)),
      y: b64url(point.subarray(1 + curve.size)),
    },
    check,
  );
}

function keyFromJwk(jwk, check) {
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch (err) {
    throw new CcaVerifyError(check, `not a valid ${jwk.crv} public key (${err.message})`, err);
  }
}

/** The RAK from claim 44237's bytes: a COSE_Key (profiled realm) or a raw P-384 point (legacy). */
function rakKey(realm) {
  const CHECK = 'realm public key';
  if (realm.profile === undefined) {
    if (realm.rak.length !== 97) {
      throw new CcaVerifyError(
        CHECK,
        `a legacy RAK is a 97-byte P-384 point, not ${realm.rak.length} bytes`,
      );
    }
    return keyFromRawPoint(realm.rak, CHECK);
  }
  const coseKey = decodeStrict(realm.rak, CHECK);
  if (!(coseKey instanceof Map)) throw new CcaVerifyError(CHECK, 'the COSE_Key is not a map');
  if (coseKey.get(1) !== 2)
    throw new CcaVerifyError(CHECK, `kty ${String(coseKey.get(1))}, not EC2 (2)`);
  const curve = COSE_CURVES.get(coseKey.get(-1));
  if (curve === undefined) {
    throw new CcaVerifyError(CHECK, `crv ${String(coseKey.get(-1))} is not P-256/384/521`);
  }
  const x = coseKey.get(-2);
  const y = coseKey.get(-3);
  if (!isBytes(x) || x.length !== curve.size || !isBytes(y) || y.length !== curve.size) {
    throw new CcaVerifyError(
      CHECK,
      `x and y must be ${curve.size}-byte bstrs (compressed points unsupported)`,
    );
  }
  return keyFromJwk({ kty: 'EC', crv: curve.crv, x: b64url(x), y: b64url(y) }, CHECK);
}

/**
 * The CPAK as a KeyObject from a PEM (SPKI) string or bytes, SPKI DER bytes, a raw point, or a
 * KeyObject.
 * @param {string | Uint8Array | import('node:crypto').KeyObject} cpak
 */
export function cpakKey(cpak) {
  const CHECK = 'platform key';
  if (typeof cpak === 'object' && cpak !== null && 'asymmetricKeyType' in cpak) return cpak;
  let pem;
  if (typeof cpak === 'string') pem = cpak;
  else if (isBytes(cpak) && Buffer.from(cpak.subarray(0, 10)).toString('latin1') === '-----BEGIN') {
    pem = Buffer.from(cpak).toString('utf8');
  }
  try {
    if (pem !== undefined) return createPublicKey(pem);
    if (!isBytes(cpak)) throw new Error('expected a PEM string, SPKI DER or a raw point');
    if (cpak[0] === 0x04) return keyFromRawPoint(cpak, CHECK);
    return createPublicKey({ key: Buffer.from(cpak), format: 'der', type: 'spki' });
  } catch (err) {
    if (err instanceof CcaVerifyError) throw err;
    throw new CcaVerifyError(CHECK, `unusable CPAK (${err.message})`, err);
  }
}

/**
 * Verifies a CCA attestation token against a CPAK.
 * @param {Uint8Array} token - the token bytes (tag 907 or 399).
 * @param {string | Uint8Array | import('node:crypto').KeyObject} cpak - the platform key: PEM
 *   (SPKI), SPKI DER, or a raw 0x04||X||Y point.
 * @returns the claims, byte strings as lowercase hex.
 * @throws {CcaVerifyError} naming the failed check.
 */
export function verifyCcaToken(token, cpak) {
  if (!isBytes(token)) throw new CcaVerifyError('collection', 'the token is not bytes');
  const platformKey = cpakKey(cpak);
  const parts = splitCcaToken(token);

  const platformSign1 = decodeSign1(parts.platform, 'platform');
  verifySign1(platformSign1, platformKey, 'platform');
  const platform = readPlatformClaims(decodeClaims(platformSign1.payload, 'platform'));

  const realmSign1 = decodeSign1(parts.realm, 'realm');
  const realm = readRealmClaims(decodeClaims(realmSign1.payload, 'realm'));
  verifySign1(realmSign1, rakKey(realm), 'realm');

  const hash = BINDING_HASHES.get(realm.rakHashAlgo);
  if (hash === undefined) {
    throw new CcaVerifyError(
      'binding',
      `RAK hash algorithm "${realm.rakHashAlgo}" is not sha-256/384/512`,
    );
  }
  const binder = createHash(hash).update(realm.rak).digest();
  if (binder.length !== platform.challenge.length || !timingSafeEqual(binder, platform.challenge)) {
    throw new CcaVerifyError(
      'binding',
      `platform challenge ${hex(platform.challenge)} is not ${realm.rakHashAlgo}(RAK) ${hex(binder)}`,
    );
  }

  return {
    format: { tag: parts.tag, entries: parts.entries },
    realmChallenge: hex(realm.challenge),
    rim: hex(realm.rim),
    rem: realm.rem.map(hex),
    rpv: hex(realm.rpv),
    platform: {
      alg: platformSign1.alg.name,
      ...platform,
      challenge: hex(platform.challenge),
      implementationId: hex(platform.implementationId),
      instanceId: hex(platform.instanceId),
      config: hex(platform.config),
    },
    realm: {
      alg: realmSign1.alg.name,
      ...realm,
      challenge: hex(realm.challenge),
      ...(realm.instanceId === undefined ? {} : { instanceId: hex(realm.instanceId) }),
      rpv: hex(realm.rpv),
      rak: hex(realm.rak),
      rim: hex(realm.rim),
      rem: realm.rem.map(hex),
    },
  };
}

/** The CLI: `node verify.mjs <token.bin> <cpak>`; prints JSON, exits 1 on a failed check. */
function main(args) {
  if (args.length !== 2) {
    console.error(
      'usage: node verify.mjs <token.bin> <cpak.pem | cpak.der | cpak.bin (raw point)>',
    );
    return 2;
  }
  try {
    const result = verifyCcaToken(readFileSync(args[0]), readFileSync(args[1]));
    console.log(JSON.stringify({ ok: true, ...result }, null, 2));
    return 0;
  } catch (err) {
    console.log(
      JSON.stringify({ ok: false, check: err.check ?? 'input', error: err.message }, null, 2),
    );
    console.error(`verification failed: ${err.message}`);
    return 1;
  }
}

/** Whether this file is the program node was started with (not an import). */
function isMain() {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  process.exitCode = main(process.argv.slice(2));
}
