// What the authorizer is built from: checked and frozen once at cold start by functions/authorizer/config.ts.
import type { IssuerConfig } from '../config/issuers';
import type { RouteTable } from '../routes/route-table';
import type { JwksSnapshot } from './jwks-snapshot';

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
  /** config/jwks-snapshot.json as `meshgate snapshot-jwks` writes it: each issuer's JWKS and when it was fetched. */
  readonly jwksSnapshot: JwksSnapshot;
}
