import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { conditionId, parseAcsConditions } from '../src/acs-conditions.ts';
import { SkipReason } from '../src/skips.ts';
import { formatStatus } from '../src/status.ts';
import { CONFORMANCE_CASES, SKIPPED_CASES } from '../src/suite.ts';

const table = readFileSync(new URL('../acs-conditions-v10.txt', import.meta.url), 'utf8');
const conditions = parseAcsConditions(table);
const conditionCases = CONFORMANCE_CASES.filter((c) => c.label !== 'success');

describe('the case list against the ACS condition table', () => {
  it('reads 381 RMI conditions of 21 commands', () => {
    expect(conditions).toHaveLength(381);
    expect(new Set(conditions.map((c) => c.command)).size).toBe(21);
  });

  it('has exactly one case per RMI condition line, with its status and index', () => {
    const byId = new Map(conditionCases.map((c) => [c.id, c]));
    const missing: string[] = [];
    const wrong: string[] = [];
    for (const c of conditions) {
      const id = conditionId(c.command, c.label, c.intent);
      const k = byId.get(id);
      if (k === undefined) missing.push(id);
      else if (k.expected.status !== c.status || k.expected.index !== c.index) {
        wrong.push(`${id}: case ${formatStatus(k.expected)}, table ${c.statusName}(${c.index})`);
      }
    }
    expect(missing).toEqual([]);
    expect(wrong).toEqual([]);
    expect(conditionCases).toHaveLength(conditions.length);
  });

  it('gives every case a unique id', () => {
    const ids = CONFORMANCE_CASES.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has a success case for every RMI command', () => {
    const withSuccess = new Set(
      CONFORMANCE_CASES.filter((c) => c.label === 'success').map((c) => c.command),
    );
    expect([...withSuccess].sort()).toEqual(
      [...new Set([...conditions.map((c) => c.command), 'RMI_VERSION', 'RMI_FEATURES'])].sort(),
    );
  });

  it('gives every case a setup or a skip reason from the skip list', () => {
    const reasons = new Set<string>(Object.values(SkipReason));
    for (const c of CONFORMANCE_CASES) {
      expect(c.setup !== undefined || c.skip !== undefined, c.id).toBe(true);
      if (c.skip !== undefined) expect(reasons.has(c.skip), c.id).toBe(true);
    }
  });

  it('skips only what needs unmodelled hardware, a running realm, or RMM 1.1', () => {
    expect([...SKIPPED_CASES.keys()].sort()).toMatchInlineSnapshot(`
      [
        "RMI_DATA_CREATE/data_bound2/DATA_LPA2_PA",
        "RMI_DATA_CREATE/realm_state/REALM_SYSTEM_OFF",
        "RMI_DATA_CREATE_UNKNOWN/data_bound2/DATA_LPA2_PA",
        "RMI_PSCI_COMPLETE/owner/TARGET_OTHER_OWNER",
        "RMI_PSCI_COMPLETE/status/STATUS_NOT_PERMITTED",
        "RMI_PSCI_COMPLETE/success/completes_request",
        "RMI_PSCI_COMPLETE/target/TARGET_OTHER_MPIDR",
        "RMI_REALM_ACTIVATE/realm_state/REALM_SYSTEM_OFF",
        "RMI_REC_CREATE/realm_state/REALM_SYSTEM_OFF",
        "RMI_REC_ENTER/rec_psci/REC_PSCI_PENDING",
        "RMI_REC_ENTER/run_bound_compare_system_off/RUN_DEV_MEM_REALM_SYSTEM_OFF",
        "RMI_REC_ENTER/run_pas_compare_system_off/RUN_PAS_SECURE_REALM_SYSTEM_OFF",
        "RMI_REC_ENTER/success/runs",
        "RMI_REC_ENTER/system_off/REALM_SYSTEM_OFF",
        "RMI_RTT_CREATE/rtt_bound2/RTT_LPA2_PA",
        "RMI_RTT_INIT_RIPAS/realm_state/REALM_SYSTEM_OFF",
        "RMI_RTT_SET_RIPAS/aux_live/IPA_AUX_LIVE",
        "RMI_RTT_SET_RIPAS/base_align/BASE_UNALIGNED",
        "RMI_RTT_SET_RIPAS/base_bound/BASE_MISMATCH",
        "RMI_RTT_SET_RIPAS/base_bound_compare_base_align/BASE_MISMATCH_BASE_UNALIGNED",
        "RMI_RTT_SET_RIPAS/no_progress/TOP_LEVEL_UNALIGNED",
        "RMI_RTT_SET_RIPAS/success/applies_request",
        "RMI_RTT_SET_RIPAS/top_bound/TOP_OUT_OF_BOUND",
        "RMI_RTT_SET_RIPAS/top_gran_align/TOP_GRAN_UNALIGNED",
        "RMI_RTT_SET_RIPAS/top_gran_align_compare_no_progress/TOP_GRAN_UNALIGNED_TOP_LEVEL_UNALIGNED",
      ]
    `);
  });
});
