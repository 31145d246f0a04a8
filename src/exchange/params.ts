// The token-exchange parameters of one request, checked: what is asked for, for which one request, by which actor.
import { ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT_TYPE, bodyDigest, canonicalQuery } from '@meshgate/consumer';
import { scopeTokens } from '../auth/identity';
import { refuse } from './oauth-error';

/** The one request the actor will make to the target, as the target will receive it. */
export interface BoundRequest {
  readonly method: string;
  /** The path exactly as sent (percent-encoding kept), without the query. */
  readonly path: string;
  /** {@link canonicalQuery} of the query pairs. */
  readonly canonicalQuery: string;
  /** base64url SHA-256 of the body; of no bytes when there is none. */
  readonly bodySha256: string;
}

export interface ExchangeParams {
  readonly subjectToken: string;
  /** The target's audience: the `aud` the new assertion gets. */
  readonly audience: string;
  /** Requested scopes; undefined = everything the rules allow. */
  readonly scopes: readonly string[] | undefined;
  readonly request: BoundRequest;
  /** A client-credentials access token, when the actor authenticates that way. */
  readonly actorToken: string | undefined;
}

const METHOD = /^[A-Z]{1,16}$/;
const DIGEST = /^[A-Za-z0-9_-]{43}$/;
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const MAX_TARGET = 4096;
const MAX_SCOPES = 64;

function required(form: ReadonlyMap<string, string>, name: string): string {
  const value = form.get(name);
  if (value === undefined) throw refuse('invalid_request', 'parameter_missing', `${name} is required`);
  return value;
}

/** A segment a server may resolve (`.`, `..`, their encodings) or read as a separator (`%2F`, `%5C`) is refused. */
function checkTargetPath(path: string): void {
  if (!path.startsWith('/') || path.startsWith('//'))
    throw refuse('invalid_request', 'target_malformed', 'request_target must be an origin-form path (starting with one /)');
  if (/[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/.test(path) || /%(?![0-9A-Fa-f]{2})/.test(path))
    throw refuse('invalid_request', 'target_malformed', 'request_target path must be percent-encoded (RFC 3986)');
  if (/%2f|%5c/i.test(path)) throw refuse('invalid_request', 'target_malformed', 'request_target path must not encode / or \\');
  for (const segment of path.split('/')) {
    const decoded = segment.replace(/%2e/gi, '.').split(';', 1)[0];
    if (decoded === '.' || decoded === '..') throw refuse('invalid_request', 'target_malformed', 'request_target path has a dot segment');
  }
}

/** Splits `request_target` into its path and canonical query, as the consumer recomputes them from what it receives. */
export function boundTarget(target: string): { path: string; canonicalQuery: string } {
  if (target.length > MAX_TARGET) throw refuse('invalid_request', 'target_malformed', `request_target is over ${MAX_TARGET} characters`);
  if (target.includes('#')) throw refuse('invalid_request', 'target_malformed', 'request_target must not have a fragment');
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  checkTargetPath(path);
  return { path, canonicalQuery: q === -1 ? '' : canonicalQuery(new URLSearchParams(target.slice(q + 1))) };
}

/**
 * Reads and checks the parameters (RFC 8693 §2.1 plus meshgate's request binding). Every failure is
 * `invalid_request`, except an unknown `grant_type` (`unsupported_grant_type`) and a malformed `scope` (`invalid_scope`).
 *
 * @example
 * // given: declare const form: Map<string, string>; // from parseTokenForm
 * const params = readExchangeParams(form);
 */
export function readExchangeParams(form: ReadonlyMap<string, string>): ExchangeParams {
  const grantType = required(form, 'grant_type');
  if (grantType !== TOKEN_EXCHANGE_GRANT_TYPE)
    throw refuse('unsupported_grant_type', 'grant_type', `grant_type must be ${TOKEN_EXCHANGE_GRANT_TYPE}`);
  const subjectToken = required(form, 'subject_token');
  if (required(form, 'subject_token_type') !== JWT_TOKEN_TYPE)
    throw refuse('invalid_request', 'subject_token_type', `subject_token_type must be ${JWT_TOKEN_TYPE}`);
  const audience = required(form, 'audience');
  if (form.has('resource'))
    throw refuse('invalid_request', 'resource_unsupported', 'name the target with audience (its service audience), not resource');
  const method = required(form, 'request_method');
  if (!METHOD.test(method)) throw refuse('invalid_request', 'method_malformed', 'request_method must be an HTTP method in upper case');
  const target = boundTarget(required(form, 'request_target'));
  const digest = form.get('body_sha256');
  if (digest !== undefined && !DIGEST.test(digest))
    throw refuse('invalid_request', 'body_digest_malformed', 'body_sha256 must be the base64url SHA-256 of the body (43 characters)');
  const actorToken = form.get('actor_token');
  const actorType = form.get('actor_token_type');
  if ((actorToken === undefined) !== (actorType === undefined))
    throw refuse('invalid_request', 'actor_token_type', 'actor_token and actor_token_type come together (RFC 8693 §2.1)');
  if (actorType !== undefined && actorType !== ACCESS_TOKEN_TYPE)
    throw refuse('invalid_request', 'actor_token_type', `actor_token_type must be ${ACCESS_TOKEN_TYPE}`);
  const scopeText = form.get('scope');
  let scopes: string[] | undefined;
  if (scopeText !== undefined) {
    scopes = scopeTokens(scopeText);
    if (
      scopes.length === 0 ||
      scopes.length > MAX_SCOPES ||
      !scopes.every((s) => SCOPE_TOKEN.test(s)) ||
      new Set(scopes).size !== scopes.length
    )
      throw refuse('invalid_scope', 'scope_malformed', 'scope must be distinct space-separated RFC 6749 scope tokens');
  }
  return {
    subjectToken,
    audience,
    scopes,
    request: { method, path: target.path, canonicalQuery: target.canonicalQuery, bodySha256: digest ?? bodyDigest(undefined) },
    actorToken,
  };
}
