import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MeshgateError } from '../../src/errors';
import { ERROR_TABLE } from '../../src/http/error-table';
import { readIngressEvent } from '../../src/ingress/request';
import { decodedBodyBytes, validateRequest, type ValidatedRequest } from '../../src/ingress/validate';
import { restEvent, httpApiEvent, type ProxyEventInput } from '../support/events';
import { route } from '../support/ingress-routes';
import { meshgateError } from '../support/thrown';

const JSON_CT = { 'content-type': 'application/json' };
const validOrder = JSON.stringify({ sku: 'ABC-123', quantity: 2, shipTo: { country: 'DE' } });

function validate(routeId: string, input: ProxyEventInput): ValidatedRequest {
  const [method, path] = routeId.split(' ') as [string, string];
  return validateRequest(
    readIngressEvent(restEvent({ method, path: path.replace('{name}', 'a.bin').replace('{id}', '1'), resource: path, ...input })),
    route(routeId),
  );
}

const rejects = (routeId: string, input: ProxyEventInput, code: string): MeshgateError =>
  meshgateError(() => validate(routeId, input), code);

const pointers = (err: MeshgateError): unknown =>
  (err.details.errors as { pointer?: string; parameter?: string }[]).map((e) => e.pointer ?? e.parameter);

describe('validateRequest: content type (415)', () => {
  it('rejects a body in a media type the route does not accept', () => {
    rejects('POST /orders', { headers: { 'content-type': 'text/plain' }, body: validOrder }, 'media_type_unsupported');
  });
  it('rejects a body with no Content-Type at all', () => {
    rejects('POST /orders', { headers: {}, body: validOrder }, 'media_type_unsupported');
  });
  it('accepts any letter case and parameters such as charset', () => {
    assert.equal(
      validate('POST /orders', { headers: { 'Content-Type': 'Application/JSON; Charset=UTF-8' }, body: validOrder }).mediaType,
      'application/json',
    );
  });
  it('matches a type/* wildcard of the route', () => {
    assert.equal(validate('PUT /files/{name}', { headers: { 'content-type': 'image/png' }, body: 'abc' }).mediaType, 'image/png');
  });
  it('skips the check for a body-less request', () => {
    assert.equal(validate('GET /whoami', { headers: { 'content-type': 'text/html' } }).body, undefined);
  });
});

describe('validateRequest: size (413) before parsing', () => {
  it('rejects a body one byte over the route limit, even when it is not JSON', () => {
    rejects('POST /orders', { headers: JSON_CT, body: `{${' '.repeat(2048)}` }, 'payload_too_large');
  });
  it('counts UTF-8 bytes, not characters', () => {
    rejects('POST /orders', { headers: JSON_CT, body: JSON.stringify({ note: 'é'.repeat(1100) }) }, 'payload_too_large');
  });
  it('counts a base64 body by its decoded size: 16 bytes encoded as 24 characters pass a 16-byte limit', () => {
    const bytes = Buffer.from('0123456789abcdef');
    const encoded = bytes.toString('base64');
    assert.ok(encoded.length > 16);
    const result = validate('PUT /files/{name}', {
      headers: { 'content-type': 'application/octet-stream' },
      body: encoded,
      isBase64Encoded: true,
    });
    assert.deepEqual(result.body, bytes);
  });
  it('rejects a base64 body whose decoded size is over the limit', () => {
    const encoded = Buffer.alloc(17, 1).toString('base64');
    rejects(
      'PUT /files/{name}',
      { headers: { 'content-type': 'application/octet-stream' }, body: encoded, isBase64Encoded: true },
      'payload_too_large',
    );
  });
  it('computes decoded sizes exactly for every padding length', () => {
    for (let n = 0; n < 10; n++) assert.equal(decodedBodyBytes(Buffer.alloc(n, 7).toString('base64'), true), n);
  });
});

