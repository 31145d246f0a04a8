// The one error table: exhaustive, the contract's statuses, an outcome per code, and the consumer package's statuses.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ASSERTION_ERROR_STATUS, AssertionError, problemFor, type AssertionErrorCode } from '@meshgate/consumer';
import { ERROR_CODES, type ErrorCode } from '../../src/errors';
import { ERROR_TABLE, type ErrorOutcome } from '../../src/http/error-table';
import { problemType } from '../../src/http/problem';

describe('ERROR_TABLE', () => {
  it('maps every error code, and nothing else, to one 4xx/5xx status and a title', () => {
    assert.deepEqual(Object.keys(ERROR_TABLE).sort(), [...ERROR_CODES].sort());
    for (const code of ERROR_CODES) {
      const row = ERROR_TABLE[code];
      assert.ok(row.status >= 400 && row.status <= 599 && row.title.length > 0, code);
    }
  });

  it('gives the ingress codes the statuses of the contract', () => {
    const statuses = Object.fromEntries(
      (
        [
          'payload_invalid',
          'payload_malformed',
          'query_invalid',
          'payload_too_large',
          'media_type_unsupported',
          'identity_missing',
          'route_forbidden',
          'route_not_found',
          'upstream_unavailable',
          'upstream_timeout',
          'upstream_response_too_large',
          'config_invalid',
          'key_set_unavailable',
        ] as const
      ).map((c) => [c, ERROR_TABLE[c].status]),
    );
    assert.deepEqual(statuses, {
      payload_invalid: 400,
      payload_malformed: 400,
      query_invalid: 400,
      payload_too_large: 413,
      media_type_unsupported: 415,
      identity_missing: 401,
      route_forbidden: 403,
      route_not_found: 404,
      upstream_unavailable: 502,
      upstream_timeout: 504,
      upstream_response_too_large: 502,
      config_invalid: 503,
      key_set_unavailable: 503,
    });
  });

  it('never exposes the detail of a 5xx', () => {
    for (const code of ERROR_CODES) if (ERROR_TABLE[code].status >= 500) assert.equal(ERROR_TABLE[code].expose, false, code);
  });

  it('gives every code the outcome its access-decision log line reports', () => {
    const byOutcome = new Map<ErrorOutcome, ErrorCode[]>();
    for (const code of ERROR_CODES) byOutcome.set(ERROR_TABLE[code].outcome, [...(byOutcome.get(ERROR_TABLE[code].outcome) ?? []), code]);
    assert.deepEqual(byOutcome.get('deny')?.sort(), ['route_forbidden', 'scope_missing']);
    assert.deepEqual(byOutcome.get('not_found'), ['route_not_found']);
    assert.deepEqual(byOutcome.get('upstream_error')?.sort(), ['upstream_response_too_large', 'upstream_timeout', 'upstream_unavailable']);
    assert.deepEqual(byOutcome.get('invalid')?.sort(), [
      'headers_too_large',
      'media_type_unsupported',
      'method_override_refused',
      'payload_ambiguous',
      'payload_invalid',
      'payload_malformed',
      'payload_too_large',
      'query_invalid',
    ]);
    // Every credential problem is `unauthorized`, whatever its code is called.
    for (const code of ERROR_CODES) {
      if (code.startsWith('token_') || ['identity_missing', 'issuer_untrusted', 'audience_mismatch'].includes(code))
        assert.equal(ERROR_TABLE[code].outcome, 'unauthorized', code);
    }
    for (const code of ['config_invalid', 'internal', 'key_set_unavailable', 'jwks_unavailable', 'assertion_invalid'] as const)
      assert.equal(ERROR_TABLE[code].outcome, 'error', code);
  });

  it('imports no logger: the ingress, the HTTP mapping and the tests read it without side effects', () => {
    const imports = [...readFileSync('src/http/error-table.ts', 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    assert.deepEqual(imports, ['@meshgate/consumer', '../errors']);
  });
});

describe('ERROR_TABLE and @meshgate/consumer', () => {
  const consumerCodes = Object.keys(ASSERTION_ERROR_STATUS) as AssertionErrorCode[];

  it('knows every code the consumer package rejects with, with the status the package gives it', () => {
    for (const code of consumerCodes) {
      assert.ok((ERROR_CODES as readonly string[]).includes(code), `${code} is not a meshgate error code`);
      assert.equal(ERROR_TABLE[code].status, ASSERTION_ERROR_STATUS[code], code);
    }
  });

  it('answers what a service answers with problemFor: same status and type URI for each consumer code', () => {
    for (const code of consumerCodes) {
      const { status, body } = problemFor(new AssertionError(code, 'test', 'test'));
      assert.equal(status, ERROR_TABLE[code].status, code);
      assert.equal(body.type, problemType(code), code);
    }
    assert.equal(problemFor(new Error('boom')).status, ERROR_TABLE.internal.status);
  });
});
