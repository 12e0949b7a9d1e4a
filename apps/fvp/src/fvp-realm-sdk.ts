/**
 * The SDK's emulated backend (`fvp`): the SDK runs inside a realm of this platform and reaches the
 * RMM through the guest shim, as an Islet realm app that statically links the SDK reaches it
 * through `/dev/rsi`. The host only sends requests (attest this user data, seal these bytes) and
 * gets results back; sealing keys are derived, used and kept in the realm.
 *
 * **The realm** is a {@link ServiceRealm} whose program is {@link sdkRealmProgram}: the SDK realm
 * runtime (`sdk-realm-runtime.ts` bundled with `@islet/sdk` and the noble crypto provider, built
 * into `dist/sdk-realm-runtime.iife.js` by `scripts/bundle-sdk-realm.mjs`), then the service loop
 * serving its handler. The identity line after it is measured, as for the simulated realm.
 *
 * **Compared with the simulated backend**: the same platform, tokens and claims; but there the SDK
 * runs on the host and the realm hands it its sealing key, here the key never leaves the realm,
 * and errors the SDK raises in the realm (`SDK_SEALED_INVALID`, `SDK_ARGUMENT_INVALID`) arrive
 * with their codes. The price is the launch: the image is the whole runtime (about 74 KiB, 19
 * granules measured), and the first request compiles it in the vCPU's sandbox.
 * @module
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assert, type EcPublicKey } from '@islet/arch';
import {
  assertExtension,
  assertMeasurementIndex,
  challengeOf,
  type RealmSdk,
  SdkError,
  SEALED_HEADER_SIZE,
} from '@islet/sdk';
import { SdkRealmOp } from './sdk-realm-runtime.ts';
import {
  SERVICE_LOOP,
  SERVICE_MESSAGE_MAX,
  ServiceRealm,
  type ServiceRealmOptions,
} from './service-realm.ts';

/**
 * The most bytes {@link FvpRealmSdk.seal} takes (and so, with the blob's header and tag, the
 * largest blob it unseals): 16 MiB. Data crosses through the service realm's shared window, a
 * window-full (1 MiB) per host call; the limit keeps a request within
 * {@link SERVICE_MESSAGE_MAX}, which the realm checks before it allocates.
 * @since 0.9.0
 */
export const FVP_REALM_DATA_MAX: number = 1 << 24;

/** Bytes a sealed blob adds to its data: the header and the AES-GCM tag. */
const SEALED_OVERHEAD = SEALED_HEADER_SIZE + 16;

// The largest unseal request (op and blob) is one service message.
assert(1 + FVP_REALM_DATA_MAX + SEALED_OVERHEAD <= SERVICE_MESSAGE_MAX, 'FVP_REALM_DATA_MAX');

/** The runtime bundle, next to this module in dist/ or, from src/ under vitest, in ../dist/. */
const RUNTIME = new URL(
  import.meta.url.endsWith('.ts')
    ? '../dist/sdk-realm-runtime.iife.js'
    : './sdk-realm-runtime.iife.js',
  import.meta.url,
);

let runtime: string | undefined;

/**
 * The SDK realm runtime: the built bundle's text, which defines the global `IsletSdkRealm`
 * (`sdkRealmHandler`, `SdkRealmOp`) in a realm program. Read once.
 * @throws {@link SdkError} `SDK_BACKEND_FAILED` when the bundle has not been built.
 * @since 0.9.0
 */
export function sdkRealmRuntime(): string {
  if (runtime !== undefined) return runtime;
  const path = fileURLToPath(RUNTIME);
  try {
    runtime = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new SdkError('SDK_BACKEND_FAILED', 'the SDK realm runtime is not built', {
      details: `${path} is missing: run the build of @islet/fvp`,
      cause,
    });
  }
  return runtime;
}

