// aws-jwt-verify's JwksCache with a maximum age: a held key set past its max age is refreshed in the background, kept
// through failing refreshes for a bounded stale window (RFC 5861 stale-if-error), then refused (fail closed).
import { JwksNotAvailableInCacheError, JwksValidationError, JwtWithoutValidKidError, KidNotFoundInJwksError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { assertIsJwks, SimplePenaltyBox, type Jwks, type JwksCache, type JwkWithKid, type PenaltyBox } from 'aws-jwt-verify/jwk';
import type { DecomposedJwt } from 'aws-jwt-verify/jwt';
import { safeJsonParse } from 'aws-jwt-verify/safe-json-parse';
import { emfCount, logger } from '../observability';

/** How long one JWKS URI's key set is trusted (see `IssuerConfig`). */
export interface JwksFreshness {
  readonly maxAgeSeconds: number;
  readonly staleIfErrorSeconds: number;
}

/** Which key set verified a token: a cached verification holds only while that set is still held and trusted. */
export interface KeySetStamp {
  readonly uri: string;
  readonly generation: number;
}

export interface RefreshingJwksCacheOptions {
  readonly fetcher: Fetcher;
  /** Freshness per JWKS URI; a URI not listed gets the defaults. */
  readonly freshness: ReadonlyMap<string, JwksFreshness>;
  /** Unknown kids: aws-jwt-verify's penalty box. @default SimplePenaltyBox (10 s) */
  readonly penaltyBox?: PenaltyBox;
  /** After a failed fetch, no other fetch of that URI for this long: an unreachable provider is not hammered. @default 10 */
  readonly retryAfterFailureSeconds?: number;
  /** Epoch ms. @default Date.now */
  readonly now?: () => number;
  /** Called when a fetch replaced a held set with different keys (so derived caches can be dropped). */
  readonly onKeySetChanged?: (uri: string, jwks: Jwks) => void;
}

interface HeldKeySet {
  readonly jwks: Jwks;
  readonly byKid: ReadonlyMap<string, JwkWithKid>;
  /** The keys as JSON: equal text, same set (a refresh that changed nothing keeps the generation). */
  readonly keysText: string;
  readonly fetchedAtMs: number;
  readonly generation: number;
}

const DEFAULT_FRESHNESS: JwksFreshness = { maxAgeSeconds: 600, staleIfErrorSeconds: 3600 };

function parseJwks(body: ArrayBuffer): Jwks {
  let jwks: unknown;
  try {
    jwks = safeJsonParse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body));
  } catch (err) {
    throw new JwksValidationError(`JWKS could not be parsed as JSON: ${(err as Error).message}`);
  }
  assertIsJwks(jwks as never);
  return jwks as Jwks;
}

function kidOf(jwt: DecomposedJwt): string {
  const kid = jwt.header.kid;
  if (typeof kid !== 'string') throw new JwtWithoutValidKidError('JWT header does not have valid kid claim');
  return kid;
}

/**
 * A JWKS cache for aws-jwt-verify's `JwtVerifier` that honours a maximum age. A request never waits for the refresh
 * of a set the cache holds: past its max age the set still verifies while one background fetch replaces it. A set
 * older than max age + stale window verifies nothing: requests wait for a fetch and fail with
 * `JwksNotAvailableInCacheError` (`jwks_unavailable`) while the provider stays unreachable. An unknown kid triggers
 * a fetch, rate limited by aws-jwt-verify's penalty box as in `SimpleJwksCache`. Failed fetches are logged and
 * counted (`JwksRefreshFailed`); in Lambda a background fetch runs while the instance handles requests, so one
 * frozen between invocations finishes (or times out and is retried) in the next one, well within the stale window.
 *
 * @example
 * // given: import { JwksFetcher } from './jwks-fetcher';
 * const cache = new RefreshingJwksCache({ fetcher: new JwksFetcher(), freshness: new Map() });
 */
