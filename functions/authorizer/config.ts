// The authorizer's configuration: environment + route table, checked once at cold start. Every variable it reads is here.
import { parseIssuers } from '../../src/config/issuers';
import { parseJsonEnv } from '../../src/config/check';
import { envEnum, envInteger, loopbackHttpAllowed, type Env } from '../../src/config/env';
import { parseRouteTable } from '../../src/routes/route-table';
import type { AuthorizerConfig } from '../../src/auth/authorizer-config';
import { DEFAULT_MAX_TOKEN_BYTES } from '../../src/auth/token-precheck';
import { parseJwksSnapshot } from '../../src/auth/jwks-snapshot';

/**
 * Reads and checks the authorizer configuration (and the bundled JWKS snapshot, none by default). Throws
 * `ConfigError` naming the field.
 *
 * @example
 * // given: import routesJson from '../../config/routes.json';
 * // given: import snapshotJson from '../../config/jwks-snapshot.json';
 * const config = loadAuthorizerConfig(process.env, routesJson, snapshotJson);
 */
export function loadAuthorizerConfig(env: Env, routesJson: unknown, jwksSnapshotJson: unknown = {}): AuthorizerConfig {
  const allowLoopbackHttp = loopbackHttpAllowed(env);
  return Object.freeze({
    issuers: parseIssuers(parseJsonEnv('MESHGATE_ISSUERS', env.MESHGATE_ISSUERS), { allowLoopbackHttp }),
    routes: parseRouteTable(routesJson),
    allowLoopbackHttp,
    clockSkewSeconds: envInteger(env, 'MESHGATE_CLOCK_SKEW_SECONDS', 30, 0, 300),
    maxTokenBytes: envInteger(env, 'MESHGATE_MAX_TOKEN_BYTES', DEFAULT_MAX_TOKEN_BYTES, 512, 65536),
    jwksTimeoutMs: envInteger(env, 'MESHGATE_JWKS_TIMEOUT_MS', 1500, 100, 10000),
    unknownKidPenaltySeconds: envInteger(env, 'MESHGATE_UNKNOWN_KID_PENALTY_SECONDS', 10, 0, 3600),
    httpApiResponse: envEnum(env, 'MESHGATE_HTTP_API_RESPONSE', ['simple', 'policy'] as const, 'simple'),
    tokenCacheSize: envInteger(env, 'MESHGATE_TOKEN_CACHE_SIZE', 1000, 0, 100000),
    jwksSnapshot: parseJwksSnapshot(jwksSnapshotJson),
  });
}
