import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { authorizeEvent, buildAuthorizer, type Authorizer } from '../../src/auth/authorizer';
import { loadAuthorizerConfig } from '../../functions/authorizer/config';
import { policyAllows, type PolicyDocument } from '../../src/auth/policy';
import { decide, readAuthorizerEvent, type PolicyResponse, type SimpleResponse } from '../../src/auth/authorize';
import { startJwksServer, type JwksServer } from '../support/jwks-server';
import { nowSeconds, rsaKey, signJwt, type TestKey } from '../support/tokens';
import { API_BASE, httpApiEvent, restRequestEvent, restTokenEvent } from '../support/authorizer-events';
import { assertNoSecretsLogged, captureLogs } from '../support/logs';
import { eventually } from '../support/eventually';

const ISSUER = 'http://127.0.0.1/idp';
const ROUTES = {
  upstreams: { orders: { audience: 'orders-service' } },
  routes: [
    { method: 'GET', path: '/whoami', upstream: 'orders' },
    { method: 'GET', path: '/orders/{id}', upstream: 'orders', scopes: ['orders:read'] },
    { method: 'POST', path: '/orders', upstream: 'orders', scopes: ['orders:write'] },
    { method: 'DELETE', path: '/orders/{id}', upstream: 'orders', scopes: ['orders:read', 'orders:write'] },
    { method: 'GET', path: '/admin', upstream: 'orders', groups: ['admin', 'ops'] },
    { method: 'GET', path: '/iam', upstream: 'orders', auth: 'iam' },
  ],
};

function envFor(jwksUri: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    MESHGATE_ISSUERS: JSON.stringify([{ issuer: ISSUER, audience: ['meshgate'], jwksUri, requiredScopes: [], claims: { tenant: 'tid' } }]),
    MESHGATE_ALLOW_LOOPBACK_HTTP: 'true',
    ...extra,
  };
}

async function run(authorizer: Authorizer, event: unknown): Promise<PolicyResponse | SimpleResponse | 'Unauthorized'> {
  const result = await authorizeEvent(authorizer, event);
  return result.kind === 'unauthorized' ? 'Unauthorized' : result.body;
}

/** The one 'access decision' line each request logs, with the names of the metrics it counts (CloudWatch EMF). */
async function decisionLogged(authorizer: Authorizer, event: unknown): Promise<Record<string, unknown> & { metrics: string[] }> {
  const capture = captureLogs();
  try {
    await authorizeEvent(authorizer, event);
  } finally {
    capture.stop();
  }
  const lines = capture.entries().filter((e) => e.message === 'access decision');
  assert.equal(lines.length, 1, 'one access decision line per request');
  const line = lines[0] as Record<string, unknown>;
  const emf = line._aws as { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> };
  const metrics = emf.CloudWatchMetrics[0]?.Metrics.map((m) => m.Name) ?? [];
  for (const name of metrics) assert.equal(line[name], 1, `${name} counts one`);
  return { ...line, metrics };
}

