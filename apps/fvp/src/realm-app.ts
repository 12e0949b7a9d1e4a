/**
 * Running a realm app on the platform, end to end, as `islet-fvp --realm` does: the host launches
 * the realm with `@islet/host` (measured image, RECs, activate), runs its vCPUs, serves its host
 * calls (console, a relying party's challenge, bytes to and from the relying party), tears it
 * down; a relying
 * party then verifies the evidence against the platform's CPAK, its own challenge and the RIM
 * predicted offline from the launch alone ({@link computeRim}).
 * @module
 */
import { RealmHostCall } from '@islet/abi';
import {
  bytesToRegs,
  type CryptoProvider,
  concatBytes,
  defaultCrypto,
  equalBytes,
  IsletError,
  toHex,
} from '@islet/arch';
import {
  type GranuleAllocator,
  type LaunchedRealm,
  launchRealm,
  type RealmLaunch,
  type RunRealmOptions,
  type RunResult,
  runRealm,
} from '@islet/host';
import { type CcaTokenReport, verifyCcaToken } from '@islet/token';
import { hostStreams } from './host-streams.ts';
import type { Platform } from './platform.ts';
import { computeRim } from './rim.ts';

/** Bytes of an attestation challenge (RSI_ATTESTATION_TOKEN_INIT's X1..X8). */
const CHALLENGE_SIZE = 64;

/**
 * Options of {@link runRealmApp}.
 * @since 0.7.0
 */
export interface RealmAppOptions {
  /**
   * The challenges the host hands the realm for its Challenge host calls, in order (the relying
   * party's nonces); by default each call gets 64 fresh random bytes.
   */
  readonly challenge?: () => Uint8Array;
  /** What the relying party sends the realm: its Receive host calls drain it, 232 bytes a call. */
  readonly inbound?: Uint8Array;
  /** Console output, as it arrives (default: collected in the result only). */
  readonly console?: (text: string) => void;
  /** The vCPU loop's bound on exits (`@islet/host` `runRealm`). */
  readonly maxExits?: number;
  /** Leave the realm alive after the run (the caller destroys it); default false. */
  readonly keep?: boolean;
  /** More of the vCPU loop's options (MMIO devices, RIPAS policy, tracing). */
  readonly run?: Omit<RunRealmOptions, 'console' | 'hostCall' | 'maxExits'>;
  /** The VMID; default 1. */
  readonly vmid?: number;
  /** Where granules come from; default a new allocator over the host's DRAM. */
  readonly allocator?: GranuleAllocator;
}

/**
 * What a realm app did.
 * @since 0.7.0
 */
export interface RealmAppResult {
  /** The realm (destroyed unless `keep`). */
  readonly realm: LaunchedRealm;
  /** How the run ended and the exit counts. */
  readonly run: RunResult;
  /** Everything the realm wrote to its console. */
  readonly console: string;
  /** The challenges the host handed out, in order. */
  readonly challenges: readonly Uint8Array[];
  /** What the realm sent with Send host calls, concatenated. */
  readonly sent: Uint8Array;
  /** Milliseconds spent launching (to ACTIVE) and running. */
  readonly launchMs: number;
  readonly runMs: number;
}

/**
 * Launches `launch` on `platform`, runs it until it powers off (or the exit bound), serving its
 * host calls, and destroys it.
 * @throws {@link RmiCallError} when the RMM refuses a launch or run step, and what
 *   `launchRealm` throws for a bad launch.
 * @since 0.7.0
 */
export function runRealmApp(
  platform: Platform,
  launch: RealmLaunch,
  options: RealmAppOptions = {},
): RealmAppResult {
  const crypto = defaultCrypto();
  const challenges: Uint8Array[] = [];
  const sent: Uint8Array[] = [];
  const decoder = new TextDecoder();
  const streams = hostStreams(options.inbound ?? new Uint8Array(0), (bytes) => sent.push(bytes));
  let text = '';
  const t0 = performance.now();
  const realm = launchRealm(platform.host, launch, {
    ...(options.allocator === undefined ? {} : { allocator: options.allocator }),
    ...(options.vmid === undefined ? {} : { vmid: options.vmid }),
  });
  const t1 = performance.now();
  let run: RunResult;
  try {
    run = runRealm(platform.host, realm, {
      ...options.run,
      ...(options.maxExits === undefined ? {} : { maxExits: options.maxExits }),
      console(bytes) {
        const chunk = decoder.decode(bytes, { stream: true });
        text += chunk;
        options.console?.(chunk);
      },
      hostCall(imm, gprs) {
        if (imm === RealmHostCall.Challenge) {
          const challenge = options.challenge?.() ?? crypto.randomBytes(CHALLENGE_SIZE);
          challenges.push(Uint8Array.from(challenge));
          return bytesToRegs(challenge, 8);
        }
        return streams(imm, gprs);
      },
    });
  } finally {
    if (!options.keep) realm.destroy();
  }
  const t2 = performance.now();
  return {
    realm,
    run,
    console: text,
    challenges,
    sent: concatBytes(...sent),
    launchMs: t1 - t0,
    runMs: t2 - t1,
  };
}

/**
 * What a relying party concluded from a realm's evidence.
 * @since 0.7.0
 */
export interface RealmEvidence {
  /** The verified token's claims and checks. */
  readonly report: CcaTokenReport;
  /** The RIM predicted offline from the launch (hex). */
  readonly expectedRim: string;
}

/**
 * Verifies a realm's CCA token as a relying party: both signatures (the platform's with the
 * platform's CPAK), the binding, the challenge it issued, and the RIM against the offline
 * prediction for `launch`.
 * @throws {@link TokenError} for a token that does not verify, {@link IsletError}
 *   `REALM_RIM_MISMATCH` for a RIM other than the prediction.
 * @since 0.7.0
 */
export function verifyRealmEvidence(
  platform: Platform,
  token: Uint8Array,
  expected: { readonly launch: RealmLaunch; readonly challenge: Uint8Array },
  crypto: CryptoProvider = defaultCrypto(),
): RealmEvidence {
  const report = verifyCcaToken(token, {
    cpak: platform.boot.cpakPublicKey,
    crypto,
    expectedChallenge: expected.challenge,
  });
  const { rim } = computeRim(expected.launch, crypto);
  if (!equalBytes(report.realm.initialMeasurement, rim)) {
    throw new IsletError('REALM_RIM_MISMATCH', 'the realm is not the one launched', {
      details: `token RIM ${toHex(report.realm.initialMeasurement)}, predicted ${toHex(rim)}`,
    });
  }
  return { report, expectedRim: toHex(rim) };
}
