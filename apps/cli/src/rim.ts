/**
 * `islet rim`: the offline realm-measurement calculator of `@islet/fvp` on the command line.
 * @module
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { RPV_SIZE } from '@islet/abi';
import { fromHex, IsletError, toHex } from '@islet/arch';
import { computeRim } from '@islet/fvp';
import { hashAlgorithmName, type RealmLaunch } from '@islet/host';
import type { Io } from './cli.ts';

const RIM_USAGE = `Usage: islet rim <image> [options]

Prints the Realm Initial Measurement of <image> launched by @islet/host's launcher, computed offline.

Options:
  --memory <size>     protected RAM from IPA 0 (bytes; 0x.., or with K/M/G); default twice the
                      image rounded up to 2 MiB
  --ipa-bits <n>      IPA width, 32..48; default 40
  --hash <alg>        sha256 (default) or sha512
  --rpv <hex>         Realm Personalization Value, at most 64 bytes (zero-padded); not measured
  --vcpus <n>         RECs; REC 0 is runnable and measured; default 1
  --json              print the RIM and a summary of the plan as JSON
`;

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 };

/**
 * Parses a size: decimal or `0x` hex bytes, or a decimal with a K/M/G (KiB/MiB/GiB) suffix.
 * @throws {@link IsletError} `USAGE`.
 */
export function parseSize(text: string, what: string): number {
  const hex = /^0x([0-9a-f]+)$/i.exec(text);
  const dec = /^(\d+)\s*([kmg]?)(?:i?b)?$/i.exec(text);
  const value = hex
    ? Number.parseInt(hex[1]!, 16)
    : dec
      ? Number(dec[1]) * SIZE_UNITS[dec[2]!.toLowerCase()]!
      : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    throw new IsletError('USAGE', `${what} must be a size like 8388608, 0x800000 or 8M`, {
      details: text,
    });
  }
  return value;
}

function parseCount(text: string, what: string): number {
  if (!/^\d+$/.test(text))
    throw new IsletError('USAGE', `${what} must be a number`, { details: text });
  return Number(text);
}

/**
 * `islet rim <image> …` (the arguments after `rim`).
 * @returns the exit status.
 * @throws {@link IsletError} `USAGE` for bad arguments, `FILE_UNREADABLE`, `HOST_LAUNCH_INVALID`.
 */
export function runRim(argv: readonly string[], io: Io): number {
  let parsed: ReturnType<typeof parseRimArgs>;
  try {
    parsed = parseRimArgs(argv);
  } catch (cause) {
    throw new IsletError('USAGE', cause instanceof Error ? cause.message : String(cause));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(RIM_USAGE);
    return 0;
  }
  const [file, ...rest] = positionals;
  if (file === undefined || rest.length > 0) {
    throw new IsletError('USAGE', 'islet rim takes exactly one image file; see islet rim --help');
  }
  const hash = values.hash ?? 'sha256';
  if (hash !== 'sha256' && hash !== 'sha512') {
    throw new IsletError('USAGE', '--hash must be sha256 or sha512', { details: hash });
  }
  let rpv: Uint8Array | undefined;
  if (values.rpv !== undefined) {
    const bytes = fromHex(values.rpv.replace(/^0x/i, ''));
    if (bytes.length > RPV_SIZE) {
      throw new IsletError('USAGE', `--rpv is at most ${RPV_SIZE} bytes`, {
        details: `${bytes.length} bytes`,
      });
    }
    rpv = new Uint8Array(RPV_SIZE);
    rpv.set(bytes);
  }
  let image: Uint8Array;
  try {
    image = new Uint8Array(readFileSync(file));
  } catch (cause) {
    throw new IsletError('FILE_UNREADABLE', `cannot read the image file ${file}`, {
      details: (cause as NodeJS.ErrnoException).code ?? 'unreadable',
      cause,
    });
  }
  const launch: RealmLaunch = {
    image,
    hashAlgo: hash,
    ...(values.memory === undefined ? {} : { memorySize: parseSize(values.memory, '--memory') }),
    ...(values['ipa-bits'] === undefined
      ? {}
      : { ipaBits: parseCount(values['ipa-bits'], '--ipa-bits') }),
    ...(values.vcpus === undefined ? {} : { vcpus: parseCount(values.vcpus, '--vcpus') }),
    ...(rpv === undefined ? {} : { rpv }),
  };
  const { rim, plan } = computeRim(launch);
  if (!values.json) {
    io.stdout(toHex(rim));
    return 0;
  }
  const l = plan.launch;
  const count = (kind: string): number => plan.steps.filter((s) => s.kind === kind).length;
  io.stdout(
    JSON.stringify(
      {
        rim: toHex(rim),
        hashAlgo: hashAlgorithmName(plan.hashAlgo),
        image: { file, size: image.length, base: hex(l.imageBase), pages: plan.data.length },
        memorySize: hex(l.memorySize),
        realmParams: {
          flags: hex(plan.realm.flags),
          s2sz: plan.realm.s2sz,
          sveVl: plan.realm.sveVl,
          numBps: plan.realm.numBps,
          numWps: plan.realm.numWps,
          pmuNumCtrs: plan.realm.pmuNumCtrs,
          hashAlgo: plan.realm.hashAlgo,
          rpv: toHex(plan.realm.rpv),
        },
        rtt: {
          levelStart: plan.rtt.levelStart,
          numStart: plan.rtt.numStart,
          tables: Object.fromEntries(
            [0, 1, 2, 3]
              .map((level) => [
                `level${level}`,
                [...plan.rtt.tables, ...plan.rtt.dataTables].filter((t) => t.level === level)
                  .length,
              ])
              .filter(([, n]) => n !== 0),
          ),
        },
        measured: {
          ripas: count('ripas'),
          data: count('data'),
          recs: plan.recs.filter((r) => r.runnable).length,
        },
        recs: plan.recs.map((r) => ({
          index: r.index,
          runnable: r.runnable,
          pc: hex(r.params.pc),
          gprs: r.params.gprs.map(hex),
        })),
      },
      null,
      2,
    ),
  );
  return 0;
}

const hex = (v: number | bigint): string => `0x${v.toString(16)}`;

function parseRimArgs(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      memory: { type: 'string' },
      'ipa-bits': { type: 'string' },
      hash: { type: 'string' },
      rpv: { type: 'string' },
      vcpus: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
