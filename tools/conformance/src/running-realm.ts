/**
 * A realm the suite runs itself, for the conditions that need one: launched with `@islet/host`'s
 * launcher from a JavaScript program (the realm services convention of `@islet/abi`: REC 0
 * starts at the image with X0 = its length and X1 = the memory size; the platform's executor runs
 * it), then entered one exit at a time by the small vCPU loop below, so a case sees exactly the
 * exit it waits for (a PSCI request, a RIPAS change, SYSTEM_OFF) and makes its RMI call while the
 * REC is stopped there. Everything goes through the host's SMCs and memory, like the rest of the
 * suite; nothing here knows which RMM or executor is behind them.
 *
 * ```text
 * exit                                    the loop
 * HOST_CALL imm ConsoleWrite              the bytes to `console`; answers gprs[0] = n
 * HOST_CALL imm Exit                      records the status
 * HOST_CALL any other imm                 answers the registers as they came
 * SYNC data abort at a protected IPA      DATA_CREATE_UNKNOWN a zero page (the launcher's), retry
 * SYNC any other EC, IRQ, FIQ, SERROR     re-enter
 * PSCI CPU_ON, AFFINITY_INFO              PSCI_COMPLETE(caller, target, PSCI_SUCCESS); the target
 *                                         is never entered (it would cost a thread)
 * PSCI CPU_SUSPEND                        re-enter
 * RIPAS_CHANGE                            RTT_SET_RIPAS from base until top; accept
 * anything else (SYSTEM_OFF, CPU_OFF, a   the run stops with a SetupError naming the exit and the
 * data abort at an unprotected IPA, …)    end of the console
 * ```
 * An exit the caller waits for is returned before the loop services it.
 * @module
 */
import {
  decodeDataAbortEsr,
  decodeRecExit,
  EsrEc,
  encodeRecEnter,
  hpfarToIpa,
  REC_EXIT_OFFSET,
  REC_GIC_NUM_LRS,
  REC_RUN_HALF_SIZE,
  REC_RUN_NR_GPRS,
  RealmHostCall,
  type RecExit,
  RmiRecExitReason,
  recIndexFromPsciMpidr,
  SMC_RMI_PSCI_COMPLETE,
  SMC_RMI_REC_ENTER,
  SMC_RMI_RTT_SET_RIPAS,
  SMC32_PSCI_AFFINITY_INFO,
  SMC32_PSCI_CPU_ON,
  SMC32_PSCI_CPU_SUSPEND,
  SMC64_PSCI_AFFINITY_INFO,
  SMC64_PSCI_CPU_ON,
  SMC64_PSCI_CPU_SUSPEND,
  unpackConsoleWrite,
} from '@islet/abi';
import { isIsletError } from '@islet/arch';
import { GranuleAllocator, type LaunchedRealm, type LaunchedRec, launchRealm } from '@islet/host';
import { type Fixture, GRANULE, type RealmFixture, SetupError } from './fixture.ts';

/** What to launch. */
export interface RealmProgram {
  /** The program: the image's bytes are its UTF-8 text. */
  readonly program: string;
  /** RECs; REC 0 runs, the others wait for PSCI CPU_ON. Default 1. */
  readonly vcpus?: number;
  /** Protected RAM from IPA 0; default 2 MiB (one level-3 RTT under the image). */
  readonly memorySize?: number;
}

/** Host granules a realm may use: RD, RTTs, image, RECs with their aux granules, faulted pages. */
const REALM_GRANULES = 256;
const ZERO_GPRS: readonly bigint[] = new Array<bigint>(REC_RUN_NR_GPRS).fill(0n);
const ZERO_LRS: readonly bigint[] = new Array<bigint>(REC_GIC_NUM_LRS).fill(0n);
const EXIT_REASONS = ['SYNC', 'IRQ', 'FIQ', 'PSCI', 'RIPAS_CHANGE', 'HOST_CALL', 'SERROR'];

/** The PSCI function an exit reports (its gprs[0], a W-register FID), if it is a PSCI exit. */
export function psciFidOf(exit: RecExit): number | undefined {
  return exit.exitReason === RmiRecExitReason.Psci
    ? Number((exit.gprs[0] ?? 0n) & 0xffff_ffffn)
    : undefined;
}

/** An exit as text, for messages. */
export function describeExit(exit: RecExit): string {
  const reason = EXIT_REASONS[exit.exitReason] ?? `exit_reason ${exit.exitReason}`;
  switch (exit.exitReason) {
    case RmiRecExitReason.Psci:
      return `${reason} 0x${psciFidOf(exit)?.toString(16)} (X1 0x${exit.gprs[1]?.toString(16)})`;
    case RmiRecExitReason.RipasChange:
      return `${reason} [0x${exit.ripasBase.toString(16)}, 0x${exit.ripasTop.toString(16)}) to ${exit.ripasValue}`;
    case RmiRecExitReason.HostCall:
      return `${reason} imm ${exit.imm}`;
    case RmiRecExitReason.Sync:
      return `${reason} ESR 0x${exit.esr.toString(16)} HPFAR 0x${exit.hpfar.toString(16)}`;
    default:
      return reason;
  }
}