/**
 * The emulated realm's program (before the identity line): the SDK realm runtime, then the
 * service loop serving its handler.
 * @throws {@link SdkError} `SDK_BACKEND_FAILED` when the runtime has not been built.
 * @since 0.9.0
 */
export function sdkRealmProgram(): string {
  return `${sdkRealmRuntime()}\n${SERVICE_LOOP}serve(IsletSdkRealm.sdkRealmHandler({ rsi, random }));\n`;
}

/** Options of {@link FvpRealmSdk}. @since 0.9.0 */
export type FvpRealmSdkOptions = ServiceRealmOptions;

/**
 * An in-process platform with one realm that runs the SDK: a {@link RealmSdk} whose every
 * operation happens inside the realm.
 * @example
 * ```ts
 * const sdk = new FvpRealmSdk({ identity: 'my-app' });
 * const token = sdk.attest(new TextEncoder().encode('nonce'));
 * const blob = sdk.seal(new TextEncoder().encode('secret')); // sealed in the realm
 * sdk.close();
 * ```
 * @since 0.9.0
 */
export class FvpRealmSdk implements RealmSdk {
  readonly name = 'fvp';
  readonly #service: ServiceRealm;

  /**
   * Boots the platform and launches the realm (it runs at the first request).
   * @throws {@link SdkError} `SDK_BACKEND_FAILED` when the runtime is not built; what
   *   `bootPlatform` and `launchRealm` throw (a bad RPV, provisioning).
   */
  constructor(options: FvpRealmSdkOptions = {}) {
    this.#service = new ServiceRealm(sdkRealmProgram(), 'the fvp realm', options);
  }

  /** The platform's CPAK: what a verifier of this realm's tokens is given. */
  get cpak(): EcPublicKey {
    return this.#service.cpak;
  }

  attest(userData: Uint8Array = new Uint8Array(0)): Uint8Array {
    challengeOf(userData); // more than 64 bytes fails here, before it crosses into the realm
    return this.#call(SdkRealmOp.Attest, userData);
  }

  measurementRead(index: number): Uint8Array {
    assertMeasurementIndex(index, 0);
    return this.#call(SdkRealmOp.Read, Uint8Array.of(index));
  }

  measurementExtend(index: number, data: Uint8Array): void {
    assertMeasurementIndex(index, 1);
    assertExtension(data);
    const body = new Uint8Array(1 + data.length);
    body[0] = index;
    body.set(data, 1);
    this.#call(SdkRealmOp.Extend, body);
  }

  /** @throws {@link SdkError} `SDK_ARGUMENT_INVALID` above {@link FVP_REALM_DATA_MAX} bytes. */
  seal(data: Uint8Array): Uint8Array {
    checkSize(data, FVP_REALM_DATA_MAX, 'data to seal');
    return this.#call(SdkRealmOp.Seal, data);
  }

  /** @throws {@link SdkError} `SDK_ARGUMENT_INVALID` for a blob larger than any seal makes. */
  unseal(blob: Uint8Array): Uint8Array {
    checkSize(blob, FVP_REALM_DATA_MAX + SEALED_OVERHEAD, 'a sealed blob');
    return this.#call(SdkRealmOp.Unseal, blob);
  }

  /** Destroys the realm and stops the platform. */
  close(): void {
    this.#service.close();
  }

  /**
   * One request: the op, then `body`. The realm checks everything again (the host's checks only
   * refuse what the realm would, with the SDK's own message and before the window is written).
   */
  #call(op: number, body: Uint8Array): Uint8Array {
    const request = new Uint8Array(1 + body.length);
    request[0] = op;
    request.set(body, 1);
    return this.#service.call(request);
  }
}

function checkSize(bytes: Uint8Array, max: number, what: string): void {
  if (bytes.length > max) {
    throw new SdkError(
      'SDK_ARGUMENT_INVALID',
      `the fvp realm takes at most ${max} bytes of ${what}`,
      {
        details: `got ${bytes.length}`,
      },
    );
  }
}
