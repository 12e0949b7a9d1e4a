/**
 * node:crypto vs @noble: SHA-256 of 4 KiB, P-384 ECDSA sign and verify. Run with
 * `pnpm -C packages/arch bench`. Bodies are one-line calls (STYLE.md §9) and every result is
 * consumed.
 * @module
 */
import { bench, describe } from 'vitest';
import { nobleCrypto } from './noble.ts';
import { nodeCrypto } from './node.ts';

const node = nodeCrypto();
const noble = nobleCrypto;
const data = node.randomBytes(4096);
const msg = node.randomBytes(256);
// One key pair, as two objects so that each provider keeps its own caches warm.
const nodeKey = node.ecGenerate('P-384');
const nobleKey = noble.ecFromPrivate('P-384', nodeKey.d);
const nodeSig = node.ecdsaSign('sha384', nodeKey, msg);

/** Where results go, so that no engine can drop a call. */
const sink = { value: 0 };
/** Consumes a result. */
const use = (r: Uint8Array | boolean): void => {
  sink.value ^= typeof r === 'boolean' ? Number(r) : (r[0] ?? 0);
};

describe('sha256 4 KiB', () => {
  bench('node', () => use(node.hash('sha256', data)));
  bench('noble', () => use(noble.hash('sha256', data)));
});

describe('P-384 ECDSA sign (sha384)', () => {
  bench('node', () => use(node.ecdsaSign('sha384', nodeKey, msg)));
  bench('noble', () => use(noble.ecdsaSign('sha384', nobleKey, msg)));
});

describe('P-384 ECDSA verify (sha384)', () => {
  bench('node', () => use(node.ecdsaVerify('sha384', nodeKey.publicKey, msg, nodeSig)));
  bench('noble', () => use(noble.ecdsaVerify('sha384', nobleKey.publicKey, msg, nodeSig)));
});
