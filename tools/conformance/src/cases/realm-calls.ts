/**
 * The calls a realm makes: the RSI commands and the PSCI functions of the ACS table
 * (`cmd_measurement_read` … `cmd_affinity_info`), each condition probed from inside a realm.
 *
 * One realm per platform makes every probe: its program (generated below from the probe list, so
 * the list is the single source) issues each call with a raw `smc(fid, …)` of the guest API, in
 * suite order, and prints one machine-readable line per call,
 * `probe <case id> <X0> <X1> <X2> <X3> <X4> [<first 8 bytes at the read-back IPA>]` in hex; the
 * host runs it to its end ({@link RunningRealm}: console, faulted-in pages, PSCI_COMPLETE for
 * CPU_ON/AFFINITY_INFO, RTT_SET_RIPAS for the RIPAS change), parses the console, and each case
 * compares the X0 its realm saw with the expected RSI status or PSCI return code. Each command
 * has a success probe with valid arguments (the baseline the failing ones differ from in one
 * argument), ordered after its failing ones.
 *
 * The realm: 2 MiB of RAM from IPA 0 (the image at 0), two RECs (REC 1 exists for CPU_ON and
 * AFFINITY_INFO and is never entered), IPA width 40 (protected range `[0, 2^39)`). Buffers: a RAM
 * page at 1 MiB (REALM_CONFIG, the token), a zero RAM page after it (the host call), the
 * unprotected IPA 2^39, and `[2 MiB, 4 MiB)` (RIPAS EMPTY, one level-2 entry) for the RIPAS change.
 *
 * When the program has run, the realm is SYSTEM_OFF (the runtime ends a program with Exit and
 * PSCI SYSTEM_OFF), and {@link systemOffRealm} hands it to the RMI cases of
 * `realm_state[REALM_SYSTEM_OFF]`: their failing calls do not change it.
 *
 * Choices where ACS leaves room, each following rmm-abi.md §5: PSCI `runnable[REC_RUNNABLE]` is a
 * CPU_ON of the calling REC itself (runnable, so PSCI_E_ALREADY_ON without a host round trip);
 * `size_valid` gives a top (end) below the base; ATTESTATION_TOKEN_CONTINUE runs after an
 * RSI_ATTESTATION_TOKEN_INIT (a setup probe) so that only its argument is wrong.
 * @see rmm-abi.md §5, §9.1
 * @module
 */
import {
  RsiResponse,
  RsiRipas,
  SMC_RSI_ATTESTATION_TOKEN_CONTINUE,
  SMC_RSI_ATTESTATION_TOKEN_INIT,
  SMC_RSI_HOST_CALL,
  SMC_RSI_IPA_STATE_GET,
  SMC_RSI_IPA_STATE_SET,
  SMC_RSI_MEASUREMENT_EXTEND,
  SMC_RSI_MEASUREMENT_READ,
  SMC_RSI_REALM_CONFIG,
  SMC32_PSCI_SYSTEM_OFF,
  SMC64_PSCI_AFFINITY_INFO,
  SMC64_PSCI_CPU_ON,
} from '@islet/abi';
import { defaultCrypto } from '@islet/arch';
import { conditionId } from '../acs-conditions.ts';
import {
  type CaseObservation,
  type ConformanceCase,
  commandCases,
  cond,
  psciCode,
  rsiCode,
} from '../case.ts';
import { type Fixture, PAR_SIZE, S2SZ, SetupError } from '../fixture.ts';
import { psciFidOf, RunningRealm } from '../running-realm.ts';
import type { StatusCode } from '../status.ts';

/** A RAM page the probes point buffers at (REALM_CONFIG, the attestation token). */
const PAGE = 0x10_0000n;
/** A RAM page that stays zero: an RsiHostCall with imm 0 and no registers. */
const HOST_CALL_PAGE = 0x10_1000n;
/** The first unprotected IPA. */
const UNPROTECTED = PAR_SIZE;
/** A RIPAS EMPTY range outside RAM, one level-2 entry: the RIPAS change the success probe asks. */
const RIPAS_BASE = 0x20_0000n;
const RIPAS_TOP = 0x40_0000n;
/**
 * An unassigned RAM page of the probe realm, under its level-3 RTT (no probe touches it): where
 * the `realm_state[REALM_SYSTEM_OFF]` cases aim DATA_CREATE and RTT_INIT_RIPAS.
 */