export class RefreshingJwksCache implements JwksCache {
  private readonly held = new Map<string, HeldKeySet>();
  private readonly fetching = new Map<string, Promise<Jwks>>();
  private readonly failedAtMs = new Map<string, number>();
  private readonly fetcher: Fetcher;
  private readonly freshness: ReadonlyMap<string, JwksFreshness>;
  private readonly penaltyBox: PenaltyBox;
  private readonly retryAfterFailureMs: number;
  private readonly now: () => number;
  private readonly onKeySetChanged: ((uri: string, jwks: Jwks) => void) | undefined;
  private generations = 0;

  constructor(options: RefreshingJwksCacheOptions) {
    this.fetcher = options.fetcher;
    this.freshness = options.freshness;
    this.penaltyBox = options.penaltyBox ?? new SimplePenaltyBox();
    this.retryAfterFailureMs = (options.retryAfterFailureSeconds ?? 10) * 1000;
    this.now = options.now ?? Date.now;
    this.onKeySetChanged = options.onKeySetChanged;
  }

  /** Holds `jwks` as fetched at `fetchedAtMs` (a snapshot's fetch time: a seed of that age, never a pin). */
  seed(uri: string, jwks: Jwks, fetchedAtMs: number): void {
    this.hold(uri, jwks, fetchedAtMs);
  }

  /** `JwksCache`: a set handed over explicitly (aws-jwt-verify's `cacheJwks`) counts as fetched now. */
  addJwks(uri: string, jwks: Jwks): void {
    if (this.held.get(uri)?.jwks !== jwks) this.hold(uri, jwks, this.now());
  }

  /** `JwksCache`: fetches the set (one fetch per URI at a time, shared by every caller) and holds it. */
  getJwks(uri: string): Promise<Jwks> {
    let fetching = this.fetching.get(uri);
    if (fetching === undefined) {
      fetching = this.fetchAndHold(uri).finally(() => this.fetching.delete(uri));
      this.fetching.set(uri, fetching);
    }
    return fetching;
  }

  /** `JwksCache`, the synchronous path: the key from a trusted held set, or an error that sends the verifier to {@link getJwk}. */
  getCachedJwk(uri: string, jwt: DecomposedJwt): JwkWithKid {
    const kid = kidOf(jwt);
    const set = this.trustedSet(uri, this.now());
    if (set === undefined) throw new JwksNotAvailableInCacheError(`JWKS for uri ${uri} not yet available in cache`);
    const jwk = set.byKid.get(kid);
    if (jwk === undefined) throw new KidNotFoundInJwksError(`JWK for kid ${kid} not found in the JWKS`);
    return jwk;
  }

  /** `JwksCache`, the asynchronous path: fetches when no trusted set is held or the kid is unknown. */
  async getJwk(uri: string, jwt: DecomposedJwt): Promise<JwkWithKid> {
    const kid = kidOf(jwt);
    const now = this.now();
    const known = this.trustedSet(uri, now)?.byKid.get(kid);
    if (known !== undefined) return known;
    await this.penaltyBox.wait(uri, kid);
    if (!this.fetching.has(uri) && this.inRetryBackoff(uri, now)) {
      throw new JwksNotAvailableInCacheError(
        `JWKS for uri ${uri} unavailable: its last fetch failed, next attempt within ${this.retryAfterFailureMs / 1000} s`,
      );
    }
    await this.getJwks(uri);
    const jwk = this.held.get(uri)?.byKid.get(kid);
    if (jwk === undefined) {
      this.penaltyBox.registerFailedAttempt(uri, kid);
      throw new KidNotFoundInJwksError(`JWK for kid "${kid}" not found in the JWKS`);
    }
    this.penaltyBox.registerSuccessfulAttempt(uri, kid);
    return jwk;
  }

  /** Fetches, in parallel, every listed set not held or past its max age (cold start); never rejects. */
  async refreshDue(uris: readonly string[]): Promise<void> {
    const now = this.now();
    await Promise.allSettled(
      uris.filter((uri) => this.ageMs(uri, now) > this.freshnessOf(uri).maxAgeSeconds * 1000).map((uri) => this.getJwks(uri)),
    );
  }

