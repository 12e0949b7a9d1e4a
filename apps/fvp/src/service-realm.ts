/**
 * A service realm: an in-process platform and one realm whose program serves requests, one at a
 * time, from the host. Both SDK backends of this app are one: the simulated realm (the program
 * makes RSI calls for an SDK on the host) and the emulated realm (the program carries the SDK and
 * runs whole SDK operations). Both ends of the protocol are here: the realm's loop as program text
 * ({@link SERVICE_LOOP}) and the host's side ({@link ServiceRealm}).
 *
 * **The shared window.** Bulk bytes cross through a {@link SharedWindow}: NS pages the host maps
 * at the start of the realm's unprotected IPA half after launch, as a CCA guest's bounce buffers.
 * Only small messages go through the Receive and Send host calls (registers X1..X29): each names
 * how many bytes wait at the window's start, and the window's place, so the realm needs no other
 * configuration; the realm checks that it lies in its unprotected half (`memory.sharedBase()`).
 * A request or response larger than the window streams through it, one window-full per message,
 * while the other side is stopped in that host call.
 *
 * ```text
 * request header   Receive  u32 length, u32 n, u64 window IPA, u32 window size   (LE, 20 bytes)
 * request chunk    Receive  u32 n
 * response header  Send     u8 status, u32 length, u32 n                           (9 bytes)
 * response chunk   Send     u32 n
 *   n: the message's next n bytes (1..window size; the header's may be 0) are at the window's
 *   start; length <= SERVICE_MESSAGE_MAX
 * request          u8 op, then the op's bytes (each program defines its ops)
 * status           0: the response is the result
 *                  1: the response is UTF-8 JSON {"code", "message", "details"?} of the error the
 *                     program caught
 *                  2: the window is unusable (not in the unprotected half, or an access to it
 *                     aborted); length 0
 * ```
 *
 * **Trust.** The host can change the window at any time. The realm copies each chunk into private
 * memory as it arrives and handles only the copy (a byte the host changes later changes nothing),
 * checks every length before it allocates, and writes into the window only the response, what
 * the host asked for: a sealing key used in the realm stays there.
 *
 * The realm's image is the program followed by a comment naming the caller's identity
 * ({@link serviceImage}), so the identity is measured: another identity (or RPV) is another RIM,
 * another token RIM and other RIM-bound sealing keys. The host runs the realm one request at a
 * time (`runRealm`'s `until`): it stops at the realm's next Receive once the response is in, and
 * that Receive is answered "nothing waiting" by the next run, which enters with zeroed registers.
 * About four REC exits per request, plus two per window-full beyond the first each way.
 *
 * Failures come back as {@link SdkError}s: an SDK code the program threw keeps its code (an SDK in
 * the realm refusing a blob is `SDK_SEALED_INVALID` on the host too); any other code (the guest's
 * `GUEST_RSI_ERROR_INPUT`, …) is `SDK_BACKEND_FAILED` with that code in the details.
 * @module
 */
import { packConsoleWrite, RealmHostCall, unpackConsoleWrite } from '@islet/abi';
import type { EcPublicKey } from '@islet/arch';
import type { HesProvisioning } from '@islet/hes';
import {
  GranuleAllocator,
  type HashAlgorithmName,
  type LaunchedRealm,
  launchRealm,
  runRealm,
} from '@islet/host';
import { isSdkErrorCode, SdkError } from '@islet/sdk';
import { bootPlatform, type Platform } from './platform.ts';
import { SharedWindow } from './shared-window.ts';

/**
 * The largest request or response a service realm moves (16 MiB and a page): both sides refuse a
 * longer one before they allocate it.
 * @since 0.10.0
 */
export const SERVICE_MESSAGE_MAX: number = (1 << 24) + 4096;

/**
 * Pages of the default window: 1 MiB and a page, so that 1 MiB of data and its request or
 * response header cross in one window-full each way.
 * @since 0.10.0
 */
