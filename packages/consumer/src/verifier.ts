// createAssertionVerifier: composes header read → JWS header rules → JWKS key → ES256 signature → claim rules.
import { verify as cryptoVerify } from 'node:crypto';
import { checkClaims, type TrustedIdentity } from './claims.js';
import { invalid } from './errors.js';
import { decodeJsonObject, decomposeUnverifiedJws } from './jws.js';
import { resolveOptions, type AssertionVerifierOptions } from './options.js';
import { RemoteJwks } from './remote-jwks.js';
import { readUntrustedAssertion, type HeadersLike } from './untrusted-header.js';
import { bodyDigest, canonicalQuery, requestHash } from './wire-format.js';

/** The request the assertion must belong to. */
export interface RequestToVerify {
  readonly method: string;
  /** The request target as received (`req.url`): path and query string, both bound by the assertion's `req`. */
  readonly path: string;
  readonly headers: HeadersLike | undefined;
  /** The body bytes as received. When given, they must be the bytes meshgate forwarded (`body_sha256`). */
  readonly body?: Uint8Array | string;
}

export interface AssertionVerifier {
  /** Resolves the caller's identity, or rejects with an {@link AssertionError}. */
  verify(request: RequestToVerify): Promise<TrustedIdentity>;
}

/**
 * The request hash of a request target. An absolute-form target (`GET http://host/p`) names the same path as `/p`;
 * the authority is cut off as sent: `new URL()` would resolve `..` (a path the server routes differently) and
 * throws on a bad host (500). The query is read as pairs the way services read it (`URLSearchParams`).
 */
function requestHashOf(method: string, requestTarget: string): string {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(requestTarget);
  const target = authority === null ? requestTarget : `/${requestTarget.slice(authority[0].length).replace(/^\//, '')}`;
  const end = target.search(/[?#]/);
  if (end === -1) return requestHash(method, target);
  const hash = target.indexOf('#', end);
  const query = target[end] === '?' ? target.slice(end + 1, hash === -1 ? undefined : hash) : '';
  return requestHash(method, target.slice(0, end), canonicalQuery(new URLSearchParams(query)));
}

/**
 * Creates a verifier for meshgate's `x-identity-assertion`. `iss`, `aud` and the JWKS URI come from these options
 * only, never from a token. Create it once per process: it holds the JWKS cache.
 *
 * @example
 * // given: import type { IncomingMessage } from 'node:http';
 * // given: declare const req: IncomingMessage;
 * const verifier = createAssertionVerifier({
 *   issuer: 'https://meshgate.example.com',
 *   audience: 'orders',
 *   jwksUri: 'https://meshgate.example.com/.well-known/jwks.json',
 * });
 * const identity = await verifier.verify({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers });
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
        requestHash: requestHashOf(request.method, request.path),
        bodyDigest: request.body === undefined ? undefined : bodyDigest(request.body),
      });
    },
  };
}
