/**
 * The `tsm` backend: attestation tokens of a real Arm CCA Linux guest through the kernel's
 * configfs-tsm report interface (`Documentation/ABI/testing/configfs-tsm`, provider
 * `arm_cca_guest`, `drivers/virt/coco/arm-cca-guest`).
 *
 * One token is one report entry, used once and removed:
 *
 * ```text
 * mkdir  <root>/<fresh name>            configfs creates the attribute files
 * read   <entry>/provider               must be "arm_cca_guest"
 * read   <entry>/generation             g0
 * write  <entry>/inblob                 the 64-byte challenge (bumps generation)
 * read   <entry>/outblob                the CCA token for the current inblob
 * read   <entry>/generation             must be g0 + 1, else another writer raced us: retry
 * rmdir  <entry>                        always, also when a step failed
 * ```
 *
 * **Gotchas**
 * - configfs-tsm gives tokens only: there is no sealing key and no measurement access, so
 *   {@link RsiBackend.sealingKey}, `measurementRead` and `measurementExtend` throw
 *   {@link SdkError} `SDK_NOT_SUPPORTED`.
 * - configfs cannot be faked by a plain directory (`mkdir` there creates no files, a write does not
 *   produce an outblob). Tests and tools inject a {@link TsmFs} that behaves like configfs.
 * - Reading and writing `/sys/kernel/config/tsm/report` usually needs root.
 * @module
 */

import { randomUUID } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { SdkError } from './errors.ts';
import { CHALLENGE_SIZE, type RsiBackend } from './rsi-dispatcher.ts';

/**
 * Where Linux mounts the configfs-tsm report directory.
 * @since 0.8.0
 */
export const TSM_REPORT_ROOT = '/sys/kernel/config/tsm/report';

/**
 * The `provider` of an Arm CCA realm's reports.
 * @since 0.8.0
 */
export const TSM_PROVIDER_ARM_CCA = 'arm_cca_guest';

/** How many report entries {@link tsmBackend} tries before a generation race is an error. */
const DEFAULT_ATTEMPTS = 3;

/**
 * The subset of `node:fs` the `tsm` backend uses; `node:fs` itself by default. Each call throws,
 * as `node:fs` does, an `Error` with an errno `code` (`ENOENT`, `EIO`, ...) when it fails.
 * @since 0.8.0
 */
export interface TsmFs {
  /** `mkdir(2)` of one directory (not recursive). */
  mkdirSync(path: string): unknown;
  /** `write(2)` of a whole file. */
  writeFileSync(path: string, data: Uint8Array): void;
  /** `read(2)` of a whole file. */
  readFileSync(path: string): Uint8Array;
  /** `rmdir(2)`. */
  rmdirSync(path: string): void;
  /** Whether `path` exists. */
  existsSync(path: string): boolean;
}

/**
 * Options of {@link tsmBackend}.
 * @since 0.8.0
 */
export interface TsmBackendOptions {
  /** The configfs-tsm report directory; {@link TSM_REPORT_ROOT} by default. */
  readonly root?: string;
  /** The file system; `node:fs` by default. Inject a configfs look-alike to test. */
  readonly fs?: TsmFs;
  /**
   * How many report entries to try when another writer changes the generation under us
   * (default 3, at least 1).
   */
  readonly attempts?: number;
}

/**
 * An {@link RsiBackend} named `tsm` that gets CCA attestation tokens from a real Arm CCA Linux
 * guest through configfs-tsm. Every call is synchronous; each token uses a fresh report entry
 * that is removed afterwards, also when the call fails.
 *
 * @param options - the report root, the file system and the retry budget.
 * @returns the backend; only `attestationToken` works.
 * @throws {@link SdkError} `SDK_ARGUMENT_INVALID` for an `attempts` below 1 (the other failures
 *   come from the backend's methods: see {@link RsiBackend}).
 * @example
 * ```ts
 * const backend = tsmBackend();
 * const token = backend.attestationToken(challenge); // 64 bytes in, a tag-399 CCA token out
 * ```
 * @see Linux `Documentation/ABI/testing/configfs-tsm`, `drivers/virt/coco/arm-cca-guest`
 * @since 0.8.0
 */
export function tsmBackend(options: TsmBackendOptions = {}): RsiBackend {
  const root = options.root ?? TSM_REPORT_ROOT;
  const fs: TsmFs = options.fs ?? nodeFs;
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  if (!Number.isSafeInteger(attempts) || attempts < 1) {
    throw new SdkError('SDK_ARGUMENT_INVALID', `attempts must be an integer >= 1, not ${attempts}`);
  }
  return {
    name: 'tsm',
    attestationToken(challenge: Uint8Array): Uint8Array {
      if (!(challenge instanceof Uint8Array) || challenge.length !== CHALLENGE_SIZE) {
        const got = challenge instanceof Uint8Array ? `${challenge.length} bytes` : 'no bytes';
        throw new SdkError(
          'SDK_ARGUMENT_INVALID',
          `the attestation challenge must be ${CHALLENGE_SIZE} bytes, not ${got}`,
        );
      }
      const inblob = Uint8Array.from(challenge);
      if (!fs.existsSync(root)) throw notAvailable(root);
      let last: { before: number; after: number } | undefined;
      for (let attempt = 0; attempt < attempts; attempt++) {
        const result = reportOnce(fs, root, inblob);
        if ('token' in result) return result.token;
        last = result;
      }
      throw new SdkError(
        'SDK_BACKEND_FAILED',
        `configfs-tsm: another writer changed the report generation in each of ${attempts} attempts`,
        {
          details: `last attempt: generation ${last?.before} before writing inblob, ${last?.after} after reading outblob (expected ${(last?.before ?? 0) + 1})`,
        },
      );
    },
    sealingKey(): Uint8Array {
      throw notSupported('a sealing key');
    },
    measurementRead(): Uint8Array {
      throw notSupported('measurement reads');
    },
    measurementExtend(): void {
      throw notSupported('measurement extension');
    },
  };
}

