import { nodeCrypto, toHex } from '@islet/arch';
import { describe, expect, test } from 'vitest';
import {
  deriveSealingKey,
  SealingKeyFlag as F,
  REALM_ID_SIZE,
  SEALING_KEY_INFO_SIZE,
  SEALING_KEY_SALT,
  type SealingKeyInput,
  sealingKeyInfo,
} from './sealing-key.ts';

const crypto = nodeCrypto();
const fill = (n: number, v: number) => new Uint8Array(n).fill(v);

const metadata = { publicKey: fill(96, 0x11), realmId: 'com.example.realm', svn: 5 };
const input: SealingKeyInput = {
  vhukA: fill(32, 0xaa),
  vhukM: fill(32, 0x33),
  flags: F.UseVhukM | F.Rim | F.RealmId | F.Svn,
  svn: 3,
  rpv: fill(64, 0x22),
  rim: fill(32, 0x44),
  metadata,
};
const key = (i: SealingKeyInput): string => toHex(deriveSealingKey(i, crypto));

describe('sealingKeyInfo', () => {
  test('packs public_key, realm_id, rpv, flags, rim, hash_algo, svn (369 bytes)', () => {
    const info = sealingKeyInfo(input);
    expect(info).toHaveLength(SEALING_KEY_INFO_SIZE);
    expect(info.subarray(0, 96)).toEqual(fill(96, 0x11));
    const id = new Uint8Array(REALM_ID_SIZE);
    id.set(Uint8Array.from('com.example.realm', (c) => c.charCodeAt(0)));
    expect(info.subarray(96, 224)).toEqual(id);
    expect(info.subarray(224, 288)).toEqual(fill(64, 0x22));
    expect(toHex(info.subarray(288, 296))).toBe('0f00000000000000');
    expect(info.subarray(296, 328)).toEqual(fill(32, 0x44));
    expect(info.subarray(328, 361)).toEqual(new Uint8Array(33)); // RIM padding, hash_algo
    expect(toHex(info.subarray(361, 369))).toBe('0300000000000000');
  });

  test('without metadata the RIM is always used and nothing else from metadata', () => {
    const { metadata: _, ...bare } = input;
    const info = sealingKeyInfo({ ...bare, flags: 0 });
    expect(info.subarray(0, 224)).toEqual(new Uint8Array(224));
    expect(info.subarray(296, 328)).toEqual(fill(32, 0x44));
    expect(info.subarray(361)).toEqual(new Uint8Array(8));
  });

  test('a realm ID given as the 128-byte field is the same as the string', () => {
    const field = new Uint8Array(REALM_ID_SIZE);
    field.set(Uint8Array.from('com.example.realm', (c) => c.charCodeAt(0)));
    expect(sealingKeyInfo({ ...input, metadata: { ...metadata, realmId: field } })).toEqual(
      sealingKeyInfo(input),
    );
  });
});

