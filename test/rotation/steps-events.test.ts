// What runRotationStep refuses before it acts, what it reports, and how it names the secret it rotated.
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { newKeySet, serializeKeySet } from '../../src/keys/key-set';
import { parseRotationEvent, runRotationStep, type RotationStepName } from '../../src/rotation/steps';
import { captureLogs } from '../support/logs';
import { FakeSecretsManager } from './fake-secrets-manager';

const smMock = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'eu-west-1' });
const TOKEN = 'c0ffee00-0000-4000-8000-000000000002';
const NAME = 'meshgate/test/signing-keys';

let fake: FakeSecretsManager;
beforeEach(() => {
  smMock.reset();
  fake = new FakeSecretsManager();
  fake.attach(smMock);
});

async function startedRotation(): Promise<string> {
  const { arn } = fake.addSecret({
    name: NAME,
    tags: { 'meshgate:managed': 'true', 'meshgate:strategy': 'signing-key-set' },
    versions: { 'v-old': { value: serializeKeySet(newKeySet()), stages: ['AWSCURRENT'] } },
  });
  await client.send(new RotateSecretCommand({ SecretId: arn, ClientRequestToken: TOKEN }));
  return arn;
}

const step = (SecretId: string, Step: RotationStepName) => runRotationStep({ SecretId, ClientRequestToken: TOKEN, Step }, { client });

describe('Function: parseRotationEvent', () => {
  const valid = { SecretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:x', ClientRequestToken: TOKEN, Step: 'createSecret' };

  for (const field of ['SecretId', 'ClientRequestToken', 'Step'] as const) {
    for (const [what, value] of [
      ['empty', ''],
      ['missing', undefined],
      ['a number', 7],
    ] as const) {
      it(`refuses an event whose ${field} is ${what} as a failed rotation step`, () => {
        assert.throws(() => parseRotationEvent({ ...valid, [field]: value }), {
          code: 'rotation_step_failed',
          message: `invalid rotation event: ${field} must be a non-empty string`,
        });
      });
    }
  }

  it('refuses an unknown step as a failed rotation step', () => {
    assert.throws(() => parseRotationEvent({ ...valid, Step: 'rotateSecret' }), { code: 'rotation_step_failed' });
  });

  it('keeps a RotationToken only when it is a non-empty string', () => {
    assert.deepEqual(parseRotationEvent({ ...valid, RotationToken: 'rt-1' }), { ...valid, RotationToken: 'rt-1' });
    assert.deepEqual(parseRotationEvent({ ...valid, RotationToken: '' }), valid);
    assert.deepEqual(parseRotationEvent({ ...valid, RotationToken: 5 }), valid);
  });
});

describe('Function: runRotationStep', () => {
  it('reports the secret by the ARN DescribeSecret returns when called with its name', async () => {
    const arn = await startedRotation();
    const outcome = await step(NAME, 'createSecret');
    assert.equal(outcome.secretArn, arn);
    assert.equal(outcome.action, 'pending-created');
  });

  it('fails testSecret and setSecret with rotation_step_failed when createSecret has not run', async () => {
    const arn = await startedRotation();
    for (const name of ['testSecret', 'setSecret'] as const) {
      const run =
        name === 'setSecret'
          ? runRotationStep({ SecretId: arn, ClientRequestToken: TOKEN, Step: name }, { client, strategies: [withSet()] })
          : step(arn, name);
      await assert.rejects(run, {
        code: 'rotation_step_failed',
        message: `version ${TOKEN} has no AWSPENDING value: run createSecret first`,
      });
    }
  });

  it('logs a warning naming the stale AWSPENDING version it removes, without any secret value', async () => {
    const arn = await startedRotation();
    fake.get(arn).versions.set('v-stale', { value: 'half-written', stages: ['AWSPENDING'], createdDate: new Date(0) });
    const logs = captureLogs();
    try {
      await step(arn, 'createSecret');
    } finally {
      logs.stop();
    }
    const warning = logs.entries().find((e) => e.message === 'removing stale AWSPENDING label');
    assert.ok(warning, 'a warning line');
    assert.equal(warning.level, 'WARN');
    assert.equal(warning.secretArn, arn);
    assert.equal(warning.staleVersionId, 'v-stale');
    assert.equal(warning.token, TOKEN);
    assert.ok(!logs.lines.some((l) => l.includes('half-written')));
  });
});

/** The signing key set strategy with a set step that records nothing (only its presence matters). */
function withSet() {
  return {
    name: 'signing-key-set',
    generate: () => serializeKeySet(newKeySet()),
    set: async () => {},
    test: () => {},
  };
}