export const SYSTEM_OFF_FREE_IPA = 0x18_0000n;
/** A value to extend a REM with: 8 bytes, little-endian in X3. */
const EXTEND_VALUE = 0x0123_4567_89ab_cdefn;
/** An attestation challenge (X1..X8). */
const CHALLENGE: readonly bigint[] = Array.from({ length: 8 }, (_, i) => BigInt(i + 1));
/** RSI_INCOMPLETE: ATTESTATION_TOKEN_CONTINUE has more to copy. */
const RSI_INCOMPLETE = 3;
/** The CBOR tag of a CCA token (399), the first three bytes: d9 01 8f. */
const CCA_TOKEN_TAG = 0x8f_01d9n;

const RSI_INPUT = rsiCode('RSI_ERROR_INPUT');
const RSI_SUCCESS = rsiCode('RSI_SUCCESS');
const PSCI_INVALID_PARAMS = psciCode('PSCI_E_INVALID_PARAMS');

/** One call the realm makes. */
interface Probe {
  readonly fid: number;
  /** X1.. */
  readonly args: readonly bigint[];
  /** Repeat while X0 is RSI_INCOMPLETE (ATTESTATION_TOKEN_CONTINUE). */
  readonly untilComplete?: boolean;
  /** An IPA whose first 8 bytes (little-endian) the realm reports after the call. */
  readonly readBack?: bigint;
}

/** A case that a probe decides: the probe, and what to check beyond X0. */
interface ProbeRow {
  readonly label: string;
  readonly intent: string;
  readonly expected: StatusCode;
  readonly probe: Probe;
  /** Checks the realm's registers X0..X4 (and the read-back word) after X0 matched. */
  readonly check?: (out: readonly bigint[], results: ProbeResults) => string | undefined;
  /** Probes that must have succeeded first (setup), by id. */
  readonly after?: string;
}

/** Each probe's reported registers by probe id. */
type ProbeResults = ReadonlyMap<string, readonly bigint[]>;

/** Every probe the realm makes, in order: the cases' and the setup ones, by id. */
const PROBES: [id: string, probe: Probe][] = [];

/** A probe that is not a case (setup, or a read for a check). */
function helper(id: string, probe: Probe): string {
  PROBES.push([id, probe]);
  return id;
}

const hex = (v: bigint | undefined): string => `0x${(v ?? 0n).toString(16)}`;

/** The command's cases, each decided by its probe; the probes join {@link PROBES}. */
function probeCases(command: string, rows: readonly ProbeRow[]): ConformanceCase[] {
  return commandCases(
    command,
    rows.map((row) => {
      const id = conditionId(command, row.label, row.intent);
      PROBES.push([id, row.probe]);
      return cond(row.label, row.intent, row.expected, (fx): CaseObservation => {
        const results = realmCalls(fx).results;
        if (row.after !== undefined) {
          const before = results.get(row.after);
          if (before?.[0] !== 0n) {
            throw new SetupError(`setup probe ${row.after} returned X0 = ${hex(before?.[0])}`);
          }
        }
        const observed = results.get(id);
        if (observed === undefined) {
          throw new SetupError(`the realm reported no result for this probe (see ${id})`);
        }
        return {
          observed,
          ...(row.check === undefined ? {} : { check: (out) => row.check?.(out, results) }),
        };
      });
    }),
  );
}

/** A failing probe: `fid` with `args`, one of them wrong (after the setup probe `after`). */
function bad(
  label: string,
  intent: string,
  expected: StatusCode,
  fid: number,
  args: readonly bigint[],
  after?: string,
): ProbeRow {
  return { label, intent, expected, probe: { fid, args }, ...(after ? { after } : {}) };
}

