// respond(): the API Gateway answer for each kind of decision, in each event format and HTTP API response mode.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { respond, type AuthDecision, type AuthorizerResult, type PolicyResponse } from '../../src/auth/authorize';
import { readAuthorizerEvent } from '../../src/auth/authorizer-event';
import { toAuthorizerContext } from '../../src/auth/context';
import type { VerifiedIdentity } from '../../src/auth/identity';
import { denyPolicy } from '../../src/auth/policy';
import { parseRouteTable, type Route } from '../../src/routes/route-table';
import { API_BASE, httpApiEvent, restRequestEvent, restTokenEvent } from '../support/authorizer-events';

const table = parseRouteTable({
  upstreams: { orders: {} },
  routes: [
    { method: 'GET', path: '/whoami', upstream: 'orders' },
    { method: 'GET', path: '/orders/{id}', upstream: 'orders', scopes: ['orders:read'] },
    { method: 'POST', path: '/orders', upstream: 'orders', scopes: ['orders:write'] },
  ],
});
const [whoami, getOrder, postOrder] = table.routes as [Route, Route, Route];
const HTTP_API_BASE = API_BASE.replace('/prod', '/$default');

const alice: VerifiedIdentity = {
  sub: 'alice',
  iss: 'https://idp.example.com/',
  type: 'user',
  scopes: ['orders:read'],
  groups: [],
  tenant: undefined,
  clientId: 'web',
  exp: 1_900_000_000,
};

const rest = readAuthorizerEvent(restTokenEvent('Bearer t', 'GET', '/orders/1'));
const restRequest = readAuthorizerEvent(restRequestEvent({ authorization: 'Bearer t' }));
const http = readAuthorizerEvent(httpApiEvent({ authorization: 'Bearer t' }));
const httpWithoutArn = readAuthorizerEvent({ ...httpApiEvent({ authorization: 'Bearer t' }), routeArn: undefined });
const SIMPLE = { httpApiResponse: 'simple' } as const;
const POLICY = { httpApiResponse: 'policy' } as const;

const body = (result: AuthorizerResult): unknown => {
  assert.equal(result.kind, 'response');
  return result.kind === 'response' ? result.body : undefined;
};
const allowed = (routes: readonly Route[]): AuthDecision => ({ outcome: 'allow', reason: 'ok', identity: alice, allowedRoutes: routes });

describe('Function: respond', () => {
  it('answers an unauthorized REST request with Unauthorized (401), and an HTTP API one with a denial', () => {
    const unauthorized: AuthDecision = { outcome: 'unauthorized', reason: 'token_missing' };
    assert.deepEqual(respond(POLICY, rest, unauthorized), { kind: 'unauthorized' });
    assert.deepEqual(respond(SIMPLE, restRequest, unauthorized), { kind: 'unauthorized' });
    assert.deepEqual(respond(SIMPLE, http, unauthorized), { kind: 'response', body: { isAuthorized: false } });
    assert.deepEqual(respond(POLICY, http, unauthorized), {
      kind: 'response',
      body: { principalId: 'anonymous', policyDocument: denyPolicy(HTTP_API_BASE) },
    });
  });

  it('denies every API when the event carries no execute-api ARN to name one', () => {
    const wildcard = denyPolicy('arn:aws:execute-api:*:*:*/*');
    assert.deepEqual(body(respond(POLICY, httpWithoutArn, { outcome: 'unauthorized', reason: 'token_missing' })), {
      principalId: 'anonymous',
      policyDocument: wildcard,
    });
    assert.deepEqual((body(respond(POLICY, httpWithoutArn, allowed([]))) as PolicyResponse).policyDocument, wildcard);
  });

  it('answers an invalid configuration with a Deny naming the reason, in every format', () => {
    const configInvalid: AuthDecision = { outcome: 'deny', reason: 'config_invalid' };
    const denial = { principalId: 'anonymous', policyDocument: denyPolicy(API_BASE), context: { reason: 'config_invalid' } };
    assert.deepEqual(respond(SIMPLE, rest, configInvalid), { kind: 'response', body: denial });
    assert.deepEqual(respond(SIMPLE, restRequest, configInvalid), { kind: 'response', body: denial });
    assert.deepEqual(respond(SIMPLE, http, configInvalid), { kind: 'response', body: { isAuthorized: false } });
    assert.deepEqual(respond(POLICY, http, configInvalid), {
      kind: 'response',
      body: { ...denial, policyDocument: denyPolicy(HTTP_API_BASE) },
    });
  });

  it('answers an identity with a policy over every route it may call, its subject and its context', () => {
    const res = body(respond(SIMPLE, rest, allowed([whoami, getOrder]))) as PolicyResponse;
    assert.equal(res.principalId, 'alice');
    assert.deepEqual(res.context, toAuthorizerContext(alice));
    assert.deepEqual(res.policyDocument.Statement, [
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${API_BASE}/GET/whoami`, `${API_BASE}/GET/orders/*`] },
    ]);
  });

  it('answers HTTP API simple responses by whether the identity may call any route, whichever was asked', () => {
    const context = toAuthorizerContext(alice);
    const forbiddenHere: AuthDecision = { outcome: 'deny', reason: 'route_forbidden', identity: alice, allowedRoutes: [whoami] };
    assert.deepEqual(body(respond(SIMPLE, http, forbiddenHere)), { isAuthorized: true, context });
    const noRoute: AuthDecision = { outcome: 'deny', reason: 'scope_missing', identity: alice, allowedRoutes: [] };
    assert.deepEqual(body(respond(SIMPLE, http, noRoute)), { isAuthorized: false, context });
    assert.deepEqual((body(respond(POLICY, http, noRoute)) as PolicyResponse).policyDocument, denyPolicy(HTTP_API_BASE));
  });

  it('gives each API and route set its own policy, and reuses a policy already built for the same ones', () => {
    const policyOf = (routes: readonly Route[], request = rest) =>
      (body(respond(POLICY, request, allowed(routes))) as PolicyResponse).policyDocument;
    const a = policyOf([whoami]);
    const b = policyOf([postOrder]);
    const ab = policyOf([whoami, postOrder]);
    const aHttp = policyOf([whoami], readAuthorizerEvent({ ...httpApiEvent({}), routeArn: `${HTTP_API_BASE}/GET/whoami` }));
    assert.deepEqual(a.Statement[0]?.Resource, [`${API_BASE}/GET/whoami`]);
    assert.deepEqual(b.Statement[0]?.Resource, [`${API_BASE}/POST/orders`]);
    assert.deepEqual(ab.Statement[0]?.Resource, [`${API_BASE}/GET/whoami`, `${API_BASE}/POST/orders`]);
    assert.deepEqual(aHttp.Statement[0]?.Resource, [`${HTTP_API_BASE}/GET/whoami`]);
    assert.equal(policyOf([whoami]), a, 'the same API and routes: the policy built before');
    assert.equal(policyOf([postOrder]), b);
  });
});
