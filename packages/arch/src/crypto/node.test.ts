/** Runs the CryptoProvider conformance suite against the node:crypto provider. @module */
import { describe, expect, test } from 'vitest';
import { describeCryptoProvider } from '../../test/provider.case.ts';
import { defaultCrypto } from './default.ts';
import { nobleCrypto } from './noble.ts';
import { hasNodeCrypto, nodeCrypto } from './node.ts';

describeCryptoProvider(nodeCrypto(), [nobleCrypto]);

describe('nodeCrypto', () => {
  test('is available under Node and memoized', () => {
    expect(hasNodeCrypto()).toBe(true);
    expect(nodeCrypto()).toBe(nodeCrypto());
    expect(nodeCrypto().name).toBe('node');
  });

  test('defaultCrypto picks node:crypto under Node, once', () => {
    expect(defaultCrypto()).toBe(nodeCrypto());
    expect(defaultCrypto()).toBe(defaultCrypto());
  });

  test('signatures of a generated key are over hash(message) and OpenSSL-compatible', () => {
    const c = nodeCrypto();
    const key = c.ecGenerate('P-384');
    const msg = new TextEncoder().encode('abc');
    const sig = c.ecdsaSign('sha256', key, msg);
    // nobleCrypto is independent: it verifies with the digest computed by @noble/hashes.
    expect(nobleCrypto.ecdsaVerify('sha256', key.publicKey, msg, sig)).toBe(true);
    expect(nobleCrypto.ecdsaVerify('sha384', key.publicKey, msg, sig)).toBe(false);
  });
});
