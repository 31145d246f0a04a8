// GET /.well-known/jwks.json as a pure function: public members only, cache headers, ETag/304, 503 on store failure.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, MeshgateError, TokenError } from '../../src/errors';
import { JWKS_CACHE_CONTROL, JWKS_CONTENT_TYPE, ifNoneMatchMatches, jwksResult, keyStoreFailureResult } from '../../src/keys/jwks';
import { FileKeyStore } from '../../src/keys/key-store-file';
import { newKeySet, publicJwks, rotateKeySet, type SigningKeySet } from '../../src/keys/key-set';

const restEvent = (headers: Record<string, string> = {}, multi: Record<string, string[]> | null = null) => ({
  resource: '/.well-known/jwks.json',
  path: '/.well-known/jwks.json',
  httpMethod: 'GET',
  headers,
  multiValueHeaders: multi,
  requestContext: { requestId: 'rest-1' },
});
const httpApiEvent = (headers: Record<string, string> = {}) => ({
  version: '2.0',
  routeKey: 'GET /.well-known/jwks.json',
  rawPath: '/.well-known/jwks.json',
  headers,
  requestContext: { requestId: 'http-1', http: { method: 'GET' } },
});

function privateValues(set: SigningKeySet): string[] {
  return [set.current, set.next, set.previous].flatMap((k) => (k ? [k.privateJwk.d] : []));
}

describe('JWKS endpoint (src/keys/jwks.ts)', () => {
  it('serves the current, next and previous public keys with cache and type headers', () => {
    const set = rotateKeySet(newKeySet());
    const res = jwksResult(publicJwks(set), restEvent());
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], JWKS_CONTENT_TYPE);
    assert.equal(res.headers['cache-control'], JWKS_CACHE_CONTROL);
    assert.match(res.headers['cache-control'] ?? '', /max-age=\d+/);
    assert.match(res.headers.etag ?? '', /^"[A-Za-z0-9_-]+"$/);
    const jwks = JSON.parse(res.body) as { keys: Record<string, unknown>[] };
    assert.deepEqual(
      jwks.keys.map((k) => k.kid),
      [set.current.kid, set.next.kid, set.previous!.kid],
    );
    for (const key of jwks.keys) {
      assert.deepEqual(Object.keys(key).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
      assert.equal(key.alg, 'ES256');
    }
  });

  it('never serves a private member: no `d`, and no private value anywhere in the body', () => {
    const set = rotateKeySet(rotateKeySet(newKeySet()));
    const res = jwksResult(publicJwks(set), httpApiEvent());
    assert.ok(!/"d"\s*:/.test(res.body));
    for (const d of privateValues(set)) assert.ok(!res.body.includes(d));
  });

  it('answers 304 for a matching If-None-Match in REST (any casing, multi-value) and HTTP API events', () => {
    const set = newKeySet();
    const { headers } = jwksResult(publicJwks(set), httpApiEvent());
    const etag = headers.etag!;
    const variants = [
      restEvent({ 'If-None-Match': etag }),
      restEvent({}, { 'IF-NONE-MATCH': ['"other"', etag] }),
      httpApiEvent({ 'if-none-match': `"stale", W/${etag}` }),
      httpApiEvent({ 'if-none-match': '*' }),
    ];
    for (const event of variants) {
      const res = jwksResult(publicJwks(set), event);
      assert.equal(res.statusCode, 304);
      assert.equal(res.body, '');
      assert.equal(res.headers.etag, etag);
      assert.equal(res.headers['cache-control'], JWKS_CACHE_CONTROL);
    }
    assert.equal(jwksResult(publicJwks(set), httpApiEvent({ 'if-none-match': '"something-else"' })).statusCode, 200);
  });

  it('changes the ETag when the key set rotates, so a cached copy revalidates to the new keys', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshgate-jwks-'));
    try {
      const store = new FileKeyStore(join(dir, 'keys.json'));
      const first = jwksResult(publicJwks(await store.createIfMissing()), httpApiEvent());
      assert.equal(jwksResult(publicJwks(await store.load()), httpApiEvent()).headers.etag, first.headers.etag, 'same keys, same ETag');
      await store.rotate();
      const second = jwksResult(publicJwks(await store.load()), httpApiEvent({ 'if-none-match': first.headers.etag! }));
      assert.equal(second.statusCode, 200);
      assert.notEqual(second.headers.etag, first.headers.etag);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers 503 problem+json without the cause when the key store fails', () => {
    const secretish = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:meshgate/prod/signing-keys SecretString={"d":"c2VjcmV0"}';
    for (const err of [new Error(secretish), new MeshgateError('key_set_unavailable', 'signing key set is invalid: not JSON')]) {
      const res = keyStoreFailureResult(err, 'req-9');
      assert.equal(res.statusCode, 503);
      assert.equal(res.headers['content-type'], 'application/problem+json');
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.ok(res.headers['retry-after']);
      const problem = JSON.parse(res.body) as Record<string, unknown>;
      assert.equal(problem.code, 'key_set_unavailable');
      assert.equal(problem.instance, 'req-9');
      assert.ok(!res.body.includes('c2VjcmV0') && !res.body.includes('SecretString') && !res.body.includes('not JSON'));
    }
  });
});

