/**
 * The realm runtime: what one vCPU does from reset to off. It finds the program through its
 * boot registers, reads it from realm memory, runs it in a sandbox with the guest API, and ends
 * the way a realm ends on hardware: with host calls and PSCI.
 *
 * ```text
 * program returns   REC 0: Exit(0) host call, SYSTEM_OFF; a secondary: CPU_OFF
 * exit(status)      Exit(status), SYSTEM_OFF (from any vCPU)
 * uncaught error    "Uncaught <error>" on the console, Exit(1), SYSTEM_OFF; likewise when the
 *                   image cannot be read, is not UTF-8, does not compile or uses import
 * bad boot regs     no console to say so: SYSTEM_OFF (X0 bit 63 clear) or CPU_OFF
 * ```
 * Then the vCPU halts: on hardware none of these calls returns.
 * @module
 */
import { defaultCrypto, IsletError, isIsletError } from '@islet/arch';
import type { RealmCpu } from '../ports.ts';
import { RsiShim } from '../rsi/shim.ts';
import { armCcaGuest } from '../tsm/arm-cca-guest.ts';
import { ConfigfsTsm } from '../tsm/configfs-tsm.ts';
import { decodeBoot, type RealmBoot, scratchPage } from './boot.ts';
import { guestApi } from './guest-api.ts';
import { consoleWrite, exitHostCall } from './host-services.ts';
import { PsciClient } from './psci.ts';
import { type ProgramOutcome, runProgram } from './sandbox.ts';

const SECONDARY_BOOT = 1n << 63n;

/**
 * The program's source: the image's bytes, which must be UTF-8.
 * @throws {@link IsletError} `GUEST_PROGRAM_INVALID` when they are not; `GUEST_SEA` when they
 *   cannot be read.
 */
function loadProgram(cpu: RealmCpu, boot: RealmBoot): string {
  const image = cpu.memory.read(boot.imageIpa, boot.imageLength);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(image);
  } catch (e) {
    throw new IsletError('GUEST_PROGRAM_INVALID', 'the image is not UTF-8', { cause: e });
  }
}

/**
 * Runs the realm program on `cpu` and ends the vCPU: never returns (the last step is
 * `cpu.halt()`).
 * @throws only what is a bug of the runtime: an error that is not an `IsletError` (a program's
 *   errors, and the platform's coded ones, end the realm instead).
 * @since 0.1.0
 */
export function runRealmVcpu(cpu: RealmCpu): never {
  const psci = new PsciClient(cpu.smc);
  let boot: RealmBoot;
  let rsi: RsiShim;
  try {
    boot = decodeBoot(cpu.boot);
    rsi = new RsiShim({ smc: cpu.smc, memory: cpu.memory, scratch: scratchPage(boot, cpu.index) });
  } catch (e) {
    if (!isIsletError(e)) throw e;
    if ((cpu.boot.x0 & SECONDARY_BOOT) === 0n) psci.systemOff();
    else psci.cpuOff();
    return cpu.halt();
  }
  const print = (text: string): void => consoleWrite(rsi, text);
  const exit = (status: number): never => {
    try {
      exitHostCall(rsi, status);
    } catch (e) {
      if (!isIsletError(e)) throw e;
    }
    psci.systemOff();
    return cpu.halt();
  };
  let outcome: ProgramOutcome;
  try {
    const tsm = new ConfigfsTsm(armCcaGuest(rsi));
    // The vCPU's own CSPRNG (node:crypto in a worker thread), as RNDR is the core's own.
    const crypto = defaultCrypto();
    const random = (length: number): Uint8Array => crypto.randomBytes(length);
    const api = guestApi({ cpu, boot, rsi, tsm, psci, exit, random });
    outcome = runProgram(loadProgram(cpu, boot), api, print);
  } catch (e) {
    if (!isIsletError(e)) throw e;
    outcome = { kind: 'threw', description: `${e.name}: ${e.message}` };
  }
  if (outcome.kind === 'threw') {
    try {
      print(`Uncaught ${outcome.description}\n`);
    } catch (e) {
      if (!isIsletError(e)) throw e;
    }
    return exit(1);
  }
  if (boot.primary) return exit(0);
  psci.cpuOff();
  return cpu.halt();
}