  /** The set a verification is about to use (undefined when none is held: the stamp then never matches). */
  stamp(uri: string): KeySetStamp {
    return { uri, generation: this.held.get(uri)?.generation ?? -1 };
  }

  /** Whether the set behind `stamp` is still the one held and still trusted (a refresh that changed keys says no). */
  stillTrusts(stamp: KeySetStamp): boolean {
    return this.trustedSet(stamp.uri, this.now())?.generation === stamp.generation;
  }

  private freshnessOf(uri: string): JwksFreshness {
    return this.freshness.get(uri) ?? DEFAULT_FRESHNESS;
  }

  private ageMs(uri: string, now: number): number {
    const set = this.held.get(uri);
    return set === undefined ? Number.POSITIVE_INFINITY : now - set.fetchedAtMs;
  }

  /** The held set if it may still verify; past its max age this also starts the background refresh. */
  private trustedSet(uri: string, now: number): HeldKeySet | undefined {
    const set = this.held.get(uri);
    if (set === undefined) return undefined;
    const age = now - set.fetchedAtMs;
    const { maxAgeSeconds, staleIfErrorSeconds } = this.freshnessOf(uri);
    if (age <= maxAgeSeconds * 1000) return set;
    if (!this.fetching.has(uri) && !this.inRetryBackoff(uri, now)) void this.getJwks(uri).catch(() => undefined);
    return age <= (maxAgeSeconds + staleIfErrorSeconds) * 1000 ? set : undefined;
  }

  private inRetryBackoff(uri: string, now: number): boolean {
    const failed = this.failedAtMs.get(uri);
    return failed !== undefined && now - failed < this.retryAfterFailureMs;
  }

  private async fetchAndHold(uri: string): Promise<Jwks> {
    try {
      const jwks = parseJwks(await this.fetcher.fetch(uri));
      this.failedAtMs.delete(uri);
      this.hold(uri, jwks, this.now());
      return jwks;
    } catch (err) {
      const now = this.now();
      this.failedAtMs.set(uri, now);
      const trusted = this.trustedSet(uri, now) !== undefined;
      const age = this.ageMs(uri, now);
      // Never the body: only the URI, the error and what is still served.
      const fields = {
        jwksUri: uri,
        error: (err as Error).message,
        heldSetAgeSeconds: Number.isFinite(age) ? Math.round(age / 1000) : undefined,
        serving: trusted ? 'last good key set (stale-if-error)' : 'nothing: tokens of this issuer are refused (jwks_unavailable)',
        ...emfCount('JwksRefreshFailed'),
      };
      if (trusted) logger.warn('jwks refresh failed', fields);
      else logger.error('jwks refresh failed', fields);
      throw err;
    }
  }

  private hold(uri: string, jwks: Jwks, fetchedAtMs: number): void {
    const previous = this.held.get(uri);
    const keysText = JSON.stringify(jwks.keys);
    const changed = previous !== undefined && previous.keysText !== keysText;
    const byKid = new Map<string, JwkWithKid>();
    for (const jwk of jwks.keys) if (typeof jwk.kid === 'string' && !byKid.has(jwk.kid)) byKid.set(jwk.kid, jwk as JwkWithKid);
    const generation = previous !== undefined && !changed ? previous.generation : ++this.generations;
    this.held.set(uri, { jwks, byKid, keysText, fetchedAtMs, generation });
    if (changed) {
      const kids = (set: ReadonlyMap<string, unknown>) => [...set.keys()];
      logger.info('jwks key set changed', {
        jwksUri: uri,
        addedKids: kids(byKid).filter((k) => !previous.byKid.has(k)),
        removedKids: kids(previous.byKid).filter((k) => !byKid.has(k)),
      });
      this.onKeySetChanged?.(uri, jwks);
    }
  }
}
