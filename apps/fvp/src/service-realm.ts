/**
 * A service realm: an in-process platform and one realm whose program serves requests, one at a
 * time, over the Receive and Send host calls. Both SDK backends of this app are one: the
 * simulated realm (the program makes RSI calls for an SDK on the host) and the emulated realm (the
 * program carries the SDK and runs whole SDK operations). Both ends of the protocol are here: the
 * realm's loop as program text ({@link SERVICE_LOOP}) and the host's side ({@link ServiceRealm}).
 *
 * ```text
 * request   u8 op, then the op's bytes (each program defines its ops)
 * response  u32 LE length of the rest, u8 status, then:
 *           status 0: the result
 *           status 1: UTF-8 JSON {"code", "message", "details"?} of the error the program caught
 * ```
 *
 * The realm's image is the program followed by a comment naming the caller's identity
 * ({@link serviceImage}), so the identity is measured: another identity (or RPV) is another RIM,
 * another token RIM and other RIM-bound sealing keys. The host runs the realm one request at a
 * time (`runRealm`'s `until`): it stops at the realm's next Receive once the response is in, and
 * that Receive is answered "nothing waiting" by the next run, which enters with zeroed registers.
 * About three REC exits per request, plus one per 232 bytes of request and of response.
 *
 * Failures come back as {@link SdkError}s: an SDK code the program threw keeps its code (an SDK in
 * the realm refusing a blob is `SDK_SEALED_INVALID` on the host too); any other code (the guest's
 * `GUEST_RSI_ERROR_INPUT`, …) is `SDK_BACKEND_FAILED` with that code in the details.
 * @module
 */
import { RealmHostCall } from '@islet/abi';
import { concatBytes, type EcPublicKey } from '@islet/arch';
import type { HesProvisioning } from '@islet/hes';
import { type HashAlgorithmName, type LaunchedRealm, launchRealm, runRealm } from '@islet/host';
import { isSdkErrorCode, SdkError } from '@islet/sdk';
import { hostStreams } from './host-streams.ts';
import { bootPlatform, type Platform } from './platform.ts';

/**
 * The realm's side of the protocol, as program text: `serve(handle)` loops forever, giving each
 * request to `handle` and sending what it returns (status 0) or what it throws (status 1). It
 * needs only the guest API's `host`, `text` and the context's own intrinsics.
 * @since 0.9.0
 */
export const SERVICE_LOOP = `// The service loop: Receive a request, handle it, Send the response.
const serve = (handle) => {
  const reply = (status, body) => {
    const out = new Uint8Array(5 + body.length);
    const n = 1 + body.length;
    out.set([n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24, status]);
    out.set(body, 5);
    host.send(out);
  };
  const failure = (e) => {
    const o = typeof e === 'object' && e !== null ? e : {};
    const code = typeof o.code === 'string' ? o.code : 'UNCODED';
    const message = String(typeof o.shortMessage === 'string' ? o.shortMessage : (o.message ?? e));
    const details = typeof o.details === 'string' ? o.details : undefined;
    return text.encode(JSON.stringify({ code, message, details }));
  };
  for (;;) {
    const req = host.receive();
    if (req.length === 0) continue;
    let body;
    try {
      body = handle(req);
    } catch (e) {
      reply(1, failure(e));
      continue;
    }
    reply(0, body);
  }
};
`;

/** Options of a {@link ServiceRealm}. @since 0.9.0 */
export interface ServiceRealmOptions {
  /** Who the caller is: measured into the realm (default `islet-sdk`). */
  readonly identity?: string;
  /** The Realm Personalization Value (up to 64 bytes; default zeros). */
  readonly rpv?: Uint8Array;
  /** The measurement algorithm (default SHA-256). */
  readonly hashAlgo?: HashAlgorithmName;
  /** HES provisioning of the platform (default Islet's dummy secrets). */
  readonly provisioning?: HesProvisioning;
}

/**
 * The measured image of a service realm: `program`, then a comment naming `identity`.
 * @since 0.9.0
 */
export function serviceImage(program: string, identity = 'islet-sdk'): Uint8Array {
  return new TextEncoder().encode(`${program}// identity: ${JSON.stringify(identity)}\n`);
}

