/** A recording fake of {@link HostPorts}: answers RMI_SUCCESS (or what a test says) and stores calls. @module */
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

/** RTT_INIT_RIPAS advances at most one level-3 table (2 MiB) per call, like the RMM. */
export function fakePorts(): FakePorts {
  const fake: FakePorts = {
    calls: [],
    writes: [],
    dram: [{ base: 0x8000_0000n, size: 0x1000_0000n }],
    memory: {
      read: (_pa, length) => new Uint8Array(length),
      write: (pa, bytes) => {
        fake.writes.push({ pa, bytes: Uint8Array.from(bytes) });
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
