// The ingress pipeline: verify identity → validate → enrich (sign) → forward, with one catch into the error table.
import { buildOrKeepConfigError, type Built } from '../config/built';
import { ConfigError, isMeshgateError, MeshgateError, type ErrorCode } from '../errors';
import type { IngressConfig } from './ingress-config';
import { errorResult } from '../http/error-response';
import { ERROR_TABLE, type ErrorOutcome } from '../http/error-table';
import type { HttpResult } from '../http/problem';
import { requestIdOf } from '../http/request-id';
import { canonicalQuery } from '@meshgate/consumer';
import { KEY_STORE_FAILURE_CODES, type KeyStore } from '../keys/key-store';
import { keyStoreFromConfig } from '../keys/key-store-from-env';
import { emfCount, logger } from '../observability';
import { findRouteByTemplate, matchRoute, type Route, type RouteTable } from '../routes/route-table';
import type { VerifiedIdentity } from '../auth/identity';
import { assertionClaims, loadKeySet } from './assertion-claims';
import { signAssertion } from '../keys/assertion';
import { premintedAssertions } from '../exchange/premint';
import { forwardRequest, upstreamPath } from './forward';
import { enrichHeaders } from './headers';
import { checkIdentityForRoute, verifiedIdentityOf } from './identity-source';
import { queryPairs, readIngressEvent, type IngressRequest } from './request';
import { toProxyResult } from './response';
import { checkForwardBudget } from './size-budget';
import { validateRequest } from './validate';

export interface IngressCore {
  readonly config: IngressConfig;
  readonly keyStore: KeyStore;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** This invocation's X-Ray trace header. @default process.env._X_AMZN_TRACE_ID */
  readonly amznTraceId?: () => string | undefined;
}

/** A built ingress, or the configuration error that makes it answer 503 to everything (never forward). */
export type Ingress = Built<IngressCore>;

/** The access-decision outcome of a request, for its log line and metrics: `allow`, or its error's row in the error table. */
export type IngressOutcome = 'allow' | ErrorOutcome;

/**
 * Builds the ingress once per cold start. A bad configuration is logged with the field it names and kept: every
 * request is then answered 503 `config_invalid`, and nothing is forwarded.
 *
 * @example
 * // given: import routes from '../../config/routes.json';
 * // given: import { loadIngressConfig } from '../../functions/ingress/config';
 * const ingress = buildIngress(() => loadIngressConfig(process.env, routes));
 */
export function buildIngress(
  load: () => IngressConfig,
  makeStore: (config: IngressConfig) => KeyStore = (c) => keyStoreFromConfig(c.keyStore),
): Ingress {
  return buildOrKeepConfigError(() => {
    const config = load();
    return { config, keyStore: makeStore(config) };
  }, 'every request is answered 503');
}

function resolveRoute(table: RouteTable, request: IngressRequest): Route {
  const route =
    (request.template === undefined ? undefined : findRouteByTemplate(table, request.method, request.template)) ??
    matchRoute(table, request.method, request.path);
  if (route === undefined) throw new MeshgateError('route_not_found', `no route for ${request.method} ${request.template ?? 'this path'}`);
  return route;
}

async function run(
  core: IngressCore,
  request: IngressRequest,
  seen: { route?: Route; identity?: VerifiedIdentity; upstreamStatus?: number },
): Promise<HttpResult> {
  const { config } = core;
  const nowSeconds = Math.floor((core.now ?? Date.now)() / 1000);
  const route = (seen.route = resolveRoute(config.routes, request));
  const identity = (seen.identity = verifiedIdentityOf(request, route, config.offline));
  logger.appendKeys({ sub: identity.sub });
  checkIdentityForRoute(identity, route, nowSeconds);
  const validated = validateRequest(request, route);
  const baseUrl = config.upstreamUrls.get(route.upstream.name);
  if (baseUrl === undefined) throw new ConfigError(`MESHGATE_UPSTREAMS.${route.upstream.name}`, 'is required');
  const path = upstreamPath(baseUrl, request.forwardPath);
  const target = {
    audience: route.upstream.audience,
    method: request.method,
    upstreamPath: path,
    canonicalQuery: canonicalQuery(queryPairs(request.query)),
    body: validated.body,
  };
  const claims = assertionClaims(identity, target, config.assertion, nowSeconds);
  const keySet = await loadKeySet(core.keyStore);
  const assertion = signAssertion(claims, keySet.current);
  const delegations = premintedAssertions(config.routes, route.upstream, claims, keySet, config.assertion, nowSeconds);
  const amznTraceId = (core.amznTraceId ?? (() => process.env._X_AMZN_TRACE_ID))();
  const headers = enrichHeaders({
    untrustedHeaders: request.untrustedHeaders,
    reservedHeaders: config.reservedHeaders,
    identity,
    assertion,
    delegations,
    requestId: request.requestId,
    amznTraceId,
  });
  checkForwardBudget(assertion, {
    method: request.method,
    target: request.rawQuery === '' ? path : `${path}?${request.rawQuery}`,
    host: baseUrl.host,
    headers,
    bodyBytes: validated.body?.length ?? 0,
  });
  const upstream = await forwardRequest({
    baseUrl,
    upstreamName: route.upstream.name,
    method: request.method,
    path,
    rawQuery: request.rawQuery,
    headers,
    body: validated.body,
    timeoutMs: route.timeoutMs,
  });
  seen.upstreamStatus = upstream.status;
  return toProxyResult(upstream, request.format);
}