/** The command's success probe: valid arguments, and what to check beyond X0. */
function ok(
  what: string,
  expected: StatusCode,
  probe: Probe,
  check?: ProbeRow['check'],
  after?: string,
): ProbeRow {
  return {
    label: 'success',
    intent: what,
    expected,
    probe,
    ...(check ? { check } : {}),
    ...(after ? { after } : {}),
  };
}

/** X`i` of `out` is `want`, or what is wrong. */
function reg(out: readonly bigint[], i: number, want: bigint, what: string): string | undefined {
  return out[i] === want ? undefined : `${what} (X${i}) = ${hex(out[i])}, expected ${hex(want)}`;
}

/** `bytes` as little-endian 64-bit words. */
function words(bytes: Uint8Array): bigint[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.length / 8 }, (_, i) => view.getBigUint64(i * 8, true));
}

/** `value` as `size` little-endian bytes. */
function leBytes(value: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  new DataView(out.buffer).setBigUint64(0, value, true);
  return out;
}

/** RSI_MEASUREMENT_READ. */
export const RSI_MEASUREMENT_READ_CASES: ConformanceCase[] = probeCases('RSI_MEASUREMENT_READ', [
  bad('index_bound', 'INDEX_BOUND', RSI_INPUT, SMC_RSI_MEASUREMENT_READ, [5n]),
  ok('reads_rim', RSI_SUCCESS, { fid: SMC_RSI_MEASUREMENT_READ, args: [0n] }, (out) =>
    out.slice(1, 5).some((w) => w !== 0n) ? undefined : 'the RIM (X1..X4) reads as zero',
  ),
]);

const REM0_AFTER_EXTEND = 'probe/RSI_MEASUREMENT_READ/rem0_after_extend';

/** RSI_MEASUREMENT_EXTEND. */
export const RSI_MEASUREMENT_EXTEND_CASES: ConformanceCase[] = probeCases(
  'RSI_MEASUREMENT_EXTEND',
  [
    bad('index_bound', 'INDEX_LOWER_BOUND', RSI_INPUT, SMC_RSI_MEASUREMENT_EXTEND, [
      0n,
      8n,
      EXTEND_VALUE,
    ]),
    bad('index_bound', 'INDEX_UPPER_BOUND', RSI_INPUT, SMC_RSI_MEASUREMENT_EXTEND, [
      5n,
      8n,
      EXTEND_VALUE,
    ]),
    bad('size_bound', 'SIZE_BOUND', RSI_INPUT, SMC_RSI_MEASUREMENT_EXTEND, [1n, 65n, EXTEND_VALUE]),
    ok(
      'extends_rem0',
      RSI_SUCCESS,
      { fid: SMC_RSI_MEASUREMENT_EXTEND, args: [1n, 8n, EXTEND_VALUE] },
      (_, results) => {
        // REM[0] starts at zero: after one extension it is H(zero slot || the 8 value bytes).
        const read = results.get(REM0_AFTER_EXTEND);
        if (read?.[0] !== 0n) return `MEASUREMENT_READ(1) after it returned X0 = ${hex(read?.[0])}`;
        const want = words(
          defaultCrypto().hash(
            'sha256',
            new Uint8Array([...new Uint8Array(32), ...leBytes(EXTEND_VALUE, 8)]),
          ),
        );
        const got = read.slice(1, 5);
        return want.every((w, i) => got[i] === w)
          ? undefined
          : `REM[0] = ${got.map(hex).join(' ')}, expected SHA-256(0^32 || value) = ${want.map(hex).join(' ')}`;
      },
    ),
  ],
);
helper(REM0_AFTER_EXTEND, { fid: SMC_RSI_MEASUREMENT_READ, args: [1n] });

const TOKEN_INIT = helper('probe/RSI_ATTESTATION_TOKEN_INIT/setup', {
  fid: SMC_RSI_ATTESTATION_TOKEN_INIT,
  args: CHALLENGE,
});
const CONTINUE = SMC_RSI_ATTESTATION_TOKEN_CONTINUE;

