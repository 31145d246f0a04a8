// Reads Secrets Manager secrets: rotation state (ListSecrets, DescribeSecret), stale AWSPENDING versions, resource policies.
import {
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { decodePolicyDocument } from '../inputs/account-details';
import { holdsPublicData } from '../rules/secret-rotation-disabled';
import { emptyInput, type AuditInput, type SecretInput } from '../types';
import { paginate, withThrottlingRetry, type CallOptions } from './aws-calls';

/** A rotation takes minutes; an AWSPENDING version older than this is left over from a failed one. */
const STALE_PENDING_MS = 24 * 3_600_000;

function days(rules: { AutomaticallyAfterDays?: number; ScheduleExpression?: string } | undefined): number | undefined {
  if (rules?.AutomaticallyAfterDays) return rules.AutomaticallyAfterDays;
  const rate = rules?.ScheduleExpression ? /^rate\((\d+)\s+days?\)$/.exec(rules.ScheduleExpression) : null;
  return rate ? Number(rate[1]) : undefined;
}

async function stalePending(client: SecretsManagerClient, arn: string, stages: Record<string, string[]>, now: Date, options: CallOptions): Promise<string | undefined> {
  const pending = Object.entries(stages).find(([, labels]) => labels.includes('AWSPENDING') && !labels.includes('AWSCURRENT'));
  if (!pending) return undefined;
  const versions = await paginate(async (token) => {
    const page = await client.send(new ListSecretVersionIdsCommand({ SecretId: arn, NextToken: token, IncludeDeprecated: true }));
    return { items: page.Versions ?? [], next: page.NextToken };
  }, options);
  const created = versions.find((v) => v.VersionId === pending[0])?.CreatedDate;
  return created !== undefined && now.getTime() - created.getTime() > STALE_PENDING_MS ? pending[0] : undefined;
}

export async function readLiveSecrets(client: SecretsManagerClient, now: Date, options: CallOptions = {}): Promise<AuditInput> {
  const input = emptyInput();
  const list = await paginate(async (token) => {
    const page = await client.send(new ListSecretsCommand({ NextToken: token, MaxResults: 100 }));
    return { items: page.SecretList ?? [], next: page.NextToken };
  }, options);
  for (const entry of list) {
    const arn = entry.ARN ?? entry.Name ?? '?';
    const secret = await withThrottlingRetry(() => client.send(new DescribeSecretCommand({ SecretId: arn })), options);
    const stale = await stalePending(client, arn, secret.VersionIdsToStages ?? {}, now, options);
    const rotationDays = days(secret.RotationRules);
    const info: SecretInput = {
      name: secret.Name ?? arn,
      resource: arn,
      rotationEnabled: secret.RotationEnabled === true,
      ...(rotationDays === undefined ? {} : { rotationDays }),
      ...(secret.LastRotatedDate ? { lastRotated: secret.LastRotatedDate } : {}),
      ...(secret.CreatedDate ? { created: secret.CreatedDate } : {}),
      ...(secret.NextRotationDate ? { nextRotation: secret.NextRotationDate } : {}),
      ...(stale ? { stalePendingVersion: stale } : {}),
      ...(holdsPublicData(secret.Tags) ? { publicData: true as const } : {}),
    };
    input.secrets.push(info);
    const policy = await withThrottlingRetry(() => client.send(new GetResourcePolicyCommand({ SecretId: arn })), options);
    if (policy.ResourcePolicy) input.documents.push({ id: `${arn}#policy`, resource: arn, policyKind: 'resource', document: decodePolicyDocument(policy.ResourcePolicy) });
  }
  return input;
}
