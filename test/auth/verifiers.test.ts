import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IssuerVerifiers } from '../../src/auth/verifiers';
import { parseIssuers } from '../../src/config/issuers';
import type { TokenError } from '../../src/errors';
import { startJwksServer, type JwksServer } from '../support/jwks-server';
import { ecKey, nowSeconds, rsaKey, signJwt, type TestKey } from '../support/tokens';

const ISS_A = 'http://127.0.0.1/issuer-a';
const ISS_B = 'http://127.0.0.1/issuer-b';
const ISS_C = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc';

describe('Class: IssuerVerifiers', () => {
  let jwksA: JwksServer;
  let jwksB: JwksServer;
  let keyA: TestKey;
  let keyB: TestKey;
  let verifiers: IssuerVerifiers;

  const claims = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    iss: ISS_A, sub: 'user-1', aud: 'meshgate', iat: nowSeconds(), exp: nowSeconds() + 300, scope: 'orders:read', ...over,
  });

  before(async () => {
    keyA = rsaKey('key-a');
    keyB = ecKey('key-b');
    jwksA = await startJwksServer([keyA.jwk]);
    jwksB = await startJwksServer([keyB.jwk]);
    const issuers = parseIssuers(
      [
        { issuer: ISS_A, audience: ['meshgate'], jwksUri: jwksA.jwksUri },
        { issuer: ISS_B, audience: ['meshgate', 'other'], jwksUri: jwksB.jwksUri },
        { issuer: ISS_C, clientIds: ['client-1'], tokenUse: 'access', jwksUri: jwksA.jwksUri },
      ],
      { allowLoopbackHttp: true },
    );
    verifiers = new IssuerVerifiers(issuers, { clockSkewSeconds: 30, maxTokenBytes: 8192, unknownKidPenaltySeconds: 60, fetcher: { timeoutMs: 300, allowLoopbackHttp: true } });
  });

  after(async () => {
    await Promise.all([jwksA.close(), jwksB.close()]);
  });

  describe('Method: verify (accepted tokens)', () => {
    it('verifies an RS256 token from the first issuer and fetches its JWKS once for concurrent callers', async () => {
      const tokens = Array.from({ length: 5 }, (_, i) => signJwt(keyA, claims({ sub: `user-${i}` })));
      const results = await Promise.all(tokens.map((t) => verifiers.verify(t)));
      assert.deepEqual(results.map((r) => r.payload.sub), ['user-0', 'user-1', 'user-2', 'user-3', 'user-4']);
      assert.equal(jwksA.requests, 1);
    });

    it('verifies an ES256 token from a second issuer with a list audience', async () => {
      const { issuer, payload } = await verifiers.verify(signJwt(keyB, claims({ iss: ISS_B, aud: ['x', 'other'] })));
      assert.equal(issuer.issuer, ISS_B);
      assert.equal(payload.sub, 'user-1');
    });

    it('verifies a Cognito access token by client_id and token_use', async () => {
      const { payload } = await verifiers.verify(signJwt(keyA, claims({ iss: ISS_C, aud: undefined, client_id: 'client-1', token_use: 'access' })));
      assert.equal(payload.client_id, 'client-1');
    });
  });

  // The forged-token table lives in test/attacks/tokens.json (run through the whole authorizer by
  // test/attacks/token-corpus.test.ts, with jku/x5u/x5c/jwk against a counting attacker server).
  describe('Method: verify (unknown kids)', () => {
    it('answers kid injection attempts (path, SQL, very long) with token_kid_unknown and refetches at most once', async () => {
      const server = await startJwksServer([keyA.jwk]);
      try {
        const v = new IssuerVerifiers(parseIssuers([{ issuer: ISS_A, audience: ['meshgate'], jwksUri: server.jwksUri }], { allowLoopbackHttp: true }), {
          clockSkewSeconds: 30, maxTokenBytes: 8192, unknownKidPenaltySeconds: 60, fetcher: { allowLoopbackHttp: true },
        });
        await v.verify(signJwt(keyA, claims()));
        assert.equal(server.requests, 1);
        for (const kid of ['../../etc/passwd', "' OR 1=1 --", 'k'.repeat(4000), 'unknown-4']) {
          await assert.rejects(v.verify(signJwt(keyA, claims(), { kid })), (err: TokenError) => err.code === 'token_kid_unknown');
        }
        assert.equal(server.requests, 2, 'one refetch, then the penalty window holds further fetches off');
      } finally {
        await server.close();
      }
    });
  });

  describe('Method: verify (JWKS faults)', () => {
    it('denies with jwks_unavailable when the JWKS is down, slow or garbage, and recovers when it is back', async () => {
      const k = rsaKey('fault-key');
      const server = await startJwksServer([k.jwk]);
      try {
        const v = new IssuerVerifiers(parseIssuers([{ issuer: ISS_A, audience: ['meshgate'], jwksUri: server.jwksUri }], { allowLoopbackHttp: true }), {
          clockSkewSeconds: 30, maxTokenBytes: 8192, unknownKidPenaltySeconds: 0, fetcher: { timeoutMs: 200, allowLoopbackHttp: true },
        });
        const token = signJwt(k, claims());
        for (const mode of ['down', 'slow', 'garbage'] as const) {
          server.mode = mode;
          await assert.rejects(v.verify(token), (err: TokenError) => err.code === 'jwks_unavailable');
        }
        server.mode = 'ok';
        assert.equal((await v.verify(token)).payload.sub, 'user-1');
      } finally {
        await server.close();
      }
    });

    it('verifies from a JWKS snapshot without any fetch', async () => {
      const k = rsaKey('snap-key');
      const server = await startJwksServer([]);
      try {
        const v = new IssuerVerifiers(parseIssuers([{ issuer: ISS_A, audience: ['meshgate'], jwksUri: server.jwksUri }], { allowLoopbackHttp: true }), {
          clockSkewSeconds: 30, maxTokenBytes: 8192, fetcher: { allowLoopbackHttp: true }, jwksSnapshot: { [server.jwksUri]: { keys: [k.jwk] } },
        });
        assert.equal((await v.verify(signJwt(k, claims()))).payload.sub, 'user-1');
        assert.equal(server.requests, 0);
      } finally {
        await server.close();
      }
    });

    it('refuses a plain-http JWKS unless loopback http is allowed', async () => {
      const k = rsaKey('http-key');
      const server = await startJwksServer([k.jwk]);
      try {
        const v = new IssuerVerifiers(parseIssuers([{ issuer: ISS_A, audience: ['meshgate'], jwksUri: server.jwksUri }], { allowLoopbackHttp: true }), {
          clockSkewSeconds: 30, maxTokenBytes: 8192, fetcher: { allowLoopbackHttp: false },
        });
        await assert.rejects(v.verify(signJwt(k, claims())), (err: TokenError) => err.code === 'jwks_unavailable');
        assert.equal(server.requests, 0);
      } finally {
        await server.close();
      }
    });
  });
});
