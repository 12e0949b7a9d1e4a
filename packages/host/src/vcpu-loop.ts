/**
 * The vCPU loop: runs a launched realm the way KVM's `kvm_arch_vcpu_ioctl_run` runs a realm
 * vCPU. One REC_ENTER at a time, round-robin over the RECs that are on (REC 0 at first); each REC
 * enters with its own NS run page (RmiRecRun), and each exit is serviced before the REC enters
 * again. What an exit needs back (flags, `gprs`) goes into that REC's next RmiRecEnter.
 *
 * | exit                                    | the host                                                  | kind                  |
 * |-----------------------------------------|-----------------------------------------------------------|-----------------------|
 * | HOST_CALL imm 1 ConsoleWrite, n 1..232  | bytes to `console`; answers gprs[0] = n                   | `console`             |
 * | HOST_CALL imm 2 Exit                    | records `exitStatus` (gprs[0], low 32 bits, signed)       | `exit-status`         |
 * | HOST_CALL other imm, `hostCall` serves  | answers what `hostCall` returns                           | `host-call`           |
 * | HOST_CALL other imm, or bad length      | answers gprs[0] = {@link HOST_CALL_ERROR}                 | `host-call-invalid`   |
 * | SYNC data abort, external (DFSC SEA)    | re-enter: the RMM has injected the SEA into the realm     | `external-abort`      |
 * | SYNC data abort, protected IPA          | DATA_CREATE_UNKNOWN a zero page (+ RTT_CREATE); retried   | `fault-in`            |
 * | … the RMM refuses it (RMI_ERROR_RTT)    | the run ends: the realm cannot make progress              | `stage2-fault`        |
 * | SYNC data abort, IPA ≥ 2^s2sz           | the run ends (no RMM reports one)                         | `stage2-fault`        |
 * | SYNC data abort, unprotected, ISV, read | device read; EMUL_MMIO, gprs[0] = value                   | `mmio-read`           |
 * | SYNC data abort, unprotected, ISV, write| device write of gprs[0]; EMUL_MMIO                        | `mmio-write`          |
 * | … no ISV, or no device claims it        | INJECT_SEA                                                | `inject-sea`          |
 * | SYNC WFI/WFE (EC 0x01)                  | re-enter                                                  | `wfx`                 |
 * | SYNC, any other EC                      | re-enter                                                  | `sync-other`          |
 * | IRQ / FIQ / SERROR                      | re-enter                                                  | `irq`/`fiq`/`serror`  |
 * | RIPAS_CHANGE, accepted                  | RTT_SET_RIPAS from base until top (+ RTT_CREATE); accept  | `ripas-accept`        |
 * | … rejected, or the RMM stops short      | RIPAS_RESPONSE = reject                                   | `ripas-reject`        |
 * | PSCI CPU_ON                             | PSCI_COMPLETE(caller, target, SUCCESS); the target is on  | `psci-cpu-on`         |
 * | PSCI AFFINITY_INFO                      | PSCI_COMPLETE(caller, target, SUCCESS)                    | `psci-affinity-info`  |
 * | … target no REC of the realm, or self   | the caller is taken off the schedule                      | `psci-invalid`        |
 * | PSCI CPU_OFF                            | the REC is off                                            | `psci-cpu-off`        |
 * | PSCI SYSTEM_OFF / SYSTEM_RESET          | the run ends with that reason                             | `psci-system-off`/`-reset` |
 * | PSCI, any other FID (CPU_SUSPEND)       | re-enter                                                  | `psci-other`          |
 * | exit_reason RMM 1.0 does not define     | re-enter                                                  | `unknown`             |
 *
 * **Hostile exits.** The exit record is whatever the RMM (on the realm's behalf) wrote; every
 * field is range-checked here and no value of it makes the loop throw. RMI commands the RMM
 * refuses throw {@link RmiCallError}, except the two whose refusal is the realm's doing and
 * goes back to it as data: RTT_SET_RIPAS (a reject) and DATA_CREATE_UNKNOWN (`stage2-fault`).
 *
 * **Scheduling.** After each exit the next REC that is on, in index order, enters. While more than
 * one REC is on, WFI and WFE are trapped (TRAP_WFI, TRAP_WFE) so an idle vCPU yields, as KVM
 * traps them only when the vCPU thread shares its CPU.
 * @module
 */
