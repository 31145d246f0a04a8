// The hourly EventBridge job: keeps managed secrets rotated (src/rotation/schedule.ts). The live audit is functions/audit.
import type { Context, ScheduledEvent } from 'aws-lambda';
import { createRotationClient } from '../../src/rotation/retry';
import { publishSecretsReport, runScheduledJob, type SecretsReport } from '../../src/rotation/schedule';
import { startInvocation } from '../../src/observability';
import { loadScheduledConfig } from './config';

const client = createRotationClient();
const { policy } = loadScheduledConfig(process.env);

export const handler = async (_event: ScheduledEvent, context?: Context): Promise<SecretsReport> => {
  startInvocation(context?.awsRequestId);
  const secrets = await runScheduledJob({ client, policy });
  publishSecretsReport(secrets);
  return secrets;
};