/**
 * A platform with one realm running `program` (which calls {@link SERVICE_LOOP}'s `serve`), and
 * the host's side of the protocol.
 * @since 0.9.0
 */
export class ServiceRealm {
  readonly #platform: Platform;
  readonly #realm: LaunchedRealm;
  readonly #what: string;
  #closed = false;

  /**
   * Boots the platform and launches the realm (it runs at the first request).
   * @param what - how messages name the realm (`the simulated realm`).
   * @throws what `bootPlatform` and `launchRealm` throw (a bad RPV, provisioning).
   */
  constructor(program: string, what: string, options: ServiceRealmOptions = {}) {
    this.#what = what;
    this.#platform = bootPlatform(
      options.provisioning === undefined ? {} : { provisioning: options.provisioning },
    );
    try {
      this.#realm = launchRealm(this.#platform.host, {
        image: serviceImage(program, options.identity),
        ...(options.rpv === undefined ? {} : { rpv: options.rpv }),
        ...(options.hashAlgo === undefined ? {} : { hashAlgo: options.hashAlgo }),
      });
    } catch (err) {
      this.#platform.close();
      throw err;
    }
  }

  /** The platform's CPAK: what a verifier of the realm's tokens is given. */
  get cpak(): EcPublicKey {
    return this.#platform.boot.cpakPublicKey;
  }

  /**
   * Sends one request and runs the realm until its response is in.
   * @returns the result of a status-0 response.
   * @throws {@link SdkError} the error a status-1 response carries (see the module doc);
   *   `SDK_BACKEND_FAILED` when the realm is closed, stops, or answers what the protocol does not
   *   allow.
   */
  call(request: Uint8Array): Uint8Array {
    if (this.#closed) throw new SdkError('SDK_BACKEND_FAILED', `${this.#what} is closed`);
    const chunks: Uint8Array[] = [];
    let got = 0;
    let want = -1;
    const run = runRealm(this.#platform.host, this.#realm, {
      hostCall: hostStreams(request, (bytes) => {
        chunks.push(bytes);
        got += bytes.length;
        if (want < 0 && got >= 4) {
          const head = concatBytes(...chunks);
          want = 4 + new DataView(head.buffer, head.byteOffset).getUint32(0, true);
        }
      }),
      // The realm asks for the next request once the response is in: stop there (its Receive
      // is answered "nothing waiting", what the next run enters it with).
      until: (info) =>
        want >= 0 &&
        got >= want &&
        info.kind === 'host-call' &&
        info.exit.imm === RealmHostCall.Receive,
    });
    if (run.reason !== 'stopped') {
      throw new SdkError('SDK_BACKEND_FAILED', `${this.#what} stopped: ${run.reason}`, {
        ...(run.console ? { details: run.console.trim() } : {}),
      });
    }
    const response = concatBytes(...chunks).subarray(4, want);
    if (response.length === 0 || got !== want || response[0]! > 1) {
      throw new SdkError('SDK_BACKEND_FAILED', `${this.#what} answered a malformed response`, {
        details: `${got} bytes, status ${response[0]}`,
      });
    }
    const body = response.subarray(1);
    if (response[0] === 0) return body;
    throw this.#failure(body);
  }

  /** Destroys the realm and stops the platform (its vCPU and measurement threads). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#realm.destroy();
    } finally {
      this.#platform.close();
    }
  }

  /** The {@link SdkError} of a status-1 body. */
  #failure(body: Uint8Array): SdkError {
    let failure: unknown;
    try {
      failure = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch {
      failure = undefined;
    }
    const { code, message, details } = (failure ?? {}) as Record<string, unknown>;
    if (typeof code !== 'string' || typeof message !== 'string') {
      return new SdkError('SDK_BACKEND_FAILED', `${this.#what} answered a malformed error`);
    }
    const detailed = typeof details === 'string' ? { details } : {};
    if (isSdkErrorCode(code)) return new SdkError(code, message, detailed);
    return new SdkError('SDK_BACKEND_FAILED', `${this.#what} failed the request: ${message}`, {
      details: typeof details === 'string' ? `${code}: ${details}` : code,
    });
  }
}
