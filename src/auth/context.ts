// The authorizer context: flat strings and numbers only (API Gateway rejects nested values with a 500).
import type { IdentityType, VerifiedIdentity } from './identity';

/** What the authorizer hands API Gateway, and what the ingress reads back. */
export interface AuthorizerContext {
  readonly sub: string;
  readonly iss: string;
  readonly type: IdentityType;
  /** Space-joined scopes. */
  readonly scopes: string;
  /** Comma-joined groups. */
  readonly groups: string;
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
    scopes: identity.scopes.join(' '),
    groups: identity.groups.join(','),
    tenant: identity.tenant ?? '',
    clientId: identity.clientId ?? '',
    exp: identity.exp,
  };
}

function field(ctx: Record<string, unknown>, name: string): string {
  const v = ctx[name];
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

/**
 * Reads an identity back from an authorizer context as API Gateway delivers it (values may arrive as strings).
 * Returns undefined when there is no subject: the caller did not pass the authorizer.
 */
export function fromAuthorizerContext(ctx: Record<string, unknown> | null | undefined): VerifiedIdentity | undefined {
  if (!ctx) return undefined;
  const sub = field(ctx, 'sub');
  if (sub === '') return undefined;
  const type = field(ctx, 'type');
  const exp = Number(field(ctx, 'exp'));
  return Object.freeze({
    sub,
    iss: field(ctx, 'iss'),
    type: type === 'service' ? 'service' : 'user',
    scopes: Object.freeze(field(ctx, 'scopes').split(' ').filter(Boolean)),
    groups: Object.freeze(field(ctx, 'groups').split(',').filter(Boolean)),
    tenant: field(ctx, 'tenant') || undefined,
    clientId: field(ctx, 'clientId') || undefined,
    exp: Number.isFinite(exp) ? exp : 0,
  });
}
