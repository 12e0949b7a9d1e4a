import { describe, expect, it } from 'vitest';
import { conditionId, parseAcsConditions } from '../src/acs-conditions.ts';

const SAMPLE = `## cmd_cpu_on/psci_cpu_on_data.h
  entry                                    ENTRY_ADDR_UNPROTECTED                     PSCI_E_INVALID_ADDRESS 
## cmd_host_call/rsi_host_call_data.h
  addr_align                               ADDR_UNALIGNED                             RSI_ERROR_INPUT        
## cmd_psci_complete/rmi_psci_complete_data.h
  calling state                            CALLING_GRAN_STATE_RD                      RMI_ERROR_INPUT        0
## cmd_rtt_fold/rmi_rtt_fold_data.h
  rtt_walk                                 IPA_NOT_MAPPED                             RMI_ERROR_RTT          
  rtte_homo                                RTT_NON_HOMOGENEOUS                        RMI_ERROR_RTT          3
`;

describe('parseAcsConditions', () => {
  it('reads every section with its interface, labels with spaces, a blank index as 0', () => {
    expect(parseAcsConditions(SAMPLE)).toEqual([
      {
        abi: 'PSCI',
        command: 'PSCI_CPU_ON',
        label: 'entry',
        intent: 'ENTRY_ADDR_UNPROTECTED',
        statusName: 'PSCI_E_INVALID_ADDRESS',
        status: -9,
        index: 0,
      },
      {
        abi: 'RSI',
        command: 'RSI_HOST_CALL',
        label: 'addr_align',
        intent: 'ADDR_UNALIGNED',
        statusName: 'RSI_ERROR_INPUT',
        status: 1,
        index: 0,
      },
      {
        abi: 'RMI',
        command: 'RMI_PSCI_COMPLETE',
        label: 'calling state',
        intent: 'CALLING_GRAN_STATE_RD',
        statusName: 'RMI_ERROR_INPUT',
        status: 1,
        index: 0,
      },
      {
        abi: 'RMI',
        command: 'RMI_RTT_FOLD',
        label: 'rtt_walk',
        intent: 'IPA_NOT_MAPPED',
        statusName: 'RMI_ERROR_RTT',
        status: 4,
        index: 0,
      },
      {
        abi: 'RMI',
        command: 'RMI_RTT_FOLD',
        label: 'rtte_homo',
        intent: 'RTT_NON_HOMOGENEOUS',
        statusName: 'RMI_ERROR_RTT',
        status: 4,
        index: 3,
      },
    ]);
  });

  it('keeps the sections of the interfaces asked for', () => {
    expect(parseAcsConditions(SAMPLE, ['RSI', 'PSCI']).map((c) => c.command)).toEqual([
      'PSCI_CPU_ON',
      'RSI_HOST_CALL',
    ]);
  });

  it('rejects a line it cannot read, an unknown status, or one of another interface', () => {
    expect(() => parseAcsConditions('## cmd_x/rmi_x_data.h\n  oops\n')).toThrow(SyntaxError);
    expect(() =>
      parseAcsConditions('## cmd_x/rmi_x_data.h\n  a_b    INTENT    RMI_ERROR_BOGUS    0\n'),
    ).toThrow(/line 2/);
    expect(() =>
      parseAcsConditions('## cmd_x/rsi_x_data.h\n  a_b    INTENT    RMI_ERROR_INPUT    0\n'),
    ).toThrow(/line 2/);
  });

  it('builds ids with spaces as underscores', () => {
    expect(conditionId('RMI_PSCI_COMPLETE', 'calling state', 'CALLING_UNALIGNED')).toBe(
      'RMI_PSCI_COMPLETE/calling_state/CALLING_UNALIGNED',
    );
  });
});
