// Picks the KeyStore adapter the environment names: Secrets Manager in AWS, the local file for `npm start`.
import { ConfigError } from '../errors';
import { envEnum, envInteger, runningInAws, type Env } from '../config/env';
import { DEFAULT_LOCAL_KEYS_FILE, FileKeyStore } from './key-store-file';
import type { KeyStore } from './key-store';
import { SecretsManagerKeyStore } from './key-store-secrets-manager';

export type KeyStoreConfig =
  | { readonly kind: 'file'; readonly path: string; readonly cacheMs: number }
  | { readonly kind: 'secrets-manager'; readonly secretId: string; readonly cacheMs: number };

/**
 * Reads `MESHGATE_KEY_STORE` (`secrets-manager` by default, or `file`), then `MESHGATE_KEY_SECRET_ID` or
 * `MESHGATE_KEYS_FILE`, and `MESHGATE_KEY_CACHE_TTL_MS` (default 60 s for Secrets Manager, 1 s for the file).
 * The file store is refused inside AWS. Throws `ConfigError` naming the variable.
 *
 * @example
 * const config = readKeyStoreConfig({ MESHGATE_KEY_STORE: 'file', MESHGATE_KEYS_FILE: '.meshgate/keys.json' });
 */
export function readKeyStoreConfig(env: Env): KeyStoreConfig {
  const kind = envEnum(env, 'MESHGATE_KEY_STORE', ['file', 'secrets-manager'] as const, 'secrets-manager');
  if (kind === 'file') {
    if (runningInAws(env)) throw new ConfigError('MESHGATE_KEY_STORE', 'file is for the local stack; use secrets-manager in AWS');
    return {
      kind,
      path: env.MESHGATE_KEYS_FILE || DEFAULT_LOCAL_KEYS_FILE,
      cacheMs: envInteger(env, 'MESHGATE_KEY_CACHE_TTL_MS', 1000, 0, 3_600_000),
    };
  }
  const secretId = env.MESHGATE_KEY_SECRET_ID;
  if (secretId === undefined || secretId === '')
    throw new ConfigError('MESHGATE_KEY_SECRET_ID', 'is required when MESHGATE_KEY_STORE is secrets-manager');
  return { kind, secretId, cacheMs: envInteger(env, 'MESHGATE_KEY_CACHE_TTL_MS', 60_000, 0, 3_600_000) };
}

/** Builds the key store for a checked configuration (the ingress; the JWKS function's local path). */
export function keyStoreFromConfig(config: KeyStoreConfig): KeyStore {
  return config.kind === 'file'
    ? new FileKeyStore(config.path, config.cacheMs)
    : new SecretsManagerKeyStore(config.secretId, { ttlMs: config.cacheMs });
}
