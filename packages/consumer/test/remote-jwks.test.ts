// The consumer's JWKS cache against a real loopback server: coalescing, cooldown, stale-on-error, limits, config.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAssertionVerifier, type AssertionVerifierOptions, type JwksFetchEvent } from '../src/index.js';
import { parseJwks } from '../src/remote-jwks.js';
import { rejectsWith } from './support/fixture.js';
import { startJwksServer, type JwksServer } from './support/jwks-server.js';
import {
  AUDIENCE,
  ISSUER,
  claims,
  generateSigningKey,
  jwksKeys,
  newKeySet,
  publicJwk,
  signAssertion,
  signRaw,
  type TestKeySet,
} from './support/keys.js';

const request = (token: string) => ({ method: 'GET', path: '/orders/42', headers: { 'x-identity-assertion': token } });

/** Runs `body` against a loopback JWKS server publishing a fresh key set, and closes the server whatever happens. */
async function withJwksServer(body: (set: TestKeySet, server: JwksServer) => Promise<void>): Promise<void> {
  const set = newKeySet();
  const server = await startJwksServer(jwksKeys(set));
  try {
    await body(set, server);
  } finally {
    await server.close();
  }
}

const verifierOn = (server: JwksServer, options: Partial<AssertionVerifierOptions> = {}) =>
  createAssertionVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: server.jwksUri, ...options });

describe('Consumer: JWKS fetching and caching', () => {
  it('coalesces concurrent verifies into one JWKS fetch', () =>
    withJwksServer(async (set, server) => {
      const verifier = verifierOn(server);
      const results = await Promise.all(Array.from({ length: 25 }, () => verifier.verify(request(signAssertion(claims(), set.current)))));
      assert.equal(results.length, 25);
      assert.ok(results.every((r) => r.sub === 'user-1'));
      assert.equal(server.requests, 1);
    }));

  it('refetches for unknown kids at most once per cooldown, and picks up a newly published key', () =>
    withJwksServer(async (set, server) => {
      let clock = Date.now();
      const verifier = verifierOn(server, { now: () => clock, jwksCooldownMs: 30_000 });
      await verifier.verify(request(signAssertion(claims(), set.current)));
      // The first fetch itself starts a cooldown; let it pass so the flood may trigger exactly one refetch.
      clock += 30_001;
      const flood = Array.from({ length: 40 }, (_, i) =>
        signRaw(set.current, { alg: 'ES256', typ: 'identity+jwt', kid: `made-up-${i}` }, claims()),
      );
      const outcomes = await Promise.allSettled(flood.map((t) => verifier.verify(request(t))));
      assert.ok(outcomes.every((o) => o.status === 'rejected' && (o.reason as { reason: string }).reason === 'kid_unknown'));
      assert.equal(server.requests, 2, 'the whole flood cost one refetch');

      const fresh = generateSigningKey();
      server.keys = [...jwksKeys(set), publicJwk(fresh)];
      await rejectsWith(verifier.verify(request(signAssertion(claims(), fresh))), 'assertion_invalid', 'kid_unknown');
      assert.equal(server.requests, 2, 'still cooling down');
      clock += 30_001;
      assert.equal((await verifier.verify(request(signAssertion(claims(), fresh)))).sub, 'user-1');
      assert.equal(server.requests, 3);
    }));

  it('answers jwks_unavailable when the endpoint is down, and does not retry within the cooldown', () =>
    withJwksServer(async (set, server) => {
      let clock = Date.now();
      server.mode = 'down';
      const events: JwksFetchEvent[] = [];
      const verifier = verifierOn(server, { now: () => clock, onJwksFetch: (e) => events.push(e) });
      const token = signAssertion(claims(), set.current);
      await rejectsWith(verifier.verify(request(token)), 'jwks_unavailable');
      await rejectsWith(verifier.verify(request(token)), 'jwks_unavailable');
      assert.equal(server.requests, 1);
      assert.equal(events[0]?.ok, false);
      server.mode = 'ok';
      clock += 30_001;
      assert.equal((await verifier.verify(request(token))).sub, 'user-1');
      assert.deepEqual(events.at(-1)?.kids, [set.current.kid, set.next.kid]);
    }));

  it('keeps using a stale JWKS while the endpoint fails, up to jwksMaxStaleMs', () =>
    withJwksServer(async (set, server) => {
      let clock = Date.now();
      const verifier = verifierOn(server, { now: () => clock, jwksCacheMaxAgeMs: 60_000, jwksMaxStaleMs: 120_000 });
      const sign = () => signAssertion(claims({ iat: Math.floor(clock / 1000), exp: Math.floor(clock / 1000) + 60 }), set.current);
      await verifier.verify(request(sign()));
      server.mode = 'garbage';
      clock += 61_000;
      assert.equal((await verifier.verify(request(sign()))).sub, 'user-1', 'stale keys serve while the refresh fails');
      assert.equal(server.requests, 2);
      clock += 120_000;
      await rejectsWith(verifier.verify(request(sign())), 'jwks_unavailable');
    }));

  it('gives up on a slow JWKS endpoint after jwksTimeoutMs', () =>
    withJwksServer(async (set, server) => {
      server.mode = 'slow';
      server.slowMs = 10_000;
      const verifier = verifierOn(server, { jwksTimeoutMs: 100 });
      await rejectsWith(verifier.verify(request(signAssertion(claims(), set.current))), 'jwks_unavailable');
    }));

  it('reads only public ES256 members and skips keys it does not understand', () => {
    const key = generateSigningKey();
    const withPrivate = { ...key.privateJwk, kid: 'k1', alg: 'ES256' };
    const body = Buffer.from(
      JSON.stringify({
        keys: [
          withPrivate,
          { kty: 'RSA', kid: 'r', n: 'x', e: 'AQAB' },
          { ...publicJwk(key), kid: 'hs', alg: 'HS256' },
          { kty: 'EC', crv: 'P-256', kid: 'bad', x: 'AAAA', y: 'AAAA' },
          null,
        ],
      }),
    );
    const keys = parseJwks(body);
    assert.deepEqual([...keys.keys()], ['k1']);
    assert.equal(keys.get('k1')?.type, 'public');
  });

  it('rejects unsafe or wrong configuration when the verifier is created, naming the option', () => {
    const base = { issuer: ISSUER, audience: AUDIENCE, jwksUri: 'https://meshgate.example.com/.well-known/jwks.json' };
    const cases: [Record<string, unknown>, string][] = [
      [{ jwksUri: 'http://meshgate.example.com/.well-known/jwks.json' }, 'jwksUri'],
      [{ jwksUri: 'not a url' }, 'jwksUri'],
      [{ issuer: '' }, 'issuer'],
      [{ audience: [] }, 'audience'],
      [{ clockSkewSeconds: -1 }, 'clockSkewSeconds'],
      [{ clockSkewSeconds: 3600 }, 'clockSkewSeconds'],
      [{ jwksTimeoutMs: 0 }, 'jwksTimeoutMs'],
    ];
    for (const [override, path] of cases) {
      assert.throws(
        () => createAssertionVerifier({ ...base, ...override }),
        (err: { code?: string; path?: string }) => err.code === 'config_invalid' && err.path === path,
      );
    }
    assert.doesNotThrow(() => createAssertionVerifier({ ...base, jwksUri: 'http://127.0.0.1:1/.well-known/jwks.json' }));
  });
});
