/**
 * What the commands share when they read their options and files: usage errors, hex and text
 * byte options, input and output files. Every failure is a coded {@link IsletError}, which
 * `main` turns into one line.
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { fromHex, IsletError } from '@islet/arch';

/**
 * Parses a command's arguments strictly (node:util `parseArgs`, no positionals), turning what it
 * throws into a `USAGE` error.
 * @throws {@link IsletError} `USAGE`.
 */
export function parseCommand<const O extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: O,
): ReturnType<typeof parseArgs<{ args: string[]; strict: true; options: O }>>['values'] {
  try {
    return parseArgs({ args: [...argv], strict: true, options }).values;
  } catch (cause) {
    throw new IsletError('USAGE', cause instanceof Error ? cause.message : String(cause));
  }
}

/**
 * The value of a required option.
 * @throws {@link IsletError} `USAGE` when it is missing.
 */
export function required(value: string | undefined, flag: string, command: string): string {
  if (value === undefined) {
    throw new IsletError('USAGE', `islet ${command} needs ${flag}; see islet ${command} --help`);
  }
  return value;
}

/**
 * The bytes of a hex option (an optional `0x` prefix, either case).
 * @throws {@link IsletError} `HEX_INVALID` naming the option.
 */
export function hexOption(text: string, flag: string): Uint8Array {
  try {
    return fromHex(text.replace(/^0x/i, ''));
  } catch (cause) {
    throw new IsletError('HEX_INVALID', `${flag} is not hex`, {
      details: 'an even number of hex digits, optionally after 0x',
      cause,
    });
  }
}

/**
 * Bytes given either as text (`--<name>`, UTF-8) or as hex (`--<name>-hex`), never both.
 * @returns `undefined` when neither is given.
 * @throws {@link IsletError} `USAGE` for both, `HEX_INVALID` for bad hex.
 */
export function textOrHexOption(
  text: string | undefined,
  hex: string | undefined,
  name: string,
): Uint8Array | undefined {
  if (text !== undefined && hex !== undefined) {
    throw new IsletError('USAGE', `give --${name} or --${name}-hex, not both`);
  }
  if (hex !== undefined) return hexOption(hex, `--${name}-hex`);
  return text === undefined ? undefined : new TextEncoder().encode(text);
}

/**
 * Parses an integer option within `min..max`.
 * @throws {@link IsletError} `USAGE`.
 */
export function intOption(text: string, flag: string, min: number, max: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= min && n <= max)) {
    throw new IsletError('USAGE', `${flag} must be ${min}..${max}`, { details: text });
  }
  return n;
}

/**
 * Reads a whole file.
 * @throws {@link IsletError} `FILE_UNREADABLE` with the system's reason (`ENOENT`, …) as details.
 */
export function readInput(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (cause) {
    throw new IsletError('FILE_UNREADABLE', `cannot read the ${what} file ${path}`, {
      details: (cause as NodeJS.ErrnoException).code ?? 'unreadable',
      cause,
    });
  }
}

/**
 * Writes a whole file, replacing it.
 * @throws {@link IsletError} `FILE_UNWRITABLE` with the system's reason as details.
 */
export function writeOutput(path: string, bytes: Uint8Array, what: string): void {
  try {
    writeFileSync(path, bytes);
  } catch (cause) {
    throw new IsletError('FILE_UNWRITABLE', `cannot write the ${what} file ${path}`, {
      details: (cause as NodeJS.ErrnoException).code ?? 'unwritable',
      cause,
    });
  }
}
