// RefreshingJwksCache on its own: an identity provider as an injected Fetcher (its answers, failures and call count
// under the test's control) and a clock the test sets, so freshness boundaries are exact to the millisecond.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  FetchError,
  JwksNotAvailableInCacheError,
  JwksValidationError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import type { Jwks, PenaltyBox } from 'aws-jwt-verify/jwk';
import type { DecomposedJwt } from 'aws-jwt-verify/jwt';
import { RefreshingJwksCache, type JwksFreshness, type RefreshingJwksCacheOptions } from '../../src/auth/jwks-cache';
import { captureLogs, type LogCapture } from '../support/logs';

const URI = 'https://idp.example.com/.well-known/jwks.json';
const T0 = 1_800_000_000_000;

const jwk = (kid: string, x = `x-${kid}`) => ({ kty: 'EC', crv: 'P-256', kid, x, y: `y-${kid}` });
const jwksOf = (...keys: Record<string, string>[]): Jwks => ({ keys }) as unknown as Jwks;
const jwtWithKid = (kid?: string) =>
  ({ header: { alg: 'ES256', ...(kid === undefined ? {} : { kid }) }, payload: {} }) as unknown as DecomposedJwt;

/** The provider: answers with `body` (a key set, or raw bytes), or fails while `down`. */
class FakeIdp implements Fetcher {
  calls = 0;
  down = false;
  body: Jwks | Uint8Array = jwksOf(jwk('k1'));

