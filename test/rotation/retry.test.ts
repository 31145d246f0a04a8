// Throttling is absorbed by the SDK's own retry strategy on the rotation client; the fake sits below the retry middleware.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { newKeySet, parseKeySet, serializeKeySet } from '../../src/keys/key-set';
import { createRotationClient, ROTATION_MAX_ATTEMPTS } from '../../src/rotation/retry';
import { runRotationStep } from '../../src/rotation/steps';
import type { MeshgateError } from '../../src/errors';
import { FakeSecretsManager } from './fake-secrets-manager';

const TOKEN = 'c0ffee00-0000-4000-8000-000000000002';
const offline = { region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' } };

async function setup(maxAttempts?: number) {
  const fake = new FakeSecretsManager();
  const client = createRotationClient({ ...offline, ...(maxAttempts ? { maxAttempts } : {}) });
  fake.install(client);
  const initial = newKeySet();
  const { arn } = fake.addSecret({
    name: 'meshgate/test/throttled',
    tags: { 'meshgate:managed': 'true', 'meshgate:strategy': 'signing-key-set' },
    versions: { 'v-old': { value: serializeKeySet(initial), stages: ['AWSCURRENT'] } },
  });
  await client.send(new RotateSecretCommand({ SecretId: arn, ClientRequestToken: TOKEN }));
  fake.calls.length = 0;
  return { fake, client, arn, initial };
}

const count = (fake: FakeSecretsManager, command: string) => fake.calls.filter((c) => c.command === command).length;

describe('Function: createRotationClient', () => {
  it('uses the SDK adaptive retry strategy with a bounded number of attempts', async () => {
    const client = createRotationClient(offline);
    assert.equal(await client.config.maxAttempts(), ROTATION_MAX_ATTEMPTS);
    const strategy = await client.config.retryStrategy();
    assert.equal((strategy as { mode?: string }).mode, 'adaptive');
  });

  it('retries ThrottlingException with backoff until the call succeeds, and the step completes once', async () => {
    const { fake, client, arn, initial } = await setup();
    fake.throttle('GetSecretValueCommand', 2);
    fake.throttle('PutSecretValueCommand', 1);

    const outcome = await runRotationStep({ SecretId: arn, ClientRequestToken: TOKEN, Step: 'createSecret' }, { client });

    assert.equal(outcome.action, 'pending-created');
    assert.equal(count(fake, 'GetSecretValueCommand'), 4, 'two throttled attempts, then the pending and current reads');
    assert.equal(count(fake, 'PutSecretValueCommand'), 2, 'one throttled attempt, then the write');
    assert.equal(parseKeySet(fake.valueAt(arn, 'AWSPENDING')).current.kid, initial.next.kid);
  });

  it('fails the step loudly when throttling outlasts the attempts, leaving the labels untouched', async () => {
    const { fake, client, arn } = await setup(2);
    fake.throttle('DescribeSecretCommand', 10);

    await assert.rejects(
      runRotationStep({ SecretId: arn, ClientRequestToken: TOKEN, Step: 'createSecret' }, { client }),
      (err: MeshgateError) => {
        assert.equal(err.code, 'rotation_step_failed');
        assert.equal((err.cause as Error).name, 'ThrottlingException');
        return true;
      },
    );
    assert.equal(count(fake, 'DescribeSecretCommand'), 2);
    assert.deepEqual(fake.stageMap(arn), { 'v-old': ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] });
  });
});
