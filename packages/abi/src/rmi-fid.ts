/**
 * The RMI command FIDs of RMM 1.0-rel0 and the declarative command table (name, FID, input and
 * output registers) that an RMM dispatcher is built from.
 *
 * FIDs are derived from offsets with {@link RMI_FID}, as TF-RMM's `SMC64_RMI_FID(_offset)` does,
 * because FID values differ between spec revisions (islet's older table has
 * `REALM_CREATE = 0xC4000158` by coincidence of the same offset, not by construction).
 *
 * The digest's table (`lib/smc/include/smc-rmi.h`, cross-checked with ACS `val_rmm.h`):
 *
 * ```text
 * | Command | FID | In (X1..) | Out (X1..) |
 * |---|---|---|---|
 * | RMI_VERSION | 0xC4000150 | X1 req_version | X1 lower, X2 higher |
 * | RMI_GRANULE_DELEGATE | 0xC4000151 | X1 addr | – |
 * | RMI_GRANULE_UNDELEGATE | 0xC4000152 | X1 addr | – |
 * | RMI_DATA_CREATE | 0xC4000153 | X1 rd, X2 data, X3 ipa(map_addr), X4 src, X5 flags | – |
 * | RMI_DATA_CREATE_UNKNOWN | 0xC4000154 | X1 rd, X2 data, X3 ipa | – |
 * | RMI_DATA_DESTROY | 0xC4000155 | X1 rd, X2 ipa | X1 data PA, X2 top |
 * | (unused 0x156) | | | |
 * | RMI_REALM_ACTIVATE | 0xC4000157 | X1 rd | – |
 * | RMI_REALM_CREATE | 0xC4000158 | X1 rd, X2 params_ptr | – |
 * | RMI_REALM_DESTROY | 0xC4000159 | X1 rd | – |
 * | RMI_REC_CREATE | 0xC400015A | X1 rd, X2 rec, X3 params_ptr | – |
 * | RMI_REC_DESTROY | 0xC400015B | X1 rec | – |
 * | RMI_REC_ENTER | 0xC400015C | X1 rec, X2 run_ptr | – (RmiRecExit written to run+0x800) |
 * | RMI_RTT_CREATE | 0xC400015D | X1 rd, X2 rtt, X3 ipa, X4 level | – |
 * | RMI_RTT_DESTROY | 0xC400015E | X1 rd, X2 ipa, X3 level | X1 rtt PA, X2 top |
 * | RMI_RTT_MAP_UNPROTECTED | 0xC400015F | X1 rd, X2 ipa, X3 level, X4 desc | – |
 * | (0x160 = RMI_RTT_MAP_PROTECTED in 1.1 only) | | | |
 * | RMI_RTT_READ_ENTRY | 0xC4000161 | X1 rd, X2 ipa, X3 level | X1 walk_level, X2 state, X3 desc, X4 ripas |
 * | RMI_RTT_UNMAP_UNPROTECTED | 0xC4000162 | X1 rd, X2 ipa, X3 level | X1 top |
 * | (unused 0x163) | | | |
 * | RMI_PSCI_COMPLETE | 0xC4000164 | X1 calling_rec, X2 target_rec, X3 status | – |
 * | RMI_FEATURES | 0xC4000165 | X1 index | X1 value |
 * | RMI_RTT_FOLD | 0xC4000166 | X1 rd, X2 ipa, X3 level | X1 folded rtt PA |
 * | RMI_REC_AUX_COUNT | 0xC4000167 | X1 rd | X1 aux_count |
 * | RMI_RTT_INIT_RIPAS | 0xC4000168 | X1 rd, X2 base, X3 top | X1 out_top |
 * | RMI_RTT_SET_RIPAS | 0xC4000169 | X1 rd, X2 rec, X3 base, X4 top | X1 out_top |
 * ```
 *
 * Level arguments are 64-bit signed; -1 is 0xFFFFFFFFFFFFFFFF (LPA2 only).
 * @module
 */
import { RMI_FID } from './smc.ts';

