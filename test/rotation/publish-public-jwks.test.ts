// setSecret of the signing key set publishes the pending set's public JWKS to the public-JWKS secret (real SDK client, in-memory Secrets Manager).
import '../support/aws-env';
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { newKeySet, parseKeySet, publicJwks, serializeKeySet, type SigningKeySet } from '../../src/keys/key-set';
import { parsePublicJwks } from '../../src/keys/public-jwks';
import { runRotationStep, ROTATION_STEPS, type RotationStepName, type StepOutcome } from '../../src/rotation/steps';
import { BUILT_IN_STRATEGIES, builtInStrategies } from '../../src/rotation/strategies';
import { publicJwksPublisher } from '../../src/rotation/publish-public-jwks';
import { loadRotateConfig } from '../../functions/rotate/config';
import type { Env } from '../../src/config/env';
import { ConfigError, type MeshgateError } from '../../src/errors';
import { FakeSecretsManager } from './fake-secrets-manager';

const smMock = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'eu-west-1' });
const TOKEN = 'c0ffee00-0000-4000-8000-00000000abcd';
const SIGNING = 'meshgate/test/signing-keys';
const PUBLIC = 'meshgate/test/public-jwks';
const KEYSET_TAGS = { 'meshgate:managed': 'true', 'meshgate:strategy': 'signing-key-set' };
const strategies = () => builtInStrategies(publicJwksPublisher({ client, publicJwksSecretId: PUBLIC, signingKeySecretId: SIGNING }));

let fake: FakeSecretsManager;
let publicArn: string;
function freshFake(): void {
  smMock.reset();
  fake = new FakeSecretsManager();
  fake.attach(smMock);
  // What CloudFormation creates: an empty secret, no version until the first rotation publishes.
  publicArn = fake.addSecret({ name: PUBLIC, tags: { 'meshgate:public': 'true' }, rotationEnabled: false }).arn;
}
beforeEach(freshFake);

async function startedRotation(name = SIGNING): Promise<{ arn: string; initial: SigningKeySet }> {
  const initial = newKeySet();
  const { arn } = fake.addSecret({
    name,
    tags: KEYSET_TAGS,
    versions: { 'v-old': { value: serializeKeySet(initial), stages: ['AWSCURRENT'] } },
  });
  await client.send(new RotateSecretCommand({ SecretId: arn, ClientRequestToken: TOKEN }));
  fake.calls.length = 0;
  return { arn, initial };
}

const step = (arn: string, Step: RotationStepName, using = strategies()): Promise<StepOutcome> =>
  runRotationStep({ SecretId: arn, ClientRequestToken: TOKEN, Step }, { client, strategies: using });
const publicPuts = () => fake.calls.filter((c) => c.command === 'PutSecretValueCommand' && c.input.SecretId === PUBLIC);
const published = () => parsePublicJwks(fake.valueAt(publicArn, 'AWSCURRENT') ?? '');
const publishedKids = () => published().keys.map((k) => k.kid);
const privateValues = (...sets: SigningKeySet[]) =>
  sets.flatMap((s) => [s.current, s.next, s.previous]).flatMap((k) => (k ? [k.privateJwk.d] : []));

