// One secret's AWSCURRENT value, parsed and cached with a TTL and a bounded stale window (key store and public JWKS).
import { MeshgateError, isMeshgateError } from '../errors';
import { logger, traced } from '../observability';
import type { SecretReader } from './secret-reader';
import { httpSecretReader } from './secrets-manager-http';

export interface CachedSecretOptions {
  /**
   * How Secrets Manager is read. @default `httpSecretReader()`: one SigV4-signed request with the SDK's standard retry
   * (3 attempts), so the request path loads no SDK; `sdkSecretReader(client)` reads through an SDK client instead.
   */
  reader?: SecretReader;
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
  /** The variable that names this secret, for the "secret not found" message. @default 'the secret id' */
  readonly variable?: string;
}

/**
 * Reads `AWSCURRENT` of one secret and keeps the parsed value for `ttlMs`. Concurrent loads on a cold or expired
 * cache share one `GetSecretValue`. When a refresh fails (throttling, an outage, a value `parse` refuses) the cached
 * value is served for up to `maxStaleMs` past its TTL, retried at most every `retryAfterMs`, and the failure logged;
 * with nothing servable it throws `key_set_empty` (no value yet), `key_secret_not_found`, `secrets_manager_unreachable`
 * or `key_set_unavailable`, each with a message saying what to do. Logs name the secret and the reason, never the value.
 *
 * @example
 * // given: import { parseKeySet } from './key-set';
 * const cache = new CachedSecret('meshgate/prod/signing-keys', { what: 'key set', owner: 'SecretsManagerKeyStore', parse: parseKeySet });
 * const set = await cache.load();
 */
export class CachedSecret<T> {
  private readonly reader: SecretReader;
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
    this.reader = options.reader ?? httpSecretReader();
    this.now = options.now ?? Date.now;
  }

  async load(): Promise<T> {
    const now = this.now();
    if (this.cached && now - this.cached.fetchedAtMs < this.ttlMs) return this.cached.value;
    if (this.cached && now < this.nextAttemptAtMs && this.isServable(this.cached, now)) return this.cached.value;
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private isServable(cached: { fetchedAtMs: number }, now: number): boolean {
    return now - cached.fetchedAtMs < this.ttlMs + this.maxStaleMs;
  }

  private async refresh(): Promise<T> {
    const { what } = this.spec;
    try {
      const text = await traced('### secretsmanager GetSecretValue', () => this.reader.getSecretString(this.secretId, 'AWSCURRENT'));
      if (text === undefined || text.trim() === '') throw this.emptySecret();
      const value = this.spec.parse(text);
      this.cached = { value, fetchedAtMs: this.now() };
      return value;
    } catch (err) {
      const now = this.now();
      const reason = (err as Error).name === 'MeshgateError' ? (err as Error).message : (err as Error).name;
      if (this.cached && this.isServable(this.cached, now)) {
        this.nextAttemptAtMs = now + this.retryAfterMs;
        logger.warn(`${what} refresh failed; serving the cached ${what}`, {
          secretId: this.secretId,
          reason,
          staleForMs: now - this.cached.fetchedAtMs - this.ttlMs,
        });
        return this.cached.value;
      }
      const failure = await this.explain(err);
      logger.error(`${what} unavailable`, { secretId: this.secretId, code: failure.code, reason: failure.message });
      throw failure;
    }
  }

  private emptySecret(): MeshgateError {
    return new MeshgateError(
      'key_set_empty',
      `secret ${this.secretId} exists but has no value yet: run the first rotation (npx meshgate rotate --secret-id ${this.secretId})`,
      {
        details: { secretId: this.secretId },
      },
    );
  }

  /**
   * Turns a failed read into the error an operator can act on: no value yet (run the first rotation), no such secret
   * (check the variable), no answer from Secrets Manager (the network error's message), or `key_set_unavailable` for the rest.
   * GetSecretValue answers ResourceNotFoundException both for a missing secret and for one with no AWSCURRENT
   * version; DescribeSecret tells them apart.
   */
  private async explain(err: unknown): Promise<MeshgateError> {
    const { what } = this.spec;
    if (isMeshgateError(err)) {
      return err.code === 'key_set_empty'
        ? err
        : new MeshgateError('key_set_unavailable', `cannot read the ${what} from Secrets Manager (${err.message})`, { cause: err });
    }
    const e = err as Error & { $metadata?: { httpStatusCode?: number } };
    const details = { secretId: this.secretId };
    if (e.name === 'ResourceNotFoundException') {
      const variable = this.spec.variable ?? 'the secret id';
      try {
        await traced('### secretsmanager DescribeSecret', () => this.reader.describeSecret(this.secretId));
        return this.emptySecret();
      } catch (describeErr) {
        if ((describeErr as Error).name === 'ResourceNotFoundException') {
          return new MeshgateError('key_secret_not_found', `secret ${this.secretId} not found: check ${variable} (and the Region)`, {
            cause: err,
            details,
          });
        }
        return new MeshgateError(
          'key_secret_not_found',
          `secret ${this.secretId} not found, or it has no value yet: check ${variable}, or run the first rotation`,
          { cause: err, details },
        );
      }
    }
    // No HTTP answer at all (DNS, refused or reset connection, timeout): the network path to Secrets Manager.
    if (e.$metadata?.httpStatusCode === undefined && e.name !== 'CredentialsProviderError') {
      return new MeshgateError('secrets_manager_unreachable', `cannot reach Secrets Manager: ${e.message || e.name}`, {
        cause: err,
        details,
      });
    }
    return new MeshgateError('key_set_unavailable', `cannot read the ${what} from Secrets Manager (${e.name}: ${e.message})`, {
      cause: err,
      details,
    });
  }
}
