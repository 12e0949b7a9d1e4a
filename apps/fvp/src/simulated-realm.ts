/**
 * The SDK's simulated backend: an in-process platform and one realm that serves the SDK's calls
 * with RSI, so a program on any machine gets real tokens, signed by the platform's RAK over its
 * realm's RIM, and sealing keys its RMM derives, never canned ones.
 *
 * **The realm** is a {@link ServiceRealm} running {@link SERVICE_PROGRAM}: Receive a request, make
 * the RSI call, Send the response. The SDK itself runs on the host; the realm hands it sealing
 * keys. (The emulated backend, `fvp-realm-sdk.ts`, runs the SDK in the realm instead.)
 *
 * ```text
 * request   u8 op, then:  1 token: 64-byte challenge | 2 sealing key: u32 flags, u32 svn |
 *                         3 read: u8 index | 4 extend: u8 index, 1..64 bytes
 * response  the token, the key, the measurement, nothing (framing in service-realm.ts)
 * ```
 *
 * The platform is Islet's dummy-provisioned one by default, so the tokens verify with Islet's
 * published CPAK ({@link SimulatedRealm.cpak}).
 * @module
 */
import type { EcPublicKey } from '@islet/arch';
import {
  assertChallenge,
  assertExtension,
  assertMeasurementIndex,
  assertU32,
  type RsiBackend,
} from '@islet/sdk';
import { SERVICE_LOOP, ServiceRealm, type ServiceRealmOptions } from './service-realm.ts';

/**
 * The service program the simulated realm runs (its measured image, before the identity line).
 * @since 0.8.0
 */
export const SERVICE_PROGRAM: string = `// The Islet SDK's simulated realm: serves the SDK's requests with RSI.
${SERVICE_LOOP}const word = (b, at) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
serve((req) => {
  if (req[0] === 1) return rsi.attestationToken(req.subarray(1, 65));
  if (req[0] === 2) return rsi.sealingKey(word(req, 1), word(req, 5));
  if (req[0] === 3) return rsi.measurementRead(req[1]);
  if (req[0] === 4) {
    rsi.measurementExtend(req[1], req.subarray(2));
    return new Uint8Array(0);
  }
  throw { code: 'SDK_ARGUMENT_INVALID', message: 'unknown request ' + req[0] };
});
`;

const Op = { Token: 1, SealingKey: 2, Read: 3, Extend: 4 } as const;

/** Options of {@link SimulatedRealm}. @since 0.8.0 */
export type SimulatedRealmOptions = ServiceRealmOptions;

/**
 * An in-process platform with one realm serving the SDK's RSI calls: an {@link RsiBackend}.
 * @example
 * ```ts
 * const realm = new SimulatedRealm({ identity: 'my-app' });
 * const token = attest(realm, new TextEncoder().encode('nonce'));
 * realm.close();
 * ```
 * @since 0.8.0
 */
export class SimulatedRealm implements RsiBackend {
  readonly name = 'simulated';
  readonly #service: ServiceRealm;

  /**
   * Boots the platform and launches the realm (it runs at the first request).
   * @throws what `bootPlatform` and `launchRealm` throw (a bad RPV, provisioning).
   */
  constructor(options: SimulatedRealmOptions = {}) {
    this.#service = new ServiceRealm(SERVICE_PROGRAM, 'the simulated realm', options);
  }

  /** The platform's CPAK: what a verifier of this backend's tokens is given. */
  get cpak(): EcPublicKey {
    return this.#service.cpak;
  }

  attestationToken(challenge: Uint8Array): Uint8Array {
    assertChallenge(challenge);
    const req = new Uint8Array(1 + challenge.length);
    req[0] = Op.Token;
    req.set(challenge, 1);
    return this.#service.call(req);
  }

  sealingKey(flags: number, svn: number): Uint8Array {
    assertU32(flags, 'sealing key flags');
    assertU32(svn, 'SVN');
    const req = new Uint8Array(9);
    const view = new DataView(req.buffer);
    req[0] = Op.SealingKey;
    view.setUint32(1, flags, true);
    view.setUint32(5, svn, true);
    return this.#service.call(req);
  }

  measurementRead(index: number): Uint8Array {
    assertMeasurementIndex(index, 0);
    return this.#service.call(Uint8Array.of(Op.Read, index));
  }

  measurementExtend(index: number, data: Uint8Array): void {
    assertMeasurementIndex(index, 1);
    assertExtension(data);
    const req = new Uint8Array(2 + data.length);
    req.set([Op.Extend, index]);
    req.set(data, 2);
    this.#service.call(req);
  }

  /** Destroys the realm and stops the platform (its vCPU and measurement threads). */
  close(): void {
    this.#service.close();
  }
}