import {
  decodeDataAbortEsr,
  decodeRecExit,
  EsrEc,
  encodeRecEnter,
  hpfarToIpa,
  isExternalAbortDfsc,
  REC_EXIT_OFFSET,
  REC_GIC_NUM_LRS,
  REC_RUN_HALF_SIZE,
  REC_RUN_NR_GPRS,
  RealmHostCall,
  type RecExit,
  RmiRecEnterFlag,
  RmiRecExitReason,
  RmiStatus,
  recExitReason,
  recIndexFromPsciMpidr,
  SMC32_PSCI_AFFINITY_INFO,
  SMC32_PSCI_CPU_OFF,
  SMC32_PSCI_CPU_ON,
  SMC32_PSCI_SYSTEM_OFF,
  SMC32_PSCI_SYSTEM_RESET,
  SMC64_PSCI_AFFINITY_INFO,
  SMC64_PSCI_CPU_ON,
  unpackConsoleWrite,
} from '@islet/abi';
import { concatBytes } from '@islet/arch';
import { RmiDriver } from './driver.ts';
import type { LaunchedRealm } from './launcher.ts';
import { findMmioDevice, type MmioDevice } from './mmio.ts';
import type { HostPorts } from './ports.ts';
import { missingRttLevel, RmiCallError } from './rmi-error.ts';

/** The WHATWG decoder (Node and browsers have it; the ES2022 lib does not declare it). */
declare const TextDecoder: new () => { decode(bytes: Uint8Array): string };

/**
 * What the host answers in gprs[0] to a host call it does not serve (an unknown imm, or a
 * ConsoleWrite whose length is not 1..232): all ones, SMCCC's NOT_SUPPORTED (-1).
 * @since 0.7.0
 */
export const HOST_CALL_ERROR: bigint = 0xffff_ffff_ffff_ffffn;

/** Why {@link runRealm} returned. @since 0.7.0 */
export type RunEndReason =
  /** A REC called PSCI SYSTEM_OFF; the realm is SYSTEM_OFF. */
  | 'system-off'
  /** A REC called PSCI SYSTEM_RESET; the realm is SYSTEM_OFF (the host may launch it again). */
  | 'system-reset'
  /** No REC is on any more (each called CPU_OFF, or was taken off the schedule). */
  | 'cpus-off'
  /** A stage-2 fault the host cannot resolve; {@link RunResult.fault} says where. */
  | 'stage2-fault'
  /** `maxExits` exits were serviced; the realm is left as it is (destroy it). */
  | 'exit-limit'
  /** `until` asked to stop; the realm is left as it is, and a later run continues it. */
  | 'stopped';

/** How the host serviced one exit (the table in the module doc). @since 0.7.0 */
export type ExitKind =
  | 'console'
  | 'exit-status'
  | 'host-call'
  | 'host-call-invalid'
  | 'fault-in'
  | 'stage2-fault'
  | 'mmio-read'
  | 'mmio-write'
  | 'inject-sea'
  | 'external-abort'
  | 'wfx'
  | 'sync-other'
  | 'irq'
  | 'fiq'
  | 'serror'
  | 'ripas-accept'
  | 'ripas-reject'
  | 'psci-cpu-on'
  | 'psci-affinity-info'
  | 'psci-invalid'
  | 'psci-cpu-off'
  | 'psci-system-off'
  | 'psci-system-reset'
  | 'psci-other'
  | 'unknown';

