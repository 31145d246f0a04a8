// Where the verified identity of a proxied request lives: the authorizer context, or API Gateway's SigV4 identity.
import { isPlainObject } from '../config/check';
import { MeshgateError, TokenError } from '../errors';
import { fromAuthorizerContext } from '../auth/context';
import type { VerifiedIdentity } from '../auth/identity';
import { isRouteAllowed } from '../auth/policy';
import type { Route } from '../routes/route-table';
import type { IngressRequest } from './request';

export const IAM_ISSUER = 'aws:iam';

/** serverless offline lets any client replace the authorizer context with this header; AWS has no such thing. */
export const OFFLINE_OVERRIDE_HEADER = 'sls-offline-authorizer-override';
/** serverless offline's placeholder caller on `AWS_IAM` routes: it checks no SigV4 signature at all. */
const OFFLINE_PLACEHOLDER_ARN = 'offlineContext_userArn';
/** Same leeway as the authorizer's clock skew default. */
const EXP_LEEWAY_SECONDS = 30;

const obj = (v: unknown): Record<string, unknown> | undefined => (isPlainObject(v) ? v : undefined);
const nonEmpty = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** SigV4 callers: REST puts them in `requestContext.identity`, HTTP API in `requestContext.authorizer.iam`. */
function iamSource(request: Pick<IngressRequest, 'format' | 'requestContext'>): Record<string, unknown> | undefined {
  const ctx = request.requestContext;
  return request.format === 'http-v2' ? obj(obj(ctx.authorizer)?.iam) : obj(ctx.identity);
}

/**
 * The caller ARN API Gateway verified by SigV4 (an `AWS_IAM` route), or undefined. `offline` (serverless offline,
 * which checks no signature) never yields one: its placeholder ARN is no caller.
 *
 * @example
 * // given: declare const request: IngressRequest;
 * const callerArn = iamCallerArn(request, false);
 */
export function iamCallerArn(request: Pick<IngressRequest, 'format' | 'requestContext'>, offline: boolean): string | undefined {
  const arn = nonEmpty(iamSource(request)?.userArn);
  return offline && arn === OFFLINE_PLACEHOLDER_ARN ? undefined : arn;
}

function iamIdentity(request: IngressRequest): VerifiedIdentity | undefined {
  const source = iamSource(request);
  const userArn = nonEmpty(source?.userArn);
  if (source === undefined || userArn === undefined) return undefined;
  return Object.freeze({
    sub: userArn,
    iss: IAM_ISSUER,
    type: 'iam',
    scopes: Object.freeze([]),
    groups: Object.freeze([]),
    tenant: nonEmpty(source.accountId),
    clientId: undefined,
    exp: 0,
  });
}

/**
 * The authorizer's flat context: REST (1.0) `requestContext.authorizer`, HTTP API (2.0)
 * `requestContext.authorizer.lambda`. `authorizer.jwt.claims` is never read: serverless offline fills it with
 * decoded but unverified claims.
 */
function authorizerIdentity(request: IngressRequest): VerifiedIdentity | undefined {
  const authorizer = obj(request.requestContext.authorizer);
  const context =
    request.format === 'http-v2' ? obj(authorizer?.lambda) : authorizer?.sub === undefined ? obj(authorizer?.lambda) : authorizer;
  return fromAuthorizerContext(context);
}

/**
 * Reads the identity API Gateway verified for this request, by the route's auth: the authorizer context for
 * `jwt` routes, the SigV4 caller for `iam` routes. Fails closed: none, or a context not in the authorizer's own
 * form → `identity_missing` (401). `offline` (serverless offline, `IS_OFFLINE`) refuses what only offline forges.
 *
 * @example
 * // given: import type { IngressConfig } from './ingress-config';
 * // given: declare const request: IngressRequest, route: Route, config: IngressConfig;
 * const identity = verifiedIdentityOf(request, route, config.offline);
 */
export function verifiedIdentityOf(request: IngressRequest, route: Route, offline: boolean): VerifiedIdentity {
  if (offline && request.untrustedHeaders.has(OFFLINE_OVERRIDE_HEADER)) {
    throw new MeshgateError('identity_missing', `${OFFLINE_OVERRIDE_HEADER} would let a client choose its identity locally`);
  }
  const identity = route.auth === 'iam' ? iamIdentity(request) : authorizerIdentity(request);
  if (offline && identity?.sub === OFFLINE_PLACEHOLDER_ARN) {
    throw new MeshgateError('identity_missing', 'serverless offline does not verify SigV4: IAM routes have no verified caller locally');
  }
  if (identity === undefined) {
    throw new MeshgateError(
      'identity_missing',
      route.auth === 'iam' ? 'no SigV4 caller identity on an IAM route' : 'no authorizer identity on a JWT route',
    );
  }
  return identity;
}

/**
 * Checks the identity against the route again (defence in depth: an execute-api `*` also matches `/`, and HTTP
 * API simple responses cannot name routes): expired credential → `token_expired` (401: a cached Allow can
 * outlive the token); not allowed here → `route_forbidden` (403).
 *
 * @example
 * // given: declare const identity: VerifiedIdentity, route: Route;
 * checkIdentityForRoute(identity, route, Math.floor(Date.now() / 1000));
 */
export function checkIdentityForRoute(identity: VerifiedIdentity, route: Route, nowSeconds: number): void {
  if (identity.exp > 0 && identity.exp + EXP_LEEWAY_SECONDS < nowSeconds)
    throw new TokenError('token_expired', 'the credential behind a cached authorization has expired');
  if (!isRouteAllowed(identity, route)) throw new MeshgateError('route_forbidden', `identity may not call ${route.id}`);
}
