// Key rotation as a consumer sees it, with meshgate's real key sets: previous, current and next all verify while published; a removed key stops.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signAssertion } from '../../src/keys/assertion';
import { newKeySet, rotateKeySet } from '../../src/keys/key-set';
import { createAssertionVerifier } from '@meshgate/consumer';
import { startJwksServer } from '../support/jwks-server';
import { AUDIENCE, ISSUER, claims, jwksKeys, rejectsWith } from './helpers';

describe('Consumer: rotation overlap', () => {
  it('verifies assertions signed with the previous, current and next keys while they are published', async () => {
    const set = rotateKeySet(newKeySet());
    const server = await startJwksServer(jwksKeys(set));
    try {
      const verifier = createAssertionVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: server.jwksUri });
      for (const key of [set.previous!, set.current, set.next]) {
        const identity = await verifier.verify({
          method: 'GET',
          path: '/orders/42',
          headers: { 'x-identity-assertion': signAssertion(claims(), key) },
        });
        assert.equal(identity.sub, 'user-1');
      }
      assert.equal(server.requests, 1, 'all three keys came from one JWKS fetch');
    } finally {
      await server.close();
    }
  });

  it('needs no fetch when meshgate rotates: the new current key was already published as next', async () => {
    const before = newKeySet();
    const server = await startJwksServer(jwksKeys(before));
    try {
      const verifier = createAssertionVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: server.jwksUri });
      await verifier.verify({
        method: 'GET',
        path: '/orders/42',
        headers: { 'x-identity-assertion': signAssertion(claims(), before.current) },
      });
      const after = rotateKeySet(before);
      server.keys = jwksKeys(after);
      await verifier.verify({
        method: 'GET',
        path: '/orders/42',
        headers: { 'x-identity-assertion': signAssertion(claims(), after.current) },
      });
      assert.equal(server.requests, 1);
    } finally {
      await server.close();
    }
  });

  it('stops verifying a key once it is removed from the JWKS and the cache has been refreshed', async () => {
    let clock = Date.now();
    const set1 = rotateKeySet(newKeySet());
    const server = await startJwksServer(jwksKeys(set1));
    try {
      const verifier = createAssertionVerifier({
        issuer: ISSUER,
        audience: AUDIENCE,
        jwksUri: server.jwksUri,
        now: () => clock,
        jwksCacheMaxAgeMs: 300_000,
      });
      const signedByOldest = (): string =>
        signAssertion(claims({ iat: Math.floor(clock / 1000), exp: Math.floor(clock / 1000) + 60 }), set1.previous!);
      const verify = (token: string) => verifier.verify({ method: 'GET', path: '/orders/42', headers: { 'x-identity-assertion': token } });
      assert.equal((await verify(signedByOldest())).sub, 'user-1');

      const set2 = rotateKeySet(set1);
      server.keys = jwksKeys(set2);
      // Still cached: the old key verifies until the cached JWKS reaches its max age.
      assert.equal((await verify(signedByOldest())).sub, 'user-1');
      clock += 300_001;
      await rejectsWith(verify(signedByOldest()), 'assertion_invalid', 'kid_unknown');
      assert.equal(server.requests, 2, 'one refresh at max age; the unknown kid right after it did not trigger another fetch');
      assert.equal(
        (await verify(signAssertion(claims({ iat: Math.floor(clock / 1000), exp: Math.floor(clock / 1000) + 60 }), set2.current))).sub,
        'user-1',
      );
    } finally {
      await server.close();
    }
  });
});
