/**
 * The SDK's simulated backend: an in-process platform and one realm that serves the SDK's calls
 * with RSI, so a program on any machine gets real tokens, signed by the platform's RAK over its
 * realm's RIM, and sealing keys its RMM derives, never canned ones.
 *
 * **The realm.** Its image is {@link SERVICE_PROGRAM} followed by a comment naming the caller's
 * identity, so the identity is measured: another identity (or RPV) is another RIM, another token
 * RIM and other RIM-bound sealing keys. The program loops: Receive a request, make the RSI call,
 * Send the response. The host runs the realm one request at a time (`runRealm`'s `until`): it
 * stops at the realm's next Receive once the response is in, and the next request resumes it.
 *
 * ```text
 * request   u8 op, then:  1 token: 64-byte challenge | 2 sealing key: u32 flags, u32 svn |
 *                         3 read: u8 index | 4 extend: u8 index, 1..64 bytes
 * response  u32 LE length of the rest, u8 status (0 ok, else failed), then the result
 *           (the token, the key, the measurement) or, on failure, the error's code and
 *           message as UTF-8 "code: message"
 * ```
 *
 * The platform is Islet's dummy-provisioned one by default, so the tokens verify with Islet's
 * published CPAK ({@link SimulatedRealm.cpak}).
 * @module
 */
import { CONSOLE_WRITE_MAX, packConsoleWrite, RealmHostCall, unpackConsoleWrite } from '@islet/abi';
import { concatBytes, type EcPublicKey } from '@islet/arch';
import type { HesProvisioning } from '@islet/hes';
import { type HashAlgorithmName, type LaunchedRealm, launchRealm, runRealm } from '@islet/host';
import { CHALLENGE_SIZE, type RsiBackend, SdkError } from '@islet/sdk';
import { bootPlatform, type Platform } from './platform.ts';

/**
 * The service program the simulated realm runs (its measured image, before the identity line).
 * @since 0.8.0
 */
export const SERVICE_PROGRAM = `// The Islet SDK's simulated realm: serves the SDK's requests with RSI.
const u32 = (n) => Uint8Array.of(n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255);
const reply = (status, body) => {
  const out = new Uint8Array(5 + body.length);
  out.set(u32(1 + body.length));
  out[4] = status;
  out.set(body, 5);
  host.send(out);
};
const word = (b, at) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
for (;;) {
  const req = host.receive();
  if (req.length === 0) continue;
  try {
    if (req[0] === 1) reply(0, rsi.attestationToken(req.subarray(1, 65)));
    else if (req[0] === 2) reply(0, rsi.sealingKey(word(req, 1), word(req, 5)));
    else if (req[0] === 3) reply(0, rsi.measurementRead(req[1]));
    else if (req[0] === 4) {
      rsi.measurementExtend(req[1], req.subarray(2));
      reply(0, new Uint8Array(0));
    } else reply(1, text.encode('SDK_ARGUMENT_INVALID: unknown request ' + req[0]));
  } catch (e) {
    reply(1, text.encode(String(e.code) + ': ' + String(e.message)));
  }
}
`;

const Op = { Token: 1, SealingKey: 2, Read: 3, Extend: 4 } as const;

/** Options of {@link SimulatedRealm}. @since 0.8.0 */
export interface SimulatedRealmOptions {
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
  readonly #platform: Platform;
  readonly #realm: LaunchedRealm;
  #closed = false;

