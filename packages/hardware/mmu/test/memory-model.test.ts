/**
 * Model-based property test of the world ports and the PhysMemory adapter: random accesses from
 * random worlds, interleaved with GPI changes, against a reference model (a byte array plus a GPI
 * per granule). After every step either the access was permitted and memory equals the model, or
 * it faulted (GPF first, then external abort, as the hardware orders them) and memory is
 * unchanged. The window straddles the end of DRAM bank 0, so accesses also run into the hole.
 * @module
 */
import { fc, test } from '@fast-check/vitest';
import { Gpi, gpiPermits, MemoryAccess, World } from '@islet/abi';
import { equalBytes, type PhysAddr } from '@islet/arch';
import { expect } from 'vitest';
import { ARM_DRAM1_BASE, ARM_DRAM1_SIZE, Dram } from '../src/dram.ts';
import { ExternalAbortError, GranuleProtectionFault } from '../src/errors.ts';
import { PhysicalMemory } from '../src/physical-memory.ts';
import { GpiTable } from './gpi-table.ts';

const G = 4096;
const GRANULES = 16;
/** Granules 0..11 of the window are the top of bank 0; 12..15 are the hole after it. */
const IN_DRAM = 12;
const BASE = ARM_DRAM1_BASE + ARM_DRAM1_SIZE - IN_DRAM * G;
const SIZE = GRANULES * G;
const GPIS = [Gpi.NoAccess, Gpi.Secure, Gpi.NonSecure, Gpi.Root, Gpi.Realm, Gpi.Any] as const;

const gpt = new GpiTable();
const pa = (off: number): PhysAddr => (BASE + off) as PhysAddr;

type Outcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'gpf'; readonly address: number; readonly world: World; readonly gpi: number }
  | { readonly kind: 'abort' };

const OK: Outcome = { kind: 'ok' };

function gpcOutcome(gpis: Uint8Array, world: World, off: number, len: number): Outcome {
  if (len === 0) return OK;
  const first = Math.floor(off / G);
  for (let g = first; g <= Math.floor((off + len - 1) / G); g++) {
    if (!gpiPermits(gpis[g]!, world)) {
      return { kind: 'gpf', address: BASE + (g === first ? off : g * G), world, gpi: gpis[g]! };
    }
  }
  return OK;
}

function dramOutcome(off: number, len: number): Outcome {
  return len > 0 && off + len > IN_DRAM * G ? { kind: 'abort' } : OK;
}

function outcome(gpis: Uint8Array, world: World, off: number, len: number): Outcome {
  const gpc = gpcOutcome(gpis, world, off, len);
  return gpc.kind !== 'ok' ? gpc : dramOutcome(off, len);
}

function copyOutcome(
  gpis: Uint8Array,
  sw: World,
  src: number,
  dw: World,
  dst: number,
  len: number,
): Outcome {
  for (const o of [
    gpcOutcome(gpis, sw, src, len),
    gpcOutcome(gpis, dw, dst, len),
    dramOutcome(src, len),
    dramOutcome(dst, len),
  ]) {
    if (o.kind !== 'ok') return o;
  }
  return OK;
}

/** Runs `fn` and describes what happened, in the model's terms. */
function observe(fn: () => void): Outcome {
  try {
    fn();
    return OK;
  } catch (e) {
    if (e instanceof GranuleProtectionFault)
      return { kind: 'gpf', address: e.address, world: e.world, gpi: e.gpi };
    if (e instanceof ExternalAbortError) return { kind: 'abort' };
    throw e;
  }
}

function fromStatus(status: MemoryAccess): string {
  return status === MemoryAccess.Ok
    ? 'ok'
    : status === MemoryAccess.GranuleProtectionFault
      ? 'gpf'
      : 'abort';
}

const arbWorld = fc.constantFrom(World.Secure, World.Normal, World.Root, World.Realm);
const arbRange = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0, max: SIZE - 1 }), fc.integer({ min: 0, max: 3 * G }))
    .map(([off, len]) => ({ off, len: Math.min(len, SIZE - off) })),
  // Whole aligned granules: the ports' fast path.
  fc.integer({ min: 0, max: GRANULES - 1 }).map((g) => ({ off: g * G, len: G })),
);
const arbOffset = fc.oneof(
  fc.integer({ min: 0, max: SIZE - 1 }),
  fc.integer({ min: 0, max: GRANULES - 1 }).map((g) => g * G),
);
const arbApi = fc.constantFrom('port', 'adapter');

