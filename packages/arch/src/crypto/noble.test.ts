/** Runs the CryptoProvider conformance suite against the @noble provider. @module */
import { describe, expect, test } from 'vitest';
import { describeCryptoProvider } from '../../test/provider.case.ts';
import { fromHex, toHex } from '../bytes.ts';
import { nobleCrypto } from './noble.ts';
import { nodeCrypto } from './node.ts';

describeCryptoProvider(nobleCrypto, [nodeCrypto()]);

describe('nobleCrypto', () => {
  test('signs deterministically: the RFC 6979 §A.2.5 P-256/SHA-256 signature of "sample"', () => {
    const key = nobleCrypto.ecFromPrivate(
      'P-256',
      fromHex('c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721'),
    );
    const sig = nobleCrypto.ecdsaSign('sha256', key, new TextEncoder().encode('sample'));
    // High S, kept as is (lowS: false), as OpenSSL would.
    expect(toHex(sig)).toBe(
      'efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716' +
        'f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8',
    );
  });

  test('is frozen', () => {
    expect(Object.isFrozen(nobleCrypto)).toBe(true);
  });
});
