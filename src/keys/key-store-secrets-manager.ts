// The AWS KeyStore: the signing key set staged AWSCURRENT in Secrets Manager, cached briefly in memory.
import { CachedSecret, type CachedSecretOptions } from './cached-secret';
import { parseKeySet, type SigningKeySet } from './key-set';
import type { KeyStore } from './key-store';

/** TTL, stale window, retry pacing and clock: see `CachedSecretOptions`. */
export type SecretsManagerKeyStoreOptions = CachedSecretOptions;

/**
 * Reads the key set from Secrets Manager (`AWSCURRENT`) with a short in-memory cache, so every warm Lambda picks up a
 * rotated key within one TTL. When a refresh fails (throttling, an outage, a bad value) it keeps signing with the
 * cached set for a bounded stale window and logs it; with nothing cached it throws `key_set_empty` (no value yet: run
 * the first rotation), `key_secret_not_found` (check MESHGATE_KEY_SECRET_ID), `secrets_manager_unreachable` or
 * `key_set_unavailable`; all answer 503.
 *
 * @example
 * const store = new SecretsManagerKeyStore(process.env.MESHGATE_KEY_SECRET_ID!, { ttlMs: 60_000 });
 * const keys = await store.load();
 */
export class SecretsManagerKeyStore implements KeyStore {
  private readonly cache: CachedSecret<SigningKeySet>;

  constructor(secretId: string, options: SecretsManagerKeyStoreOptions = {}) {
    this.cache = new CachedSecret(
      secretId,
      { what: 'key set', owner: 'SecretsManagerKeyStore', parse: parseKeySet, variable: 'MESHGATE_KEY_SECRET_ID' },
      options,
    );
  }

  load(): Promise<SigningKeySet> {
    return this.cache.load();
  }
}
