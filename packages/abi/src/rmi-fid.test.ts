import { describe, expect, it } from 'vitest';
import {
  RMI_COMMANDS,
  RMI_UNUSED_FIDS,
  rmiCommandByFid,
  SMC_RMI_DATA_CREATE,
  SMC_RMI_DATA_CREATE_UNKNOWN,
  SMC_RMI_DATA_DESTROY,
  SMC_RMI_FEATURES,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_GRANULE_UNDELEGATE,
  SMC_RMI_PSCI_COMPLETE,
  SMC_RMI_REALM_ACTIVATE,
  SMC_RMI_REALM_CREATE,
  SMC_RMI_REALM_DESTROY,
  SMC_RMI_REC_AUX_COUNT,
  SMC_RMI_REC_CREATE,
  SMC_RMI_REC_DESTROY,
  SMC_RMI_REC_ENTER,
  SMC_RMI_RTT_CREATE,
  SMC_RMI_RTT_DESTROY,
  SMC_RMI_RTT_FOLD,
  SMC_RMI_RTT_INIT_RIPAS,
  SMC_RMI_RTT_MAP_UNPROTECTED,
  SMC_RMI_RTT_READ_ENTRY,
  SMC_RMI_RTT_SET_RIPAS,
  SMC_RMI_RTT_UNMAP_UNPROTECTED,
  SMC_RMI_VERSION,
} from './rmi-fid.ts';
import { isRmiFid, SMC64_RMI_FNUM_MAX, SMC64_RMI_FNUM_MIN } from './smc.ts';

// rmm-abi.md §2, the FID table, row by row: [name, FID literal, constant, inputs, outputs].
const TABLE: readonly (readonly [string, number, number, string[], string[]])[] = [
  ['RMI_VERSION', 0xc4000150, SMC_RMI_VERSION, ['req_version'], ['lower', 'higher']],
  ['RMI_GRANULE_DELEGATE', 0xc4000151, SMC_RMI_GRANULE_DELEGATE, ['addr'], []],
  ['RMI_GRANULE_UNDELEGATE', 0xc4000152, SMC_RMI_GRANULE_UNDELEGATE, ['addr'], []],
  ['RMI_DATA_CREATE', 0xc4000153, SMC_RMI_DATA_CREATE, ['rd', 'data', 'ipa', 'src', 'flags'], []],
  ['RMI_DATA_CREATE_UNKNOWN', 0xc4000154, SMC_RMI_DATA_CREATE_UNKNOWN, ['rd', 'data', 'ipa'], []],
  ['RMI_DATA_DESTROY', 0xc4000155, SMC_RMI_DATA_DESTROY, ['rd', 'ipa'], ['data', 'top']],
  ['RMI_REALM_ACTIVATE', 0xc4000157, SMC_RMI_REALM_ACTIVATE, ['rd'], []],
  ['RMI_REALM_CREATE', 0xc4000158, SMC_RMI_REALM_CREATE, ['rd', 'params_ptr'], []],
  ['RMI_REALM_DESTROY', 0xc4000159, SMC_RMI_REALM_DESTROY, ['rd'], []],
  ['RMI_REC_CREATE', 0xc400015a, SMC_RMI_REC_CREATE, ['rd', 'rec', 'params_ptr'], []],
  ['RMI_REC_DESTROY', 0xc400015b, SMC_RMI_REC_DESTROY, ['rec'], []],
  ['RMI_REC_ENTER', 0xc400015c, SMC_RMI_REC_ENTER, ['rec', 'run_ptr'], []],
  ['RMI_RTT_CREATE', 0xc400015d, SMC_RMI_RTT_CREATE, ['rd', 'rtt', 'ipa', 'level'], []],
  ['RMI_RTT_DESTROY', 0xc400015e, SMC_RMI_RTT_DESTROY, ['rd', 'ipa', 'level'], ['rtt', 'top']],
  [
    'RMI_RTT_MAP_UNPROTECTED',
    0xc400015f,
    SMC_RMI_RTT_MAP_UNPROTECTED,
    ['rd', 'ipa', 'level', 'desc'],
    [],
  ],
  [
    'RMI_RTT_READ_ENTRY',
    0xc4000161,
    SMC_RMI_RTT_READ_ENTRY,
    ['rd', 'ipa', 'level'],
    ['walk_level', 'state', 'desc', 'ripas'],
  ],
  [
    'RMI_RTT_UNMAP_UNPROTECTED',
    0xc4000162,
    SMC_RMI_RTT_UNMAP_UNPROTECTED,
    ['rd', 'ipa', 'level'],
    ['top'],
  ],
  [
    'RMI_PSCI_COMPLETE',
    0xc4000164,
    SMC_RMI_PSCI_COMPLETE,
    ['calling_rec', 'target_rec', 'status'],
    [],
  ],
  ['RMI_FEATURES', 0xc4000165, SMC_RMI_FEATURES, ['index'], ['value']],
  ['RMI_RTT_FOLD', 0xc4000166, SMC_RMI_RTT_FOLD, ['rd', 'ipa', 'level'], ['rtt']],
  ['RMI_REC_AUX_COUNT', 0xc4000167, SMC_RMI_REC_AUX_COUNT, ['rd'], ['aux_count']],
  ['RMI_RTT_INIT_RIPAS', 0xc4000168, SMC_RMI_RTT_INIT_RIPAS, ['rd', 'base', 'top'], ['out_top']],
  [
    'RMI_RTT_SET_RIPAS',
    0xc4000169,
    SMC_RMI_RTT_SET_RIPAS,
    ['rd', 'rec', 'base', 'top'],
    ['out_top'],
  ],
];

describe('RMI FIDs of RMM 1.0-rel0 (rmm-abi.md §2)', () => {
  it.each(TABLE)('%s = 0x%s', (_name, literal, constant) => {
    expect(constant).toBe(literal);
  });
  it('the command table has every command, in FID order, with the digest registers', () => {
    expect(RMI_COMMANDS.map((c) => [c.name, c.fid, c.inputs, c.outputs])).toEqual(
      TABLE.map(([name, fid, , inputs, outputs]) => [name, fid, inputs, outputs]),
    );
  });
  it('inputs fit X1..X5 and outputs X1..X4 (TF-RMM smc_handlers[])', () => {
    for (const c of RMI_COMMANDS) {
      expect(c.inputs.length).toBeLessThanOrEqual(5);
      expect(c.outputs.length).toBeLessThanOrEqual(4);
    }
  });
  it('unused slots 0x156, 0x160, 0x163', () => {
    expect(RMI_UNUSED_FIDS).toEqual([0xc4000156, 0xc4000160, 0xc4000163]);
    for (const fid of RMI_UNUSED_FIDS) {
      expect(rmiCommandByFid(fid)).toBeUndefined();
      expect(isRmiFid(fid)).toBe(true);
    }
  });
  it('every FID in the RMI range is a command or an unused slot', () => {
    for (let fnum = SMC64_RMI_FNUM_MIN; fnum <= SMC64_RMI_FNUM_MAX; fnum++) {
      const fid = (0xc400_0000 | fnum) >>> 0;
      expect(rmiCommandByFid(fid) !== undefined || RMI_UNUSED_FIDS.includes(fid)).toBe(true);
    }
  });
  it('looks commands up by FID', () => {
    expect(rmiCommandByFid(0xc4000158)?.name).toBe('RMI_REALM_CREATE');
    expect(rmiCommandByFid(0xc401_0158)).toBeUndefined();
  });
});