/** RSI_ATTESTATION_TOKEN_CONTINUE, after an RSI_ATTESTATION_TOKEN_INIT. */
export const RSI_ATTESTATION_TOKEN_CONTINUE_CASES: ConformanceCase[] = probeCases(
  'RSI_ATTESTATION_TOKEN_CONTINUE',
  [
    bad('addr_align', 'ADDR_ALIGN', RSI_INPUT, CONTINUE, [PAGE + 0x800n, 0n, 0x100n], TOKEN_INIT),
    bad('addr_bound', 'ADDR_BOUND', RSI_INPUT, CONTINUE, [UNPROTECTED, 0n, 0x100n], TOKEN_INIT),
    // offset = 4096 with size 0: offset + size is not beyond the buffer.
    bad('offset_bound', 'OFFSET_BOUND', RSI_INPUT, CONTINUE, [PAGE, 0x1000n, 0n], TOKEN_INIT),
    // offset + size wraps to 8: only the overflow is wrong.
    bad(
      'size_overflow',
      'SIZE_OVERFLOW',
      RSI_INPUT,
      CONTINUE,
      [PAGE, 0x10n, (1n << 64n) - 8n],
      TOKEN_INIT,
    ),
    bad('size_bound', 'SIZE_BOUND', RSI_INPUT, CONTINUE, [PAGE, 0x800n, 0x801n], TOKEN_INIT),
    ok(
      'copies_token',
      RSI_SUCCESS,
      { fid: CONTINUE, args: [PAGE, 0n, 0x1000n], untilComplete: true, readBack: PAGE },
      (out) =>
        (out[1] ?? 0n) === 0n
          ? 'X1 (bytes copied) = 0'
          : ((out[5] ?? 0n) & 0xff_ffffn) !== CCA_TOKEN_TAG
            ? `the buffer starts ${hex(out[5])}, not the CCA token tag 399 (d9 01 8f)`
            : undefined,
      TOKEN_INIT,
    ),
  ],
);

/** RSI_REALM_CONFIG. */
export const RSI_REALM_CONFIG_CASES: ConformanceCase[] = probeCases('RSI_REALM_CONFIG', [
  bad('addr_align', 'ADDR_UNALIGNED', RSI_INPUT, SMC_RSI_REALM_CONFIG, [PAGE + 0x800n]),
  bad('addr_bound', 'ADDR_UNPROTECTED', RSI_INPUT, SMC_RSI_REALM_CONFIG, [UNPROTECTED]),
  ok(
    'writes_config',
    RSI_SUCCESS,
    { fid: SMC_RSI_REALM_CONFIG, args: [PAGE], readBack: PAGE },
    (out) => reg(out, 5, BigInt(S2SZ), 'RsiRealmConfig.ipa_width (read back)'),
  ),
]);

const RIPAS_AFTER_SET = 'probe/RSI_IPA_STATE_GET/after_set';
const RAM = BigInt(RsiRipas.Ram);
const SET = SMC_RSI_IPA_STATE_SET;

/** RSI_IPA_STATE_SET. */
export const RSI_IPA_STATE_SET_CASES: ConformanceCase[] = probeCases('RSI_IPA_STATE_SET', [
  bad('base_align', 'BASE_UNALIGNED', RSI_INPUT, SET, [PAGE + 0x800n, PAGE + 0x2000n, RAM, 0n]),
  bad('top_align', 'TOP_UNALLIGNED', RSI_INPUT, SET, [PAGE, PAGE + 0x1800n, RAM, 0n]),
  bad('size_valid', 'SIZE_INVALID', RSI_INPUT, SET, [PAGE + 0x1000n, PAGE, RAM, 0n]),
  bad('rgn_bound', 'REGION_UNPROTECTED', RSI_INPUT, SET, [
    UNPROTECTED,
    UNPROTECTED + 0x1000n,
    RAM,
    0n,
  ]),
  bad('ripas_valid', 'RIPAS_INVALID', RSI_INPUT, SET, [PAGE, PAGE + 0x1000n, 2n, 0n]),
  ok(
    'changes_ripas',
    RSI_SUCCESS,
    { fid: SET, args: [RIPAS_BASE, RIPAS_TOP, RAM, 0n] },
    (out, results) => {
      const after = results.get(RIPAS_AFTER_SET);
      return (
        reg(out, 1, RIPAS_TOP, 'new_base') ??
        reg(out, 2, BigInt(RsiResponse.Accept), 'response') ??
        (after?.[0] === 0n && after[2] === RAM
          ? undefined
          : `IPA_STATE_GET of the range afterwards: X0 = ${hex(after?.[0])}, RIPAS ${hex(after?.[2])}; expected RAM`)
      );
    },
  ),
]);
helper(RIPAS_AFTER_SET, { fid: SMC_RSI_IPA_STATE_GET, args: [RIPAS_BASE, RIPAS_TOP] });

