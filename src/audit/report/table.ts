// Human report for a terminal: one block per finding, worst first, then the counts.
import type { AuditResult } from '../engine';
import { SEVERITIES, type Finding } from '../types';

function where(f: Finding): string {
  const statement = f.statement === undefined ? '' : ` statement ${JSON.stringify(f.statement)}`;
  const location = f.location ? ` (${f.location.file}${f.location.line === undefined ? '' : `:${f.location.line}`})` : '';
  return `${f.resource}${statement}${location}`;
}

/** @example process.stdout.write(renderTable(result)); */
export function renderTable(result: AuditResult): string {
  const lines: string[] = [];
  const width = Math.max(0, ...result.findings.map((f) => f.severity.length));
  for (const f of result.findings) {
    lines.push(`${f.severity.toUpperCase().padEnd(width)}  ${f.kind}${f.baselineState === 'new' ? ' [new]' : ''}  ${where(f)}`);
    lines.push(`${' '.repeat(width)}  ${f.message}`);
  }
  if (result.findings.length === 0) lines.push('No findings.');
  const counts = SEVERITIES.map((s) => `${result.summary.bySeverity[s]} ${s}`).join(', ');
  lines.push('', `${result.summary.total} finding(s): ${counts}`);
  return `${lines.join('\n')}\n`;
}
