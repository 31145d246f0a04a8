// Public entry of the policy audit: what the scheduled handler and other callers need, nothing more.
import { logger } from '../observability';
import type { AuditSummary } from './summary';
import type { Finding } from './types';

export { runAudit, DEFAULT_PUBLIC_ROUTES, type AuditOptions, type AuditResult } from './engine';
export { runLiveAudit, readLiveInputs, createLiveClients, type LiveClients, type LiveAuditOptions } from './live';
export { readPolicyFiles } from './inputs/policy-files';
export { readTemplate } from './inputs/cloudformation';
export { applyBaseline, createBaseline, readBaseline, writeBaseline } from './baseline';
export { SEVERITIES, FINDING_KINDS, type Finding, type Severity, type FindingKind } from './types';
export type { AuditSummary } from './summary';

/**
 * Logs each finding as one structured line (warn for critical/high, info below) and the summary as one more.
 *
 * @example
 * const { findings, summary } = await runLiveAudit();
 * logFindings(findings, summary);
 */
export function logFindings(findings: readonly Finding[], summary?: AuditSummary): void {
  for (const finding of findings) {
    const line = { auditFinding: finding };
    if (finding.severity === 'critical' || finding.severity === 'high') logger.warn('audit finding', line);
    else logger.info('audit finding', line);
  }
  if (summary) logger.info('audit summary', { auditSummary: { total: summary.total, bySeverity: summary.bySeverity, byKind: summary.byKind } });
}
