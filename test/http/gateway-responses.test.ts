// API Gateway's own refusals answer with the ingress's problem shape: same fields, same content type, the request id.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MeshgateError } from '../../src/errors';
import { toProblem } from '../../src/http/error-response';
import {
  GATEWAY_RESPONSE_CODES,
  MESSAGE_VARIABLE,
  REQUEST_ID_VARIABLE,
  gatewayProblemTemplate,
  gatewayResponseResources,
  type GatewayResponseType,
} from '../../src/http/gateway-responses';
import { problemResult } from '../../src/http/problem';

const TYPES = Object.keys(GATEWAY_RESPONSE_CODES) as GatewayResponseType[];
/** What API Gateway answers: it substitutes the variables as plain text (the message variable is a quoted JSON string). */
const MESSAGE = 'Invalid request body';
const answer = (type: GatewayResponseType, requestId: string) =>
  JSON.parse(
    gatewayProblemTemplate(type).replace(REQUEST_ID_VARIABLE, requestId).replace(MESSAGE_VARIABLE, JSON.stringify(MESSAGE)),
  ) as Record<string, unknown>;

describe('Function: gatewayProblemTemplate', () => {
  it('answers every listed response type with the body the ingress gives the same code and request id', () => {
    for (const type of TYPES.filter((t) => !t.startsWith('DEFAULT_'))) {
      const code = GATEWAY_RESPONSE_CODES[type];
      assert.deepEqual(answer(type, 'req-1'), toProblem(new MeshgateError(code, MESSAGE), 'req-1'), type);
    }
  });

  it('leaves status out of the two catch-alls, whose status API Gateway picks, and keeps every other field', () => {
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX'] as const) {
      const { status, ...rest } = toProblem(new MeshgateError(GATEWAY_RESPONSE_CODES[type], MESSAGE), 'req-2');
      assert.ok(status >= 400);
      assert.deepEqual(answer(type, 'req-2'), rest, type);
    }
  });

  it("shows API Gateway's message only where the ingress shows its own (400, 413, 415), never for 401, 403 or 5xx", () => {
    const withDetail = TYPES.filter((t) => 'detail' in answer(t, 'r')).sort();
    assert.deepEqual(withDetail, ['BAD_REQUEST_BODY', 'BAD_REQUEST_PARAMETERS', 'REQUEST_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE']);
  });

  it('covers every REST API gateway response type AWS documents', () => {
    assert.deepEqual([...TYPES].sort(), [
      'ACCESS_DENIED',
      'API_CONFIGURATION_ERROR',
      'AUTHORIZER_CONFIGURATION_ERROR',
      'AUTHORIZER_FAILURE',
      'BAD_REQUEST_BODY',
      'BAD_REQUEST_PARAMETERS',
      'DEFAULT_4XX',
      'DEFAULT_5XX',
      'EXPIRED_TOKEN',
      'INTEGRATION_FAILURE',
      'INTEGRATION_TIMEOUT',
      'INVALID_API_KEY',
      'INVALID_SIGNATURE',
      'MISSING_AUTHENTICATION_TOKEN',
      'QUOTA_EXCEEDED',
      'REQUEST_TOO_LARGE',
      'RESOURCE_NOT_FOUND',
      'THROTTLED',
      'UNAUTHORIZED',
      'UNSUPPORTED_MEDIA_TYPE',
      'WAF_FILTERED',
    ]);
  });
});

describe('Function: gatewayResponseResources', () => {
  const resources = gatewayResponseResources('ApiGatewayRestApi');
  const ingressHeaders = problemResult(toProblem(new MeshgateError('route_forbidden', 'x'), 'r')).headers;

  it('gives each type one resource on the REST API, with the status of its code and the ingress problem headers', () => {
    assert.equal(Object.keys(resources).length, TYPES.length);
    assert.equal(resources.GatewayResponseUnauthorized?.Properties.ResponseType, 'UNAUTHORIZED');
    assert.equal(resources.GatewayResponseDefault4xx?.Properties.ResponseType, 'DEFAULT_4XX');
    for (const resource of Object.values(resources)) {
      const { ResponseType: type, StatusCode, RestApiId, ResponseParameters, ResponseTemplates } = resource.Properties;
      assert.deepEqual(RestApiId, { Ref: 'ApiGatewayRestApi' });
      assert.equal(StatusCode, type.startsWith('DEFAULT_') ? undefined : String(answer(type, 'r').status), type);
      const headers = Object.fromEntries(
        Object.entries(ResponseParameters).map(([k, v]) => [
          k.replace('gatewayresponse.header.', '').toLowerCase(),
          v.replace(/^'|'$/g, ''),
        ]),
      );
      assert.deepEqual(headers, ingressHeaders, type);
      assert.deepEqual(Object.keys(ResponseTemplates), ['application/json']);
    }
  });
});
