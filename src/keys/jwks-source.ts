// Where the JWKS function gets the public keys: the public-JWKS secret in AWS, the local key set file for `npm start`.
import { countMetric, logger } from '../observability';
import { CachedSecret, type CachedSecretOptions } from './cached-secret';
import { publicJwks } from './key-set';
import type { KeyStore } from './key-store';
import { keyStoreFromConfig, type KeyStoreConfig } from './key-store-from-env';
import { isPrivateMaterialError, parsePublicJwks, type PublicJwks } from './public-jwks';

export interface JwksSource {
  /** The JWKS in force: public members only. Adapters may cache it briefly. */
  load(): Promise<PublicJwks>;
}

/**
 * Reads the public JWKS that rotation publishes (`AWSCURRENT` of the public-JWKS secret), so the public endpoint's
 * role never needs read access to the private signing keys. Same TTL, stale window and single-flight as
 * `SecretsManagerKeyStore`. A value holding any private member is refused (never served), logged as an incident
 * without the value, and counted as `JwksPrivateMaterialRefused`.
 *
 * @example
 * const source = new SecretsManagerJwksSource('meshgate/prod/public-jwks', { ttlMs: 60_000 });
 * const jwks = await source.load();
 */
export class SecretsManagerJwksSource implements JwksSource {
  private readonly cache: CachedSecret<PublicJwks>;

  constructor(secretId: string, options: CachedSecretOptions = {}) {
    const parse = (text: string): PublicJwks => {
      try {
        return parsePublicJwks(text);
      } catch (err) {
        if (isPrivateMaterialError(err)) {
          logger.error('public JWKS secret holds private key material; refusing to serve it', { secretId, reason: (err as Error).message });
          countMetric('JwksPrivateMaterialRefused');
        }
        throw err;
      }
    };
    this.cache = new CachedSecret(
      secretId,
      { what: 'public JWKS', owner: 'SecretsManagerJwksSource', parse, variable: 'MESHGATE_PUBLIC_JWKS_SECRET_ID' },
      options,
    );
  }

  load(): Promise<PublicJwks> {
    return this.cache.load();
  }
}

/**
 * The public half of a key store's set (the local stack, where the file holds the whole key set anyway).
 *
 * @example
 * // given: import { FileKeyStore } from './key-store-file';
 * const source = keyStoreJwksSource(new FileKeyStore('.meshgate/keys.json'));
 */
export function keyStoreJwksSource(store: KeyStore): JwksSource {
  return { load: async () => publicJwks(await store.load()) };
}

/**
 * Where the JWKS function reads keys, as functions/jwks/config.ts loads it at cold start: the local key set file
 * (`MESHGATE_KEY_STORE=file`, the local stack), or the public-JWKS secret (AWS). There is deliberately no variant for
 * the private key set secret: the JWKS function cannot be pointed at it.
 */
export type JwksSourceConfig =
  Extract<KeyStoreConfig, { kind: 'file' }> | { readonly kind: 'public-jwks-secret'; readonly secretId: string; readonly cacheMs: number };

/**
 * The file's JWKS, as the ingress signs with it (local stack), or the public-JWKS secret cached for `cacheMs` (AWS).
 *
 * @example
 * const source = jwksSourceFromConfig({ kind: 'public-jwks-secret', secretId: 'meshgate/prod/public-jwks', cacheMs: 60_000 });
 */
export function jwksSourceFromConfig(config: JwksSourceConfig): JwksSource {
  if (config.kind === 'file') return keyStoreJwksSource(keyStoreFromConfig(config));
  return new SecretsManagerJwksSource(config.secretId, { ttlMs: config.cacheMs });
}
