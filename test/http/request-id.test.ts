import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { requestIdOf } from '../../src/http/request-id';

describe('Function: requestIdOf', () => {
  it('reads requestContext.requestId of REST and HTTP API events', () => {
    assert.equal(requestIdOf({ requestContext: { requestId: 'rest-id' } }), 'rest-id');
    assert.equal(requestIdOf({ version: '2.0', requestContext: { requestId: 'http-id', http: { method: 'GET' } } }), 'http-id');
  });

  it('is undefined for anything else, without throwing', () => {
    for (const event of [
      undefined,
      null,
      'x',
      5,
      [],
      {},
      { requestContext: null },
      { requestContext: ['id'] },
      { requestContext: { requestId: 7 } },
    ]) {
      assert.equal(requestIdOf(event), undefined, JSON.stringify(event));
    }
  });
});
