import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, type MeshgateError } from '../../src/errors';
import { readIngressEvent } from '../../src/ingress/request';
import { decodedBodyBytes, isJsonMediaType, mediaTypeOf, validateRequest, type ValidatedRequest } from '../../src/ingress/validate';
import { schemaProblems } from '../../src/ingress/schemas';
import { parseRouteTable, type Route } from '../../src/routes/route-table';
import { restEvent, type ProxyEventInput } from '../support/events';
import { route } from '../support/ingress-routes';
import { meshgateError, thrown } from '../support/thrown';

// Routes the shared test table does not have: any media type, and schema names with no compiled validator.
const extra = parseRouteTable({
  upstreams: { demo: { audience: 'demo-service', timeoutMs: 2000 } },
  routes: [
    { method: 'POST', path: '/any', upstream: 'demo', contentTypes: ['*/*'] },
    { method: 'POST', path: '/lost-body', upstream: 'demo', bodySchema: 'no-such-schema' },
    { method: 'GET', path: '/lost-query', upstream: 'demo', querySchema: 'no-such-query' },
  ],
});
const extraRoute = (id: string): Route => extra.routes.find((r) => r.id === id) as Route;

function check(target: Route, input: ProxyEventInput): ValidatedRequest {
  const [method, path] = target.id.split(' ') as [string, string];
  return validateRequest(readIngressEvent(restEvent({ method, path: path.replace('{name}', 'a.bin'), resource: path, ...input })), target);
}

const refused = (target: Route, input: ProxyEventInput, code: string): MeshgateError => meshgateError(() => check(target, input), code);

describe('isJsonMediaType and mediaTypeOf', () => {
  const json: [string, boolean][] = [
    ['application/json', true],
    ['application/vnd.api+json', true],
    ['application/problem+json', true],
    ['application/a+json', true],
    ['application/+json', false],
    ['application/vnd.api+jsonx', false],
    ['xapplication/vnd.api+json', false],
    ['text/vnd.api+json', false],
    ['application/vnd api+json', false],
  ];
  for (const [mediaType, expected] of json) {
    it(`${mediaType} is ${expected ? '' : 'not '}JSON`, () => assert.equal(isJsonMediaType(mediaType), expected));
  }

  const essences: [string | undefined, string | undefined][] = [
    ['Application/JSON; charset=utf-8', 'application/json'],
    [' application/json ; charset=utf-8', 'application/json'],
    ['  ;charset=utf-8', undefined],
    [undefined, undefined],
  ];
  for (const [contentType, expected] of essences) {
    it(`reads ${String(contentType)} as ${String(expected)}`, () => assert.equal(mediaTypeOf(contentType), expected));
  }
});

describe('decodedBodyBytes', () => {
  const cases: [string, boolean, number][] = [
    ['QUJD', true, 3],
    ['QUJDRA==', true, 4],
    ['QUJD RA==', true, 4],
    ['QU JD\r\nRA==\n', true, 4],
    ['QUJDREU=', true, 5],
    ['é', false, 2],
  ];
  for (const [body, base64, bytes] of cases) {
    it(`counts ${JSON.stringify(body)} (base64: ${base64}) as ${bytes} bytes`, () => assert.equal(decodedBodyBytes(body, base64), bytes));
  }
});

