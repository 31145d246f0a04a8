import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearerToken, readAuthorizerEvent } from '../../src/auth/authorizer-event';
import { API_BASE, httpApiEvent, restRequestEvent, restTokenEvent } from '../support/authorizer-events';

describe('Function: bearerToken', () => {
  const cases: Array<[string | undefined, string | undefined]> = [
    [undefined, undefined],
    ['', undefined],
    ['Bearer', undefined],
    ['Bearer ', undefined],
    ['bearer abc', 'abc'],
    ['  BEARER\tabc.def.ghi  ', 'abc.def.ghi'],
    ['Bearer  abc', 'abc'],
    // The credential is taken as given; the token pre-check rejects anything that is not a compact JWS.
    ['Bearer a b', 'a b'],
    ['Bearer a,b', 'a,b'],
    ['Bearer\nabc', undefined],
    ['Bearer abc\r\n', 'abc\r\n'],
    ['Bearerabc', undefined],
    ['Basic abc', undefined],
    ['Token abc', undefined],
    // Another six-letter scheme followed by a blank is still another scheme.
    ['Tokens abc', undefined],
    ['Basic  abc', undefined],
    ['Bearer x', 'x'],
    ['\tBearer\t\tx\t', 'x'],
    ['Bearer  ', undefined],
    ['Bearer \t ', undefined],
    ['   ', undefined],
    ['Bear', undefined],
  ];
  for (const [input, expected] of cases) {
    it(`reads ${JSON.stringify(input)} as ${JSON.stringify(expected)}`, () => assert.equal(bearerToken(input), expected));
  }
});

describe('Function: readAuthorizerEvent', () => {
  it('reads the three event shapes', () => {
    assert.deepEqual(readAuthorizerEvent(restTokenEvent('Bearer t')).format, 'rest-token');
    const rest = readAuthorizerEvent(restRequestEvent({ AUTHORIZATION: 'Bearer t' }));
    assert.equal(rest.format, 'rest-request');
    assert.equal(rest.authorization, 'Bearer t');
    assert.equal(rest.requestId, 'req-rest-1');
    const http = readAuthorizerEvent(httpApiEvent({ Authorization: 'Bearer t' }));
    assert.equal(http.format, 'http-v2');
    assert.equal(http.authorization, 'Bearer t');
  });

  it('reads the Authorization header by name (any case) and only a string value, whatever other headers come first', () => {
    const headers = { Host: 'api.example.com', 'X-Authorization': 'Bearer other', authorization: 'Bearer t' };
    assert.equal(readAuthorizerEvent(restRequestEvent(headers)).authorization, 'Bearer t');
    assert.equal(readAuthorizerEvent(httpApiEvent(headers)).authorization, 'Bearer t');
    const notString = { ...restRequestEvent({}), headers: { Authorization: ['Bearer list'], authorization: 'Bearer t' } };
    assert.equal(readAuthorizerEvent(notString).authorization, 'Bearer t');
    const onlyNotString = { ...restRequestEvent({}), headers: { Host: 'api.example.com', Authorization: 7 } };
    assert.equal(readAuthorizerEvent(onlyNotString).authorization, undefined);
  });

  it('reads an HTTP API credential from the header first, else from identitySource[0] when that is a string', () => {
    const base = httpApiEvent({});
    const both = { ...base, headers: { authorization: 'Bearer header' }, identitySource: ['Bearer source'] };
    assert.equal(readAuthorizerEvent(both).authorization, 'Bearer header');
    const sourceOnly = { ...base, headers: { host: 'api.example.com' }, identitySource: ['Bearer source'] };
    assert.equal(readAuthorizerEvent(sourceOnly).authorization, 'Bearer source');
    assert.equal(readAuthorizerEvent({ ...base, headers: undefined, identitySource: ['Bearer source'] }).authorization, 'Bearer source');
    for (const identitySource of [[7], [], 'Bearer source', [['Bearer source']], null]) {
      assert.equal(readAuthorizerEvent({ ...base, headers: {}, identitySource }).authorization, undefined, JSON.stringify(identitySource));
    }
  });

  it('reads the ARN, its target and the request id only when they are strings', () => {
    const rest = readAuthorizerEvent(restTokenEvent('Bearer t', 'POST', '/orders'));
    assert.equal(rest.arn, `${API_BASE}/POST/orders`);
    assert.deepEqual(rest.target, { apiBase: API_BASE, method: 'POST', path: '/orders' });
    const http = readAuthorizerEvent(httpApiEvent({}, 'DELETE', '/orders/7'));
    assert.equal(http.arn, `${API_BASE.replace('/prod', '/$default')}/DELETE/orders/7`);
    assert.equal(http.target?.method, 'DELETE');
    assert.equal(http.requestId, 'req-http-1');
    const junk = { methodArn: 7, routeArn: 7, requestContext: { requestId: 7 } };
    for (const event of [
      { ...restTokenEvent('Bearer t'), ...junk },
      { ...restRequestEvent({}), ...junk },
      { ...httpApiEvent({}), ...junk },
    ]) {
      const request = readAuthorizerEvent(event);
      assert.deepEqual([request.arn, request.target, request.requestId], [undefined, undefined, undefined], request.format);
    }
  });

  it('reads anything else as a request without credentials', () => {
    for (const event of [null, 42, 'x', [], { type: 'TOKEN', authorizationToken: 7 }, { version: '2.0', headers: 'nope' }]) {
      assert.equal(readAuthorizerEvent(event).authorization, undefined);
    }
  });
});