/** `SMC_RMI_VERSION`, RMI_FID(0x00). @see rmm-abi.md §2, §2.1 @since 0.1.0 */
export const SMC_RMI_VERSION: number = RMI_FID(0x00);
/** `SMC_RMI_GRANULE_DELEGATE`, RMI_FID(0x01). @see rmm-abi.md §2, §2.3 @since 0.1.0 */
export const SMC_RMI_GRANULE_DELEGATE: number = RMI_FID(0x01);
/** `SMC_RMI_GRANULE_UNDELEGATE`, RMI_FID(0x02). @see rmm-abi.md §2, §2.4 @since 0.1.0 */
export const SMC_RMI_GRANULE_UNDELEGATE: number = RMI_FID(0x02);
/** `SMC_RMI_DATA_CREATE`, RMI_FID(0x03). @see rmm-abi.md §2, §2.18 @since 0.1.0 */
export const SMC_RMI_DATA_CREATE: number = RMI_FID(0x03);
/** `SMC_RMI_DATA_CREATE_UNKNOWN`, RMI_FID(0x04). @see rmm-abi.md §2, §2.19 @since 0.1.0 */
export const SMC_RMI_DATA_CREATE_UNKNOWN: number = RMI_FID(0x04);
/** `SMC_RMI_DATA_DESTROY`, RMI_FID(0x05). @see rmm-abi.md §2, §2.20 @since 0.1.0 */
export const SMC_RMI_DATA_DESTROY: number = RMI_FID(0x05);
/** `SMC_RMI_REALM_ACTIVATE`, RMI_FID(0x07). @see rmm-abi.md §2, §2.6 @since 0.1.0 */
export const SMC_RMI_REALM_ACTIVATE: number = RMI_FID(0x07);
/** `SMC_RMI_REALM_CREATE`, RMI_FID(0x08). @see rmm-abi.md §2, §2.5 @since 0.1.0 */
export const SMC_RMI_REALM_CREATE: number = RMI_FID(0x08);
/** `SMC_RMI_REALM_DESTROY`, RMI_FID(0x09). @see rmm-abi.md §2, §2.7 @since 0.1.0 */
export const SMC_RMI_REALM_DESTROY: number = RMI_FID(0x09);
/** `SMC_RMI_REC_CREATE`, RMI_FID(0x0A). @see rmm-abi.md §2, §2.9 @since 0.1.0 */
export const SMC_RMI_REC_CREATE: number = RMI_FID(0x0a);
/** `SMC_RMI_REC_DESTROY`, RMI_FID(0x0B). @see rmm-abi.md §2, §2.10 @since 0.1.0 */
export const SMC_RMI_REC_DESTROY: number = RMI_FID(0x0b);
/** `SMC_RMI_REC_ENTER`, RMI_FID(0x0C). @see rmm-abi.md §2, §2.11 @since 0.1.0 */
export const SMC_RMI_REC_ENTER: number = RMI_FID(0x0c);
/** `SMC_RMI_RTT_CREATE`, RMI_FID(0x0D). @see rmm-abi.md §2, §2.12 @since 0.1.0 */
export const SMC_RMI_RTT_CREATE: number = RMI_FID(0x0d);
/** `SMC_RMI_RTT_DESTROY`, RMI_FID(0x0E). @see rmm-abi.md §2, §2.13 @since 0.1.0 */
export const SMC_RMI_RTT_DESTROY: number = RMI_FID(0x0e);
/** `SMC_RMI_RTT_MAP_UNPROTECTED`, RMI_FID(0x0F). @see rmm-abi.md §2, §2.15 @since 0.1.0 */
export const SMC_RMI_RTT_MAP_UNPROTECTED: number = RMI_FID(0x0f);
/** `SMC_RMI_RTT_READ_ENTRY`, RMI_FID(0x11). @see rmm-abi.md §2, §2.17 @since 0.1.0 */
export const SMC_RMI_RTT_READ_ENTRY: number = RMI_FID(0x11);
/** `SMC_RMI_RTT_UNMAP_UNPROTECTED`, RMI_FID(0x12). @see rmm-abi.md §2, §2.16 @since 0.1.0 */
export const SMC_RMI_RTT_UNMAP_UNPROTECTED: number = RMI_FID(0x12);
/** `SMC_RMI_PSCI_COMPLETE`, RMI_FID(0x14). @see rmm-abi.md §2, §2.23 @since 0.1.0 */
export const SMC_RMI_PSCI_COMPLETE: number = RMI_FID(0x14);
/** `SMC_RMI_FEATURES`, RMI_FID(0x15). @see rmm-abi.md §2, §2.2 @since 0.1.0 */
export const SMC_RMI_FEATURES: number = RMI_FID(0x15);
/** `SMC_RMI_RTT_FOLD`, RMI_FID(0x16). @see rmm-abi.md §2, §2.14 @since 0.1.0 */
export const SMC_RMI_RTT_FOLD: number = RMI_FID(0x16);
/** `SMC_RMI_REC_AUX_COUNT`, RMI_FID(0x17). @see rmm-abi.md §2, §2.8 @since 0.1.0 */
export const SMC_RMI_REC_AUX_COUNT: number = RMI_FID(0x17);
/** `SMC_RMI_RTT_INIT_RIPAS`, RMI_FID(0x18). @see rmm-abi.md §2, §2.21 @since 0.1.0 */
export const SMC_RMI_RTT_INIT_RIPAS: number = RMI_FID(0x18);
/** `SMC_RMI_RTT_SET_RIPAS`, RMI_FID(0x19). @see rmm-abi.md §2, §2.22 @since 0.1.0 */
export const SMC_RMI_RTT_SET_RIPAS: number = RMI_FID(0x19);

