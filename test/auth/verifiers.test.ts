import { after, before, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import * as jwtErrors from 'aws-jwt-verify/error';
import { IssuerVerifiers, toTokenError } from '../../src/auth/verifiers';
import { parseIssuers } from '../../src/config/issuers';
import { parseJwksSnapshot, snapshotFileEntry } from '../../src/auth/jwks-snapshot';
import { TokenError } from '../../src/errors';
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
    iss: ISS_A,
    sub: 'user-1',
    aud: 'meshgate',
    iat: nowSeconds(),
    exp: nowSeconds() + 300,
    scope: 'orders:read',
    ...over,
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
    verifiers = new IssuerVerifiers(issuers, {
      clockSkewSeconds: 30,
      maxTokenBytes: 8192,
      unknownKidPenaltySeconds: 60,
      fetcher: { timeoutMs: 2000, allowLoopbackHttp: true },
    });
  });

  after(async () => {
    await Promise.all([jwksA.close(), jwksB.close()]);
  });

  describe('Method: verify (accepted tokens)', () => {
    it('verifies an RS256 token from the first issuer and fetches its JWKS once for concurrent callers', async () => {
      const tokens = Array.from({ length: 5 }, (_, i) => signJwt(keyA, claims({ sub: `user-${i}` })));
      const results = await Promise.all(tokens.map((t) => verifiers.verify(t)));
      assert.deepEqual(
        results.map((r) => r.payload.sub),
        ['user-0', 'user-1', 'user-2', 'user-3', 'user-4'],
      );
      assert.equal(jwksA.requests, 1);
    });

    it('verifies an ES256 token from a second issuer with a list audience', async () => {
      const { issuer, payload } = await verifiers.verify(signJwt(keyB, claims({ iss: ISS_B, aud: ['x', 'other'] })));
      assert.equal(issuer.issuer, ISS_B);
      assert.equal(payload.sub, 'user-1');
    });

    it('verifies a Cognito access token by client_id and token_use', async () => {
      const { payload } = await verifiers.verify(
        signJwt(keyA, claims({ iss: ISS_C, aud: undefined, client_id: 'client-1', token_use: 'access' })),
      );
      assert.equal(payload.client_id, 'client-1');
    });
  });

  // The forged-token table lives in test/attacks/tokens.json (run through the whole authorizer by
  // test/attacks/token-corpus.test.ts, with jku/x5u/x5c/jwk against a counting attacker server).
  describe('Method: verify (unknown kids)', () => {
    it('answers kid injection attempts (path, SQL, very long) with token_kid_unknown and refetches at most once', async () => {
      const server = await startJwksServer([keyA.jwk]);
      try {
        const v = new IssuerVerifiers(
          parseIssuers([{ issuer: ISS_A, audience: ['meshgate'], jwksUri: server.jwksUri }], { allowLoopbackHttp: true }),
          {
            clockSkewSeconds: 30,
            maxTokenBytes: 8192,
            unknownKidPenaltySeconds: 60,
            fetcher: { allowLoopbackHttp: true },
          },
        );
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

  describe('Method: verify (allowedTyp and maxTokenLifetimeSeconds)', () => {
    const ISS_TYP = 'http://127.0.0.1/issuer-typ';
    const ISS_KB = 'http://127.0.0.1/issuer-kb';
    const ISS_LIFE = 'http://127.0.0.1/issuer-life';
    const ISS_LIFE_ALIAS = 'http://127.0.0.1/issuer-life-replica';
    const TEN_YEARS = 10 * 365 * 86_400;
    let server: JwksServer;
    let key: TestKey;
    let v: IssuerVerifiers;

    const rejectsWith = (token: string, code: string, message?: RegExp) =>
      assert.rejects(v.verify(token), (err: TokenError) => {
        assert.equal(err.code, code);
        if (message) assert.match(err.message, message);
        return true;
      });
    const accepts = async (token: string) => assert.equal((await v.verify(token)).payload.sub, 'user-1');
    const lifetime = (iss: string, seconds: number, iatOffset = 0) => {
      const iat = nowSeconds() + iatOffset;
      return signJwt(key, claims({ iss, iat, exp: iat + seconds }));
    };

    before(async () => {
      key = rsaKey('key-options');
      server = await startJwksServer([key.jwk]);
      const issuers = parseIssuers(
        [
          { issuer: ISS_A, audience: ['meshgate'], jwksUri: server.jwksUri },
          { issuer: ISS_TYP, audience: ['meshgate'], jwksUri: server.jwksUri, allowedTyp: ['at+jwt'] },
          { issuer: ISS_KB, audience: ['meshgate'], jwksUri: server.jwksUri, allowedTyp: ['kb+jwt'] },
          { issuer: ISS_LIFE, aliases: [ISS_LIFE_ALIAS], audience: ['meshgate'], jwksUri: server.jwksUri, maxTokenLifetimeSeconds: 3600 },
        ],
        { allowLoopbackHttp: true },
      );
      v = new IssuerVerifiers(issuers, { clockSkewSeconds: 30, maxTokenBytes: 8192, fetcher: { timeoutMs: 300, allowLoopbackHttp: true } });
    });

    after(async () => {
      await server.close();
    });

    it('accepts at+jwt however the media type is spelled (case, application/ prefix)', async () => {
      for (const typ of ['at+jwt', 'application/at+jwt', 'AT+JWT', 'Application/At+JWT']) {
        await accepts(signJwt(key, claims({ iss: ISS_TYP }), { typ }));
      }
    });

    it('rejects JWT, a missing typ, a non-string typ and look-alikes with token_typ_not_allowed', async () => {
      const typs: unknown[] = [
        'JWT',
        undefined,
        null,
        1,
        true,
        ['at+jwt'],
        { typ: 'at+jwt' },
        '',
        'at+jwt ',
        ' at+jwt',
        'at+jwt; charset=utf-8',
        'text/at+jwt',
        'application/application/at+jwt',
        'at+jwt\u0000',
        'at\u200B+jwt',
        'secevent+jwt',
        'dpop+jwt',
      ];
      for (const typ of typs) {
        await rejectsWith(signJwt(key, claims({ iss: ISS_TYP }), { typ }), 'token_typ_not_allowed', /typ/);
      }
    });

    it('rejects an ID token of the same issuer, same key and audience, replayed as an access token', async () => {
      const idToken = signJwt(
        key,
        claims({ iss: ISS_TYP, nonce: 'n-0S6_WzA2Mj', auth_time: nowSeconds() - 60, at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q', scope: undefined }),
        { typ: 'JWT' },
      );
      await rejectsWith(idToken, 'token_typ_not_allowed');
    });

    it('never lets a look-alike fold into a configured typ (Kelvin sign K for kb+jwt)', async () => {
      await accepts(signJwt(key, claims({ iss: ISS_KB }), { typ: 'KB+JWT' }));
      await rejectsWith(signJwt(key, claims({ iss: ISS_KB }), { typ: '\u212Ab+jwt' }), 'token_typ_not_allowed');
    });

    it('checks typ only after the signature: a forged token learns token_signature_invalid, not the typ rule', async () => {
      const rogue = rsaKey('key-options');
      await rejectsWith(signJwt(rogue, claims({ iss: ISS_TYP }), { typ: 'JWT' }), 'token_signature_invalid');
      await rejectsWith(signJwt(rogue, claims({ iss: ISS_LIFE, exp: nowSeconds() + TEN_YEARS })), 'token_signature_invalid');
    });

    it('without allowedTyp, accepts every typ it accepted before', async () => {
      for (const typ of ['at+jwt', 'application/at+jwt', 'AT+JWT', 'JWT', undefined, 1, ['at+jwt']]) {
        await accepts(signJwt(key, claims(), { typ }));
      }
    });

    it('accepts a lifetime of exactly maxTokenLifetimeSeconds', async () => {
      await accepts(lifetime(ISS_LIFE, 3600));
      await accepts(lifetime(ISS_LIFE, 300));
    });

    it('rejects a lifetime one second over, ten years, or no iat with token_lifetime_too_long', async () => {
      await rejectsWith(lifetime(ISS_LIFE, 3601), 'token_lifetime_too_long', /3600/);
      await rejectsWith(lifetime(ISS_LIFE, TEN_YEARS), 'token_lifetime_too_long');
      await rejectsWith(lifetime(ISS_LIFE_ALIAS, TEN_YEARS), 'token_lifetime_too_long');
      await rejectsWith(
        signJwt(key, claims({ iss: ISS_LIFE, iat: undefined, exp: nowSeconds() + 60 })),
        'token_lifetime_too_long',
        /no iat.*cannot be bounded/,
      );
    });

    it('bounds the lifetime, not the time left: an old long-lived token near its end is still refused', async () => {
      await rejectsWith(lifetime(ISS_LIFE, 7200, -7100), 'token_lifetime_too_long');
    });

    it('without maxTokenLifetimeSeconds, accepts a ten-year token and a token without iat', async () => {
      await accepts(lifetime(ISS_A, TEN_YEARS));
      await accepts(signJwt(key, claims({ iat: undefined })));
    });
  });

  describe('Method: verify (JWKS faults)', () => {
    it('denies with jwks_unavailable when the JWKS is down, slow or garbage, and recovers when it is back', async () => {
      const k = rsaKey('fault-key');
      const server = await startJwksServer([k.jwk]);
      try {
        const v = new IssuerVerifiers(
          parseIssuers([{ issuer: ISS_A, audience: ['meshgate'], jwksUri: server.jwksUri }], { allowLoopbackHttp: true }),
          {
            clockSkewSeconds: 30,
            maxTokenBytes: 8192,
            unknownKidPenaltySeconds: 0,
            // Every fault is fetched anew: no pause after a failed fetch (test/auth/jwks-freshness.test.ts covers it).
            jwksRetryAfterFailureSeconds: 0,
            fetcher: { timeoutMs: 200, allowLoopbackHttp: true },
          },
        );
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
        const v = new IssuerVerifiers(
          parseIssuers([{ issuer: ISS_A, audience: ['meshgate'], jwksUri: server.jwksUri }], { allowLoopbackHttp: true }),
          {
            clockSkewSeconds: 30,
            maxTokenBytes: 8192,
            fetcher: { allowLoopbackHttp: true },
            jwksSnapshot: parseJwksSnapshot({ [server.jwksUri]: snapshotFileEntry({ keys: [k.jwk] }, new Date()) }),
          },
        );
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
        const v = new IssuerVerifiers(
          parseIssuers([{ issuer: ISS_A, audience: ['meshgate'], jwksUri: server.jwksUri }], { allowLoopbackHttp: true }),
          {
            clockSkewSeconds: 30,
            maxTokenBytes: 8192,
            fetcher: { allowLoopbackHttp: false },
          },
        );
        await assert.rejects(v.verify(signJwt(k, claims())), (err: TokenError) => err.code === 'jwks_unavailable');
        assert.equal(server.requests, 0);
      } finally {
        await server.close();
      }
    });
  });
});

describe('IssuerVerifiers: issuers, aliases and their JWKS URIs', () => {
  const options = {
    clockSkewSeconds: 30,
    maxTokenBytes: 8192,
    unknownKidPenaltySeconds: 0,
    fetcher: { timeoutMs: 2000, allowLoopbackHttp: true },
  };
  const tokenOf = (key: TestKey, iss: string, over: Record<string, unknown> = {}) =>
    signJwt(key, { iss, sub: 'user-1', aud: 'meshgate', iat: nowSeconds(), exp: nowSeconds() + 300, ...over });
  const refusal = (p: Promise<unknown>): Promise<string | undefined> =>
    p.then(
      () => undefined,
      (err: TokenError) => err.code,
    );

  it("fetches an alias's key set under the alias, with or without a trailing slash on the issuer", () => {
    const v = new IssuerVerifiers(
      parseIssuers(
        [
          {
            issuer: 'https://a.example.com/',
            aliases: ['https://b.example.com/'],
            audience: ['meshgate'],
            jwksUri: 'https://a.example.com/.well-known/jwks.json',
          },
          {
            issuer: 'https://c.example.com/t1',
            aliases: ['https://d.example.com/t1'],
            audience: ['meshgate'],
            jwksUri: 'https://c.example.com/t1/keys',
          },
        ],
        { allowLoopbackHttp: false },
      ),
      options,
    );
    assert.deepEqual(v.jwksUris(), [
      'https://a.example.com/.well-known/jwks.json',
      'https://b.example.com/.well-known/jwks.json',
      'https://c.example.com/t1/keys',
      'https://d.example.com/t1/keys',
    ]);
  });

  it("keeps each issuer to its own key set when another issuer's set changes (no cross-issuer key)", async () => {
    const a1 = rsaKey('a1');
    const a2 = rsaKey('a2');
    const b1 = ecKey('b1');
    const [idpA, idpB] = await Promise.all([startJwksServer([a1.jwk]), startJwksServer([b1.jwk])]);
    try {
      const v = new IssuerVerifiers(
        parseIssuers(
          [
            { issuer: ISS_A, audience: ['meshgate'], jwksUri: idpA.jwksUri },
            { issuer: ISS_B, audience: ['meshgate'], jwksUri: idpB.jwksUri },
          ],
          { allowLoopbackHttp: true },
        ),
        options,
      );
      await v.verify(tokenOf(a1, ISS_A));
      await v.verify(tokenOf(b1, ISS_B));
      idpA.keys = [a1.jwk, a2.jwk];
      assert.equal((await v.verify(tokenOf(a2, ISS_A))).payload.iss, ISS_A, "A's key set changed");
      assert.equal(await refusal(v.verify(tokenOf(a2, ISS_B))), 'token_kid_unknown', "A's key cannot sign for B");
      assert.equal((await v.verify(tokenOf(b1, ISS_B))).payload.iss, ISS_B);
    } finally {
      await Promise.all([idpA.close(), idpB.close()]);
    }
  });

  it('checks a Cognito id token by its aud, not client_id', async () => {
    const key = rsaKey('c1');
    const idp = await startJwksServer([key.jwk]);
    try {
      const v = new IssuerVerifiers(
        parseIssuers([{ issuer: ISS_C, clientIds: ['client-1'], tokenUse: 'id', jwksUri: idp.jwksUri }], { allowLoopbackHttp: true }),
        options,
      );
      const payload = { aud: 'client-1', token_use: 'id' };
      assert.equal((await v.verify(tokenOf(key, ISS_C, payload))).payload.aud, 'client-1');
      assert.equal(
        await refusal(v.verify(tokenOf(key, ISS_C, { ...payload, aud: 'client-2', client_id: 'client-1' }))),
        'audience_mismatch',
      );
    } finally {
      await idp.close();
    }
  });

  it('accepts iat exactly clockSkewSeconds ahead, and refuses it a second later', async () => {
    const key = rsaKey('k1');
    const idp = await startJwksServer([key.jwk]);
    const now = 1_800_000_000;
    mock.timers.enable({ apis: ['Date'], now: now * 1000 });
    try {
      const v = new IssuerVerifiers(
        parseIssuers([{ issuer: ISS_A, audience: ['meshgate'], jwksUri: idp.jwksUri }], { allowLoopbackHttp: true }),
        options,
      );
      const at = (iat: number) => tokenOf(key, ISS_A, { iat, exp: now + 300 });
      assert.equal((await v.verify(at(now + 30))).payload.iat, now + 30);
      assert.equal(await refusal(v.verify(at(now + 31))), 'token_iat_in_future');
    } finally {
      mock.timers.reset();
      await idp.close();
    }
  });
});

describe('Function: toTokenError', () => {
  it('maps each aws-jwt-verify error to its stable code, keeping the error as the cause', () => {
    const cases: [Error, string][] = [
      [new jwtErrors.JwtInvalidIssuerError('issuer', 'https://evil', ['https://idp']), 'issuer_untrusted'],
      [new jwtErrors.JwkValidationError('JWK n should be a string'), 'token_signature_invalid'],
      [new jwtErrors.JwkInvalidUseError('use', 'enc', 'sig'), 'token_signature_invalid'],
      [new jwtErrors.JwkInvalidKtyError('kty', 'oct', ['RSA']), 'token_signature_invalid'],
      [new jwtErrors.JwtParseError('not JSON'), 'token_malformed'],
      [new jwtErrors.ParameterValidationError('unexpected'), 'token_claim_invalid'],
      [new Error('anything else'), 'token_claim_invalid'],
    ];
    for (const [err, code] of cases) {
      const mapped = toTokenError(err);
      assert.equal(mapped.code, code, err.constructor.name);
      assert.equal(mapped.cause, err, err.constructor.name);
    }
    const own = new TokenError('token_expired', 'expired');
    assert.equal(toTokenError(own), own);
  });
});
