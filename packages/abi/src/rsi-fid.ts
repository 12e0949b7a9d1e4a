/**
 * The RSI command FIDs of RMM 1.0-rel0 and their declarative command table (Realm → RMM).
 *
 * The digest's table (`smc-rsi.h`, `runtime/core/exit.c handle_realm_rsi`):
 *
 * ```text
 * | Command | FID | In | Out |
 * |---|---|---|---|
 * | RSI_VERSION | 0xC4000190 | X1 req_version | X0 status, X1 lower, X2 higher |
 * | RSI_FEATURES | 0xC4000191 | X1 index | X0, X1 value |
 * | RSI_MEASUREMENT_READ | 0xC4000192 | X1 index | X0, X1..X8 value |
 * | RSI_MEASUREMENT_EXTEND | 0xC4000193 | X1 index, X2 size, X3..X10 value | X0 |
 * | RSI_ATTESTATION_TOKEN_INIT | 0xC4000194 | X1..X8 challenge (64 bytes) | X0, X1 max_size |
 * | RSI_ATTESTATION_TOKEN_CONTINUE | 0xC4000195 | X1 addr(IPA), X2 offset, X3 size | X0, X1 len |
 * | RSI_REALM_CONFIG | 0xC4000196 | X1 addr(IPA) | X0 |
 * | RSI_IPA_STATE_SET | 0xC4000197 | X1 base, X2 top, X3 ripas, X4 flags | X0, X1 new_base, X2 response |
 * | RSI_IPA_STATE_GET | 0xC4000198 | X1 base, X2 end | X0, X1 top, X2 ripas |
 * | RSI_HOST_CALL | 0xC4000199 | X1 addr(IPA) | X0 |
 * ```
 *
 * Result registers: outputs a command does not set read as 0 in X1..X3, X4 is preserved unless an
 * output, X5..X30 untouched except RSI_MEASUREMENT_READ, which also writes X5..X8 (§5).
 *
 * **Naming**: TF-RMM spells the attestation FIDs `SMC_RSI_ATTEST_TOKEN_*`; the digest and the spec
 * say `RSI_ATTESTATION_TOKEN_*`, which is what these constants use.
 *
 * **Islet's vendor RSI calls** (OEN 7, islet-reference.md §2.3, §2.10) are not RMM 1.0 commands:
 * they have their own table, {@link ISLET_RSI_COMMANDS}, which {@link rsiCommandByFid} does not
 * search.
 *
 * ```text
 * | 0xC7000191 | ISLET_REALM_SEALING_KEY (vendor) | 2, 5 |   (Islet constraint: args incl. FID, rets)
 * RSI_ISLET_REALM_SEALING_KEY(X1 flags, X2 svn) → X1..X4 = 32-byte key
 * ```
 * @module
 */
import { ISLET_RSI_FID } from './islet-fid.ts';
import { RSI_FID } from './smc.ts';

/** `SMC_RSI_VERSION`, RSI_FID(0x0). @see rmm-abi.md §5, §5.1 @since 0.1.0 */
export const SMC_RSI_VERSION: number = RSI_FID(0x0);
/** `SMC_RSI_FEATURES`, RSI_FID(0x1). @see rmm-abi.md §5, §5.2 @since 0.1.0 */
export const SMC_RSI_FEATURES: number = RSI_FID(0x1);
/** `SMC_RSI_MEASUREMENT_READ`, RSI_FID(0x2). @see rmm-abi.md §5, §5.3 @since 0.1.0 */
export const SMC_RSI_MEASUREMENT_READ: number = RSI_FID(0x2);
/** `SMC_RSI_MEASUREMENT_EXTEND`, RSI_FID(0x3). @see rmm-abi.md §5, §5.4 @since 0.1.0 */
export const SMC_RSI_MEASUREMENT_EXTEND: number = RSI_FID(0x3);
/** `SMC_RSI_ATTESTATION_TOKEN_INIT`, RSI_FID(0x4). @see rmm-abi.md §5, §5.5 @since 0.1.0 */
export const SMC_RSI_ATTESTATION_TOKEN_INIT: number = RSI_FID(0x4);
/** `SMC_RSI_ATTESTATION_TOKEN_CONTINUE`, RSI_FID(0x5). @see rmm-abi.md §5, §5.6 @since 0.1.0 */
export const SMC_RSI_ATTESTATION_TOKEN_CONTINUE: number = RSI_FID(0x5);
/** `SMC_RSI_REALM_CONFIG`, RSI_FID(0x6). @see rmm-abi.md §5, §5.7 @since 0.1.0 */
export const SMC_RSI_REALM_CONFIG: number = RSI_FID(0x6);
/** `SMC_RSI_IPA_STATE_SET`, RSI_FID(0x7). @see rmm-abi.md §5, §5.8 @since 0.1.0 */
export const SMC_RSI_IPA_STATE_SET: number = RSI_FID(0x7);
/** `SMC_RSI_IPA_STATE_GET`, RSI_FID(0x8). @see rmm-abi.md §5, §5.9 @since 0.1.0 */
export const SMC_RSI_IPA_STATE_GET: number = RSI_FID(0x8);
/** `SMC_RSI_HOST_CALL`, RSI_FID(0x9). @see rmm-abi.md §5, §5.10 @since 0.1.0 */
export const SMC_RSI_HOST_CALL: number = RSI_FID(0x9);

/**
 * `RSI_ISLET_REALM_SEALING_KEY` = ISLET_RSI_FID(0x1) = 0xC7000191: Islet's realm sealing key.
 * @see islet-reference.md §2.10
 * @since 0.7.0
 */
