// The scheduled live audit (EventBridge): IAM, API Gateway and Secrets Manager of this account through src/audit.
import type { Context, ScheduledEvent } from 'aws-lambda';
import {
  createLiveClients,
  logFindings,
  parseSuppressions,
  publishAuditMetrics,
  mergeInputs,
  readLiveInputs,
  readServiceRoles,
  runAudit,
  withoutManagedSecretRotation,
  type AuditSummary,
} from '../../src/audit';
import auditSuppressions from '../../config/audit-suppressions.json';
import routes from '../../config/routes.json';
import { startInvocation } from '../../src/observability';

const clients = createLiveClients();
// Bundled as data (no file read at run time) and validated at cold start, like the rest of the configuration.
const suppressions = parseSuppressions(auditSuppressions, 'config/audit-suppressions.json');
// The roles the route configuration names as services' identities, checked against the live account's roles.
const serviceRoles = readServiceRoles(routes, 'config/routes.json');

export const handler = async (_event: ScheduledEvent, context?: Context): Promise<AuditSummary> => {
  startInvocation(context?.awsRequestId);
  // Managed secrets' rotation is the scheduled rotation check's to report (functions/scheduled): once, not twice.
  const input = mergeInputs(withoutManagedSecretRotation(await readLiveInputs(clients)), serviceRoles);
  const { findings, summary } = await runAudit(input, { suppressions });
  logFindings(findings, summary);
  publishAuditMetrics(summary);
  return summary;
};