/**
 * FIDs inside the RMI range that RMM 1.0 does not implement (0x156, 0x160 = RMI_RTT_MAP_PROTECTED
 * of 1.1, 0x163): X0 = `SMC_UNKNOWN` and nothing else changes.
 * @see rmm-abi.md §1.1, §2
 * @since 0.1.0
 */
export const RMI_UNUSED_FIDS: readonly number[] = [RMI_FID(0x06), RMI_FID(0x10), RMI_FID(0x13)];

/** The spec name of an RMI command of RMM 1.0. @see rmm-abi.md §2 @since 0.1.0 */
export type RmiCommandName =
  | 'RMI_VERSION'
  | 'RMI_GRANULE_DELEGATE'
  | 'RMI_GRANULE_UNDELEGATE'
  | 'RMI_DATA_CREATE'
  | 'RMI_DATA_CREATE_UNKNOWN'
  | 'RMI_DATA_DESTROY'
  | 'RMI_REALM_ACTIVATE'
  | 'RMI_REALM_CREATE'
  | 'RMI_REALM_DESTROY'
  | 'RMI_REC_CREATE'
  | 'RMI_REC_DESTROY'
  | 'RMI_REC_ENTER'
  | 'RMI_RTT_CREATE'
  | 'RMI_RTT_DESTROY'
  | 'RMI_RTT_MAP_UNPROTECTED'
  | 'RMI_RTT_READ_ENTRY'
  | 'RMI_RTT_UNMAP_UNPROTECTED'
  | 'RMI_PSCI_COMPLETE'
  | 'RMI_FEATURES'
  | 'RMI_RTT_FOLD'
  | 'RMI_REC_AUX_COUNT'
  | 'RMI_RTT_INIT_RIPAS'
  | 'RMI_RTT_SET_RIPAS';

/**
 * One row of the RMI command table.
 *
 * `inputs[i]` names register X(i+1) and `outputs[i]` names register X(i+1) of the result; X0 of
 * the result is always the packed return code. The lengths are the spec arity (TF-RMM's
 * `smc_handlers[]` argc/retc). Output registers not listed read back as 0 in X1..X3 and as the
 * caller's X4, per the register-exact return path (§1.1).
 * @see rmm-abi.md §1.1, §2
 * @since 0.1.0
 */
export interface RmiCommand {
  /** The spec name. */
  readonly name: RmiCommandName;
  /** The FID. */
  readonly fid: number;
  /** Input registers X1.., in order. */
  readonly inputs: readonly string[];
  /** Output registers X1.., in order. */
  readonly outputs: readonly string[];
  /** What the table's register lists do not say. */
  readonly note?: string;
}

/**
 * The RMI command table of RMM 1.0-rel0, in FID order.
 * @see rmm-abi.md §2
 * @since 0.1.0
 */
