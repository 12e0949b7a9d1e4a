/**
 * RMI_DATA_CREATE with content measurement (flags = RMI_MEASURE_CONTENT) over a 64 MiB image,
 * against node:crypto SHA-256 over the same bytes, measured in the same run.
 *
 * **The realm** is built through the RMI ABI alone and left NEW (DATA_CREATE requires it): RD, two
 * concatenated level-1 root RTTs (IPA width 40), one level-2 RTT for IPA [0, 1 GiB) and 32 level-3
 * RTTs for IPA [0, 64 MiB); 16384 delegated data granules; the image staged in 16384 NS source
 * pages. All of that is setup, untimed.
 *
 * **One operation = one 64 MiB image**, in every bench of the group, so `hz` ratios are
 * throughput ratios:
 * - `raw: … one digest`: `createHash('sha256').update(image).digest()`, the primitive the issue
 *   names: what hashing these bytes costs at best.
 * - `raw: … per 4 KiB granule`: 16384 one-shot `hash('sha256', page)` digests, the hashing
 *   DATA_CREATE cannot avoid (one content digest per granule), through the cheapest node:crypto
 *   call, the one the RMM's node provider uses.
 * - `raw: floor per granule`: the work DATA_CREATE cannot avoid, with no RMM around it: copy 4 KiB
 *   of the image into a cold destination, hash it, put the digest in a 256-byte descriptor and
 *   hash that (the RIM chain). What the RMM adds is the gap between this and DATA_CREATE.
 * - `DATA_CREATE ×16384, staged source`: the headline. The host's copy of its image into NS
 *   memory is **not** counted: the pages are written before the batch, as by a loader that reads
 *   the image file straight into the pages it passes as `src`. What is timed is the RMM's work:
 *   16384 SMCs through the monitor with a reused register file, each checking the arguments,
 *   walking the RTTs, copying 4 KiB NS → Realm, hashing it, hashing the measurement descriptor
 *   and committing.
 * - `DATA_CREATE ×16384 + host copy into a 16-page ring`: a loader that **does** count its write:
 *   before every DATA_CREATE the host copies the next 4 KiB of its image into a source page
 *   (through the GPT-checked NS port).
 *
 * Between batches every granule is taken back with DATA_DESTROY (untimed); the entries become
 * unassigned DESTROYED, which DATA_CREATE accepts, and the realm stays NEW.
 * @module
 */
import { createHash, hash } from 'node:crypto';
import {
  encodeRealmParams,
  SMC_RMI_DATA_CREATE,
  SMC_RMI_DATA_DESTROY,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_REALM_CREATE,
  SMC_RMI_RTT_CREATE,
  World,
} from '@islet/abi';
import type { Platform } from '../platform.ts';
import { smallRealmParams } from '../small-realm.ts';
import type { BenchCase } from './harness.ts';

/** Bytes of the image. */
export const IMAGE_SIZE: number = 64 * 1024 * 1024;
const GRANULE = 4096;
const PAGES = IMAGE_SIZE / GRANULE;
const L3_SPAN = 2 * 1024 * 1024;
const RING = 16;
/** RMI_MEASURE_CONTENT. */
const MEASURE = 1n;

/** Where the benchmark's granules live in the host's DRAM (bank 0). */
const LAYOUT = {
  /** RD, root RTTs, params page, L2 and L3 RTTs. */
  control: 0x8100_0000,
  data: 0x9000_0000,
  src: 0xa000_0000,
  ring: 0xa800_0000,
} as const;

/** A deterministic pseudo-random image (xorshift32), so no page is all zeroes. */
function makeImage(): Uint8Array<ArrayBuffer> {
  const image = new Uint8Array(IMAGE_SIZE);
  const words = new Uint32Array(image.buffer);
  let x = 0x2545_f491;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return image;
}

/** The RMI failed during setup or a timed batch: the benchmark is void. */
function failed(name: string, x0: bigint): never {
  throw new Error(`${name} failed: X0 = 0x${x0.toString(16)}`);
}

/**
 * Builds the NEW realm, its RTTs to level 3 over 64 MiB, the delegated data granules and the
 * staged source pages, and returns the DATA_CREATE group.
 */
