// The identity assertion meshgate signs for upstream services: a compact ES256 JWS, `typ: identity+jwt`.
import { createHash, createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { IdentityType } from '../auth/identity';
import type { SigningKey } from './key-set';

export const ASSERTION_TYP = 'identity+jwt';
export const ASSERTION_HEADER = 'x-identity-assertion';
/** Assertions live at most this long (DESIGN: at most 5 minutes). */
export const MAX_ASSERTION_TTL_SECONDS = 300;

export interface AssertionClaims {
  readonly iss: string;
  readonly aud: string;
  readonly sub: string;
  readonly type: IdentityType;
  /** Space-separated scopes. */
  readonly scope: string;
  readonly groups: readonly string[];
  readonly tenant?: string;
  readonly client_id?: string;
  readonly src_iss: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
  /** {@link requestHash} of the request this assertion was issued for. */
  readonly req: string;
  /** {@link bodyDigest} of the exact body bytes forwarded (of no bytes when there is no body). */
  readonly body_sha256: string;
}

const encodePair = ([name, value]: readonly [string, string]): string => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`;

/**
 * The one canonical form of a decoded query: each pair percent-encoded (RFC 3986, never `+`), sorted by name,
 * values of one name kept in their order (their order can matter to the service). Two requests get the same
 * form exactly when a form-decoding parser (WHATWG `URLSearchParams`) reads the same pairs from them.
 *
 * @example
 * canonicalQuery([['b', '2'], ['a', 'x y']]) // 'a=x%20y&b=2'
 */
export function canonicalQuery(pairs: Iterable<readonly [string, string]>): string {
  const encoded = Array.from(pairs, encodePair);
  if (encoded.length > 1) encoded.sort(byName);
  return encoded.join('&');
}

// Compares the encoded names only (`=` never occurs in one), so `Array.prototype.sort`'s stability keeps value order.
function byName(a: string, b: string): number {
  const na = a.slice(0, a.indexOf('='));
  const nb = b.slice(0, b.indexOf('='));
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/**
 * Binds an assertion to one request: base64url(SHA-256("METHOD /path?canonical-query")), the path exactly as
 * forwarded upstream (a `?` in it is always percent-encoded) and {@link canonicalQuery} of its query, `?` left out
 * when the query is empty. A consumer recomputes it from the request it serves.
 *
 * @example
 * requestHash('GET', '/orders/42', 'expand=items') // 'k1v...'
 */
export function requestHash(method: string, path: string, query = ''): string {
  return createHash('sha256').update(`${method.toUpperCase()} ${path}${query === '' ? '' : `?${query}`}`).digest('base64url');
}

/**
 * base64url(SHA-256(body)): binds an assertion to the body bytes it was issued with.
 *
 * @example
 * bodyDigest(undefined) // '47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU' (no body: the digest of zero bytes)
 */
export function bodyDigest(body: Uint8Array | string | undefined): string {
  return createHash('sha256').update(body ?? '').digest('base64url');
}

// One randomBytes call per 256 ids: the per-call overhead (~2 µs) dominated assertion claims on the hot path.
let jtiPool = Buffer.alloc(0);
let jtiOffset = 0;

/** A 128-bit random assertion id (base64url). */
export function newJti(): string {
  if (jtiOffset + 16 > jtiPool.length) {
    jtiPool = randomBytes(16 * 256);
    jtiOffset = 0;
  }
  const id = jtiPool.toString('base64url', jtiOffset, jtiOffset + 16);
  jtiOffset += 16;
  return id;
}

// Per kid: the private KeyObject and the encoded protected header, both the same for every assertion.
const signers = new Map<string, { key: KeyObject; header: string }>();

function signerFor(key: SigningKey): { key: KeyObject; header: string } {
  let signer = signers.get(key.kid);
  if (signer === undefined) {
    signer = {
      key: createPrivateKey({ key: { ...key.privateJwk }, format: 'jwk' }),
      header: Buffer.from(JSON.stringify({ alg: 'ES256', typ: ASSERTION_TYP, kid: key.kid })).toString('base64url'),
    };
    if (signers.size > 8) signers.clear();
    signers.set(key.kid, signer);
  }
  return signer;
}

/**
 * Signs claims as a compact JWS with ES256 (`node:crypto`, IEEE P1363 signature encoding as RFC 7518 §3.4 requires).
 *
 * @example
 * const jws = signAssertion(claims, keySet.current);
 */
export function signAssertion(claims: AssertionClaims, key: SigningKey): string {
  const signer = signerFor(key);
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const input = `${signer.header}.${payload}`;
  const signature = sign('sha256', Buffer.from(input), { key: signer.key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}
