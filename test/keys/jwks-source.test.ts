// The JWKS function's public-only source: the public-JWKS secret (AWSCURRENT) behind the SDK client (mocked) or the
// handler's signed request (a loopback double), and env selection.
import '../support/aws-env';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { newKeySet, publicJwks, rotateKeySet, serializeKeySet, type SigningKeySet } from '../../src/keys/key-set';
import { sdkSecretReader } from '../../src/keys/secret-reader-sdk';
import { jwksSourceFromConfig, SecretsManagerJwksSource, type JwksSource } from '../../src/keys/jwks-source';
import { loadJwksConfig } from '../../functions/jwks/config';
import { FileKeyStore } from '../../src/keys/key-store-file';
import { JWKS_CACHE_CONTROL, JWKS_CONTENT_TYPE } from '../../src/keys/jwks';
import { ConfigError, type MeshgateError } from '../../src/errors';
import { assertNoSecretsLogged } from '../support/logs';
import { secretCacheTestbed, throttled } from '../support/secret-cache';
import { secretValue, startSecretsManagerDouble } from './support/secrets-manager-double';

const SECRET_ID = 'meshgate/test/public-jwks';
const TTL = 60_000;
const smMock = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'eu-west-1' });

const t = secretCacheTestbed(smMock);
const source = (opts: { maxStaleMs?: number; retryAfterMs?: number } = {}) =>
  new SecretsManagerJwksSource(SECRET_ID, { reader: sdkSecretReader(client), ttlMs: TTL, now: () => t.clock, ...opts });
const serveText = (text: string) => smMock.on(GetSecretValueCommand).resolves({ SecretString: text, VersionStages: ['AWSCURRENT'] });
const serve = (set: SigningKeySet) => serveText(JSON.stringify(publicJwks(set)));
/** The public JWKS with the private scalar of `set.next` slipped in: what must never be served. */
const withPrivateMember = (set: SigningKeySet) => {
  const doc = JSON.parse(JSON.stringify(publicJwks(set))) as { keys: Record<string, unknown>[] };
  doc.keys[1]!.d = set.next.privateJwk.d;
  return JSON.stringify(doc);
};
/** A source that has already read `set`'s public JWKS once (a warm Lambda). */
async function warmSource(set: SigningKeySet, opts: { retryAfterMs?: number } = {}): Promise<SecretsManagerJwksSource> {
  serve(set);
  const jwks = source(opts);
  await jwks.load();
  return jwks;
}
const kids = (jwks: { keys: readonly { kid: string }[] }) => jwks.keys.map((k) => k.kid);

