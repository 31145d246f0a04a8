// Human report for a terminal: one block per finding, worst first, then the counts.
import type { AuditResult } from '../engine';
import { SEVERITIES, type Finding } from '../types';

function where(f: Finding): string {
  const statement = f.statement === undefined ? '' : ` statement ${JSON.stringify(f.statement)}`;
  const location = f.location ? ` (${f.location.file}${f.location.line === undefined ? '' : `:${f.location.line}`})` : '';
  return `${f.resource}${statement}${location}`;
}

/**
 * @example
 * // given: declare const result: AuditResult;
 * process.stdout.write(renderTable(result));
 */
export function renderTable(result: AuditResult): string {
  const lines: string[] = [];
  const width = Math.max(0, ...result.findings.map((f) => f.severity.length));
  for (const f of result.findings) {
    lines.push(`${f.severity.toUpperCase().padEnd(width)}  ${f.kind}${f.baselineState === 'new' ? ' [new]' : ''}  ${where(f)}`);
    lines.push(`${' '.repeat(width)}  ${f.message}`);
  }
  if (result.findings.length === 0) lines.push('No findings.');
  const counts = SEVERITIES.map((s) => `${result.summary.bySeverity[s]} ${s}`).join(', ');
  const leftOut = result.summary.leftOut;
  const outOfReach =
    leftOut && leftOut.awsOwnedResources + leftOut.serviceLinkedRoles > 0
      ? `; left out, not yours to fix: ${leftOut.awsOwnedResources} on AWS-owned resources, ${leftOut.serviceLinkedRoles} on service-linked roles`
      : '';
  lines.push('', `${result.summary.total} finding(s): ${counts}${outOfReach}`);
  lines.push(...suppressionLines(result));
  return `${lines.join('\n')}\n`;
}

/** One line for what was suppressed and why, one for entries that matched nothing. */
function suppressionLines(result: AuditResult): string[] {
  const lines: string[] = [];
  const suppressed = result.suppressed ?? [];
  if (suppressed.length > 0) {
    const byReason = new Map<string, number>();
    for (const f of suppressed) byReason.set(f.suppression.reason, (byReason.get(f.suppression.reason) ?? 0) + 1);
    lines.push(
      `${suppressed.length} suppressed (not counted): ${[...byReason].map(([reason, n]) => `${n} × ${JSON.stringify(reason)}`).join('; ')}`,
    );
  }
  const stale = result.summary.suppressions?.stale ?? [];
  if (stale.length > 0) {
    lines.push(
      `${stale.length} stale suppression(s) matched nothing: ${stale.map((s) => `${s.kind} ${s.resource}${s.statement === undefined ? '' : ` statement ${JSON.stringify(s.statement)}`}`).join('; ')}`,
    );
  }
  return lines;
}
