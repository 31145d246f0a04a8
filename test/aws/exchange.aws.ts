// Against moto over HTTP: the token exchange reads the signing key set from Secrets Manager, and across rotations it
// verifies subjects signed by the key that was current before (now previous) and signs with the key current now.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { newKeySet, rotateKeySet, serializeKeySet, type SigningKeySet } from '../../src/keys/key-set';
import type { HttpResult } from '../../src/http/problem';
import { exchangeEvent, exchangeForm, hop0Claims, signSubject } from '../exchange/support';
import { ACCOUNT, quietly, startMoto, useMotoInThisProcess, type Moto } from './support/moto';

const KEY_SECRET = 'meshgate/awstest/exchange-signing-keys';
const ISSUER = 'https://meshgate.awstest.example.com';
const CALLER = `arn:aws:sts::${ACCOUNT}:assumed-role/meshgate-demo-orders/orders-task-1`;

let moto: Moto;
let client: SecretsManagerClient;
let exchange: (event: unknown) => Promise<HttpResult>;

before(
  async () => {
    moto = await startMoto();
    useMotoInThisProcess(moto);
    client = new SecretsManagerClient(moto.clientConfig);
    Object.assign(process.env, {
      MESHGATE_KEY_STORE: 'secrets-manager',
      MESHGATE_KEY_SECRET_ID: KEY_SECRET,
      // Re-read AWSCURRENT on every call, so each exchange sees the rotation that just happened.
      MESHGATE_KEY_CACHE_TTL_MS: '0',
      MESHGATE_ASSERTION_ISSUER: ISSUER,
      POWERTOOLS_DEV: 'false',
    });
    // The handler reads the environment when it loads: after the lines above.
    exchange = (require('../../functions/exchange/handler') as { handler: (e: unknown) => Promise<HttpResult> }).handler;
  },
  { timeout: 90_000 },
);

after(async () => {
  await moto?.stop();
});

/** Puts a key set as the new AWSCURRENT version (the old one becomes AWSPREVIOUS), as finishSecret leaves it. */
async function publish(set: SigningKeySet, first = false): Promise<void> {
  const value = serializeKeySet(set);
  if (first) await client.send(new CreateSecretCommand({ Name: KEY_SECRET, SecretString: value }));
  else await client.send(new PutSecretValueCommand({ SecretId: KEY_SECRET, SecretString: value }));
}

async function exchangeWith(subject: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const { result } = await quietly(() => exchange(exchangeEvent({ callerArn: CALLER, form: exchangeForm(subject) })));
  return { status: result.statusCode, json: JSON.parse(result.body) as Record<string, unknown> };
}

const kidOf = (jws: string): unknown => (JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString()) as { kid: unknown }).kid;
const subjectSignedBy = (set: SigningKeySet): string =>
  signSubject(hop0Claims('orders-service', { iss: ISSUER, scope: 'payments:charge' }), { set });

describe('Token exchange over HTTP (moto): keys from Secrets Manager across rotations', () => {
  it('verifies subjects signed by the current or (after a rotation) the previous key, and signs with the current one after each rotation', async () => {
    const first = newKeySet();
    await publish(first, true);
    const before = await exchangeWith(subjectSignedBy(first));
    assert.equal(before.status, 200, JSON.stringify(before.json));
    assert.equal(kidOf(before.json.access_token as string), first.current.kid);

    const second = rotateKeySet(first);
    await publish(second);
    // A subject the ingress signed just before the rotation: its key is now `previous`.
    const across = await exchangeWith(subjectSignedBy(first));
    assert.equal(across.status, 200, JSON.stringify(across.json));
    assert.equal(kidOf(across.json.access_token as string), second.current.kid);

    const third = rotateKeySet(second);
    await publish(third);
    // Two rotations later the first set's current key is out of the set: its subjects are refused, never re-signed.
    const stale = await exchangeWith(subjectSignedBy(first));
    assert.equal(stale.status, 400);
    assert.equal(stale.json.error, 'invalid_request');
    assert.equal(stale.json.access_token, undefined);
    const fresh = await exchangeWith(subjectSignedBy(third));
    assert.equal(fresh.status, 200, JSON.stringify(fresh.json));
    assert.equal(kidOf(fresh.json.access_token as string), third.current.kid);
  });
});