const GET = SMC_RSI_IPA_STATE_GET;

/** RSI_IPA_STATE_GET. */
export const RSI_IPA_STATE_GET_CASES: ConformanceCase[] = probeCases('RSI_IPA_STATE_GET', [
  bad('base_align', 'BASE_UNALIGNED', RSI_INPUT, GET, [PAGE + 0x800n, PAGE + 0x2000n]),
  bad('end_align', 'TOP_UNALIGNED', RSI_INPUT, GET, [PAGE, PAGE + 0x1800n]),
  bad('size_valid', 'SIZE_INVALID', RSI_INPUT, GET, [PAGE + 0x1000n, PAGE]),
  bad('rgn_bound', 'REGION_UNPROTECTED', RSI_INPUT, GET, [UNPROTECTED, UNPROTECTED + 0x1000n]),
  ok(
    'reads_ripas',
    RSI_SUCCESS,
    { fid: GET, args: [PAGE, PAGE + 0x1000n] },
    (out) => reg(out, 1, PAGE + 0x1000n, 'top') ?? reg(out, 2, RAM, 'ripas'),
  ),
]);

/** RSI_HOST_CALL. */
export const RSI_HOST_CALL_CASES: ConformanceCase[] = probeCases('RSI_HOST_CALL', [
  // Not a multiple of sizeof(RsiHostCall) = 256.
  bad('addr_align', 'ADDR_UNALIGNED', RSI_INPUT, SMC_RSI_HOST_CALL, [HOST_CALL_PAGE + 0x80n]),
  bad('addr_bound', 'ADDR_UNPROTECTED', RSI_INPUT, SMC_RSI_HOST_CALL, [UNPROTECTED]),
  ok('exits_to_host', RSI_SUCCESS, { fid: SMC_RSI_HOST_CALL, args: [HOST_CALL_PAGE] }),
]);

/** MPIDR (PSCI layout) of REC `i` < 16: Aff0. */
const mpidr = (i: number): bigint => BigInt(i);

/** PSCI CPU_ON (SMC64) from REC 0 of a realm with RECs 0 and 1. */
export const PSCI_CPU_ON_CASES: ConformanceCase[] = probeCases('PSCI_CPU_ON', [
  bad('entry', 'ENTRY_ADDR_UNPROTECTED', psciCode('PSCI_E_INVALID_ADDRESS'), SMC64_PSCI_CPU_ON, [
    mpidr(1),
    UNPROTECTED,
    0n,
  ]),
  bad('mpidr', 'MPIDR_NOT_USED', PSCI_INVALID_PARAMS, SMC64_PSCI_CPU_ON, [mpidr(2), 0n, 0n]),
  bad('runnable', 'REC_RUNNABLE', psciCode('PSCI_E_ALREADY_ON'), SMC64_PSCI_CPU_ON, [
    mpidr(0),
    0n,
    0n,
  ]),
  ok('powers_on', psciCode('PSCI_E_SUCCESS'), {
    fid: SMC64_PSCI_CPU_ON,
    args: [mpidr(1), 0n, 0n],
  }),
]);

/** PSCI AFFINITY_INFO (SMC64) from REC 0, after REC 1 was powered on. */
export const PSCI_AFFINITY_INFO_CASES: ConformanceCase[] = probeCases('PSCI_AFFINITY_INFO', [
  bad(
    'target_bound',
    'INVALID_LOWEST_AFFINITY_LEVEL',
    PSCI_INVALID_PARAMS,
    SMC64_PSCI_AFFINITY_INFO,
    [mpidr(1), 1n],
  ),
  bad('target_match', 'MPIDR_NOT_USED', PSCI_INVALID_PARAMS, SMC64_PSCI_AFFINITY_INFO, [
    mpidr(2),
    0n,
  ]),
  // AFFINITY_INFO answers a state: ON is 0, the value of PSCI_E_SUCCESS.
  ok('reports_on', psciCode('PSCI_E_SUCCESS'), {
    fid: SMC64_PSCI_AFFINITY_INFO,
    args: [mpidr(1), 0n],
  }),
]);

