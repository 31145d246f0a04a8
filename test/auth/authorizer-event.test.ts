import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearerToken, readAuthorizerEvent } from '../../src/auth/authorizer-event';
import { httpApiEvent, restRequestEvent, restTokenEvent } from '../support/authorizer-events';

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

  it('reads anything else as a request without credentials', () => {
    for (const event of [null, 42, 'x', [], { type: 'TOKEN', authorizationToken: 7 }, { version: '2.0', headers: 'nope' }]) {
      assert.equal(readAuthorizerEvent(event).authorization, undefined);
    }
  });
});
