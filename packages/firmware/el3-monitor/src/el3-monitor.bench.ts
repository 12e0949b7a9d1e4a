/**
 * RMI round trips through the monitor: host SMC from the Normal world → routing → a trivial RMM
 * answering RMI_VERSION → X0..X7 back. The GPT, memory and HES are minimal doubles: the RMI path
 * does not touch them.
 * @module
 */
import {
  type PhysMemory,
  type RmiArgs,
  type RmiResult,
  type Rmm,
  RmmBootError,
  RmmEl3Status,
  RsiAction,
  SMC_RMI_VERSION,
  World,
} from '@islet/abi';
import { defaultCrypto, type PhysAddr } from '@islet/arch';
import { bench, describe } from 'vitest';
import { El3Monitor, type MonitorGpt, type MonitorHes } from './index.ts';

const crypto = defaultCrypto();
const gpt: MonitorGpt = {
  gpccr: 1 << 16,
  delegate: () => RmmEl3Status.Ok,
  undelegate: () => RmmEl3Status.Ok,
};
const memory: PhysMemory = {
  read: () => 0,
  write: () => 0,
  zero: () => 0,
  copy: () => 0,
  granule: () => undefined,
};
const hes: MonitorHes = {
  extendMeasurement: () => 0,
  getDelegatedKey: () => ({ status: -132 }),
  getPlatformToken: () => ({ status: -132 }),
  getVhuk: () => ({ status: -132 }),
  cpakPublicKey: crypto.ecGenerate('P-384').publicKey,
};

/** A trivial RMM: RMI_VERSION only, into one reused result tuple. */
const result: [bigint, bigint, bigint, bigint, bigint] = [0n, 0n, 0n, 0n, 0n];
const rmm: Rmm = {
  coldBoot: () => RmmBootError.Success,
  warmBoot: () => RmmBootError.Success,
  handleRmi(fid: number, args: RmiArgs): RmiResult {
    if (fid === SMC_RMI_VERSION) {
      result[0] = args[0] === 0x1_0000n ? 0n : 1n;
      result[1] = 0x1_0000n;
      result[2] = 0x1_0000n;
      result[3] = 0n;
      result[4] = args[3];
    } else {
      result[0] = 0xffff_ffff_ffff_ffffn;
    }
    return result;
  },
  handleRsi: () => ({ action: RsiAction.ReturnToRealm, regs: undefined }),
};

const monitor = new El3Monitor({
  gpt,
  memory,
  hes,
  rmm,
  sharedBuffer: 0xfeff_f000 as PhysAddr,
  numCpus: 1,
  crypto,
});
monitor.boot();
const smc = monitor.conduit(World.Normal);
const argsArray: bigint[] = [0x1_0000n, 0n, 0n, 0n, 0n, 0n, 0n];
const argsFile = BigUint64Array.of(0x1_0000n, 0n, 0n, 0n, 0n, 0n, 0n);
const direct: RmiArgs = [0x1_0000n, 0n, 0n, 0n, 0n, 0n];
let sink = 0n;

describe('RMI round trip (RMI_VERSION)', () => {
  bench('monitor.smc(Normal, RMI_VERSION, bigint[])', () => {
    sink ^= monitor.smc(World.Normal, SMC_RMI_VERSION, argsArray)[0]!;
  });
  bench('monitor.smc(Normal, RMI_VERSION, BigUint64Array)', () => {
    sink ^= monitor.smc(World.Normal, SMC_RMI_VERSION, argsFile)[0]!;
  });
  bench('conduit(Normal)(RMI_VERSION, bigint[])', () => {
    sink ^= smc(SMC_RMI_VERSION, argsArray)[0]!;
  });
  bench('baseline: rmm.handleRmi direct', () => {
    sink ^= rmm.handleRmi(SMC_RMI_VERSION, direct)[0];
  });
  bench('consume', () => {
    if (sink === 42n) throw new Error('unreachable');
  });
});