describe('validateRequest: encoding and syntax (400 payload_malformed)', () => {
  it('rejects a base64 JSON body that is not valid UTF-8', () => {
    const body = Buffer.concat([Buffer.from('{"sku":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]).toString('base64');
    rejects('POST /orders', { headers: JSON_CT, body, isBase64Encoded: true }, 'payload_malformed');
  });
  it('rejects a string body holding a lone surrogate', () => {
    rejects('POST /orders', { headers: JSON_CT, body: '{"sku":"\ud800"}' }, 'payload_malformed');
  });
  it('rejects JSON that does not parse', () => {
    rejects('POST /orders', { headers: JSON_CT, body: '{"sku": "ABC-1",' }, 'payload_malformed');
  });
  it('rejects 10 000 levels of nesting with a 400, in objects and arrays', () => {
    const deepArray = '['.repeat(10_000) + ']'.repeat(10_000);
    const deepObject = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    for (const body of [deepArray, deepObject]) {
      const err = rejects('POST /notes', { headers: JSON_CT, body }, 'payload_malformed');
      assert.match(err.message, /deeper than/);
    }
  });
  it('does not count brackets inside strings as nesting', () => {
    const body = JSON.stringify({ sku: 'ABC-1', quantity: 1, note: '['.repeat(400) + '\\"{{{' });
    assert.ok(validate('POST /orders', { headers: JSON_CT, body }).body);
  });
});

describe('validateRequest: dangerous keys and numbers (400 payload_invalid)', () => {
  for (const [name, body] of [
    ['__proto__', '{"sku":"ABC-1","quantity":1,"__proto__":{"polluted":true}}'],
    ['escaped __proto__', '{"sku":"ABC-1","quantity":1,"\\u005f_proto__":{"polluted":true}}'],
    ['constructor', '{"sku":"ABC-1","quantity":1,"constructor":{"prototype":{"polluted":true}}}'],
    ['nested __proto__', '{"a":[{"b":{"__proto__":{"polluted":true}}}]}'],
  ] as const) {
    it(`rejects a ${name} key and pollutes nothing`, () => {
      rejects(name === 'nested __proto__' ? 'POST /notes' : 'POST /orders', { headers: JSON_CT, body }, 'payload_invalid');
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
    });
  }
  it('accepts "constructor" as a value', () => {
    assert.ok(
      validate('POST /orders', { headers: JSON_CT, body: JSON.stringify({ sku: 'ABC-1', quantity: 1, note: 'constructor __proto__' }) })
        .body,
    );
  });
  it('rejects numbers that overflow to Infinity, even without a schema', () => {
    rejects('POST /notes', { headers: JSON_CT, body: '{"n":1e400}' }, 'payload_invalid');
    rejects('POST /notes', { headers: JSON_CT, body: `[${'9'.repeat(400)}]` }, 'payload_invalid');
  });
  it('rejects an integer no double holds (2^53 + 1) as ambiguous before the schema sees it', () => {
    const err = rejects('POST /orders', { headers: JSON_CT, body: '{"sku":"ABC-1","quantity":9007199254740993}' }, 'payload_ambiguous');
    assert.deepEqual(pointers(err), ['#/quantity']);
    assert.equal(ERROR_TABLE[err.code].status, 400);
  });
  it('rejects an integer beyond 2^53 − 1 that a double holds exactly where the schema says integer', () => {
    const err = rejects('POST /orders', { headers: JSON_CT, body: '{"sku":"ABC-1","quantity":9007199254740994}' }, 'payload_invalid');
    assert.deepEqual(pointers(err), ['#/quantity']);
  });
  it('rejects a repeated member name on schema routes and without a schema, pointing at the repeat', () => {
    const onSchemaRoute = rejects(
      'POST /orders',
      { headers: JSON_CT, body: '{"sku":"../x","sku":"ABC-1","quantity":2}' },
      'payload_ambiguous',
    );
    assert.deepEqual(pointers(onSchemaRoute), ['#/sku']);
    const noSchema = rejects('POST /notes', { headers: JSON_CT, body: '{"note":{"to":"a","to":"b"}}' }, 'payload_ambiguous');
    assert.deepEqual(pointers(noSchema), ['#/note/to']);
  });
  it('rejects an inexact number without a schema too, and a base64 body alike', () => {
    assert.deepEqual(pointers(rejects('POST /notes', { headers: JSON_CT, body: '[2.0000000000000001]' }, 'payload_ambiguous')), ['#/0']);
    const body = Buffer.from('{"n":1e-400}').toString('base64');
    assert.deepEqual(pointers(rejects('POST /notes', { headers: JSON_CT, body, isBase64Encoded: true }, 'payload_ambiguous')), ['#/n']);
  });
  it('does not look inside a text/plain body', () => {
    assert.ok(validate('POST /notes', { headers: { 'content-type': 'text/plain' }, body: '{"a":1,"a":2} 2.0000000000000001' }).body);
  });
});

describe('validateRequest: body schema (400 payload_invalid with JSON Pointers)', () => {
  it('accepts a valid body and returns its bytes unchanged', () => {
    assert.equal(validate('POST /orders', { headers: JSON_CT, body: validOrder }).body?.toString('utf8'), validOrder);
  });
  it('points at an unknown property', () => {
    const err = rejects(
      'POST /orders',
      { headers: JSON_CT, body: JSON.stringify({ sku: 'ABC-1', quantity: 1, admin: true }) },
      'payload_invalid',
    );
    assert.deepEqual(pointers(err), ['#/admin']);
  });
  it('points at a missing required property', () => {
    assert.deepEqual(pointers(rejects('POST /orders', { headers: JSON_CT, body: '{"sku":"ABC-1"}' }, 'payload_invalid')), ['#/quantity']);
  });
  it('points into nested objects', () => {
    const body = JSON.stringify({ sku: 'ABC-1', quantity: 1, shipTo: { country: 'germany' } });
    assert.deepEqual(pointers(rejects('POST /orders', { headers: JSON_CT, body }, 'payload_invalid')), ['#/shipTo/country']);
  });
  it('requires a body when the route has a body schema', () => {
    rejects('POST /orders', { headers: JSON_CT }, 'payload_invalid');
  });
  it('rejects a wrong type: a string where an integer is required', () => {
    assert.deepEqual(pointers(rejects('POST /orders', { headers: JSON_CT, body: '{"sku":"ABC-1","quantity":"2"}' }, 'payload_invalid')), [
      '#/quantity',
    ]);
  });
});

describe('validateRequest: query schema (400 query_invalid)', () => {
  it('accepts valid parameters, coercing strings to the schema types', () => {
    validate('GET /orders', { query: { limit: ['10'], status: ['open'], after: ['2026-01-02T03:04:05Z'] } });
  });
  it('accepts a repeated parameter as a list', () => {
    validate('GET /orders', { query: { status: ['open', 'shipped'] } });
  });
  it('names the failing parameter', () => {
    const err = rejects('GET /orders', { query: { limit: ['ten'] } }, 'query_invalid');
    assert.deepEqual(pointers(err), ['limit']);
  });
  it('rejects a repeated parameter the schema wants once', () => {
    rejects('GET /orders', { query: { limit: ['1', '2'] } }, 'query_invalid');
  });
  it('rejects unknown parameters, including __proto__, without pollution', () => {
    assert.deepEqual(pointers(rejects('GET /orders', { query: { debug: ['1'] } }, 'query_invalid')), ['debug']);
    rejects('GET /orders', { query: { __proto__: ['x'], ['constructor']: ['y'] } }, 'query_invalid');
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });
  it('reads multi-value query strings of HTTP API events from rawQueryString', () => {
    const request = readIngressEvent(httpApiEvent({ path: '/orders', query: { status: ['open', 'bogus'] } }));
    assert.throws(
      () => validateRequest(request, route('GET /orders')),
      (err: unknown) => err instanceof MeshgateError && err.code === 'query_invalid',
    );
  });
});

describe('validateRequest: fuzz', () => {
  it('answers any body with success or a 4xx MeshgateError, never anything else', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.json(), fc.string({ unit: 'binary' })),
        fc.boolean(),
        fc.constantFrom('application/json', 'text/plain', ''),
        (body, b64, ct) => {
          try {
            validate('POST /orders', {
              headers: ct ? { 'content-type': ct } : {},
              body: b64 ? Buffer.from(body).toString('base64') : body,
              isBase64Encoded: b64,
            });
          } catch (err) {
            assert.ok(err instanceof MeshgateError, String(err));
            assert.ok(ERROR_TABLE[err.code].status >= 400 && ERROR_TABLE[err.code].status < 500, err.code);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
