// The rotate, scheduled and audit Lambda handlers, driven with the sample events in events/.
import '../support/aws-env';
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { GetResourcePolicyCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ScheduledEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { GetAccountAuthorizationDetailsCommand, IAMClient } from '@aws-sdk/client-iam';
import { APIGatewayClient, GetRestApisCommand } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client, GetApisCommand } from '@aws-sdk/client-apigatewayv2';
import { newKeySet, serializeKeySet } from '../../src/keys/key-set';
import { handler as rotate } from '../../functions/rotate/handler';
import { handler as scheduled } from '../../functions/scheduled/handler';
import { handler as audit } from '../../functions/audit/handler';
import { assertNoSecretsLogged, captureLogs, type LogCapture } from '../support/logs';
import { FakeSecretsManager } from './fake-secrets-manager';

const rotateEvent = JSON.parse(readFileSync('events/rotate-create-secret.json', 'utf8')) as Record<string, string>;
const scheduleEvent = JSON.parse(readFileSync('events/schedule.json', 'utf8')) as ScheduledEvent;
const auditEvent = JSON.parse(readFileSync('events/audit-schedule.json', 'utf8')) as ScheduledEvent;
const smMock = mockClient(SecretsManagerClient);
const iamMock = mockClient(IAMClient);
const restMock = mockClient(APIGatewayClient);
const httpMock = mockClient(ApiGatewayV2Client);

let fake: FakeSecretsManager;
let logs: LogCapture;
beforeEach(() => {
  smMock.reset();
  iamMock.reset();
  restMock.reset();
  httpMock.reset();
  fake = new FakeSecretsManager();
  fake.attach(smMock);
  logs = captureLogs();
});
afterEach(() => logs.stop());

function seedSigningKeySecret() {
  const initial = newKeySet();
  const secret = fake.addSecret({
    name: 'meshgate/dev/signing-keys',
    tags: { 'meshgate:managed': 'true', 'meshgate:strategy': 'signing-key-set' },
    versions: {
      'v-old': { value: serializeKeySet(initial), stages: ['AWSCURRENT'] },
      [rotateEvent.ClientRequestToken!]: { stages: ['AWSPENDING'] },
    },
  });
  assert.equal(secret.arn, rotateEvent.SecretId, 'the sample event names this secret');
  return { secret, initial };
}

describe('Handler: rotate', () => {
  it('runs every step of the sample event and logs ARN, step and token, never a key or the RotationToken', async () => {
    const { secret, initial } = seedSigningKeySecret();

    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) await rotate({ ...rotateEvent, Step });
    logs.stop();

    assert.equal(fake.versionWith(secret.arn, 'AWSCURRENT'), rotateEvent.ClientRequestToken);
    const put = fake.calls.find((c) => c.command === 'PutSecretValueCommand');
    assert.equal(put?.input.RotationToken, rotateEvent.RotationToken, 'passed through for role-assuming rotation');
    const done = logs.entries().filter((e) => e.message === 'rotation step done');
    assert.deepEqual(
      done.map((e) => e.step),
      ['createSecret', 'setSecret', 'testSecret', 'finishSecret'],
    );
    assert.equal(done[0]?.secretArn, secret.arn);
    assert.equal(done[0]?.token, rotateEvent.ClientRequestToken);
    const current = fake.valueAt(secret.arn, 'AWSCURRENT')!;
    assertNoSecretsLogged(logs, [
      rotateEvent.RotationToken!,
      current,
      initial.current.privateJwk.d,
      initial.next.privateJwk.d,
      ...Object.values(JSON.parse(current) as Record<string, { privateJwk?: { d: string } } | null>).flatMap((k) =>
        k?.privateJwk ? [k.privateJwk.d] : [],
      ),
    ]);
  });

  it('fails loudly on a malformed event, naming the field', async () => {
    await assert.rejects(rotate({ SecretId: rotateEvent.SecretId, Step: 'createSecret' }), /ClientRequestToken must be a non-empty string/);
  });

  it('rethrows a failing step so Secrets Manager retries it, and logs the code', async () => {
    const { secret } = seedSigningKeySecret();
    fake.get(secret.arn).rotationEnabled = false;

    await assert.rejects(rotate(rotateEvent), /rotation is not enabled/);
    logs.stop();
    assert.equal(logs.entries().find((e) => e.message === 'rotation step failed')?.code, 'rotation_not_enabled');
  });
});

describe('Handler: scheduled', () => {
  it('runs the secrets check for the sample schedule event, and nothing of the audit', async () => {
    fake.addSecret({ name: 'overdue', tags: { 'meshgate:managed': 'true' }, lastRotatedDate: new Date(Date.now() - 400 * 86_400_000) });

    const result = await scheduled(scheduleEvent);
    logs.stop();

    assert.equal(result.checked, 1);
    assert.equal(result.rotationsStarted.length, 1);
    assert.equal(logs.entries().find((e) => e.message === 'secrets rotation check')?.RotationsStarted, 1);
    assert.deepEqual(
      logs
        .entries()
        .filter((e) => e.message === 'secret finding')
        .map((e) => e.kind),
      ['secret-rotation-overdue'],
    );
    assert.equal(iamMock.calls().length + restMock.calls().length + httpMock.calls().length, 0, 'the audit is functions/audit');
    assert.equal(logs.entries().filter((e) => e.message === 'audit finding').length, 0);
  });
});

describe('Handler: audit', () => {
  it('audits the account for its sample event, leaving the rotation of managed secrets to the scheduled check', async () => {
    fake.addSecret({ name: 'overdue', tags: { 'meshgate:managed': 'true' }, lastRotatedDate: new Date(Date.now() - 400 * 86_400_000) });
    const unmanaged = fake.addSecret({ name: 'unmanaged', tags: { team: 'payments' }, rotationEnabled: false });
    iamMock.on(GetAccountAuthorizationDetailsCommand).resolves({
      Policies: [
        {
          PolicyName: 'too-broad',
          Arn: 'arn:aws:iam::123456789012:policy/too-broad',
          DefaultVersionId: 'v1',
          PolicyVersionList: [
            {
              VersionId: 'v1',
              IsDefaultVersion: true,
              Document: encodeURIComponent(
                JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
              ),
            },
          ],
        },
      ],
      IsTruncated: false,
    });
    smMock.on(GetResourcePolicyCommand).resolves({});
    restMock.on(GetRestApisCommand).resolves({ items: [] });
    httpMock.on(GetApisCommand).resolves({ Items: [] });

    const summary = await audit(auditEvent);
    logs.stop();

    assert.equal(summary.bySeverity.critical >= 1, true, 'the Action "*" policy is a critical finding');
    const findings = logs
      .entries()
      .filter((e) => e.message === 'audit finding')
      .map((e) => e.auditFinding as { kind: string; resource: string });
    assert.ok(findings.some((f) => f.kind === 'wildcard-action'));
    assert.deepEqual(
      findings.filter((f) => f.kind.startsWith('secret-rotation-')).map((f) => [f.kind, f.resource]),
      [['secret-rotation-disabled', unmanaged.arn]],
      "the overdue managed secret is the rotation check's to report (and rotate), not the audit's",
    );
    assert.equal(summary.inputs.secrets, 1, "only the unmanaged secret's rotation state is audited");
    assert.equal(fake.calls.filter((c) => c.command === 'RotateSecretCommand').length, 0, 'the audit changes nothing');
    assert.equal(logs.entries().filter((e) => e.message === 'secrets rotation check').length, 0);
  });
});
