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
  it('reads 381 RMI conditions of 21 commands, 22 RSI of 7 and 5 PSCI of 2', () => {
    const count = (abi: string) => {
      const of = conditions.filter((c) => c.abi === abi);
      return [of.length, new Set(of.map((c) => c.command)).size];
    };
    expect(conditions).toHaveLength(408);
    expect(count('RMI')).toEqual([381, 21]);
    expect(count('RSI')).toEqual([22, 7]);
    expect(count('PSCI')).toEqual([5, 2]);
  });

  it('has exactly one case per condition line, with its interface, status and index', () => {
    const byId = new Map(conditionCases.map((c) => [c.id, c]));
    const missing: string[] = [];
    const wrong: string[] = [];
    for (const c of conditions) {
      const id = conditionId(c.command, c.label, c.intent);
      const k = byId.get(id);
      if (k === undefined) missing.push(id);
      else if (
        (k.expected.abi ?? 'RMI') !== c.abi ||
        k.expected.status !== c.status ||
        k.expected.index !== c.index
      ) {
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

  it('has a success case for every command', () => {
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

  it('skips only what needs unmodelled hardware or RMM 1.1', () => {
    expect([...SKIPPED_CASES.keys()].sort()).toMatchInlineSnapshot(`
      [
        "RMI_DATA_CREATE/data_bound2/DATA_LPA2_PA",
        "RMI_DATA_CREATE_UNKNOWN/data_bound2/DATA_LPA2_PA",
        "RMI_RTT_CREATE/rtt_bound2/RTT_LPA2_PA",
        "RMI_RTT_SET_RIPAS/aux_live/IPA_AUX_LIVE",
      ]
    `);
  });
});
