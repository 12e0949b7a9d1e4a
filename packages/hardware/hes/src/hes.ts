/**
 * The hardware root of trust: one object with Islet HES's three services, measured boot, delegated
 * attestation and VHUK, over an injected crypto provider and a provisioning configuration.
 *
 * **Lifecycle.** Construction derives the CPAK and loads the boot measurements into slots 0, 1, ….
 * The EL3 firmware then extends more slots (BL31, RMM, …), asks for the DAK
 * ({@link Hes.getDelegatedKey}: bound to the measurements *at that moment*), and asks for the
 * platform token over the hash of the DAK's public key ({@link Hes.getPlatformToken}). The RMM gets
 * the VHUKs for sealing ({@link Hes.getVhuk}). {@link Hes.reset} is a power cycle.
 *
 * **Errors.** The service methods answer with {@link PsaStatus} values and never throw on caller
 * input; the constructor throws {@link HesError} `HES_PROVISIONING_INVALID` for a broken
 * configuration; the convenience methods ({@link Hes.issuePlatformToken},
 * {@link Hes.deriveSealingKey}) throw coded errors.
 * @see islet-reference.md §3; Islet `hes/islet-hes/src/lib.rs`
 * @module
 */
import {
  type Bytes,
  type CryptoProvider,
  copyBytes,
  defaultCrypto,
  type EcPrivateKey,
  type EcPublicKey,
  equalBytes,
  isIsletError,
} from '@islet/arch';
import { encodeCoseKey, type PlatformClaims, TokenError } from '@islet/token';
import { deriveCpak, deriveDak, platformInstanceId } from './attestation-keys.ts';
import { HesError } from './errors.ts';
import { MeasuredBoot, type MeasurementReadResult } from './measured-boot.ts';
import {
  isValidMeasurement,
  MEASUREMENT_HASH,
  type Measurement,
  MeasurementAlgorithm,
} from './measurement.ts';
import { encodeHesPlatformClaims, signHesPlatformToken } from './platform-token.ts';
import { type HesProvisioning, ISLET_DUMMY_PROVISIONING } from './provisioning.ts';
import { type PsaErrorStatus, PsaStatus } from './psa-status.ts';
import { deriveSealingKey, type RealmSealingInput } from './sealing-key.ts';
import { encodeMeasurements, measurementToSwComponent } from './sw-components.ts';
import { deriveVhukA, deriveVhukM, VhukId, type VhukMaterial } from './vhuk.ts';

/** Options of {@link Hes}. */
export interface HesOptions {
  /** The crypto implementation; `defaultCrypto()` when absent. */
  readonly crypto?: CryptoProvider;
  /** The provisioning; {@link ISLET_DUMMY_PROVISIONING} when absent. */
  readonly provisioning?: HesProvisioning;
}

/** What the EL3 firmware asks a delegated key for (PSA GET_DELEGATED_KEY). */
export interface DelegatedKeyRequest {
  /** The curve: P-384 by default (TF-A sends zeros and HES fixes SecpR1/384); P-521 is `NotSupported`. */
  readonly curve?: 'P-256' | 'P-384' | 'P-521';
  /**
   * The hash the RMM will use on the DAK public key for the platform challenge; it becomes claim
   * 2402. SHA-256 by default.
   */
  readonly hashAlgorithm?: MeasurementAlgorithm;
}

/** The answer to {@link Hes.getDelegatedKey}. */
export type DelegatedKeyResult =
  | { readonly status: typeof PsaStatus.Success; readonly key: EcPrivateKey }
  | { readonly status: PsaErrorStatus };

/** The answer to {@link Hes.getPlatformToken}. */
export type PlatformTokenResult =
  | { readonly status: typeof PsaStatus.Success; readonly token: Bytes }
  | { readonly status: PsaErrorStatus };

/** The answer to {@link Hes.getVhuk}. */
export type VhukResult =
  | { readonly status: typeof PsaStatus.Success; readonly key: Bytes }
  | { readonly status: PsaErrorStatus };

