import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, ERROR_CODES, MeshgateError } from '../../src/errors';
import { ERROR_HTTP, errorResult, toProblem } from '../../src/http/error-response';
import { PROBLEM_TYPE_BASE, problemType } from '../../src/http/problem';
import { captureLogs } from '../support/logs';

describe('ERROR_HTTP', () => {
  it('maps every error code to one 4xx/5xx status and a title', () => {
    for (const code of ERROR_CODES) {
      const m = ERROR_HTTP[code];
      assert.ok(m.status >= 400 && m.status <= 599 && m.title.length > 0, code);
    }
  });
  it('gives the ingress codes the statuses of the contract', () => {
    const statuses = Object.fromEntries(
      (['payload_invalid', 'payload_malformed', 'query_invalid', 'payload_too_large', 'media_type_unsupported', 'identity_missing', 'route_forbidden', 'route_not_found', 'upstream_unavailable', 'upstream_timeout', 'upstream_response_too_large', 'config_invalid', 'key_set_unavailable'] as const).map((c) => [c, ERROR_HTTP[c].status]),
    );
    assert.deepEqual(statuses, { payload_invalid: 400, payload_malformed: 400, query_invalid: 400, payload_too_large: 413, media_type_unsupported: 415, identity_missing: 401, route_forbidden: 403, route_not_found: 404, upstream_unavailable: 502, upstream_timeout: 504, upstream_response_too_large: 502, config_invalid: 503, key_set_unavailable: 503 });
  });
  it('never exposes the detail of a 5xx', () => {
    for (const code of ERROR_CODES) if (ERROR_HTTP[code].status >= 500) assert.equal(ERROR_HTTP[code].expose, false, code);
  });
});

describe('errorResult', () => {
  it('answers an RFC 9457 problem with a stable type, the request id as instance and the failing pointers', () => {
    const err = new MeshgateError('payload_invalid', 'body does not match', { details: { errors: [{ pointer: '#/quantity', detail: 'must be >= 1' }] } });
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
    assert.deepEqual(problem, { type: problemType('config_invalid'), code: 'config_invalid', title: 'Service is not configured correctly', status: 503, instance: 'r' });
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
    assert.ok(logs.lines.some((l) => l.includes('secret internals')), 'the error is logged');
  });
});
