// The scheduled rotation check: lists managed secrets, starts overdue rotations, reports disabled and stuck ones.
import {
  DescribeSecretCommand,
  ListSecretVersionIdsCommand,
  RotateSecretCommand,
  paginateListSecrets,
  type DescribeSecretCommandOutput,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics, traced } from '../observability';
import { isManagedSecret, MANAGED_TAG } from './managed-tag';
import { isStuckPending, overdueSince, type SchedulePolicy } from './schedule-policy';
import { AWSCURRENT, AWSPENDING } from './steps';

export type SecretFindingKind = 'secret-rotation-disabled' | 'secret-rotation-overdue' | 'secret-rotation-stuck';

/** Same shape as an audit finding (kind, severity, resource, message), so the audit report can merge them. */
export interface SecretFinding {
  readonly kind: SecretFindingKind;
  readonly severity: 'medium' | 'high';
  /** The secret's ARN. */
  readonly resource: string;
  readonly message: string;
  readonly details: Readonly<Record<string, string | number | boolean>>;
}

export interface SecretsReport {
  readonly checked: number;
  readonly rotationsStarted: readonly { readonly resource: string; readonly versionId: string | undefined }[];
  readonly findings: readonly SecretFinding[];
  /** Secrets the job could not check or rotate; the message is the AWS error's, never a secret value. */
  readonly errors: readonly { readonly resource: string; readonly message: string }[];
}

