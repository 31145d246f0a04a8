// CachedSecret, under both the key store and the public-JWKS source: when it reads again after a failure, what it logs
// while serving a stale value, and the cause and secret id every failure carries for the operator.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { CachedSecret, type CachedSecretOptions } from '../../src/keys/cached-secret';
import { newKeySet, parseKeySet, serializeKeySet } from '../../src/keys/key-set';
import { sdkSecretReader } from '../../src/keys/secret-reader-sdk';
import { MeshgateError } from '../../src/errors';
import { secretCacheTestbed, throttled } from '../support/secret-cache';

const SECRET_ID = 'meshgate/test/cached';
const smMock = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'eu-west-1' });
const t = secretCacheTestbed(smMock);

const cache = (options: CachedSecretOptions = {}, variable?: string) =>
  new CachedSecret(
    SECRET_ID,
    { what: 'key set', owner: 'TestOwner', parse: parseKeySet, ...(variable === undefined ? {} : { variable }) },
    { reader: sdkSecretReader(client), now: () => t.clock, ...options },
  );
const serveValid = () => smMock.on(GetSecretValueCommand).resolves({ SecretString: serializeKeySet(newKeySet()) });
const awsError = (name: string, httpStatusCode?: number) =>
  new SecretsManagerServiceException({
    name,
    $fault: 'client',
    message: `${name} happened`,
    $metadata: httpStatusCode === undefined ? {} : { httpStatusCode },
  });

async function failure(c: CachedSecret<unknown>): Promise<MeshgateError> {
  try {
    await c.load();
  } catch (err) {
    assert.ok(err instanceof MeshgateError, String(err));
    return err;
  }
  throw new Error('load() did not fail');
}

describe('Class: CachedSecret, after a failed refresh', () => {
  it('tries again after min(ttlMs, 5 s) by default: a short TTL retries within it', async () => {
    const c = cache({ ttlMs: 1_000 });
    serveValid();
    await c.load();
    smMock.on(GetSecretValueCommand).rejects(throttled());
    t.clock += 1_000;
    await c.load();
    assert.equal(t.reads(), 2);
    t.clock += 999;
    await c.load();
    assert.equal(t.reads(), 2, 'no read before the retry delay');
    t.clock += 1;
    await c.load();
    assert.equal(t.reads(), 3, 'a read once the TTL-long retry delay is over');
  });

  it('tries again after 5 s by default when the TTL is longer', async () => {
    const c = cache({ ttlMs: 60_000 });
    serveValid();
    await c.load();
    smMock.on(GetSecretValueCommand).rejects(throttled());
    t.clock += 60_000;
    await c.load();
    t.clock += 4_999;
    await c.load();
    assert.equal(t.reads(), 2);
    t.clock += 1;
    await c.load();
    assert.equal(t.reads(), 3);
  });

  it('logs how long past its TTL the served value is', async () => {
    const c = cache({ ttlMs: 1_000, retryAfterMs: 0 });
    serveValid();
    await c.load();
    smMock.on(GetSecretValueCommand).rejects(throttled());
    t.clock += 1_250;
    await c.load();
    t.clock += 500;
    await c.load();
    const stale = t.logs
      .entries()
      .filter((e) => e.message === 'key set refresh failed; serving the cached key set')
      .map((e) => [e.secretId, e.staleForMs]);
    assert.deepEqual(stale, [
      [SECRET_ID, 250],
      [SECRET_ID, 750],
    ]);
  });
});

describe('Class: CachedSecret, failures with nothing cached', () => {
  it('an empty value: key_set_empty with the secret id in its details', async () => {
    smMock.on(GetSecretValueCommand).resolves({ SecretString: '' });
    const err = await failure(cache());
    assert.equal(err.code, 'key_set_empty');
    assert.deepEqual(err.details, { secretId: SECRET_ID });
  });

  it('a value the parser refuses: key_set_unavailable saying it could not be read, with the refusal as its cause', async () => {
    smMock.on(GetSecretValueCommand).resolves({ SecretString: '{"version":2}' });
    const err = await failure(cache());
    assert.equal(err.code, 'key_set_unavailable');
    assert.equal(err.message, 'cannot read the key set from Secrets Manager (signing key set is invalid: version must be 1)');
    assert.ok(err.cause instanceof MeshgateError);
    assert.equal(err.cause.message, 'signing key set is invalid: version must be 1');
  });

  it('no such secret: key_secret_not_found, naming the secret id when no variable is given, with cause and details', async () => {
    const notFound = awsError('ResourceNotFoundException', 400);
    smMock.on(GetSecretValueCommand).rejects(notFound);
    smMock.on(DescribeSecretCommand).rejects(awsError('ResourceNotFoundException', 400));
    const err = await failure(cache());
    assert.equal(err.code, 'key_secret_not_found');
    assert.equal(err.message, `secret ${SECRET_ID} not found: check the secret id (and the Region)`);
    assert.equal(err.cause, notFound);
    assert.deepEqual(err.details, { secretId: SECRET_ID });
  });

  it('not found, and DescribeSecret denied: key_secret_not_found with the GetSecretValue error as cause, and details', async () => {
    const notFound = awsError('ResourceNotFoundException', 400);
    smMock.on(GetSecretValueCommand).rejects(notFound);
    smMock.on(DescribeSecretCommand).rejects(awsError('AccessDeniedException', 400));
    const err = await failure(cache({}, 'MESHGATE_X_SECRET_ID'));
    assert.equal(err.code, 'key_secret_not_found');
    assert.match(err.message, /check MESHGATE_X_SECRET_ID, or run the first rotation/);
    assert.equal(err.cause, notFound);
    assert.deepEqual(err.details, { secretId: SECRET_ID });
  });

  it('no answer at all: secrets_manager_unreachable with cause and details', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' });
    smMock.on(GetSecretValueCommand).rejects(refused);
    const err = await failure(cache());
    assert.equal(err.code, 'secrets_manager_unreachable');
    assert.equal(err.cause, refused);
    assert.deepEqual(err.details, { secretId: SECRET_ID });
  });

  it('any other AWS error: key_set_unavailable with cause and details', async () => {
    const denied = awsError('AccessDeniedException', 400);
    smMock.on(GetSecretValueCommand).rejects(denied);
    const err = await failure(cache());
    assert.equal(err.code, 'key_set_unavailable');
    assert.equal(err.cause, denied);
    assert.deepEqual(err.details, { secretId: SECRET_ID });
  });

  it('names its owner in a misuse error', () => {
    assert.throws(
      () => new CachedSecret('', { what: 'key set', owner: 'TestOwner', parse: parseKeySet }, { reader: sdkSecretReader(client) }),
      { name: 'TypeError', message: 'TestOwner: secretId must not be empty' },
    );
  });
});