interface Dak {
  readonly key: EcPrivateKey;
  readonly hashAlgorithm: MeasurementAlgorithm;
}

/**
 * A simulated HES (Islet's `IsletHES`).
 *
 * @example
 * ```ts
 * const hes = new Hes({ crypto });
 * const dak = hes.getDelegatedKey();                        // { status: 0, key }
 * const challenge = crypto.hash('sha256', dak.key.publicKey.point);
 * const { token } = hes.getPlatformToken(challenge);        // COSE_Sign1 signed with the CPAK
 * verifyPlatformToken(token, { cpak: hes.cpakPublicKey, crypto });
 * ```
 * @since 0.1.0
 */
export class Hes {
  /** The CPAK public key (what a verifier is provisioned with). */
  readonly cpakPublicKey: EcPublicKey;
  readonly #crypto: CryptoProvider;
  readonly #provisioning: HesProvisioning;
  readonly #cpak: EcPrivateKey;
  readonly #instanceId: Bytes;
  readonly #measuredBoot: MeasuredBoot;
  #dak: Dak | undefined;

  /**
   * Derives the CPAK and loads the boot measurements.
   * @throws {@link HesError} `HES_PROVISIONING_INVALID` for a malformed provisioning.
   */
  constructor(options: HesOptions = {}) {
    const crypto = options.crypto ?? defaultCrypto();
    this.#crypto = crypto;
    this.#provisioning = copyProvisioning(options.provisioning ?? ISLET_DUMMY_PROVISIONING);
    try {
      this.#cpak = deriveCpak(this.#provisioning, this.#crypto);
    } catch (e) {
      throw provisioningError(e, 'the CPAK cannot be derived');
    }
    this.cpakPublicKey = this.#cpak.publicKey;
    this.#instanceId = platformInstanceId(this.cpakPublicKey, crypto);
    this.#measuredBoot = MeasuredBoot.fromBootMeasurements(
      this.#provisioning.bootMeasurements,
      crypto,
    );
    try {
      // Every claim that comes from the provisioning is checked once, here.
      encodeHesPlatformClaims(this.platformClaims(new Uint8Array(32)));
    } catch (e) {
      throw provisioningError(e, 'the provisioned claims are invalid');
    }
  }

  /** The platform instance ID (claim 256): `0x01 ‖ SHA-256(CPAK)`. A copy. */
  get instanceId(): Bytes {
    return copyBytes(this.#instanceId);
  }

  /**
   * PSA measured boot READ of slot `slot`.
   * @returns the slot, `InvalidArgument` or `DoesNotExist`.
   */
  readMeasurement(slot: number): MeasurementReadResult {
    return this.#measuredBoot.read(slot);
  }

  /**
   * PSA measured boot EXTEND of slot `slot` (see `measured-boot.ts` for the rules).
   * @returns `Success`, `InvalidArgument`, `BadState` or `NotPermitted`.
   */
  extendMeasurement(slot: number, measurement: Measurement, lock = false): PsaStatus {
    return this.#measuredBoot.extend(slot, measurement, lock);
  }

  /**
   * Locks slot `slot` without extending it.
   * @returns `Success`, `InvalidArgument` or `DoesNotExist`.
   */
  lockMeasurement(slot: number): PsaStatus {
    return this.#measuredBoot.lock(slot);
  }

  /** The populated slots in slot order (copies). */
  measurements(): Measurement[] {
    return this.#measuredBoot.current();
  }

  /**
   * PSA GET_DELEGATED_KEY: derives the DAK from the GUK and the current measurements and remembers
   * it (and the hash algorithm) for {@link getPlatformToken}.
   * @returns the key pair (the RMM's RAK), `NotSupported` for P-521, `InvalidArgument` for an
   * unknown curve or hash, `GenericError` if the derivation fails.
   */
  getDelegatedKey(request: DelegatedKeyRequest = {}): DelegatedKeyResult {
    const curve = request?.curve ?? 'P-384';
    const hashAlgorithm = request?.hashAlgorithm ?? MeasurementAlgorithm.Sha256;
    if (curve === 'P-521') return { status: PsaStatus.NotSupported };
    if (curve !== 'P-256' && curve !== 'P-384') return { status: PsaStatus.InvalidArgument };
    if (!Object.hasOwn(MEASUREMENT_HASH, hashAlgorithm)) {
      return { status: PsaStatus.InvalidArgument };
    }
    const p = this.#provisioning;
    try {
      const key = deriveDak(
        {
          guk: p.guk,
          bl2SignedHash: p.bl2SignedHash,
          lifecycle: p.dakSeedLifecycle ?? p.lifecycle,
          swComponents: encodeMeasurements(this.#measuredBoot.current()),
          curve,
        },
        this.#crypto,
      );
      this.#dak = { key, hashAlgorithm };
      return { status: PsaStatus.Success, key };
    } catch (e) {
      if (isIsletError(e, 'HES_KEY_DERIVATION_FAILED')) return { status: PsaStatus.GenericError };
      throw e;
    }
  }

  /**
   * PSA GET_PLATFORM_TOKEN: the platform token over `challenge`, which must be the hash (with the
   * algorithm given to {@link getDelegatedKey}) of the DAK's public key, either as a raw SEC1 point
   * (what Islet HES checks) or as a COSE_Key (what the RMM hashes for a profiled realm token).
   * @returns the token, or `InvalidArgument` when no DAK was requested or the challenge is not the
   * DAK's hash.
   */
  getPlatformToken(challenge: Uint8Array): PlatformTokenResult {
    const dak = this.#dak;
    if (dak === undefined || !(challenge instanceof Uint8Array)) {
      return { status: PsaStatus.InvalidArgument };
    }
    const crypto = this.#crypto;
    const hash = MEASUREMENT_HASH[dak.hashAlgorithm];
    const bound =
      equalBytes(challenge, crypto.hash(hash, dak.key.publicKey.point)) ||
      equalBytes(challenge, crypto.hash(hash, encodeCoseKey(dak.key.publicKey)));
    if (!bound) return { status: PsaStatus.InvalidArgument };
    return {
      status: PsaStatus.Success,
      token: this.issuePlatformToken(challenge, dak.hashAlgorithm),
    };
  }

  /**
   * PSA VHUK GET_KEY: VHUK_A (`id` 1) or VHUK_M (`id` 2) over the current measurements.
   * @returns 32 bytes, or `InvalidArgument` for another id.
   */
  getVhuk(id: VhukId): VhukResult {
    if (id === VhukId.A) {
      return { status: PsaStatus.Success, key: deriveVhukA(this.#vhukMaterial(), this.#crypto) };
    }
    if (id === VhukId.M) {
      return { status: PsaStatus.Success, key: deriveVhukM(this.#vhukMaterial(), this.#crypto) };
    }
    return { status: PsaStatus.InvalidArgument };
  }

  /**
   * The platform claims HES would sign for `challenge`: the provisioned claims, the instance ID and
   * the current measurements as software components.
   * @param hashAlgorithm - claim 2402, the hash of the DAK binding.
   * @returns the claims (not validated; {@link issuePlatformToken} validates).
   */
  platformClaims(
    challenge: Uint8Array,
    hashAlgorithm: MeasurementAlgorithm = MeasurementAlgorithm.Sha256,
  ): PlatformClaims {
    const p = this.#provisioning;
    return {
      profile: p.profile,
      challenge: copyBytes(challenge),
      implementationId: copyBytes(p.implementationId),
      instanceId: copyBytes(this.#instanceId),
      config: copyBytes(p.config),
      lifecycle: p.lifecycle,
      swComponents: this.#measuredBoot.current().map(measurementToSwComponent),
      ...(p.verificationService === undefined
        ? {}
        : { verificationServiceIndicator: p.verificationService }),
      hashAlgorithm,
    };
  }

  /**
   * Signs a platform token over any `challenge` (32, 48 or 64 bytes) without the DAK check of
   * {@link getPlatformToken}: for callers that bind the token to a key of their own.
   * @returns the tagged COSE_Sign1.
   * @throws `TokenError` (`@islet/token`) `TOKEN_CLAIM_SIZE` for a challenge of another size.
   */
  issuePlatformToken(
    challenge: Uint8Array,
    hashAlgorithm: MeasurementAlgorithm = MeasurementAlgorithm.Sha256,
  ): Bytes {
    return signHesPlatformToken(
      this.platformClaims(challenge, hashAlgorithm),
      this.#cpak,
      this.#crypto,
    );
  }

  /**
   * The sealing key the RMM derives for a realm from this HES's current VHUKs.
   * @returns 32 bytes.
   * @throws {@link HesError} as `deriveSealingKey`.
   */
  deriveSealingKey(realm: RealmSealingInput): Bytes {
    const material = this.#vhukMaterial();
    return deriveSealingKey(
      {
        ...realm,
        vhukA: deriveVhukA(material, this.#crypto),
        vhukM: deriveVhukM(material, this.#crypto),
      },
      this.#crypto,
    );
  }

  /** Power cycle: reloads the boot measurements and forgets the DAK (Islet `reset`). */
  reset(): void {
    this.#measuredBoot.load(this.#provisioning.bootMeasurements);
    this.#dak = undefined;
  }

  #vhukMaterial(): VhukMaterial {
    const p = this.#provisioning;
    return { huk: p.huk, measurements: this.#measuredBoot.current(), lifecycle: p.lifecycle };
  }
}

function provisioningError(cause: unknown, message: string): HesError {
  if (cause instanceof HesError && cause.code === 'HES_PROVISIONING_INVALID') return cause;
  if (cause instanceof HesError || cause instanceof TokenError) {
    return new HesError('HES_PROVISIONING_INVALID', message, {
      details: cause.shortMessage,
      cause,
    });
  }
  throw cause;
}

/** Copies every byte field, so that a caller mutating its object cannot change this HES. */
function copyProvisioning(p: HesProvisioning): HesProvisioning {
  if (typeof p !== 'object' || p === null) {
    throw new HesError('HES_PROVISIONING_INVALID', 'the provisioning must be an object');
  }
  const bytes = (b: unknown, what: string, min: number, max = min): Bytes => {
    if (!(b instanceof Uint8Array) || b.length < min || b.length > max) {
      const size = min === max ? `${min}` : `${min} to ${max}`;
      throw new HesError('HES_PROVISIONING_INVALID', `${what} must be ${size} bytes`);
    }
    return copyBytes(b);
  };
  const u32 = (n: unknown, what: string): number => {
    if (!Number.isInteger(n) || (n as number) < 0 || (n as number) > 0xffff_ffff) {
      throw new HesError('HES_PROVISIONING_INVALID', `${what} must be an unsigned 32-bit integer`);
    }
    return n as number;
  };
  if (!Array.isArray(p.bootMeasurements) || !p.bootMeasurements.every(isValidMeasurement)) {
    throw new HesError('HES_PROVISIONING_INVALID', 'a boot measurement is malformed');
  }
  return {
    huk: bytes(p.huk, 'the HUK', 32),
    guk: bytes(p.guk, 'the GUK', 32),
    bl2SignedHash: bytes(p.bl2SignedHash, 'the BL2 signed hash', 32, 64),
    implementationId: bytes(p.implementationId, 'the implementation ID', 32),
    profile: p.profile,
    lifecycle: u32(p.lifecycle, 'the lifecycle'),
    ...(p.dakSeedLifecycle === undefined
      ? {}
      : { dakSeedLifecycle: u32(p.dakSeedLifecycle, 'the DAK seed lifecycle') }),
    ...(p.verificationService === undefined ? {} : { verificationService: p.verificationService }),
    config: bytes(p.config, 'the platform config', 0, Number.MAX_SAFE_INTEGER),
    bootMeasurements: p.bootMeasurements.map((m) => ({
      metadata: { ...m.metadata, signerId: copyBytes(m.metadata.signerId) },
      value: copyBytes(m.value),
    })),
  };
}
