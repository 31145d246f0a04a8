// Against moto over HTTP: the key-store errors an operator meets on a first deploy or a misconfiguration, each with
// its own code and a message saying what to do; the JWKS function and the ingress answer 503 and forward nothing.
// The key store and JWKS source read through their default reader (one SigV4-signed request, no SDK), pointed at moto
// by AWS_ENDPOINT_URL as Lambda's SDK would be. Moto does not verify SigV4 signatures: test/keys/sigv4.test.ts does.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { MeshgateError } from '../../src/errors';
import type { HttpResult } from '../../src/http/problem';
import { SecretsManagerJwksSource } from '../../src/keys/jwks-source';
import { SecretsManagerKeyStore } from '../../src/keys/key-store-secrets-manager';
import { newKeySet, serializeKeySet } from '../../src/keys/key-set';
import { httpSecretReader } from '../../src/keys/secrets-manager-http';
import { restEvent } from '../support/events';
import { closedPort, startUpstream, type UpstreamServer } from '../support/upstream-server';
import { quietly, startMoto, useMotoInThisProcess, type Moto } from './support/moto';

const EMPTY_KEYS = 'meshgate/awstest/signing-keys';
const EMPTY_JWKS = 'meshgate/awstest/public-jwks';

let moto: Moto;
let client: SecretsManagerClient;
let upstream: UpstreamServer;

async function failure(load: () => Promise<unknown>): Promise<MeshgateError> {
  const { result } = await quietly(async () => {
    try {
      await load();
    } catch (err) {
      return err as MeshgateError;
    }
    throw new Error('load() did not fail');
  });
  return result;
}

before(
  async () => {
    moto = await startMoto();
    useMotoInThisProcess(moto);
    client = new SecretsManagerClient(moto.clientConfig);
    // As CloudFormation creates them: no value until the first rotation.
    await client.send(
      new CreateSecretCommand({
        Name: EMPTY_KEYS,
        Tags: [
          { Key: 'meshgate:managed', Value: 'true' },
          { Key: 'meshgate:strategy', Value: 'signing-key-set' },
        ],
      }),
    );
    await client.send(new CreateSecretCommand({ Name: EMPTY_JWKS, Tags: [{ Key: 'meshgate:public', Value: 'true' }] }));
    upstream = await startUpstream();
  },
  { timeout: 90_000 },
);

after(async () => {
  await upstream?.close();
  await moto?.stop();
});

describe('Key-store errors over HTTP (moto)', () => {
  it('the secret exists but has no value yet: key_set_empty, "run the first rotation"', async () => {
    const err = await failure(() => new SecretsManagerKeyStore(EMPTY_KEYS).load());
    assert.equal(err.code, 'key_set_empty');
    assert.equal(
      err.message,
      `secret ${EMPTY_KEYS} exists but has no value yet: run the first rotation (npx meshgate rotate --secret-id ${EMPTY_KEYS})`,
    );
  });

  it('a wrong secret id: key_secret_not_found, "check MESHGATE_KEY_SECRET_ID" (MESHGATE_PUBLIC_JWKS_SECRET_ID for the JWKS function)', async () => {
    const keys = await failure(() => new SecretsManagerKeyStore('meshgate/awstest/signing-keyz').load());
    assert.equal(keys.code, 'key_secret_not_found');
    assert.equal(keys.message, 'secret meshgate/awstest/signing-keyz not found: check MESHGATE_KEY_SECRET_ID (and the Region)');
    const jwks = await failure(() => new SecretsManagerJwksSource('meshgate/awstest/public-jwkz').load());
    assert.equal(jwks.code, 'key_secret_not_found');
    assert.match(jwks.message, /check MESHGATE_PUBLIC_JWKS_SECRET_ID/);
  });

  it('reads AWSCURRENT of a rotated secret with one signed request', async () => {
    const set = newKeySet();
    const id = 'meshgate/awstest/signing-keys-with-value';
    await client.send(new CreateSecretCommand({ Name: id }));
    await client.send(new PutSecretValueCommand({ SecretId: id, SecretString: serializeKeySet(set) }));
    assert.equal((await new SecretsManagerKeyStore(id).load()).current.kid, set.current.kid);
  });

  it('no Secrets Manager listening: secrets_manager_unreachable with the network error message', async () => {
    const port = await closedPort();
    const down = httpSecretReader({ env: { ...process.env, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` }, maxAttempts: 1 });
    const err = await failure(() => new SecretsManagerKeyStore(EMPTY_KEYS, { reader: down }).load());
    assert.equal(err.code, 'secrets_manager_unreachable');
    assert.equal(err.message, `cannot reach Secrets Manager: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it('before the first rotation the JWKS function and the ingress answer 503, log what to do, and forward nothing', async () => {
    Object.assign(process.env, {
      MESHGATE_KEY_STORE: 'secrets-manager',
      MESHGATE_KEY_SECRET_ID: EMPTY_KEYS,
      MESHGATE_PUBLIC_JWKS_SECRET_ID: EMPTY_JWKS,
      MESHGATE_UPSTREAMS: JSON.stringify({ demo: upstream.url, orders: upstream.url }),
      MESHGATE_ALLOW_LOOPBACK_HTTP: 'true',
      MESHGATE_ASSERTION_ISSUER: 'http://127.0.0.1:3000',
      POWERTOOLS_DEV: 'false',
    });
    const jwks = (require('../../functions/jwks/handler') as { handler: (e: unknown) => Promise<HttpResult> }).handler;
    const ingress = (require('../../functions/ingress/handler') as { handler: (e: unknown) => Promise<HttpResult> }).handler;

    const served = await quietly(() =>
      jwks({ httpMethod: 'GET', path: '/.well-known/jwks.json', headers: {}, requestContext: { requestId: 'r1' } }),
    );
    assert.equal(served.result.statusCode, 503);
    assert.equal((JSON.parse(served.result.body) as { code: string }).code, 'key_set_empty');
    assert.equal(served.result.headers?.['retry-after'], '5');
    const jwksLog = served.logs.find((l) => l.message === 'public JWKS unavailable');
    assert.equal(jwksLog?.code, 'key_set_empty');
    assert.match(String(jwksLog?.reason), /run the first rotation/);

    const forwarded = await quietly(() => ingress(restEvent({ method: 'GET', path: '/whoami' })));
    assert.equal(forwarded.result.statusCode, 503);
    assert.equal(upstream.requests.length, 0, 'nothing is forwarded unsigned');
    const keyLog = forwarded.logs.find((l) => l.message === 'key set unavailable');
    assert.equal(keyLog?.code, 'key_set_empty');
    assert.match(String(keyLog?.reason), new RegExp(`secret ${EMPTY_KEYS} exists but has no value yet: run the first rotation`));
  });
});
