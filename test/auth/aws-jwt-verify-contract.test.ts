// The contract src/auth/verifiers.ts relies on: aws-jwt-verify's protected verifyDecomposedJwtSync and
// verifyDecomposedJwt verify a decomposed token exactly as the public verifySync() and verify() verify its text.
// An upgrade fails here first: re-review src/auth/verifiers.ts, then update REVIEWED_VERSION.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache, SimplePenaltyBox, type Jwks } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import * as jwtErrors from 'aws-jwt-verify/error';
import { DecomposedJwtVerifier, type VerifyProps } from '../../src/auth/verifiers';
import { precheckToken, type DecomposedJwt } from '../../src/auth/token-precheck';
import { TokenError } from '../../src/errors';
import { b64url, nowSeconds, rsaKey, signJwt } from '../support/tokens';

const REVIEWED_VERSION = '5.2.1';
const REREVIEW = `re-review src/auth/verifiers.ts (it calls aws-jwt-verify's protected verifyDecomposedJwtSync and verifyDecomposedJwt), then update REVIEWED_VERSION in this test`;

const ISS = 'https://idp.example.com/';
const JWKS_URI = 'https://idp.example.com/.well-known/jwks.json';
const GRACE = 30;
const key = rsaKey('k1');
const stranger = rsaKey('k1'); // same kid, other key: a forged signature
const JWKS = { keys: [key.jwk] } as unknown as Jwks;

const props = (over: Partial<VerifyProps> = {}): VerifyProps => ({
  issuer: ISS,
  audience: ['meshgate'],
  jwksUri: JWKS_URI,
  graceSeconds: GRACE,
  customJwtCheck: ({ payload }) => {
    if (payload.sub === 'custom-refused') throw new TokenError('token_claim_invalid', 'refused by the custom check');
  },
  ...over,
});

/** A JWKS cache that holds the JWKS (unless `cold`) and fetches the same JWKS when asked: no network. */
function cache(cold = false): SimpleJwksCache {
  const body = new TextEncoder().encode(JSON.stringify(JWKS));
  const jwksCache = new SimpleJwksCache({
    fetcher: { fetch: async () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) },
    penaltyBox: new SimplePenaltyBox({ waitSeconds: 0 }),
  });
  if (!cold) jwksCache.addJwks(JWKS_URI, JWKS);
  return jwksCache;
}

// Exposes the two protected methods one by one, on the class src/auth/verifiers.ts uses.
class Probe extends DecomposedJwtVerifier {
  static probe(p: VerifyProps, jwksCache: SimpleJwksCache): Probe {
    return new Probe([p], jwksCache);
  }
  sync(jwt: DecomposedJwt, p: VerifyProps): JwtPayload {
    return this.verifyDecomposedJwtSync(jwt, p.jwksUri, p);
  }
  async(jwt: DecomposedJwt, p: VerifyProps): Promise<JwtPayload> {
    return this.verifyDecomposedJwt(jwt, p.jwksUri, p);
  }
}

type Outcome = { readonly payload: JwtPayload } | { readonly error: string };

async function outcome(run: () => JwtPayload | Promise<JwtPayload>): Promise<Outcome> {
  try {
    return { payload: await run() };
  } catch (err) {
    return { error: (err as Error).constructor.name };
  }
}

const publicVerifier = (p: VerifyProps, jwksCache: SimpleJwksCache) => JwtVerifier.create(p, { jwksCache });

interface Case {
  readonly name: string;
  readonly token: () => string;
  /** The error class both paths must throw; undefined: both accept. */
  readonly error: (new (...args: never[]) => Error) | undefined;
  readonly props?: Partial<VerifyProps>;
}

const claims = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  iss: ISS,
  sub: 'user-1',
  aud: 'meshgate',
  iat: nowSeconds(),
  exp: nowSeconds() + 300,
  ...over,
});

const CASES: readonly Case[] = [
  { name: 'a valid token', token: () => signJwt(key, claims()), error: undefined },
  { name: 'a signature by another key', token: () => signJwt(stranger, claims()), error: jwtErrors.JwtInvalidSignatureError },
  {
    name: 'a payload changed after signing',
    token: () => {
      const [h, , s] = signJwt(key, claims()).split('.');
      return `${h}.${b64url(claims({ sub: 'admin' }))}.${s}`;
    },
    error: jwtErrors.JwtInvalidSignatureError,
  },
  {
    name: 'another issuer',
    token: () => signJwt(key, claims({ iss: 'https://evil.example.com/' })),
    error: jwtErrors.JwtInvalidIssuerError,
  },
  { name: 'another audience', token: () => signJwt(key, claims({ aud: 'other' })), error: jwtErrors.JwtInvalidAudienceError },
  { name: 'no audience', token: () => signJwt(key, claims({ aud: undefined })), error: jwtErrors.JwtInvalidAudienceError },
  {
    name: 'any audience when audience is null',
    token: () => signJwt(key, claims({ aud: 'other' })),
    error: undefined,
    props: { audience: null },
  },
  {
    name: 'expired beyond the grace',
    token: () => signJwt(key, claims({ exp: nowSeconds() - GRACE - 5 })),
    error: jwtErrors.JwtExpiredError,
  },
  { name: 'expired within the grace', token: () => signJwt(key, claims({ exp: nowSeconds() - GRACE + 10 })), error: undefined },
  {
    name: 'not yet valid beyond the grace',
    token: () => signJwt(key, claims({ nbf: nowSeconds() + GRACE + 60 })),
    error: jwtErrors.JwtNotBeforeError,
  },
  { name: 'not yet valid within the grace', token: () => signJwt(key, claims({ nbf: nowSeconds() + GRACE - 10 })), error: undefined },
  {
    name: 'an alg other than the JWK alg',
    token: () => signJwt(key, claims(), { alg: 'RS384' }),
    error: jwtErrors.JwtInvalidSignatureAlgorithmError,
  },
  { name: 'a kid not in the JWKS', token: () => signJwt(key, claims(), { kid: 'k-unknown' }), error: jwtErrors.KidNotFoundInJwksError },
  { name: 'no kid', token: () => signJwt(key, claims(), `{"alg":"RS256","typ":"JWT"}`), error: jwtErrors.JwtWithoutValidKidError },
  {
    name: 'a token the custom check refuses (after the signature)',
    token: () => signJwt(key, claims({ sub: 'custom-refused' })),
    error: TokenError,
  },
];

