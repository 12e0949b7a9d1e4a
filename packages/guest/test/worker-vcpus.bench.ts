/**
 * One RSI round trip through `WorkerVcpus.resume`: the RMM completes an SMC (PC + 4) and the
 * realm, looping on RSI_FEATURES, traps on the next. Needs the package built.
 * @module
 */
import { afterAll, bench, describe } from 'vitest';
import { WorkerVcpus } from '../src/index.ts';
import { FakeRealm } from './fake-platform.ts';

const realm = new FakeRealm('for (;;) rsi.features(0);');
const vcpus = new WorkerVcpus({ memory: realm.memory });
const rec = realm.recs[0]!;
vcpus.resume(rec);

let traps = 0;

/** The RMM's side of RSI_FEATURES: X0 = success, X1 = 0, PC past the SMC; then the next trap. */
function roundTrip(): void {
  rec.gprs[0] = 0n;
  rec.gprs[1] = 0n;
  rec.pc += 4n;
  if (vcpus.resume(rec).kind === 'smc') traps++;
}

describe('WorkerVcpus', () => {
  afterAll(() => {
    vcpus.close();
    if (traps === 0) throw new Error('no round trip trapped');
  });
  bench('RSI round trip (resume → smc trap)', roundTrip);
});
