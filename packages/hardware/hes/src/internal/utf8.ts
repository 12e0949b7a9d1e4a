/**
 * UTF-8 encoding without `TextEncoder`: the package compiles against ES2022 alone, where no
 * encoder is declared. Lone surrogates become U+FFFD, as `TextEncoder` does.
 * @module
 */
import type { Bytes } from '@islet/arch';

/** The UTF-8 bytes of `text`. */
export function utf8(text: string): Bytes {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        c = 0xfffd;
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      c = 0xfffd;
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else {
      out.push(
        0xf0 | (c >> 18),
        0x80 | ((c >> 12) & 0x3f),
        0x80 | ((c >> 6) & 0x3f),
        0x80 | (c & 0x3f),
      );
    }
  }
  return Uint8Array.from(out);
}

/** The bytes of an ASCII label (`BL1_CPAK_SEED_DERIVATION`), one byte per character. */
export function ascii(label: string): Bytes {
  const out = new Uint8Array(label.length);
  for (let i = 0; i < label.length; i++) out[i] = label.charCodeAt(i) & 0x7f;
  return out;
}