describe('aws-jwt-verify contract (src/auth/verifiers.ts)', () => {
  it(`is the reviewed version, ${REVIEWED_VERSION}, pinned exactly`, () => {
    const installed = (JSON.parse(readFileSync('node_modules/aws-jwt-verify/package.json', 'utf8')) as { version: string }).version;
    assert.equal(installed, REVIEWED_VERSION, `aws-jwt-verify ${installed} is installed, ${REVIEWED_VERSION} was reviewed: ${REREVIEW}`);
    const pinned = (JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> }).dependencies[
      'aws-jwt-verify'
    ];
    assert.equal(pinned, REVIEWED_VERSION, `package.json must pin aws-jwt-verify to exactly ${REVIEWED_VERSION} (no range): ${REREVIEW}`);
  });

  it('still has the protected methods verifiers.ts calls, with (decomposedJwt, jwksUri, verifyProperties)', () => {
    const proto = JwtVerifier.prototype as unknown as Record<string, unknown>;
    for (const name of ['verifyDecomposedJwtSync', 'verifyDecomposedJwt']) {
      assert.equal(typeof proto[name], 'function', `JwtVerifier.prototype.${name} is gone: ${REREVIEW}`);
      assert.equal(
        (proto[name] as (...args: unknown[]) => unknown).length,
        3,
        `JwtVerifier.prototype.${name} changed its parameters: ${REREVIEW}`,
      );
    }
  });

  for (const c of CASES) {
    it(`treats ${c.name} as the public verify does${c.error ? ` (${c.error.name})` : ' (accepted)'}`, async () => {
      const p = props(c.props);
      const token = c.token();
      const jwt = precheckToken(token, 8192);
      const expected: Outcome | undefined = c.error === undefined ? undefined : { error: c.error.name };
      const publicAsync = await outcome(() => publicVerifier(p, cache()).verify(token));
      const publicSync = await outcome(() => publicVerifier(p, cache()).verifySync(token));
      const viaSubclass = await outcome(() => DecomposedJwtVerifier.build([p], cache()).verifyDecomposed(jwt, p));
      const protectedSync = await outcome(() => Probe.probe(p, cache()).sync(jwt, p));
      const protectedAsync = await outcome(() => Probe.probe(p, cache()).async(jwt, p));
      if (expected) assert.deepEqual(publicAsync, expected, `public verify(): ${REREVIEW}`);
      else assert.ok('payload' in publicAsync, `public verify() refused it (${JSON.stringify(publicAsync)}): ${REREVIEW}`);
      for (const [name, got] of [
        ['public verifySync()', publicSync],
        ['DecomposedJwtVerifier.verifyDecomposed', viaSubclass],
        ['protected verifyDecomposedJwtSync', protectedSync],
        ['protected verifyDecomposedJwt', protectedAsync],
      ] as const) {
        assert.deepEqual(got, publicAsync, `${name} differs from the public verify(): ${REREVIEW}`);
      }
    });
  }

  it('fetches a JWKS that is not cached yet on the async path, as the public verify does (the cold-start path)', async () => {
    const p = props();
    const token = signJwt(key, claims());
    const jwt = precheckToken(token, 8192);
    assert.deepEqual(
      await outcome(() => Probe.probe(p, cache(true)).sync(jwt, p)),
      { error: jwtErrors.JwksNotAvailableInCacheError.name },
      REREVIEW,
    );
    assert.deepEqual(
      await outcome(() => publicVerifier(p, cache(true)).verifySync(token)),
      { error: jwtErrors.JwksNotAvailableInCacheError.name },
      REREVIEW,
    );
    const viaSubclass = await outcome(() => DecomposedJwtVerifier.build([p], cache(true)).verifyDecomposed(jwt, p));
    assert.deepEqual(viaSubclass, await outcome(() => publicVerifier(p, cache(true)).verify(token)), REREVIEW);
    assert.ok('payload' in viaSubclass, REREVIEW);
  });
});
