// The assertion's lifetime: at most the configured TTL (never over five minutes), and never later than the
// credential it vouches for.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertionClaims, loadKeySet, type AssertionTarget } from '../../src/ingress/assertion-claims';
import { MeshgateError } from '../../src/errors';
import type { VerifiedIdentity } from '../../src/auth/identity';

const NOW = 1_800_000_000;
const TARGET: AssertionTarget = { audience: 'orders', method: 'GET', upstreamPath: '/orders/1', canonicalQuery: '', body: undefined };
const identity = (exp: number): VerifiedIdentity => ({
  sub: 'alice',
  iss: 'https://idp.example.com',
  type: 'user',
  scopes: ['orders:read'],
  groups: [],
  tenant: undefined,
  clientId: undefined,
  exp,
});
const expFor = (credentialExp: number, ttlSeconds: number): number =>
  assertionClaims(identity(credentialExp), TARGET, { issuer: 'https://meshgate.example.com', ttlSeconds }, NOW).exp;

describe('assertionClaims: exp', () => {
  const cases: Array<{ name: string; credentialExp: number; ttl: number; exp: number }> = [
    { name: 'credential outlives the TTL: now + TTL', credentialExp: NOW + 3600, ttl: 60, exp: NOW + 60 },
    { name: 'credential expires one second after now + TTL: now + TTL', credentialExp: NOW + 61, ttl: 60, exp: NOW + 60 },
    { name: 'credential expires exactly at now + TTL', credentialExp: NOW + 60, ttl: 60, exp: NOW + 60 },
    { name: 'credential expires one second before now + TTL: its exp', credentialExp: NOW + 59, ttl: 60, exp: NOW + 59 },
    { name: 'credential expires well within the TTL: its exp', credentialExp: NOW + 10, ttl: 60, exp: NOW + 10 },
    { name: 'credential expires in one second: its exp', credentialExp: NOW + 1, ttl: 60, exp: NOW + 1 },
    // A credential the authorizer accepted inside its clock skew: the shortest lifetime a JWT can carry.
    { name: 'credential expiring now (inside the skew): one second', credentialExp: NOW, ttl: 60, exp: NOW + 1 },
    { name: 'credential expired a minute ago (inside the skew): one second', credentialExp: NOW - 60, ttl: 60, exp: NOW + 1 },
    { name: 'no credential expiry (IAM): now + TTL', credentialExp: 0, ttl: 60, exp: NOW + 60 },
    { name: 'TTL over five minutes is cut to five', credentialExp: 0, ttl: 3600, exp: NOW + 300 },
    { name: 'TTL of five minutes is kept', credentialExp: NOW + 3600, ttl: 300, exp: NOW + 300 },
    { name: 'TTL below one second is one second', credentialExp: 0, ttl: 0, exp: NOW + 1 },
    { name: 'credential cap still applies to a five-minute TTL', credentialExp: NOW + 299, ttl: 300, exp: NOW + 299 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(expFor(c.credentialExp, c.ttl), c.exp);
    });
  }

  it('is never later than the credential (when it has one) nor than five minutes, and always after iat', () => {
    for (let offset = -5; offset <= 400; offset++) {
      for (const ttl of [1, 30, 300]) {
        const exp = expFor(NOW + offset, ttl);
        assert.ok(exp > NOW, `exp ${exp - NOW}s after iat (credential +${offset}s, ttl ${ttl})`);
        assert.ok(exp <= NOW + Math.min(ttl, 300), `exp beyond the TTL (credential +${offset}s, ttl ${ttl})`);
        if (offset >= 1) assert.ok(exp <= NOW + offset, `exp later than the credential (credential +${offset}s, ttl ${ttl})`);
      }
    }
  });

  it('binds iat to now and names the credential issuer as src_iss', () => {
    const claims = assertionClaims(identity(NOW + 30), TARGET, { issuer: 'https://meshgate.example.com', ttlSeconds: 60 }, NOW);
    assert.equal(claims.iat, NOW);
    assert.equal(claims.src_iss, 'https://idp.example.com');
    assert.equal(claims.iss, 'https://meshgate.example.com');
    assert.equal(claims.aud, 'orders');
  });
});

describe('assertionClaims: optional claims', () => {
  const settings = { issuer: 'https://meshgate.example.com', ttlSeconds: 60 };
  it('leaves tenant and client_id out entirely when the identity has none', () => {
    const claims = assertionClaims(identity(0), TARGET, settings, NOW);
    assert.equal(Object.hasOwn(claims, 'tenant'), false);
    assert.equal(Object.hasOwn(claims, 'client_id'), false);
  });
  it('carries the identity’s tenant and client id', () => {
    const claims = assertionClaims({ ...identity(0), tenant: 'acme', clientId: 'web' }, TARGET, settings, NOW);
    assert.deepEqual([claims.tenant, claims.client_id], ['acme', 'web']);
  });
});

describe('loadKeySet', () => {
  it('answers key_set_unavailable, keeping the cause, when the store fails with a foreign error', async () => {
    const cause = new Error('socket hang up');
    await assert.rejects(
      loadKeySet({ load: () => Promise.reject(cause) }),
      (err: unknown) => err instanceof MeshgateError && err.code === 'key_set_unavailable' && err.cause === cause,
    );
  });
  it('keeps the store’s own error code', async () => {
    const own = new MeshgateError('key_set_empty', 'no key yet');
    await assert.rejects(loadKeySet({ load: () => Promise.reject(own) }), (err: unknown) => err === own);
  });
});