describe('Function: authorizer (core through the handler shell)', () => {
  let jwks: JwksServer;
  let key: TestKey;
  let authorizer: Authorizer;
  const token = (claims: Record<string, unknown> = {}): string =>
    signJwt(key, {
      iss: ISSUER,
      aud: 'meshgate',
      sub: 'alice',
      iat: nowSeconds(),
      exp: nowSeconds() + 600,
      scope: 'orders:read',
      groups: ['ops'],
      tid: 't-1',
      client_id: 'web',
      ...claims,
    });

  before(async () => {
    key = rsaKey('k1');
    jwks = await startJwksServer([key.jwk]);
    authorizer = buildAuthorizer(() => loadAuthorizerConfig(envFor(jwks.jwksUri), ROUTES));
  });
  after(() => jwks.close());

  it('allows a REST TOKEN request with a policy covering every route the identity may call, and a flat context', async () => {
    const res = (await run(authorizer, restTokenEvent(`Bearer ${token()}`, 'GET', '/orders/42'))) as PolicyResponse;
    assert.equal(res.principalId, 'alice');
    assert.deepEqual(res.policyDocument.Statement[0]?.Resource, [
      `${API_BASE}/GET/whoami`,
      `${API_BASE}/GET/orders/*`,
      `${API_BASE}/GET/admin`,
    ]);
    assert.deepEqual(res.context, {
      sub: 'alice',
      iss: ISSUER,
      type: 'user',
      scopesJson: '["orders:read"]',
      groupsJson: '["ops"]',
      tenant: 't-1',
      clientId: 'web',
      exp: (res.context as { exp: number }).exp,
    });
    for (const value of Object.values(res.context ?? {})) assert.ok(['string', 'number', 'boolean'].includes(typeof value));
  });

  it('returns the same cache-safe policy whichever route is asked first: a cached answer never wrongly denies or allows', async () => {
    const t = token();
    const viaOrders = (await run(authorizer, restRequestEvent({ Authorization: `Bearer ${t}` }, 'GET', '/orders/1'))) as PolicyResponse;
    const viaWhoami = (await run(authorizer, restRequestEvent({ authorization: `Bearer ${t}` }, 'GET', '/whoami'))) as PolicyResponse;
    assert.deepEqual(viaOrders.policyDocument, viaWhoami.policyDocument);
    const cached: PolicyDocument = viaOrders.policyDocument;
    assert.equal(policyAllows(cached, `${API_BASE}/GET/whoami`), true, 'a second allowed route is not wrongly denied');
    assert.equal(policyAllows(cached, `${API_BASE}/GET/orders/77`), true);
    assert.equal(policyAllows(cached, `${API_BASE}/POST/orders`), false, 'a route lacking scope orders:write is not allowed');
    assert.equal(policyAllows(cached, `${API_BASE}/GET/iam`), false, 'IAM routes are never opened by a JWT');
  });

  it('denies (403) a valid token on a route it lacks the scope for, with a policy that still covers its allowed routes', async () => {
    const capture = captureLogs();
    const t = token();
    try {
      const res = (await run(authorizer, restTokenEvent(`Bearer ${t}`, 'POST', '/orders'))) as PolicyResponse;
      assert.equal(policyAllows(res.policyDocument, `${API_BASE}/POST/orders`), false);
      assert.equal(policyAllows(res.policyDocument, `${API_BASE}/GET/whoami`), true);
    } finally {
      capture.stop();
    }
    const decision = capture.entries().find((e) => e.message === 'access decision');
    assert.equal(decision?.outcome, 'deny');
    assert.equal(decision?.reason, 'route_forbidden');
    assert.equal(decision?.sub, 'alice');
    // The same line is the metric (CloudWatch EMF): namespace, the `service` dimension it carries, and the count.
    const emf = decision?._aws as {
      CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }>;
    };
    assert.deepEqual(emf.CloudWatchMetrics[0]?.Metrics, [{ Name: 'AuthorizerDenied', Unit: 'Count' }]);
    assert.deepEqual(emf.CloudWatchMetrics[0]?.Dimensions, [['service']]);
    assert.equal(decision?.AuthorizerDenied, 1);
    assert.equal(typeof decision?.service, 'string');
    assertNoSecretsLogged(capture, [t]);
  });

  it('allows a route that needs two scopes only to a token holding both, whichever one it lacks', async () => {
    const cases: Array<{ scope: string; allowed: boolean }> = [
      { scope: 'orders:read', allowed: false },
      { scope: 'orders:write', allowed: false },
      { scope: 'orders:write orders:read', allowed: true },
    ];
    // HTTP API simple responses cannot name routes (the ingress checks the route for them): the policy format can.
    const policyMode = buildAuthorizer(() => loadAuthorizerConfig(envFor(jwks.jwksUri, { MESHGATE_HTTP_API_RESPONSE: 'policy' }), ROUTES));
    for (const { scope, allowed } of cases) {
      const t = token({ scope });
      const rest = (await run(authorizer, restTokenEvent(`Bearer ${t}`, 'DELETE', '/orders/7'))) as PolicyResponse;
      assert.equal(policyAllows(rest.policyDocument, `${API_BASE}/DELETE/orders/7`), allowed, `REST, scope "${scope}"`);
      assert.equal(policyAllows(rest.policyDocument, `${API_BASE}/GET/orders/7`), scope.includes('orders:read'));
      const http = (await run(policyMode, httpApiEvent({ authorization: `Bearer ${t}` }, 'DELETE', '/orders/7'))) as PolicyResponse;
      const routeArn = `${API_BASE.replace('/prod', '/$default')}/DELETE/orders/7`;
      assert.equal(policyAllows(http.policyDocument, routeArn), allowed, `HTTP API, scope "${scope}"`);
    }
  });

  it('denies the whole API when the identity may call no route at all (an issuer-required scope is missing)', async () => {
    const env = envFor(jwks.jwksUri);
    env.MESHGATE_ISSUERS = JSON.stringify([
      { issuer: ISSUER, audience: ['meshgate'], jwksUri: jwks.jwksUri, requiredScopes: ['meshgate:access'] },
    ]);
    const strict = buildAuthorizer(() => loadAuthorizerConfig(env, ROUTES));
    const res = (await run(strict, restTokenEvent(`Bearer ${token()}`, 'GET', '/whoami'))) as PolicyResponse;
    assert.deepEqual(res.policyDocument.Statement, [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${API_BASE}/*`] }]);
    const ok = (await run(strict, restTokenEvent(`Bearer ${token({ scope: 'meshgate:access' })}`, 'GET', '/whoami'))) as PolicyResponse;
    assert.equal(policyAllows(ok.policyDocument, `${API_BASE}/GET/whoami`), true);
  });

  it('answers HTTP API 2.0 with a simple response, reading the header case-insensitively', async () => {
    const res = (await run(authorizer, httpApiEvent({ AUTHORIZATION: `bearer   ${token()}  ` }))) as SimpleResponse;
    assert.equal(res.isAuthorized, true);
    assert.equal(res.context?.sub, 'alice');
    const bad = (await run(authorizer, httpApiEvent({ authorization: 'Bearer nope' }))) as SimpleResponse;
    assert.deepEqual(bad, { isAuthorized: false });
  });

  it('answers HTTP API 2.0 with IAM policies when configured so', async () => {
    const policyMode = buildAuthorizer(() => loadAuthorizerConfig(envFor(jwks.jwksUri, { MESHGATE_HTTP_API_RESPONSE: 'policy' }), ROUTES));
    const res = (await run(policyMode, httpApiEvent({ authorization: `Bearer ${token()}` }))) as PolicyResponse;
    assert.equal(res.principalId, 'alice');
    assert.ok(res.policyDocument.Statement[0]?.Resource.some((r) => r.endsWith('$default/GET/whoami')));
  });

  it('throws Unauthorized (401) on REST for missing, malformed and wrongly prefixed credentials', async () => {
    const t = token();
    for (const auth of [undefined, '', 'Basic dXNlcjpwYXNz', `Token ${t}`, `Bearer ${t} ${t}`, 'Bearer', `Bearer\n${t}`]) {
      assert.equal(await run(authorizer, restTokenEvent(auth)), 'Unauthorized', `authorization ${JSON.stringify(auth?.slice(0, 20))}`);
      assert.equal(await run(authorizer, restRequestEvent(auth === undefined ? {} : { Authorization: auth })), 'Unauthorized');
    }
  });

  it('caches a verified token only until it expires', async () => {
    let now = Date.now();
    const clocked = buildAuthorizer(() => loadAuthorizerConfig(envFor(jwks.jwksUri), ROUTES));
    assert.ok(clocked.ok);
    Object.assign(clocked.core, { now: () => now });
    const short = token({ exp: nowSeconds() + 40 });
    assert.notEqual(await run(clocked, restTokenEvent(`Bearer ${short}`)), 'Unauthorized');
    assert.equal(clocked.core.tokenCache.size, 1);
    now += 41_000;
    assert.equal(clocked.core.tokenCache.get(short, now), undefined, 'the cached entry is gone at exp');
  });

  it('ends a cached allow when the issuer removes the key that verified it, within the max age, with no redeploy', async () => {
    const k2 = rsaKey('k2');
    const idp = await startJwksServer([key.jwk, k2.jwk]);
    try {
      let now = Date.now();
      const clocked = buildAuthorizer(
        () => loadAuthorizerConfig(envFor(idp.jwksUri), ROUTES),
        () => now,
      );
      const signedByK2 = signJwt(k2, { iss: ISSUER, aud: 'meshgate', sub: 'bob', iat: nowSeconds(), exp: nowSeconds() + 3600 });
      const event = restTokenEvent(`Bearer ${signedByK2}`, 'GET', '/whoami');
      assert.notEqual(await run(clocked, event), 'Unauthorized');
      idp.keys = [key.jwk];
      now += 599_000;
      assert.notEqual(await run(clocked, event), 'Unauthorized', 'within the max age the cached allow stands');
      now += 2_000;
      await eventually('the token signed with the removed key is refused', async () => (await run(clocked, event)) === 'Unauthorized');
    } finally {
      await idp.close();
    }
  });

  it("logs each decision with its own request id and subject, never the previous caller's", async () => {
    const capture = captureLogs();
    try {
      await run(authorizer, { ...restRequestEvent({ Authorization: `Bearer ${token()}` }), requestContext: { requestId: 'req-alice' } });
      await run(authorizer, { ...restRequestEvent({}), requestContext: { requestId: 'req-anonymous' } });
      await run(authorizer, restTokenEvent(undefined));
    } finally {
      capture.stop();
    }
    const [alice, anonymous, noId] = capture.entries().filter((e) => e.message === 'access decision');
    assert.equal(alice?.apiRequestId, 'req-alice');
    assert.equal(alice?.sub, 'alice');
    assert.equal(anonymous?.apiRequestId, 'req-anonymous');
    assert.equal(anonymous?.outcome, 'unauthorized');
    assert.equal('sub' in (anonymous ?? {}), false, "the anonymous caller's line names no subject");
    assert.equal('apiRequestId' in (noId ?? {}), false, 'an event without a request id logs none');
    assert.equal('sub' in (noId ?? {}), false);
  });

  it('logs each decision with its route, outcome, reason and identity, and counts it by outcome', async () => {
    const allow = await decisionLogged(authorizer, restTokenEvent(`Bearer ${token()}`, 'GET', '/orders/42'));
    assert.deepEqual(
      [allow.route, allow.outcome, allow.reason, allow.sub, allow.iss, allow.type, allow.metrics],
      ['GET /orders/42', 'allow', 'ok', 'alice', ISSUER, 'user', ['AuthorizerAllowed']],
    );
    const deny = await decisionLogged(authorizer, restTokenEvent(`Bearer ${token()}`, 'POST', '/orders'));
    assert.deepEqual(
      [deny.route, deny.outcome, deny.reason, deny.metrics],
      ['POST /orders', 'deny', 'route_forbidden', ['AuthorizerDenied']],
    );
    const missing = await decisionLogged(authorizer, restTokenEvent(undefined));
    assert.deepEqual([missing.outcome, missing.reason, missing.metrics], ['unauthorized', 'token_missing', ['AuthorizerUnauthorized']]);
    for (const authorization of ['', 'Basic dXNlcjpwYXNz', 'Bearer ']) {
      const malformed = await decisionLogged(authorizer, restTokenEvent(authorization));
      assert.deepEqual([malformed.outcome, malformed.reason], ['unauthorized', 'token_malformed'], JSON.stringify(authorization));
    }
    const noArn = await decisionLogged(authorizer, { type: 'TOKEN', authorizationToken: `Bearer ${token()}` });
    assert.equal(noArn.route, 'unknown');
  });

  it('denies with scope_missing, and a simple HTTP API answer of false, when the identity may call no route', async () => {
    const env = envFor(jwks.jwksUri);
    env.MESHGATE_ISSUERS = JSON.stringify([
      { issuer: ISSUER, audience: ['meshgate'], jwksUri: jwks.jwksUri, requiredScopes: ['meshgate:access'] },
    ]);
    const strict = buildAuthorizer(() => loadAuthorizerConfig(env, ROUTES));
    const line = await decisionLogged(strict, restTokenEvent(`Bearer ${token()}`, 'GET', '/whoami'));
    assert.deepEqual([line.outcome, line.reason, line.sub, line.metrics], ['deny', 'scope_missing', 'alice', ['AuthorizerDenied']]);
    const simple = (await run(strict, httpApiEvent({ authorization: `Bearer ${token()}` }))) as SimpleResponse;
    assert.equal(simple.isAuthorized, false);
  });

  it('counts a provider whose keys cannot be had as unauthorized and as JWKS-unavailable', async () => {
    const idp = await startJwksServer([key.jwk]);
    idp.mode = 'down';
    try {
      const cut = buildAuthorizer(() => loadAuthorizerConfig(envFor(idp.jwksUri), ROUTES));
      const line = await decisionLogged(cut, restTokenEvent(`Bearer ${token()}`));
      assert.deepEqual(
        [line.outcome, line.reason, line.metrics],
        ['unauthorized', 'jwks_unavailable', ['AuthorizerUnauthorized', 'AuthorizerJwksUnavailable']],
      );
    } finally {
      await idp.close();
    }
  });

  it('answers a repeated token from its cache (the same identity, not a second verification) by the clock it was given', async () => {
    assert.ok(authorizer.ok);
    const request = readAuthorizerEvent(restTokenEvent(`Bearer ${token()}`));
    const first = await decide(authorizer.core, request);
    const second = await decide(authorizer.core, request);
    assert.equal(first.outcome, 'allow');
    assert.ok('identity' in first && 'identity' in second);
    assert.equal(second.identity, first.identity, 'served from the cache');
    // A clock already past the token's exp: the verification stands (the library checks exp by the real clock) but is
    // never cached.
    const ahead = buildAuthorizer(
      () => loadAuthorizerConfig(envFor(jwks.jwksUri), ROUTES),
      () => Date.now() + 3_600_000,
    );
    assert.ok(ahead.ok);
    assert.equal((await decide(ahead.core, request)).outcome, 'allow');
    assert.equal(ahead.core.tokenCache.size, 0);
  });

  it('denies every request, in every format, when the configuration is invalid, and names the field in the log', async () => {
    const capture = captureLogs();
    let broken: Authorizer;
    try {
      broken = buildAuthorizer(() =>
        loadAuthorizerConfig(
          { MESHGATE_ISSUERS: JSON.stringify([{ issuer: ISSUER, audience: [] }]), MESHGATE_ALLOW_LOOPBACK_HTTP: 'true' },
          ROUTES,
        ),
      );
    } finally {
      capture.stop();
    }
    assert.equal(broken.ok, false);
    assert.ok(capture.lines.some((l) => l.includes('issuers[0].audience')));
    assert.ok(capture.entries().some((e) => e.message === 'configuration invalid: every request is denied'));
    const rest = (await run(broken, restTokenEvent(`Bearer ${token()}`))) as PolicyResponse;
    assert.equal(rest.policyDocument.Statement[0]?.Effect, 'Deny');
    assert.equal(rest.principalId, 'anonymous');
    assert.deepEqual(rest.context, { reason: 'config_invalid' });
    const line = await decisionLogged(broken, restTokenEvent(`Bearer ${token()}`, 'GET', '/orders/1'));
    assert.deepEqual(
      [line.level, line.route, line.outcome, line.reason, line.metrics],
      ['ERROR', 'GET /orders/1', 'deny', 'config_invalid', ['AuthorizerDenied', 'AuthorizerConfigInvalid']],
    );
    assert.match(String(line.error), /issuers\[0\]\.audience/);
    assert.deepEqual(await run(broken, httpApiEvent({ authorization: `Bearer ${token()}` })), { isAuthorized: false });
  });

  it('never throws anything but Unauthorized and never allows, whatever the event (property-based)', async () => {
    const anyJson = fc.jsonValue({ maxDepth: 3 });
    const authLike = fc.oneof(
      fc.string(),
      fc.constant(`Bearer ${token({ exp: nowSeconds() - 100 })}`),
      fc.string().map((s) => `Bearer ${s}`),
      fc.constant(`Bearer ${signJwt(rsaKey('k1'), { iss: ISSUER, aud: 'meshgate', sub: 'x', exp: nowSeconds() + 60 })}`),
    );
    const event = fc.oneof(
      anyJson,
      authLike.map((a) => restTokenEvent(a)),
      fc.record({
        type: fc.constantFrom('TOKEN', 'REQUEST', 'X'),
        authorizationToken: fc.oneof(authLike, anyJson),
        methodArn: fc.oneof(fc.string(), anyJson),
        headers: fc.oneof(anyJson, fc.dictionary(fc.string(), authLike)),
      }),
      fc.record({
        version: fc.constant('2.0'),
        identitySource: fc.oneof(anyJson, fc.array(authLike)),
        headers: fc.oneof(anyJson, fc.dictionary(fc.constantFrom('authorization', 'Authorization'), authLike)),
        routeArn: fc.oneof(fc.string(), anyJson),
      }),
    );
    const capture = captureLogs();
    try {
      await fc.assert(
        fc.asyncProperty(event, async (e) => {
          const res = await run(authorizer, e);
          if (res === 'Unauthorized') return;
          if ('isAuthorized' in res) assert.equal(res.isAuthorized, false);
          else assert.ok(res.policyDocument.Statement.every((s) => s.Effect === 'Deny'));
        }),
        { numRuns: 300 },
      );
    } finally {
      capture.stop();
    }
  });
});
