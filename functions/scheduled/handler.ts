// The hourly EventBridge job: keeps managed secrets rotated (src/rotation/schedule.ts), then audits the live account (src/audit).
import type { Context, ScheduledEvent } from 'aws-lambda';
import { createRotationClient } from '../../src/rotation/retry';
import { publishSecretsReport, runScheduledJob, type SecretsReport } from '../../src/rotation/schedule';
import {
  createLiveClients,
  logFindings,
  parseSuppressions,
  publishAuditMetrics,
  runLiveAudit,
  withoutReported,
  type AuditSummary,
} from '../../src/audit';
import auditSuppressions from '../../config/audit-suppressions.json';
import { startInvocation } from '../../src/observability';
import { loadScheduledConfig } from './config';

const client = createRotationClient();
const { policy } = loadScheduledConfig(process.env);
const auditClients = createLiveClients();
// Bundled as data (no file read at run time) and validated at cold start, like the rest of the configuration.
const suppressions = parseSuppressions(auditSuppressions, 'config/audit-suppressions.json');

export interface ScheduledJobResult {
  readonly secrets: SecretsReport;
  readonly audit: AuditSummary;
}

export const handler = async (_event: ScheduledEvent, context?: Context): Promise<ScheduledJobResult> => {
  startInvocation(context?.awsRequestId);
  const secrets = await runScheduledJob({ client, policy });
  publishSecretsReport(secrets);
  // The audit runs after the secrets check so a failing audit never holds up an overdue rotation.
  const audit = await runLiveAudit(auditClients, { suppressions });
  logFindings(withoutReported(audit.findings, secrets.findings), audit.summary);
  publishAuditMetrics(audit.summary);
  return { secrets, audit: audit.summary };
};
