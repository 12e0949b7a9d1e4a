/**
 * The parser of the ACS failure-condition dump (`acs-conditions-v10.txt`: Arm CCA RMM ACS
 * v1.0_REL0_12.24 `test/command/cmd_*\/r?i_*_data.h`, one condition per line under a `## ` header).
 * The suite's cases carry their expectations in code; tests parse the dump with this and check
 * that every RMI line has exactly one case with the same status and index.
 * @module
 */
import { RMI_STATUS_BY_NAME } from './status.ts';

/** One RMI failure condition of the ACS table. */
export interface AcsCondition {
  /** The command, e.g. `RMI_DATA_CREATE` (from the `rmi_data_create_data.h` header). */
  readonly command: string;
  /** The spec label as ACS spells it, e.g. `rtt_walk` or `calling state`. */
  readonly label: string;
  /** The ACS intent, e.g. `IPA_NOT_MAPPED`. */
  readonly intent: string;
  /** The expected status by name, e.g. `RMI_ERROR_RTT`. */
  readonly statusName: string;
  /** The expected status value. */
  readonly status: number;
  /** The expected index (0 when the table leaves it blank). */
  readonly index: number;
}

const HEADER = /^## cmd_[a-z0-9_]+\/(r[ms]i)_([a-z0-9_]+)_data\.h\s*$/;
// Columns are separated by two or more spaces; a label may contain one (`calling state`).
const LINE = /^\s{2}(\S(?:.*?\S)?)\s{2,}(\S+)\s+(\S+)\s*(\d+)?\s*$/;

/**
 * The RMI conditions of the dump, in file order. RSI and PSCI sections are left out.
 * @throws {SyntaxError} on an RMI line that does not parse or names an unknown status.
 */
export function parseAcsConditions(text: string): AcsCondition[] {
  const out: AcsCondition[] = [];
  let command: string | undefined;
  for (const [n, line] of text.split('\n').entries()) {
    if (line.startsWith('## ')) {
      const m = HEADER.exec(line);
      command = m && m[1] === 'rmi' ? `RMI_${m[2]!.toUpperCase()}` : undefined;
      continue;
    }
    if (command === undefined || line.trim() === '') continue;
    const m = LINE.exec(line);
    const status = m ? RMI_STATUS_BY_NAME[m[3]!] : undefined;
    if (!m || status === undefined) {
      throw new SyntaxError(`acs-conditions line ${n + 1} does not parse: ${JSON.stringify(line)}`);
    }
    out.push({
      command,
      label: m[1]!,
      intent: m[2]!,
      statusName: m[3]!,
      status,
      index: m[4] === undefined ? 0 : Number(m[4]),
    });
  }
  return out;
}

/** The stable case id of a condition: `COMMAND/label/INTENT`, spaces in the label as `_`. */
export function conditionId(command: string, label: string, intent: string): string {
  return `${command}/${label.replace(/ /g, '_')}/${intent}`;
}