describe('Class: SecretsManagerJwksSource', () => {
  it('reads AWSCURRENT of the public-JWKS secret and caches it for the TTL', async () => {
    const before = rotateKeySet(newKeySet());
    const after = rotateKeySet(before);
    const jwks = source();
    serve(before);

    assert.deepEqual(kids(await jwks.load()), [before.current.kid, before.next.kid, before.previous!.kid]);
    assert.deepEqual(smMock.commandCalls(GetSecretValueCommand)[0]?.args[0].input, { SecretId: SECRET_ID, VersionStage: 'AWSCURRENT' });
    serve(after);
    t.clock += TTL - 1;
    assert.deepEqual(kids(await jwks.load()), kids(publicJwks(before)));
    t.clock += 1;
    assert.deepEqual(kids(await jwks.load()), kids(publicJwks(after)));
    assert.equal(t.reads(), 2);
  });

  // The cache itself (src/keys/cached-secret.ts, retry pacing, single flight) is tested through SecretsManagerKeyStore.
  it('serves the cached JWKS through a throttled refresh until the stale window (10 × TTL) ends, then key_set_unavailable', async () => {
    const set = newKeySet();
    const jwks = await warmSource(set, { retryAfterMs: 0 });
    smMock.on(GetSecretValueCommand).rejects(throttled());

    t.clock += TTL + 10 * TTL - 1;
    assert.deepEqual(kids(await jwks.load()), kids(publicJwks(set)));
    assert.equal(
      t.logs.entries().find((e) => e.message === 'public JWKS refresh failed; serving the cached public JWKS')?.reason,
      'ThrottlingException',
    );
    t.clock += 1;
    await assert.rejects(
      jwks.load(),
      (err: MeshgateError) => err.code === 'key_set_unavailable' && /public JWKS.*ThrottlingException/.test(err.message),
    );
  });

  it('refuses a value with a private member when nothing is cached, and logs the incident without the value', async () => {
    const set = newKeySet();
    serveText(withPrivateMember(set));

    await assert.rejects(source().load(), (err: MeshgateError) => err.code === 'key_set_unavailable' && /member "d"/.test(err.message));

    const incident = t.logs.entries().find((e) => e.message === 'public JWKS secret holds private key material; refusing to serve it');
    assert.equal(incident?.level, 'ERROR');
    assert.equal(incident?.secretId, SECRET_ID);
    assertNoSecretsLogged(t.logs, [set.next.privateJwk.d, set.current.privateJwk.d]);
  });

  it('keeps serving the last good public JWKS when a refresh finds private members, never the new value', async () => {
    const good = newKeySet();
    const leaked = rotateKeySet(good);
    const jwks = await warmSource(good);
    serveText(withPrivateMember(leaked));

    t.clock += TTL;
    const served = await jwks.load();

    assert.deepEqual(kids(served), kids(publicJwks(good)));
    assert.ok(!JSON.stringify(served).includes(leaked.next.privateJwk.d));
    assert.ok(t.logs.entries().some((e) => e.message === 'public JWKS secret holds private key material; refusing to serve it'));
    assertNoSecretsLogged(t.logs, [leaked.next.privateJwk.d]);
  });

  it('answers key_set_empty for the empty secret before the first rotation', async () => {
    smMock.on(GetSecretValueCommand).rejects(
      new SecretsManagerServiceException({
        name: 'ResourceNotFoundException',
        $fault: 'client',
        message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
        $metadata: {},
      }),
    );
    smMock.on(DescribeSecretCommand).resolves({ Name: 'meshgate/test/public-jwks' });
    await assert.rejects(
      source().load(),
      (err: MeshgateError) => err.code === 'key_set_empty' && /has no value yet: run the first rotation/.test(err.message),
    );
  });

  it('answers key_secret_not_found naming MESHGATE_PUBLIC_JWKS_SECRET_ID for a wrong secret id', async () => {
    const notFound = () =>
      new SecretsManagerServiceException({
        name: 'ResourceNotFoundException',
        $fault: 'client',
        message: "Secrets Manager can't find the specified secret.",
        $metadata: {},
      });
    smMock.on(GetSecretValueCommand).rejects(notFound());
    smMock.on(DescribeSecretCommand).rejects(notFound());
    await assert.rejects(
      source().load(),
      (err: MeshgateError) => err.code === 'key_secret_not_found' && /check MESHGATE_PUBLIC_JWKS_SECRET_ID/.test(err.message),
    );
  });

  it('counts a private-member refusal as JwksPrivateMaterialRefused, and any other refusal as no incident', async () => {
    const incidents = () =>
      t.logs.entries().filter((e) => e.message === 'public JWKS secret holds private key material; refusing to serve it');
    const counted = () => t.logs.entries().filter((e) => e.JwksPrivateMaterialRefused === 1);
    for (const text of ['not json', JSON.stringify({ keys: [] }), JSON.stringify({ keys: [{ kty: 'RSA' }] })]) {
      serveText(text);
      await assert.rejects(source().load(), (err: MeshgateError) => err.code === 'key_set_unavailable');
    }
    assert.deepEqual([incidents().length, counted().length], [0, 0]);
    serveText(withPrivateMember(newKeySet()));
    await assert.rejects(source().load(), (err: MeshgateError) => err.code === 'key_set_unavailable');
    assert.deepEqual([incidents().length, counted().length], [1, 1]);
  });

  it('names itself in a misuse error', () => {
    assert.throws(() => new SecretsManagerJwksSource(''), {
      name: 'TypeError',
      message: 'SecretsManagerJwksSource: secretId must not be empty',
    });
  });
});

