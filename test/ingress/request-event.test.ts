import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MeshgateError } from '../../src/errors';
import { readIngressEvent, type IngressRequest } from '../../src/ingress/request';

// Raw API Gateway proxy events as data: no helper fills in fields, so missing and malformed fields are tested too.
const rest = (fields: Record<string, unknown>): Record<string, unknown> => ({ httpMethod: 'GET', path: '/orders', ...fields });
const v2 = (fields: Record<string, unknown>): Record<string, unknown> => ({
  version: '2.0',
  rawPath: '/orders',
  requestContext: { http: { method: 'GET' }, stage: '$default' },
  ...fields,
});

const headersOf = (request: IngressRequest): Record<string, readonly string[]> => Object.fromEntries(request.untrustedHeaders);
const queryOf = (request: IngressRequest): Record<string, readonly string[]> => Object.fromEntries(request.query);

function refusedPath(event: unknown): void {
  assert.throws(
    () => readIngressEvent(event),
    (err: unknown) => err instanceof MeshgateError && err.code === 'route_not_found',
  );
}

describe('readIngressEvent: method, path and route template', () => {
  const cases: [string, Record<string, unknown>, { method: string; path: string; template: string | undefined }][] = [
    ['REST, lowercase method', rest({ httpMethod: 'post', resource: '/orders' }), { method: 'POST', path: '/orders', template: '/orders' }],
    ['REST, no method and no path', { requestContext: {} }, { method: 'GET', path: '/', template: undefined }],
    ['REST, a method that is not a string', rest({ httpMethod: 42 }), { method: 'GET', path: '/orders', template: undefined }],
    [
      'HTTP API, route key with a method',
      v2({ routeKey: 'GET /orders/{id}', rawPath: '/orders/7' }),
      { method: 'GET', path: '/orders/7', template: '/orders/{id}' },
    ],
    ['HTTP API, $default route key', v2({ routeKey: '$default' }), { method: 'GET', path: '/orders', template: undefined }],
    ['HTTP API, no route key', v2({}), { method: 'GET', path: '/orders', template: undefined }],
    ['HTTP API, no http block and no rawPath', { version: '2.0', requestContext: {} }, { method: 'GET', path: '/', template: undefined }],
    [
      'HTTP API, lowercase method',
      v2({ requestContext: { http: { method: 'delete' } } }),
      { method: 'DELETE', path: '/orders', template: undefined },
    ],
  ];
  for (const [name, event, expected] of cases) {
    it(name, () => {
      const request = readIngressEvent(event);
      assert.deepEqual({ method: request.method, path: request.path, template: request.template }, expected);
    });
  }

  it('names the payload format and reads the request id only when it is a string', () => {
    assert.equal(readIngressEvent(rest({ requestContext: { requestId: 'r-1' } })).format, 'rest');
    assert.equal(readIngressEvent(rest({ requestContext: { requestId: 'r-1' } })).requestId, 'r-1');
    assert.equal(readIngressEvent(v2({})).format, 'http-v2');
    assert.equal(readIngressEvent(rest({ requestContext: { requestId: 7 } })).requestId, undefined);
  });
});

describe('readIngressEvent: HTTP API stage prefix', () => {
  const cases: [string, string | undefined, string][] = [
    ['/prod/orders', 'prod', '/orders'],
    ['/prod', 'prod', '/'],
    ['/production/orders', 'prod', '/production/orders'],
    ['/orders/prod/x', 'prod', '/orders/prod/x'],
    ['/$default/orders', '$default', '/$default/orders'],
    ['/undefined/orders', undefined, '/undefined/orders'],
  ];
  for (const [rawPath, stage, path] of cases) {
    it(`reads ${rawPath} on stage ${String(stage)} as ${path}`, () => {
      const request = readIngressEvent(v2({ rawPath, requestContext: { http: { method: 'GET' }, stage } }));
      assert.equal(request.path, path);
    });
  }
});

describe('readIngressEvent: path checks', () => {
  it('refuses a relative path in either payload version', () => {
    refusedPath(rest({ path: 'orders' }));
    refusedPath(v2({ rawPath: 'orders' }));
  });

  it('refuses a path longer than 8192 characters and accepts one of exactly 8192', () => {
    const longest = `/${'a'.repeat(8191)}`;
    assert.equal(readIngressEvent(rest({ path: longest })).path, longest);
    refusedPath(rest({ path: `${longest}a` }));
  });

  for (const path of ['/orders/..', '/orders/.', '/a/%2e%2E/b', '/a/..;x/b', '/a/%2e%2e%2fb', '/a/x%5c..']) {
    it(`refuses the dot segment in ${path}`, () => refusedPath(rest({ path })));
  }

  for (const path of ['/files/name.', '/files/a..', '/files/.well-known', '/files/...', '/files/v1.2']) {
    it(`accepts ${path}: dots that are not a whole segment`, () => {
      assert.equal(readIngressEvent(rest({ path })).path, path);
    });
  }

  const forwarded: [string, string][] = [
    ['/a%41b', '/a%41b'],
    ['/a%4fb', '/a%4fb'],
    ['/50%', '/50%25'],
    ['/x%4z', '/x%254z'],
    ['/x%zz', '/x%25zz'],
    ["/keep-._~!$&'()*+,;=:@", "/keep-._~!$&'()*+,;=:@"],
    ['/a b/ë"', '/a%20b/%C3%AB%22'],
  ];
  for (const [path, forwardPath] of forwarded) {
    it(`forwards ${path} as ${forwardPath}`, () => {
      assert.equal(readIngressEvent(rest({ path })).forwardPath, forwardPath);
    });
  }
});

