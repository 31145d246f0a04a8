import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/errors';
import { loadIngressConfig } from '../../../functions/ingress/config';
import { TEST_ROUTES_JSON } from '../../support/ingress-routes';

const base = {
  MESHGATE_UPSTREAMS: '{"demo":"https://demo.internal"}',
  MESHGATE_ASSERTION_ISSUER: 'https://meshgate.example.com',
  MESHGATE_KEY_SECRET_ID: 'meshgate/prod/signing-keys',
};

function failsAt(env: Record<string, string | undefined>, path: string, routes: unknown = TEST_ROUTES_JSON): void {
  assert.throws(
    () => loadIngressConfig(env, routes),
    (err: unknown) => err instanceof ConfigError && err.path === path,
    path,
  );
}

describe('loadIngressConfig', () => {
  it('reads a valid configuration with defaults', () => {
    const config = loadIngressConfig(base, TEST_ROUTES_JSON);
    assert.equal(config.upstreamUrls.get('demo')?.href, 'https://demo.internal/');
    assert.deepEqual(config.assertion, { issuer: 'https://meshgate.example.com', ttlSeconds: 60 });
    assert.deepEqual(config.keyStore, { kind: 'secrets-manager', secretId: 'meshgate/prod/signing-keys', cacheMs: 60_000 });
  });
  it('reads MESHGATE_RESERVED_HEADERS as names and prefixes, `_` read as `-`, and names the bad item', () => {
    assert.deepEqual(loadIngressConfig(base, TEST_ROUTES_JSON).reservedHeaders, { names: new Set(), prefixes: [] });
    const reserved = loadIngressConfig(
      { ...base, MESHGATE_RESERVED_HEADERS: ' x-user-id , x_internal-* ' },
      TEST_ROUTES_JSON,
    ).reservedHeaders;
    assert.deepEqual(reserved, { names: new Set(['x-user-id']), prefixes: ['x-internal-'] });
    failsAt({ ...base, MESHGATE_RESERVED_HEADERS: 'x-user-id,X-Upper' }, 'MESHGATE_RESERVED_HEADERS[1]');
    failsAt({ ...base, MESHGATE_RESERVED_HEADERS: 'x-a,,x-b' }, 'MESHGATE_RESERVED_HEADERS[1]');
    failsAt({ ...base, MESHGATE_RESERVED_HEADERS: '*' }, 'MESHGATE_RESERVED_HEADERS[0]');
    failsAt({ ...base, MESHGATE_RESERVED_HEADERS: 'x user' }, 'MESHGATE_RESERVED_HEADERS[0]');
  });
  it('reads IS_OFFLINE once, at cold start', () => {
    assert.equal(loadIngressConfig(base, TEST_ROUTES_JSON).offline, false);
    assert.equal(loadIngressConfig({ ...base, IS_OFFLINE: 'true' }, TEST_ROUTES_JSON).offline, true);
  });
  it('requires a base URL for every upstream of the route table, and no unknown ones', () => {
    failsAt({ ...base, MESHGATE_UPSTREAMS: '{}' }, 'MESHGATE_UPSTREAMS.demo');
    failsAt({ ...base, MESHGATE_UPSTREAMS: '{"demo":"https://a","demmo":"https://b"}' }, 'MESHGATE_UPSTREAMS.demmo');
    failsAt({ ...base, MESHGATE_UPSTREAMS: 'not json' }, 'MESHGATE_UPSTREAMS');
    failsAt({ ...base, MESHGATE_UPSTREAMS: undefined }, 'MESHGATE_UPSTREAMS');
  });
  it('allows http only for loopback hosts, and only when MESHGATE_ALLOW_LOOPBACK_HTTP=true', () => {
    failsAt({ ...base, MESHGATE_UPSTREAMS: '{"demo":"http://127.0.0.1:4001"}' }, 'MESHGATE_UPSTREAMS.demo');
    failsAt({ ...base, MESHGATE_ALLOW_LOOPBACK_HTTP: 'true', MESHGATE_UPSTREAMS: '{"demo":"http://10.1.2.3"}' }, 'MESHGATE_UPSTREAMS.demo');
    assert.ok(
      loadIngressConfig(
        { ...base, MESHGATE_ALLOW_LOOPBACK_HTTP: 'true', MESHGATE_UPSTREAMS: '{"demo":"http://127.0.0.1:4001"}' },
        TEST_ROUTES_JSON,
      ),
    );
  });
  it('refuses base URLs with credentials or a query', () => {
    failsAt({ ...base, MESHGATE_UPSTREAMS: '{"demo":"https://user:pw@demo.internal"}' }, 'MESHGATE_UPSTREAMS.demo');
    failsAt({ ...base, MESHGATE_UPSTREAMS: '{"demo":"https://demo.internal/?x=1"}' }, 'MESHGATE_UPSTREAMS.demo');
  });
  it('bounds the assertion TTL to 1..300 seconds and requires an https issuer', () => {
    failsAt({ ...base, MESHGATE_ASSERTION_TTL_SECONDS: '301' }, 'MESHGATE_ASSERTION_TTL_SECONDS');
    failsAt({ ...base, MESHGATE_ASSERTION_TTL_SECONDS: '0' }, 'MESHGATE_ASSERTION_TTL_SECONDS');
    failsAt({ ...base, MESHGATE_ASSERTION_ISSUER: 'http://meshgate.example.com' }, 'MESHGATE_ASSERTION_ISSUER');
    failsAt({ ...base, MESHGATE_ASSERTION_ISSUER: '' }, 'MESHGATE_ASSERTION_ISSUER');
  });
  it('names a route whose schema was never compiled', () => {
    const routes = { ...TEST_ROUTES_JSON, routes: [{ method: 'POST', path: '/x', upstream: 'demo', bodySchema: 'no-such-schema' }] };
    failsAt(base, 'routes.routes[0].bodySchema', routes);
    const query = { ...TEST_ROUTES_JSON, routes: [{ method: 'GET', path: '/x', upstream: 'demo', querySchema: 'order-create' }] };
    failsAt(base, 'routes.routes[0].querySchema', query);
    const nonJson = {
      ...TEST_ROUTES_JSON,
      routes: [{ method: 'POST', path: '/x', upstream: 'demo', bodySchema: 'order-create', contentTypes: ['text/plain'] }],
    };
    failsAt(base, 'routes.routes[0].contentTypes', nonJson);
  });
  it('accepts the repository route table', async () => {
    const routes = (await import('../../../config/routes.json')).default;
    // Its routes send requests to demo and to orders (the delegation demo's first hop).
    assert.ok(
      loadIngressConfig({ ...base, MESHGATE_UPSTREAMS: '{"demo":"https://demo.internal","orders":"https://orders.internal"}' }, routes),
    );
  });
});