/**
 * Handles one REST (1.0) or HTTP API (2.0) proxy event. Never throws: every failure goes through the one
 * error table. Logs one access-decision line (request id, subject, issuer, route, outcome, reason); never a token.
 *
 * @example
 * // given: declare const ingress: Ingress; // from buildIngress, once per cold start
 * export const handler = (event: unknown) => handleIngressEvent(ingress, event);
 */
export async function handleIngressEvent(ingress: Ingress, event: unknown): Promise<HttpResult> {
  const started = Date.now();
  const seen: { route?: Route; identity?: VerifiedIdentity; upstreamStatus?: number } = {};
  const requestId = requestIdOf(event);
  // The handler resets log keys per invocation; this also keeps direct callers (tests, local runs) from mixing callers.
  logger.removeKeys(['sub', 'apiRequestId']);
  try {
    if (requestId !== undefined) logger.appendKeys({ apiRequestId: requestId });
    const request = readIngressEvent(event);
    if (!ingress.ok) throw ingress.error;
    const result = await run(ingress.core, request, seen);
    logDecision('allow', 'ok', seen, started);
    return result;
  } catch (err) {
    const code: ErrorCode = isMeshgateError(err) ? err.code : 'internal';
    const outcome = ERROR_TABLE[code].outcome;
    logDecision(outcome, code, seen, started, isMeshgateError(err) ? err : undefined);
    return errorResult(err, requestId);
  }
}

/**
 * The outcome's EMF count (`IngressForwarded`, `IngressDeny`, …), and for the failures that refuse every request
 * until someone acts, a count of their own that an alarm reads: `IngressConfigInvalid`, `IngressKeyStoreUnavailable`.
 */
function outcomeMetrics(outcome: IngressOutcome, reason: ErrorCode | 'ok'): Record<string, unknown> {
  const name =
    outcome === 'allow'
      ? 'IngressForwarded'
      : `Ingress${outcome
          .split('_')
          .map((w) => w[0]!.toUpperCase() + w.slice(1))
          .join('')}`;
  if (reason === 'config_invalid') return emfCount(name, 'IngressConfigInvalid');
  if ((KEY_STORE_FAILURE_CODES as ReadonlySet<string>).has(reason)) return emfCount(name, 'IngressKeyStoreUnavailable');
  return emfCount(name);
}

function logDecision(
  outcome: IngressOutcome,
  reason: ErrorCode | 'ok',
  seen: { route?: Route; identity?: VerifiedIdentity; upstreamStatus?: number },
  started: number,
  err?: MeshgateError,
): void {
  const fields = {
    route: seen.route?.id ?? 'unknown',
    outcome,
    reason,
    ...(seen.identity ? { sub: seen.identity.sub, iss: seen.identity.iss, type: seen.identity.type } : {}),
    ...(seen.route ? { upstream: seen.route.upstream.name } : {}),
    upstreamStatus: seen.upstreamStatus, // undefined until the upstream answers; JSON lines then omit it
    ...(err && (outcome === 'upstream_error' || outcome === 'error') ? { error: err.message, cause: err.details.cause } : {}),
    durationMs: Date.now() - started,
    ...outcomeMetrics(outcome, reason),
  };
  if (outcome === 'upstream_error' || outcome === 'error') logger.error('access decision', fields);
  else logger.info('access decision', fields);
}
