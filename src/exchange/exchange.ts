// The token exchange: read the form → authenticate the actor → verify the subject → apply the rules → sign. One catch.
import { DELEGATED_ASSERTION_TYP, JWT_TOKEN_TYPE } from '@meshgate/consumer';
import { buildOrKeepConfigError, type Built } from '../config/built';
import { isMeshgateError } from '../errors';
import type { HttpResult } from '../http/problem';
import { requestIdOf } from '../http/request-id';
import { IssuerVerifiers } from '../auth/verifiers';
import { iamCallerArn } from '../ingress/identity-source';
import { readIngressEvent, type IngressRequest } from '../ingress/request';
import { loadKeySet } from '../ingress/assertion-claims';
import { signAssertion } from '../keys/assertion';
import type { KeyStore } from '../keys/key-store';
import { keyStoreFromConfig } from '../keys/key-store-from-env';
import { emfCount, logger } from '../observability';
import { resolveActor, type ActorCredential, type ActorTokenVerifier } from './actor';
import { delegate } from './delegate';
import type { ExchangeConfig } from './exchange-config';
import { parseTokenForm } from './form';
import { ExchangeRefusal, oauthResult, refusalResult, refuse } from './oauth-error';
import { readExchangeParams } from './params';
import { verifySubject } from './subject';

export interface ExchangeCore {
  readonly config: ExchangeConfig;
  readonly keyStore: KeyStore;
  /** Verifies client-credentials actor tokens; undefined when only SigV4 actors are accepted. */
  readonly actorTokens: ActorTokenVerifier | undefined;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** A built exchange, or the configuration error that makes it answer 503 to everything (never sign). */
export type Exchange = Built<ExchangeCore>;

/** What one exchange got to, for its decision log line. */
interface Seen {
  actor?: string;
  principal?: string;
  txn?: string;
  sub?: string;
  target?: string;
  req?: string;
  depth?: number;
}

/**
 * Builds the exchange once per cold start. A bad configuration is logged with the field it names and kept: every
 * request is then answered 503 `temporarily_unavailable`, and nothing is signed.
 *
 * @example
 * // given: import routes from '../../config/routes.json';
 * // given: import { loadExchangeConfig } from '../../functions/exchange/config';
 * const exchange = buildExchange(() => loadExchangeConfig(process.env, routes));
 */
export function buildExchange(
  load: () => ExchangeConfig,
  makeStore: (config: ExchangeConfig) => KeyStore = (c) => keyStoreFromConfig(c.keyStore),
): Exchange {
  return buildOrKeepConfigError(() => {
    const config = load();
    const actorTokens =
      config.actorTokenIssuers === undefined
        ? undefined
        : new IssuerVerifiers(config.actorTokenIssuers, {
            clockSkewSeconds: config.clockSkewSeconds,
            maxTokenBytes: config.maxTokenBytes,
            // The local issuer serves its JWKS over http on loopback, as the authorizer allows it.
            fetcher: { allowLoopbackHttp: config.allowLoopbackHttp ?? false },
          });
    return { config, keyStore: makeStore(config), actorTokens };
  }, 'every token request is answered 503');
}

function actorCredential(request: IngressRequest, actorToken: string | undefined, offline: boolean): ActorCredential {
  const callerArn = iamCallerArn(request, offline);
  if (callerArn !== undefined && actorToken !== undefined)
    throw refuse('invalid_request', 'actor_twice', 'the actor authenticates once: SigV4 or actor_token, not both');
  if (callerArn !== undefined) return { kind: 'iam', callerArn };
  return actorToken === undefined ? { kind: 'none' } : { kind: 'token', token: actorToken };
}

function bodyOf(request: IngressRequest): Buffer | undefined {
  if (request.body === undefined) return undefined;
  return Buffer.from(request.body, request.isBase64Encoded ? 'base64' : 'utf8');
}

async function run(core: ExchangeCore, request: IngressRequest, seen: Seen): Promise<HttpResult> {
  const { config } = core;
  if (request.method !== 'POST') throw refuse('invalid_request', 'method', 'the token endpoint takes POST only');
  const params = readExchangeParams(parseTokenForm(request.untrustedHeaders.get('content-type'), bodyOf(request)));
  seen.target = params.audience.slice(0, 128);
  const actor = await resolveActor(config.routes, actorCredential(request, params.actorToken, config.offline), core.actorTokens);
  seen.actor = actor.upstream.audience;
  seen.principal = actor.principal;
  const keySet = await loadKeySet(core.keyStore);
  const nowSeconds = Math.floor((core.now ?? Date.now)() / 1000);
  const subject = verifySubject(
    params.subjectToken,
    keySet,
    { issuer: config.issuer, clockSkewSeconds: config.clockSkewSeconds },
    nowSeconds,
  );
  seen.txn = subject.txn;
  seen.sub = subject.sub;
  const claims = delegate(
    config.routes,
    subject,
    { actor: actor.upstream, audience: params.audience, scopes: params.scopes, request: params.request },
    { issuer: config.issuer, ttlSeconds: config.ttlSeconds },
    nowSeconds,
  );
  seen.req = `${params.request.method} ${params.request.path}`.slice(0, 256);
  seen.depth = claims.chain.length;
  const token = signAssertion(claims, keySet.current, DELEGATED_ASSERTION_TYP);
  return oauthResult(200, {
    access_token: token,
    issued_token_type: JWT_TOKEN_TYPE,
    token_type: 'N_A',
    expires_in: claims.exp - nowSeconds,
    scope: claims.scope,
  });
}

/** Anything but a refusal (the key store down, a bug) is 503 `temporarily_unavailable`: never a 500, never a token. */
function asRefusal(err: unknown): ExchangeRefusal {
  if (err instanceof ExchangeRefusal) return err;
  const code = isMeshgateError(err) ? err.code : 'internal';
  return new ExchangeRefusal('temporarily_unavailable', code, 'the token exchange cannot sign right now; retry later');
}

/**
 * Handles one REST (1.0) or HTTP API (2.0) `POST /token` event. Never throws. Logs one decision line per
 * exchange (txn, actor, subject, target, outcome, reason) with its EMF count; never a token.
 *
 * @example
 * // given: declare const exchange: Exchange; // from buildExchange, once per cold start
 * export const handler = (event: unknown) => handleExchangeEvent(exchange, event);
 */
export async function handleExchangeEvent(exchange: Exchange, event: unknown): Promise<HttpResult> {
  const seen: Seen = {};
  const requestId = requestIdOf(event);
  logger.removeKeys(['apiRequestId']);
  try {
    if (requestId !== undefined) logger.appendKeys({ apiRequestId: requestId });
    if (!exchange.ok) throw exchange.error;
    const result = await run(exchange.core, readIngressEvent(event), seen);
    logger.info('exchange decision', { ...seen, outcome: 'issued', reason: 'ok', ...emfCount('ExchangeIssued') });
    return result;
  } catch (err) {
    const refusal = asRefusal(isMeshgateError(err) && err.code === 'route_not_found' ? refuse('invalid_request', 'path', 'bad path') : err);
    const failed = refusal.error === 'temporarily_unavailable';
    const fields = {
      ...seen,
      outcome: failed ? 'error' : 'refused',
      reason: refusal.reason,
      error: refusal.error,
      ...(failed ? { detail: (err as Error).message } : {}),
      ...emfCount(failed ? 'ExchangeFailed' : 'ExchangeRefused'),
    };
    if (failed) logger.error('exchange decision', fields);
    else logger.info('exchange decision', fields);
    return refusalResult(refusal);
  }
}