export interface ScheduledJobDeps {
  readonly client: SecretsManagerClient;
  readonly policy: SchedulePolicy;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

const SEVERITY = { 'secret-rotation-disabled': 'medium', 'secret-rotation-overdue': 'high', 'secret-rotation-stuck': 'high' } as const;
const day = (d: Date) => d.toISOString().slice(0, 10);

function finding(kind: SecretFindingKind, resource: string, message: string, details: SecretFinding['details']): SecretFinding {
  return { kind, severity: SEVERITY[kind], resource, message, details };
}

async function* managedSecretArns(client: SecretsManagerClient): AsyncGenerator<string> {
  // ListSecrets matches tag-key and tag-value separately and by prefix, so each secret's tags are checked exactly later.
  const pages = paginateListSecrets(
    { client },
    {
      Filters: [
        { Key: 'tag-key', Values: [MANAGED_TAG] },
        { Key: 'tag-value', Values: ['true'] },
      ],
    },
  );
  for await (const page of pages) {
    for (const entry of page.SecretList ?? []) if (entry.ARN) yield entry.ARN;
  }
}

/** An AWSPENDING version that is not AWSCURRENT, with its age: a rotation in progress, or a stuck one. */
async function pendingVersion(client: SecretsManagerClient, d: DescribeSecretCommandOutput, arn: string, now: Date) {
  const entry = Object.entries(d.VersionIdsToStages ?? {}).find(
    ([, stages]) => stages.includes(AWSPENDING) && !stages.includes(AWSCURRENT),
  );
  if (!entry) return undefined;
  const versions = await traced('### secretsmanager ListSecretVersionIds', () =>
    client.send(new ListSecretVersionIdsCommand({ SecretId: arn })),
  );
  const created = versions.Versions?.find((v) => v.VersionId === entry[0])?.CreatedDate;
  return { versionId: entry[0], ageMs: created ? now.getTime() - created.getTime() : Number.POSITIVE_INFINITY };
}

interface SecretResult {
  findings: SecretFinding[];
  started?: { resource: string; versionId: string | undefined };
}

async function checkSecret(deps: ScheduledJobDeps, d: DescribeSecretCommandOutput, arn: string, now: Date): Promise<SecretResult> {
  const { client, policy } = deps;
  const name = d.Name ?? arn;
  const findings: SecretFinding[] = [];
  if (d.RotationEnabled !== true) {
    findings.push(
      finding(
        'secret-rotation-disabled',
        arn,
        `secret ${name} has rotation disabled: enable it (RotationSchedule or RotateSecret with a rotation Lambda)`,
        {},
      ),
    );
  }
  const pending = await pendingVersion(client, d, arn, now);
  const stuck = pending !== undefined && isStuckPending(pending.ageMs, policy);
  if (pending && stuck) {
    findings.push(
      finding(
        'secret-rotation-stuck',
        arn,
        `secret ${name} has a stale AWSPENDING version ${pending.versionId}: every rotation fails until it is finished or the label is removed (docs/rotation.md)`,
        {
          pendingVersionId: pending.versionId,
          pendingAgeHours: Math.floor(pending.ageMs / 3_600_000),
        },
      ),
    );
  }
  if (d.RotationEnabled !== true) return { findings };
  const due = overdueSince(
    { rules: d.RotationRules, lastRotated: d.LastRotatedDate, created: d.CreatedDate, nextRotation: d.NextRotationDate },
    now,
    policy,
  );
  if (due === undefined) return { findings };
  // A pending version means a rotation is running or stuck: RotateSecret would fail with "A previous rotation isn't complete".
  const start = policy.startRotation && pending === undefined;
  findings.push(
    finding('secret-rotation-overdue', arn, `secret ${name} was due to rotate on ${day(due)}${start ? ': rotation started' : ''}`, {
      dueDate: due.toISOString(),
      rotationStarted: start,
    }),
  );
  if (!start) return { findings };
  const out = await traced('### secretsmanager RotateSecret', () =>
    client.send(new RotateSecretCommand({ SecretId: arn, RotateImmediately: true })),
  );
  return { findings, started: { resource: arn, versionId: out.VersionId } };
}

/**
 * Checks every secret tagged `meshgate:managed=true`: reports rotation disabled, overdue (and starts its rotation)
 * and stuck (a stale AWSPENDING version). One secret's failure is reported and does not stop the others.
 *
 * @example
 * // given: import { createRotationClient } from './retry';
 * // given: import { loadScheduledConfig } from '../../functions/scheduled/config';
 * const report = await runScheduledJob({ client: createRotationClient(), policy: loadScheduledConfig(process.env).policy });
 */
export async function runScheduledJob(deps: ScheduledJobDeps): Promise<SecretsReport> {
  const now = (deps.now ?? (() => new Date()))();
  const report = {
    checked: 0,
    rotationsStarted: [] as SecretsReport['rotationsStarted'][number][],
    findings: [] as SecretFinding[],
    errors: [] as SecretsReport['errors'][number][],
  };
  for await (const arn of managedSecretArns(deps.client)) {
    try {
      const d = await traced('### secretsmanager DescribeSecret', () => deps.client.send(new DescribeSecretCommand({ SecretId: arn })));
      if (!isManagedSecret(d.Tags)) continue;
      report.checked++;
      const result = await checkSecret(deps, d, arn, now);
      report.findings.push(...result.findings);
      if (result.started) report.rotationsStarted.push(result.started);
    } catch (err) {
      report.errors.push({ resource: arn, message: `${(err as Error).name}: ${(err as Error).message}` });
    }
  }
  return report;
}

/**
 * Writes the report's summary line and its EMF metrics (SecretsChecked, RotationsStarted, Overdue, Disabled, Stuck, Errors).
 *
 * @example
 * // given: declare const deps: ScheduledJobDeps;
 * publishSecretsReport(await runScheduledJob(deps));
 */
export function publishSecretsReport(report: SecretsReport): void {
  const count = (kind: SecretFindingKind) => report.findings.filter((f) => f.kind === kind).length;
  const summary = {
    SecretsChecked: report.checked,
    RotationsStarted: report.rotationsStarted.length,
    Overdue: count('secret-rotation-overdue'),
    Disabled: count('secret-rotation-disabled'),
    Stuck: count('secret-rotation-stuck'),
    Errors: report.errors.length,
  };
  for (const [name, value] of Object.entries(summary)) metrics.addMetric(name, MetricUnit.Count, value);
  metrics.publishStoredMetrics();
  for (const f of report.findings)
    logger.warn('secret finding', { kind: f.kind, severity: f.severity, resource: f.resource, message: f.message, ...f.details });
  for (const e of report.errors) logger.error('secret check failed', { resource: e.resource, reason: e.message });
  logger.info('secrets rotation check', { ...summary, rotationsStartedFor: report.rotationsStarted.map((r) => r.resource) });
}
