// SecretsManagerKeyStore: AWSCURRENT with a TTL cache, a bounded stale window on errors, and errors that say what to fix.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { newKeySet, rotateKeySet, serializeKeySet, type SigningKeySet } from '../../src/keys/key-set';
import { sdkSecretReader } from '../../src/keys/secret-reader-sdk';
import { SecretsManagerKeyStore } from '../../src/keys/key-store-secrets-manager';
import type { MeshgateError } from '../../src/errors';
import { errorResult } from '../../src/http/error-response';
import { keyStoreFailureResult } from '../../src/keys/jwks';
import { assertNoSecretsLogged } from '../support/logs';
import { secretCacheTestbed, throttled } from '../support/secret-cache';

const SECRET_ID = 'meshgate/test/signing-keys';
const TTL = 60_000;
const smMock = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'eu-west-1' });

const t = secretCacheTestbed(smMock);
const store = (opts: { ttlMs?: number; maxStaleMs?: number; retryAfterMs?: number } = {}) =>
  new SecretsManagerKeyStore(SECRET_ID, { reader: sdkSecretReader(client), ttlMs: TTL, now: () => t.clock, ...opts });
const serve = (set: SigningKeySet) =>
  smMock.on(GetSecretValueCommand).resolves({ SecretString: serializeKeySet(set), VersionStages: ['AWSCURRENT'] });

describe('Class: SecretsManagerKeyStore', () => {
  it('reads the AWSCURRENT version of the secret', async () => {
    const set = newKeySet();
    serve(set);

    const loaded = await store().load();

    assert.equal(loaded.current.kid, set.current.kid);
    assert.deepEqual(smMock.commandCalls(GetSecretValueCommand)[0]?.args[0].input, { SecretId: SECRET_ID, VersionStage: 'AWSCURRENT' });
  });

  it('serves from memory within the TTL and picks up a rotated set after it', async () => {
    const before = newKeySet();
    const after = rotateKeySet(before);
    const keys = store();
    serve(before);
    await keys.load();

    serve(after);
    t.clock += TTL - 1;
    assert.equal((await keys.load()).current.kid, before.current.kid);
    assert.equal(t.reads(), 1);

    t.clock += 1;
    assert.equal((await keys.load()).current.kid, after.current.kid);
    assert.equal(t.reads(), 2);
  });

  it('shares one read between concurrent loads on a cold cache', async () => {
    serve(newKeySet());
    const keys = store();

    const sets = await Promise.all(Array.from({ length: 20 }, () => keys.load()));

    assert.equal(t.reads(), 1);
    assert.equal(new Set(sets.map((s) => s.current.kid)).size, 1);
  });

  it('keeps signing with the cached set while Secrets Manager throttles, inside the stale window, and logs it', async () => {
    const set = newKeySet();
    const keys = store({ retryAfterMs: 5_000 });
    serve(set);
    await keys.load();
    smMock.on(GetSecretValueCommand).rejects(throttled());

    t.clock += TTL + 1;
    assert.equal((await keys.load()).current.kid, set.current.kid);
    t.clock += 1_000;
    assert.equal((await keys.load()).current.kid, set.current.kid);
    assert.equal(t.reads(), 2, 'no new read before retryAfterMs, so a throttled API is not hammered');
    t.clock += 5_000;
    await keys.load();
    assert.equal(t.reads(), 3);

    const warning = t.logs.entries().find((e) => e.message === 'key set refresh failed; serving the cached key set');
    assert.equal(warning?.reason, 'ThrottlingException');
  });

  it('stops serving the cached set once the stale window is over', async () => {
    const keys = store();
    serve(newKeySet());
    await keys.load();
    smMock.on(GetSecretValueCommand).rejects(throttled());

    t.clock += TTL + 10 * TTL - 1;
    await keys.load();
    t.clock += 1;
    await assert.rejects(
      keys.load(),
      (err: MeshgateError) => err.code === 'key_set_unavailable' && /ThrottlingException/.test(err.message),
    );
  });

  it('recovers with a fresh read once Secrets Manager answers again', async () => {
    const keys = store({ retryAfterMs: 0 });
    serve(newKeySet());
    await keys.load();
    smMock.on(GetSecretValueCommand).rejects(throttled());
    t.clock += TTL;
    await keys.load();
    const rotated = newKeySet();
    serve(rotated);

    assert.equal((await keys.load()).current.kid, rotated.current.kid);
  });

  it('throws key_set_unavailable when nothing is cached and the read fails', async () => {
    smMock.on(GetSecretValueCommand).rejects(throttled());
    await assert.rejects(store().load(), (err: MeshgateError) => {
      assert.equal(err.code, 'key_set_unavailable');
      assert.equal((err.cause as Error).name, 'ThrottlingException');
      return true;
    });
  });

  it('does not replace a good cached set with a corrupted AWSCURRENT value, and never logs key material', async () => {
    const good = newKeySet();
    const keys = store();
    serve(good);
    await keys.load();
    const tampered = JSON.parse(serializeKeySet(newKeySet())) as { current: { kid: string } };
    tampered.current.kid = good.current.kid;
    smMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(tampered) });

    t.clock += TTL;
    assert.equal((await keys.load()).current.privateJwk.d, good.current.privateJwk.d);

    assertNoSecretsLogged(t.logs, [good.current.privateJwk.d, good.next.privateJwk.d, serializeKeySet(good)]);
    assert.match(String(t.logs.entries().at(-1)?.reason), /kid does not match/);
  });

  it('throws key_set_empty for an empty value (rotation has not filled it yet)', async () => {
    for (const value of [{}, { SecretString: '' }, { SecretString: '  \n' }]) {
      smMock.on(GetSecretValueCommand).resolves(value);
      await assert.rejects(
        store().load(),
        (err: MeshgateError) => err.code === 'key_set_empty' && /has no value yet: run the first rotation/.test(err.message),
      );
    }
  });

  it('rejects bad options as misuse', () => {
    assert.throws(() => new SecretsManagerKeyStore(''), {
      name: 'TypeError',
      message: 'SecretsManagerKeyStore: secretId must not be empty',
    });
    assert.throws(() => new SecretsManagerKeyStore(SECRET_ID, { ttlMs: -1 }), /ttlMs must be a non-negative number/);
  });
});