describe('JWKS answer headers and revalidation', () => {
  it('answers 200 as application/jwk-set+json, nosniff, not base64, with a 32-character strong ETag over the body', () => {
    const res = jwksResult(publicJwks(newKeySet()), httpApiEvent());
    assert.equal(res.headers['content-type'], 'application/jwk-set+json');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.isBase64Encoded, false);
    assert.match(res.headers.etag ?? '', /^"[A-Za-z0-9_-]{32}"$/);
    const etag = jwksResult(publicJwks(newKeySet()), httpApiEvent({ 'if-none-match': res.headers.etag! }));
    assert.equal(etag.statusCode, 200, 'another key set, another ETag');
  });

  it('answers 304 with an empty, not base64, body', () => {
    const jwks = publicJwks(newKeySet());
    const { etag } = jwksResult(jwks, httpApiEvent()).headers;
    const res = jwksResult(jwks, httpApiEvent({ 'if-none-match': etag! }));
    assert.deepEqual([res.statusCode, res.body, res.isBase64Encoded], [304, '', false]);
  });

  it('revalidates only on If-None-Match: the ETag in another header (If-Match, ETag) is a 200', () => {
    const jwks = publicJwks(newKeySet());
    const { etag } = jwksResult(jwks, httpApiEvent()).headers;
    for (const name of ['if-match', 'etag', 'if-none-match-x', 'x-if-none-match']) {
      assert.equal(jwksResult(jwks, restEvent({ [name]: etag! }, { [name]: [etag!] })).statusCode, 200, name);
    }
  });

  it('ignores header values that are neither text nor a list of text (null, numbers), keeping the text ones', () => {
    const jwks = publicJwks(newKeySet());
    const { etag } = jwksResult(jwks, httpApiEvent()).headers;
    const odd = (headers: Record<string, unknown>, multi: Record<string, unknown>) => ({
      ...restEvent(),
      headers,
      multiValueHeaders: multi,
    });
    assert.equal(jwksResult(jwks, odd({ 'if-none-match': null }, { 'if-none-match': null })).statusCode, 200);
    assert.equal(jwksResult(jwks, odd({ 'if-none-match': 7 }, { 'if-none-match': [null, 7, {}] })).statusCode, 200);
    assert.equal(jwksResult(jwks, odd({}, { 'if-none-match': [null, 7, etag] })).statusCode, 304);
    assert.equal(jwksResult(jwks, { headers: null, multiValueHeaders: null }).statusCode, 200);
    assert.equal(jwksResult(jwks, undefined).statusCode, 200);
  });
});