/** One serviced exit, for tracing. @since 0.7.0 */
export interface ExitInfo {
  /** The index of the REC that exited. */
  readonly rec: number;
  /** Its exit record, as decoded. */
  readonly exit: RecExit;
  readonly kind: ExitKind;
  /** Exits so far, this one included. */
  readonly count: number;
}

/**
 * The host's answer to a realm's RIPAS change of `[base, top)` to `ripas` (an RmiRipas: 0 EMPTY,
 * 1 RAM; the raw byte of the exit record).
 * @since 0.7.0
 */
export type RipasPolicy = (base: bigint, top: bigint, ripas: number) => 'accept' | 'reject';

/** Options of {@link runRealm}. @since 0.7.0 */
export interface RunRealmOptions {
  /** Receives each ConsoleWrite's bytes. Default: they are collected into {@link RunResult.console}. */
  readonly console?: (bytes: Uint8Array) => void;
  /**
   * The MMIO devices. Default: none, and every emulatable unprotected access reads as zero and
   * ignores writes (counted as `mmio-read`/`mmio-write`). When given, an access no device claims
   * gets a synchronous external abort.
   */
  readonly mmio?: readonly MmioDevice[];
  /**
   * Serves the host calls the loop does not (any imm but ConsoleWrite and Exit): returns the
   * answer's first registers (the others go back as the realm left them), or `undefined` for an
   * imm it does not serve either, which is answered {@link HOST_CALL_ERROR}. More than 31
   * registers, or a value that is not 64-bit, is a `RangeError`.
   */
  readonly hostCall?: (imm: number, gprs: readonly bigint[]) => readonly bigint[] | undefined;
  /** Decides RIPAS changes; default: accept every one. */
  readonly ripas?: RipasPolicy;
  /** The most exits to service before returning `exit-limit`; default 1 000 000. */
  readonly maxExits?: number;
  /** Called after each exit is serviced. */
  readonly onExit?: (info: ExitInfo) => void;
  /**
   * Called after each exit is serviced; `true` ends the run (`stopped`). The answer to that exit
   * is not delivered: a later run enters every REC with zeroed registers and no flags, so stop
   * after an exit whose answer is zeros (a Receive with nothing waiting, a WFI).
   */
  readonly until?: (info: ExitInfo) => boolean;
}

/** What a run came to. @since 0.7.0 */
export interface RunResult {
  readonly reason: RunEndReason;
  /** The status of the realm's last Exit host call, if it made one. */
  readonly exitStatus?: number;
  /** The console output (UTF-8 decoded) when no `console` option took it; else empty. */
  readonly console: string;
  /** How many exits of each kind were serviced. */
  readonly exits: Readonly<Record<ExitKind, number>>;
  /** All exits (= REC_ENTERs). */
  readonly exitCount: number;
  /** Where the `stage2-fault` that ended the run was: the REC and the faulting IPA page. */
  readonly fault?: { readonly rec: number; readonly ipa: bigint };
}

/** What the host does about one exit. */
interface Outcome {
  readonly kind: ExitKind;
  /** RmiRecEnter `flags` for the REC's next entry. */
  readonly flags?: bigint;
  /** RmiRecEnter `gprs` for the REC's next entry. */
  readonly gprs?: readonly bigint[];
  readonly end?: RunEndReason;
}

const PAGE = 0x1000n;
const ZERO_GPRS: readonly bigint[] = new Array<bigint>(REC_RUN_NR_GPRS).fill(0n);
const ZERO_LRS: readonly bigint[] = new Array<bigint>(REC_GIC_NUM_LRS).fill(0n);
const TRAP_WFX = RmiRecEnterFlag.TrapWfi | RmiRecEnterFlag.TrapWfe;

