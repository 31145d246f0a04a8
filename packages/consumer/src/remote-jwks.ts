// The JWKS of the configured URI only: cached, concurrent fetches coalesced, unknown kids refetched at most once per cooldown.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { AssertionError, invalid } from './errors.js';
import { httpGet } from './http-get.js';

export interface RemoteJwksOptions {
  readonly jwksUri: string;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly cacheMaxAgeMs: number;
  readonly cooldownMs: number;
  readonly maxStaleMs: number;
  readonly ca?: string | readonly string[];
  readonly now: () => number;
  readonly onFetch?: (event: JwksFetchEvent) => void;
}

/** Reported after every fetch attempt, for the service's own logs and metrics. Never holds key material. */
export interface JwksFetchEvent {
  readonly jwksUri: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly kids?: readonly string[];
  readonly error?: string;
}

const MAX_KEYS = 100;

/** Public ES256 keys by kid. Only the public members are read: a stray `d` is never passed to node:crypto. */
export function parseJwks(body: Buffer): Map<string, KeyObject> {
  const value = JSON.parse(body.toString('utf8')) as unknown;
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new Error('JWKS has no keys array');
  const map = new Map<string, KeyObject>();
  for (const jwk of keys.slice(0, MAX_KEYS)) {
    // Object() turns a null or primitive entry into an object with none of these members, skipped below.
    const { kty, crv, x, y, kid, alg, use } = Object(jwk) as Record<string, unknown>;
    // RFC 7517 §5: ignore keys we do not understand rather than failing the whole set.
    if (kty !== 'EC' || crv !== 'P-256' || typeof kid !== 'string') continue;
    if ((alg !== undefined && alg !== 'ES256') || (use !== undefined && use !== 'sig') || map.has(kid)) continue;
    try {
      map.set(kid, createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: x as string, y: y as string }, format: 'jwk' }));
    } catch {
      // coordinates missing, not strings, or not a point on the curve: skip it, as above
    }
  }
  return map;
}

/**
 * Keeps the JWKS of one URI. A token can only pick a `kid` from it, never a URL.
 *
 * @example
 * // given: declare const jwksUri: string, unverifiedHeader: { readonly kid: string };
 * const jwks = new RemoteJwks({ jwksUri, timeoutMs: 1500, maxBytes: 65536, cacheMaxAgeMs: 300_000, cooldownMs: 30_000, maxStaleMs: 3_600_000, now: Date.now });
 * const key = await jwks.key(unverifiedHeader.kid);
 */
export class RemoteJwks {
  private cached: { readonly keys: Map<string, KeyObject>; readonly fetchedAt: number } | undefined;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<Map<string, KeyObject> | undefined> | undefined;

  constructor(private readonly options: RemoteJwksOptions) {}

  async key(kid: string): Promise<KeyObject> {
    const known = (await this.fresh()).get(kid);
    if (known !== undefined) return known;
    // An unknown kid costs at most one fetch per cooldown, however many tokens carry made-up kids.
    if (this.inflight === undefined && this.options.now() - this.attemptedAt < this.options.cooldownMs) throw kidUnknown();
    const fetched = await this.refresh();
    if (fetched === undefined) throw unavailable();
    const key = fetched.get(kid);
    if (key === undefined) throw kidUnknown();
    return key;
  }

  /** The keys to look in: cached while young, refetched when old, stale (for a while) while refetching fails. */
  private async fresh(): Promise<Map<string, KeyObject>> {
    const now = this.options.now();
    const { cached } = this;
    if (cached !== undefined && now - cached.fetchedAt < this.options.cacheMaxAgeMs) return cached.keys;
    // After a failed refresh, serve the stale set until the cooldown ends instead of hammering a failing endpoint.
    const coolingDown = this.inflight === undefined && now - this.attemptedAt < this.options.cooldownMs;
    const fetched = coolingDown ? undefined : await this.refresh();
    if (fetched !== undefined) return fetched;
    if (cached === undefined || now - cached.fetchedAt >= this.options.cacheMaxAgeMs + this.options.maxStaleMs) throw unavailable();
    return cached.keys;
  }

  /** Joins the fetch in flight or starts one; resolves the keys it fetched, or undefined when it failed. */
  private refresh(): Promise<Map<string, KeyObject> | undefined> {
    this.inflight ??= this.fetchOnce().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchOnce(): Promise<Map<string, KeyObject> | undefined> {
    const { jwksUri, timeoutMs, maxBytes, ca, now, onFetch } = this.options;
    const started = now();
    this.attemptedAt = started;
    try {
      const keys = parseJwks(await httpGet(jwksUri, { timeoutMs, maxBytes, ca }));
      this.cached = { keys, fetchedAt: now() };
      onFetch?.({ jwksUri, ok: true, ms: now() - started, kids: [...keys.keys()] });
      return keys;
    } catch (err) {
      onFetch?.({ jwksUri, ok: false, ms: now() - started, error: (err as Error).message });
      return undefined;
    }
  }
}

const kidUnknown = (): AssertionError => invalid('kid_unknown', 'no key with this kid in the JWKS');
const unavailable = (): AssertionError => new AssertionError('jwks_unavailable', 'jwks_unavailable', 'the JWKS could not be fetched');
