// Route permissions and the IAM policies built from them, called directly: which identity may call which route,
// the execute-api resources a policy lists, and how API Gateway evaluates them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { VerifiedIdentity } from '../../src/auth/identity';
import {
  allowPolicy,
  denyPolicy,
  isRouteAllowed,
  parseExecuteApiArn,
  policyAllows,
  routeResource,
  routesAllowedFor,
} from '../../src/auth/policy';
import { parseRouteTable, type Route } from '../../src/routes/route-table';

const BASE = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod';
const TABLE = parseRouteTable({
  upstreams: { demo: { audience: 'demo' } },
  routes: [
    { method: 'GET', path: '/whoami', upstream: 'demo' },
    { method: 'GET', path: '/orders/{id}', upstream: 'demo', scopes: ['orders:read'] },
    { method: 'DELETE', path: '/orders/{id}', upstream: 'demo', scopes: ['orders:read', 'orders:write'] },
    { method: 'GET', path: '/admin', upstream: 'demo', groups: ['admin', 'ops'] },
    { method: 'POST', path: '/admin/{rest+}', upstream: 'demo', scopes: ['admin:write'], groups: ['admin'] },
    { method: 'ANY', path: '/echo/{proxy+}', upstream: 'demo' },
    { method: 'GET', path: '/iam', upstream: 'demo', auth: 'iam' },
  ],
});
const route = (id: string): Route => TABLE.routes.find((r) => r.id === id)!;
const who = (scopes: string[], groups: string[] = [], type: VerifiedIdentity['type'] = 'user'): VerifiedIdentity => ({
  sub: 'alice',
  iss: 'https://idp.example.com',
  type,
  scopes,
  groups,
  tenant: undefined,
  clientId: undefined,
  exp: 0,
});

describe('isRouteAllowed', () => {
  const cases: Array<[string, VerifiedIdentity, boolean]> = [
    ['GET /whoami', who([]), true],
    ['GET /orders/{id}', who([]), false],
    ['GET /orders/{id}', who(['orders:read']), true],
    ['DELETE /orders/{id}', who(['orders:read']), false],
    ['DELETE /orders/{id}', who(['orders:write']), false],
    ['DELETE /orders/{id}', who(['orders:write', 'orders:read']), true],
    ['GET /admin', who([], ['ops']), true],
    ['GET /admin', who([], ['admin']), true],
    ['GET /admin', who([], ['staff']), false],
    ['GET /admin', who([]), false],
    ['POST /admin/{rest+}', who(['admin:write'], ['ops']), false],
    ['POST /admin/{rest+}', who([], ['admin']), false],
    ['POST /admin/{rest+}', who(['admin:write'], ['admin']), true],
    ['GET /iam', who([], [], 'user'), false],
    ['GET /iam', who([], [], 'service'), false],
    ['GET /iam', who([], [], 'iam'), true],
    ['GET /whoami', who([], [], 'iam'), true],
  ];
  for (const [id, identity, allowed] of cases) {
    it(`${id} for ${identity.type} scopes [${identity.scopes.join(' ')}] groups [${identity.groups.join(',')}]: ${allowed}`, () => {
      assert.equal(isRouteAllowed(identity, route(id)), allowed);
    });
  }
});

describe('routesAllowedFor', () => {
  it('lists the JWT routes an identity may call, never an IAM route (even for an IAM caller)', () => {
    assert.deepEqual(
      routesAllowedFor(who(['orders:read']), TABLE).map((r) => r.id),
      ['GET /whoami', 'GET /orders/{id}', 'ANY /echo/{proxy+}'],
    );
    assert.ok(!routesAllowedFor(who([], [], 'iam'), TABLE).some((r) => r.auth === 'iam'));
  });
});

