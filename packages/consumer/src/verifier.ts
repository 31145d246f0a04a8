// createAssertionVerifier: composes header read → JWS header rules → JWKS key → ES256 signature → claim rules → custody.
import { verify as cryptoVerify } from 'node:crypto';
import { checkClaims, type TrustedIdentity } from './claims.js';
import { delegatedCustody, directCustody } from './custody.js';
import { ConfigError, invalid, refused } from './errors.js';
import { decodeJsonObject, decomposeUnverifiedJws } from './jws.js';
import { resolveOptions, type AssertionVerifierOptions } from './options.js';
import { RemoteJwks } from './remote-jwks.js';
import { readUntrustedAssertion, type HeadersLike } from './untrusted-header.js';
import { requestTargetHash } from './request-target.js';
import { bodyDigest } from './wire-format.js';

/** The request the assertion must belong to. */
export interface RequestToVerify {
  readonly method: string;
  /** The request target as received (`req.url`): path and query string, both bound by the assertion's `req`. */
  readonly path: string;
  readonly headers: HeadersLike | undefined;
  /** The body bytes as received. When given, they must be the bytes meshgate forwarded (`body_sha256`). */
  readonly body?: Uint8Array | string;
  /**
   * The transport identity of the peer the request came from, when the service knows it: the SPIFFE id of its mTLS
   * client certificate ({@link spiffeIdOf}), or the VPC Lattice caller ({@link latticeCallerOf}). A delegated call's
   * actor must then be the service `peerAudience` maps it to.
   */
  readonly peer?: string;
}

export interface AssertionVerifier {
  /** Resolves the caller's identity, or rejects with an {@link AssertionError}. */
  verify(request: RequestToVerify): Promise<TrustedIdentity>;
}

/**
 * Creates a verifier for meshgate's `x-identity-assertion`. `iss`, `aud` and the JWKS URI come from these options
 * only, never from a token. Create it once per process: it holds the JWKS cache. Delegated assertions (service A
 * calling this one for the caller) are verified only from the actors listed in `acceptActors`.
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
    ca: options.ca,
    onFetch: options.onJwksFetch,
  });
  const checkPeer = (peer: string, actor: string): void => {
    if (cfg.peerAudience === undefined) throw new ConfigError('peerAudience', 'must be set to check a request peer');
    const service = cfg.peerAudience(peer);
    if (service === undefined) throw refused('peer_unknown', 'the peer is no known service');
    if (service !== actor) throw refused('peer_mismatch', 'the actor is not the peer the request came from');
  };
  return {
    async verify(request: RequestToVerify): Promise<TrustedIdentity> {
      const jws = decomposeUnverifiedJws(readUntrustedAssertion(request.headers));
      // Refused before any key is fetched: a hop-0-only service never reads a delegated assertion as a direct call.
      if (jws.delegated && cfg.acceptActors === undefined)
        throw refused('delegation_not_accepted', 'this service accepts no delegated assertions (acceptActors is not set)');
      const key = await jwks.key(jws.unverifiedHeader.kid);
      const ok = cryptoVerify('sha256', Buffer.from(jws.signingInput), { key, dsaEncoding: 'ieee-p1363' }, jws.signature);
      if (!ok) throw invalid('signature_invalid', 'signature does not verify');
      const claims = decodeJsonObject(jws.payloadB64, 'JWS payload');
      const caller = checkClaims(claims, {
        issuer: cfg.issuer,
        audiences: cfg.audiences,
        clockSkewSeconds: cfg.clockSkewSeconds,
        nowSeconds: Math.floor(cfg.now() / 1000),
        requestHash: requestTargetHash(request.method, request.path),
        bodyDigest: request.body === undefined ? undefined : bodyDigest(request.body),
      });
      const custody = jws.delegated
        ? delegatedCustody(claims, { audiences: cfg.audiences, acceptActors: cfg.acceptActors })
        : directCustody(claims, caller.jti);
      if (custody.actor !== undefined && request.peer !== undefined) checkPeer(request.peer, custody.actor);
      return Object.freeze({ ...caller, ...custody });
    },
  };
}
