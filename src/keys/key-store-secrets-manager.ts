// The AWS KeyStore: the signing key set staged AWSCURRENT in Secrets Manager, cached briefly in memory.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MeshgateError } from '../errors';
import { logger, traced } from '../observability';
import { parseKeySet, type SigningKeySet } from './key-set';
import type { KeyStore } from './key-store';

export interface SecretsManagerKeyStoreOptions {
  /** @default a SecretsManagerClient with the SDK's standard retry (3 attempts) */
  client?: SecretsManagerClient;
  /** How long a fetched key set is used before it is read again; bounds how late a warm Lambda sees a rotation. @default 60_000 */
  ttlMs?: number;
  /** How long past its TTL a cached key set may still be served while Secrets Manager cannot be read. @default 10 × ttlMs */
  maxStaleMs?: number;
  /** After a failed read, how long to serve the stale set before trying again (no request storm on a throttled API). @default min(ttlMs, 5_000) */
  retryAfterMs?: number;
  /** Clock in epoch milliseconds; tests inject one. @default Date.now */
  now?: () => number;
}

/**
 * Reads the key set from Secrets Manager (`AWSCURRENT`) with a short in-memory cache, so every warm Lambda picks up a
 * rotated key within one TTL. When a refresh fails (throttling, an outage, a bad value) it keeps signing with the
 * cached set for a bounded stale window and logs it; with nothing cached it throws `key_set_unavailable`.
 *
 * @example
 * const store = new SecretsManagerKeyStore(process.env.MESHGATE_KEY_SECRET_ID!, { ttlMs: 60_000 });
 * const keys = await store.load();
 */
export class SecretsManagerKeyStore implements KeyStore {
  private readonly client: SecretsManagerClient;
  private readonly ttlMs: number;
  private readonly maxStaleMs: number;
  private readonly retryAfterMs: number;
  private readonly now: () => number;
  private cached: { set: SigningKeySet; fetchedAtMs: number } | undefined;
  private nextAttemptAtMs = 0;
  private inflight: Promise<SigningKeySet> | undefined;

  constructor(
    private readonly secretId: string,
    options: SecretsManagerKeyStoreOptions = {},
  ) {
    if (secretId === '') throw new TypeError('SecretsManagerKeyStore: secretId must not be empty');
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxStaleMs = options.maxStaleMs ?? 10 * this.ttlMs;
    this.retryAfterMs = options.retryAfterMs ?? Math.min(this.ttlMs, 5_000);
    for (const [name, v] of Object.entries({ ttlMs: this.ttlMs, maxStaleMs: this.maxStaleMs, retryAfterMs: this.retryAfterMs })) {
      if (!Number.isFinite(v) || v < 0) throw new TypeError(`SecretsManagerKeyStore: ${name} must be a non-negative number`);
    }
    this.client = options.client ?? new SecretsManagerClient({});
    this.now = options.now ?? Date.now;
  }

  async load(): Promise<SigningKeySet> {
    const now = this.now();
    if (this.cached && now - this.cached.fetchedAtMs < this.ttlMs) return this.cached.set;
    if (this.cached && now < this.nextAttemptAtMs && this.isServable(now)) return this.cached.set;
    // Concurrent requests on a cold or expired cache share one GetSecretValue.
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private isServable(now: number): boolean {
    return this.cached !== undefined && now - this.cached.fetchedAtMs < this.ttlMs + this.maxStaleMs;
  }

  private async refresh(): Promise<SigningKeySet> {
    try {
      const out = await traced('### secretsmanager GetSecretValue', () =>
        this.client.send(new GetSecretValueCommand({ SecretId: this.secretId, VersionStage: 'AWSCURRENT' })),
      );
      const set = parseKeySet(out.SecretString ?? '');
      this.cached = { set, fetchedAtMs: this.now() };
      return set;
    } catch (err) {
      const now = this.now();
      const reason = (err as Error).name === 'MeshgateError' ? (err as Error).message : (err as Error).name;
      if (this.cached && this.isServable(now)) {
        this.nextAttemptAtMs = now + this.retryAfterMs;
        logger.warn('key set refresh failed; serving the cached key set', { secretId: this.secretId, reason, staleForMs: now - this.cached.fetchedAtMs - this.ttlMs });
        return this.cached.set;
      }
      logger.error('key set unavailable', { secretId: this.secretId, reason });
      throw new MeshgateError('key_set_unavailable', `cannot read the signing key set from Secrets Manager (${reason})`, { cause: err });
    }
  }
}
