// The four Secrets Manager rotation steps (createSecret, setSecret, testSecret, finishSecret), each idempotent.
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
  type DescribeSecretCommandOutput,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { MeshgateError, isMeshgateError } from '../errors';
import { logger, traced } from '../observability';
import { BUILT_IN_STRATEGIES, strategyForTags, type RotationStrategy } from './strategies';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStepName = (typeof ROTATION_STEPS)[number];

/** What Secrets Manager sends the rotation function. `ClientRequestToken` is the new version's id, not a secret. */
export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: RotationStepName;
  /** Sent by Secrets Manager for role-assuming and cross-account rotation; sensitive (never logged), passed to PutSecretValue. */
  readonly RotationToken?: string;
}

export interface RotationDeps {
  readonly client: SecretsManagerClient;
  readonly strategies?: readonly RotationStrategy[];
}

/** What a step did; logged by the handler. Never holds a secret value. */
export interface StepOutcome {
  readonly step: RotationStepName;
  readonly secretArn: string;
  readonly token: string;
  readonly strategy: string;
  readonly action: 'already-current' | 'pending-exists' | 'pending-created' | 'set' | 'set-skipped' | 'tested' | 'finished';
  /** Version ids whose stale `AWSPENDING` label createSecret removed ("A previous rotation isn't complete"). */
  readonly stalePendingRemoved: readonly string[];
}

type Secret = DescribeSecretCommandOutput & { ARN: string; VersionIdsToStages: Record<string, string[]> };

/**
 * Validates a rotation event. A malformed event is a wiring mistake, reported with the field it lacks.
 *
 * @example
 * // given: declare const arn: string, token: string;
 * const event = parseRotationEvent({ SecretId: arn, ClientRequestToken: token, Step: 'createSecret' });
 */
export function parseRotationEvent(input: unknown): RotationEvent {
  const e = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  for (const field of ['SecretId', 'ClientRequestToken', 'Step'] as const) {
    if (typeof e[field] !== 'string' || e[field] === '')
      throw new MeshgateError('rotation_step_failed', `invalid rotation event: ${field} must be a non-empty string`);
  }
  if (!(ROTATION_STEPS as readonly string[]).includes(e.Step as string)) {
    throw new MeshgateError('rotation_step_failed', `invalid rotation event: Step must be one of ${ROTATION_STEPS.join(', ')}`);
  }
  const base = { SecretId: e.SecretId as string, ClientRequestToken: e.ClientRequestToken as string, Step: e.Step as RotationStepName };
  return typeof e.RotationToken === 'string' && e.RotationToken !== '' ? { ...base, RotationToken: e.RotationToken } : base;
}

const isNotFound = (err: unknown): boolean => (err as { name?: string } | undefined)?.name === 'ResourceNotFoundException';

async function describe(client: SecretsManagerClient, secretId: string): Promise<Secret> {
  const out = await traced('### secretsmanager DescribeSecret', () => client.send(new DescribeSecretCommand({ SecretId: secretId })));
  return { ...out, ARN: out.ARN ?? secretId, VersionIdsToStages: out.VersionIdsToStages ?? {} };
}

/** The value staged `stage` (on `versionId` when given), or undefined when no such version has a value. */
async function valueAt(client: SecretsManagerClient, secretId: string, stage: string, versionId?: string): Promise<string | undefined> {
  try {
    const out = await traced('### secretsmanager GetSecretValue', () =>
      client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage, ...(versionId ? { VersionId: versionId } : {}) })),
    );
    return out.SecretString;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function pendingValue(client: SecretsManagerClient, secret: Secret, token: string): Promise<string> {
  const value = await valueAt(client, secret.ARN, AWSPENDING, token);
  if (value === undefined)
    throw new MeshgateError('rotation_step_failed', `version ${token} has no AWSPENDING value: run createSecret first`);
  return value;
}

const versionWith = (secret: Secret, stage: string): string | undefined =>
  Object.entries(secret.VersionIdsToStages).find(([, stages]) => stages.includes(stage))?.[0];

