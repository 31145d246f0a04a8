// Reads the three API Gateway authorizer event shapes into one: REST TOKEN, REST REQUEST (1.0), HTTP API REQUEST (2.0).
import { isPlainObject } from '../config/check';
import { parseExecuteApiArn, type ExecuteApiArn } from './policy';

export type AuthorizerEventFormat = 'rest-token' | 'rest-request' | 'http-v2';

export interface AuthorizerRequest {
  readonly format: AuthorizerEventFormat;
  /** The raw `Authorization` value (untrusted), if any. */
  readonly authorization: string | undefined;
  /** `methodArn` (REST) or `routeArn` (HTTP API). */
  readonly arn: string | undefined;
  /** `arn`, parsed once per request (API base, method, path); undefined when it is not an execute-api ARN. */
  readonly target: ExecuteApiArn | undefined;
  readonly requestId: string | undefined;
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (!isPlainObject(headers)) return undefined;
  // serverless offline keeps the client's casing in HTTP API events; AWS lowercases: match case-insensitively.
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && typeof value === 'string') return value;
  }
  return undefined;
}

/** Normalises any authorizer event. Unknown shapes still yield a request (with no token), so they end in a denial. */
export function readAuthorizerEvent(event: unknown): AuthorizerRequest {
  const e = isPlainObject(event) ? event : {};
  const ctx = isPlainObject(e.requestContext) ? e.requestContext : {};
  const requestId = typeof ctx.requestId === 'string' ? ctx.requestId : undefined;
  if (e.version === '2.0') {
    const fromSource = Array.isArray(e.identitySource) && typeof e.identitySource[0] === 'string' ? e.identitySource[0] : undefined;
    const routeArn = typeof e.routeArn === 'string' ? e.routeArn : undefined;
    return {
      format: 'http-v2',
      authorization: headerValue(e.headers, 'authorization') ?? fromSource,
      arn: routeArn,
      target: parseExecuteApiArn(routeArn),
      requestId,
    };
  }
  const arn = typeof e.methodArn === 'string' ? e.methodArn : undefined;
  const target = parseExecuteApiArn(arn);
  if (e.type === 'TOKEN') {
    return {
      format: 'rest-token',
      authorization: typeof e.authorizationToken === 'string' ? e.authorizationToken : undefined,
      arn,
      target,
      requestId,
    };
  }
  return { format: 'rest-request', authorization: headerValue(e.headers, 'authorization'), arn, target, requestId };
}

/**
 * Extracts the credential from an `Authorization` value: `Bearer <credential>`, scheme case-insensitive,
 * surrounding spaces and tabs tolerated; another scheme or an empty credential is undefined. What the credential
 * may contain is the token pre-check's job (a compact JWS: base64url and two dots), so it is checked once, there.
 */
const isBlank = (s: string, i: number): boolean => s.charCodeAt(i) === 0x20 || s.charCodeAt(i) === 0x09;

export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  let start = 0;
  let end = authorization.length;
  while (start < end && isBlank(authorization, start)) start++;
  while (end > start && isBlank(authorization, end - 1)) end--;
  // No length check needed: a value too short to hold a credential fails here, or leaves an empty credential below.
  if (authorization.slice(start, start + 6).toLowerCase() !== 'bearer' || !isBlank(authorization, start + 6)) return undefined;
  let at = start + 7;
  while (at < end && isBlank(authorization, at)) at++;
  return at < end ? authorization.slice(at, end) : undefined;
}