/**
 * `err` as a setup failure when the host library refused (`HOST_*`: an RMI command that did not
 * succeed, no memory left); anything else (the platform threw) passes through.
 */
function asSetupError(err: unknown, doing: string): unknown {
  if (err instanceof SetupError) return err;
  if (isIsletError(err) && err.code.startsWith('HOST_')) {
    return new SetupError(`${doing}: ${err.shortMessage}${err.details ? ` (${err.details})` : ''}`);
  }
  return err;
}

/** A launched realm and the host's side of running it. */
export class RunningRealm {
  readonly realm: LaunchedRealm;
  /** The realm as the fixture's builders see it: RD, root RTTs, the tables the launch made. */
  readonly view: RealmFixture;
  readonly #fx: Fixture;
  readonly #protectedTop: bigint;
  readonly #next: { flags: bigint; gprs: readonly bigint[] }[];
  readonly #decoder = new TextDecoder();
  #console = '';
  /** The status of the realm's last Exit host call, if it made one. */
  exitStatus: number | undefined;

  private constructor(fx: Fixture, realm: LaunchedRealm) {
    this.#fx = fx;
    this.realm = realm;
    const plan = realm.plan;
    this.#protectedTop = 1n << BigInt(plan.launch.ipaBits - 1);
    this.#next = realm.recs.map(() => ({ flags: 0n, gprs: ZERO_GPRS }));
    const tables = new Map<string, bigint>();
    [...plan.rtt.tables, ...plan.rtt.dataTables].forEach((t, i) => {
      tables.set(`${t.level}:${BigInt(t.ipa)}`, realm.rtts[i]!);
    });
    this.view = {
      rd: realm.rd,
      rtts: Array.from(
        { length: plan.rtt.numStart },
        (_, i) => realm.rttBase + BigInt(i) * GRANULE,
      ),
      vmid: realm.vmid,
      startLevel: plan.rtt.levelStart,
      tables,
      recCount: realm.recs.length,
    };
  }

  /**
   * Launches `options.program` as a realm (ACTIVE, no REC entered yet), from host granules and a
   * VMID of the fixture.
   * @throws {@link SetupError} when the RMM refuses a launch step.
   */
  static launch(fx: Fixture, options: RealmProgram): RunningRealm {
    const base = fx.granules(REALM_GRANULES);
    const allocator = new GranuleAllocator([{ base, size: BigInt(REALM_GRANULES) * GRANULE }]);
    try {
      const realm = launchRealm(
        fx.target.host,
        {
          image: new TextEncoder().encode(options.program),
          memorySize: options.memorySize ?? 0x20_0000,
          vcpus: options.vcpus ?? 1,
        },
        { allocator, vmid: fx.vmid() },
      );
      return new RunningRealm(fx, realm);
    } catch (err) {
      throw asSetupError(err, 'launching a realm');
    }
  }

  /** Everything the realm wrote to its console so far. */
  get console(): string {
    return this.#console;
  }

  /** REC `i` of the realm. */
  rec(i: number): LaunchedRec {
    const rec = this.realm.recs[i];
    if (rec === undefined) throw new RangeError(`the realm has no REC ${i}`);
    return rec;
  }

