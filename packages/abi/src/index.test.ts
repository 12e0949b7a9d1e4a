import { describe, expect, it } from 'vitest';
import * as Abi from './index.ts';

describe('public API', () => {
  it('exports every name with a defined value', () => {
    for (const [name, value] of Object.entries(Abi)) {
      expect(value, name).not.toBeUndefined();
    }
    expect(Abi.RMM_SPEC_REVISION).toBe('RMM 1.0-rel0');
    expect(Abi.SMC_RMI_REALM_CREATE).toBe(0xc4000158);
    expect(Abi.SMC_RSI_HOST_CALL).toBe(0xc4000199);
    expect(Abi.SMC_RMM_REQ_COMPLETE).toBe(0xc400018f);
  });
});