export const SMC_RSI_ISLET_REALM_SEALING_KEY: number = ISLET_RSI_FID(0x1);

/** The spec name of an RSI command of RMM 1.0. @see rmm-abi.md §5 @since 0.1.0 */
export type RsiCommandName =
  | 'RSI_VERSION'
  | 'RSI_FEATURES'
  | 'RSI_MEASUREMENT_READ'
  | 'RSI_MEASUREMENT_EXTEND'
  | 'RSI_ATTESTATION_TOKEN_INIT'
  | 'RSI_ATTESTATION_TOKEN_CONTINUE'
  | 'RSI_REALM_CONFIG'
  | 'RSI_IPA_STATE_SET'
  | 'RSI_IPA_STATE_GET'
  | 'RSI_HOST_CALL';

/** The name of one of Islet's vendor RSI calls. @see islet-reference.md §2.10 @since 0.7.0 */
export type IsletRsiCommandName = 'RSI_ISLET_REALM_SEALING_KEY';

/**
 * One row of the RSI command table. `inputs[i]` names X(i+1); `outputs[i]` names X(i+1) of the
 * result (X0 is always the RSI status).
 * @see rmm-abi.md §5
 * @since 0.1.0
 */
export interface RsiCommand {
  /** The spec name (or Islet's, for a vendor call). */
  readonly name: RsiCommandName | IsletRsiCommandName;
  /** The FID. */
  readonly fid: number;
  /** Input registers X1.., in order. */
  readonly inputs: readonly string[];
  /** Output registers X1.., in order. */
  readonly outputs: readonly string[];
  /** What the register lists do not say. */
  readonly note?: string;
}

const words = (name: string): string[] => Array.from({ length: 8 }, (_, i) => `${name}[${i}]`);

/**
 * The RSI command table of RMM 1.0-rel0, in FID order.
 * @see rmm-abi.md §5
 * @since 0.1.0
 */
export const RSI_COMMANDS: readonly RsiCommand[] = [
  {
    name: 'RSI_VERSION',
    fid: SMC_RSI_VERSION,
    inputs: ['req_version'],
    outputs: ['lower', 'higher'],
  },
  { name: 'RSI_FEATURES', fid: SMC_RSI_FEATURES, inputs: ['index'], outputs: ['value'] },
  {
    name: 'RSI_MEASUREMENT_READ',
    fid: SMC_RSI_MEASUREMENT_READ,
    inputs: ['index'],
    outputs: words('value'),
    note: 'X1..X8 are the 64-byte slot as 8 little-endian u64 words.',
  },
  {
    name: 'RSI_MEASUREMENT_EXTEND',
    fid: SMC_RSI_MEASUREMENT_EXTEND,
    inputs: ['index', 'size', ...words('value')],
    outputs: [],
    note: 'X3..X10 are the value as 8 little-endian u64 words; size bytes of it are used.',
  },
  {
    name: 'RSI_ATTESTATION_TOKEN_INIT',
    fid: SMC_RSI_ATTESTATION_TOKEN_INIT,
    inputs: words('challenge'),
    outputs: ['max_size'],
    note: 'X1..X8 are the 64-byte challenge as 8 little-endian u64 words.',
  },
  {
    name: 'RSI_ATTESTATION_TOKEN_CONTINUE',
    fid: SMC_RSI_ATTESTATION_TOKEN_CONTINUE,
    inputs: ['addr', 'offset', 'size'],
    outputs: ['len'],
    note: 'X1 addr is an IPA.',
  },
  {
    name: 'RSI_REALM_CONFIG',
    fid: SMC_RSI_REALM_CONFIG,
    inputs: ['addr'],
    outputs: [],
    note: 'X1 addr is an IPA.',
  },
  {
    name: 'RSI_IPA_STATE_SET',
    fid: SMC_RSI_IPA_STATE_SET,
    inputs: ['base', 'top', 'ripas', 'flags'],
    outputs: ['new_base', 'response'],
    note: 'X4 flags is RsiRipasChangeDestroyed; X2 response is RsiResponse.',
  },
  {
    name: 'RSI_IPA_STATE_GET',
    fid: SMC_RSI_IPA_STATE_GET,
    inputs: ['base', 'end'],
    outputs: ['top', 'ripas'],
  },
  {
    name: 'RSI_HOST_CALL',
    fid: SMC_RSI_HOST_CALL,
    inputs: ['addr'],
    outputs: [],
    note: 'X1 addr is an IPA of an RsiHostCall.',
  },
];

/**
 * Islet's vendor RSI calls, in FID order.
 * @see islet-reference.md §2.3, §2.10
 * @since 0.7.0
 */
export const ISLET_RSI_COMMANDS: readonly RsiCommand[] = [
  {
    name: 'RSI_ISLET_REALM_SEALING_KEY',
    fid: SMC_RSI_ISLET_REALM_SEALING_KEY,
    inputs: ['flags', 'svn'],
    outputs: ['key[0]', 'key[1]', 'key[2]', 'key[3]'],
    note: 'X1 holds IsletSealingKeyFlag bits; the key comes back as 4 little-endian u64 words.',
  },
];

const RSI_BY_FID: ReadonlyMap<number, RsiCommand> = new Map(RSI_COMMANDS.map((c) => [c.fid, c]));

/**
 * The row of {@link RSI_COMMANDS} for `fid`, or `undefined` (the RMM answers X0 = -1 to the
 * realm). Strip the SVE hint first.
 * @see rmm-abi.md §1.1, §5
 * @since 0.1.0
 */
export function rsiCommandByFid(fid: number): RsiCommand | undefined {
  return RSI_BY_FID.get(fid);
}
