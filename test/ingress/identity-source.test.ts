import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MeshgateError } from '../../src/errors';
import { checkIdentityForRoute, verifiedIdentityOf } from '../../src/ingress/identity-source';
import { readIngressEvent } from '../../src/ingress/request';
import { findRouteByTemplate, parseRouteTable, type Route } from '../../src/routes/route-table';
import routesJson from '../../config/routes.json';
import { authorizerContext, httpApiEvent, restEvent } from '../support/events';
import { route } from '../support/ingress-routes';

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof MeshgateError) return err.code;
    throw err;
  }
  return 'none';
};

describe('verifiedIdentityOf', () => {
  it('reads REST authorizer context values delivered as strings', () => {
    const identity = verifiedIdentityOf(readIngressEvent(restEvent()), route('GET /whoami'), false);
    assert.deepEqual(
      [identity.sub, identity.type, identity.scopes, identity.groups, identity.tenant, identity.clientId],
      ['user-123', 'user', ['orders:read', 'orders:write'], ['staff', 'admin'], 'acme', 'web-app'],
    );
  });
  it('never turns an authorizer context claiming type iam into an IAM identity', () => {
    assert.equal(
      verifiedIdentityOf(readIngressEvent(restEvent({}, authorizerContext({ type: 'iam' }))), route('GET /whoami'), false).type,
      'user',
    );
  });
  it('ignores serverless offline’s unverified authorizer.jwt.claims', () => {
    assert.equal(
      code(() =>
        verifiedIdentityOf(readIngressEvent(httpApiEvent({}, { jwt: { claims: { sub: 'admin' } } })), route('GET /whoami'), false),
      ),
      'identity_missing',
    );
  });
  it('requires a userArn for IAM routes', () => {
    assert.equal(
      code(() =>
        verifiedIdentityOf(readIngressEvent(restEvent({ path: '/iam/whoami' }, null, { userArn: '' })), route('GET /iam/whoami'), false),
      ),
      'identity_missing',
    );
  });
});

describe('checkIdentityForRoute', () => {
  const identity = verifiedIdentityOf(readIngressEvent(restEvent()), route('GET /whoami'), false);
  const now = Math.floor(Date.now() / 1000);
  it('allows a route whose scopes and groups the identity has', () => {
    assert.equal(
      code(() => checkIdentityForRoute(identity, route('POST /orders'), now)),
      'none',
    );
  });
  it('refuses an IAM route to a JWT identity and a group route to a non-member', () => {
    assert.equal(
      code(() => checkIdentityForRoute(identity, route('GET /iam/whoami'), now)),
      'route_forbidden',
    );
    assert.equal(
      code(() => checkIdentityForRoute({ ...identity, groups: ['staff'] }, route('GET /admin/reports'), now)),
      'route_forbidden',
    );
  });
  it('refuses a credential expired beyond the leeway', () => {
    assert.equal(
      code(() => checkIdentityForRoute({ ...identity, exp: now - 31 }, route('GET /whoami'), now)),
      'token_expired',
    );
    assert.equal(
      code(() => checkIdentityForRoute({ ...identity, exp: now - 5 }, route('GET /whoami'), now)),
      'none',
    );
  });
});

describe('sample events (events/ingress-*.json)', () => {
  const table = parseRouteTable(routesJson);
  for (const [file, sub] of [
    ['ingress-rest.json', 'user-123'],
    ['ingress-http-api.json', 'user-123'],
    ['ingress-iam.json', 'arn:aws:iam::123456789012:user/deployer'],
  ] as const) {
    it(`${file} names a route of config/routes.json and carries an identity allowed on it`, () => {
      const request = readIngressEvent(JSON.parse(readFileSync(`events/${file}`, 'utf8')));
      const r = findRouteByTemplate(table, request.method, request.template ?? '');
      assert.ok(r, 'route');
      const identity = verifiedIdentityOf(request, r, false);
      assert.equal(identity.sub, sub);
      checkIdentityForRoute(identity, r, Math.floor(Date.now() / 1000));
    });
  }
});

describe('Function: verifiedIdentityOf under serverless offline', () => {
  const table = parseRouteTable({
    upstreams: { svc: {} },
    routes: [
      { method: 'GET', path: '/a', upstream: 'svc' },
      { method: 'GET', path: '/iam', upstream: 'svc', auth: 'iam' },
    ],
  });
  const [jwtRoute, iamRoute] = table.routes as [Route, Route];

  it('refuses the offline authorizer-override header, which would let a client pick its identity', () => {
    const request = readIngressEvent(restEvent({ path: '/a', headers: { 'SLS-Offline-Authorizer-Override': '{"sub":"admin"}' } }));
    assert.throws(
      () => verifiedIdentityOf(request, jwtRoute, true),
      (err: MeshgateError) => err.code === 'identity_missing',
    );
    assert.equal(verifiedIdentityOf(request, jwtRoute, false).sub, 'user-123', 'outside offline the header means nothing');
  });

  it('refuses offline\u2019s unsigned placeholder caller on IAM routes', () => {
    const request = readIngressEvent(
      restEvent({ path: '/iam' }, null, { userArn: 'offlineContext_userArn', accountId: 'offlineContext_accountId' }),
    );
    assert.throws(
      () => verifiedIdentityOf(request, iamRoute, true),
      (err: MeshgateError) => err.code === 'identity_missing',
    );
  });
});