export const SERVICE_WINDOW_PAGES: number = 257;

/**
 * The realm's side of the protocol, as program text: `serve(handle)` loops forever, giving each
 * request (a private copy) to `handle` and sending what it returns (status 0) or what it throws
 * (status 1). It needs only the guest API's `host`, `memory`, `text` and the context's own
 * intrinsics.
 * @since 0.9.0
 */
export const SERVICE_LOOP: string = `// The service loop: Receive a request through the shared window, handle it, Send the response.
const serve = (handle) => {
  const MAX = ${SERVICE_MESSAGE_MAX};
  const half = memory.sharedBase();
  const u32 = (b, at) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
  const le32 = (n) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24];
  const broken = (what) => ({ code: 'SDK_BACKEND_FAILED', message: 'the host broke the service protocol', details: what });
  const windowOf = (head) => {
    if (head.length !== 20) return undefined;
    const ipa = u32(head, 8) + u32(head, 12) * 2 ** 32;
    const size = u32(head, 16);
    const inHalf = ipa >= half && ipa + size <= 2 * half;
    return ipa % 4096 === 0 && size > 0 && size % 4096 === 0 && inHalf ? { ipa, size } : undefined;
  };
  // The request, copied chunk by chunk into private memory as the host names each one.
  const request = (win, length, n) => {
    if (length > MAX) throw { code: 'SDK_ARGUMENT_INVALID', message: 'the request is longer than ' + MAX + ' bytes' };
    if (n > win.size || n > length) throw broken('a first chunk of ' + n + ' bytes');
    const req = new Uint8Array(length);
    let got = 0;
    for (;;) {
      req.set(memory.read(win.ipa, n), got);
      got += n;
      if (got === length) return req;
      const m = host.receive();
      n = m.length === 4 ? u32(m, 0) : 0;
      if (n < 1 || n > win.size || n > length - got) throw broken('a chunk message of ' + m.length + ' bytes');
    }
  };
  const respond = (win, status, body) => {
    let at = Math.min(body.length, win.size);
    memory.write(win.ipa, body.subarray(0, at));
    host.send(Uint8Array.of(status, ...le32(body.length), ...le32(at)));
    while (at < body.length) {
      const n = Math.min(body.length - at, win.size);
      memory.write(win.ipa, body.subarray(at, at + n));
      host.send(Uint8Array.of(...le32(n)));
      at += n;
    }
  };
  const unusable = () => host.send(Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0, 0));
  const failure = (e) => {
    const o = typeof e === 'object' && e !== null ? e : {};
    const code = typeof o.code === 'string' ? o.code : 'UNCODED';
    const message = String(typeof o.shortMessage === 'string' ? o.shortMessage : (o.message ?? e));
    const details = typeof o.details === 'string' ? o.details : undefined;
    return text.encode(JSON.stringify({ code, message, details }));
  };
  for (;;) {
    const head = host.receive();
    if (head.length === 0) continue;
    const win = windowOf(head);
    if (win === undefined) {
      unusable();
      continue;
    }
    let status = 0;
    let body;
    try {
      body = handle(request(win, u32(head, 0), u32(head, 4)));
    } catch (e) {
      status = 1;
      body = failure(e);
    }
    try {
      respond(win, status, body);
    } catch {
      unusable();
    }
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
  /**
   * Pages of the shared window (1..4096, default {@link SERVICE_WINDOW_PAGES}): fewer tie up less
   * NS memory and take more host calls for large data. Not measured.
   */
  readonly windowPages?: number;
  /**
   * Receives the realm's console output as it is written (the host is stopped in that exit).
   * Default: kept, and shown in the error of a run that stops.
   */
  readonly console?: (bytes: Uint8Array) => void;
}

/**
 * The measured image of a service realm: `program`, then a comment naming `identity`.
 * @since 0.9.0
 */
export function serviceImage(program: string, identity = 'islet-sdk'): Uint8Array {
  return new TextEncoder().encode(`${program}// identity: ${JSON.stringify(identity)}\n`);
}

