/**
 * The text rendering of a conformance report: one table per command (condition, expected, got,
 * verdict; the reason under a failing row), then the skipped cases with their reasons, the passes
 * that hold only under their setup (notes), then the count line.
 * @module
 */
import type { CaseResult, ConformanceReport } from './runner.ts';

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** Renders `report` as text, ending with the pass count line. */
export function formatReport(report: ConformanceReport): string {
  const lines: string[] = [];
  const width = Math.max(9, ...report.cases.map((r) => r.condition.length));
  const cols = Math.max(8, ...report.cases.map((r) => Math.max(r.expected.length, r.got.length)));
  const byCommand = new Map<string, CaseResult[]>();
  for (const r of report.cases) {
    const rows = byCommand.get(r.command) ?? [];
    rows.push(r);
    byCommand.set(r.command, rows);
  }
  for (const [command, rows] of byCommand) {
    lines.push(command);
    lines.push(
      `  ${pad('condition', width)}  ${pad('expected', cols)}  ${pad('got', cols)}  verdict`,
    );
    for (const r of rows) {
      const verdict = r.verdict === 'pass' ? 'pass' : r.verdict === 'fail' ? 'FAIL' : 'skip';
      lines.push(
        `  ${pad(r.condition, width)}  ${pad(r.expected, cols)}  ${pad(r.got || '-', cols)}  ${verdict}`,
      );
      if (r.verdict === 'fail' && r.reason !== undefined) lines.push(`      ${r.reason}`);
    }
    lines.push('');
  }
  const skipped = report.cases.filter((r) => r.verdict === 'skip');
  if (skipped.length > 0) {
    lines.push(`Skipped (${skipped.length}):`);
    for (const r of skipped) lines.push(`  ${r.id}: ${r.reason ?? ''}`);
    lines.push('');
  }
  const notes = new Map<string, string[]>();
  for (const r of report.cases) {
    if (r.verdict !== 'pass' || r.note === undefined) continue;
    const ids = notes.get(r.note) ?? [];
    ids.push(r.id);
    notes.set(r.note, ids);
  }
  if (notes.size > 0) {
    lines.push('Passed under the given setup only:');
    for (const [note, ids] of notes) {
      lines.push(`  ${note}:`);
      for (const id of ids) lines.push(`    ${id}`);
    }
    lines.push('');
  }
  const total = report.cases.length;
  lines.push(
    `${report.passed}/${total - report.skipped} passed, ${report.failed} failed, ${report.skipped} skipped (${total} cases)`,
  );
  return lines.join('\n');
}
