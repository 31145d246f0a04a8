// JSON report: `{ "findings": [...], "suppressed": [...], "summary": {...} }`; `findings` holds active findings only.
import type { AuditResult } from '../engine';

/**
 * @example
 * // given: declare const result: AuditResult;
 * process.stdout.write(renderJson(result));
 */
export function renderJson(result: AuditResult): string {
  return `${JSON.stringify({ findings: result.findings, suppressed: result.suppressed ?? [], summary: result.summary }, null, 2)}\n`;
}