describe('Function: ifNoneMatchMatches (RFC 9110 weak comparison)', () => {
  it('matches a listed tag, weak or strong, on either side, and `*`', () => {
    assert.equal(ifNoneMatchMatches(['"a"'], '"a"'), true);
    assert.equal(ifNoneMatchMatches(['W/"a"'], '"a"'), true);
    assert.equal(ifNoneMatchMatches(['"a"'], 'W/"a"'), true);
    assert.equal(ifNoneMatchMatches(['"x", W/"a" ,"y"'], 'W/"a"'), true);
    assert.equal(ifNoneMatchMatches(['"x"', ' * '], '"a"'), true);
    assert.equal(ifNoneMatchMatches([], '"a"'), false);
    assert.equal(ifNoneMatchMatches(['"x", "y"'], '"a"'), false);
  });

  it('treats W/ as the weak marker only in front of the tag, not inside its opaque part', () => {
    assert.equal(ifNoneMatchMatches(['"ab"'], '"aW/b"'), false);
    assert.equal(ifNoneMatchMatches(['"aW/b"'], '"ab"'), false);
    assert.equal(ifNoneMatchMatches(['"aW/b"'], '"aW/b"'), true);
  });
});

describe('Function: keyStoreFailureResult', () => {
  it("keeps a key store's own failure code and a configuration error, and answers anything else as key_set_unavailable", () => {
    const code = (err: unknown) => (JSON.parse(keyStoreFailureResult(err, 'r').body) as { code: string }).code;
    assert.equal(code(new MeshgateError('key_file_missing', 'no file')), 'key_file_missing');
    assert.equal(code(new MeshgateError('key_secret_not_found', 'no secret')), 'key_secret_not_found');
    assert.equal(code(new ConfigError('MESHGATE_KEY_SECRET_ID', 'is required')), 'config_invalid');
    assert.equal(code(new TokenError('token_expired', 'expired')), 'key_set_unavailable');
    assert.equal(code(new MeshgateError('route_not_found', 'x')), 'key_set_unavailable');
    assert.equal(code(Object.assign(new Error('x'), { code: 'key_file_missing' })), 'key_set_unavailable');
    for (const err of [new ConfigError('X', 'y'), new TokenError('token_expired', 'expired')]) {
      assert.equal(keyStoreFailureResult(err, 'r').statusCode, 503);
    }
  });
});

describe('JWKS handler (functions/jwks/handler.ts) with the file key store', () => {
  it("serves the store's keys, revalidates with 304, and answers 503 without leaking when the store breaks", async () => {
    const { writeFile } = await import('node:fs/promises');
    const { captureLogs, assertNoSecretsLogged } = await import('../support/logs');
    const dir = await mkdtemp(join(tmpdir(), 'meshgate-jwks-handler-'));
    const file = join(dir, 'keys.json');
    const saved = { ...process.env };
    Object.assign(process.env, { MESHGATE_KEY_STORE: 'file', MESHGATE_KEYS_FILE: file, MESHGATE_KEY_CACHE_TTL_MS: '0' });
    const logs = captureLogs();
    try {
      const { handler } = await import('../../functions/jwks/handler');
      const missing = await handler(httpApiEvent());
      assert.equal(missing.statusCode, 503, 'a GET never creates the key file');
      assert.equal((JSON.parse(missing.body) as { code: string }).code, 'key_file_missing');
      await assert.rejects(stat(file), /ENOENT/);
      const set = await new FileKeyStore(file).createIfMissing();
      const first = await handler(httpApiEvent());
      assert.equal(first.statusCode, 200);
      assert.deepEqual(
        (JSON.parse(first.body) as { keys: { kid: string }[] }).keys.map((k) => k.kid),
        [set.current.kid, set.next.kid],
      );
      assert.equal((await handler(restEvent({ 'If-None-Match': first.headers.etag! }))).statusCode, 304);

      await writeFile(file, JSON.stringify({ version: 1, current: { kid: 'x', privateJwk: { d: set.current.privateJwk.d } } }));
      const broken = await handler(restEvent());
      assert.equal(broken.statusCode, 503);
      assert.equal((JSON.parse(broken.body) as { code: string }).code, 'key_set_unavailable');
      assert.ok(!broken.body.includes(set.current.privateJwk.d));
      logs.stop();
      assert.ok(
        logs.lines.some((l) => l.includes('key set unavailable')),
        'the failure is logged',
      );
      assertNoSecretsLogged(logs, privateValues(set));
    } finally {
      logs.stop();
      process.env = saved;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
