import { describe, expect, it } from 'vitest';
import { probeProgram, REALM_CALL_CASES } from '../src/cases/realm-calls.ts';

describe('the probe program', () => {
  const program = probeProgram();

  it('makes one call per RSI and PSCI case, in case order, between its setup probes', () => {
    const ids = [...program.matchAll(/\["([^"]+)",\d+,/g)].map((m) => m[1]);
    const cases = REALM_CALL_CASES.map((c) => c.id);
    expect(ids.filter((id) => !id?.startsWith('probe/'))).toEqual(cases);
    // The token is initialised before the first CONTINUE; the checks' reads follow their calls.
    const at = (id: string) => ids.indexOf(id);
    expect(at('probe/RSI_ATTESTATION_TOKEN_INIT/setup')).toBeLessThan(
      at('RSI_ATTESTATION_TOKEN_CONTINUE/addr_align/ADDR_ALIGN'),
    );
    expect(at('probe/RSI_MEASUREMENT_READ/rem0_after_extend')).toBeGreaterThan(
      at('RSI_MEASUREMENT_EXTEND/success/extends_rem0'),
    );
    expect(at('probe/RSI_IPA_STATE_GET/after_set')).toBeGreaterThan(
      at('RSI_IPA_STATE_SET/success/changes_ripas'),
    );
    // PSCI AFFINITY_INFO's success asks about the REC that CPU_ON's success powered on.
    expect(at('PSCI_AFFINITY_INFO/success/reports_on')).toBeGreaterThan(
      at('PSCI_CPU_ON/success/powers_on'),
    );
  });

  it('is one fixed text, so the realm it makes has one identity', () => {
    expect(probeProgram()).toBe(program);
    expect(program).toMatch(/^\/\/ @islet\/conformance/);
  });
});
