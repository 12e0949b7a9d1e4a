/**
 * The guest API: what a realm program sees, as the host functions behind it. Every argument is
 * the program's and is checked here or by the shim; every result is plain data (the bootstrap
 * copies it into the program's context).
 *
 * ```text
 * rsi      abiVersion(major?, minor?) features(i) measurementRead(i) measurementExtend(i, bytes)
 *          realmConfig() attestationToken(challenge) sealingKey(flags, svn)
 *          ipaStateSet(base, top, ripas, flags?) ipaStateGet(base, end) hostCall(imm, gprs)
 * smc      smc(fid, x1..x10) → [X0..X10]: a raw SMC #0, as kernel code issues it (any arguments,
 *          for tests of the RMM's checks; the shim above is the checked way)
 * tsm      create(name) remove(name) write(name, 'inblob', bytes) read(name, attribute)
 * console  log/info/debug/warn/error(...values): ConsoleWrite host calls
 * vcpu     index, wfi(), wfe()
 * memory   size, imageBase, imageLength, rsiPage, read(ipa, length), write(ipa, bytes),
 *          sharedBase() → 2^(ipaWidth - 1), the first IPA of the unprotected (shared) half: what
 *          Linux calls PROT_NS_SHARED, from RSI_REALM_CONFIG (asked once). read and write reach
 *          either half through stage 2: an unprotected page is the NS page the host mapped there
 *          (RMI_RTT_MAP_UNPROTECTED), which the host can change at any time, so a program copies
 *          what it reads there before it checks it, and writes there only what the host may see;
 *          an unprotected page the host did not map is a GUEST_SEA (bulk accesses carry no
 *          syndrome to emulate), what the host did not map to NS memory too. Where a shared
 *          buffer lies in that half is for the program and its host to agree (apps/fvp's service
 *          realm names its window in each request)
 * mmio     read(ipa, size, signed?) → bigint, write(ipa, size, value)  (size 1, 2, 4 or 8)
 * psci     version() cpuOn(index) cpuOff() affinityInfo(index) systemOff() systemReset()
 * host     challenge() → 64 bytes from the relying party, send(bytes) to it, receive() → the
 *          bytes it sent (host calls)
 * exit     exit(status?): Exit host call, then SYSTEM_OFF
 * random   random(length) → length (0..65536) bytes from the realm's entropy source (the kernel's
 *          getrandom over FEAT_RNG's RNDR on hardware), for nonces, IVs and keys made in the realm
 * text     encode(string) → bytes, decode(bytes) → string (UTF-8)
 * hex      encode(bytes) → string, decode(string) → bytes
 * ```
 * @module
 */
import { types } from 'node:util';
import { fromHex, MAX_ADDRESS, toHex } from '@islet/arch';
import { checkInt, checkIpa, invalidArgument } from '../internal/check.ts';
import type { AccessSize, RealmCpu } from '../ports.ts';
import type { RsiShim } from '../rsi/shim.ts';
import type { ConfigfsTsm, TsmAttribute } from '../tsm/configfs-tsm.ts';
import { type RealmBoot, scratchPage, secondaryContextId } from './boot.ts';
import { challengeHostCall, receiveHostCall, sendHostCall } from './host-services.ts';
import type { PsciClient } from './psci.ts';
import type { HostApi } from './sandbox.ts';

/** The most bytes one `memory.read` or `memory.write` moves. */
const MAX_TRANSFER = 1 << 26;
/** The most bytes one `random` call gives: WebCrypto's `getRandomValues` quota. */
const MAX_RANDOM = 65536;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A copy of a Uint8Array argument (internal slots only: no program getter runs). */
function bytesIn(value: unknown, what: string): Uint8Array<ArrayBuffer> {
  if (!types.isUint8Array(value)) throw invalidArgument(what, 'a Uint8Array');
  return new Uint8Array(value);
}

/** The elements of an array argument (the bootstrap makes it dense, of primitives). */
function arrayIn(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw invalidArgument(what, 'an array');
  return Array.from({ length: value.length }, (_, i): unknown => value[i]);
}

function stringIn(value: unknown, what: string): string {
  if (typeof value !== 'string') throw invalidArgument(what, 'a string');
  return value;
}

function accessSize(value: unknown): AccessSize {
  if (value !== 1 && value !== 2 && value !== 4 && value !== 8) {
    throw invalidArgument('the access size', '1, 2, 4 or 8');
  }
  return value;
}

/** An aligned register-sized access: the IPA must be a multiple of the size. */
function alignedIpa(value: unknown, size: AccessSize): number {
  const ipa = checkIpa(value, 'the IPA');
  if (ipa % size !== 0) throw invalidArgument('the IPA', `aligned to the ${size}-byte access`);
  return ipa;
}

/** The value of a `size`-byte store: an integer that fits, signed or unsigned. */
function storeValue(value: unknown, size: AccessSize): bigint {
  const bits = BigInt(size * 8);
  const v =
    typeof value === 'bigint'
      ? value
      : typeof value === 'number' && Number.isSafeInteger(value)
        ? BigInt(value)
        : undefined;
  if (v === undefined || v < -(1n << (bits - 1n)) || v >= 1n << bits) {
    throw invalidArgument('the value', `an integer that fits in ${size} bytes`);
  }
  return BigInt.asUintN(Number(bits), v);
}

/** A transfer of `length` bytes at `ipa` that stays below 2^52. */
function transfer(ipa: unknown, length: number): number {
  const at = checkIpa(ipa, 'the IPA');
  if (at + length > MAX_ADDRESS) throw invalidArgument('the range', 'below 2^52');
  return at;
}

