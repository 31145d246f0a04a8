// JSON report: `{ "findings": [...], "summary": {...} }`.
import type { AuditResult } from '../engine';

/** @example process.stdout.write(renderJson(result)); */
export function renderJson(result: AuditResult): string {
  return `${JSON.stringify({ findings: result.findings, summary: result.summary }, null, 2)}\n`;
}
