// The claims of the identity assertion for one forwarded request, and the key set it is signed with.
import type { VerifiedIdentity } from '../auth/identity';
import { isMeshgateError, MeshgateError } from '../errors';
import { bodyDigest, MAX_ASSERTION_TTL_SECONDS, requestHash } from '@meshgate/consumer';
import { newJti, type AssertionClaims } from '../keys/assertion';
import type { KeyStore } from '../keys/key-store';
import type { SigningKeySet } from '../keys/key-set';

export interface AssertionSettings {
  /** meshgate's issuer URL (`iss`); consumers pin it. */
  readonly issuer: string;
  /** Lifetime, 1..300 seconds. */
  readonly ttlSeconds: number;
}

export interface AssertionTarget {
  /** `aud`: the route's upstream audience. */
  readonly audience: string;
  readonly method: string;
  /** The path exactly as the upstream receives it (base path included, query excluded). */
  readonly upstreamPath: string;
  /** {@link canonicalQuery} of the validated query pairs. */
  readonly canonicalQuery: string;
  /** The body bytes exactly as forwarded. */
  readonly body: Buffer | undefined;
}

/**
 * Builds the claims for one request. `exp` is at most `ttlSeconds` (never over 5 minutes) after `iat`, and never
 * later than the credential it vouches for; `req` binds the assertion to the method, upstream path and query, and
 * `body_sha256` to the forwarded body; `txn` is its own `jti` (the transaction delegated assertions carry on).
 *
 * @example
 * // given: declare const identity: VerifiedIdentity, settings: AssertionSettings, nowSeconds: number;
 * const target = { audience: 'orders', method: 'GET', upstreamPath: '/orders/1', canonicalQuery: 'expand=items', body: undefined };
 * const claims = assertionClaims(identity, target, settings, nowSeconds);
 */
export function assertionClaims(
  identity: VerifiedIdentity,
  target: AssertionTarget,
  settings: AssertionSettings,
  nowSeconds: number,
): AssertionClaims {
  const ttl = Math.min(Math.max(1, settings.ttlSeconds), MAX_ASSERTION_TTL_SECONDS);
  const exp = identity.exp > 0 ? Math.min(nowSeconds + ttl, Math.max(identity.exp, nowSeconds + 1)) : nowSeconds + ttl;
  const jti = newJti();
  return {
    iss: settings.issuer,
    aud: target.audience,
    sub: identity.sub,
    type: identity.type,
    scope: identity.scopes.join(' '),
    groups: [...identity.groups],
    ...(identity.tenant === undefined ? {} : { tenant: identity.tenant }),
    ...(identity.clientId === undefined ? {} : { client_id: identity.clientId }),
    src_iss: identity.iss,
    iat: nowSeconds,
    exp,
    jti,
    req: requestHash(target.method, target.upstreamPath, target.canonicalQuery),
    body_sha256: bodyDigest(target.body),
    // Hop 0 starts the transaction: every delegated assertion minted from this one carries the same txn.
    txn: jti,
  };
}

/**
 * Loads the key set in force. A store failure keeps the store's own code (503), anything else becomes
 * `key_set_unavailable` (503).
 *
 * @example
 * // given: declare const keyStore: KeyStore;
 * const keySet = await loadKeySet(keyStore);
 */
export async function loadKeySet(store: KeyStore): Promise<SigningKeySet> {
  try {
    return await store.load();
  } catch (err) {
    // The store's own codes say what an operator should do (key_set_empty: run the first rotation, …).
    if (isMeshgateError(err)) throw err;
    throw new MeshgateError('key_set_unavailable', 'the signing key set could not be loaded', { cause: err });
  }
}
