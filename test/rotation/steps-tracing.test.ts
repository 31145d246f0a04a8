// In Lambda, every Secrets Manager call of a rotation step is its own X-Ray subsegment, named by the operation. Runs in
// its own process (node --test), with the Lambda variables set before src/observability.ts loads.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { newKeySet, serializeKeySet } from '../../src/keys/key-set';
import { startXrayDaemon, type XrayDaemon } from '../support/xray-daemon';
import { FakeSecretsManager } from './fake-secrets-manager';

const TOKEN = 'c0ffee00-0000-4000-8000-000000000003';

describe('rotation step spans', () => {
  let daemon: XrayDaemon;

  before(async () => {
    daemon = await startXrayDaemon();
  });
  after(() => daemon.close());

  it('traces each DescribeSecret, GetSecretValue, PutSecretValue and UpdateSecretVersionStage of a rotation', async () => {
    const { runRotationStep } = await import('../../src/rotation/steps');
    const { captureLogs } = await import('../support/logs');
    const client = new SecretsManagerClient({ region: 'eu-west-1' });
    const fake = new FakeSecretsManager();
    fake.attach(mockClient(client));
    const { arn } = fake.addSecret({
      name: 'meshgate/test/traced-keys',
      tags: { 'meshgate:managed': 'true', 'meshgate:strategy': 'signing-key-set' },
      versions: { 'v-old': { value: serializeKeySet(newKeySet()), stages: ['AWSCURRENT'] } },
    });
    await client.send(new RotateSecretCommand({ SecretId: arn, ClientRequestToken: TOKEN }));
    fake.get(arn).versions.set('v-stale', { value: 'half-written', stages: ['AWSPENDING'], createdDate: new Date(0) });

    const logs = captureLogs();
    try {
      for (const Step of ['createSecret', 'testSecret', 'finishSecret'] as const) {
        await runRotationStep({ SecretId: arn, ClientRequestToken: TOKEN, Step }, { client });
      }
    } finally {
      logs.stop();
    }
    // createSecret: Describe, Update (stale label), Get ×2, Put; testSecret: Describe, Get ×2; finishSecret: Describe, Update.
    await daemon.received(10);
    const count = (name: string) => daemon.names.filter((n) => n === `### secretsmanager ${name}`).length;
    assert.deepEqual(
      {
        describe: count('DescribeSecret'),
        get: count('GetSecretValue'),
        put: count('PutSecretValue'),
        update: count('UpdateSecretVersionStage'),
      },
      { describe: 3, get: 4, put: 1, update: 2 },
    );
    assert.equal(daemon.names.length, 10);
  });
});