/** Little-endian u32 at `at`. */
const u32 = (b: Uint8Array, at: number): number =>
  (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

/** The host's side of one request: answers the realm's Receives and takes its Sends. */
class Exchange {
  readonly #window: SharedWindow;
  readonly #request: Uint8Array;
  /** Request bytes put in the window so far; -1 before the header. */
  #given = -1;
  /** The last Receive delivered a message: the next one ends it ("nothing waiting"). */
  #ended = false;
  status: number | undefined;
  response: Uint8Array<ArrayBuffer> | undefined;
  #got = 0;
  /** What the realm did that the protocol does not allow. */
  broken: string | undefined;

  constructor(window: SharedWindow, request: Uint8Array) {
    this.#window = window;
    this.#request = request;
  }

  /** The response is all in, or cannot be. */
  get done(): boolean {
    return (
      this.broken !== undefined ||
      (this.response !== undefined && this.#got === this.response.length)
    );
  }

  readonly hostCall = (imm: number, gprs: readonly bigint[]): readonly bigint[] | undefined => {
    if (imm === RealmHostCall.Receive) return this.#receive();
    if (imm === RealmHostCall.Send) {
      const bytes = unpackConsoleWrite(gprs);
      if (bytes === undefined) return undefined;
      this.#send(bytes);
      return [BigInt(bytes.length)];
    }
    return undefined;
  };

  #receive(): readonly bigint[] {
    if (this.#ended || this.status !== undefined) {
      this.#ended = false;
      return [0n];
    }
    const window = this.#window;
    const length = this.#request.length;
    const at = Math.max(0, this.#given);
    if (this.#given >= 0 && at === length) return [0n];
    const n = Math.min(length - at, window.size);
    window.write(this.#request.subarray(at, at + n));
    const message = new Uint8Array(this.#given < 0 ? 20 : 4);
    const v = new DataView(message.buffer);
    if (this.#given < 0) {
      v.setUint32(0, length, true);
      v.setUint32(4, n, true);
      v.setBigUint64(8, window.ipa, true);
      v.setUint32(16, window.size, true);
    } else {
      v.setUint32(0, n, true);
    }
    this.#given = at + n;
    this.#ended = true;
    return packConsoleWrite(message);
  }

  #send(bytes: Uint8Array): void {
    if (this.done) {
      this.broken ??= `a Send of ${bytes.length} bytes after the response`;
      return;
    }
    const size = this.#window.size;
    if (this.response === undefined) {
      const status = bytes[0]!;
      const length = bytes.length === 9 ? u32(bytes, 1) : -1;
      const n = bytes.length === 9 ? u32(bytes, 5) : -1;
      if (length < 0 || status > 2 || length > SERVICE_MESSAGE_MAX || n > length || n > size) {
        this.broken = `a response header of ${bytes.length} bytes (status ${status})`;
        return;
      }
      this.status = status;
      this.response = new Uint8Array(length);
      this.response.set(this.#window.read(n));
      this.#got = n;
      return;
    }
    const n = bytes.length === 4 ? u32(bytes, 0) : 0;
    if (n < 1 || n > size || n > this.response.length - this.#got) {
      this.broken = `a response chunk message of ${bytes.length} bytes`;
      return;
    }
    this.response.set(this.#window.read(n), this.#got);
    this.#got += n;
  }
}

/**
 * A platform with one realm running `program` (which calls {@link SERVICE_LOOP}'s `serve`), its
 * shared window, and the host's side of the protocol.
 * @since 0.9.0
 */
export class ServiceRealm {
  readonly #platform: Platform;
  readonly #granules: GranuleAllocator;
  readonly #realm: LaunchedRealm;
  readonly #window: SharedWindow;
  readonly #what: string;
  readonly #console: ((bytes: Uint8Array) => void) | undefined;
  #closed = false;

  /**
   * Boots the platform, launches the realm (it runs at the first request) and maps its window.
   * @param what - how messages name the realm (`the simulated realm`).
   * @throws {RangeError} when `windowPages` is not 1..4096; what `bootPlatform` and `launchRealm`
   *   throw (a bad RPV, provisioning).
   */
  constructor(program: string, what: string, options: ServiceRealmOptions = {}) {
    this.#what = what;
    this.#console = options.console;
    this.#platform = bootPlatform(
      options.provisioning === undefined ? {} : { provisioning: options.provisioning },
    );
    this.#granules = new GranuleAllocator(this.#platform.host.dram);
    let realm: LaunchedRealm | undefined;
    try {
      realm = launchRealm(
        this.#platform.host,
        {
          image: serviceImage(program, options.identity),
          ...(options.rpv === undefined ? {} : { rpv: options.rpv }),
          ...(options.hashAlgo === undefined ? {} : { hashAlgo: options.hashAlgo }),
        },
        { allocator: this.#granules },
      );
      this.#window = new SharedWindow(
        this.#platform.host.memory,
        realm,
        options.windowPages ?? SERVICE_WINDOW_PAGES,
      );
      this.#realm = realm;
    } catch (err) {
      try {
        realm?.destroy();
      } finally {
        this.#platform.close();
      }
      throw err;
    }
  }

  /** The platform's CPAK: what a verifier of the realm's tokens is given. */
  get cpak(): EcPublicKey {
    return this.#platform.boot.cpakPublicKey;
  }

  /** The shared window: what the host and the realm both see. */
  get window(): SharedWindow {
    return this.#window;
  }

  /**
   * The host granules the realm holds (its RD, RECs, RTTs and data, run pages and window): 0
   * once closed, when every one is back in the allocator.
   */
  get granulesInUse(): number {
    return this.#granules.inUse;
  }

  /**
   * Sends one request and runs the realm until its response is in.
   * @returns the result of a status-0 response.
   * @throws {@link SdkError} the error a status-1 response carries (see the module doc);
   *   `SDK_ARGUMENT_INVALID` for a request longer than {@link SERVICE_MESSAGE_MAX};
   *   `SDK_BACKEND_FAILED` when the realm is closed, stops, cannot use the window, or answers
   *   what the protocol does not allow.
   */
  call(request: Uint8Array): Uint8Array {
    if (this.#closed) throw new SdkError('SDK_BACKEND_FAILED', `${this.#what} is closed`);
    if (request.length > SERVICE_MESSAGE_MAX) {
      throw new SdkError(
        'SDK_ARGUMENT_INVALID',
        `${this.#what} takes requests of at most ${SERVICE_MESSAGE_MAX} bytes`,
        {
          details: `got ${request.length}`,
        },
      );
    }
    const exchange = new Exchange(this.#window, request);
    const run = runRealm(this.#platform.host, this.#realm, {
      hostCall: exchange.hostCall,
      ...(this.#console === undefined ? {} : { console: this.#console }),
      // The realm asks for the next request once the response is in: stop there (its Receive
      // is answered "nothing waiting", what the next run enters it with).
      until: (info) =>
        exchange.done && info.kind === 'host-call' && info.exit.imm === RealmHostCall.Receive,
    });
    if (run.reason !== 'stopped') {
      throw new SdkError('SDK_BACKEND_FAILED', `${this.#what} stopped: ${run.reason}`, {
        ...(run.console ? { details: run.console.trim() } : {}),
      });
    }
    const { status, response } = exchange;
    if (exchange.broken !== undefined || response === undefined) {
      throw new SdkError('SDK_BACKEND_FAILED', `${this.#what} answered a malformed response`, {
        details: exchange.broken ?? 'no response',
      });
    }
    if (status === 2) {
      throw new SdkError('SDK_BACKEND_FAILED', `${this.#what} could not use the shared window`);
    }
    if (status === 0) return response;
    throw this.#failure(response);
  }

  /** Destroys the realm (unmapping its window) and stops the platform. */
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
