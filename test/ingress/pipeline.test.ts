import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadIngressConfig } from '../../functions/ingress/config';
import type { HttpResult, Problem } from '../../src/http/problem';
import { bodyDigest, requestHash } from '@meshgate/consumer';
import { type AssertionClaims } from '../../src/keys/assertion';
import { publicJwks, type SigningKeySet } from '../../src/keys/key-set';
import { FileKeyStore } from '../../src/keys/key-store-file';
import { buildIngress, handleIngressEvent, type Ingress } from '../../src/ingress/pipeline';
import { authorizerContext, httpApiEvent, restEvent, restIamEvent } from '../support/events';
import { TEST_ROUTES_JSON } from '../support/ingress-routes';
import { assertNoSecretsLogged, captureLogs } from '../support/logs';
import { startUpstream, type UpstreamServer } from '../support/upstream-server';

const ISSUER = 'http://127.0.0.1:3000';
const BEARER = 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMyJ9.c2lnbmF0dXJlLXNlY3JldA';

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string | undefined>;
  body: string;
}

/** Verifies the assertion with node:crypto against the published JWKS of the key set, and returns its claims. */
function verifyAssertion(jws: string | undefined, keySet: SigningKeySet): AssertionClaims {
  assert.ok(jws, 'no assertion header');
  const [h, p, s] = jws.split('.') as [string, string, string];
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg: string; typ: string; kid: string };
  assert.deepEqual({ alg: header.alg, typ: header.typ }, { alg: 'ES256', typ: 'identity+jwt' });
  const jwk = publicJwks(keySet).keys.find((k) => k.kid === header.kid);
  assert.ok(jwk, 'kid not in the JWKS');
  const ok = verify(
    'sha256',
    Buffer.from(`${h}.${p}`),
    { key: createPublicKey({ key: { ...jwk }, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
    Buffer.from(s, 'base64url'),
  );
  assert.equal(ok, true, 'signature does not verify');
  return JSON.parse(Buffer.from(p, 'base64url').toString()) as AssertionClaims;
}

const echoOf = (result: HttpResult): Echo => JSON.parse(result.body) as Echo;
const problemOf = (result: HttpResult): Problem => {
  assert.equal(result.headers['content-type'], 'application/problem+json');
  return JSON.parse(result.body) as Problem;
};

describe('ingress pipeline: validate → enrich → sign → forward', () => {
  let upstream: UpstreamServer;
  let dir: string;
  let ingress: Ingress;
  let keySet: SigningKeySet;

  before(async () => {
    upstream = await startUpstream();
    dir = mkdtempSync(join(tmpdir(), 'meshgate-ingress-'));
    const store = new FileKeyStore(join(dir, 'keys.json'));
    keySet = await store.createIfMissing();
    const env = {
      MESHGATE_UPSTREAMS: JSON.stringify({ demo: `${upstream.url}/svc` }),
      MESHGATE_ALLOW_LOOPBACK_HTTP: 'true',
      MESHGATE_ASSERTION_ISSUER: ISSUER,
      MESHGATE_ASSERTION_TTL_SECONDS: '60',
      MESHGATE_KEY_STORE: 'file',
      MESHGATE_KEYS_FILE: join(dir, 'keys.json'),
    };
    ingress = buildIngress(() => loadIngressConfig(env, TEST_ROUTES_JSON));
    assert.equal(ingress.ok, true);
  });
  after(async () => {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => upstream.requests.splice(0));

  it('forwards a REST 1.0 event with a signed, route-bound assertion and strips spoofed headers', async () => {
    const body = JSON.stringify({ sku: 'ABC-123', quantity: 3 });
    const event = restEvent({
      method: 'POST',
      path: '/orders',
      multiValueHeaders: {
        'Content-Type': ['application/json'],
        Authorization: [BEARER],
        'X-Identity-Sub': ['admin'],
        'x-identity-GROUPS': ['admin', 'root'],
      },
      body,
      requestId: 'rest-req-1',
    });
    const result = await handleIngressEvent(ingress, event);
    assert.equal(result.statusCode, 200, result.body);
    const seen = echoOf(result);
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url, '/svc/orders');
    assert.equal(seen.body, body);
    assert.equal(seen.headers['x-identity-sub'], 'user-123');
    assert.equal(seen.headers['x-identity-groups'], 'staff,admin');
    assert.equal(seen.headers['x-identity-tenant'], 'acme');
    assert.equal(seen.headers['x-request-id'], 'rest-req-1');
    assert.equal(seen.headers.authorization, undefined);
    const claims = verifyAssertion(seen.headers['x-identity-assertion'], keySet);
    assert.equal(claims.iss, ISSUER);
    assert.equal(claims.aud, 'demo-service');
    assert.equal(claims.sub, 'user-123');
    assert.equal(claims.src_iss, 'https://idp.example.com/');
    assert.equal(claims.scope, 'orders:read orders:write');
    assert.deepEqual(claims.groups, ['staff', 'admin']);
    assert.equal(claims.req, requestHash(seen.method, seen.url));
    assert.notEqual(claims.req, requestHash('GET', '/svc/orders'));
    assert.equal(claims.body_sha256, bodyDigest(body), 'the assertion binds the forwarded body');
    assert.ok(claims.exp - claims.iat <= 60 && claims.exp > claims.iat);
    assert.match(claims.jti, /^[A-Za-z0-9_-]{16,}$/);
  });

  it('forwards an HTTP API 2.0 event (authorizer.lambda) with query string and path parameters', async () => {
    const event = httpApiEvent({
      method: 'GET',
      path: '/orders/42',
      resource: '/orders/{id}',
      query: { expand: ['items', 'customer'] },
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    });
    const result = await handleIngressEvent(ingress, event);
    assert.equal(result.statusCode, 200, result.body);
    const seen = echoOf(result);
    assert.equal(seen.url, '/svc/orders/42?expand=items&expand=customer');
    assert.equal(seen.headers.traceparent, '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    const claims = verifyAssertion(seen.headers['x-identity-assertion'], keySet);
    assert.equal(claims.req, requestHash('GET', '/svc/orders/42', 'expand=items&expand=customer'));
    assert.notEqual(claims.req, requestHash('GET', '/svc/orders/42'), 'the query is bound');
    assert.equal(claims.body_sha256, bodyDigest(undefined));
    assert.equal(claims.client_id, 'web-app');
  });

  it('forwards a SigV4 caller of an IAM route with type iam and iss aws:iam', async () => {
    const result = await handleIngressEvent(ingress, restIamEvent());
    assert.equal(result.statusCode, 200, result.body);
    const seen = echoOf(result);
    assert.equal(seen.headers['x-identity-type'], 'iam');
    assert.equal(seen.headers['x-identity-iss'], 'aws:iam');
    assert.equal(seen.headers['x-identity-sub'], 'arn:aws:iam::123456789012:user/deployer');
    const claims = verifyAssertion(seen.headers['x-identity-assertion'], keySet);
    assert.equal(claims.type, 'iam');
    assert.equal(claims.src_iss, 'aws:iam');
  });

  it('reads SigV4 callers of HTTP API events from authorizer.iam', async () => {
    const event = httpApiEvent(
      { path: '/iam/whoami' },
      { iam: { userArn: 'arn:aws:sts::123456789012:assumed-role/ci/run', accountId: '123456789012' } },
    );
    const seen = echoOf(await handleIngressEvent(ingress, event));
    assert.equal(seen.headers['x-identity-sub'], 'arn:aws:sts::123456789012:assumed-role/ci/run');
  });

  it('fails closed with 401 identity_missing when a JWT route has no authorizer identity, without calling upstream', async () => {
    for (const event of [
      restEvent({}, null),
      httpApiEvent({}, null),
      // serverless offline adds decoded but unverified claims here: never an identity
      httpApiEvent({}, { jwt: { claims: { sub: 'admin', scope: 'orders:read' }, scopes: [] } }),
      // SigV4 identity on a JWT route is not an authorizer identity
      restEvent({}, null, { userArn: 'arn:aws:iam::123456789012:user/x' }),
    ]) {
      const result = await handleIngressEvent(ingress, event);
      assert.equal(result.statusCode, 401);
      assert.equal(problemOf(result).code, 'identity_missing');
    }
    assert.equal(upstream.requests.length, 0);
  });

  it('answers 401 on an IAM route without a SigV4 identity, even with an authorizer context', async () => {
    const result = await handleIngressEvent(ingress, restEvent({ path: '/iam/whoami' }));
    assert.equal(problemOf(result).code, 'identity_missing');
  });

  it('re-checks the route: 403 route_forbidden when the identity lacks the group or scope', async () => {
    const noAdmin = await handleIngressEvent(
      ingress,
      restEvent({ path: '/admin/reports' }, authorizerContext({ groupsJson: '["staff"]' })),
    );
    assert.equal(noAdmin.statusCode, 403);
    assert.equal(problemOf(noAdmin).code, 'route_forbidden');
    const noScope = await handleIngressEvent(
      ingress,
      restEvent({ path: '/orders/1', resource: '/orders/{id}' }, authorizerContext({ scopesJson: '["profile"]' })),
    );
    assert.equal(problemOf(noScope).code, 'route_forbidden');
    assert.equal(upstream.requests.length, 0);
  });

  it('answers 401 token_expired when a cached authorization outlives the credential', async () => {
    const result = await handleIngressEvent(
      ingress,
      restEvent({}, authorizerContext({ exp: String(Math.floor(Date.now() / 1000) - 120) })),
    );
    assert.equal(problemOf(result).code, 'token_expired');
  });

  it('answers 400 problem+json with pointers and the request id, without calling upstream', async () => {
    const event = restEvent({
      method: 'POST',
      path: '/orders',
      headers: { 'content-type': 'application/json' },
      body: '{"sku":"ABC-1","quantity":0}',
      requestId: 'bad-req',
    });
    const result = await handleIngressEvent(ingress, event);
    assert.equal(result.statusCode, 400);
    const problem = problemOf(result);
    assert.deepEqual(
      { type: problem.type, status: problem.status, instance: problem.instance, errors: problem.errors?.map((e) => e.pointer) },
      { type: 'https://meshgate.dev/problems/payload_invalid', status: 400, instance: 'bad-req', errors: ['#/quantity'] },
    );
    assert.equal(upstream.requests.length, 0);
  });

  it('answers 404 route_not_found for unknown routes and dot-segment paths', async () => {
    assert.equal(problemOf(await handleIngressEvent(ingress, restEvent({ path: '/nope' }))).code, 'route_not_found');
    assert.equal(
      problemOf(await handleIngressEvent(ingress, restEvent({ path: '/echo/../admin/reports', resource: '/echo/{proxy+}' }))).code,
      'route_not_found',
    );
    assert.equal(
      problemOf(await handleIngressEvent(ingress, restEvent({ path: '/echo/%2E%2e/x', resource: '/echo/{proxy+}' }))).code,
      'route_not_found',
    );
  });

  it('answers 404 for dot segments upstreams resolve after API Gateway: path parameters (..;), encoded / and \\', async () => {
    // Tomcat/Jetty strip `;params` before resolving `..`; Envoy/Istio path normalisation decodes %2F and %5C first.
    for (const path of [
      '/echo/..;/admin/reports',
      '/echo/.;x/admin',
      '/echo/%2e%2e%3b/admin',
      '/echo/x%2F..%2Fadmin',
      '/echo/x%5c..%5cadmin',
      '/echo/x\\..\\admin',
      '/echo/a/..%2f',
    ]) {
      const result = await handleIngressEvent(ingress, restEvent({ path, resource: '/echo/{proxy+}' }));
      assert.equal(problemOf(result).code, 'route_not_found', path);
    }
    assert.equal(upstream.requests.length, 0);
    for (const path of ['/echo/a..b/c.d', '/echo/.well-known/x', '/echo/a;b=1', '/echo/a%2Fb']) {
      assert.equal((await handleIngressEvent(ingress, restEvent({ path, resource: '/echo/{proxy+}' }))).statusCode, 200, path);
    }
  });

  it('answers 400 query_invalid, not 500, for a REST query parameter with a lone surrogate', async () => {
    for (const query of [{ q: ['\ud800'] }, { ['\udc00x']: ['1'] }] as Record<string, string[]>[]) {
      const result = await handleIngressEvent(ingress, restEvent({ path: '/echo/x', resource: '/echo/{proxy+}', query }));
      assert.equal(result.statusCode, 400, result.body);
      assert.equal(problemOf(result).code, 'query_invalid');
    }
    assert.equal(upstream.requests.length, 0);
  });

  it('logs one access decision per request with subject and route, and never the token or the assertion', async () => {
    const logs = captureLogs();
    let assertion: string | undefined;
    try {
      const result = await handleIngressEvent(ingress, restEvent({ headers: { authorization: BEARER }, requestId: 'log-req' }));
      assertion = echoOf(result).headers['x-identity-assertion'];
      await handleIngressEvent(
        ingress,
        restEvent({ path: '/admin/reports', headers: { authorization: BEARER } }, authorizerContext({ groupsJson: '[]' })),
      );
    } finally {
      logs.stop();
    }
    const decisions = logs.entries().filter((e) => e.message === 'access decision');
    assert.deepEqual(
      decisions.map((d) => [d.route, d.outcome, d.reason, d.sub]),
      [
        ['GET /whoami', 'allow', 'ok', 'user-123'],
        ['GET /admin/reports', 'deny', 'route_forbidden', 'user-123'],
      ],
    );
    assert.equal(decisions[0]?.apiRequestId, 'log-req');
    assertNoSecretsLogged(logs, [BEARER.slice(7), assertion ?? '']);
  });
});

describe('ingress pipeline: failures outside the request', () => {
  it('answers 503 config_invalid (naming nothing) for a bad configuration, logs the field, never forwards', async () => {
    const logs = captureLogs();
    let result: HttpResult;
    try {
      const ingress = buildIngress(() =>
        loadIngressConfig({ MESHGATE_UPSTREAMS: '{"demo":"http://10.0.0.1"}', MESHGATE_ASSERTION_ISSUER: ISSUER }, TEST_ROUTES_JSON),
      );
      result = await handleIngressEvent(ingress, restEvent());
    } finally {
      logs.stop();
    }
    assert.equal(result.statusCode, 503);
    const problem = problemOf(result);
    assert.equal(problem.code, 'config_invalid');
    assert.equal(problem.detail, undefined);
    assert.doesNotMatch(result.body, /MESHGATE|10\.0\.0\.1/);
    assert.ok(
      logs.lines.some((l) => l.includes('MESHGATE_UPSTREAMS.demo')),
      'the log names the field',
    );
  });

  it('answers 502 when the upstream is down and 504 when it is slow, logged with the request id', async () => {
    const slow = await startUpstream(() => undefined);
    const dir = mkdtempSync(join(tmpdir(), 'meshgate-ingress-'));
    await new FileKeyStore(join(dir, 'k.json')).createIfMissing();
    const logs = captureLogs();
    try {
      const env = (url: string): Record<string, string> => ({
        MESHGATE_UPSTREAMS: JSON.stringify({ demo: url }),
        MESHGATE_ALLOW_LOOPBACK_HTTP: 'true',
        MESHGATE_ASSERTION_ISSUER: ISSUER,
        MESHGATE_KEY_STORE: 'file',
        MESHGATE_KEYS_FILE: join(dir, 'k.json'),
      });
      const down = buildIngress(() => loadIngressConfig(env('http://127.0.0.1:1'), TEST_ROUTES_JSON));
      const downResult = await handleIngressEvent(down, restEvent({ requestId: 'down-req' }));
      const hung = buildIngress(() => loadIngressConfig(env(slow.url), TEST_ROUTES_JSON));
      const slowResult = await handleIngressEvent(
        hung,
        restEvent({ method: 'DELETE', path: '/echo/x', resource: '/echo/{proxy+}', requestId: 'slow-req' }),
      );
      logs.stop();
      assert.deepEqual([downResult.statusCode, problemOf(downResult).code], [502, 'upstream_unavailable']);
      assert.deepEqual([slowResult.statusCode, problemOf(slowResult).code], [504, 'upstream_timeout']);
      const errors = logs.entries().filter((e) => e.message === 'access decision' && e.outcome === 'upstream_error');
      assert.deepEqual(
        errors.map((e) => e.apiRequestId),
        ['down-req', 'slow-req'],
      );
    } finally {
      logs.stop();
      await slow.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 503 key_set_unavailable when the key store fails, and forwards nothing', async () => {
    const upstream = await startUpstream();
    try {
      const config = loadIngressConfig(
        {
          MESHGATE_UPSTREAMS: JSON.stringify({ demo: upstream.url }),
          MESHGATE_ALLOW_LOOPBACK_HTTP: 'true',
          MESHGATE_ASSERTION_ISSUER: ISSUER,
          MESHGATE_KEY_STORE: 'file',
          MESHGATE_KEYS_FILE: '/dev/null/keys.json',
        },
        TEST_ROUTES_JSON,
      );
      const result = await handleIngressEvent(
        buildIngress(() => config),
        restEvent(),
      );
      assert.deepEqual([result.statusCode, problemOf(result).code], [503, 'key_set_unavailable']);
      assert.equal(upstream.requests.length, 0);
    } finally {
      await upstream.close();
    }
  });
});
