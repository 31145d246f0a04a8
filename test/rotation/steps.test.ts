// The four rotation steps against an in-memory Secrets Manager behind the real SDK v3 client (aws-sdk-client-mock).
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { newKeySet, parseKeySet, rotateKeySet, serializeKeySet, type SigningKeySet } from '../../src/keys/key-set';
import { parseRotationEvent, runRotationStep, ROTATION_STEPS, type RotationStepName, type StepOutcome } from '../../src/rotation/steps';
import { MeshgateError } from '../../src/errors';
import { FakeSecretsManager, InjectedCrash } from './fake-secrets-manager';

const smMock = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'eu-west-1' });
const TOKEN = 'c0ffee00-0000-4000-8000-000000000001';
const KEYSET_TAGS = { 'meshgate:managed': 'true', 'meshgate:strategy': 'signing-key-set' };

let fake: FakeSecretsManager;
beforeEach(() => {
  smMock.reset();
  fake = new FakeSecretsManager();
  fake.attach(smMock);
});

/** A key-set secret with one current version, and a rotation started by Secrets Manager under TOKEN. */
async function startedRotation(opts: { rotationEnabled?: boolean } = {}): Promise<{ arn: string; initial: SigningKeySet }> {
  const initial = newKeySet();
  const { arn } = fake.addSecret({
    name: 'meshgate/test/signing-keys',
    tags: KEYSET_TAGS,
    versions: { 'v-old': { value: serializeKeySet(initial), stages: ['AWSCURRENT'] } },
  });
  await client.send(new RotateSecretCommand({ SecretId: arn, ClientRequestToken: TOKEN }));
  if (opts.rotationEnabled === false) fake.get(arn).rotationEnabled = false;
  fake.calls.length = 0;
  return { arn, initial };
}

const step = (arn: string, Step: RotationStepName, token = TOKEN): Promise<StepOutcome> =>
  runRotationStep({ SecretId: arn, ClientRequestToken: token, Step }, { client });

const callsWithoutValues = () =>
  fake.calls.map(({ command, input }) => ({ command, input: 'SecretString' in input ? { ...input, SecretString: '<value>' } : input }));

function assertRotatedFrom(set: SigningKeySet, from: SigningKeySet): void {
  assert.equal(set.current.kid, from.next.kid, 'the published next key signs now');
  assert.equal(set.previous?.kid, from.current.kid, 'the old signing key stays published as previous');
  assert.ok(![from.current.kid, from.next.kid, from.previous?.kid].includes(set.next.kid), 'a fresh next key');
}

/** Plays Secrets Manager: runs the steps in order and retries a failed step, as the service does. */
async function rotateToEnd(arn: string, maxTriesPerStep = 3): Promise<number> {
  let failures = 0;
  for (const name of ROTATION_STEPS) {
    for (let attempt = 1; ; attempt++) {
      try {
        await step(arn, name);
        break;
      } catch (err) {
        failures++;
        if (attempt >= maxTriesPerStep) throw err;
      }
    }
  }
  return failures;
}

