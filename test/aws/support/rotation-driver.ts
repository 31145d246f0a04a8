// Plays Secrets Manager's part in a rotation against moto: start the rotation, then call each step of the rotation
// function, as the service does (docs: "How rotation works" / RotateSecret).
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  RotateSecretCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ROTATION_STEPS, type RotationStepName } from '../../../src/rotation/steps';
import { ACCOUNT, REGION } from './moto';

/**
 * A rotation function moto does not have. moto cannot invoke a Lambda without Docker, so the suite invokes the
 * handler itself; naming an absent function makes moto's RotateSecret stop right after it created the pending version
 * (see `startRotation`).
 */
export const ABSENT_ROTATION_LAMBDA = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:meshgate-aws-test-rotate`;

export async function stages(client: SecretsManagerClient, secretId: string): Promise<Record<string, string[]>> {
  return (await client.send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages ?? {};
}

export async function valueAt(client: SecretsManagerClient, secretId: string, stage: string): Promise<string> {
  // Always name the stage: moto's GetSecretValue without one returns the version it created first as "default",
  // not the one AWSCURRENT moved to (moto deviation; AWS defaults to AWSCURRENT).
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
  return out.SecretString ?? '';
}

export async function versionCount(client: SecretsManagerClient, secretId: string): Promise<number> {
  return (await client.send(new ListSecretVersionIdsCommand({ SecretId: secretId, IncludeDeprecated: true }))).Versions?.length ?? 0;
}

/**
 * What RotateSecret does before it invokes the rotation function: a new version id (the ClientRequestToken) labelled
 * AWSPENDING with no value yet, rotation enabled. Returns the token.
 *
 * moto deviations worked around here:
 * - moto refuses a second RotateSecret while AWSPENDING sits on the AWSCURRENT version ("Previous rotation request is
 *   still in progress"), which is the normal state after a finished rotation on AWS. The label is removed first.
 * - moto needs Docker to invoke a rotation Lambda. With an absent function it fails with ResourceNotFoundException
 *   after it created the pending version and enabled rotation, which is the state the steps need.
 */
export async function startRotation(client: SecretsManagerClient, secretId: string): Promise<string> {
  for (const [id, labels] of Object.entries(await stages(client, secretId))) {
    if (labels.includes('AWSPENDING') && labels.includes('AWSCURRENT')) {
      await client.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: 'AWSPENDING', RemoveFromVersionId: id }));
    }
  }
  const token = randomUUID();
  await assert.rejects(
    client.send(
      new RotateSecretCommand({
        SecretId: secretId,
        ClientRequestToken: token,
        RotationLambdaARN: ABSENT_ROTATION_LAMBDA,
        RotationRules: { AutomaticallyAfterDays: 30 },
      }),
    ),
    (err: Error) => err.name === 'ResourceNotFoundException' && err.message.includes(ABSENT_ROTATION_LAMBDA),
  );
  const after = await stages(client, secretId);
  assert.deepEqual(after[token], ['AWSPENDING'], 'the pending version RotateSecret creates');
  await assert.rejects(client.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: token, VersionStage: 'AWSPENDING' })), {
    name: 'ResourceNotFoundException',
  });
  return token;
}

export type StepInvoker = (event: { SecretId: string; ClientRequestToken: string; Step: RotationStepName }) => Promise<void>;

/**
 * Invokes createSecret, setSecret, testSecret and finishSecret in order, each `runsPerStep` times (Secrets Manager
 * retries a step whose response it did not get; every step must converge).
 */
export async function driveSteps(invoke: StepInvoker, secretId: string, token: string, runsPerStep = 2): Promise<void> {
  for (const Step of ROTATION_STEPS) {
    for (let run = 0; run < runsPerStep; run++) await invoke({ SecretId: secretId, ClientRequestToken: token, Step });
  }
}
