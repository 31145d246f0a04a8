// meshgate/consumer: verify meshgate's x-identity-assertion in a Node service. Entry point only; see docs/consumer.md.
export { createAssertionVerifier } from './verifier';
export type { AssertionVerifier, RequestToVerify } from './verifier';
export type { AssertionVerifierOptions } from './options';
export type { TrustedIdentity, TrustedIdentityType } from './claims';
export type { JwksFetchEvent } from './remote-jwks';
export type { HeadersLike } from './untrusted-header';
export { AssertionError } from './errors';
export type { AssertionErrorCode } from './errors';
export { assertionMiddleware, identityFromRequest, problemFor, verifyRequest } from './node-http';
export type { RequestLike } from './node-http';
export { ASSERTION_HEADER } from '../keys/assertion';
