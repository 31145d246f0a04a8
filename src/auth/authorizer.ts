// Wires configuration into the authorizer core and logs one access decision per request.
import { buildOrKeepConfigError, type Built } from '../config/built';
import type { AuthorizerConfig } from './authorizer-config';
import { emfCount, logger } from '../observability';
import { decide, readAuthorizerEvent, respond, type AuthDecision, type AuthorizerCore, type AuthorizerResult } from './authorize';
import { VerifiedTokenCache } from './decision-cache';
import { IssuerVerifiers } from './verifiers';

/** A built authorizer, or the configuration error that makes it deny everything. */
export type Authorizer = Built<AuthorizerCore>;

/**
 * Builds the authorizer once per cold start. A bad configuration is kept, logged, and answered with a Deny
 * for every request: never an allow, never a crash loop.
 *
 * @example
 * // given: import routes from '../../config/routes.json';
 * // given: import snapshot from '../../config/jwks-snapshot.json';
 * // given: import { loadAuthorizerConfig } from '../../functions/authorizer/config';
 * const authorizer = buildAuthorizer(() => loadAuthorizerConfig(process.env, routes, snapshot));
 */
export function buildAuthorizer(load: () => AuthorizerConfig, now?: () => number): Authorizer {
  return buildOrKeepConfigError(() => {
    const config = load();
    const verifiers = new IssuerVerifiers(config.issuers, {
      clockSkewSeconds: config.clockSkewSeconds,
      maxTokenBytes: config.maxTokenBytes,
      unknownKidPenaltySeconds: config.unknownKidPenaltySeconds,
      fetcher: { timeoutMs: config.jwksTimeoutMs, allowLoopbackHttp: config.allowLoopbackHttp },
      jwksSnapshot: config.jwksSnapshot,
      now,
    });
    // Start fetching what the snapshot lacks now; the first requests join these fetches instead of starting their own.
    void verifiers.hydrate();
    return {
      verifiers,
      routes: config.routes,
      httpApiResponse: config.httpApiResponse,
      tokenCache: new VerifiedTokenCache(config.tokenCacheSize),
      // Undefined means the real clock, to the verifiers and to decide() alike.
      now,
    };
  }, 'every request is denied');
}

/**
 * The decision's EMF counts: its outcome (allowed, denied, unauthorized: the refusal ratio's terms), and for a
 * provider whose keys cannot be had, `AuthorizerJwksUnavailable` as well. That one is still a 401 (the caller is told
 * to authenticate; the authorizer did not fail), so the authorizer-errors alarm keeps subtracting it, and
 * AuthorizerJwksUnavailableAlarm watches it instead.
 */
function decisionMetrics(decision: AuthDecision): Record<string, unknown> {
  if (decision.outcome === 'allow') return emfCount('AuthorizerAllowed');
  if (decision.outcome === 'deny') return emfCount('AuthorizerDenied');
  return decision.reason === 'jwks_unavailable'
    ? emfCount('AuthorizerUnauthorized', 'AuthorizerJwksUnavailable')
    : emfCount('AuthorizerUnauthorized');
}

/**
 * Handles one authorizer event: decide, log the decision (never the token), count it, answer. Never throws.
 * The request's own fields (API Gateway request id, subject) travel on the decision line, not as Logger keys: no
 * caller's subject can reach another line, and the Logger's key merging (bench: about 3 µs a line) is skipped.
 */
export async function authorizeEvent(authorizer: Authorizer, event: unknown): Promise<AuthorizerResult> {
  const request = readAuthorizerEvent(event);
  const { target, requestId: apiRequestId } = request;
  const route = target ? `${target.method} ${target.path}` : 'unknown';
  if (!authorizer.ok) {
    logger.error('access decision', {
      apiRequestId,
      route,
      outcome: 'deny',
      reason: 'config_invalid',
      error: authorizer.error.message,
      // A deny like any other for the refusal ratio, and its own count: AuthorizerConfigInvalidAlarm reads it.
      ...emfCount('AuthorizerDenied', 'AuthorizerConfigInvalid'),
    });
    return respond({ httpApiResponse: 'simple' }, request, { outcome: 'deny', reason: 'config_invalid' });
  }
  const decision = await decide(authorizer.core, request);
  const identity = 'identity' in decision ? decision.identity : undefined;
  // Undefined fields (no identity, no request id) are left out of the line by the Logger.
  logger.info('access decision', {
    apiRequestId,
    route,
    outcome: decision.outcome,
    reason: decision.reason,
    sub: identity?.sub,
    iss: identity?.iss,
    type: identity?.type,
    ...decisionMetrics(decision),
  });
  return respond(authorizer.core, request, decision);
}