/** The counters at the start: one per {@link ExitKind}. */
const NO_EXITS: Readonly<Record<ExitKind, number>> = {
  console: 0,
  'exit-status': 0,
  'host-call': 0,
  'host-call-invalid': 0,
  'fault-in': 0,
  'stage2-fault': 0,
  'mmio-read': 0,
  'mmio-write': 0,
  'inject-sea': 0,
  'external-abort': 0,
  wfx: 0,
  'sync-other': 0,
  irq: 0,
  fiq: 0,
  serror: 0,
  'ripas-accept': 0,
  'ripas-reject': 0,
  'psci-cpu-on': 0,
  'psci-affinity-info': 0,
  'psci-invalid': 0,
  'psci-cpu-off': 0,
  'psci-system-off': 0,
  'psci-system-reset': 0,
  'psci-other': 0,
  unknown: 0,
};

/** The bus without `mmio` devices: reads as zero, ignores writes, everywhere. */
const RAZ_WI: MmioDevice = { base: 0n, size: 0n, read: () => 0n, write: () => {} };

/** `gprs` with X0 replaced. */
const withX0 = (gprs: readonly bigint[], x0: bigint): bigint[] => [x0, ...gprs.slice(1)];

/**
 * Runs `realm` (launched by {@link launchRealm}) until it turns itself off, faults beyond repair or
 * uses up `maxExits`, servicing every exit as the module doc's table says.
 * @throws {@link RmiCallError} `HOST_RMI_FAILED` when the RMM refuses a command (REC_ENTER,
 *   PSCI_COMPLETE, GRANULE_DELEGATE, RTT_CREATE, …) other than the two refusals the module doc
 *   turns into answers; {@link IsletError} `HOST_OUT_OF_MEMORY` when no granule is left to fault
 *   in; `RangeError` for a `maxExits` that is not a non-negative integer. Whatever a `console`,
 *   `mmio`, `ripas` or `onExit` callback throws passes through.
 * @example
 * ```ts
 * const realm = launchRealm(p.host, { image });
 * const result = runRealm(p.host, realm, { console: (b) => process.stdout.write(b) });
 * result.reason; // 'system-off'
 * result.exitStatus; // 0
 * realm.destroy();
 * ```
 * @since 0.7.0
 */