describe('deriveSealingKey', () => {
  test('is HKDF-SHA256(salt, VHUK, info) and deterministic', () => {
    expect(key(input)).toBe(
      toHex(crypto.hkdf('sha256', input.vhukM, SEALING_KEY_SALT, sealingKeyInfo(input), 32)),
    );
    expect(key(input)).toBe(key({ ...input }));
  });

  // A realm without metadata: VHUK_A = 00..1f, VHUK_M = 20..3f, RPV = a5 x 64, RIM = 40..5f.
  // Computed with Python's hmac/hashlib (RFC 5869) over the packed info; @islet/rmm's
  // RSI_ISLET_REALM_SEALING_KEY test checks the same four keys.
  test.each([
    [0x0, '6baec06e66f61d09fc485243a8c9ccaa4b95ea359c8f0c9078c0bbb495e4539d'],
    [0x1, 'a2a58fa96382ed295ccd7b50e725ac8de5439aea1545c140fbe9702bb51a8bb3'],
    [0x2, 'd905ea62c0718437d9483dd0a9185a0fab24448155890341e4d45ee6fee19149'],
    [0x3, '624efc9dcdd61404c5bff7e9e480bc04f8afea3fa05859d96f0452d668f16369'],
  ])('vector: a realm without metadata, flags %i', (flags, want) => {
    const realm: SealingKeyInput = {
      vhukA: Uint8Array.from({ length: 32 }, (_, i) => i),
      vhukM: Uint8Array.from({ length: 32 }, (_, i) => 0x20 + i),
      flags,
      svn: 0,
      rpv: fill(64, 0xa5),
      rim: Uint8Array.from({ length: 32 }, (_, i) => 0x40 + i),
    };
    expect(key(realm)).toBe(want);
  });

  test('the KEY bit chooses VHUK_M or VHUK_A', () => {
    const a = { ...input, flags: F.Rim };
    expect(key(a)).toBe(
      toHex(crypto.hkdf('sha256', input.vhukA, SEALING_KEY_SALT, sealingKeyInfo(a), 32)),
    );
    expect(key({ ...a, vhukM: fill(32, 0) })).toBe(key(a));
    expect(key({ ...a, vhukA: fill(32, 0) })).not.toBe(key(a));
  });

  test.each<[string, number, Partial<SealingKeyInput>]>([
    ['RIM', F.Rim, { rim: fill(32, 0x45) }],
    ['REALM_ID', F.RealmId, { metadata: { ...metadata, realmId: 'other' } }],
    ['SVN', F.Svn, { svn: 4 }],
  ])('each selected input changes the key, unselected it does not: %s', (_, bit, change) => {
    const selected = { ...input, flags: F.UseVhukM | bit };
    const unselected = { ...input, flags: F.UseVhukM };
    expect(key({ ...selected, ...change })).not.toBe(key(selected));
    expect(key({ ...unselected, ...change })).toBe(key(unselected));
  });

  test('the RPV, the flags and the metadata public key always count', () => {
    expect(key({ ...input, rpv: fill(64, 0) })).not.toBe(key(input));
    expect(key({ ...input, flags: (input.flags as number) | 0x100 })).not.toBe(key(input));
    expect(key({ ...input, metadata: { ...metadata, publicKey: fill(96, 0) } })).not.toBe(
      key(input),
    );
  });

  test('a 64-bit flag word is accepted as a bigint', () => {
    const big = { ...input, flags: (1n << 63n) | BigInt(input.flags) };
    expect(toHex(sealingKeyInfo(big).subarray(288, 296))).toBe('0f00000000000080');
    expect(key(big)).not.toBe(key(input));
  });

  test('an SVN above the metadata SVN is refused', () => {
    expect(() => key({ ...input, svn: 6 })).toThrow(
      expect.objectContaining({ code: 'HES_SEALING_SVN_INVALID' }),
    );
    expect(key({ ...input, svn: 5 })).toMatch(/^[0-9a-f]{64}$/);
    // Without the SVN bit the requested SVN is not checked (nor used).
    expect(key({ ...input, flags: F.Rim, svn: 6 })).toBe(key({ ...input, flags: F.Rim, svn: 0 }));
  });

  test.each<[string, Partial<SealingKeyInput>]>([
    ['a 31-byte VHUK_A', { vhukA: fill(31, 0) }],
    ['a 33-byte VHUK_M', { vhukM: fill(33, 0) }],
    ['a 63-byte RPV', { rpv: fill(63, 0) }],
    ['a 31-byte RIM', { rim: fill(31, 0) }],
    ['a 65-byte RIM', { rim: fill(65, 0) }],
    ['negative flags', { flags: -1 }],
    ['fractional flags', { flags: 1.5 }],
    ['2^64 flags', { flags: 1n << 64n }],
    ['a string SVN', { svn: '1' as unknown as number }],
    ['a 95-byte public key', { metadata: { ...metadata, publicKey: fill(95, 0) } }],
    ['a non-ASCII realm ID', { metadata: { ...metadata, realmId: 'réalm' } }],
    ['a 128-character realm ID', { metadata: { ...metadata, realmId: 'x'.repeat(128) } }],
    ['a 127-byte realm ID field', { metadata: { ...metadata, realmId: fill(127, 0x41) } }],
  ])('refuses %s', (_, bad) => {
    expect(() => key({ ...input, ...bad })).toThrow(
      expect.objectContaining({ code: 'HES_ARGUMENT_INVALID' }),
    );
  });
});
