/**
 * The SDK's benchmarks, each group against its raw node:crypto primitive in the same run:
 *
 * - **Sealing** 4 KiB and 1 MiB: `Sealer.seal` / `Sealer.unseal` (AES-256-GCM under the realm's
 *   sealing key, a fresh random IV, the 20-byte header authenticated) against node:crypto's
 *   AES-256-GCM with a fresh random IV (`randomBytes`, `createCipheriv`/`createDecipheriv`,
 *   `update`, `final`, the tag). The sealing key is asked of the realm once, before timing, as a
 *   `Sealer` does. Target: at least 80 % of the raw rate.
 * - **Attest + verify** on the simulated backend: one `attest` (a token from the realm, through
 *   RSI, signed by the RAK) and one `verify` (both signatures, the binding, the challenge) per
 *   operation, against the raw P-384 signature the token cannot do without.
 * @module
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { attest, Sealer, verify } from '@islet/sdk';
import { SimulatedRealm } from '../simulated-realm.ts';
import type { BenchCase } from './harness.ts';
import { rawP384SignCase } from './raw-sign.ts';

/** The sealing groups (4 KiB and 1 MiB, seal and unseal) and the attest + verify group. */
export function sdkCases(): {
  readonly sealing: { readonly name: string; readonly cases: BenchCase[] }[];
  readonly attestVerify: BenchCase[];
  close(): void;
} {
  const realm = new SimulatedRealm({ identity: 'islet-sdk-bench' });
  const sealer = new Sealer(realm);
  const key = randomBytes(32);
  const sealing = [4096, 1 << 20].flatMap((size) => {
    const data = randomBytes(size);
    const label = size === 4096 ? '4 KiB' : '1 MiB';
    // 1 MiB takes about a millisecond: small fixed batches, so that the raw and the SDK batches
    // alternate often and share the machine's phases (a 1 MiB buffer's cost swings with the
    // allocator's state by ±30 % from one batch to the next).
    const ops = size === 4096 ? {} : { opsPerBatch: 5 };
    const blob = sealer.seal(data);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const raw = Buffer.concat([cipher.update(data), cipher.final()]);
    const rawTag = cipher.getAuthTag();
    return [
      {
        name: `seal ${label}`,
        cases: [
          {
            name: `raw: AES-256-GCM encrypt ${label}, fresh IV (node:crypto)`,
            bytesPerOp: size,
            ...ops,
            run(n) {
              let acc = 0;
              for (let i = 0; i < n; i++) {
                const c = createCipheriv('aes-256-gcm', key, randomBytes(12));
                acc += c.update(data).length + c.final().length + c.getAuthTag()[0]!;
              }
              return acc;
            },
          },
          {
            name: `Sealer.seal ${label}`,
            bytesPerOp: size,
            ...ops,
            run(n) {
              let acc = 0;
              for (let i = 0; i < n; i++) acc += sealer.seal(data).length;
              return acc;
            },
          },
        ] satisfies BenchCase[],
      },
      {
        name: `unseal ${label}`,
        cases: [
          {
            name: `raw: AES-256-GCM decrypt ${label} (node:crypto)`,
            bytesPerOp: size,
            ...ops,
            run(n) {
              let acc = 0;
              for (let i = 0; i < n; i++) {
                const d = createDecipheriv('aes-256-gcm', key, iv);
                d.setAuthTag(rawTag);
                acc += d.update(raw).length + d.final().length;
              }
              return acc;
            },
          },
          {
            name: `Sealer.unseal ${label}`,
            bytesPerOp: size,
            ...ops,
            run(n) {
              let acc = 0;
              for (let i = 0; i < n; i++) acc += sealer.unseal(blob).length;
              return acc;
            },
          },
        ] satisfies BenchCase[],
      },
    ];
  });

  const userData = new TextEncoder().encode('islet-sdk-bench');
  const attestVerify: BenchCase[] = [
    rawP384SignCase(),
    {
      name: 'attest + verify, simulated backend',
      opsPerBatch: 20,
      run(n) {
        let acc = 0;
        for (let i = 0; i < n; i++) {
          const token = attest(realm, userData);
          acc += verify(token, { cpak: realm.cpak, challenge: userData }).list.length;
        }
        return acc;
      },
    },
  ];
  return { sealing, attestVerify, close: () => realm.close() };
}