  fetch(uri: string): Promise<ArrayBuffer> {
    this.calls++;
    if (this.down) return Promise.reject(new FetchError(uri, 'connection refused'));
    const bytes = this.body instanceof Uint8Array ? this.body : new TextEncoder().encode(JSON.stringify(this.body));
    return Promise.resolve(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  }
}

/** Lets a background fetch the cache started settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Class: RefreshingJwksCache', () => {
  let idp: FakeIdp;
  let clock: number;
  let logs: LogCapture;

  const cacheWith = (options: Partial<RefreshingJwksCacheOptions> = {}) =>
    new RefreshingJwksCache({ fetcher: idp, freshness: new Map(), now: () => clock, ...options });
  const freshness = (maxAgeSeconds: number, staleIfErrorSeconds: number) =>
    new Map<string, JwksFreshness>([[URI, { maxAgeSeconds, staleIfErrorSeconds }]]);

  beforeEach(() => {
    idp = new FakeIdp();
    clock = T0;
    logs = captureLogs();
  });
  afterEach(() => logs.stop());

  describe('freshness: served, refreshed in the background, then refused', () => {
    // [freshness, age of the held set in ms, served?, background fetch started?]
    const cases: [string, Map<string, JwksFreshness>, number, boolean, boolean][] = [
      ['defaults (600 s / 3600 s): exactly the max age', new Map(), 600_000, true, false],
      ['defaults: 1 ms past the max age', new Map(), 600_001, true, true],
      ['defaults: exactly max age + stale window', new Map(), 4_200_000, true, true],
      ['defaults: 1 ms past max age + stale window', new Map(), 4_200_001, false, true],
      ['configured 60 s / 30 s: exactly the max age', freshness(60, 30), 60_000, true, false],
      ['configured: 1 ms past the max age', freshness(60, 30), 60_001, true, true],
      ['configured: exactly max age + stale window', freshness(60, 30), 90_000, true, true],
      ['configured: 1 ms past max age + stale window', freshness(60, 30), 90_001, false, true],
    ];
    for (const [name, fresh, ageMs, served, fetched] of cases) {
      it(`${name}: ${served ? 'served' : 'refused'}, ${fetched ? 'refreshed' : 'not refetched'}`, async () => {
        idp.down = true;
        const cache = cacheWith({ freshness: fresh });
        cache.seed(URI, jwksOf(jwk('k1')), T0 - ageMs);
        if (served) assert.equal(cache.getCachedJwk(URI, jwtWithKid('k1')).kid, 'k1');
        else assert.throws(() => cache.getCachedJwk(URI, jwtWithKid('k1')), JwksNotAvailableInCacheError);
        assert.equal(idp.calls, fetched ? 1 : 0);
        await settle();
      });
    }

    it('fetches at cold start only the sets not held or past their max age (refreshDue)', async () => {
      const cases: [string, number | undefined, number][] = [
        ['exactly the max age', 600_000, 0],
        ['1 ms past the max age', 600_001, 1],
        ['not held', undefined, 1],
      ];
      for (const [name, ageMs, fetches] of cases) {
        idp.calls = 0;
        const cache = cacheWith();
        if (ageMs !== undefined) cache.seed(URI, jwksOf(jwk('k1')), T0 - ageMs);
        await cache.refreshDue([URI]);
        assert.equal(idp.calls, fetches, name);
      }
    });
  });

  describe('retry backoff after a failed fetch', () => {
    // [retryAfterFailureSeconds option, ms after the failure, fetches again?]
    const cases: [number | undefined, number, boolean][] = [
      [undefined, 9_999, false],
      [undefined, 10_000, true],
      [5, 4_999, false],
      [5, 5_000, true],
    ];
    for (const [retry, afterMs, fetches] of cases) {
      it(`retry after ${retry ?? 'the default 10'} s: ${afterMs} ms after a failure ${fetches ? 'fetches' : 'refuses without a fetch'}`, async () => {
        idp.down = true;
        const cache = cacheWith(retry === undefined ? {} : { retryAfterFailureSeconds: retry });
        await assert.rejects(cache.getJwk(URI, jwtWithKid('k1')), FetchError);
        clock += afterMs;
        if (fetches) await assert.rejects(cache.getJwk(URI, jwtWithKid('k1')), FetchError);
        else await assert.rejects(cache.getJwk(URI, jwtWithKid('k1')), JwksNotAvailableInCacheError);
        assert.equal(idp.calls, fetches ? 2 : 1);
      });
    }

    it('does not restart a failed background refresh of a stale set within the retry interval', async () => {
      idp.down = true;
      const cache = cacheWith();
      cache.seed(URI, jwksOf(jwk('k1')), T0 - 700_000);
      cache.getCachedJwk(URI, jwtWithKid('k1'));
      await settle();
      assert.equal(idp.calls, 1);
      clock += 9_999;
      assert.equal(cache.getCachedJwk(URI, jwtWithKid('k1')).kid, 'k1');
      assert.equal(idp.calls, 1, 'still within the retry interval');
      clock += 1;
      cache.getCachedJwk(URI, jwtWithKid('k1'));
      await settle();
      assert.equal(idp.calls, 2);
    });
  });

  describe('a failed fetch is logged with what is still served, never the body', () => {
    it('while a stale set is still served: a warning with its age', async () => {
      idp.down = true;
      const cache = cacheWith();
      cache.seed(URI, jwksOf(jwk('k1')), T0 - 700_000);
      await assert.rejects(cache.getJwks(URI), FetchError);
      const entry = logs.entries().find((e) => e.message === 'jwks refresh failed');
      assert.ok(entry);
      assert.equal(entry.level, 'WARN');
      assert.equal(entry.jwksUri, URI);
      assert.equal(entry.heldSetAgeSeconds, 700);
      assert.equal(entry.serving, 'last good key set (stale-if-error)');
      assert.equal(entry.JwksRefreshFailed, 1);
    });

    it('when nothing is held: an error saying tokens of this issuer are refused', async () => {
      idp.down = true;
      await assert.rejects(cacheWith().getJwks(URI), FetchError);
      const entry = logs.entries().find((e) => e.message === 'jwks refresh failed');
      assert.ok(entry);
      assert.equal(entry.level, 'ERROR');
      assert.equal(entry.heldSetAgeSeconds, undefined);
      assert.equal(entry.serving, 'nothing: tokens of this issuer are refused (jwks_unavailable)');
      assert.match(String(entry.error), /connection refused/);
    });
  });

  describe('the JWKS body: strict UTF-8 JSON, as aws-jwt-verify parses it', () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf]);
    const text = (s: string) => new TextEncoder().encode(s);
    const cases: [string, Uint8Array][] = [
      ['not JSON', text('<html>maintenance</html>')],
      ['a kid that is not valid UTF-8', new Uint8Array([...text('{"keys":[{"kty":"EC","kid":"k'), 0xff, ...text('"}]}')])],
      ['a byte order mark before the JSON', new Uint8Array([...bom, ...text(JSON.stringify(jwksOf(jwk('k1'))))])],
    ];
    for (const [name, body] of cases) {
      it(`refuses ${name} as JSON, logging why`, async () => {
        idp.body = body;
        await assert.rejects(cacheWith().getJwks(URI), JwksValidationError);
        const entry = logs.entries().find((e) => e.message === 'jwks refresh failed');
        assert.match(String(entry?.error), /^JWKS could not be parsed as JSON: /);
      });
    }

    it('refuses a body that is JSON but no key set', async () => {
      idp.body = text('{"keys":"k1"}');
      await assert.rejects(cacheWith().getJwks(URI), JwksValidationError);
    });
  });

  describe('key lookup (aws-jwt-verify JwksCache contract)', () => {
    it('answers a known kid synchronously from a fresh set, and names what is missing otherwise', () => {
      const cache = cacheWith();
      assert.throws(() => cache.getCachedJwk(URI, jwtWithKid('k1')), JwksNotAvailableInCacheError);
      cache.seed(URI, jwksOf(jwk('k1'), jwk('k2')), T0);
      assert.equal(cache.getCachedJwk(URI, jwtWithKid('k2')).kid, 'k2');
      assert.throws(() => cache.getCachedJwk(URI, jwtWithKid('k9')), KidNotFoundInJwksError);
      assert.equal(idp.calls, 0);
    });

    it('refuses a token without a string kid before any lookup or fetch', async () => {
      const cache = cacheWith();
      cache.seed(URI, jwksOf(jwk('k1')), T0);
      assert.throws(() => cache.getCachedJwk(URI, jwtWithKid()), JwtWithoutValidKidError);
      await assert.rejects(cache.getJwk(URI, jwtWithKid()), JwtWithoutValidKidError);
      assert.equal(idp.calls, 0);
    });

    it('answers a known kid of a fresh set without a fetch on the asynchronous path too', async () => {
      const cache = cacheWith();
      cache.seed(URI, jwksOf(jwk('k1')), T0);
      assert.equal((await cache.getJwk(URI, jwtWithKid('k1'))).kid, 'k1');
      assert.equal(idp.calls, 0);
    });

    it('uses the first of two keys that share a kid, as aws-jwt-verify does', () => {
      const cache = cacheWith();
      cache.seed(URI, jwksOf(jwk('k1', 'first'), jwk('k1', 'second')), T0);
      assert.equal(cache.getCachedJwk(URI, jwtWithKid('k1')).x, 'first');
    });

    it('fetches once for an unknown kid, then the default penalty box refuses another fetch for it', async () => {
      const cache = cacheWith();
      cache.seed(URI, jwksOf(jwk('k1')), T0);
      await assert.rejects(cache.getJwk(URI, jwtWithKid('k9')), KidNotFoundInJwksError);
      await assert.rejects(cache.getJwk(URI, jwtWithKid('k9')), WaitPeriodNotYetEndedJwkError);
      assert.equal(idp.calls, 1);
    });

    it('lets an injected penalty box decide when an unknown kid may fetch again', async () => {
      const seen: string[] = [];
      const lenient: PenaltyBox = {
        wait: () => Promise.resolve(),
        registerFailedAttempt: (_uri, kid) => void seen.push(`failed ${kid}`),
        registerSuccessfulAttempt: (_uri, kid) => void seen.push(`ok ${kid}`),
      };
      const cache = cacheWith({ penaltyBox: lenient });
      await assert.rejects(cache.getJwk(URI, jwtWithKid('k9')), KidNotFoundInJwksError);
      await assert.rejects(cache.getJwk(URI, jwtWithKid('k9')), KidNotFoundInJwksError);
      idp.body = jwksOf(jwk('k1'), jwk('k9'));
      assert.equal((await cache.getJwk(URI, jwtWithKid('k9'))).kid, 'k9');
      assert.equal(idp.calls, 3);
      assert.deepEqual(seen, ['failed k9', 'failed k9', 'ok k9']);
    });
  });

  describe('a set handed over explicitly (addJwks)', () => {
    it('is held and counts as fetched now; handing the same set over again keeps its fetch time', async () => {
      idp.down = true;
      const cache = cacheWith();
      const set = jwksOf(jwk('k1'));
      cache.addJwks(URI, set);
      assert.equal(cache.getCachedJwk(URI, jwtWithKid('k1')).kid, 'k1');
      clock += 599_000;
      cache.addJwks(URI, set);
      clock += 2_000;
      cache.getCachedJwk(URI, jwtWithKid('k1'));
      assert.equal(idp.calls, 1, 'the set is past its max age: its fetch time was not moved');
      await settle();
      cache.addJwks(URI, jwksOf(jwk('k1')));
      clock += 599_000;
      cache.getCachedJwk(URI, jwtWithKid('k1'));
      assert.equal(idp.calls, 1, 'a new set counts as fetched when handed over');
    });
  });

  describe('generation stamps: a cached verification holds only while its key set is held unchanged and trusted', () => {
    it('trusts a stamp of the held set, and not a stamp taken before any set was held', async () => {
      const cache = cacheWith();
      const before = cache.stamp(URI);
      await cache.getJwks(URI);
      const after = cache.stamp(URI);
      assert.equal(cache.stillTrusts(before), false);
      assert.equal(cache.stillTrusts(after), true);
    });

    it('keeps trusting a stamp when a refresh brings the same keys, without reporting a change', async () => {
      const changes: string[] = [];
      const cache = cacheWith({ onKeySetChanged: (uri) => changes.push(uri) });
      await cache.getJwks(URI);
      const stamp = cache.stamp(URI);
      idp.body = jwksOf(jwk('k1'));
      await cache.getJwks(URI);
      assert.equal(cache.stillTrusts(stamp), true);
      assert.deepEqual(changes, []);
      assert.ok(!logs.lines.some((l) => l.includes('jwks key set changed')));
    });

    it('drops a stamp when a refresh changes the keys, reporting which kids came and went', async () => {
      const changes: [string, Jwks][] = [];
      const cache = cacheWith({ onKeySetChanged: (uri, jwks) => changes.push([uri, jwks]) });
      idp.body = jwksOf(jwk('k1'), jwk('k2'));
      await cache.getJwks(URI);
      const stamp = cache.stamp(URI);
      const { kid: _, ...withoutKid } = jwk('k4');
      idp.body = jwksOf(jwk('k2'), jwk('k3'), withoutKid);
      const fetched = await cache.getJwks(URI);
      assert.equal(cache.stillTrusts(stamp), false);
      assert.equal(cache.stillTrusts(cache.stamp(URI)), true);
      assert.deepEqual(changes, [[URI, fetched]]);
      const entry = logs.entries().find((e) => e.message === 'jwks key set changed');
      assert.ok(entry);
      assert.equal(entry.jwksUri, URI);
      assert.deepEqual(entry.addedKids, ['k3']);
      assert.deepEqual(entry.removedKids, ['k1']);
    });

    it('holds a changed set without a change listener', async () => {
      const cache = cacheWith();
      await cache.getJwks(URI);
      idp.body = jwksOf(jwk('k2'));
      await cache.getJwks(URI);
      assert.equal(cache.getCachedJwk(URI, jwtWithKid('k2')).kid, 'k2');
    });

    it('drops a stamp once its set is past max age + stale window (and for a URI never held)', async () => {
      idp.down = true;
      const cache = cacheWith();
      cache.seed(URI, jwksOf(jwk('k1')), T0);
      const stamp = cache.stamp(URI);
      clock += 4_200_001;
      assert.equal(cache.stillTrusts(stamp), false);
      assert.equal(cache.stillTrusts(cache.stamp('https://other.example.com/jwks')), false);
      await settle();
    });
  });
});
