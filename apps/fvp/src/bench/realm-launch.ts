/**
 * Launching a realm with a 64 MiB image up to its first instruction, against node:crypto's
 * SHA-256 of the same 64 MiB in one digest, measured in the same run.
 *
 * **One operation = one launch**, timed from `launchRealm` (granule delegation, REALM_CREATE,
 * the RTTs, RTT_INIT_RIPAS over 66 MiB of RAM, 16384 measured DATA_CREATEs of the image staged
 * page by page through an NS page — the host's copy is counted —, REC_CREATE, REALM_ACTIVATE)
 * through `runRealm`'s first REC_ENTER to the moment the RMM hands the REC to the CPU: the
 * executor's first `resume`, the realm's first instruction. The platform measures with its second
 * core (`parallelMeasurement`), as `islet-fvp --realm` does. Teardown is not timed.
 *
 * - `raw: SHA-256 of the image, one digest`: the issue's yardstick (target: a launch within 2×,
 *   i.e. a ratio ≥ 0.5).
 * - `launch to first instruction`: the headline; the executor here is a probe that records the
 *   time and answers PSCI SYSTEM_OFF, so nothing but the launch is in the figure.
 * - `launch to the program's first RSI call`: the same launch on the real worker vCPUs, with the
 *   image a 64 MiB JavaScript program: adds the vCPU thread's start, reading the image back
 *   through stage 2, UTF-8 decoding and compiling it, up to its first host call. Informational.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { type RealmExecutor, RealmHostCall, SMC32_PSCI_SYSTEM_OFF } from '@islet/abi';
import { GranuleAllocator, launchRealm, type RealmLaunch, runRealm } from '@islet/host';
import { bootPlatform } from '../platform.ts';
import type { BenchCase } from './harness.ts';

/** Bytes of the image. */
const IMAGE_SIZE = 64 * 1024 * 1024;
/** Protected RAM: the image and one more 2 MiB block. */
const MEMORY_SIZE = IMAGE_SIZE + 2 * 1024 * 1024;

/** Sums the times of `n` launches; each is torn down after it is timed. */
function timeLaunches(n: number, one: () => { ms: number; destroy(): void }): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const { ms, destroy } = one();
    total += ms;
    destroy();
  }
  return total;
}

/**
 * The launch groups' cases, and `close` for their platforms: `launch` (the headline) and
 * `javascript` (informational) each with the raw digest, in separate groups so that the
 * JavaScript realm's thread start and 64 MiB compile (and the GC and compiler threads they wake)
 * do not run in between the headline's batches.
 */
export function realmLaunchCases(): {
  readonly launch: BenchCase[];
  readonly javascript: BenchCase[];
  close(): void;
} {
  const image = new Uint8Array(randomBytes(IMAGE_SIZE));
  let firstResume = 0;
  const probe: RealmExecutor = {
    resume(rec) {
      if (firstResume === 0) firstResume = performance.now();
      rec.gprs[0] = BigInt(SMC32_PSCI_SYSTEM_OFF);
      return { kind: 'smc', fid: SMC32_PSCI_SYSTEM_OFF };
    },
  };
  const probed = bootPlatform({ parallelMeasurement: true, executor: probe });
  const probedGranules = new GranuleAllocator(probed.host.dram);
  const launch: RealmLaunch = { image, memorySize: MEMORY_SIZE };

  // A 64 MiB program: one host call, then a comment up to the size.
  const head = new TextEncoder().encode('host.challenge();\n//');
  const program = new Uint8Array(IMAGE_SIZE).fill(0x78);
  program.set(head);
  const real = bootPlatform({ parallelMeasurement: true });
  const realGranules = new GranuleAllocator(real.host.dram);

  const raw: BenchCase = {
    name: 'raw: SHA-256 of the 64 MiB image, one digest (node:crypto)',
    opsPerBatch: 1,
    bytesPerOp: IMAGE_SIZE,
    run(n) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += createHash('sha256').update(image).digest()[0]!;
      return acc;
    },
  };
  return {
    launch: [
      raw,
      {
        name: 'launch a 64 MiB realm to its first instruction (parallel measurement)',
        opsPerBatch: 1,
        bytesPerOp: IMAGE_SIZE,
        measure: (n) =>
          timeLaunches(n, () => {
            firstResume = 0;
            const t0 = performance.now();
            const realm = launchRealm(probed.host, launch, { allocator: probedGranules });
            const run = runRealm(probed.host, realm);
            if (firstResume === 0 || run.reason !== 'system-off') {
              throw new Error(`the realm did not start: ${run.reason}`);
            }
            return { ms: firstResume - t0, destroy: () => realm.destroy() };
          }),
      },
    ],
    javascript: [
      raw,
      {
        name: 'launch a 64 MiB JavaScript realm to its first RSI call (worker vCPU, informational)',
        opsPerBatch: 1,
        bytesPerOp: IMAGE_SIZE,
        measure: (n) =>
          timeLaunches(n, () => {
            let first = 0;
            const t0 = performance.now();
            const realm = launchRealm(
              real.host,
              { image: program, memorySize: MEMORY_SIZE },
              { allocator: realGranules },
            );
            runRealm(real.host, realm, {
              hostCall(imm) {
                if (imm === RealmHostCall.Challenge && first === 0) first = performance.now();
                return new Array<bigint>(8).fill(0n);
              },
            });
            if (first === 0) throw new Error('the program made no host call');
            return { ms: first - t0, destroy: () => realm.destroy() };
          }),
      },
    ],
    close() {
      probed.close();
      real.close();
    },
  };
}
