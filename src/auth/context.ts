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

// serverless offline (REST) overwrites `scopes` with a list it decodes, unverified, from the same bearer token the
// authorizer just verified; API Gateway always delivers our space-joined string.
function scopesField(ctx: Record<string, unknown>): string[] {
  const v = ctx.scopes;
  if (Array.isArray(v)) return v.filter((s): s is string => typeof s === 'string' && s.length > 0);
  return field(ctx, 'scopes').split(' ').filter(Boolean);
}

/**
 * Reads an identity back from an authorizer context as API Gateway delivers it (values may arrive as strings).
 * Returns undefined when there is no subject or no issuer: the caller did not pass meshgate's authorizer.
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
    scopes: Object.freeze(scopesField(ctx)),
    groups: Object.freeze(field(ctx, 'groups').split(',').filter(Boolean)),
    tenant: field(ctx, 'tenant') || undefined,
    clientId: field(ctx, 'clientId') || undefined,
    exp: Number.isFinite(exp) ? exp : 0,
  });
}
