// One secret's AWSCURRENT value, parsed and cached with a TTL and a bounded stale window (key store and public JWKS).
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MeshgateError } from '../errors';
import { logger, traced } from '../observability';

export interface CachedSecretOptions {
  /** @default a SecretsManagerClient with the SDK's standard retry (3 attempts) */
  client?: SecretsManagerClient;
  /** How long a fetched value is used before it is read again; bounds how late a warm Lambda sees a rotation. @default 60_000 */
  ttlMs?: number;
  /** How long past its TTL a cached value may still be served while Secrets Manager cannot be read. @default 10 × ttlMs */
  maxStaleMs?: number;
  /** After a failed read, how long to serve the stale value before trying again (no request storm on a throttled API). @default min(ttlMs, 5_000) */
  retryAfterMs?: number;
  /** Clock in epoch milliseconds; tests inject one. @default Date.now */
  now?: () => number;
}

/** What is cached and how it is named in logs and errors; `parse` throws (a MeshgateError, without the value) on a bad value. */
export interface CachedSecretSpec<T> {
  /** Names the value in logs and errors, e.g. `key set`; also the owner named in option errors. */
  readonly what: string;
  readonly owner: string;
  readonly parse: (secretString: string) => T;
}

/**
 * Reads `AWSCURRENT` of one secret and keeps the parsed value for `ttlMs`. Concurrent loads on a cold or expired
 * cache share one `GetSecretValue`. When a refresh fails (throttling, an outage, a value `parse` refuses) the cached
 * value is served for up to `maxStaleMs` past its TTL, retried at most every `retryAfterMs`, and the failure logged;
 * with nothing servable it throws `key_set_unavailable`. Logs name the secret and the reason, never the value.
 *
 * @example
 * const cache = new CachedSecret('meshgate/prod/signing-keys', { what: 'key set', owner: 'SecretsManagerKeyStore', parse: parseKeySet });
 * const set = await cache.load();
 */
export class CachedSecret<T> {
  private readonly client: SecretsManagerClient;
  private readonly ttlMs: number;
  private readonly maxStaleMs: number;
  private readonly retryAfterMs: number;
  private readonly now: () => number;
  private cached: { value: T; fetchedAtMs: number } | undefined;
  private nextAttemptAtMs = 0;
  private inflight: Promise<T> | undefined;

  constructor(
    private readonly secretId: string,
    private readonly spec: CachedSecretSpec<T>,
    options: CachedSecretOptions = {},
  ) {
    if (secretId === '') throw new TypeError(`${spec.owner}: secretId must not be empty`);
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxStaleMs = options.maxStaleMs ?? 10 * this.ttlMs;
    this.retryAfterMs = options.retryAfterMs ?? Math.min(this.ttlMs, 5_000);
    for (const [name, v] of Object.entries({ ttlMs: this.ttlMs, maxStaleMs: this.maxStaleMs, retryAfterMs: this.retryAfterMs })) {
      if (!Number.isFinite(v) || v < 0) throw new TypeError(`${spec.owner}: ${name} must be a non-negative number`);
    }
    this.client = options.client ?? new SecretsManagerClient({});
    this.now = options.now ?? Date.now;
  }

  async load(): Promise<T> {
    const now = this.now();
    if (this.cached && now - this.cached.fetchedAtMs < this.ttlMs) return this.cached.value;
    if (this.cached && now < this.nextAttemptAtMs && this.isServable(now)) return this.cached.value;
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private isServable(now: number): boolean {
    return this.cached !== undefined && now - this.cached.fetchedAtMs < this.ttlMs + this.maxStaleMs;
  }

  private async refresh(): Promise<T> {
    const { what } = this.spec;
    try {
      const out = await traced('### secretsmanager GetSecretValue', () =>
        this.client.send(new GetSecretValueCommand({ SecretId: this.secretId, VersionStage: 'AWSCURRENT' })),
      );
      const value = this.spec.parse(out.SecretString ?? '');
      this.cached = { value, fetchedAtMs: this.now() };
      return value;
    } catch (err) {
      const now = this.now();
      const reason = (err as Error).name === 'MeshgateError' ? (err as Error).message : (err as Error).name;
      if (this.cached && this.isServable(now)) {
        this.nextAttemptAtMs = now + this.retryAfterMs;
        logger.warn(`${what} refresh failed; serving the cached ${what}`, { secretId: this.secretId, reason, staleForMs: now - this.cached.fetchedAtMs - this.ttlMs });
        return this.cached.value;
      }
      logger.error(`${what} unavailable`, { secretId: this.secretId, reason });
      throw new MeshgateError('key_set_unavailable', `cannot read the ${what} from Secrets Manager (${reason})`, { cause: err });
    }
  }
}
