// What the ingress is built from: checked and frozen once at cold start by functions/ingress/config.ts.
import type { KeyStoreConfig } from '../keys/key-store-from-env';
import type { RouteTable } from '../routes/route-table';
import type { AssertionSettings } from './assertion-claims';
import type { ReservedHeaders } from './headers';

export interface IngressConfig {
  readonly routes: RouteTable;
  /** `MESHGATE_UPSTREAMS`: base URL of every upstream the route table names. */
  readonly upstreamUrls: ReadonlyMap<string, URL>;
  /** `MESHGATE_ASSERTION_ISSUER`, `MESHGATE_ASSERTION_TTL_SECONDS` (1..300). @default ttl 60 */
  readonly assertion: AssertionSettings;
  /** `MESHGATE_KEY_STORE` (+ `MESHGATE_KEYS_FILE` / `MESHGATE_KEY_SECRET_ID`, `MESHGATE_KEY_CACHE_TTL_MS`). */
  readonly keyStore: KeyStoreConfig;
  readonly allowLoopbackHttp: boolean;
  /** `MESHGATE_RESERVED_HEADERS`: inbound names (or `prefix-*`) never forwarded, beyond `x-identity-*` and `x-verified-*`. */
  readonly reservedHeaders: ReservedHeaders;
  /** `IS_OFFLINE` (serverless offline): refuse what only offline lets a client forge. */
  readonly offline: boolean;
}