export function runRealm(
  ports: HostPorts,
  realm: LaunchedRealm,
  options: RunRealmOptions = {},
): RunResult {
  const maxExits = options.maxExits ?? 1_000_000;
  if (!Number.isSafeInteger(maxExits) || maxExits < 0) {
    throw new RangeError(`maxExits must be a non-negative integer, not ${maxExits}`);
  }
  const rmi = new RmiDriver(ports);
  const recs = realm.recs;
  const ipaBits = BigInt(realm.plan.launch.ipaBits);
  const protectedTop = 1n << (ipaBits - 1n);
  const ipaTop = 1n << ipaBits;
  const levelStart = realm.plan.rtt.levelStart;

  const on = realm.plan.recs.map((r) => r.runnable);
  const next = recs.map(() => ({ flags: 0n, gprs: ZERO_GPRS }));
  const exits: Record<ExitKind, number> = { ...NO_EXITS };
  const chunks: Uint8Array[] = [];
  const write = options.console ?? ((bytes: Uint8Array) => void chunks.push(bytes));
  let exitStatus: number | undefined;
  let fault: RunResult['fault'];
  let count = 0;

  const hostCall = (exit: RecExit): Outcome => {
    if (exit.imm === RealmHostCall.ConsoleWrite) {
      const bytes = unpackConsoleWrite(exit.gprs);
      if (bytes !== undefined) {
        write(bytes);
        return { kind: 'console', gprs: withX0(exit.gprs, BigInt(bytes.length)) };
      }
    } else if (exit.imm === RealmHostCall.Exit) {
      exitStatus = Number(BigInt.asIntN(32, exit.gprs[0] ?? 0n));
      return { kind: 'exit-status', gprs: exit.gprs };
    } else {
      const answer = options.hostCall?.(exit.imm, exit.gprs);
      if (answer !== undefined) {
        if (answer.length > REC_RUN_NR_GPRS) {
          throw new RangeError(`a host call answer has at most 31 registers, not ${answer.length}`);
        }
        return { kind: 'host-call', gprs: [...answer, ...exit.gprs.slice(answer.length)] };
      }
    }
    return { kind: 'host-call-invalid', gprs: withX0(exit.gprs, HOST_CALL_ERROR) };
  };

  const dataAbort = (i: number, exit: RecExit): Outcome => {
    const esr = decodeDataAbortEsr(exit.esr);
    if (esr.ec === EsrEc.Wfx) return { kind: 'wfx' };
    if (esr.ec !== EsrEc.DataAbortLower) return { kind: 'sync-other' };
    // A synchronous external abort (e.g. a granule protection fault on an unprotected mapping of
    // a granule that is not Non-secure): the RMM reports it with FAR = HPFAR = 0 and has already
    // injected it into the realm, so there is nothing to map or emulate.
    if (isExternalAbortDfsc(esr.dfsc)) return { kind: 'external-abort' };
    const page = hpfarToIpa(exit.hpfar);
    if (page < protectedTop) {
      try {
        realm.dataCreateUnknown(page);
      } catch (err) {
        if (!(err instanceof RmiCallError) || err.status !== RmiStatus.ErrorRtt) throw err;
        fault = { rec: i, ipa: page };
        return { kind: 'stage2-fault', end: 'stage2-fault' };
      }
      return { kind: 'fault-in' };
    }
    if (page >= ipaTop) {
      fault = { rec: i, ipa: page };
      return { kind: 'stage2-fault', end: 'stage2-fault' };
    }
    const sea: Outcome = { kind: 'inject-sea', flags: RmiRecEnterFlag.InjectSea };
    if (!esr.isv) return sea;
    const ipa = page | (exit.far & (PAGE - 1n));
    const bits = esr.size * 8;
    const device = options.mmio ? findMmioDevice(options.mmio, ipa, esr.size) : RAZ_WI;
    if (device === undefined) return sea;
    if (esr.write) {
      device.write(ipa, esr.size, BigInt.asUintN(bits, exit.gprs[0] ?? 0n));
      return { kind: 'mmio-write', flags: RmiRecEnterFlag.EmulMmio };
    }
    const value = BigInt.asUintN(bits, device.read(ipa, esr.size));
    return { kind: 'mmio-read', flags: RmiRecEnterFlag.EmulMmio, gprs: withX0(ZERO_GPRS, value) };
  };

  const ripasChange = (i: number, exit: RecExit): Outcome => {
    const { ripasBase: base, ripasTop: top } = exit;
    const accept: Outcome = { kind: 'ripas-accept', flags: 0n };
    const reject: Outcome = { kind: 'ripas-reject', flags: RmiRecEnterFlag.RipasResponse };
    if ((options.ripas?.(base, top, exit.ripasValue) ?? 'accept') === 'reject') return reject;
    let at = base;
    let grownAt: bigint | undefined;
    while (at < top) {
      let reached: bigint;
      try {
        reached = rmi.rttSetRipas(realm.rd, recs[i]!.rec, at, top);
      } catch (err) {
        const level = missingRttLevel(err, levelStart);
        if (level !== undefined && grownAt !== at && at % PAGE === 0n && at < protectedTop) {
          realm.createRtts(at, level + 1);
          grownAt = at;
          continue;
        }
        // The RMM will not change the rest (RTT), or it is not what the REC asked for (INPUT).
        const status = err instanceof RmiCallError ? err.status : undefined;
        if (status === RmiStatus.ErrorRtt || status === RmiStatus.ErrorInput) break;
        throw err;
      }
      if (reached <= at || reached > top) break;
      at = reached;
    }
    return at >= top ? accept : reject;
  };

  const psci = (i: number, exit: RecExit): Outcome => {
    const fid = Number((exit.gprs[0] ?? 0n) & 0xffff_ffffn);
    const complete = (cpuOn: boolean): Outcome => {
      const target = recIndexFromPsciMpidr(exit.gprs[1] ?? 0n);
      if (target >= recs.length || target === i) {
        // PSCI_COMPLETE cannot name the target, so the REC stays pending and cannot enter.
        on[i] = false;
        return { kind: 'psci-invalid' };
      }
      rmi.psciComplete(recs[i]!.rec, recs[target]!.rec);
      if (cpuOn) on[target] = true;
      return { kind: cpuOn ? 'psci-cpu-on' : 'psci-affinity-info' };
    };
    switch (fid) {
      case SMC32_PSCI_CPU_ON:
      case SMC64_PSCI_CPU_ON:
        return complete(true);
      case SMC32_PSCI_AFFINITY_INFO:
      case SMC64_PSCI_AFFINITY_INFO:
        return complete(false);
      case SMC32_PSCI_CPU_OFF:
        on[i] = false;
        return { kind: 'psci-cpu-off' };
      case SMC32_PSCI_SYSTEM_OFF:
        return { kind: 'psci-system-off', end: 'system-off' };
      case SMC32_PSCI_SYSTEM_RESET:
        return { kind: 'psci-system-reset', end: 'system-reset' };
      default:
        return { kind: 'psci-other' };
    }
  };

  const service = (i: number, exit: RecExit): Outcome => {
    switch (recExitReason(exit)) {
      case RmiRecExitReason.Sync:
        return dataAbort(i, exit);
      case RmiRecExitReason.Irq:
        return { kind: 'irq' };
      case RmiRecExitReason.Fiq:
        return { kind: 'fiq' };
      case RmiRecExitReason.Psci:
        return psci(i, exit);
      case RmiRecExitReason.RipasChange:
        return ripasChange(i, exit);
      case RmiRecExitReason.HostCall:
        return hostCall(exit);
      case RmiRecExitReason.Serror:
        return { kind: 'serror' };
      default:
        return { kind: 'unknown' };
    }
  };

  const finish = (reason: RunEndReason): RunResult => ({
    reason,
    ...(exitStatus === undefined ? {} : { exitStatus }),
    console: chunks.length === 0 ? '' : new TextDecoder().decode(concatBytes(...chunks)),
    exits,
    exitCount: count,
    ...(fault === undefined ? {} : { fault }),
  });

  let i = on.indexOf(true);
  while (i >= 0) {
    if (count >= maxExits) return finish('exit-limit');
    const rec = recs[i]!;
    const entry = next[i]!;
    const trap = on.filter(Boolean).length > 1 ? TRAP_WFX : 0n;
    ports.memory.write(
      rec.run,
      encodeRecEnter({
        flags: entry.flags | trap,
        gprs: entry.gprs,
        gicv3Hcr: 0n,
        gicv3Lrs: ZERO_LRS,
      }),
    );
    rmi.recEnter(rec.rec, rec.run);
    const exit = decodeRecExit(
      ports.memory.read(rec.run + BigInt(REC_EXIT_OFFSET), REC_RUN_HALF_SIZE),
    );
    count++;
    const outcome = service(i, exit);
    exits[outcome.kind]++;
    const info = { rec: i, exit, kind: outcome.kind, count };
    options.onExit?.(info);
    if (outcome.end !== undefined) return finish(outcome.end);
    if (options.until?.(info) === true) return finish('stopped');
    next[i] = { flags: outcome.flags ?? 0n, gprs: outcome.gprs ?? ZERO_GPRS };
    i = nextOn(on, i);
  }
  return finish('cpus-off');
}

/** The REC after `i` (cyclically, `i` itself last) that is on, or -1. */
function nextOn(on: readonly boolean[], i: number): number {
  for (let step = 1; step <= on.length; step++) {
    const j = (i + step) % on.length;
    if (on[j]) return j;
  }
  return -1;
}
