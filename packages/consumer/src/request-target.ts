// The `req` of a request target as a server receives it (`req.url`), computed the same way by the verifier and the client.
import { canonicalQuery, requestHash } from './wire-format.js';

/**
 * The request hash of a request target. An absolute-form target (`GET http://host/p`) names the same path as `/p`;
 * the authority is cut off as sent: `new URL()` would resolve `..` (a path the server routes differently) and
 * throws on a bad host (500). The query is read as pairs the way services read it (`URLSearchParams`).
 *
 * @example
 * requestTargetHash('GET', '/orders/42?expand=items') === requestHash('GET', '/orders/42', 'expand=items') // true
 */
export function requestTargetHash(method: string, requestTarget: string): string {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(requestTarget);
  const target = authority === null ? requestTarget : `/${requestTarget.slice(authority[0].length).replace(/^\//, '')}`;
  const end = target.search(/[?#]/);
  if (end === -1) return requestHash(method, target);
  const hash = target.indexOf('#', end);
  // A target whose first of `?` and `#` is `#` has hash === end: the slice is empty, no query.
  const query = target.slice(end + 1, hash === -1 ? undefined : hash);
  return requestHash(method, target.slice(0, end), canonicalQuery(new URLSearchParams(query)));
}