const arbOp = fc.oneof(
  fc.record({
    op: fc.constant('write' as const),
    world: arbWorld,
    range: arbRange,
    seed: fc.integer({ min: 1, max: 255 }),
    api: arbApi,
  }),
  fc.record({ op: fc.constant('read' as const), world: arbWorld, range: arbRange, api: arbApi }),
  fc.record({ op: fc.constant('zero' as const), world: arbWorld, range: arbRange }),
  fc.record({
    op: fc.constant('copy' as const),
    srcWorld: arbWorld,
    dstWorld: arbWorld,
    range: arbRange,
    dst: arbOffset,
    api: arbApi,
  }),
  fc.record({
    op: fc.constant('granule' as const),
    world: arbWorld,
    g: fc.integer({ min: 0, max: GRANULES - 1 }),
    api: arbApi,
  }),
  fc.record({
    op: fc.constant('gpi' as const),
    g: fc.integer({ min: 0, max: GRANULES - 1 }),
    gpi: fc.constantFrom(...GPIS),
  }),
);

test.prop([
  fc.array(fc.constantFrom(...GPIS), { minLength: GRANULES, maxLength: GRANULES }),
  fc.array(arbOp, { maxLength: 40 }),
])('every access either matches the model or faults and changes nothing', (initialGpis, ops) => {
  const gpis = Uint8Array.from(initialGpis);
  gpt.gpis.set(gpis, BASE / G);
  const dram = new Dram();
  const mem = new PhysicalMemory(dram, gpt);
  const model = new Uint8Array(SIZE);
  // Start from non-zero contents so zeroing and copying are visible.
  const init = Uint8Array.from({ length: IN_DRAM * G }, (_, k) => (k * 31 + 7) & 0xff);
  dram.write(pa(0), init);
  model.set(init);

  for (const step of ops) {
    let expected: Outcome;
    let got: Outcome | string;
    switch (step.op) {
      case 'write': {
        const { off, len } = step.range;
        const data = Uint8Array.from({ length: len }, (_, k) => (k + step.seed) & 0xff);
        expected = outcome(gpis, step.world, off, len);
        if (step.api === 'port') got = observe(() => mem.port(step.world).write(pa(off), data));
        else got = fromStatus(mem.physMemory.write(step.world, pa(off), data));
        if (expected.kind === 'ok') model.set(data, off);
        break;
      }
      case 'read': {
        const { off, len } = step.range;
        expected = outcome(gpis, step.world, off, len);
        const dst = new Uint8Array(len).fill(0xa5);
        if (step.api === 'port') {
          let bytes: Uint8Array | undefined;
          got = observe(() => {
            bytes = mem.port(step.world).read(pa(off), len);
          });
          if (expected.kind === 'ok')
            expect(equalBytes(bytes!, model.subarray(off, off + len))).toBe(true);
        } else {
          got = fromStatus(mem.physMemory.read(step.world, pa(off), dst));
          const want =
            expected.kind === 'ok'
              ? model.subarray(off, off + len)
              : new Uint8Array(len).fill(0xa5);
          expect(equalBytes(dst, want)).toBe(true);
        }
        break;
      }
      case 'zero': {
        const { off, len } = step.range;
        expected = outcome(gpis, step.world, off, len);
        got = observe(() => mem.port(step.world).zero(pa(off), len));
        if (expected.kind === 'ok') model.fill(0, off, off + len);
        break;
      }
      case 'copy': {
        const { off, len: l } = step.range;
        const len = Math.min(l, SIZE - step.dst);
        expected = copyOutcome(gpis, step.srcWorld, off, step.dstWorld, step.dst, len);
        if (step.api === 'port') {
          got = observe(() => mem.copy(step.srcWorld, pa(off), step.dstWorld, pa(step.dst), len));
        } else {
          got = fromStatus(
            mem.physMemory.copy(step.srcWorld, pa(off), step.dstWorld, pa(step.dst), len),
          );
        }
        if (expected.kind === 'ok') model.copyWithin(step.dst, off, off + len);
        break;
      }
      case 'granule': {
        expected = outcome(gpis, step.world, step.g * G, G);
        let view: Uint8Array | undefined;
        if (step.api === 'port') {
          got = observe(() => {
            view = mem.port(step.world).granule(pa(step.g * G));
          });
        } else {
          view = mem.physMemory.granule(step.world, pa(step.g * G));
          // The adapter answers undefined for both faults.
          got = view === undefined ? expected.kind : 'ok';
        }
        if (expected.kind === 'ok') {
          expect(equalBytes(view!, model.subarray(step.g * G, step.g * G + G))).toBe(true);
          view![17] = 0xc3;
          model[step.g * G + 17] = 0xc3;
        }
        break;
      }
      case 'gpi': {
        gpis[step.g] = step.gpi;
        gpt.gpis[BASE / G + step.g] = step.gpi;
        expected = OK;
        got = OK;
        break;
      }
    }
    if (typeof got === 'string') expect(got).toBe(expected.kind);
    else expect(got).toEqual(expected);
    expect(equalBytes(dram.read(pa(0), IN_DRAM * G), model.subarray(0, IN_DRAM * G))).toBe(true);
  }
});
