import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IssuerVerifiers } from '../../src/auth/verifiers';
import { parseIssuers } from '../../src/config/issuers';
import { TokenError, type ErrorCode } from '../../src/errors';
import { startJwksServer, type JwksServer } from '../support/jwks-server';
import { b64url, ecKey, hmacJwt, nowSeconds, rsaKey, signJwt, unsignedJwt, type TestKey } from '../support/tokens';

const ISS_A = 'http://127.0.0.1/issuer-a';
const ISS_B = 'http://127.0.0.1/issuer-b';
const ISS_C = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc';

describe('Class: IssuerVerifiers', () => {
  let jwksA: JwksServer;
  let jwksB: JwksServer;
  let attacker: JwksServer;
  let keyA: TestKey;
  let keyB: TestKey;
  let rogue: TestKey;
  let verifiers: IssuerVerifiers;

  const claims = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    iss: ISS_A, sub: 'user-1', aud: 'meshgate', iat: nowSeconds(), exp: nowSeconds() + 300, scope: 'orders:read', ...over,
  });

  async function expectCode(token: string, code: ErrorCode): Promise<void> {
    await assert.rejects(verifiers.verify(token), (err: unknown) => {
      assert.ok(err instanceof TokenError, `expected TokenError, got ${String(err)}`);
      assert.equal(err.code, code, err.message);
      if (token !== '') assert.ok(!err.message.includes(token), 'error message must not carry the token');
      return true;
    });
  }

  before(async () => {
    keyA = rsaKey('key-a');
    keyB = ecKey('key-b');
    rogue = rsaKey('key-a'); // same kid as the real key, different key
    jwksA = await startJwksServer([keyA.jwk]);
    jwksB = await startJwksServer([keyB.jwk]);
    attacker = await startJwksServer([rogue.jwk]);
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
    await Promise.all([jwksA.close(), jwksB.close(), attacker.close()]);
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

  describe('Method: verify (attacks and bad tokens)', () => {
    const cases: Array<[string, () => string, ErrorCode]> = [
      ['alg none', () => unsignedJwt('none', claims(), { kid: 'key-a' }), 'token_malformed'],
      ['alg None with a signature part', () => `${unsignedJwt('None', claims(), { kid: 'key-a' })}c2ln`, 'token_alg_not_allowed'],
      ['alg nOnE with a signature part', () => `${unsignedJwt('nOnE', claims(), { kid: 'key-a' })}c2ln`, 'token_alg_not_allowed'],
      ['HS256 signed with the RSA public key (key confusion)', () => hmacJwt(keyA.publicKey.export({ type: 'spki', format: 'pem' }), claims(), { kid: 'key-a' }), 'token_alg_not_allowed'],
      ['HS256 signed with the JWK modulus', () => hmacJwt(keyA.jwk.n ?? '', claims(), { kid: 'key-a' }), 'token_alg_not_allowed'],
      ['a key of another issuer (kid of issuer B on issuer A)', () => signJwt(keyB, claims(), { kid: 'key-b' }), 'token_kid_unknown'],
      ['forged with a rogue key under the real kid', () => signJwt(rogue, claims()), 'token_signature_invalid'],
      ['tampered payload', () => { const [h, , s] = signJwt(keyA, claims()).split('.'); return `${h}.${b64url(claims({ sub: 'admin' }))}.${s}`; }, 'token_signature_invalid'],
      ['RS256 header on an EC key (algorithm mismatch)', () => signJwt(keyA, claims({ iss: ISS_B }), { kid: 'key-b' }), 'token_alg_not_allowed'],
      ['expired', () => signJwt(keyA, claims({ exp: nowSeconds() - 120 })), 'token_expired'],
      ['nbf in the future', () => signJwt(keyA, claims({ nbf: nowSeconds() + 600 })), 'token_not_yet_valid'],
      ['iat in the future beyond skew', () => signJwt(keyA, claims({ iat: nowSeconds() + 600 })), 'token_iat_in_future'],
      ['missing exp', () => signJwt(keyA, claims({ exp: undefined })), 'token_exp_missing'],
      ['exp as a string', () => signJwt(keyA, claims({ exp: '9999999999' })), 'token_malformed'],
      ['untrusted issuer', () => signJwt(keyA, claims({ iss: 'https://evil.example.com/' })), 'issuer_untrusted'],
      ['no issuer', () => signJwt(keyA, claims({ iss: undefined })), 'issuer_untrusted'],
      ['wrong audience', () => signJwt(keyA, claims({ aud: 'someone-else' })), 'audience_mismatch'],
      ['Cognito id token where access is required', () => signJwt(keyA, claims({ iss: ISS_C, client_id: 'client-1', token_use: 'id' })), 'token_use_mismatch'],
      ['Cognito access token of another client', () => signJwt(keyA, claims({ iss: ISS_C, client_id: 'client-2', token_use: 'access' })), 'audience_mismatch'],
      ['crit header', () => signJwt(keyA, claims(), { crit: ['exp'], exp: 1 }), 'token_crit_unsupported'],
      ['duplicate payload member', () => signJwt(keyA, `{"iss":"${ISS_A}","sub":"user-1","sub":"admin","aud":"meshgate","exp":${nowSeconds() + 300}}`), 'token_malformed'],
      ['duplicate header member', () => signJwt(keyA, claims(), '{"alg":"RS256","kid":"key-a","alg":"none"}'), 'token_malformed'],
      ['bad base64url', () => 'eyJhbGciOiJSUzI1NiJ9.e*yJ.sig', 'token_malformed'],
      ['four segments', () => `${signJwt(keyA, claims())}.extra`, 'token_malformed'],
      ['JWE-shaped (five parts)', () => 'eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d', 'token_malformed'],
      ['payload is not JSON', () => `${b64url({ alg: 'RS256', kid: 'key-a' })}.${b64url('not json')}.c2ln`, 'token_malformed'],
      ['payload is a JSON array', () => `${b64url({ alg: 'RS256', kid: 'key-a' })}.${b64url('[1,2]')}.c2ln`, 'token_malformed'],
      ['just over the size limit', () => signJwt(keyA, claims({ pad: 'x'.repeat(8192) })), 'token_too_large'],
      ['empty', () => '', 'token_malformed'],
    ];
    for (const [name, build, code] of cases) {
      it(`rejects ${name} with ${code}`, async () => expectCode(build(), code));
    }

    it('never follows jku, x5u, x5c or an embedded jwk: keys come only from the configured JWKS', async () => {
      const before = attacker.requests;
      const headers = [{ jku: attacker.jwksUri }, { x5u: attacker.jwksUri }, { jwk: rogue.jwk }, { x5c: ['MIIB'] }];
      for (const header of headers) await expectCode(signJwt(rogue, claims(), header), 'token_signature_invalid');
      assert.equal(attacker.requests, before);
    });

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