export const RMI_COMMANDS: readonly RmiCommand[] = [
  {
    name: 'RMI_VERSION',
    fid: SMC_RMI_VERSION,
    inputs: ['req_version'],
    outputs: ['lower', 'higher'],
  },
  { name: 'RMI_GRANULE_DELEGATE', fid: SMC_RMI_GRANULE_DELEGATE, inputs: ['addr'], outputs: [] },
  {
    name: 'RMI_GRANULE_UNDELEGATE',
    fid: SMC_RMI_GRANULE_UNDELEGATE,
    inputs: ['addr'],
    outputs: [],
  },
  {
    name: 'RMI_DATA_CREATE',
    fid: SMC_RMI_DATA_CREATE,
    inputs: ['rd', 'data', 'ipa', 'src', 'flags'],
    outputs: [],
    note: 'X3 ipa is the map_addr; X5 flags is RmiDataMeasureContent.',
  },
  {
    name: 'RMI_DATA_CREATE_UNKNOWN',
    fid: SMC_RMI_DATA_CREATE_UNKNOWN,
    inputs: ['rd', 'data', 'ipa'],
    outputs: [],
  },
  {
    name: 'RMI_DATA_DESTROY',
    fid: SMC_RMI_DATA_DESTROY,
    inputs: ['rd', 'ipa'],
    outputs: ['data', 'top'],
    note: 'X1 is the data granule PA. TF-RMM writes X2 = 0 on RMI_ERROR_INPUT and X2 = top on RMI_ERROR_RTT.',
  },
  { name: 'RMI_REALM_ACTIVATE', fid: SMC_RMI_REALM_ACTIVATE, inputs: ['rd'], outputs: [] },
  {
    name: 'RMI_REALM_CREATE',
    fid: SMC_RMI_REALM_CREATE,
    inputs: ['rd', 'params_ptr'],
    outputs: [],
  },
  { name: 'RMI_REALM_DESTROY', fid: SMC_RMI_REALM_DESTROY, inputs: ['rd'], outputs: [] },
  {
    name: 'RMI_REC_CREATE',
    fid: SMC_RMI_REC_CREATE,
    inputs: ['rd', 'rec', 'params_ptr'],
    outputs: [],
  },
  { name: 'RMI_REC_DESTROY', fid: SMC_RMI_REC_DESTROY, inputs: ['rec'], outputs: [] },
  {
    name: 'RMI_REC_ENTER',
    fid: SMC_RMI_REC_ENTER,
    inputs: ['rec', 'run_ptr'],
    outputs: [],
    note: 'RmiRecExit is written to run+0x800.',
  },
  {
    name: 'RMI_RTT_CREATE',
    fid: SMC_RMI_RTT_CREATE,
    inputs: ['rd', 'rtt', 'ipa', 'level'],
    outputs: [],
  },
  {
    name: 'RMI_RTT_DESTROY',
    fid: SMC_RMI_RTT_DESTROY,
    inputs: ['rd', 'ipa', 'level'],
    outputs: ['rtt', 'top'],
    note: 'X1 is the RTT granule PA. TF-RMM writes X2 = 0 on RMI_ERROR_INPUT and X2 = top on RMI_ERROR_RTT.',
  },
  {
    name: 'RMI_RTT_MAP_UNPROTECTED',
    fid: SMC_RMI_RTT_MAP_UNPROTECTED,
    inputs: ['rd', 'ipa', 'level', 'desc'],
    outputs: [],
  },
  {
    name: 'RMI_RTT_READ_ENTRY',
    fid: SMC_RMI_RTT_READ_ENTRY,
    inputs: ['rd', 'ipa', 'level'],
    outputs: ['walk_level', 'state', 'desc', 'ripas'],
    note: 'The only command that writes X4.',
  },
  {
    name: 'RMI_RTT_UNMAP_UNPROTECTED',
    fid: SMC_RMI_RTT_UNMAP_UNPROTECTED,
    inputs: ['rd', 'ipa', 'level'],
    outputs: ['top'],
    note: 'TF-RMM writes X1 = top also on RMI_ERROR_RTT.',
  },
  {
    name: 'RMI_PSCI_COMPLETE',
    fid: SMC_RMI_PSCI_COMPLETE,
    inputs: ['calling_rec', 'target_rec', 'status'],
    outputs: [],
    note: 'X3 status is a PsciReturnCode as a 64-bit register (DENIED = (u64)-3).',
  },
  { name: 'RMI_FEATURES', fid: SMC_RMI_FEATURES, inputs: ['index'], outputs: ['value'] },
  {
    name: 'RMI_RTT_FOLD',
    fid: SMC_RMI_RTT_FOLD,
    inputs: ['rd', 'ipa', 'level'],
    outputs: ['rtt'],
    note: 'X1 is the PA of the folded RTT.',
  },
  { name: 'RMI_REC_AUX_COUNT', fid: SMC_RMI_REC_AUX_COUNT, inputs: ['rd'], outputs: ['aux_count'] },
  {
    name: 'RMI_RTT_INIT_RIPAS',
    fid: SMC_RMI_RTT_INIT_RIPAS,
    inputs: ['rd', 'base', 'top'],
    outputs: ['out_top'],
  },
  {
    name: 'RMI_RTT_SET_RIPAS',
    fid: SMC_RMI_RTT_SET_RIPAS,
    inputs: ['rd', 'rec', 'base', 'top'],
    outputs: ['out_top'],
  },
];

const RMI_BY_FID: ReadonlyMap<number, RmiCommand> = new Map(RMI_COMMANDS.map((c) => [c.fid, c]));

/**
 * The row of {@link RMI_COMMANDS} for `fid`, or `undefined` for an unknown or unused FID (the
 * caller answers `SMC_UNKNOWN`). Strip the SVE hint first.
 * @see rmm-abi.md §1.1, §2
 * @since 0.1.0
 */
export function rmiCommandByFid(fid: number): RmiCommand | undefined {
  return RMI_BY_FID.get(fid);
}
