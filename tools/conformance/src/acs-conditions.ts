/**
 * The parser of the ACS failure-condition dump (`acs-conditions-v10.txt`: Arm CCA RMM ACS
 * v1.0_REL0_12.24 `test/command/cmd_*\/{rmi,rsi,psci}_*_data.h`, one condition per line under a
 * `## ` header). The suite's cases carry their expectations in code; tests parse the dump with
 * this and check that every line has exactly one case with the same status and index.
 * @module
 */
import { type Abi, statusByName } from './status.ts';

/** One failure condition of the ACS table. */
export interface AcsCondition {
  /** The interface: RMI (host to RMM), RSI or PSCI (realm to RMM). */
  readonly abi: Abi;
  /**
   * The command, e.g. `RMI_DATA_CREATE` (from the `rmi_data_create_data.h` header), `RSI_HOST_CALL`
   * or `PSCI_CPU_ON`.
   */
  readonly command: string;
  /** The spec label as ACS spells it, e.g. `rtt_walk` or `calling state`. */
  readonly label: string;
  /** The ACS intent, e.g. `IPA_NOT_MAPPED`. */
  readonly intent: string;
  /** The expected status by name, e.g. `RMI_ERROR_RTT` or `PSCI_E_INVALID_PARAMS`. */
  readonly statusName: string;
  /** The expected status value (a PSCI return code is negative). */
  readonly status: number;
  /** The expected index (0 when the table leaves it blank). */
  readonly index: number;
}

const HEADER = /^## cmd_[a-z0-9_]+\/(rmi|rsi|psci)_([a-z0-9_]+)_data\.h\s*$/;
// Columns are separated by two or more spaces; a label may contain one (`calling state`).
const LINE = /^\s{2}(\S(?:.*?\S)?)\s{2,}(\S+)\s+(\S+)\s*(\d+)?\s*$/;

/**
 * The conditions of the dump, in file order, or only those of `abis`.
 * @throws {SyntaxError} on a line that does not parse, names an unknown status, or a status of
 *   another interface than its section's.
 */
export function parseAcsConditions(
  text: string,
  abis: readonly Abi[] = ['RMI', 'RSI', 'PSCI'],
): AcsCondition[] {
  const out: AcsCondition[] = [];
  let section: { abi: Abi; command: string } | undefined;
  for (const [n, line] of text.split('\n').entries()) {
    if (line.startsWith('## ')) {
      const m = HEADER.exec(line);
      const abi = m?.[1]?.toUpperCase() as Abi | undefined;
      section = m && abi ? { abi, command: `${abi}_${m[2]!.toUpperCase()}` } : undefined;
      continue;
    }
    if (section === undefined || line.trim() === '') continue;
    const m = LINE.exec(line);
    const status = m ? statusByName(m[3]!) : undefined;
    if (!m || status === undefined || status.abi !== section.abi) {
      throw new SyntaxError(`acs-conditions line ${n + 1} does not parse: ${JSON.stringify(line)}`);
    }
    if (!abis.includes(section.abi)) continue;
    out.push({
      abi: section.abi,
      command: section.command,
      label: m[1]!,
      intent: m[2]!,
      statusName: m[3]!,
      status: status.status,
      index: m[4] === undefined ? 0 : Number(m[4]),
    });
  }
  return out;
}

/** The stable case id of a condition: `COMMAND/label/INTENT`, spaces in the label as `_`. */
export function conditionId(command: string, label: string, intent: string): string {
  return `${command}/${label.replace(/ /g, '_')}/${intent}`;
}
