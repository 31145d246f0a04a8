// The JWKS function's configuration, read once: every variable it reads is here.
import { ConfigError } from '../../src/errors';
import { envEnum, envInteger, type Env } from '../../src/config/env';
import type { JwksSourceConfig } from '../../src/keys/jwks-source';
import { readKeyStoreConfig } from '../../src/keys/key-store-from-env';

/**
 * `MESHGATE_KEY_STORE=file` (local stack): the local key set file (`MESHGATE_KEYS_FILE`), refused inside AWS.
 * Otherwise (AWS): the public-JWKS secret `MESHGATE_PUBLIC_JWKS_SECRET_ID`, cached for `MESHGATE_KEY_CACHE_TTL_MS`
 * (default 60 s). `MESHGATE_KEY_SECRET_ID` is never read: the JWKS function cannot serve from the private key set secret.
 * Throws `ConfigError` naming the variable.
 *
 * @example
 * const config = loadJwksConfig({ MESHGATE_PUBLIC_JWKS_SECRET_ID: 'meshgate/prod/public-jwks' });
 */
export function loadJwksConfig(env: Env): JwksSourceConfig {
  if (envEnum(env, 'MESHGATE_KEY_STORE', ['file', 'secrets-manager'] as const, 'secrets-manager') === 'file') {
    const store = readKeyStoreConfig(env);
    if (store.kind === 'file') return store;
  }
  const secretId = env.MESHGATE_PUBLIC_JWKS_SECRET_ID;
  if (secretId === undefined || secretId === '')
    throw new ConfigError('MESHGATE_PUBLIC_JWKS_SECRET_ID', 'is required unless MESHGATE_KEY_STORE is file');
  return { kind: 'public-jwks-secret', secretId, cacheMs: envInteger(env, 'MESHGATE_KEY_CACHE_TTL_MS', 60_000, 0, 3_600_000) };
}
