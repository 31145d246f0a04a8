// The token exchange's configuration: environment + route table (principals, edges), checked once at cold start.
// Every variable the exchange reads is read here.
import { ConfigError } from '../../src/errors';
import { parseJsonEnv, readHttpsUrl } from '../../src/config/check';
import { envBoolean, envInteger, loopbackHttpAllowed, type Env } from '../../src/config/env';
import { parseIssuers } from '../../src/config/issuers';
import { DEFAULT_MAX_TOKEN_BYTES } from '../../src/auth/token-precheck';
import type { ExchangeConfig } from '../../src/exchange/exchange-config';
import { readKeyStoreConfig } from '../../src/keys/key-store-from-env';
import { parseRouteTable } from '../../src/routes/route-table';

/**
 * Reads and checks the exchange configuration. Throws `ConfigError` naming the field, e.g.
 * `routes.edges[0].maxDepth` or `MESHGATE_EXCHANGE_TTL_SECONDS`.
 *
 * @example
 * // given: import routesJson from '../../config/routes.json';
 * const config = loadExchangeConfig(process.env, routesJson);
 */
export function loadExchangeConfig(env: Env, routesJson: unknown): ExchangeConfig {
  const allowLoopbackHttp = loopbackHttpAllowed(env);
  const issuer = env.MESHGATE_ASSERTION_ISSUER;
  const actorTokens = envBoolean(env, 'MESHGATE_EXCHANGE_ACTOR_TOKENS', false);
  if (actorTokens && (env.MESHGATE_ISSUERS ?? '') === '')
    throw new ConfigError('MESHGATE_ISSUERS', 'is required when MESHGATE_EXCHANGE_ACTOR_TOKENS is true (the issuers of actor tokens)');
  return Object.freeze({
    routes: parseRouteTable(routesJson),
    issuer: readHttpsUrl('MESHGATE_ASSERTION_ISSUER', issuer === '' ? undefined : issuer, { allowLoopbackHttp }),
    ttlSeconds: envInteger(env, 'MESHGATE_EXCHANGE_TTL_SECONDS', 60, 1, 300),
    clockSkewSeconds: envInteger(env, 'MESHGATE_CLOCK_SKEW_SECONDS', 30, 0, 300),
    keyStore: readKeyStoreConfig(env),
    actorTokenIssuers: actorTokens
      ? parseIssuers(parseJsonEnv('MESHGATE_ISSUERS', env.MESHGATE_ISSUERS), { allowLoopbackHttp })
      : undefined,
    maxTokenBytes: envInteger(env, 'MESHGATE_MAX_TOKEN_BYTES', DEFAULT_MAX_TOKEN_BYTES, 512, 65536),
    allowLoopbackHttp,
    offline: env.IS_OFFLINE === 'true',
  });
}
