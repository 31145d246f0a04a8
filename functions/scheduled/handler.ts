// The hourly EventBridge job: keeps managed secrets rotated (src/rotation/schedule.ts); the policy audit joins it here.
import type { Context, ScheduledEvent } from 'aws-lambda';
import { createRotationClient } from '../../src/rotation/retry';
import { publishSecretsReport, runScheduledJob, type SecretsReport } from '../../src/rotation/schedule';
import { readSchedulePolicy } from '../../src/rotation/schedule-policy';
import { startInvocation } from '../../src/observability';

const client = createRotationClient();
const policy = readSchedulePolicy(process.env);

export interface ScheduledJobResult {
  readonly secrets: SecretsReport;
}

export const handler = async (_event: ScheduledEvent, context?: Context): Promise<ScheduledJobResult> => {
  startInvocation(context?.awsRequestId);
  const secrets = await runScheduledJob({ client, policy });
  publishSecretsReport(secrets);
  // The live policy audit (src/audit, runLiveAudit) is composed here next to the secrets check, as a sibling result.
  return { secrets };
};