describe('readIngressEvent: headers and cookies', () => {
  const cases: [string, Record<string, unknown>, Record<string, string[]>][] = [
    [
      'REST multi-value headers win over the single-value map, names lowercased',
      rest({ headers: { 'X-A': '2', Accept: 'text/plain' }, multiValueHeaders: { 'X-A': ['1', '2'] } }),
      { 'x-a': ['1', '2'], accept: ['text/plain'] },
    ],
    [
      'REST multi-value entries that are not lists or not strings are dropped',
      rest({ headers: { 'X-A': 'abc' }, multiValueHeaders: { 'X-A': 'abc', 'X-B': ['1', 2, null] } }),
      { 'x-a': ['abc'], 'x-b': ['1'] },
    ],
    ['REST null header maps', rest({ headers: null, multiValueHeaders: null }), {}],
    ['single-value headers that are not strings are dropped', rest({ headers: { 'X-N': 5, 'X-S': 's' } }), { 'x-s': ['s'] }],
    [
      'HTTP API cookies join into one cookie header',
      v2({ headers: { 'Content-Type': 'application/json' }, cookies: ['a=1', 'b=2'] }),
      { 'content-type': ['application/json'], cookie: ['a=1; b=2'] },
    ],
    ['HTTP API cookies that are not strings are dropped', v2({ cookies: ['a=1', 5] }), { cookie: ['a=1'] }],
    ['HTTP API cookies with no string at all add no header', v2({ cookies: [5, null] }), {}],
    ['HTTP API empty cookie list adds no header', v2({ cookies: [] }), {}],
    ['REST events have no cookies field to read', rest({ cookies: ['a=1'] }), {}],
    ['HTTP API events have no multi-value headers to read', v2({ multiValueHeaders: { 'X-A': ['1'] } }), {}],
  ];
  for (const [name, event, expected] of cases) {
    it(name, () => assert.deepEqual(headersOf(readIngressEvent(event)), expected));
  }
});

describe('readIngressEvent: query', () => {
  const cases: [string, Record<string, unknown>, Record<string, string[]>, string][] = [
    ['REST single-value parameters', rest({ queryStringParameters: { a: '1', b: 'x y' } }), { a: ['1'], b: ['x y'] }, 'a=1&b=x%20y'],
    [
      'REST multi-value parameters win, non-strings dropped',
      rest({ queryStringParameters: { a: '2' }, multiValueQueryStringParameters: { a: ['1', null, '2'] } }),
      { a: ['1', '2'] },
      'a=1&a=2',
    ],
    ['REST ignores a rawQueryString field', rest({ rawQueryString: 'a=1' }), {}, ''],
    [
      'HTTP API: + is a space, lowercase escapes, unescaped ~, repeated names',
      v2({ rawQueryString: 'q=a+b&e=%c3%a9&t=~x&q=%2B' }),
      { q: ['a b', '+'], e: ['é'], t: ['~x'] },
      'q=a%20b&q=%2B&e=%C3%A9&t=~x',
    ],
    ['HTTP API without rawQueryString', v2({}), {}, ''],
  ];
  for (const [name, event, query, rawQuery] of cases) {
    it(name, () => {
      const request = readIngressEvent(event);
      assert.deepEqual(queryOf(request), query);
      assert.equal(request.rawQuery, rawQuery);
    });
  }
});

describe('readIngressEvent: body', () => {
  const cases: [string, Record<string, unknown>, string | undefined, boolean][] = [
    ['an empty body is no body', rest({ body: '' }), undefined, false],
    ['a null body is no body', rest({ body: null }), undefined, false],
    ['a base64 body stays encoded', v2({ body: 'eyJhIjoxfQ==', isBase64Encoded: true }), 'eyJhIjoxfQ==', true],
    ['base64 only when the flag is exactly true', rest({ body: 'e30=', isBase64Encoded: 'true' }), 'e30=', false],
  ];
  for (const [name, event, body, isBase64Encoded] of cases) {
    it(name, () => {
      const request = readIngressEvent(event);
      assert.deepEqual({ body: request.body, isBase64Encoded: request.isBase64Encoded }, { body, isBase64Encoded });
    });
  }
});
