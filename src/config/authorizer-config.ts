// The authorizer's configuration: environment + route table + JWKS snapshot, checked once at cold start.
import { parseIssuers, type IssuerConfig } from './issuers';
import { parseJsonEnv } from './check';
import { envEnum, envInteger, loopbackHttpAllowed, type Env } from './env';
import { parseRouteTable, type RouteTable } from '../routes/route-table';
import { DEFAULT_MAX_TOKEN_BYTES } from '../auth/token-precheck';

export interface AuthorizerConfig {
  readonly issuers: readonly IssuerConfig[];
  readonly routes: RouteTable;
  readonly allowLoopbackHttp: boolean;
  /** `MESHGATE_CLOCK_SKEW_SECONDS`. @default 30 */
  readonly clockSkewSeconds: number;
  /** `MESHGATE_MAX_TOKEN_BYTES`. @default 8192 */
  readonly maxTokenBytes: number;
  /** `MESHGATE_JWKS_TIMEOUT_MS`: whole JWKS request deadline. @default 1500 */
  readonly jwksTimeoutMs: number;
  /** `MESHGATE_UNKNOWN_KID_PENALTY_SECONDS`. @default 10 */
  readonly unknownKidPenaltySeconds: number;
  /** `MESHGATE_HTTP_API_RESPONSE`: `simple` or `policy`. @default simple */
  readonly httpApiResponse: 'simple' | 'policy';
  /** `MESHGATE_TOKEN_CACHE_SIZE`: verified tokens kept per warm instance (0 turns the cache off). @default 1000 */
  readonly tokenCacheSize: number;
}

/**
 * Reads and checks the authorizer configuration. Throws `ConfigError` naming the field.
 *
 * @example
 * const config = loadAuthorizerConfig(process.env, routesJson);
 */
export function loadAuthorizerConfig(env: Env, routesJson: unknown): AuthorizerConfig {
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
  });
}