async function createSecret(
  client: SecretsManagerClient,
  secret: Secret,
  token: string,
  strategy: RotationStrategy,
  rotationToken?: string,
): Promise<Partial<StepOutcome>> {
  // DescribeSecret is eventually consistent, and a crashed rotation can leave AWSPENDING on an older version; left there,
  // it makes every later RotateSecret fail with "A previous rotation isn't complete".
  const stale = Object.entries(secret.VersionIdsToStages)
    .filter(([id, stages]) => id !== token && stages.includes(AWSPENDING) && !stages.includes(AWSCURRENT))
    .map(([id]) => id);
  for (const id of stale) {
    logger.warn('removing stale AWSPENDING label', { secretArn: secret.ARN, staleVersionId: id, token });
    await traced('### secretsmanager UpdateSecretVersionStage', () =>
      client.send(new UpdateSecretVersionStageCommand({ SecretId: secret.ARN, VersionStage: AWSPENDING, RemoveFromVersionId: id })),
    );
  }
  // Idempotency: a value already stored under this token (an earlier run that crashed after PutSecretValue) is kept.
  if ((await valueAt(client, secret.ARN, AWSPENDING, token)) !== undefined) return { action: 'pending-exists', stalePendingRemoved: stale };
  const current = await valueAt(client, secret.ARN, AWSCURRENT);
  const next = strategy.generate(current);
  await traced('### secretsmanager PutSecretValue', () =>
    client.send(
      new PutSecretValueCommand({
        SecretId: secret.ARN,
        ClientRequestToken: token,
        SecretString: next,
        VersionStages: [AWSPENDING],
        ...(rotationToken ? { RotationToken: rotationToken } : {}),
      }),
    ),
  );
  return { action: 'pending-created', stalePendingRemoved: stale };
}

async function setSecret(
  client: SecretsManagerClient,
  secret: Secret,
  token: string,
  strategy: RotationStrategy,
): Promise<Partial<StepOutcome>> {
  if (!strategy.set) return { action: 'set-skipped' };
  await strategy.set(await pendingValue(client, secret, token), { token, secretArn: secret.ARN, secretName: secret.Name });
  return { action: 'set' };
}

async function testSecret(
  client: SecretsManagerClient,
  secret: Secret,
  token: string,
  strategy: RotationStrategy,
): Promise<Partial<StepOutcome>> {
  const pending = await pendingValue(client, secret, token);
  await strategy.test(pending, await valueAt(client, secret.ARN, AWSCURRENT));
  return { action: 'tested' };
}

async function finishSecret(client: SecretsManagerClient, secret: Secret, token: string): Promise<Partial<StepOutcome>> {
  const current = versionWith(secret, AWSCURRENT);
  // Secrets Manager moves AWSPREVIOUS to the version AWSCURRENT leaves (UpdateSecretVersionStage API reference).
  await traced('### secretsmanager UpdateSecretVersionStage', () =>
    client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secret.ARN,
        VersionStage: AWSCURRENT,
        MoveToVersionId: token,
        ...(current ? { RemoveFromVersionId: current } : {}),
      }),
    ),
  );
  return { action: 'finished' };
}

/**
 * Runs one rotation step exactly as Secrets Manager's protocol defines it. Re-running a step, or resuming after a
 * crash at any point, converges to the same state; a step that cannot finish throws `rotation_step_failed` so
 * Secrets Manager retries it.
 *
 * @example
 * // given: import { createRotationClient } from './retry';
 * // given: declare const arn: string, token: string;
 * await runRotationStep({ SecretId: arn, ClientRequestToken: token, Step: 'createSecret' }, { client: createRotationClient() });
 */
export async function runRotationStep(event: RotationEvent, deps: RotationDeps): Promise<StepOutcome> {
  try {
    return await runChecked(event, deps);
  } catch (err) {
    if (isMeshgateError(err)) throw err;
    const { name, message } = err as Error;
    throw new MeshgateError('rotation_step_failed', `${event.Step} failed for ${event.SecretId}: ${name}: ${message}`, { cause: err });
  }
}

async function runChecked(event: RotationEvent, deps: RotationDeps): Promise<StepOutcome> {
  const { client } = deps;
  const token = event.ClientRequestToken;
  const secret = await describe(client, event.SecretId);
  if (secret.RotationEnabled !== true) throw new MeshgateError('rotation_not_enabled', `rotation is not enabled for ${secret.ARN}`);
  const stages = secret.VersionIdsToStages[token];
  if (stages === undefined)
    throw new MeshgateError('rotation_version_not_pending', `version ${token} of ${secret.ARN} has no stage for rotation`);
  const strategy = strategyForTags(secret.Tags, deps.strategies ?? BUILT_IN_STRATEGIES);
  const base = { step: event.Step, secretArn: secret.ARN, token, strategy: strategy.name, stalePendingRemoved: [] as string[] };
  if (stages.includes(AWSCURRENT)) return { ...base, action: 'already-current' };
  if (!stages.includes(AWSPENDING))
    throw new MeshgateError('rotation_version_not_pending', `version ${token} of ${secret.ARN} is not staged AWSPENDING`);
  const done = await stepFunction(event.Step)(client, secret, token, strategy, event.RotationToken);
  return { ...base, ...done } as StepOutcome;
}

function stepFunction(step: RotationStepName) {
  switch (step) {
    case 'createSecret':
      return createSecret;
    case 'setSecret':
      return setSecret;
    case 'testSecret':
      return testSecret;
    case 'finishSecret':
      return (client: SecretsManagerClient, secret: Secret, token: string) => finishSecret(client, secret, token);
  }
}
