// JWKS freshness (src/auth/jwks-cache.ts through IssuerVerifiers): an identity provider on loopback that rotates,
// removes a key and goes down, and a clock the test moves. Background work is awaited by polling, never by timing.
import { afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IssuerVerifiers, type VerifierOptions } from '../../src/auth/verifiers';
import { parseJwksSnapshot } from '../../src/auth/jwks-snapshot';
import { parseIssuers } from '../../src/config/issuers';
import { ConfigError, type TokenError } from '../../src/errors';
import { eventually } from '../support/eventually';
import { startJwksServer, type JwksServer } from '../support/jwks-server';
import { assertNoSecretsLogged, captureLogs, type LogCapture } from '../support/logs';
import { nowSeconds, rsaKey, signJwt, type TestKey } from '../support/tokens';

const ISS = 'http://127.0.0.1/idp';
const MAX_AGE = 600;
const STALE = 3600;

describe('JWKS freshness (jwksMaxAgeSeconds, jwksStaleIfErrorSeconds, snapshot age)', () => {
  let idp: JwksServer;
  let k1: TestKey;
  let k2: TestKey;
  let clock: number;
  let logs: LogCapture;

  const token = (key: TestKey) =>
    signJwt(key, { iss: ISS, sub: key.jwk.kid, aud: 'meshgate', iat: nowSeconds(), exp: nowSeconds() + 3600 });
  const advance = (seconds: number) => {
    clock += seconds * 1000;
  };
  const verifiersWith = (options: Partial<VerifierOptions> = {}) =>
    new IssuerVerifiers(parseIssuers([{ issuer: ISS, audience: ['meshgate'], jwksUri: idp.jwksUri }], { allowLoopbackHttp: true }), {
      clockSkewSeconds: 30,
      maxTokenBytes: 8192,
      unknownKidPenaltySeconds: 0,
      fetcher: { timeoutMs: 2000, allowLoopbackHttp: true },
      now: () => clock,
      ...options,
    });
  const accepts = async (v: IssuerVerifiers, key: TestKey) => assert.equal((await v.verify(token(key))).payload.sub, key.jwk.kid);
  const refusal = async (v: IssuerVerifiers, key: TestKey): Promise<string | undefined> =>
    v.verify(token(key)).then(
      () => undefined,
      (err: TokenError) => err.code,
    );
  const snapshotAged = (ageSeconds: number | undefined, keys = [k1.jwk]) =>
    parseJwksSnapshot({
      [idp.jwksUri]: { keys, ...(ageSeconds === undefined ? {} : { fetchedAt: new Date(clock - ageSeconds * 1000).toISOString() }) },
    });

  before(() => {
    k1 = rsaKey('k1');
    k2 = rsaKey('k2');
  });

  beforeEach(async () => {
    idp = await startJwksServer([k1.jwk, k2.jwk]);
    clock = Date.now();
    logs = captureLogs();
  });

  afterEach(async () => {
    logs.stop();
    assertNoSecretsLogged(logs, [JSON.stringify(k1.jwk.n), JSON.stringify(k2.jwk.n)]);
    idp.release();
    await idp.close();
  });

  it('stops accepting a key the provider removed once the set is past its max age, with no redeploy', async () => {
    const v = verifiersWith();
    await accepts(v, k2);
    idp.keys = [k1.jwk];
    advance(MAX_AGE - 1);
    await accepts(v, k2);
    assert.equal(idp.requests, 1, 'within its max age the set is not refetched');
    advance(2);
    await eventually('the removed key k2 is refused', async () => (await refusal(v, k2)) === 'token_kid_unknown');
    await accepts(v, k1);
  });

  it('never makes a request wait for the background refresh of a set it holds (the provider holds its answer)', async () => {
    // A deadline far longer than the test: the held fetch stays outstanding until released.
    const v = verifiersWith({ fetcher: { timeoutMs: 60_000, allowLoopbackHttp: true } });
    await accepts(v, k1);
    idp.mode = 'held';
    advance(MAX_AGE + 1);
    await accepts(v, k1);
    await eventually('the background refresh reached the provider', () => idp.waiting === 1);
    for (let i = 0; i < 5; i++) await accepts(v, k2);
    assert.equal(idp.waiting, 1, 'the refresh is still unanswered, and there is only one');
    assert.equal(idp.requests, 2);
    idp.keys = [k1.jwk];
    idp.mode = 'ok';
    idp.release();
    await eventually('the refreshed set (without k2) is in force', async () => (await refusal(v, k2)) === 'token_kid_unknown');
  });

  it('keeps the last good set for the stale window while the provider is down, then fails closed with jwks_unavailable', async () => {
    const v = verifiersWith();
    await accepts(v, k1);
    idp.mode = 'down';
    advance(MAX_AGE + 1);
    await accepts(v, k1);
    await eventually('the failed refresh is logged and counted', () =>
      logs.entries().some((e) => e.message === 'jwks refresh failed' && e.JwksRefreshFailed === 1 && e.level === 'WARN'),
    );
    const failure = logs.entries().find((e) => e.message === 'jwks refresh failed')!;
    assert.equal(failure.jwksUri, idp.jwksUri);
    assert.deepEqual((failure._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] }).CloudWatchMetrics[0]!.Dimensions, [['service']]);
    advance(STALE - 2);
    await accepts(v, k1);
    advance(2);
    assert.equal(await refusal(v, k1), 'jwks_unavailable');
    assert.equal(await refusal(v, k2), 'jwks_unavailable');
    const tries = idp.requests;
    assert.equal(await refusal(v, k1), 'jwks_unavailable');
    assert.ok(idp.requests <= tries + 1, 'a provider that is down is retried at most once per retry interval');

    idp.mode = 'ok';
    advance(11);
    await accepts(v, k1);
  });

  it('answers an unknown kid with one fetch even while the held set is fresh (the rate-limited path is unchanged)', async () => {
    const k3 = rsaKey('k3');
    const v = verifiersWith({ unknownKidPenaltySeconds: 60 });
    await accepts(v, k1);
    idp.keys = [k1.jwk, k2.jwk, k3.jwk];
    await accepts(v, k3);
    assert.equal(idp.requests, 2);
    const k4 = rsaKey('k4');
    assert.equal(await refusal(v, k4), 'token_kid_unknown');
    assert.equal(await refusal(v, k4), 'token_kid_unknown');
    assert.equal(idp.requests, 3, 'one fetch for the unknown kid, then the penalty box holds');
  });

  it('verifies with a key the provider replaced under the same kid once the set is refreshed', async () => {
    const v = verifiersWith();
    await accepts(v, k1);
    const k1b = rsaKey('k1');
    idp.keys = [k1b.jwk, k2.jwk];
    advance(MAX_AGE + 1);
    await eventually('the replacement key under kid k1 verifies', async () => (await refusal(v, k1b)) === undefined);
    assert.equal(await refusal(v, k1), 'token_signature_invalid');
  });

  it("keeps a verification's key-set stamp trusted until a refresh changes the set", async () => {
    const v = verifiersWith();
    await v.hydrate();
    const { keys } = await v.verify(token(k1));
    assert.equal(v.stillTrusts(keys), true);
    idp.keys = [k1.jwk];
    advance(MAX_AGE + 1);
    await eventually('the refreshed set (without k2) replaced the stamped one', () => !v.stillTrusts(keys));
  });

  it('lets an unknown kid fetch again once unknownKidPenaltySeconds (here 0) has passed', async () => {
    const v = verifiersWith({ unknownKidPenaltySeconds: 0 });
    await accepts(v, k1);
    const k4 = rsaKey('k4');
    assert.equal(await refusal(v, k4), 'token_kid_unknown');
    const fetches = idp.requests;
    await eventually(
      'another token with the unknown kid fetched again',
      async () => (await refusal(v, k4)) === 'token_kid_unknown' && idp.requests > fetches,
      5_000,
    );
  });

  describe('a snapshot is a cold-start seed of its age, never a pin', () => {
    it('verifies from a snapshot younger than the max age without any fetch', async () => {
      const v = verifiersWith({ jwksSnapshot: snapshotAged(MAX_AGE - 10) });
      await v.hydrate();
      await accepts(v, k1);
      assert.equal(idp.requests, 0);
    });

    it('refreshes a snapshot older than the max age at once, and honours what the provider removed', async () => {
      idp.keys = [k2.jwk];
      const v = verifiersWith({ jwksSnapshot: snapshotAged(MAX_AGE + 10) });
      await accepts(v, k1);
      await v.hydrate();
      assert.equal(idp.requests, 1);
      assert.equal(await refusal(v, k1), 'token_kid_unknown');
    });

    it('does not trust alone a snapshot older than max age + stale window: refused while the provider is down', async () => {
      idp.mode = 'down';
      const v = verifiersWith({ jwksSnapshot: snapshotAged(MAX_AGE + STALE + 10) });
      assert.equal(await refusal(v, k1), 'jwks_unavailable');
      idp.mode = 'ok';
      advance(11);
      await accepts(v, k1);
    });

    it('treats a snapshot without fetchedAt (written before fetch times) or dated in the future as too old', async () => {
      for (const snapshot of [snapshotAged(undefined), snapshotAged(-3600)]) {
        idp.mode = 'down';
        const v = verifiersWith({ jwksSnapshot: snapshot });
        assert.equal(await refusal(v, k1), 'jwks_unavailable');
      }
      assert.ok(logs.lines.some((l) => l.includes('jwks snapshot has no usable fetchedAt')));
    });

    it('trusts a snapshot dated up to 300 s ahead (clock skew) as fetched now; warns, naming the URI, about one without a usable date', async () => {
      idp.mode = 'down';
      const warnings = () =>
        logs
          .entries()
          .filter((e) => String(e.message).startsWith('jwks snapshot has no usable fetchedAt'))
          .map((e) => e.jwksUri);
      await accepts(verifiersWith({ jwksSnapshot: snapshotAged(-300) }), k1);
      const other = 'https://other.example.com/jwks';
      verifiersWith({ jwksSnapshot: parseJwksSnapshot({ [other]: { keys: [k1.jwk] } }) });
      assert.deepEqual(warnings(), [], 'a usable date, and a URI no issuer uses, say nothing');
      assert.equal(await refusal(verifiersWith({ jwksSnapshot: snapshotAged(-300.001) }), k1), 'jwks_unavailable');
      assert.deepEqual(warnings(), [idp.jwksUri]);
      verifiersWith({ jwksSnapshot: snapshotAged(undefined) });
      assert.deepEqual(warnings(), [idp.jwksUri, idp.jwksUri]);
    });

    it('reads a fetchedAt with or without fractional seconds', () => {
      const uri = 'https://idp.example.com/jwks';
      for (const [fetchedAt, ms] of [
        ['2026-12-05T00:00:00Z', Date.UTC(2026, 11, 5)],
        ['2026-12-05T00:00:00.250Z', Date.UTC(2026, 11, 5) + 250],
      ] as const) {
        assert.equal(parseJwksSnapshot({ [uri]: { keys: [], fetchedAt } }).get(uri)?.fetchedAtMs, ms, fetchedAt);
      }
    });

    it('refuses a malformed snapshot as configuration, naming the entry', () => {
      const uri = 'https://idp.example.com/jwks';
      const cases: [unknown, string][] = [
        [[], 'jwksSnapshot'],
        [{ [uri]: { keys: 'k1' } }, `jwksSnapshot["${uri}"]`],
        [{ [uri]: { keys: [], fetchedAt: 'yesterday' } }, `jwksSnapshot["${uri}"].fetchedAt`],
        [{ [uri]: { keys: [], fetchedAt: 1733356800000 } }, `jwksSnapshot["${uri}"].fetchedAt`],
        [null, 'jwksSnapshot'],
        [42, 'jwksSnapshot'],
        ['{"keys":[]}', 'jwksSnapshot'],
        // Forms Date.parse would take: a bare year, a list holding a date, a date alone, a local time (no Z), an
        // expanded year; only the plain UTC instant that toISOString writes is read.
        [{ [uri]: { keys: [], fetchedAt: 2026 } }, `jwksSnapshot["${uri}"].fetchedAt`],
        [{ [uri]: { keys: [], fetchedAt: ['2026-12-05T00:00:00Z'] } }, `jwksSnapshot["${uri}"].fetchedAt`],
        [{ [uri]: { keys: [], fetchedAt: '2026-12-05' } }, `jwksSnapshot["${uri}"].fetchedAt`],
        [{ [uri]: { keys: [], fetchedAt: '2026-12-05T00:00:00' } }, `jwksSnapshot["${uri}"].fetchedAt`],
        [{ [uri]: { keys: [], fetchedAt: '+002026-12-05T00:00:00Z' } }, `jwksSnapshot["${uri}"].fetchedAt`],
      ];
      for (const [value, field] of cases) {
        assert.throws(
          () => parseJwksSnapshot(value),
          (err: unknown) => err instanceof ConfigError && err.message.startsWith(`${field}:`),
          field,
        );
      }
    });
  });
});
