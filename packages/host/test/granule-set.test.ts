import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { GranuleSet } from '../src/granule-set.ts';

const granule = fc.oneof(
  fc.integer({ min: 0, max: 0x3_ffff }),
  fc.integer({ min: 2 ** 40 - 0x2_0000, max: 2 ** 40 }),
);
const op = fc.tuple(fc.constantFrom('add', 'delete', 'has'), granule);

describe('GranuleSet', () => {
  test.prop([fc.array(op, { maxLength: 400 })])('behaves as a Set of granule numbers', (ops) => {
    const set = new GranuleSet();
    const model = new Set<number>();
    for (const [name, g] of ops) {
      if (name === 'add') expect(set.add(g)).toBe(!model.has(g));
      if (name === 'delete') expect(set.delete(g)).toBe(model.has(g));
      if (name === 'add') model.add(g);
      if (name === 'delete') model.delete(g);
      expect(set.has(g)).toBe(model.has(g));
      expect(set.size).toBe(model.size);
    }
  });
  test.prop([
    fc.oneof(
      fc.double({ noNaN: false }).filter((x) => !Number.isSafeInteger(x) || x < 0),
      fc.integer({ min: -0x2_0000, max: -1 }),
    ),
  ])('a fraction, a negative or a huge number is never a member', (x) => {
    const set = new GranuleSet();
    for (const g of [0, 1, 2, 0xffff, 0x1_0000]) set.add(g);
    expect(set.has(x)).toBe(false);
    expect(set.delete(x)).toBe(false);
    expect(set.size).toBe(5);
  });
});
