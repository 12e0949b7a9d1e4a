/**
 * RSI from inside a running realm: attestation tokens per second and RSI round trips per second,
 * each against its raw primitive measured in the same run.
 *
 * A realm program (run on the platform's worker vCPUs) makes `n` calls between two host calls;
 * the host timestamps those two exits, so the batch's time is the realm's loop alone (not the
 * launch or the vCPU thread's start).
 *
 * **Tokens.** Each token is what a realm app does for one attestation: RSI_ATTESTATION_TOKEN_INIT
 * with the challenge, then RSI_ATTESTATION_TOKEN_CONTINUE into a granule until done, and the
 * token read back from realm memory; the RMM builds the realm token and signs it with the P-384
 * RAK each time (the platform token comes from the monitor once). Its raw primitive is
 * `raw: ECDSA P-384 sign`: node:crypto signing (SHA-384, P1363) a payload of a realm token's size
 * with a P-384 key. Target: tokens from inside a realm at ≥ 70 % of the raw rate.
 *
 * **Round trips.** `smc(RSI_VERSION)` from the program: a trap from the vCPU thread to the RMM's
 * thread, the RSI dispatch, and back. Its raw primitive is the thread switch it cannot avoid: a
 * SharedArrayBuffer ping-pong with a worker thread (`Atomics.notify` / `Atomics.wait`, both ways).
 * @module
 */
import { Worker } from 'node:worker_threads';
import { RealmHostCall, SMC_RSI_VERSION } from '@islet/abi';
import { GranuleAllocator, launchRealm, runRealm } from '@islet/host';
import { bootPlatform } from '../platform.ts';
import type { BenchCase } from './harness.ts';
import { rawP384SignCase } from './raw-sign.ts';

/** The worker side of the raw ping-pong: answer every ping on word 0 with a pong on word 1. */
const PONG_SOURCE = `
const { workerData } = require('node:worker_threads');
const w = new Int32Array(workerData);
for (let seen = 0; ; ) {
  Atomics.wait(w, 0, seen);
  seen = Atomics.load(w, 0);
  if (seen < 0) break;
  Atomics.store(w, 1, seen);
  Atomics.notify(w, 1);
}`;

/** The cases of the token group and of the round-trip group, and `close`. */
export function realmRsiCases(): {
  readonly tokens: BenchCase[];
  readonly roundTrips: BenchCase[];
  close(): void;
} {
  const platform = bootPlatform();
  const granules = new GranuleAllocator(platform.host.dram);

  /** Runs `body` n times inside a realm; returns the ms between its two host calls. */
  const inRealm = (body: string) => (n: number) => {
    const source = `host.challenge(); const c = new Uint8Array(64).fill(7); let acc = 0;
      for (let i = 0; i < ${n}; i++) { ${body} }
      host.send(new Uint8Array([acc & 0xff]));`;
    let start = 0;
    let end = 0;
    const realm = launchRealm(
      platform.host,
      { image: new TextEncoder().encode(source) },
      { allocator: granules },
    );
    try {
      const run = runRealm(platform.host, realm, {
        hostCall(imm) {
          if (imm === RealmHostCall.Challenge) start = performance.now();
          if (imm === RealmHostCall.Send) end = performance.now();
          return [1n];
        },
      });
      if (run.exitStatus !== 0 || end === 0) {
        throw new Error(`the benchmark realm failed: ${run.reason}, status ${run.exitStatus}`);
      }
    } finally {
      realm.destroy();
    }
    return end - start;
  };

  const ping = new Int32Array(new SharedArrayBuffer(8));
  const pong = new Worker(PONG_SOURCE, { eval: true, workerData: ping.buffer });
  pong.unref();
  let seq = 0;

  return {
    tokens: [
      rawP384SignCase(),
      {
        name: 'CCA tokens from inside a realm (RSI_ATTESTATION_TOKEN_INIT/CONTINUE, RAK P-384)',
        opsPerBatch: 200,
        measure: inRealm('acc += rsi.attestationToken(c).length;'),
      },
    ],
    roundTrips: [
      {
        name: 'raw: SharedArrayBuffer ping-pong with a worker thread (Atomics.wait/notify)',
        run(n) {
          for (let i = 0; i < n; i++) {
            seq = (seq + 1) & 0x3fff_ffff;
            Atomics.store(ping, 0, seq);
            Atomics.notify(ping, 0);
            // Wait on the value just compared: reading it again could see the pong and sleep
            // on it for good.
            for (let pongSeen = Atomics.load(ping, 1); pongSeen !== seq; ) {
              Atomics.wait(ping, 1, pongSeen);
              pongSeen = Atomics.load(ping, 1);
            }
          }
          return seq;
        },
      },
      {
        name: 'RSI round trips from inside a realm: smc(RSI_VERSION)',
        opsPerBatch: 20_000,
        measure: inRealm(`acc += Number(smc(${SMC_RSI_VERSION}, 0x10000)[0]);`),
      },
    ],
    close() {
      Atomics.store(ping, 0, -1);
      Atomics.notify(ping, 0);
      void pong.terminate();
      platform.close();
    },
  };
}