  /**
   * Writes REC `i`'s RmiRecEnter (what its last exit needs back: flags and gprs) into its run page
   * and returns the REC_ENTER arguments; the caller enters it (then reads {@link exitOf}).
   */
  prepare(i: number): { readonly rec: bigint; readonly run: bigint } {
    const { rec, run } = this.rec(i);
    const next = this.#next[i]!;
    this.#fx.target.host.memory.write(
      run,
      encodeRecEnter({ flags: next.flags, gprs: next.gprs, gicv3Hcr: 0n, gicv3Lrs: ZERO_LRS }),
    );
    this.#next[i] = { flags: 0n, gprs: ZERO_GPRS };
    return { rec, run };
  }

  /** The exit the last REC_ENTER of REC `i` wrote into its run page. */
  exitOf(i: number): RecExit {
    const { run } = this.rec(i);
    return decodeRecExit(
      this.#fx.target.host.memory.read(run + BigInt(REC_EXIT_OFFSET), REC_RUN_HALF_SIZE),
    );
  }

  /** What REC `i`'s next entry carries (by default flags 0, gprs 0: accept, nothing to return). */
  answer(i: number, flags: bigint, gprs: readonly bigint[] = ZERO_GPRS): void {
    this.rec(i);
    this.#next[i] = { flags, gprs };
  }

  /**
   * One REC_ENTER of REC `i` (which must succeed); its exit.
   * @throws {@link SetupError} when REC_ENTER fails.
   */
  enter(i: number): RecExit {
    const { rec, run } = this.prepare(i);
    this.#fx.must(SMC_RMI_REC_ENTER, rec, run);
    return this.exitOf(i);
  }

  /**
   * Enters REC `i` until it exits in a way `wanted` accepts, and returns that exit before
   * servicing it; services every other exit as the module doc says.
   * @param what - what is awaited, for the message when the run ends otherwise.
   * @throws {@link SetupError} when the run ends otherwise, a setup SMC fails, or after `maxExits`.
   */
  runUntil(
    i: number,
    wanted: (exit: RecExit) => boolean,
    what: string,
    maxExits = 10_000,
  ): RecExit {
    for (let n = 0; n < maxExits; n++) {
      const exit = this.enter(i);
      if (wanted(exit)) return exit;
      const wrong = this.#service(i, exit);
      if (wrong !== undefined) {
        throw new SetupError(
          `waiting for ${what}, REC ${i} exited with ${describeExit(exit)} (${wrong}); console: ${JSON.stringify(this.#console.slice(-300))}`,
        );
      }
    }
    throw new SetupError(`waiting for ${what}: no such exit of REC ${i} in ${maxExits} exits`);
  }

  /** Services one exit; returns why it cannot, or `undefined`. */
  #service(i: number, exit: RecExit): string | undefined {
    switch (exit.exitReason) {
      case RmiRecExitReason.HostCall:
        return this.#hostCall(i, exit);
      case RmiRecExitReason.Sync:
        return this.#sync(exit);
      case RmiRecExitReason.Irq:
      case RmiRecExitReason.Fiq:
      case RmiRecExitReason.Serror:
        return undefined;
      case RmiRecExitReason.Psci:
        return this.#psci(i, exit);
      case RmiRecExitReason.RipasChange:
        return this.#ripas(i, exit);
      default:
        return 'not an RMM 1.0 exit';
    }
  }

  #hostCall(i: number, exit: RecExit): undefined {
    if (exit.imm === RealmHostCall.ConsoleWrite) {
      const bytes = unpackConsoleWrite(exit.gprs);
      if (bytes !== undefined) {
        this.#console += this.#decoder.decode(bytes, { stream: true });
        this.#next[i] = { flags: 0n, gprs: [BigInt(bytes.length), ...exit.gprs.slice(1)] };
        return undefined;
      }
    } else if (exit.imm === RealmHostCall.Exit) {
      this.exitStatus = Number(BigInt.asIntN(32, exit.gprs[0] ?? 0n));
    }
    this.#next[i] = { flags: 0n, gprs: exit.gprs };
    return undefined;
  }

  #sync(exit: RecExit): string | undefined {
    const esr = decodeDataAbortEsr(exit.esr);
    if (esr.ec !== EsrEc.DataAbortLower) return undefined;
    const page = hpfarToIpa(exit.hpfar);
    if (page >= this.#protectedTop) return 'a data abort at an unprotected IPA';
    try {
      this.realm.dataCreateUnknown(page);
    } catch (err) {
      throw asSetupError(err, `backing IPA 0x${page.toString(16)}`);
    }
    return undefined;
  }

  #psci(i: number, exit: RecExit): string | undefined {
    switch (psciFidOf(exit)) {
      case SMC32_PSCI_CPU_ON:
      case SMC64_PSCI_CPU_ON:
      case SMC32_PSCI_AFFINITY_INFO:
      case SMC64_PSCI_AFFINITY_INFO: {
        const target = this.realm.recs[recIndexFromPsciMpidr(exit.gprs[1] ?? 0n)];
        if (target === undefined) return 'the target is no REC of the realm';
        this.#fx.must(SMC_RMI_PSCI_COMPLETE, this.rec(i).rec, target.rec, 0n);
        return undefined;
      }
      case SMC32_PSCI_CPU_SUSPEND:
      case SMC64_PSCI_CPU_SUSPEND:
        return undefined;
      default:
        return 'the REC or the realm is off';
    }
  }

  #ripas(i: number, exit: RecExit): string | undefined {
    const { rd } = this.realm;
    let at = exit.ripasBase;
    while (at < exit.ripasTop) {
      const reached =
        this.#fx.must(SMC_RMI_RTT_SET_RIPAS, rd, this.rec(i).rec, at, exit.ripasTop)[1] ?? 0n;
      if (reached <= at) return 'RTT_SET_RIPAS made no progress';
      at = reached;
    }
    return undefined;
  }
}