describe('routeResource and allowPolicy', () => {
  it('turns path parameters and greedy parameters into *, and ANY into *', () => {
    assert.equal(routeResource(BASE, route('GET /whoami')), `${BASE}/GET/whoami`);
    assert.equal(routeResource(BASE, route('GET /orders/{id}')), `${BASE}/GET/orders/*`);
    assert.equal(routeResource(BASE, route('POST /admin/{rest+}')), `${BASE}/POST/admin/*`);
    assert.equal(routeResource(BASE, route('ANY /echo/{proxy+}')), `${BASE}/*/echo/*`);
  });

  it('allows exactly the given routes, each resource once; no route at all is a Deny on the whole stage', () => {
    const policy = allowPolicy(BASE, [route('GET /orders/{id}'), route('DELETE /orders/{id}'), route('GET /orders/{id}')]);
    assert.deepEqual(policy, {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${BASE}/GET/orders/*`, `${BASE}/DELETE/orders/*`] }],
    });
    assert.deepEqual(allowPolicy(BASE, []), denyPolicy(BASE));
    assert.deepEqual(denyPolicy(BASE), {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${BASE}/*`] }],
    });
  });
});

describe('policyAllows', () => {
  const allow = allowPolicy(BASE, [route('GET /orders/{id}'), route('ANY /echo/{proxy+}')]);
  const cases: Array<[string, boolean]> = [
    [`${BASE}/GET/orders/7`, true],
    [`${BASE}/GET/orders/7/items`, true], // `*` matches `/` too, as in API Gateway
    [`${BASE}/POST/orders/7`, false],
    [`${BASE}/GET/orders`, false],
    [`${BASE}/PUT/echo/a/b`, true],
    [`${BASE}/GET/whoami`, false],
    [`${BASE.replace('/prod', '/dev')}/GET/orders/7`, false],
    [`x${BASE}/GET/orders/7`, false],
  ];
  for (const [arn, allowed] of cases) {
    it(`${arn.slice(BASE.length - 10)}: ${allowed}`, () => {
      assert.equal(policyAllows(allow, arn), allowed);
    });
  }

  it('treats every character but * literally: a dot or a plus in a resource matches only itself', () => {
    const literal = { ...allow, Statement: [{ Action: 'execute-api:Invoke' as const, Effect: 'Allow' as const, Resource: ['a.b+c?/x'] }] };
    assert.equal(policyAllows(literal, 'a.b+c?/x'), true);
    assert.equal(policyAllows(literal, 'aXb+c?/x'), false);
    assert.equal(policyAllows(literal, 'a.bbc?/x'), false);
    assert.equal(policyAllows(literal, 'a.b+c/x'), false);
  });

  it('lets an explicit Deny win over an Allow, in either order, and denies when nothing matches', () => {
    const both = { Version: '2012-10-17' as const, Statement: [...allow.Statement, ...denyPolicy(BASE).Statement] };
    assert.equal(policyAllows(both, `${BASE}/GET/orders/7`), false);
    const reversed = { ...both, Statement: [...both.Statement].reverse() };
    assert.equal(policyAllows(reversed, `${BASE}/GET/orders/7`), false);
    assert.equal(policyAllows(denyPolicy(BASE), `${BASE}/GET/orders/7`), false);
  });
});

describe('parseExecuteApiArn', () => {
  it('splits a method ARN into API base, method and path', () => {
    assert.deepEqual(parseExecuteApiArn(`${BASE}/GET/orders/7`), { apiBase: BASE, method: 'GET', path: '/orders/7' });
    assert.deepEqual(parseExecuteApiArn(`${BASE}/POST`), { apiBase: BASE, method: 'POST', path: '/' });
    assert.deepEqual(parseExecuteApiArn('arn:aws-cn:execute-api:cn-north-1:random-account-id:random-api-id/$default/*/x'), {
      apiBase: 'arn:aws-cn:execute-api:cn-north-1:random-account-id:random-api-id/$default',
      method: '*',
      path: '/x',
    });
  });

  it('refuses what is not an execute-api method ARN, and ARNs over 2048 characters', () => {
    for (const arn of [
      undefined,
      42,
      '',
      `${BASE}`,
      `${BASE}/get/orders`,
      'arn:aws:lambda:eu-west-1:123456789012:function:f/GET/x',
      `x${BASE}/GET/x`,
      `${BASE}/GET/${'a'.repeat(2048)}`,
      // Trailing text after a line break is not ignored: the whole ARN must match.
      `${BASE}/GET\n/admin`,
      `${BASE}/GET/whoami\n/admin`,
      `${BASE}/GETx`,
    ]) {
      assert.equal(parseExecuteApiArn(arn), undefined, String(arn).slice(0, 80));
    }
    const longest = `${BASE}/GET/${'a'.repeat(2048 - BASE.length - 5)}`;
    assert.equal(longest.length, 2048);
    assert.equal(parseExecuteApiArn(longest)?.method, 'GET');
  });
});
