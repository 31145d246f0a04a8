// The authorizer context: flat strings and numbers only (API Gateway rejects nested values with a 500).
import { MeshgateError } from '../errors';
import { isScopeToken, MAX_CLAIM_ITEMS, type IdentityType, type VerifiedIdentity } from './identity';

/**
 * What the authorizer hands API Gateway, and what the ingress reads back. Lists travel as one JSON array text
 * each, which round-trips any string (commas, spaces, quotes, JSON-looking values): REST stringifies context
 * values and HTTP API keeps them, and a string is the same either way.
 */
export interface AuthorizerContext {
  readonly sub: string;
  readonly iss: string;
  readonly type: IdentityType;
  /** JSON array of scope tokens. Not named `scopes`: serverless offline overwrites that key with unverified data. */
  readonly scopesJson: string;
  /** JSON array of group names, exactly as the token carried them. */
  readonly groupsJson: string;
  readonly tenant: string;
  readonly clientId: string;
  readonly exp: number;
}

/** Flattens an identity into the authorizer context. Empty strings stand for absent values. */
export function toAuthorizerContext(identity: VerifiedIdentity): AuthorizerContext {
  return {
    sub: identity.sub,
    iss: identity.iss,
    type: identity.type,
    scopesJson: JSON.stringify(identity.scopes),
    groupsJson: JSON.stringify(identity.groups),
    tenant: identity.tenant ?? '',
    clientId: identity.clientId ?? '',
    exp: identity.exp,
  };
}

function field(ctx: Record<string, unknown>, name: string): string {
  const v = ctx[name];
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

function contextError(message: string): MeshgateError {
  return new MeshgateError('identity_missing', `authorizer context: ${message}`);
}

/**
 * A list as the authorizer wrote it: a string holding a JSON array of non-empty, well-formed strings. Anything
 * else (an array object, which API Gateway never delivers but serverless offline does; a separator-joined string)
 * is refused: the ingress never guesses what a list meant.
 */
function listField(ctx: Record<string, unknown>, name: 'scopesJson' | 'groupsJson'): string[] {
  const v = ctx[name];
  if (typeof v !== 'string') throw contextError(`${name} must be a JSON array text`);
  let list: unknown;
  try {
    list = JSON.parse(v);
  } catch {
    throw contextError(`${name} is not JSON`);
  }
  // The authorizer never emits more than the claim bound, nor anything its own claim rules refuse.
  if (!Array.isArray(list) || list.length > MAX_CLAIM_ITEMS)
    throw contextError(`${name} must be a JSON array of at most ${MAX_CLAIM_ITEMS} strings`);
  for (const item of list) {
    if (typeof item !== 'string' || item.length === 0 || !item.isWellFormed())
      throw contextError(`${name} must hold non-empty strings only`);
    if (name === 'scopesJson' && !isScopeToken(item)) throw contextError('a scope holds whitespace');
  }
  return list as string[];
}

/**
 * Reads an identity back from an authorizer context as API Gateway delivers it (values may arrive as strings).
 * Returns undefined when there is no subject or no issuer: the caller did not pass meshgate's authorizer.
 * Throws `identity_missing` when a list is not in the authorizer's own form.
 *
 * @example
 * fromAuthorizerContext({ sub: 'u1', iss: 'https://idp/', type: 'user', scopesJson: '["a"]', groupsJson: '["CN=x,DC=y"]', exp: '1' })
 */
export function fromAuthorizerContext(ctx: Record<string, unknown> | null | undefined): VerifiedIdentity | undefined {
  if (!ctx) return undefined;
  const sub = field(ctx, 'sub');
  const iss = field(ctx, 'iss');
  // meshgate's authorizer always sets both; without an issuer the assertion's src_iss would fail every consumer.
  if (sub === '' || iss === '') return undefined;
  const type = field(ctx, 'type');
  const exp = Number(field(ctx, 'exp'));
  return Object.freeze({
    sub,
    iss,
    type: type === 'service' ? 'service' : 'user',
    scopes: Object.freeze(listField(ctx, 'scopesJson')),
    groups: Object.freeze(listField(ctx, 'groupsJson')),
    tenant: field(ctx, 'tenant') || undefined,
    clientId: field(ctx, 'clientId') || undefined,
    exp: Number.isFinite(exp) ? exp : 0,
  });
}
