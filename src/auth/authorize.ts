// The authorizer's core: event in, decision and API Gateway response out. Pure but for JWKS fetches.
import type { ErrorCode } from '../errors';
import type { Route, RouteTable } from '../routes/route-table';
import { matchRoute } from '../routes/route-table';
import { readAuthorizerEvent, bearerToken, type AuthorizerRequest } from './authorizer-event';
import { toAuthorizerContext, type AuthorizerContext } from './context';
import { VerifiedTokenCache } from './decision-cache';
import { identityFromClaims, type VerifiedIdentity } from './identity';
import { allowPolicy, denyPolicy, routesAllowedFor, type PolicyDocument } from './policy';
import { toTokenError, type IssuerVerifiers } from './verifiers';
import type { KeySetStamp } from './jwks-cache';

export type Outcome = 'allow' | 'deny' | 'unauthorized';

/** What the authorizer decided, and why: one of these is logged per request. */
export type AuthDecision =
  | { readonly outcome: 'unauthorized'; readonly reason: ErrorCode }
  | { readonly outcome: 'deny'; readonly reason: 'config_invalid' }
  | {
      readonly outcome: 'allow' | 'deny';
      readonly reason: 'ok' | 'scope_missing' | 'route_forbidden';
      readonly identity: VerifiedIdentity;
      /** Every route this identity may call: the policy covers all of them. */
      readonly allowedRoutes: readonly Route[];
    };

/** REST and HTTP API (IAM policy format) response. */
export interface PolicyResponse {
  readonly principalId: string;
  readonly policyDocument: PolicyDocument;
  readonly context?: AuthorizerContext | Record<string, string>;
}

/** HTTP API simple response. */
export interface SimpleResponse {
  readonly isAuthorized: boolean;
  readonly context?: AuthorizerContext;
}

/** `unauthorized` must be thrown as `new Error('Unauthorized')`: API Gateway's only way to answer 401. */
export type AuthorizerResult =
  { readonly kind: 'unauthorized' } | { readonly kind: 'response'; readonly body: PolicyResponse | SimpleResponse };

export interface AuthorizerCore {
  readonly verifiers: IssuerVerifiers;
  readonly routes: RouteTable;
  /** How HTTP API (2.0) events are answered; must match `enableSimpleResponses` in serverless.yml. */
  readonly httpApiResponse: 'simple' | 'policy';
  readonly tokenCache: VerifiedTokenCache<{ identity: VerifiedIdentity; allowedRoutes: readonly Route[]; keys: KeySetStamp }>;
  readonly now?: () => number;
}

/** Verifies the request's token and decides; never throws. */
export async function decide(core: AuthorizerCore, request: AuthorizerRequest): Promise<AuthDecision> {
  const token = bearerToken(request.authorization);
  if (token === undefined)
    return { outcome: 'unauthorized', reason: request.authorization === undefined ? 'token_missing' : 'token_malformed' };
  const nowMs = (core.now ?? Date.now)();
  let entry = core.tokenCache.get(token, nowMs);
  // A cached verification stands only while the key set that made it does: a key the issuer removed, or a set past
  // its stale window, sends the token through verification again.
  if (entry === undefined || !core.verifiers.stillTrusts(entry.keys)) {
    try {
      const { issuer, payload, keys } = await core.verifiers.verify(token);
      const identity = identityFromClaims(issuer, payload);
      const missingIssuerScope = issuer.requiredScopes.some((s) => !identity.scopes.includes(s));
      entry = { identity, allowedRoutes: missingIssuerScope ? [] : routesAllowedFor(identity, core.routes), keys };
      core.tokenCache.set(token, entry, identity.exp * 1000, nowMs);
    } catch (err) {
      return { outcome: 'unauthorized', reason: toTokenError(err).code };
    }
  }
  const { identity, allowedRoutes } = entry;
  if (allowedRoutes.length === 0) return { outcome: 'deny', reason: 'scope_missing', identity, allowedRoutes };
  const { target } = request;
  const route = target && matchRoute(core.routes, target.method, target.path);
  const allowedHere = route !== undefined && allowedRoutes.includes(route);
  return { outcome: allowedHere ? 'allow' : 'deny', reason: allowedHere ? 'ok' : 'route_forbidden', identity, allowedRoutes };
}

// Policies depend only on the API and the set of allowed routes, which few identities differ in: build each once.
const policyMemo = new Map<string, PolicyDocument>();

function memoAllowPolicy(apiBase: string, routes: readonly Route[]): PolicyDocument {
  const key = JSON.stringify([apiBase, ...routes.map((r) => r.id)]);
  let policy = policyMemo.get(key);
  if (policy === undefined) {
    policy = allowPolicy(apiBase, routes);
    if (policyMemo.size >= 256) policyMemo.clear();
    policyMemo.set(key, policy);
  }
  return policy;
}

function apiBaseOf(request: AuthorizerRequest): string {
  return request.target?.apiBase ?? 'arn:aws:execute-api:*:*:*/*';
}

/**
 * The API Gateway answer for a decision. Policies list every route the identity may call, whichever route
 * was asked, so a cached answer is right for all of them. HTTP API simple responses cannot name routes, so
 * they allow any valid identity with at least one route; the ingress enforces the route (see README).
 */
export function respond(
  core: Pick<AuthorizerCore, 'httpApiResponse'>,
  request: AuthorizerRequest,
  decision: AuthDecision,
): AuthorizerResult {
  const simple = request.format === 'http-v2' && core.httpApiResponse === 'simple';
  if (decision.outcome === 'unauthorized') {
    // HTTP APIs have no "Unauthorized" convention for Lambda authorizers: a denial (403) is their fail-closed answer.
    if (request.format !== 'http-v2') return { kind: 'unauthorized' };
    return {
      kind: 'response',
      body: simple ? { isAuthorized: false } : { principalId: 'anonymous', policyDocument: denyPolicy(apiBaseOf(request)) },
    };
  }
  if (!('identity' in decision)) {
    return {
      kind: 'response',
      body: simple
        ? { isAuthorized: false }
        : { principalId: 'anonymous', policyDocument: denyPolicy(apiBaseOf(request)), context: { reason: decision.reason } },
    };
  }
  const context = toAuthorizerContext(decision.identity);
  if (simple) return { kind: 'response', body: { isAuthorized: decision.allowedRoutes.length > 0, context } };
  return {
    kind: 'response',
    body: { principalId: decision.identity.sub, policyDocument: memoAllowPolicy(apiBaseOf(request), decision.allowedRoutes), context },
  };
}

export { readAuthorizerEvent };