describe('Function: jwksSourceFromConfig, loaded by functions/jwks/config.ts', () => {
  const jwksSourceFromEnv = (env: Record<string, string | undefined>): JwksSource => jwksSourceFromConfig(loadJwksConfig(env));

  it('needs the public-JWKS secret outside the local stack, and cannot be pointed at the signing key secret', () => {
    assert.ok(jwksSourceFromEnv({ MESHGATE_PUBLIC_JWKS_SECRET_ID: SECRET_ID }) instanceof SecretsManagerJwksSource);
    for (const env of [
      {},
      { MESHGATE_KEY_SECRET_ID: 'meshgate/test/signing-keys' },
      { MESHGATE_KEY_STORE: 'secrets-manager', MESHGATE_KEY_SECRET_ID: 'meshgate/test/signing-keys' },
    ]) {
      assert.throws(
        () => jwksSourceFromEnv(env),
        (err: unknown) => err instanceof ConfigError && err.path === 'MESHGATE_PUBLIC_JWKS_SECRET_ID',
      );
    }
    assert.throws(
      () => jwksSourceFromEnv({ MESHGATE_PUBLIC_JWKS_SECRET_ID: SECRET_ID, MESHGATE_KEY_CACHE_TTL_MS: 'soon' }),
      (err: unknown) => err instanceof ConfigError && err.path === 'MESHGATE_KEY_CACHE_TTL_MS',
    );
  });

  it('serves the local key set file with MESHGATE_KEY_STORE=file, even when a public-JWKS secret is named (the local stage)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshgate-jwks-source-'));
    try {
      const file = join(dir, 'keys.json');
      await new FileKeyStore(file).createIfMissing();
      const jwks = await jwksSourceFromEnv({
        MESHGATE_KEY_STORE: 'file',
        MESHGATE_KEYS_FILE: file,
        MESHGATE_PUBLIC_JWKS_SECRET_ID: SECRET_ID,
      }).load();
      assert.deepEqual(kids(jwks), kids(publicJwks(await new FileKeyStore(file).load())));
      assert.equal(t.reads(), 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('JWKS handler (functions/jwks/handler.ts) with the public-JWKS secret', () => {
  it('serves the published keys with cache headers, then 503 without serving or logging a private member', async () => {
    // The handler's own reader: one signed request per read, to a loopback double of Secrets Manager.
    const sm = await startSecretsManagerDouble();
    const saved = { ...process.env };
    Object.assign(process.env, sm.env, {
      MESHGATE_KEY_STORE: 'secrets-manager',
      MESHGATE_PUBLIC_JWKS_SECRET_ID: SECRET_ID,
      MESHGATE_KEY_CACHE_TTL_MS: '0',
    });
    let answer = '';
    sm.answer(() => secretValue(answer));
    try {
      const { handler } = await import('../../functions/jwks/handler');
      const event = { httpMethod: 'GET', path: '/.well-known/jwks.json', headers: {}, requestContext: { requestId: 'jwks-1' } };
      const set = rotateKeySet(newKeySet());
      answer = JSON.stringify(publicJwks(set));

      const ok = await handler(event);
      assert.equal(ok.statusCode, 200);
      assert.equal(ok.headers['content-type'], JWKS_CONTENT_TYPE);
      assert.equal(ok.headers['cache-control'], JWKS_CACHE_CONTROL);
      assert.ok(ok.headers.etag);
      assert.deepEqual(JSON.parse(ok.body), publicJwks(set));
      assert.equal((await handler({ ...event, headers: { 'If-None-Match': ok.headers.etag } })).statusCode, 304);

      // Stale window is 10 × TTL = 0 here: a bad value is never covered by the cache.
      answer = withPrivateMember(set);
      const refused = await handler(event);
      assert.equal(refused.statusCode, 503);
      assert.equal((JSON.parse(refused.body) as { code: string }).code, 'key_set_unavailable');
      assert.ok(!refused.body.includes(set.next.privateJwk.d));

      // The private key set itself in the public secret: refused the same way.
      answer = serializeKeySet(set);
      assert.equal((await handler(event)).statusCode, 503);
      t.logs.stop();
      assert.ok(t.logs.entries().some((e) => e.message === 'public JWKS secret holds private key material; refusing to serve it'));
      assertNoSecretsLogged(t.logs, [set.current.privateJwk.d, set.next.privateJwk.d, set.previous!.privateJwk.d]);
      assert.deepEqual(
        sm.calls.map((c) => [c.operation, c.input.SecretId, c.signatureValid]),
        Array(4).fill(['GetSecretValue', SECRET_ID, true]),
      );
    } finally {
      process.env = saved;
      await sm.close();
    }
  });
});
