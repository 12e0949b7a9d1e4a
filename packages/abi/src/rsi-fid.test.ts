import { describe, expect, it } from 'vitest';
import {
  ISLET_RSI_COMMANDS,
  RSI_COMMANDS,
  rsiCommandByFid,
  SMC_RSI_ATTESTATION_TOKEN_CONTINUE,
  SMC_RSI_ATTESTATION_TOKEN_INIT,
  SMC_RSI_FEATURES,
  SMC_RSI_HOST_CALL,
  SMC_RSI_IPA_STATE_GET,
  SMC_RSI_IPA_STATE_SET,
  SMC_RSI_ISLET_REALM_SEALING_KEY,
  SMC_RSI_MEASUREMENT_EXTEND,
  SMC_RSI_MEASUREMENT_READ,
  SMC_RSI_REALM_CONFIG,
  SMC_RSI_VERSION,
} from './rsi-fid.ts';

const w = (n: string) => Array.from({ length: 8 }, (_, i) => `${n}[${i}]`);

// rmm-abi.md §5 table: [name, FID literal, constant, inputs X1.., outputs X1..].
const TABLE: readonly (readonly [string, number, number, string[], string[]])[] = [
  ['RSI_VERSION', 0xc4000190, SMC_RSI_VERSION, ['req_version'], ['lower', 'higher']],
  ['RSI_FEATURES', 0xc4000191, SMC_RSI_FEATURES, ['index'], ['value']],
  ['RSI_MEASUREMENT_READ', 0xc4000192, SMC_RSI_MEASUREMENT_READ, ['index'], w('value')],
  [
    'RSI_MEASUREMENT_EXTEND',
    0xc4000193,
    SMC_RSI_MEASUREMENT_EXTEND,
    ['index', 'size', ...w('value')],
    [],
  ],
  [
    'RSI_ATTESTATION_TOKEN_INIT',
    0xc4000194,
    SMC_RSI_ATTESTATION_TOKEN_INIT,
    w('challenge'),
    ['max_size'],
  ],
  [
    'RSI_ATTESTATION_TOKEN_CONTINUE',
    0xc4000195,
    SMC_RSI_ATTESTATION_TOKEN_CONTINUE,
    ['addr', 'offset', 'size'],
    ['len'],
  ],
  ['RSI_REALM_CONFIG', 0xc4000196, SMC_RSI_REALM_CONFIG, ['addr'], []],
  [
    'RSI_IPA_STATE_SET',
    0xc4000197,
    SMC_RSI_IPA_STATE_SET,
    ['base', 'top', 'ripas', 'flags'],
    ['new_base', 'response'],
  ],
  ['RSI_IPA_STATE_GET', 0xc4000198, SMC_RSI_IPA_STATE_GET, ['base', 'end'], ['top', 'ripas']],
  ['RSI_HOST_CALL', 0xc4000199, SMC_RSI_HOST_CALL, ['addr'], []],
];

describe('RSI FIDs of RMM 1.0-rel0 (rmm-abi.md §5)', () => {
  it.each(TABLE)('%s = 0x%s', (_name, literal, constant) => {
    expect(constant).toBe(literal);
  });
  it('the command table matches the digest', () => {
    expect(RSI_COMMANDS.map((c) => [c.name, c.fid, c.inputs, c.outputs])).toEqual(
      TABLE.map(([name, fid, , inputs, outputs]) => [name, fid, inputs, outputs]),
    );
  });
  it('MEASUREMENT_EXTEND takes X1..X10 and MEASUREMENT_READ returns X1..X8', () => {
    expect(rsiCommandByFid(0xc4000193)?.inputs).toHaveLength(10);
    expect(rsiCommandByFid(0xc4000192)?.outputs).toHaveLength(8);
    expect(rsiCommandByFid(0xc400019a)).toBeUndefined();
  });
});

describe("Islet's vendor RSI calls (islet-reference.md §2.3, §2.10)", () => {
  it('RSI_ISLET_REALM_SEALING_KEY = 0xC7000191: X1 flags, X2 svn → X1..X4 key', () => {
    expect(SMC_RSI_ISLET_REALM_SEALING_KEY).toBe(0xc7000191);
    expect(ISLET_RSI_COMMANDS.map((c) => [c.name, c.fid, c.inputs, c.outputs])).toEqual([
      [
        'RSI_ISLET_REALM_SEALING_KEY',
        0xc7000191,
        ['flags', 'svn'],
        ['key[0]', 'key[1]', 'key[2]', 'key[3]'],
      ],
    ]);
  });
  it('are not RMM 1.0 commands', () => {
    expect(rsiCommandByFid(SMC_RSI_ISLET_REALM_SEALING_KEY)).toBeUndefined();
  });
});