const awsError = (name: string, message: string, httpStatusCode?: number) =>
  new SecretsManagerServiceException({
    name,
    $fault: 'client',
    message,
    $metadata: httpStatusCode === undefined ? {} : { httpStatusCode },
  });
const notFound = () => awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.", 400);

describe('Key-store errors an operator can act on (SecretsManagerKeyStore, nothing cached)', () => {
  async function failure(): Promise<MeshgateError> {
    try {
      await store().load();
    } catch (err) {
      return err as MeshgateError;
    }
    throw new Error('load() did not fail');
  }

  it('the secret exists but has no AWSCURRENT value yet: key_set_empty, "run the first rotation"', async () => {
    smMock
      .on(GetSecretValueCommand)
      .rejects(
        awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT", 400),
      );
    smMock
      .on(DescribeSecretCommand)
      .resolves({ ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${SECRET_ID}-AbCdEf`, Name: SECRET_ID });
    const err = await failure();
    assert.equal(err.code, 'key_set_empty');
    assert.equal(
      err.message,
      `secret ${SECRET_ID} exists but has no value yet: run the first rotation (npx meshgate rotate --secret-id ${SECRET_ID})`,
    );
    assert.deepEqual(
      smMock.commandCalls(DescribeSecretCommand).map((c) => c.args[0].input),
      [{ SecretId: SECRET_ID }],
    );
  });

  it('no such secret: key_secret_not_found, "check MESHGATE_KEY_SECRET_ID"', async () => {
    smMock.on(GetSecretValueCommand).rejects(notFound());
    smMock.on(DescribeSecretCommand).rejects(notFound());
    const err = await failure();
    assert.equal(err.code, 'key_secret_not_found');
    assert.equal(err.message, `secret ${SECRET_ID} not found: check MESHGATE_KEY_SECRET_ID (and the Region)`);
  });

  it('not found and DescribeSecret not allowed: key_secret_not_found naming both causes', async () => {
    smMock.on(GetSecretValueCommand).rejects(notFound());
    smMock
      .on(DescribeSecretCommand)
      .rejects(awsError('AccessDeniedException', 'not authorized to perform: secretsmanager:DescribeSecret', 400));
    const err = await failure();
    assert.equal(err.code, 'key_secret_not_found');
    assert.match(err.message, /not found, or it has no value yet: check MESHGATE_KEY_SECRET_ID, or run the first rotation/);
  });

  it('no answer from Secrets Manager: secrets_manager_unreachable with the SDK message', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED', $metadata: { attempts: 3 } });
    const timeout = Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' });
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND secretsmanager.eu-west-1.amazonaws.com'), { code: 'ENOTFOUND' });
    for (const cause of [refused, timeout, dns]) {
      smMock.reset();
      smMock.on(GetSecretValueCommand).rejects(cause);
      const err = await failure();
      assert.equal(err.code, 'secrets_manager_unreachable', cause.message);
      assert.equal(err.message, `cannot reach Secrets Manager: ${cause.message}`);
    }
  });

  it('anything else (denied, throttled, no credentials) stays key_set_unavailable, naming the SDK error', async () => {
    const credentials = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    for (const cause of [awsError('AccessDeniedException', 'User is not authorized', 400), throttled(), credentials]) {
      smMock.reset();
      smMock.on(GetSecretValueCommand).rejects(cause);
      const err = await failure();
      assert.equal(err.code, 'key_set_unavailable', cause.name);
      assert.match(err.message, new RegExp(`\\(${cause.name}: ${cause.message}\\)`));
    }
  });

  it('logs the code and the operator message, and every one of them is a 503 (ingress and JWKS endpoint)', async () => {
    smMock.on(GetSecretValueCommand).rejects(notFound());
    smMock.on(DescribeSecretCommand).rejects(notFound());
    const err = await failure();
    const line = t.logs.entries().find((e) => e.message === 'key set unavailable');
    assert.equal(line?.code, 'key_secret_not_found');
    assert.match(String(line?.reason), /check MESHGATE_KEY_SECRET_ID/);
    for (const code of ['key_set_empty', 'key_secret_not_found', 'secrets_manager_unreachable'] as const) {
      const e = Object.assign(Object.create(Object.getPrototypeOf(err) as object) as MeshgateError, err, { code });
      assert.equal(errorResult(e, 'r1').statusCode, 503, code);
      const jwks = keyStoreFailureResult(e, 'r1');
      assert.equal(jwks.statusCode, 503, code);
      assert.equal((JSON.parse(jwks.body) as { code: string; detail?: string }).code, code);
      assert.equal((JSON.parse(jwks.body) as { detail?: string }).detail, undefined, 'no internals to the caller');
    }
  });
});
