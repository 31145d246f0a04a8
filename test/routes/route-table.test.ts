import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findRouteByTemplate, matchRoute, parseRouteTable } from '../../src/routes/route-table';
import { ConfigError } from '../../src/errors';

const table = parseRouteTable({
  upstreams: { svc: {}, other: { audience: 'other-aud', timeoutMs: 900 } },
  routes: [
    { method: 'GET', path: '/orders/{id}', upstream: 'svc', scopes: ['orders:read'] },
    { method: 'GET', path: '/orders/{id}/items', upstream: 'svc' },
    { method: 'ANY', path: '/files/{proxy+}', upstream: 'other' },
    { method: 'POST', path: '/files/{proxy+}', upstream: 'svc' },
  ],
});

describe('Function: parseRouteTable', () => {
  it('fills defaults from the upstream', () => {
    const [orders, , files] = table.routes;
    assert.equal(orders?.upstream.audience, 'svc');
    assert.equal(orders?.maxBodyBytes, 1024 * 1024);
    assert.equal(files?.timeoutMs, 900);
    assert.deepEqual(orders?.contentTypes, ['application/json']);
  });

  it('names the field of every mistake', () => {
    const base = { upstreams: { svc: {} }, routes: [{ method: 'GET', path: '/a', upstream: 'svc' }] };
    const cases: Array<[unknown, string]> = [
      [{ ...base, routes: [] }, 'routes.routes'],
      [{ ...base, routes: [{ method: 'FETCH', path: '/a', upstream: 'svc' }] }, 'routes.routes[0].method'],
      [{ ...base, routes: [{ method: 'GET', path: 'a/b', upstream: 'svc' }] }, 'routes.routes[0].path'],
      [{ ...base, routes: [{ method: 'GET', path: '/a', upstream: 'nope' }] }, 'routes.routes[0].upstream'],
      [{ ...base, routes: [{ method: 'GET', path: '/a', upstream: 'svc', scope: ['x'] }] }, 'routes.routes[0].scope'],
      [{ ...base, routes: [base.routes[0], base.routes[0]] }, 'routes.routes[1]'],
      [{ ...base, upstreams: { svc: { timeoutMs: 10 } } }, 'routes.upstreams.svc.timeoutMs'],
    ];
    for (const [value, path] of cases) {
      assert.throws(
        () => parseRouteTable(value),
        (err: unknown) => err instanceof ConfigError && err.path === path,
        path,
      );
    }
  });
});

describe('Function: matchRoute', () => {
  it('matches parameters within one segment only and prefers an exact method over ANY', () => {
    assert.equal(matchRoute(table, 'get', '/orders/1')?.id, 'GET /orders/{id}');
    assert.equal(matchRoute(table, 'GET', '/orders/1/items')?.id, 'GET /orders/{id}/items');
    assert.equal(matchRoute(table, 'GET', '/orders/1/other'), undefined);
    assert.equal(matchRoute(table, 'POST', '/files/a/b')?.id, 'POST /files/{proxy+}');
    assert.equal(matchRoute(table, 'DELETE', '/files/a/b')?.id, 'ANY /files/{proxy+}');
    assert.equal(matchRoute(table, 'GET', '/files/'), undefined);
  });

  it('finds a route by the template API Gateway reports', () => {
    assert.equal(findRouteByTemplate(table, 'GET', '/orders/{id}')?.id, 'GET /orders/{id}');
    assert.equal(findRouteByTemplate(table, 'PUT', '/files/{proxy+}')?.id, 'ANY /files/{proxy+}');
  });
});
