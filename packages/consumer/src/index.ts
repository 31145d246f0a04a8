// @meshgate/consumer: verify meshgate's x-identity-assertion in a Node service, and call the next one for the same caller.
// Entry point only; see README.md.
export { createAssertionVerifier } from './verifier.js';
export type { AssertionVerifier, RequestToVerify } from './verifier.js';
export type { AssertionVerifierOptions, PeerAudience } from './options.js';
export type { CallerClaims, TrustedIdentity, TrustedIdentityType } from './claims.js';
export type { Custody } from './custody.js';
export { latticeCallerOf, spiffeIdOf } from './peer.js';
export { createDelegationClient } from './delegation-client.js';
export type { DelegatedCall, DelegationClient, DelegationClientOptions } from './delegation-client.js';
export { DelegationError } from './exchange.js';
export type { DelegationErrorCode, FetchLike } from './exchange.js';
export { requestTargetHash } from './request-target.js';
export type { JwksFetchEvent } from './remote-jwks.js';
export type { HeadersLike } from './untrusted-header.js';
export { ASSERTION_ERROR_STATUS, AssertionError, ConfigError } from './errors.js';
export type { AssertionErrorCode } from './errors.js';
export { assertionMiddleware, identityFromRequest, problemFor, verifyRequest } from './node-http.js';
export type { RequestLike } from './node-http.js';
export { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, problemType } from './problem.js';
// The wire format and the bounded GET are also what meshgate's signer and authorizer use: one definition for both ends.
export {
  ASSERTION_HEADER,
  ASSERTION_TYP,
  ACCESS_TOKEN_TYPE,
  DELEGATED_ASSERTION_TYP,
  JWT_TOKEN_TYPE,
  MAX_ASSERTION_LENGTH,
  MAX_ASSERTION_TTL_SECONDS,
  MAX_DELEGATION_DEPTH,
  MAX_PREMINTED_ASSERTIONS,
  PREMINT_HEADER,
  TOKEN_EXCHANGE_GRANT_TYPE,
  bodyDigest,
  canonicalQuery,
  queryString,
  requestHash,
} from './wire-format.js';
export { HttpGetError, httpGet, isAllowedJwksUrl, isLoopbackHost } from './http-get.js';
export type { HttpGetFailure, HttpGetOptions } from './http-get.js';
