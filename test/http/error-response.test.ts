import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, MeshgateError } from '../../src/errors';
import { errorResult, toProblem } from '../../src/http/error-response';
import { PROBLEM_TYPE_BASE, problemType } from '../../src/http/problem';
import { captureLogs } from '../support/logs';

describe('errorResult', () => {
  it('answers an RFC 9457 problem with a stable type, the request id as instance and the failing pointers', () => {
    const err = new MeshgateError('payload_invalid', 'body does not match', {
      details: { errors: [{ pointer: '#/quantity', detail: 'must be >= 1' }] },
    });
    const result = errorResult(err, 'req-9');
    assert.equal(result.statusCode, 400);
    assert.equal(result.headers['content-type'], 'application/problem+json');
    assert.equal(result.headers['cache-control'], 'no-store');
    assert.deepEqual(JSON.parse(result.body), {
      type: `${PROBLEM_TYPE_BASE}payload_invalid`,
      code: 'payload_invalid',
      title: 'Request body does not match the schema',
      status: 400,
      detail: 'body does not match',
      instance: 'req-9',
      errors: [{ pointer: '#/quantity', detail: 'must be >= 1' }],
    });
  });
  it('hides the message of a configuration error: it names internals', () => {
    const problem = toProblem(new ConfigError('MESHGATE_UPSTREAMS.demo', 'must be https'), 'r');
    assert.deepEqual(problem, {
      type: problemType('config_invalid'),
      code: 'config_invalid',
      title: 'Service is not configured correctly',
      status: 503,
      instance: 'r',
    });
  });
  it('turns anything that is not a MeshgateError into a bare 500 with no detail, and logs it', () => {
    const logs = captureLogs();
    let result;
    try {
      result = errorResult(new TypeError('secret internals at /var/task/x.js'), undefined);
    } finally {
      logs.stop();
    }
    assert.equal(result.statusCode, 500);
    assert.deepEqual(JSON.parse(result.body), { type: problemType('internal'), code: 'internal', title: 'Internal error', status: 500 });
    assert.ok(
      logs.lines.some((l) => l.includes('secret internals')),
      'the error is logged',
    );
  });
});
