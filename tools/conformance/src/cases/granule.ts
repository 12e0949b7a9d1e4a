/**
 * RMI_GRANULE_DELEGATE and RMI_GRANULE_UNDELEGATE.
 * @see rmm-abi.md §2.3, §2.4
 * @module
 */
import { SMC_RMI_GRANULE_DELEGATE, SMC_RMI_GRANULE_UNDELEGATE } from '@islet/abi';
import { type ConformanceCase, commandCases, success } from '../case.ts';
import type { Fixture } from '../fixture.ts';
import { addressCases } from './common.ts';

const delegate = (a: { addr: bigint }) => ({ fid: SMC_RMI_GRANULE_DELEGATE, args: [a.addr] });
const undelegate = (a: { addr: bigint }) => ({ fid: SMC_RMI_GRANULE_UNDELEGATE, args: [a.addr] });

/** RMI_GRANULE_DELEGATE: every condition is RMI_ERROR_INPUT. */
export const RMI_GRANULE_DELEGATE_CASES: ConformanceCase[] = commandCases('RMI_GRANULE_DELEGATE', [
  ...addressCases(
    'addr',
    [
      ['gran_align', 'ADDR_UNALIGNED', 'UNALIGNED'],
      ['gran_bound', 'ADDR_DEV_MEM_MMIO', 'MMIO'],
      ['gran_bound', 'ADDR_OUTSIDE_OF_PERMITTED_PA', 'OUTSIDE_PA'],
      ['gran_state', 'ADDR_DELEGATED', 'DELEGATED'],
      ['gran_state', 'ADDR_REC', 'REC'],
      ['gran_state', 'ADDR_DATA', 'DATA'],
      ['gran_state', 'ADDR_RTT', 'RTT'],
      ['gran_state', 'ADDR_RD', 'RD'],
      ['gran_gpt', 'GRANULE_GPT_REALM', 'REALM_PAS'],
      ['gran_gpt', 'GRANULE_GPT_SECURE', 'SECURE_PAS'],
    ],
    (fx) => ({ addr: fx.granule() }),
    delegate,
  ),
  success('host_loses_access', (fx) => {
    const addr = fx.granule();
    return {
      ...delegate({ addr }),
      check: () =>
        fx.hostCanRead(addr) ? 'the host can still read the delegated granule' : undefined,
    };
  }),
]);

/** Writes a pattern, delegates, and returns the granule. */
function delegatedWithPattern(fx: Fixture): bigint {
  const addr = fx.granule();
  fx.target.host.memory.write(addr, new Uint8Array(0x1000).fill(0xa5));
  fx.must(SMC_RMI_GRANULE_DELEGATE, addr);
  return addr;
}

/** RMI_GRANULE_UNDELEGATE: every condition is RMI_ERROR_INPUT. */
export const RMI_GRANULE_UNDELEGATE_CASES: ConformanceCase[] = commandCases(
  'RMI_GRANULE_UNDELEGATE',
  [
    ...addressCases(
      'addr',
      [
        ['gran_align', 'ADDR_UNALIGNED', 'UNALIGNED'],
        ['gran_bound', 'ADDR_DEV_MEM_MMIO', 'MMIO'],
        ['gran_bound', 'ADDR_OUTSIDE_OF_PERMITTED_PA', 'OUTSIDE_PA'],
        ['gran_state', 'ADDR_UNDELEGATED', 'UNDELEGATED'],
        ['gran_state', 'ADDR_REC', 'REC'],
        ['gran_state', 'ADDR_DATA', 'DATA'],
        ['gran_state', 'ADDR_RTT', 'RTT'],
        ['gran_state', 'ADDR_RD', 'RD'],
      ],
      (fx) => ({ addr: fx.delegated() }),
      undelegate,
    ),
    success('host_regains_zeroed_access', (fx) => {
      const addr = delegatedWithPattern(fx);
      return {
        ...undelegate({ addr }),
        check: () => {
          let bytes: Uint8Array;
          try {
            bytes = fx.target.host.memory.read(addr, 0x1000);
          } catch (err) {
            return `the host cannot read the undelegated granule: ${String(err)}`;
          }
          return bytes.every((b) => b === 0)
            ? undefined
            : 'the undelegated granule still holds the data written before delegation';
        },
      };
    }),
  ],
);
