// createAssertionVerifier: composes header read → JWS header rules → JWKS key → ES256 signature → claim rules.
import { verify as cryptoVerify } from 'node:crypto';
import { requestHash } from '../keys/assertion';
import { checkClaims, type TrustedIdentity } from './claims';
import { invalid } from './errors';
import { decodeJsonObject, decomposeUnverifiedJws } from './jws';
import { resolveOptions, type AssertionVerifierOptions } from './options';
import { RemoteJwks } from './remote-jwks';
import { readUntrustedAssertion, type HeadersLike } from './untrusted-header';

/** The request the assertion must belong to. `path` is the request path; a query string, if any, is ignored. */
export interface RequestToVerify {
  readonly method: string;
  readonly path: string;
  readonly headers: HeadersLike | undefined;
}

export interface AssertionVerifier {
  /** Resolves the caller's identity, or rejects with an {@link AssertionError}. */
  verify(request: RequestToVerify): Promise<TrustedIdentity>;
}

function pathOnly(path: string): string {
  // An absolute-form request target (`GET http://host/p`) names the same path as `/p`. The authority is cut off
  // as sent: `new URL()` would resolve `..` (a path the server routes differently) and throws on a bad host (500).
  const authority = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(path);
  const target = authority === null ? path : `/${path.slice(authority[0].length).replace(/^\//, '')}`;
  const q = target.search(/[?#]/);
  return q === -1 ? target : target.slice(0, q);
}

/**
 * Creates a verifier for meshgate's `x-identity-assertion`. `iss`, `aud` and the JWKS URI come from these options
 * only, never from a token. Create it once per process: it holds the JWKS cache.
 *
 * @example
 * const verifier = createAssertionVerifier({
 *   issuer: 'https://meshgate.example.com',
 *   audience: 'orders',
 *   jwksUri: 'https://meshgate.example.com/.well-known/jwks.json',
 * });
 * const identity = await verifier.verify({ method: req.method, path: req.url, headers: req.headers });
 */
export function createAssertionVerifier(options: AssertionVerifierOptions): AssertionVerifier {
  const cfg = resolveOptions(options);
  const jwks = new RemoteJwks({
    jwksUri: cfg.jwksUri,
    ...cfg.jwks,
    now: cfg.now,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    ...(options.onJwksFetch === undefined ? {} : { onFetch: options.onJwksFetch }),
  });
  return {
    async verify(request: RequestToVerify): Promise<TrustedIdentity> {
      const jws = decomposeUnverifiedJws(readUntrustedAssertion(request.headers));
      const key = await jwks.key(jws.unverifiedHeader.kid);
      const ok = cryptoVerify('sha256', Buffer.from(jws.signingInput), { key, dsaEncoding: 'ieee-p1363' }, jws.signature);
      if (!ok) throw invalid('signature_invalid', 'signature does not verify');
      const claims = decodeJsonObject(jws.payloadB64, 'JWS payload');
      return checkClaims(claims, {
        issuer: cfg.issuer,
        audiences: cfg.audiences,
        clockSkewSeconds: cfg.clockSkewSeconds,
        nowSeconds: Math.floor(cfg.now() / 1000),
        requestHash: requestHash(request.method, pathOnly(request.path)),
      });
    },
  };
}
