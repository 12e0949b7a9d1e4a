/**
 * The PSCI calls a realm makes (Linux `drivers/firmware/psci`), over a vCPU's SMC. Results are
 * PSCI return codes (or AFFINITY_INFO states), values the caller branches on, never errors.
 * @see rmm-abi.md §5.11
 * @module
 */
import {
  SMC32_PSCI_CPU_OFF,
  SMC32_PSCI_SYSTEM_OFF,
  SMC32_PSCI_SYSTEM_RESET,
  SMC32_PSCI_VERSION,
  SMC64_PSCI_AFFINITY_INFO,
  SMC64_PSCI_CPU_ON,
  signedFromRegister,
} from '@islet/abi';
import { checkInt, checkIpa } from '../internal/check.ts';
import type { RealmSmc } from '../ports.ts';

/** One past the largest REC index an MPIDR carries (Aff0[3:0], Aff1, Aff2, Aff3). */
const REC_INDEX_LIMIT = 2 ** 28;

/**
 * The MPIDR, in the PSCI `target_cpu` layout (Aff3 at [39:32]), of REC `index`: the inverse of
 * `recIndexFromPsciMpidr`.
 * @example
 * ```ts
 * mpidrOfRecIndex(17); // 0x101n: Aff1 = 1, Aff0 = 1
 * ```
 * @since 0.1.0
 */
export function mpidrOfRecIndex(index: number): bigint {
  const i = checkInt(index, 0, REC_INDEX_LIMIT - 1, 'the vCPU index');
  const aff0 = i & 0xf;
  const aff1 = (i >>> 4) & 0xff;
  const aff2 = (i >>> 12) & 0xff;
  const aff3 = (i >>> 20) & 0xff;
  return (BigInt(aff3) << 32n) | BigInt((aff2 << 16) | (aff1 << 8) | aff0);
}

/**
 * PSCI for one vCPU. Targets are REC indices.
 * @since 0.1.0
 */
export class PsciClient {
  readonly #smc: RealmSmc;

  constructor(smc: RealmSmc) {
    this.#smc = smc;
  }

  #call(fid: number, ...args: bigint[]): number {
    return signedFromRegister(this.#smc([BigInt(fid), ...args])[0] ?? 0n);
  }

  /** PSCI_VERSION: `(major << 16) | minor` (0x10001 from an RMM). */
  version(): number {
    return this.#call(SMC32_PSCI_VERSION);
  }

  /** CPU_ON: starts REC `target` at `entry` with X0 = `contextId`; a PSCI return code. */
  cpuOn(target: number, entry: number, contextId: bigint): number {
    return this.#call(
      SMC64_PSCI_CPU_ON,
      mpidrOfRecIndex(target),
      BigInt(checkIpa(entry, 'the entry point')),
      BigInt.asUintN(64, contextId),
    );
  }

  /** CPU_OFF: does not return when it succeeds; otherwise a PSCI return code. */
  cpuOff(): number {
    return this.#call(SMC32_PSCI_CPU_OFF);
  }

  /** AFFINITY_INFO(target, level 0): ON 0, OFF 1, ON_PENDING 2, or a negative return code. */
  affinityInfo(target: number): number {
    return this.#call(SMC64_PSCI_AFFINITY_INFO, mpidrOfRecIndex(target), 0n);
  }

  /** SYSTEM_OFF: does not return when it succeeds. */
  systemOff(): number {
    return this.#call(SMC32_PSCI_SYSTEM_OFF);
  }

  /** SYSTEM_RESET: does not return when it succeeds (a realm is then off, as after SYSTEM_OFF). */
  systemReset(): number {
    return this.#call(SMC32_PSCI_SYSTEM_RESET);
  }
}
