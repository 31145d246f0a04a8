// Secrets Manager throttling and errors during the ingress's key reads: the real pipeline over SecretsManagerKeyStore.
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GetSecretValueCommand, SecretsManagerClient, SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { loadIngressConfig } from '../../functions/ingress/config';
import { createAssertionVerifier } from '@meshgate/consumer';
import type { HttpResult, Problem } from '../../src/http/problem';
import { buildIngress, handleIngressEvent, type Ingress } from '../../src/ingress/pipeline';
import { newKeySet, publicJwks, rotateKeySet, serializeKeySet, type SigningKeySet } from '../../src/keys/key-set';
import { SecretsManagerKeyStore } from '../../src/keys/key-store-secrets-manager';
import { sdkSecretReader } from '../../src/keys/secret-reader-sdk';
import { restEvent } from '../support/events';
import { TEST_ROUTES_JSON } from '../support/ingress-routes';
import { startJwksServer, type JwksServer } from '../support/jwks-server';
import { assertNoSecretsLogged, captureLogs, type LogCapture } from '../support/logs';
import { startUpstream, type UpstreamServer } from '../support/upstream-server';

const SECRET_ID = 'meshgate/test/signing-keys';
const ISSUER = 'http://127.0.0.1:3000';
const TTL = 60_000;
const MAX_STALE = 600_000;
const RETRY_AFTER = 5_000;

const smMock = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'eu-west-1' });
const awsError = (name: string, fault: 'client' | 'server' = 'client') =>
  new SecretsManagerServiceException({ name, $fault: fault, message: name, $metadata: { httpStatusCode: fault === 'client' ? 400 : 500 } });
const serve = (set: SigningKeySet) =>
  smMock.on(GetSecretValueCommand).resolves({ SecretString: serializeKeySet(set), VersionStages: ['AWSCURRENT'] });
const fail = (err: Error) => smMock.on(GetSecretValueCommand).rejects(err);
const reads = () => smMock.commandCalls(GetSecretValueCommand).length;

