/**
 * Test helpers that check a structure codec against the layout table quoted from the digest:
 * every field is read from exactly its offset and width, and encoding writes exactly those bytes.
 * @module
 */
import { expect } from 'vitest';

/** How a field is represented in the decoded object. */
export type Kind = 'u8' | 'u16' | 'u32' | 'u64' | 'small' | 's64' | 'bytes' | 'u64s';

/** One row of a digest layout table: where the field is and which decoded key holds it. */
export interface Row {
  readonly offset: number;
  readonly field: string;
  readonly size: number;
  readonly key: string;
  readonly kind: Kind;
}

/** Distinct non-zero bytes for the field, so a wrong offset or width changes the value. */
export function sentinel(row: Row, seed: number): Uint8Array {
  const b = new Uint8Array(row.size);
  if (row.kind === 's64') {
    b.fill(0xff);
    b[0] = 0xfe; // -2
    return b;
  }
  for (let i = 0; i < row.size; i++) b[i] = ((seed * 31 + i * 7) % 255) + 1;
  if (row.kind === 'small') {
    b[6] = 0;
    b[7] = 0; // stays below 2^53
  }
  return b;
}

/** The value a correct decoder returns for `bytes` in the field. */
export function expected(row: Row, bytes: Uint8Array): unknown {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  switch (row.kind) {
    case 'u8':
      return v.getUint8(0);
    case 'u16':
      return v.getUint16(0, true);
    case 'u32':
      return v.getUint32(0, true);
    case 'u64':
      return v.getBigUint64(0, true);
    case 'small':
      return Number(v.getBigUint64(0, true));
    case 's64':
      return Number(v.getBigInt64(0, true));
    case 'bytes':
      return Uint8Array.from(bytes);
    case 'u64s':
      return Array.from({ length: row.size / 8 }, (_, i) => v.getBigUint64(8 * i, true));
  }
}

/**
 * For each row: a page filled with 0xEE except the field's sentinel decodes to the sentinel's
 * value in that key. Reading too wide, too narrow or at the wrong offset changes the value.
 */
export function checkDecodeOffsets(
  rows: readonly Row[],
  size: number,
  decode: (bytes: Uint8Array) => object,
): void {
  rows.forEach((row, i) => {
    const page = new Uint8Array(size).fill(0xee);
    const s = sentinel(row, i + 1);
    page.set(s, row.offset);
    const decoded = decode(page) as Record<string, unknown>;
    expect(decoded[row.key], `${row.field} @ 0x${row.offset.toString(16)}`).toEqual(
      expected(row, s),
    );
  });
}

/** A zeroed page with every field's sentinel at its offset. */
export function sentinelPage(rows: readonly Row[], size: number): Uint8Array {
  const page = new Uint8Array(size);
  rows.forEach((row, i) => {
    page.set(sentinel(row, i + 1), row.offset);
  });
  return page;
}

/**
 * Encoding the decoded sentinel page reproduces it byte for byte: every field lands at its
 * offset and width and nothing else is written.
 */
export function checkEncodeOffsets(
  rows: readonly Row[],
  size: number,
  decode: (bytes: Uint8Array) => object,
  encode: (value: never) => Uint8Array,
): void {
  const page = sentinelPage(rows, size);
  const bytes = encode(decode(page) as never);
  expect(bytes.length).toBe(size);
  for (const row of rows) {
    expect(
      Array.from(bytes.subarray(row.offset, row.offset + row.size)),
      `${row.field} @ 0x${row.offset.toString(16)}`,
    ).toEqual(Array.from(page.subarray(row.offset, row.offset + row.size)));
  }
  expect(Array.from(bytes)).toEqual(Array.from(page));
}

/** The layout constant agrees with the digest's rows. */
export function checkLayoutConstant(
  rows: readonly Row[],
  layout: Record<string, { readonly offset: number; readonly size: number }>,
): void {
  expect(Object.keys(layout).sort()).toEqual(rows.map((r) => r.field).sort());
  for (const row of rows) {
    expect(layout[row.field], row.field).toEqual({ offset: row.offset, size: row.size });
  }
}
