// A route table for ingress tests: one route per validator feature, all on the `demo` upstream.
import { parseRouteTable, type Route, type RouteTable } from '../../src/routes/route-table';

export const TEST_ROUTES_JSON = {
  upstreams: { demo: { audience: 'demo-service', timeoutMs: 2000 } },
  routes: [
    { method: 'GET', path: '/whoami', upstream: 'demo' },
    { method: 'GET', path: '/orders', upstream: 'demo', scopes: ['orders:read'], querySchema: 'order-list-query' },
    { method: 'GET', path: '/orders/{id}', upstream: 'demo', scopes: ['orders:read'] },
    // Needs every one of its scopes: a token with only one of them must not get through.
    { method: 'DELETE', path: '/orders/{id}', upstream: 'demo', scopes: ['orders:read', 'orders:write'] },
    { method: 'POST', path: '/orders', upstream: 'demo', scopes: ['orders:write'], bodySchema: 'order-create', maxBodyBytes: 2048 },
    { method: 'PUT', path: '/files/{name}', upstream: 'demo', contentTypes: ['application/octet-stream', 'image/*'], maxBodyBytes: 16 },
    { method: 'POST', path: '/notes', upstream: 'demo', contentTypes: ['application/json', 'text/plain'] },
    { method: 'POST', path: '/forms', upstream: 'demo', contentTypes: ['application/x-www-form-urlencoded', 'multipart/form-data'] },
    { method: 'GET', path: '/admin/reports', upstream: 'demo', groups: ['admin'] },
    { method: 'GET', path: '/iam/whoami', upstream: 'demo', auth: 'iam' },
    { method: 'ANY', path: '/echo/{proxy+}', upstream: 'demo', timeoutMs: 300 },
  ],
};

export const testRoutes: RouteTable = parseRouteTable(TEST_ROUTES_JSON);

export function route(id: string): Route {
  const found = testRoutes.routes.find((r) => r.id === id);
  if (!found) throw new Error(`no test route ${id}`);
  return found;
}