describe('Function: runRotationStep', () => {
  describe('createSecret', () => {
    it('stores the rotated key set under the token as AWSPENDING, with exactly these calls', async () => {
      const { arn, initial } = await startedRotation();

      const outcome = await step(arn, 'createSecret');

      assert.equal(outcome.action, 'pending-created');
      assert.deepEqual(callsWithoutValues(), [
        { command: 'DescribeSecretCommand', input: { SecretId: arn } },
        { command: 'GetSecretValueCommand', input: { SecretId: arn, VersionStage: 'AWSPENDING', VersionId: TOKEN } },
        { command: 'GetSecretValueCommand', input: { SecretId: arn, VersionStage: 'AWSCURRENT' } },
        {
          command: 'PutSecretValueCommand',
          input: { SecretId: arn, ClientRequestToken: TOKEN, SecretString: '<value>', VersionStages: ['AWSPENDING'] },
        },
      ]);
      assert.deepEqual(fake.stageMap(arn), { 'v-old': ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] });
      assertRotatedFrom(parseKeySet(fake.valueAt(arn, 'AWSPENDING')), initial);
    });

    it('does nothing when the token already has a pending value (a re-run keeps the same keys)', async () => {
      const { arn } = await startedRotation();
      await step(arn, 'createSecret');
      const pending = fake.valueAt(arn, 'AWSPENDING');
      fake.calls.length = 0;

      const outcome = await step(arn, 'createSecret');

      assert.equal(outcome.action, 'pending-exists');
      assert.deepEqual(
        fake.calls.map((c) => c.command),
        ['DescribeSecretCommand', 'GetSecretValueCommand'],
      );
      assert.equal(fake.valueAt(arn, 'AWSPENDING'), pending);
    });

    it('creates a fresh key set on the first rotation of an empty secret', async () => {
      const { arn } = fake.addSecret({ name: 'meshgate/test/empty', tags: KEYSET_TAGS });
      await client.send(new RotateSecretCommand({ SecretId: arn, ClientRequestToken: TOKEN }));

      for (const name of ROTATION_STEPS) await step(arn, name);

      assert.deepEqual(fake.stageMap(arn), { [TOKEN]: ['AWSCURRENT', 'AWSPENDING'] });
      const set = parseKeySet(fake.valueAt(arn, 'AWSCURRENT'));
      assert.equal(set.previous, undefined);
      const finish = fake.calls.find((c) => c.command === 'UpdateSecretVersionStageCommand');
      assert.deepEqual(finish?.input, { SecretId: arn, VersionStage: 'AWSCURRENT', MoveToVersionId: TOKEN });
    });

    it('removes a stale AWSPENDING label from another version before it proceeds, and reports it', async () => {
      const { arn } = await startedRotation();
      // A crashed earlier rotation left its label behind; DescribeSecret still shows it next to the new one.
      fake.get(arn).versions.set('v-stale', { value: 'half-written', stages: ['AWSPENDING'], createdDate: new Date(0) });

      const outcome = await step(arn, 'createSecret');

      assert.deepEqual(outcome.stalePendingRemoved, ['v-stale']);
      assert.deepEqual(fake.calls[1], {
        command: 'UpdateSecretVersionStageCommand',
        input: { SecretId: arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: 'v-stale' },
      });
      assert.deepEqual(fake.get(arn).versions.get('v-stale')?.stages, []);
      assert.equal(fake.versionWith(arn, 'AWSPENDING'), TOKEN);
    });
  });

  describe('setSecret', () => {
    it('makes no AWS write for the key set (the consumers read it themselves)', async () => {
      const { arn } = await startedRotation();
      await step(arn, 'createSecret');
      fake.calls.length = 0;

      const outcome = await step(arn, 'setSecret');

      assert.equal(outcome.action, 'set-skipped');
      assert.deepEqual(
        fake.calls.map((c) => c.command),
        ['DescribeSecretCommand'],
      );
    });
  });

  describe('testSecret', () => {
    it('signs and verifies with the pending keys and checks the overlap with the current set', async () => {
      const { arn } = await startedRotation();
      await step(arn, 'createSecret');
      fake.calls.length = 0;

      const outcome = await step(arn, 'testSecret');

      assert.equal(outcome.action, 'tested');
      assert.deepEqual(fake.calls.slice(1), [
        { command: 'GetSecretValueCommand', input: { SecretId: arn, VersionStage: 'AWSPENDING', VersionId: TOKEN } },
        { command: 'GetSecretValueCommand', input: { SecretId: arn, VersionStage: 'AWSCURRENT' } },
      ]);
    });

    it('rejects a pending set whose signing key was never published as next', async () => {
      const { arn, initial } = await startedRotation();
      // Skips a rotation: the key that would sign next was never in anyone's JWKS.
      const skipped = rotateKeySet(rotateKeySet(initial));
      fake.get(arn).versions.get(TOKEN)!.value = serializeKeySet(skipped);

      await assert.rejects(step(arn, 'testSecret'), (err: MeshgateError) => {
        assert.equal(err.code, 'rotation_step_failed');
        assert.match(err.message, /pending current key is not the published next key/);
        return true;
      });
      assert.equal(fake.versionWith(arn, 'AWSCURRENT'), 'v-old');
    });

    it('rejects a pending set with a key whose kid does not match its key material, without echoing the keys', async () => {
      const { arn, initial } = await startedRotation();
      const forged = JSON.parse(serializeKeySet(rotateKeySet(initial))) as { current: { kid: string } };
      forged.current.kid = initial.current.kid;
      fake.get(arn).versions.get(TOKEN)!.value = JSON.stringify(forged);

      await assert.rejects(step(arn, 'testSecret'), (err: MeshgateError) => {
        assert.equal(err.code, 'key_set_unavailable');
        assert.doesNotMatch(err.message, /"d"|privateJwk":/);
        return true;
      });
      assert.equal(fake.versionWith(arn, 'AWSCURRENT'), 'v-old');
    });

    it('fails when createSecret has not stored a value yet', async () => {
      const { arn } = await startedRotation();
      await assert.rejects(step(arn, 'testSecret'), /has no AWSPENDING value/);
    });
  });

  describe('finishSecret', () => {
    it('moves AWSCURRENT to the token with RemoveFromVersionId, and AWSPREVIOUS follows', async () => {
      const { arn, initial } = await startedRotation();
      await step(arn, 'createSecret');
      await step(arn, 'testSecret');
      fake.calls.length = 0;

      const outcome = await step(arn, 'finishSecret');

      assert.equal(outcome.action, 'finished');
      assert.deepEqual(fake.calls, [
        { command: 'DescribeSecretCommand', input: { SecretId: arn } },
        {
          command: 'UpdateSecretVersionStageCommand',
          input: { SecretId: arn, VersionStage: 'AWSCURRENT', MoveToVersionId: TOKEN, RemoveFromVersionId: 'v-old' },
        },
      ]);
      assert.deepEqual(fake.stageMap(arn), { 'v-old': ['AWSPREVIOUS'], [TOKEN]: ['AWSCURRENT', 'AWSPENDING'] });
      assertRotatedFrom(parseKeySet(fake.valueAt(arn, 'AWSCURRENT')), initial);
    });

    it('does nothing on every step once the token is AWSCURRENT', async () => {
      const { arn } = await startedRotation();
      for (const name of ROTATION_STEPS) await step(arn, name);
      const before = fake.stageMap(arn);
      fake.calls.length = 0;

      for (const name of ROTATION_STEPS) assert.equal((await step(arn, name)).action, 'already-current');

      assert.deepEqual(fake.stageMap(arn), before);
      assert.deepEqual(new Set(fake.calls.map((c) => c.command)), new Set(['DescribeSecretCommand']));
    });
  });

  describe('preconditions', () => {
    it('refuses to act when rotation is not enabled', async () => {
      const { arn } = await startedRotation({ rotationEnabled: false });
      for (const name of ROTATION_STEPS) {
        await assert.rejects(step(arn, name), (err: MeshgateError) => err.code === 'rotation_not_enabled');
      }
      assert.deepEqual(
        fake.calls.map((c) => c.command),
        ROTATION_STEPS.map(() => 'DescribeSecretCommand'),
      );
    });

    it('refuses a token that is not a version of the secret', async () => {
      const { arn } = await startedRotation();
      await assert.rejects(step(arn, 'createSecret', 'not-a-version'), (err: MeshgateError) => {
        assert.equal(err.code, 'rotation_version_not_pending');
        assert.match(err.message, /has no stage for rotation/);
        return true;
      });
    });

    it('refuses a token whose version is not staged AWSPENDING (an old version replayed)', async () => {
      const { arn } = await startedRotation();
      for (const name of ROTATION_STEPS) await step(arn, name);
      await assert.rejects(step(arn, 'createSecret', 'v-old'), (err: MeshgateError) => err.code === 'rotation_version_not_pending');
      assert.equal(fake.calls.filter((c) => c.command === 'PutSecretValueCommand').length, 1);
    });

    it('refuses a secret without a known strategy tag', async () => {
      const { arn } = await startedRotation();
      fake.get(arn).tags = [{ Key: 'meshgate:strategy', Value: 'rot13' }];
      await assert.rejects(step(arn, 'createSecret'), /unknown meshgate:strategy "rot13"/);
    });
  });

  describe('crash and resume', () => {
    it('converges to the same state after a crash after any AWS call, losing nothing', async () => {
      const clean = await startedRotation();
      await rotateToEnd(clean.arn);
      const callsInCleanRun = fake.calls.length;
      assert.ok(callsInCleanRun >= 8);

      for (let crashAt = 1; crashAt <= callsInCleanRun; crashAt++) {
        smMock.reset();
        fake = new FakeSecretsManager();
        fake.attach(smMock);
        const { arn, initial } = await startedRotation();
        fake.crashAfter(crashAt);

        const failures = await rotateToEnd(arn);

        assert.equal(failures, 1, `crash after call ${crashAt} costs exactly one retried step`);
        assert.deepEqual(
          fake.stageMap(arn),
          { 'v-old': ['AWSPREVIOUS'], [TOKEN]: ['AWSCURRENT', 'AWSPENDING'] },
          `crash after call ${crashAt}`,
        );
        const puts = fake.calls.filter((c) => c.command === 'PutSecretValueCommand');
        assert.equal(new Set(puts.map((c) => c.input.SecretString)).size, 1, 'the key set is generated once and never replaced');
        assert.equal(fake.valueAt(arn, 'AWSCURRENT'), puts[0]?.input.SecretString);
        assert.equal(fake.valueAt(arn, 'AWSPREVIOUS'), serializeKeySet(initial));
        assertRotatedFrom(parseKeySet(fake.valueAt(arn, 'AWSCURRENT')), initial);
      }
    });

    it('wraps the crash so Secrets Manager sees a failed step with the cause attached', async () => {
      const { arn } = await startedRotation();
      fake.crashAfter(4);
      await assert.rejects(step(arn, 'createSecret'), (err: MeshgateError) => {
        assert.equal(err.code, 'rotation_step_failed');
        assert.ok(err.cause instanceof InjectedCrash);
        return true;
      });
    });
  });

  describe('strategy random-token', () => {
    it('rotates a managed token to a new 32-byte random value', async () => {
      const { arn } = fake.addSecret({
        name: 'meshgate/test/upstream-token',
        tags: { 'meshgate:managed': 'true', 'meshgate:strategy': 'random-token' },
        versions: { 'v-old': { value: JSON.stringify({ token: 'old-token-value-old-token-value-old-token' }), stages: ['AWSCURRENT'] } },
      });
      await client.send(new RotateSecretCommand({ SecretId: arn, ClientRequestToken: TOKEN }));

      await rotateToEnd(arn, 1);

      const { token } = JSON.parse(fake.valueAt(arn, 'AWSCURRENT')!) as { token: string };
      assert.equal(Buffer.from(token, 'base64url').length, 32);
      assert.deepEqual(fake.stageMap(arn), { 'v-old': ['AWSPREVIOUS'], [TOKEN]: ['AWSCURRENT', 'AWSPENDING'] });
    });
  });
});

describe('Function: parseRotationEvent', () => {
  it('accepts the event Secrets Manager sends', () => {
    const event = { SecretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:x', ClientRequestToken: TOKEN, Step: 'testSecret' };
    assert.deepEqual(parseRotationEvent(event), event);
  });

  for (const [name, event, message] of [
    ['not an object', 'createSecret', /SecretId must be a non-empty string/],
    ['a missing token', { SecretId: 'x', Step: 'createSecret' }, /ClientRequestToken must be a non-empty string/],
    [
      'an unknown step',
      { SecretId: 'x', ClientRequestToken: TOKEN, Step: 'deleteSecret' },
      /Step must be one of createSecret, setSecret, testSecret, finishSecret/,
    ],
  ] as const) {
    it(`rejects ${name} with a message naming the field`, () => {
      assert.throws(() => parseRotationEvent(event), message);
    });
  }
});