  /**
   * Boots the platform and launches the realm (it runs at the first request).
   * @throws what `bootPlatform` and `launchRealm` throw (a bad RPV, provisioning).
   */
  constructor(options: SimulatedRealmOptions = {}) {
    const identity = options.identity ?? 'islet-sdk';
    const image = new TextEncoder().encode(
      `${SERVICE_PROGRAM}// identity: ${JSON.stringify(identity)}\n`,
    );
    this.#platform = bootPlatform(
      options.provisioning === undefined ? {} : { provisioning: options.provisioning },
    );
    try {
      this.#realm = launchRealm(this.#platform.host, {
        image,
        ...(options.rpv === undefined ? {} : { rpv: options.rpv }),
        ...(options.hashAlgo === undefined ? {} : { hashAlgo: options.hashAlgo }),
      });
    } catch (err) {
      this.#platform.close();
      throw err;
    }
  }

  /** The platform's CPAK: what a verifier of this backend's tokens is given. */
  get cpak(): EcPublicKey {
    return this.#platform.boot.cpakPublicKey;
  }

  attestationToken(challenge: Uint8Array): Uint8Array {
    if (challenge.length !== CHALLENGE_SIZE) {
      throw new SdkError('SDK_ARGUMENT_INVALID', `a challenge is ${CHALLENGE_SIZE} bytes`, {
        details: `got ${challenge.length}`,
      });
    }
    return this.#call(concatBytes(Uint8Array.of(Op.Token), challenge));
  }

  sealingKey(flags: number, svn: number): Uint8Array {
    const req = new Uint8Array(9);
    const view = new DataView(req.buffer);
    req[0] = Op.SealingKey;
    view.setUint32(1, checkU32(flags, 'sealing key flags'), true);
    view.setUint32(5, checkU32(svn, 'SVN'), true);
    return this.#call(req);
  }

  measurementRead(index: number): Uint8Array {
    return this.#call(Uint8Array.of(Op.Read, checkIndex(index, 0)));
  }

  measurementExtend(index: number, data: Uint8Array): void {
    if (data.length < 1 || data.length > 64) {
      throw new SdkError('SDK_ARGUMENT_INVALID', `an extension is 1..64 bytes, not ${data.length}`);
    }
    this.#call(concatBytes(Uint8Array.of(Op.Extend, checkIndex(index, 1)), data));
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

  /** Sends one request and runs the realm until its response is in. */
  #call(request: Uint8Array): Uint8Array {
    if (this.#closed) throw new SdkError('SDK_BACKEND_FAILED', 'the simulated realm is closed');
    let given = 0;
    const chunks: Uint8Array[] = [];
    let got = 0;
    let want = -1;
    const run = runRealm(this.#platform.host, this.#realm, {
      hostCall(imm, gprs) {
        if (imm === RealmHostCall.Receive) {
          if (given === request.length) return [0n];
          const chunk = request.subarray(given, given + CONSOLE_WRITE_MAX);
          given += chunk.length;
          return packConsoleWrite(chunk);
        }
        if (imm === RealmHostCall.Send) {
          const bytes = unpackConsoleWrite(gprs);
          if (bytes === undefined) return undefined;
          chunks.push(bytes);
          got += bytes.length;
          if (want < 0 && got >= 4) {
            const head = concatBytes(...chunks);
            want = 4 + new DataView(head.buffer, head.byteOffset).getUint32(0, true);
          }
          return [BigInt(bytes.length)];
        }
        return undefined;
      },
      // The realm asks for the next request once the response is in: stop there (its Receive
      // is answered "nothing waiting", what the next run enters it with).
      until: (info) =>
        want >= 0 &&
        got >= want &&
        info.kind === 'host-call' &&
        info.exit.imm === RealmHostCall.Receive,
    });
    if (run.reason !== 'stopped') {
      throw new SdkError('SDK_BACKEND_FAILED', `the simulated realm stopped: ${run.reason}`, {
        ...(run.console ? { details: run.console.trim() } : {}),
      });
    }
    const response = concatBytes(...chunks).subarray(4, want);
    const body = response.subarray(1);
    if (response[0] !== 0) {
      throw new SdkError('SDK_BACKEND_FAILED', 'the RMM refused the call', {
        details: new TextDecoder().decode(body),
      });
    }
    return body;
  }
}

function checkU32(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) {
    throw new SdkError('SDK_ARGUMENT_INVALID', `${what} ${n} is not a 32-bit unsigned integer`);
  }
  return n;
}

function checkIndex(index: number, min: number): number {
  if (!Number.isInteger(index) || index < min || index > 4) {
    throw new SdkError('SDK_ARGUMENT_INVALID', `measurement index ${index} is not ${min}..4`);
  }
  return index;
}
