// JWKS freshness (src/auth/jwks-cache.ts through IssuerVerifiers): an identity provider on loopback that rotates,
// removes a key and goes down, and a clock the test moves. Background work is awaited by polling, never by timing.
import { afterEach, beforeEach, describe, it } from 'node:test';
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

  beforeEach(async () => {
    k1 = rsaKey('k1');
    k2 = rsaKey('k2');
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

    it('refuses a malformed snapshot as configuration, naming the entry', () => {
      const uri = 'https://idp.example.com/jwks';
      const cases: [unknown, string][] = [
        [[], 'jwksSnapshot'],
        [{ [uri]: { keys: 'k1' } }, `jwksSnapshot["${uri}"]`],
        [{ [uri]: { keys: [], fetchedAt: 'yesterday' } }, `jwksSnapshot["${uri}"].fetchedAt`],
        [{ [uri]: { keys: [], fetchedAt: 1733356800000 } }, `jwksSnapshot["${uri}"].fetchedAt`],
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
