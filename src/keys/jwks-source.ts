// Where the JWKS function gets the public keys: the public-JWKS secret in AWS, the local key set file for `npm start`.
import { ConfigError } from '../errors';
import { envEnum, envInteger, type Env } from '../config/env';
import { countMetric, logger } from '../observability';
import { CachedSecret, type CachedSecretOptions } from './cached-secret';
import { publicJwks } from './key-set';
import type { KeyStore } from './key-store';
import { keyStoreFromConfig, readKeyStoreConfig } from './key-store-from-env';
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
    this.cache = new CachedSecret(secretId, { what: 'public JWKS', owner: 'SecretsManagerJwksSource', parse, variable: 'MESHGATE_PUBLIC_JWKS_SECRET_ID' }, options);
  }

  load(): Promise<PublicJwks> {
    return this.cache.load();
  }
}

/**
 * The public half of a key store's set (the local stack, where the file holds the whole key set anyway).
 *
 * @example
 * const source = keyStoreJwksSource(new FileKeyStore('.meshgate/keys.json'));
 */
export function keyStoreJwksSource(store: KeyStore): JwksSource {
  return { load: async () => publicJwks(await store.load()) };
}

/**
 * `MESHGATE_KEY_STORE=file` (local stack): the JWKS of the local key set file, as the ingress signs with it.
 * Otherwise (AWS): the public-JWKS secret `MESHGATE_PUBLIC_JWKS_SECRET_ID`, cached for `MESHGATE_KEY_CACHE_TTL_MS`
 * (default 60 s). There is deliberately no way to point the JWKS function at the private key set secret in AWS.
 * Throws `ConfigError` naming the variable.
 *
 * @example
 * const source = jwksSourceFromEnv({ MESHGATE_PUBLIC_JWKS_SECRET_ID: 'meshgate/prod/public-jwks' });
 */
export function jwksSourceFromEnv(env: Env): JwksSource {
  if (envEnum(env, 'MESHGATE_KEY_STORE', ['file', 'secrets-manager'] as const, 'secrets-manager') === 'file') {
    return keyStoreJwksSource(keyStoreFromConfig(readKeyStoreConfig(env)));
  }
  const secretId = env.MESHGATE_PUBLIC_JWKS_SECRET_ID;
  if (secretId === undefined || secretId === '') throw new ConfigError('MESHGATE_PUBLIC_JWKS_SECRET_ID', 'is required unless MESHGATE_KEY_STORE is file');
  return new SecretsManagerJwksSource(secretId, { ttlMs: envInteger(env, 'MESHGATE_KEY_CACHE_TTL_MS', 60_000, 0, 3_600_000) });
}