describe('validateRequest: content type attacks', () => {
  it('refuses a body with no Content-Type even on a route that accepts any media type', () => {
    refused(extraRoute('POST /any'), { body: 'x' }, 'media_type_unsupported');
    refused(extraRoute('POST /any'), { headers: { 'content-type': ' ; a=b' }, body: 'x' }, 'media_type_unsupported');
  });
  it('accepts any media type on a */* route', () => {
    assert.deepEqual(check(extraRoute('POST /any'), { headers: { 'content-type': 'text/csv' }, body: 'a,b' }).mediaType, 'text/csv');
  });
  it('matches a type/* entry on the whole type, not on its first letter', () => {
    const files = route('PUT /files/{name}');
    assert.equal(check(files, { headers: { 'content-type': 'image/png' }, body: 'png' }).mediaType, 'image/png');
    refused(files, { headers: { 'content-type': 'imagex/png' }, body: 'png' }, 'media_type_unsupported');
    refused(files, { headers: { 'content-type': 'invalid/png' }, body: 'png' }, 'media_type_unsupported');
  });

  const charsets: [string, boolean][] = [
    ['application/json;charset=latin1', false],
    ['application/json; charset = latin1', false],
    ['application/json; CHARSET="iso-8859-1"', false],
    ['application/json; charset=utf-8; charset=utf-16', false],
    ['application/json; charset=utf8', true],
    ['application/json; charset="UTF-8"', true],
  ];
  for (const [contentType, ok] of charsets) {
    it(`${ok ? 'accepts' : 'refuses'} a JSON body sent as ${contentType}`, () => {
      const input = { headers: { 'content-type': contentType }, body: '{"text":"hi"}' };
      if (ok) assert.equal(check(route('POST /notes'), input).mediaType, 'application/json');
      else refused(route('POST /notes'), input, 'media_type_unsupported');
    });
  }

  const codings: [string, boolean][] = [
    ['gzip', false],
    ['identity, gzip', false],
    [' GZIP ', false],
    ['identity', true],
    ['identity, identity', true],
    ['identity,', true],
    [' Identity ', true],
  ];
  for (const [coding, ok] of codings) {
    it(`${ok ? 'accepts' : 'refuses'} a JSON body with Content-Encoding: ${coding}`, () => {
      const input = { headers: { 'content-type': 'application/json', 'content-encoding': coding }, body: '{"text":"hi"}' };
      if (ok) assert.equal(check(route('POST /notes'), input).mediaType, 'application/json');
      else refused(route('POST /notes'), input, 'media_type_unsupported');
    });
  }
});

describe('validateRequest: schemas', () => {
  it('answers a missing body on a route with a body schema with one problem at the root', () => {
    const err = refused(route('POST /orders'), {}, 'payload_invalid');
    assert.deepEqual(err.details, { errors: [{ pointer: '#', detail: 'body is required' }] });
  });
  it('answers a request without a body with neither body nor media type', () => {
    assert.deepEqual(check(route('GET /whoami'), {}), { body: undefined, mediaType: undefined });
  });
  it('names an unknown query parameter as the client spelled it, ~ and / included', () => {
    const err = refused(route('GET /orders'), { query: { 'a~b/c': ['1'] } }, 'query_invalid');
    assert.deepEqual(err.details, { errors: [{ parameter: 'a~b/c', detail: 'must NOT have additional properties' }] });
  });
  it('reads a parameter given once as one value and a repeated one as a list', () => {
    assert.deepEqual(check(route('GET /orders'), { query: { limit: ['5'], status: ['open'] } }), { body: undefined, mediaType: undefined });
    refused(route('GET /orders'), { query: { limit: ['5', '6'] } }, 'query_invalid');
  });
  it('fails as a configuration error when a route names a schema that was not compiled', () => {
    const bodyErr = thrown(() => check(extraRoute('POST /lost-body'), { headers: { 'content-type': 'application/json' }, body: '{}' }));
    assert.ok(bodyErr instanceof ConfigError);
    assert.equal(bodyErr.path, 'route POST /lost-body.bodySchema');
    const queryErr = thrown(() => check(extraRoute('GET /lost-query'), {}));
    assert.ok(queryErr instanceof ConfigError);
    assert.equal(queryErr.path, 'route GET /lost-query.querySchema');
  });
});

describe('schemaProblems', () => {
  it('has no problems without errors', () => {
    assert.deepEqual(schemaProblems(null, 'body'), []);
    assert.deepEqual(schemaProblems(undefined, 'query'), []);
  });
  it('names the keyword when a validator gives no message', () => {
    assert.deepEqual(schemaProblems([{ instancePath: '/n', keyword: 'minimum', params: {} }], 'body'), [
      { pointer: '#/n', detail: 'fails minimum' },
    ]);
  });
  it('answers a problem with the whole query without a parameter name', () => {
    const error = { instancePath: '', keyword: 'maxProperties', params: { limit: 3 }, message: 'too many' };
    assert.deepEqual(schemaProblems([error], 'query'), [{ detail: 'too many' }]);
    assert.deepEqual(schemaProblems([error], 'body'), [{ pointer: '#', detail: 'too many' }]);
  });
  it('names a nested query failure by its parameter', () => {
    const error = { instancePath: '/status/1', keyword: 'enum', params: {}, message: 'bad' };
    assert.deepEqual(schemaProblems([error], 'query'), [{ parameter: 'status', detail: 'bad' }]);
  });
});
