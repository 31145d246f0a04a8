// The assertion's wire format, shared by meshgate's signer and this verifier: header name, `typ`, lifetime, `req` and `body_sha256`.
import { createHash } from 'node:crypto';

/** The JWS `typ` of an identity assertion (RFC 8725 §3.11 explicit typing). */
export const ASSERTION_TYP = 'identity+jwt';
/** The request header meshgate forwards the assertion in. */
export const ASSERTION_HEADER = 'x-identity-assertion';
/**
 * The longest `x-identity-assertion` a consumer reads (characters). Compact assertions are ~1 KB; meshgate refuses to
 * forward a longer one (431 `headers_too_large`), so a valid identity never fails downstream on size alone.
 */
export const MAX_ASSERTION_LENGTH = 8192;
/** Assertions live at most this long (`exp - iat`, seconds). */
export const MAX_ASSERTION_TTL_SECONDS = 300;

const encodePair = ([name, value]: readonly [string, string]): string => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`;

/**
 * A decoded query as meshgate forwards it: each pair percent-encoded (RFC 3986, never `+`), in the order given.
 *
 * @example
 * queryString([['b', '2'], ['a', 'x y']]) // 'b=2&a=x%20y'
 */
export function queryString(pairs: Iterable<readonly [string, string]>): string {
  return Array.from(pairs, encodePair).join('&');
}

/**
 * The one canonical form of a decoded query: each pair percent-encoded (RFC 3986, never `+`), sorted by name,
 * values of one name kept in their order (their order can matter to the service). Two requests get the same
 * form exactly when a form-decoding parser (WHATWG `URLSearchParams`) reads the same pairs from them.
 *
 * @example
 * canonicalQuery([['b', '2'], ['a', 'x y']]) // 'a=x%20y&b=2'
 */
export function canonicalQuery(pairs: Iterable<readonly [string, string]>): string {
  return Array.from(pairs, encodePair).sort(byName).join('&');
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
 * requestHash('GET', '/orders/42', 'expand=items') // 'zjMsZLG-0r48emCw83ySf3L_PnVVkMkXrr3m-8HNdnc'
 */
export function requestHash(method: string, path: string, query = ''): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()} ${path}${query === '' ? '' : `?${query}`}`)
    .digest('base64url');
}

// Most requests have no body (every GET, every pre-minted assertion): their digest is one constant.
const EMPTY_BODY_DIGEST = createHash('sha256').digest('base64url');

/**
 * base64url(SHA-256(body)): binds an assertion to the body bytes it was issued with.
 *
 * @example
 * // No body: the digest of zero bytes.
 * bodyDigest(undefined) // '47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU'
 */
export function bodyDigest(body: Uint8Array | string | undefined): string {
  if (body === undefined) return EMPTY_BODY_DIGEST;
  return createHash('sha256').update(body).digest('base64url');
}

// Delegation across hops (RFC 8693 token exchange): the wire constants shared by the exchange and the consumer.

/** The JWS `typ` of a delegated assertion: distinct from {@link ASSERTION_TYP}, so a hop-0-only consumer refuses it. */
export const DELEGATED_ASSERTION_TYP = 'delegated-identity+jwt';
/** RFC 8693 §2.1 `grant_type`. */
export const TOKEN_EXCHANGE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** RFC 8693 §3 token type of a `subject_token` (a meshgate assertion) and of the issued delegated assertion. */
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
/** RFC 8693 §3 token type of an `actor_token` (an OAuth client-credentials access token). */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
/** No delegation chain is ever longer than this many actors, whatever an edge declares. */
export const MAX_DELEGATION_DEPTH = 5;
/** The header the ingress forwards pre-minted delegated assertions in (comma-separated compact JWSs, at most 4). */
export const PREMINT_HEADER = 'x-identity-delegations';
/** At most this many pre-minted delegated assertions travel with one request. */
export const MAX_PREMINTED_ASSERTIONS = 4;