describe('Faults: Secrets Manager during ingress key reads (real pipeline, SecretsManagerKeyStore, mocked SDK)', () => {
  let upstream: UpstreamServer;
  let jwks: JwksServer;
  let clock: number;
  let logs: LogCapture;

  before(async () => {
    upstream = await startUpstream();
    jwks = await startJwksServer([]);
  });
  after(async () => {
    await Promise.all([upstream.close(), jwks.close()]);
  });
  beforeEach(() => {
    smMock.reset();
    clock = 1_000_000;
    upstream.requests.splice(0);
    logs = captureLogs();
  });
  afterEach(() => logs.stop());

  /** The real ingress, with the Secrets Manager store on the injected clock (the store's own option, no sleeps). */
  function ingressWithStore(): Ingress {
    const env = {
      MESHGATE_UPSTREAMS: JSON.stringify({ demo: upstream.url }),
      MESHGATE_ALLOW_LOOPBACK_HTTP: 'true',
      MESHGATE_ASSERTION_ISSUER: ISSUER,
      MESHGATE_KEY_STORE: 'secrets-manager',
      MESHGATE_KEY_SECRET_ID: SECRET_ID,
    };
    const ingress = buildIngress(
      () => loadIngressConfig(env, TEST_ROUTES_JSON),
      (config) => {
        assert.deepEqual(config.keyStore, { kind: 'secrets-manager', secretId: SECRET_ID, cacheMs: TTL });
        return new SecretsManagerKeyStore(SECRET_ID, {
          reader: sdkSecretReader(client),
          ttlMs: TTL,
          maxStaleMs: MAX_STALE,
          retryAfterMs: RETRY_AFTER,
          now: () => clock,
        });
      },
    );
    assert.equal(ingress.ok, true);
    return ingress;
  }

  /** Sends GET /whoami; a 200 must carry an assertion that the consumer verifies against `set`'s published JWKS. */
  async function call(ingress: Ingress, set: SigningKeySet): Promise<HttpResult> {
    const before = upstream.requests.length;
    const result = await handleIngressEvent(ingress, restEvent());
    if (result.statusCode !== 200) {
      assert.equal(upstream.requests.length, before, 'nothing is forwarded without a signature');
      return result;
    }
    const seen = upstream.requests[before]!;
    jwks.keys = publicJwks(set).keys as unknown as Record<string, string>[];
    const verifier = createAssertionVerifier({ issuer: ISSUER, audience: 'demo-service', jwksUri: jwks.jwksUri });
    const trusted = await verifier.verify({ method: seen.method, path: seen.url, headers: seen.headers });
    assert.equal(trusted.sub, 'user-123');
    const kid = JSON.parse(Buffer.from(String(seen.headers['x-identity-assertion']).split('.')[0]!, 'base64url').toString()) as {
      kid: string;
    };
    assert.equal(kid.kid, set.current.kid, 'signed with the current key of that set');
    return result;
  }

  const problem = (r: HttpResult): Problem => JSON.parse(r.body) as Problem;

  it('keeps signing with the cached key set past its TTL while Secrets Manager throttles or fails, without a read storm', async () => {
    const ingress = ingressWithStore();
    const set = newKeySet();
    serve(set);
    assert.equal((await call(ingress, set)).statusCode, 200);
    assert.equal(reads(), 1);

    clock += TTL - 1; // within the TTL: no read at all
    fail(awsError('ThrottlingException'));
    assert.equal((await call(ingress, set)).statusCode, 200);
    assert.equal(reads(), 1);

    clock += 2; // TTL over, Secrets Manager throttles: the cached set keeps signing
    assert.equal((await call(ingress, set)).statusCode, 200);
    assert.equal(reads(), 2);
    clock += RETRY_AFTER - 1; // no second read before the retry delay
    assert.equal((await call(ingress, set)).statusCode, 200);
    assert.equal(reads(), 2);

    for (const err of [
      awsError('InternalServiceError', 'server'),
      Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }),
      awsError('AccessDeniedException'),
    ]) {
      fail(err);
      clock += RETRY_AFTER;
      assert.equal((await call(ingress, set)).statusCode, 200, err.name);
    }
    assert.equal(reads(), 5);
    assert.ok(
      logs.entries().some((e) => e.message === 'key set refresh failed; serving the cached key set' && e.reason === 'ThrottlingException'),
    );
    assertNoSecretsLogged(logs, [set.current.privateJwk.d, set.next.privateJwk.d]);
  });

  it('answers 503 key_set_unavailable once the stale window is over, then recovers with the rotated set', async () => {
    const ingress = ingressWithStore();
    const set = newKeySet();
    serve(set);
    assert.equal((await call(ingress, set)).statusCode, 200);

    fail(awsError('ThrottlingException'));
    clock += TTL + MAX_STALE; // the cached set is now too old to vouch for anyone
    const stale = await call(ingress, set);
    assert.deepEqual([stale.statusCode, problem(stale).code], [503, 'key_set_unavailable']);
    assert.doesNotMatch(stale.body, /Throttling|meshgate\/test/, 'the caller learns nothing about the backend');

    const rotated = rotateKeySet(set);
    serve(rotated);
    clock += 1; // no retry delay without a servable set: the next request reads again
    assert.equal((await call(ingress, rotated)).statusCode, 200);
    const decisions = logs
      .entries()
      .filter((e) => e.message === 'access decision')
      .map((e) => [e.outcome, e.reason, e.IngressKeyStoreUnavailable]);
    // The failure is also counted as IngressKeyStoreUnavailable, the metric the key store alarm reads.
    assert.deepEqual(decisions, [
      ['allow', 'ok', undefined],
      ['error', 'key_set_unavailable', 1],
      ['allow', 'ok', undefined],
    ]);
  });

  it("answers 503 with the store's own code on a cold start while Secrets Manager fails, and recovers on the next request", async () => {
    const ingress = ingressWithStore();
    // ResourceNotFoundException on GetSecretValue with the secret present (DescribeSecret answers): no value yet.
    const cases: Array<[Error, string]> = [
      [awsError('ThrottlingException'), 'key_set_unavailable'],
      [awsError('ResourceNotFoundException'), 'key_set_empty'],
      [awsError('InternalServiceError', 'server'), 'key_set_unavailable'],
    ];
    for (const [err, code] of cases) {
      fail(err);
      const result = await call(ingress, newKeySet());
      assert.deepEqual([result.statusCode, problem(result).code], [503, code], err.name);
      assert.doesNotMatch(result.body, /meshgate\/test|MESHGATE_KEY_SECRET_ID/, 'the caller learns nothing about the backend');
    }
    assert.equal(reads(), 3, 'each request retries: there is nothing cached to serve instead');
    assert.equal(upstream.requests.length, 0);
    const set = newKeySet();
    serve(set);
    assert.equal((await call(ingress, set)).statusCode, 200);
  });

  it('keeps the cached set when AWSCURRENT holds a corrupted value, and is 503 when that is all there is', async () => {
    const cold = ingressWithStore();
    smMock.on(GetSecretValueCommand).resolves({ SecretString: '{"version":1,"current":"not a key"}' });
    const broken = await call(cold, newKeySet());
    assert.deepEqual([broken.statusCode, problem(broken).code], [503, 'key_set_unavailable']);

    const warm = ingressWithStore();
    const set = newKeySet();
    serve(set);
    assert.equal((await call(warm, set)).statusCode, 200);
    smMock.on(GetSecretValueCommand).resolves({ SecretString: 'garbage' });
    clock += TTL;
    assert.equal((await call(warm, set)).statusCode, 200);
  });
});