describe('Strategy signing-key-set with the public JWKS publisher', () => {
  it('setSecret publishes exactly the public JWKS of the pending set, under the rotation token, with no private member', async () => {
    const { arn, initial } = await startedRotation();
    await step(arn, 'createSecret');
    const pending = parseKeySet(fake.valueAt(arn, 'AWSPENDING'));

    const outcome = await step(arn, 'setSecret');

    assert.equal(outcome.action, 'set');
    const [put, ...more] = publicPuts();
    assert.equal(more.length, 0);
    assert.deepEqual({ ...put!.input, SecretString: '<value>' }, { SecretId: PUBLIC, ClientRequestToken: TOKEN, SecretString: '<value>' });
    assert.deepEqual(JSON.parse(String(put!.input.SecretString)), publicJwks(pending));
    assert.doesNotMatch(String(put!.input.SecretString), /"d"\s*:/);
    for (const d of privateValues(pending, initial)) assert.ok(!String(put!.input.SecretString).includes(d));
    assert.deepEqual(fake.stageMap(publicArn), { [TOKEN]: ['AWSCURRENT'] });
  });

  it('publishes before finishSecret: the signing key is published at every point, and the new next key before it signs', async () => {
    const { arn, initial } = await startedRotation();
    await step(arn, 'createSecret');
    const pending = parseKeySet(fake.valueAt(arn, 'AWSPENDING'));
    await step(arn, 'setSecret');

    // Between setSecret and finishSecret the old current still signs: it is the pending set's `previous`.
    assert.ok(publishedKids().includes(initial.current.kid), 'the key that signs now stays published');
    assert.ok(publishedKids().includes(pending.next.kid), 'the fresh next key is published before it can sign');

    await step(arn, 'testSecret');
    await step(arn, 'finishSecret');
    const current = parseKeySet(fake.valueAt(arn, 'AWSCURRENT'));
    assert.equal(current.current.kid, initial.next.kid);
    assert.deepEqual(publishedKids(), [current.current.kid, current.next.kid, current.previous!.kid]);
  });

  it('is idempotent: a re-run of setSecret, or a crash after any call, leaves one version holding the same JWKS', async () => {
    const { arn } = await startedRotation();
    await step(arn, 'createSecret');
    await step(arn, 'setSecret');
    await step(arn, 'setSecret');
    assert.equal(publicPuts().length, 2);
    assert.equal(new Set(publicPuts().map((c) => c.input.SecretString)).size, 1);
    assert.deepEqual(Object.keys(fake.stageMap(publicArn)), [TOKEN]);
    assert.equal(fake.get(publicArn).versions.size, 1);

    for (let crashAt = 1; crashAt <= 12; crashAt++) {
      freshFake();
      const started = await startedRotation();
      fake.crashAfter(crashAt);
      for (const name of ROTATION_STEPS) await step(started.arn, name).catch(() => step(started.arn, name));

      assert.equal(fake.get(publicArn).versions.size, 1, `crash after call ${crashAt}`);
      assert.deepEqual(published(), publicJwks(parseKeySet(fake.valueAt(started.arn, 'AWSCURRENT'))), `crash after call ${crashAt}`);
    }
  });

  it('fails setSecret when the token already holds a different public JWKS, and the rotation does not finish', async () => {
    const { arn } = await startedRotation();
    await step(arn, 'createSecret');
    const other = JSON.stringify(publicJwks(newKeySet()));
    fake.get(publicArn).versions.set(TOKEN, { value: other, stages: ['AWSCURRENT'], createdDate: new Date() });

    await assert.rejects(
      step(arn, 'setSecret'),
      (err: MeshgateError) => err.code === 'rotation_step_failed' && /already holds a different public JWKS/.test(err.message),
    );
    assert.equal(fake.valueAt(publicArn, 'AWSCURRENT'), other);
    assert.equal(fake.versionWith(arn, 'AWSCURRENT'), 'v-old');
  });

  it('publishes nothing for another key-set secret the same function rotates', async () => {
    const { arn } = await startedRotation('team-x/signing-keys');
    for (const name of ROTATION_STEPS) await step(arn, name);
    assert.equal(publicPuts().length, 0);
    assert.equal(fake.get(publicArn).versions.size, 0);
  });

  it('is skipped when MESHGATE_PUBLIC_JWKS_SECRET_ID is not set, and needs MESHGATE_KEY_SECRET_ID when it is', async () => {
    // As functions/rotate/handler.ts wires it.
    const publisherFromEnv = (env: Env) => {
      const { publicJwks: target } = loadRotateConfig(env);
      return target && publicJwksPublisher({ client, ...target });
    };
    const publisher = publisherFromEnv({ MESHGATE_KEY_SECRET_ID: SIGNING });
    assert.equal(publisher, undefined);
    assert.equal(builtInStrategies(publisher), BUILT_IN_STRATEGIES);
    const { arn } = await startedRotation();
    await step(arn, 'createSecret', builtInStrategies(publisher));
    assert.equal((await step(arn, 'setSecret', builtInStrategies(publisher))).action, 'set-skipped');
    assert.equal(publicPuts().length, 0);

    assert.throws(
      () => publisherFromEnv({ MESHGATE_PUBLIC_JWKS_SECRET_ID: PUBLIC }),
      (err: unknown) => err instanceof ConfigError && err.path === 'MESHGATE_KEY_SECRET_ID',
    );
  });
});

describe('Handler: rotate, with the public JWKS configured as serverless.yml does', () => {
  it('publishes the public JWKS of the new key set when run with the sample event', async () => {
    const event = JSON.parse(readFileSync('events/rotate-create-secret.json', 'utf8')) as Record<string, string>;
    const publicDev = fake.addSecret({ name: 'meshgate/dev/public-jwks', tags: { 'meshgate:public': 'true' }, rotationEnabled: false });
    const secret = fake.addSecret({
      name: 'meshgate/dev/signing-keys',
      tags: KEYSET_TAGS,
      versions: {
        'v-old': { value: serializeKeySet(newKeySet()), stages: ['AWSCURRENT'] },
        [event.ClientRequestToken!]: { stages: ['AWSPENDING'] },
      },
    });
    assert.equal(secret.arn, event.SecretId);
    const saved = { ...process.env };
    Object.assign(process.env, {
      MESHGATE_KEY_SECRET_ID: 'meshgate/dev/signing-keys',
      MESHGATE_PUBLIC_JWKS_SECRET_ID: 'meshgate/dev/public-jwks',
    });
    try {
      const { handler } = await import('../../functions/rotate/handler');
      for (const Step of ROTATION_STEPS) await handler({ ...event, Step });
    } finally {
      process.env = saved;
    }
    assert.deepEqual(
      parsePublicJwks(fake.valueAt(publicDev.arn, 'AWSCURRENT')!),
      publicJwks(parseKeySet(fake.valueAt(secret.arn, 'AWSCURRENT'))),
    );
    assert.equal(fake.versionWith(publicDev.arn, 'AWSCURRENT'), event.ClientRequestToken);
  });
});
