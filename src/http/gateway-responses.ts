// API Gateway's own answers (REST API gateway responses) as meshgate problems: the same application/problem+json fields
// as the ingress (type, title, status, code, instance = the request id), so a client sees one error shape.
import type { ErrorCode } from '../errors';
import { ERROR_TABLE } from './error-table';
import { PROBLEM_CONTENT_TYPE, problemType } from './problem';

/**
 * Every REST API gateway response type and the code it answers with. Each type is listed, so its status is fixed and
 * the body can carry it; DEFAULT_4XX and DEFAULT_5XX only catch types AWS adds later, whose status API Gateway picks,
 * so their bodies leave `status` out (RFC 9457 §3.1.2: it is advisory).
 */
export const GATEWAY_RESPONSE_CODES = {
  UNAUTHORIZED: 'credential_rejected',
  ACCESS_DENIED: 'route_forbidden',
  MISSING_AUTHENTICATION_TOKEN: 'request_unauthenticated',
  INVALID_SIGNATURE: 'request_unauthenticated',
  EXPIRED_TOKEN: 'request_unauthenticated',
  INVALID_API_KEY: 'request_blocked',
  WAF_FILTERED: 'request_blocked',
  RESOURCE_NOT_FOUND: 'route_not_found',
  BAD_REQUEST_BODY: 'payload_invalid',
  BAD_REQUEST_PARAMETERS: 'query_invalid',
  REQUEST_TOO_LARGE: 'payload_too_large',
  UNSUPPORTED_MEDIA_TYPE: 'media_type_unsupported',
  THROTTLED: 'throttled',
  QUOTA_EXCEEDED: 'throttled',
  AUTHORIZER_FAILURE: 'authorizer_failed',
  AUTHORIZER_CONFIGURATION_ERROR: 'authorizer_failed',
  INTEGRATION_FAILURE: 'integration_failed',
  INTEGRATION_TIMEOUT: 'integration_failed',
  API_CONFIGURATION_ERROR: 'gateway_error',
  DEFAULT_4XX: 'request_rejected',
  DEFAULT_5XX: 'gateway_error',
} as const satisfies Record<string, ErrorCode>;

export type GatewayResponseType = keyof typeof GATEWAY_RESPONSE_CODES;

const CATCH_ALL: readonly GatewayResponseType[] = ['DEFAULT_4XX', 'DEFAULT_5XX'];
/** API Gateway puts the request id here when it answers (a non-VTL template: plain variable substitution). */
export const REQUEST_ID_VARIABLE = '$context.requestId';
/** API Gateway's own message as a quoted JSON string (`"Invalid request body"`): the `detail` of 4xx codes the table exposes. */
export const MESSAGE_VARIABLE = '$context.error.messageString';
const DETAIL_SLOT = '\u0000detail';

export interface GatewayResponseResource {
  readonly Type: 'AWS::ApiGateway::GatewayResponse';
  readonly Properties: {
    readonly RestApiId: { readonly Ref: string };
    readonly ResponseType: GatewayResponseType;
    readonly StatusCode?: string;
    readonly ResponseParameters: Record<string, string>;
    readonly ResponseTemplates: Record<string, string>;
  };
}

/** The problem body API Gateway answers a response type with, before it substitutes the request id. */
export function gatewayProblemTemplate(type: GatewayResponseType): string {
  const code: ErrorCode = GATEWAY_RESPONSE_CODES[type];
  const { title, status, expose } = ERROR_TABLE[code];
  const withStatus = !CATCH_ALL.includes(type);
  const body = JSON.stringify({
    type: problemType(code),
    title,
    ...(withStatus ? { status } : {}),
    code,
    ...(expose ? { detail: DETAIL_SLOT } : {}),
    instance: REQUEST_ID_VARIABLE,
  });
  return body.replace(JSON.stringify(DETAIL_SLOT), MESSAGE_VARIABLE);
}

/**
 * One `AWS::ApiGateway::GatewayResponse` per response type for the REST API `restApiLogicalId`, keyed by logical id
 * (`GatewayResponseUnauthorized`, …): problem+json body, the table's status, and the headers every problem carries.
 *
 * @example
 * const resources = gatewayResponseResources('ApiGatewayRestApi');
 * resources.GatewayResponseUnauthorized?.Properties.StatusCode // '401'
 */
export function gatewayResponseResources(restApiLogicalId: string): Record<string, GatewayResponseResource> {
  const resources: Record<string, GatewayResponseResource> = {};
  for (const type of Object.keys(GATEWAY_RESPONSE_CODES) as GatewayResponseType[]) {
    const id = `GatewayResponse${type
      .toLowerCase()
      .split('_')
      .map((w) => w[0]!.toUpperCase() + w.slice(1))
      .join('')}`;
    resources[id] = {
      Type: 'AWS::ApiGateway::GatewayResponse',
      Properties: {
        RestApiId: { Ref: restApiLogicalId },
        ResponseType: type,
        ...(CATCH_ALL.includes(type) ? {} : { StatusCode: String(ERROR_TABLE[GATEWAY_RESPONSE_CODES[type]].status) }),
        ResponseParameters: {
          'gatewayresponse.header.Content-Type': `'${PROBLEM_CONTENT_TYPE}'`,
          'gatewayresponse.header.Cache-Control': "'no-store'",
          'gatewayresponse.header.X-Content-Type-Options': "'nosniff'",
        },
        ResponseTemplates: { 'application/json': gatewayProblemTemplate(type) },
      },
    };
  }
  return resources;
}
