// Public entry of the policy audit: what the audit handler and other callers need, nothing more.
import { logger, metrics } from '../observability';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AuditSummary } from './summary';
import type { AuditInput, Finding } from './types';

export { runAudit, DEFAULT_PUBLIC_ROUTES, type AuditOptions, type AuditResult } from './engine';
export { readLiveInputs, createLiveClients, type LiveClients, type LiveAuditOptions } from './live';
export { readPolicyFiles } from './inputs/policy-files';
export { readTemplate } from './inputs/cloudformation';
export { readServiceRoles } from './inputs/route-config';
export { applyBaseline, createBaseline, readBaseline, writeBaseline } from './baseline';
export { parseSuppressions, type Suppression, type SuppressedFinding, type SuppressionSummary } from './suppressions';
export { SEVERITIES, FINDING_KINDS, mergeInputs, type Finding, type Severity, type FindingKind } from './types';
export type { AuditSummary } from './summary';

/**
 * Logs each finding as one structured line (warn for critical/high, info below) and the summary as one more.
 *
 * @example
 * const { findings, summary } = await runAudit(await readLiveInputs());
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
 * const { summary } = await runAudit(await readLiveInputs());
 * publishAuditMetrics(summary);
 */
export function publishAuditMetrics(summary: AuditSummary): void {
  for (const [severity, count] of Object.entries(summary.bySeverity)) {
    metrics.addMetric(`AuditFindings${severity.charAt(0).toUpperCase()}${severity.slice(1)}`, MetricUnit.Count, count);
  }
  metrics.publishStoredMetrics();
}

/**
 * The input without the rotation state of `meshgate:managed=true` secrets: the scheduled rotation check owns those
 * (its own overdue and stuck thresholds, rotations it starts) and reports them, so each finding is reported once.
 * Their resource policies stay in the input and are still audited.
 *
 * @example
 * const { findings } = await runAudit(withoutManagedSecretRotation(await readLiveInputs()));
 */
export function withoutManagedSecretRotation(input: AuditInput): AuditInput {
  return { ...input, secrets: input.secrets.filter((s) => s.managed !== true) };
}
