// Verified claims → the identity meshgate passes on (subject, type, scopes, groups, tenant, client).
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { TokenError } from '../errors';
import type { IssuerConfig } from '../config/issuers';

export type IdentityType = 'user' | 'service' | 'iam';

/** An identity whose credential meshgate (or API Gateway, for IAM) has verified. */
export interface VerifiedIdentity {
  readonly sub: string;
  /** Issuer of the original credential (`aws:iam` for SigV4 callers). */
  readonly iss: string;
  readonly type: IdentityType;
  readonly scopes: readonly string[];
  readonly groups: readonly string[];
  readonly tenant: string | undefined;
  readonly clientId: string | undefined;
  /** Expiry of the credential, epoch seconds (0 when unknown, e.g. IAM). */
  readonly exp: number;
}

const MAX_CLAIM_ITEMS = 256;

function stringList(claim: string, value: unknown, separator: RegExp): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.split(separator).filter((s) => s.length > 0);
  if (Array.isArray(value) && value.length <= MAX_CLAIM_ITEMS && value.every((v) => typeof v === 'string')) return value as string[];
  throw new TokenError('token_claim_invalid', `claim ${claim} must be a string or a list of strings`);
}

function optionalString(claim: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && value.length > 0) return value;
  throw new TokenError('token_claim_invalid', `claim ${claim} must be a non-empty string`);
}

/** Scopes arrive as `scope` (space-separated, RFC 8693) or `scp` (a list, or a string, as Okta and Entra ID send). */
export function scopesOf(payload: JwtPayload): string[] {
  if (payload.scope !== undefined) return stringList('scope', payload.scope, / +/);
  return stringList('scp', payload.scp, / +/);
}

/**
 * Builds the identity from a verified payload, using the issuer's claim names.
 * A token is a `service` token when it was issued to a client for itself (client credentials):
 * `sub` equals the client id, Auth0's `<client>@clients` subject, or `gty: client-credentials`.
 *
 * @example
 * const identity = identityFromClaims(issuerConfig, verifiedPayload);
 */
export function identityFromClaims(cfg: IssuerConfig, payload: JwtPayload): VerifiedIdentity {
  const sub = optionalString('sub', payload.sub);
  if (sub === undefined) throw new TokenError('token_claim_invalid', 'token has no sub claim');
  const clientId =
    optionalString(cfg.claims.clientId, payload[cfg.claims.clientId]) ??
    optionalString('azp', payload.azp) ??
    optionalString('cid', payload.cid) ??
    (cfg.kind === 'cognito' && cfg.tokenUse === 'id' ? optionalString('aud', payload.aud) : undefined);
  const isService = (clientId !== undefined && sub === clientId) || sub.endsWith('@clients') || payload.gty === 'client-credentials';
  return Object.freeze({
    sub,
    iss: payload.iss as string,
    type: isService ? 'service' : 'user',
    scopes: Object.freeze(scopesOf(payload)),
    groups: Object.freeze(stringList(cfg.claims.groups, payload[cfg.claims.groups], /[ ,]+/)),
    tenant: cfg.claims.tenant === undefined ? undefined : optionalString(cfg.claims.tenant, payload[cfg.claims.tenant]),
    clientId,
    exp: payload.exp as number,
  });
}