export function dataCreateCases(p: Platform): BenchCase[] {
  const smc = (name: string, fid: number, ...args: number[]): void => {
    const x0 = p.host.smc(BigInt(fid), ...args.map(BigInt))[0]!;
    if (x0 !== 0n) failed(name, x0);
  };
  let next = LAYOUT.control;
  const take = (): number => {
    const pa = next;
    next += GRANULE;
    return pa;
  };
  const rd = take();
  const root = [take(), take()];
  const params = take();
  for (const g of [rd, ...root]) smc('GRANULE_DELEGATE', SMC_RMI_GRANULE_DELEGATE, g);
  p.host.memory.write(BigInt(params), encodeRealmParams(smallRealmParams(BigInt(root[0]!))));
  smc('REALM_CREATE', SMC_RMI_REALM_CREATE, rd, params);
  const l2 = take();
  smc('GRANULE_DELEGATE', SMC_RMI_GRANULE_DELEGATE, l2);
  smc('RTT_CREATE', SMC_RMI_RTT_CREATE, rd, l2, 0, 2);
  for (let ipa = 0; ipa < IMAGE_SIZE; ipa += L3_SPAN) {
    const l3 = take();
    smc('GRANULE_DELEGATE', SMC_RMI_GRANULE_DELEGATE, l3);
    smc('RTT_CREATE', SMC_RMI_RTT_CREATE, rd, l3, ipa, 3);
  }
  for (let i = 0; i < PAGES; i++) {
    smc('GRANULE_DELEGATE', SMC_RMI_GRANULE_DELEGATE, LAYOUT.data + i * GRANULE);
  }
  const image = makeImage();
  p.host.memory.write(BigInt(LAYOUT.src), image);

  // The floor bench's destination, as cold as the data granules (64 MiB, written once here so it
  // is backed), and its descriptor.
  const floorDst = new Uint8Array(IMAGE_SIZE).fill(1);
  const descriptor = new Uint8Array(256);
  const dataX = Array.from({ length: PAGES }, (_, i) => BigInt(LAYOUT.data + i * GRANULE));
  const ipaX = Array.from({ length: PAGES }, (_, i) => BigInt(i * GRANULE));
  const srcX = Array.from({ length: PAGES }, (_, i) => BigInt(LAYOUT.src + i * GRANULE));
  const ringX = Array.from({ length: RING }, (_, i) => BigInt(LAYOUT.ring + i * GRANULE));
  const monitor = p.parts.monitor;
  const regs: bigint[] = [BigInt(rd), 0n, 0n, 0n, MEASURE, 0n, 0n];
  const destroyRegs: bigint[] = [BigInt(rd), 0n, 0n, 0n, 0n, 0n, 0n];

  /** DATA_DESTROY of every page: the granules go back to DELEGATED for the next batch. */
  let created = false;
  const reset = (): void => {
    if (!created) return;
    for (let i = 0; i < PAGES; i++) {
      destroyRegs[1] = ipaX[i]!;
      const x0 = monitor.smc(World.Normal, SMC_RMI_DATA_DESTROY, destroyRegs)[0]!;
      if (x0 !== 0n) failed('DATA_DESTROY', x0);
    }
    created = false;
  };
  /** The RIM after the image, read through `inspect` (which waits for any digest in flight). */
  const rimByte = (): number => p.inspect.realm(BigInt(rd))?.rim[0] ?? failed('inspect', 0n);
  const dataCreate = (i: number, src: bigint): void => {
    regs[1] = dataX[i]!;
    regs[2] = ipaX[i]!;
    regs[3] = src;
    const x0 = monitor.smc(World.Normal, SMC_RMI_DATA_CREATE, regs)[0]!;
    if (x0 !== 0n) failed('DATA_CREATE', x0);
  };

  return [
    {
      name: 'raw: node:crypto sha256 over 64 MiB, one digest',
      bytesPerOp: IMAGE_SIZE,
      opsPerBatch: 1,
      run(n) {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += createHash('sha256').update(image).digest()[0]!;
        return acc;
      },
    },
    {
      name: 'raw: node:crypto sha256 per 4 KiB granule, 16384 one-shot digests',
      bytesPerOp: IMAGE_SIZE,
      opsPerBatch: 1,
      run(n) {
        let acc = 0;
        for (let k = 0; k < n; k++) {
          for (let o = 0; o < IMAGE_SIZE; o += GRANULE) {
            acc += hash('sha256', image.subarray(o, o + GRANULE), 'binary').charCodeAt(0);
          }
        }
        return acc;
      },
    },
    {
      name: 'raw: floor per granule, 4 KiB copy + sha256(4 KiB) + sha256(256-byte descriptor)',
      bytesPerOp: IMAGE_SIZE,
      opsPerBatch: 1,
      run(n) {
        for (let k = 0; k < n; k++) {
          for (let i = 0; i < PAGES; i++) {
            const page = floorDst.subarray(i * GRANULE, (i + 1) * GRANULE);
            page.set(image.subarray(i * GRANULE, (i + 1) * GRANULE));
            const content = hash('sha256', page, 'binary');
            for (let b = 0; b < 32; b++) descriptor[0x60 + b] = content.charCodeAt(b);
            descriptor[0x50] = i;
            const rim = hash('sha256', descriptor, 'binary');
            for (let b = 0; b < 32; b++) descriptor[0x10 + b] = rim.charCodeAt(b);
          }
        }
        return descriptor[0x10]!;
      },
    },
    {
      name: 'DATA_CREATE ×16384 (RMI_MEASURE_CONTENT), staged source pages',
      bytesPerOp: IMAGE_SIZE,
      opsPerBatch: 1,
      reset,
      run(n) {
        // The batch is one image (opsPerBatch 1): the harness runs `reset` untimed before it, and
        // the in-loop reset only serves a caller that asks for more than one image at once.
        let acc = 0;
        for (let k = 0; k < n; k++) {
          if (k > 0) reset();
          for (let i = 0; i < PAGES; i++) dataCreate(i, srcX[i]!);
          created = true;
          acc += rimByte();
        }
        return acc;
      },
    },
    {
      name: 'DATA_CREATE ×16384 (RMI_MEASURE_CONTENT) + host copy into a 16-page source ring',
      bytesPerOp: IMAGE_SIZE,
      opsPerBatch: 1,
      reset,
      run(n) {
        let acc = 0;
        for (let k = 0; k < n; k++) {
          if (k > 0) reset();
          for (let i = 0; i < PAGES; i++) {
            const src = ringX[i % RING]!;
            p.host.memory.write(src, image.subarray(i * GRANULE, (i + 1) * GRANULE));
            dataCreate(i, src);
          }
          created = true;
          acc += rimByte();
        }
        return acc;
      },
    },
  ];
}
