// What the token exchange is built from: checked and frozen once at cold start by functions/exchange/config.ts.
import type { IssuerConfig } from '../config/issuers';
import type { KeyStoreConfig } from '../keys/key-store-from-env';
import type { RouteTable } from '../routes/route-table';

export interface ExchangeConfig {
  /** config/routes.json: upstreams with their principals, and the declared edges. */
  readonly routes: RouteTable;
  /** `MESHGATE_ASSERTION_ISSUER`: `iss` of every assertion, the subject's included. */
  readonly issuer: string;
  /** `MESHGATE_EXCHANGE_TTL_SECONDS`: longest life of a delegated assertion, 1..300. @default 60 */
  readonly ttlSeconds: number;
  /** `MESHGATE_CLOCK_SKEW_SECONDS`: leeway on the subject's `iat`. @default 30 */
  readonly clockSkewSeconds: number;
  readonly keyStore: KeyStoreConfig;
  /**
   * `MESHGATE_EXCHANGE_ACTOR_TOKENS=true`: actors without a SigV4 identity may authenticate with a
   * client-credentials `actor_token` from one of these issuers (`MESHGATE_ISSUERS`). Undefined: SigV4 only.
   */
  readonly actorTokenIssuers: readonly IssuerConfig[] | undefined;
  /** `MESHGATE_MAX_TOKEN_BYTES` for actor tokens. @default 8192 */
  readonly maxTokenBytes: number;
  /** `MESHGATE_ALLOW_LOOPBACK_HTTP` / local stage: actor-token issuers may serve their JWKS over http on loopback. */
  readonly allowLoopbackHttp?: boolean;
  /** `IS_OFFLINE` (serverless offline): its placeholder IAM caller is no caller. */
  readonly offline: boolean;
}
