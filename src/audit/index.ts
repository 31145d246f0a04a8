// Public entry of the policy audit: what the scheduled handler and other callers need, nothing more.
import { logger, metrics } from '../observability';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AuditSummary } from './summary';
import type { Finding } from './types';

export { runAudit, DEFAULT_PUBLIC_ROUTES, type AuditOptions, type AuditResult } from './engine';
export { runLiveAudit, readLiveInputs, createLiveClients, type LiveClients, type LiveAuditOptions } from './live';
export { readPolicyFiles } from './inputs/policy-files';
export { readTemplate } from './inputs/cloudformation';
export { applyBaseline, createBaseline, readBaseline, writeBaseline } from './baseline';
export { parseSuppressions, type Suppression, type SuppressedFinding, type SuppressionSummary } from './suppressions';
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
  if (summary) {
    const { total, bySeverity, byKind, suppressions } = summary;
    logger.info('audit summary', { auditSummary: { total, bySeverity, byKind, ...(suppressions ? { suppressions } : {}) } });
  }
}

/**
 * Publishes one EMF count per severity (`AuditFindingsCritical`, …), so alarms can watch the audit.
 *
 * @example
 * const { summary } = await runLiveAudit();
 * publishAuditMetrics(summary);
 */
export function publishAuditMetrics(summary: AuditSummary): void {
  for (const [severity, count] of Object.entries(summary.bySeverity)) {
    metrics.addMetric(`AuditFindings${severity.charAt(0).toUpperCase()}${severity.slice(1)}`, MetricUnit.Count, count);
  }
  metrics.publishStoredMetrics();
}

/** Findings of `extra` whose kind and resource `reported` does not already hold (the scheduled job reports both). */
export function withoutReported(extra: readonly Finding[], reported: readonly Pick<Finding, 'kind' | 'resource'>[]): Finding[] {
  const seen = new Set(reported.map((f) => `${f.kind}\n${f.resource}`));
  return extra.filter((f) => !seen.has(`${f.kind}\n${f.resource}`));
}
