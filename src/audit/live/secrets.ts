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
import { isManagedSecret } from '../../rotation/managed-tag';
import { DEFAULT_ROTATION_THRESHOLDS, isStuckPending } from '../../rotation/schedule-policy';
import { emptyInput, type AuditInput, type SecretInput } from '../types';
import { mapBounded, paginate, PROGRESS_EVERY, withThrottlingRetry, type CallOptions } from './aws-calls';

function days(rules: { AutomaticallyAfterDays?: number; ScheduleExpression?: string } | undefined): number | undefined {
  if (rules?.AutomaticallyAfterDays) return rules.AutomaticallyAfterDays;
  const rate = rules?.ScheduleExpression ? /^rate\((\d+)\s+days?\)$/.exec(rules.ScheduleExpression) : null;
  return rate ? Number(rate[1]) : undefined;
}

async function stalePending(
  client: SecretsManagerClient,
  arn: string,
  stages: Record<string, string[]>,
  now: Date,
  options: CallOptions,
): Promise<string | undefined> {
  const pending = Object.entries(stages).find(([, labels]) => labels.includes('AWSPENDING') && !labels.includes('AWSCURRENT'));
  if (!pending) return undefined;
  const versions = await paginate(async (token) => {
    const page = await client.send(new ListSecretVersionIdsCommand({ SecretId: arn, NextToken: token, IncludeDeprecated: true }));
    return { items: page.Versions ?? [], next: page.NextToken };
  }, options);
  const created = versions.find((v) => v.VersionId === pending[0])?.CreatedDate;
  // The scheduled rotation check's definition of stuck (an unknown age counts as stuck there too).
  const ageMs = created === undefined ? Number.POSITIVE_INFINITY : now.getTime() - created.getTime();
  return isStuckPending(ageMs, DEFAULT_ROTATION_THRESHOLDS) ? pending[0] : undefined;
}

/** Default number of secrets read at once: well under Secrets Manager's per-account API rates (DescribeSecret 50/s). */
export const SECRET_CONCURRENCY = 8;

async function readSecret(
  client: SecretsManagerClient,
  arn: string,
  now: Date,
  options: CallOptions,
): Promise<{ info: SecretInput; policy: string | undefined }> {
  // Metadata and resource policy are independent: one round trip per secret instead of two in a row.
  const [secret, policy] = await Promise.all([
    withThrottlingRetry(() => client.send(new DescribeSecretCommand({ SecretId: arn })), options),
    withThrottlingRetry(() => client.send(new GetResourcePolicyCommand({ SecretId: arn })), options),
  ]);
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
    ...(isManagedSecret(secret.Tags) ? { managed: true as const } : {}),
  };
  return { info, policy: policy.ResourcePolicy };
}

/**
 * Lists every secret, then reads each one's metadata and resource policy, `options.secretConcurrency` secrets at a
 * time (default 8), reporting progress every 100 secrets when there are at least 100. Values are never read.
 */
export async function readLiveSecrets(client: SecretsManagerClient, now: Date, options: CallOptions = {}): Promise<AuditInput> {
  const input = emptyInput();
  const list = await paginate(async (token) => {
    const page = await client.send(new ListSecretsCommand({ NextToken: token, MaxResults: 100 }));
    return { items: page.SecretList ?? [], next: page.NextToken };
  }, options);
  const arns = list.map((entry) => entry.ARN ?? entry.Name ?? '?');
  let done = 0;
  const read = await mapBounded(arns, options.secretConcurrency ?? SECRET_CONCURRENCY, async (arn) => {
    const result = await readSecret(client, arn, now, options);
    done += 1;
    if (arns.length >= PROGRESS_EVERY && (done % PROGRESS_EVERY === 0 || done === arns.length))
      options.onProgress?.({ phase: 'secrets', done, total: arns.length });
    return result;
  });
  for (const [i, { info, policy }] of read.entries()) {
    input.secrets.push(info);
    const arn = arns[i]!;
    if (policy)
      input.documents.push({ id: `${arn}#policy`, resource: arn, policyKind: 'resource', document: decodePolicyDocument(policy) });
  }
  return input;
}