/**
 * What the guest API is built from.
 * @since 0.1.0
 */
export interface GuestApiParts {
  readonly cpu: RealmCpu;
  readonly boot: RealmBoot;
  readonly rsi: RsiShim;
  readonly tsm: ConfigfsTsm;
  readonly psci: PsciClient;
  /** Ends the realm with `status` (Exit host call, SYSTEM_OFF); never returns. */
  readonly exit: (status: number) => never;
  /**
   * The realm's entropy source: `length` cryptographically secure random bytes. A realm trusts
   * no randomness from the host (RNDR is a CPU instruction), so this is the vCPU's own.
   */
  readonly random: (length: number) => Uint8Array;
}

/**
 * The host side of the guest API of one vCPU.
 * @since 0.1.0
 */
export function guestApi(parts: GuestApiParts): HostApi {
  const { cpu, boot, rsi, tsm, psci } = parts;
  const memory = cpu.memory;
  let sharedBase: number | undefined;
  return {
    rsi: {
      abiVersion: (major, minor) => rsi.abiVersion(major as number, minor as number),
      features: (index) => rsi.features(index as number),
      measurementRead: (index) => rsi.measurementRead(index as number),
      measurementExtend: (index, value) =>
        rsi.measurementExtend(index as number, bytesIn(value, 'the value')),
      realmConfig: () => rsi.realmConfig(),
      attestationToken: (challenge) => rsi.attestationToken(bytesIn(challenge, 'the challenge')),
      sealingKey: (flags, svn) => rsi.sealingKey(flags as number, svn as number),
      ipaStateSet: (base, top, ripas, flags) =>
        rsi.ipaStateSet(base as number, top as number, ripas as number, flags as number),
      ipaStateGet: (base, end) => rsi.ipaStateGet(base as number, end as number),
      hostCall: (imm, gprs) =>
        rsi.hostCall(imm as number, arrayIn(gprs ?? [], 'the registers') as bigint[]),
    },
    smc: (...args) => {
      if (args.length < 1 || args.length > 11) throw invalidArgument('the registers', 'X0..X10');
      const x = args.map((v, i) => {
        const n =
          typeof v === 'bigint'
            ? v
            : typeof v === 'number' && Number.isSafeInteger(v)
              ? BigInt(v)
              : -1n;
        if (n < 0n || n >= 1n << 64n) throw invalidArgument(`X${i}`, 'a 64-bit unsigned integer');
        return n;
      });
      return cpu.smc([...x, ...new Array<bigint>(11 - x.length).fill(0n)]);
    },
    tsm: {
      create: (name) => {
        tsm.create(name as string);
      },
      remove: (name) => tsm.remove(name as string),
      write: (name, attribute, bytes) =>
        tsm.write(name as string, attribute as TsmAttribute, bytesIn(bytes, 'the bytes')),
      read: (name, attribute) => tsm.read(name as string, attribute as TsmAttribute),
    },
    vcpu: {
      index: cpu.index,
      wfi: () => cpu.wfi(),
      wfe: () => cpu.wfe(),
    },
    memory: {
      size: boot.memorySize,
      imageBase: boot.imageIpa,
      imageLength: boot.imageLength,
      rsiPage: scratchPage(boot, cpu.index),
      sharedBase: () => {
        sharedBase ??= 2 ** (rsi.realmConfig().ipaWidth - 1);
        return sharedBase;
      },
      read: (ipa, length) => {
        const n = checkInt(length, 0, MAX_TRANSFER, 'the length');
        return memory.read(transfer(ipa, n), n);
      },
      write: (ipa, value) => {
        const bytes = bytesIn(value, 'the bytes');
        if (bytes.length > MAX_TRANSFER)
          throw invalidArgument('the bytes', `at most ${MAX_TRANSFER} bytes`);
        memory.write(transfer(ipa, bytes.length), bytes);
      },
    },
    mmio: {
      read: (ipa, size, signed) => {
        const s = accessSize(size);
        return memory.load(alignedIpa(ipa, s), s, signed === true);
      },
      write: (ipa, size, value) => {
        const s = accessSize(size);
        memory.store(alignedIpa(ipa, s), s, storeValue(value, s));
      },
    },
    psci: {
      version: () => psci.version(),
      cpuOn: (index) => psci.cpuOn(index as number, boot.imageIpa, secondaryContextId(boot)),
      cpuOff: () => psci.cpuOff(),
      affinityInfo: (index) => psci.affinityInfo(index as number),
      systemOff: () => psci.systemOff(),
      systemReset: () => psci.systemReset(),
    },
    host: {
      challenge: () => challengeHostCall(rsi),
      send: (bytes) => sendHostCall(rsi, bytesIn(bytes, 'the bytes')),
      receive: () => receiveHostCall(rsi),
    },
    exit: (status) => parts.exit(checkInt(status ?? 0, -(2 ** 31), 2 ** 32 - 1, 'the status')),
    random: (length) => parts.random(checkInt(length, 0, MAX_RANDOM, 'the length')),
    text: {
      encode: (text) => encoder.encode(stringIn(text, 'the text')),
      decode: (bytes) => decoder.decode(bytesIn(bytes, 'the bytes')),
    },
    hex: {
      encode: (bytes) => toHex(bytesIn(bytes, 'the bytes')),
      decode: (text) => fromHex(stringIn(text, 'the text')),
    },
  };
}