/**
 * One report entry, start to end: the token, or the generations that show a race.
 * @throws {@link SdkError} `SDK_BACKEND_FAILED` for a file system error or a wrong provider.
 */
function reportOnce(
  fs: TsmFs,
  root: string,
  inblob: Uint8Array,
): { token: Uint8Array<ArrayBuffer> } | { before: number; after: number } {
  const dir = `${root}/${entryName()}`;
  call(fs, 'create', dir, () => fs.mkdirSync(dir), root);
  let result: { token: Uint8Array<ArrayBuffer> } | { before: number; after: number };
  try {
    result = useEntry(fs, dir, inblob);
  } catch (err) {
    // The first failure is the one to report; an entry that then cannot be removed is secondary.
    try {
      fs.rmdirSync(dir);
    } catch {
      // Ignored: `err` says what went wrong.
    }
    throw err;
  }
  call(fs, 'remove', dir, () => fs.rmdirSync(dir));
  return result;
}

/** The steps between mkdir and rmdir of one report entry. */
function useEntry(
  fs: TsmFs,
  dir: string,
  inblob: Uint8Array,
): { token: Uint8Array<ArrayBuffer> } | { before: number; after: number } {
  const provider = readText(fs, `${dir}/provider`);
  if (provider !== TSM_PROVIDER_ARM_CCA) {
    throw new SdkError(
      'SDK_BACKEND_FAILED',
      `configfs-tsm: the report provider is "${provider}", not "${TSM_PROVIDER_ARM_CCA}" (not an Arm CCA realm)`,
    );
  }
  const before = readGeneration(fs, `${dir}/generation`);
  const inblobPath = `${dir}/inblob`;
  call(fs, 'write', inblobPath, () => fs.writeFileSync(inblobPath, inblob));
  const outblobPath = `${dir}/outblob`;
  const outblob = call(fs, 'read', outblobPath, () => fs.readFileSync(outblobPath));
  const after = readGeneration(fs, `${dir}/generation`);
  if (after !== before + 1) return { before, after };
  if (outblob.length === 0) {
    throw new SdkError('SDK_BACKEND_FAILED', `configfs-tsm: ${outblobPath} is empty`);
  }
  // A copy, and never a Buffer: node:fs hands out Buffers.
  return { token: Uint8Array.from(outblob) };
}

/** A report entry name no other caller uses: the pid and a random UUID. */
function entryName(): string {
  return `islet-sdk-${process.pid}-${randomUUID()}`;
}

const decoder = new TextDecoder();

/** A text attribute without its trailing newline. */
function readText(fs: TsmFs, path: string): string {
  return decoder.decode(call(fs, 'read', path, () => fs.readFileSync(path))).trim();
}

function readGeneration(fs: TsmFs, path: string): number {
  const text = readText(fs, path);
  const value = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new SdkError(
      'SDK_BACKEND_FAILED',
      `configfs-tsm: ${path} is not a generation number: ${JSON.stringify(text.slice(0, 32))}`,
    );
  }
  return value;
}

/**
 * Runs one file system call and turns its error into a one-line {@link SdkError}.
 * @param root - for `create`: the report root, whose absence means no configfs-tsm.
 */
function call<T>(fs: TsmFs, verb: string, path: string, fn: () => T, root?: string): T {
  try {
    return fn();
  } catch (err) {
    const code = errnoCode(err);
    if (root !== undefined && code === 'ENOENT' && !fs.existsSync(root)) throw notAvailable(root);
    const hint = code === 'ENXIO' ? ' (no TSM provider registered)' : '';
    throw new SdkError(
      'SDK_BACKEND_FAILED',
      `configfs-tsm: cannot ${verb} ${path}: ${code ?? String(err)}${hint}`,
      { cause: err },
    );
  }
}

function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

function notAvailable(root: string): SdkError {
  return new SdkError(
    'SDK_BACKEND_FAILED',
    `configfs-tsm is not available: ${root} does not exist (not an Arm CCA guest, or configfs not mounted)`,
  );
}

function notSupported(what: string): SdkError {
  return new SdkError(
    'SDK_NOT_SUPPORTED',
    `the tsm backend cannot give ${what}: configfs-tsm only gives attestation tokens`,
  );
}