/**
 * The realm program that makes every probe in order and prints its line, then returns (the
 * runtime then calls Exit(0) and SYSTEM_OFF).
 */
export function probeProgram(probes: readonly (readonly [string, Probe])[] = PROBES): string {
  const table = probes.map(([id, p]) => [
    id,
    p.fid,
    p.args.map(hex),
    p.untilComplete === true,
    p.readBack === undefined ? null : hex(p.readBack),
  ]);
  return `// @islet/conformance: RSI and PSCI calls, one result line each.
const probes = ${JSON.stringify(table)};
const hex = (v) => v.toString(16);
for (const [id, fid, args, untilComplete, readBack] of probes) {
  const x = args.map((a) => BigInt(a));
  let r = smc(fid, ...x);
  while (untilComplete && r[0] === ${RSI_INCOMPLETE}n) r = smc(fid, ...x);
  const line = ['probe', id, ...r.slice(0, 5).map(hex)];
  if (readBack !== null) {
    const bytes = memory.read(Number(BigInt(readBack)), 8);
    line.push(hex(new DataView(bytes.buffer).getBigUint64(0, true)));
  }
  console.log(line.join(' '));
}
`;
}

/** The probe realm of a platform and what it reported. */
interface RealmCalls {
  readonly realm: RunningRealm;
  readonly results: ProbeResults;
}

/** Parses `probe <id> <hex>…` lines. */
function parseProbes(text: string): Map<string, bigint[]> {
  const out = new Map<string, bigint[]>();
  for (const line of text.split('\n')) {
    const [tag, id, ...values] = line.trim().split(' ');
    if (tag !== 'probe' || id === undefined) continue;
    out.set(
      id,
      values.map((v) => BigInt(`0x${v}`)),
    );
  }
  return out;
}

/**
 * Runs the probe realm once per platform (launch, run to SYSTEM_OFF) and returns its results; a
 * setup failure is kept too (`Fixture.memo`), so each case reports it without running it again.
 * @throws {@link SetupError} when the realm cannot be launched or run to its end.
 */
export function realmCalls(fx: Fixture): RealmCalls {
  return fx.memo('realm-calls', (): RealmCalls => {
    const realm = RunningRealm.launch(fx, { program: probeProgram(), vcpus: 2 });
    realm.runUntil(
      0,
      (exit) => psciFidOf(exit) === SMC32_PSCI_SYSTEM_OFF,
      'the probe program to end (SYSTEM_OFF)',
    );
    return { realm, results: parseProbes(realm.console) };
  });
}

/**
 * A realm in state SYSTEM_OFF: the probe realm after its program ended (RECs 0 and 1, 2 MiB of
 * RAM with a level-3 RTT over `[0, 2 MiB)`, so a call on it is otherwise valid for a NEW realm).
 * @throws {@link SetupError} when the probe realm could not be run.
 */
export function systemOffRealm(fx: Fixture): RunningRealm {
  return realmCalls(fx).realm;
}

/** Every RSI and PSCI case, in FID order. */
export const REALM_CALL_CASES: readonly ConformanceCase[] = [
  ...RSI_MEASUREMENT_READ_CASES,
  ...RSI_MEASUREMENT_EXTEND_CASES,
  ...RSI_ATTESTATION_TOKEN_CONTINUE_CASES,
  ...RSI_REALM_CONFIG_CASES,
  ...RSI_IPA_STATE_SET_CASES,
  ...RSI_IPA_STATE_GET_CASES,
  ...RSI_HOST_CALL_CASES,
  ...PSCI_CPU_ON_CASES,
  ...PSCI_AFFINITY_INFO_CASES,
];
