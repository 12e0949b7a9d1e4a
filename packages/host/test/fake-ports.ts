/**
 * A recording fake of {@link HostPorts}: answers RMI_SUCCESS (or what a test says), stores calls
 * and writes, and keeps what is written (reads of anything else are zero).
 * @module
 */
import {
  type RmiCommandName,
  rmiCommandByFid,
  SMC_RMI_REC_AUX_COUNT,
  SMC_RMI_RTT_INIT_RIPAS,
} from '@islet/abi';
import type { HostPorts } from '../src/index.ts';

export interface Call {
  readonly name: RmiCommandName | 'UNKNOWN';
  readonly args: readonly bigint[];
}

export interface FakePorts extends HostPorts {
  readonly calls: Call[];
  readonly writes: { pa: bigint; bytes: Uint8Array }[];
  /** Answers a call with X0..X4 instead of the default. */
  answer?: (call: Call) => bigint[] | undefined;
}

/**
 * RTT_INIT_RIPAS advances to the next 2 MiB boundary per call (at most one level-3 table, or one
 * entry of a level-2 table): it may stop shorter than the RMM, which walks a whole table, and the
 * launcher loops until done either way.
 */
export function fakePorts(): FakePorts {
  const pages = new Map<bigint, Uint8Array>();
  const page = (pa: bigint): Uint8Array => {
    const base = pa - (pa % 0x1000n);
    const p = pages.get(base) ?? new Uint8Array(0x1000);
    pages.set(base, p);
    return p;
  };
  /** Applies `f` to each piece of `[pa, pa + length)` that lies in one page. */
  const pieces = (
    pa: bigint,
    length: number,
    f: (p: Uint8Array, at: number, done: number, n: number) => void,
  ) => {
    for (let done = 0; done < length; ) {
      const at = Number((pa + BigInt(done)) % 0x1000n);
      const n = Math.min(length - done, 0x1000 - at);
      f(page(pa + BigInt(done)), at, done, n);
      done += n;
    }
  };
  const fake: FakePorts = {
    calls: [],
    writes: [],
    dram: [{ base: 0x8000_0000n, size: 0x1000_0000n }],
    memory: {
      read: (pa, length) => {
        const out = new Uint8Array(length);
        pieces(pa, length, (p, at, done, n) => out.set(p.subarray(at, at + n), done));
        return out;
      },
      write: (pa, data) => {
        fake.writes.push({ pa, bytes: Uint8Array.from(data) });
        pieces(pa, data.length, (p, at, done, n) => p.set(data.subarray(done, done + n), at));
      },
    },
    smc(fid, ...args) {
      const name: Call['name'] = rmiCommandByFid(Number(fid))?.name ?? 'UNKNOWN';
      const call = { name, args };
      fake.calls.push(call);
      const answered = fake.answer?.(call);
      if (answered) return answered;
      switch (Number(fid)) {
        case SMC_RMI_REC_AUX_COUNT:
          return [0n, 16n, 0n, 0n, 0n];
        case SMC_RMI_RTT_INIT_RIPAS: {
          const [, base = 0n, top = 0n] = args;
          const end = (base / 0x20_0000n + 1n) * 0x20_0000n;
          return [0n, end < top ? end : top, 0n, 0n, 0n];
        }
        default:
          return [0n, 0n, 0n, 0n, 0n];
      }
    },
  };
  return fake;
}
