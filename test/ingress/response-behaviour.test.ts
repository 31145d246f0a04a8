// The upstream's answer as API Gateway returns it: which bodies travel as text, which as base64, and which upstream
// headers API Gateway must never be handed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { isTextBody, toProxyResult } from '../../src/ingress/response';

const TEXT = Buffer.from('{"ok":true}');

describe('isTextBody', () => {
  const text = [
    'text/plain',
    'text/html; charset=utf-8',
    'application/json',
    'application/json ; charset=utf-8',
    'application/problem+json',
    'application/vnd.api+json',
    'application/xml',
    'application/atom+xml',
    'application/soap+xml; charset=utf-8',
    'application/javascript',
    'application/x-www-form-urlencoded',
    'application/graphql',
  ];
  for (const type of text) {
    it(`sends a UTF-8 ${type} body as text`, () => {
      assert.equal(isTextBody(type, undefined, TEXT), true);
      assert.equal(isTextBody(type, 'identity', TEXT), true);
      assert.equal(isTextBody(type, 'IDENTITY', TEXT), true);
    });
  }
  const binary = ['image/png', 'application/octet-stream', 'vnd.example/text/plain', 'application/jsonx', 'application/+jsonp', 'text/'];
  for (const type of binary) {
    it(`sends a ${type} body as base64 even when it is valid UTF-8`, () => {
      assert.equal(isTextBody(type, undefined, TEXT), false);
    });
  }
  it('sends a body without a content type as base64', () => {
    assert.equal(isTextBody(undefined, undefined, TEXT), false);
  });
  it('sends an encoded body as base64, whatever its type', () => {
    for (const encoding of ['gzip', 'br', 'GZIP']) assert.equal(isTextBody('application/json', encoding, TEXT), false);
  });
  it('sends a text type holding invalid UTF-8 as base64', () => {
    assert.equal(isTextBody('text/plain', undefined, Buffer.from([0xff, 0xfe])), false);
  });
});

describe('toProxyResult', () => {
  it('sends a gzip-encoded JSON answer as base64 with its encoding header', () => {
    const body = gzipSync(TEXT);
    const result = toProxyResult(
      { status: 200, rawHeaders: ['Content-Type', 'application/json', 'Content-Encoding', 'gzip'], body },
      'rest',
    );
    assert.equal(result.isBase64Encoded, true);
    assert.equal(result.body, body.toString('base64'));
    assert.deepEqual(result.multiValueHeaders, { 'content-type': ['application/json'], 'content-encoding': ['gzip'] });
  });
  it('sends an encoded answer as base64 even when its bytes happen to be valid UTF-8', () => {
    const result = toProxyResult(
      { status: 200, rawHeaders: ['Content-Type', 'text/plain', 'Content-Encoding', 'br'], body: TEXT },
      'http-v2',
    );
    assert.equal(result.isBase64Encoded, true);
    assert.equal(result.body, TEXT.toString('base64'));
  });
  it('drops the upstream’s hop-by-hop and length headers in both formats', () => {
    const rawHeaders = [
      ...['Keep-Alive', 'timeout=5', 'Proxy-Authenticate', 'Basic', 'Proxy-Authorization', 'Basic eA==', 'Proxy-Connection', 'close'],
      ...['Trailer', 'Expires', 'Transfer-Encoding', 'chunked', 'Content-Length', '11', 'Connection', 'x-hop', 'X-Hop', '1'],
      ...['Content-Type', 'text/plain', 'X-Kept', 'yes'],
    ];
    const rest = toProxyResult({ status: 201, rawHeaders, body: TEXT }, 'rest');
    assert.deepEqual(rest.multiValueHeaders, { 'content-type': ['text/plain'], 'x-kept': ['yes'] });
    assert.equal(rest.body, TEXT.toString('utf8'));
    const http = toProxyResult({ status: 201, rawHeaders, body: TEXT }, 'http-v2');
    assert.deepEqual(http.headers, { 'content-type': 'text/plain', 'x-kept': 'yes' });
  });
  it('ignores a trailing header name without a value', () => {
    const result = toProxyResult({ status: 200, rawHeaders: ['Content-Type', 'text/plain', 'X-Dangling'], body: TEXT }, 'rest');
    assert.deepEqual(result.multiValueHeaders, { 'content-type': ['text/plain'] });
  });
});
