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

/** Longest list claim (scopes, groups) accepted. */
export const MAX_CLAIM_ITEMS = 256;

// A lone surrogate has no UTF-8 form: header encoding would map it to U+FFFD, the same as a real U+FFFD.
function checkedString(claim: string, value: string): string {
  if (!value.isWellFormed()) throw new TokenError('token_claim_invalid', `claim ${claim} holds a lone surrogate (not valid Unicode)`);
  return value;
}

function optionalString(claim: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && value.length > 0) return checkedString(claim, value);
  throw new TokenError('token_claim_invalid', `claim ${claim} must be a non-empty string`);
}

/**
 * Groups exactly as the token carries them: a list of strings, or one string that is one group. Never split: a
 * group name may hold commas (an Active Directory DN) or spaces. Empty names are refused, so every list has one
 * unambiguous encoding downstream.
 */
function groupsOf(claim: string, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length > MAX_CLAIM_ITEMS || !list.every((v) => typeof v === 'string' && v.length > 0)) {
    throw new TokenError(
      'token_claim_invalid',
      `claim ${claim} must be a non-empty string or a list of at most ${MAX_CLAIM_ITEMS} non-empty strings`,
    );
  }
  for (const group of list as string[]) checkedString(claim, group);
  return list as string[];
}

// RFC 6749 §3.3: scope-token = 1*NQCHAR, so no whitespace and no control character inside a token.
const NOT_A_SCOPE_TOKEN = /[\s\x00-\x1f\x7f]/u;

/**
 * Whether a scope list item is one RFC 6749 scope token: non-empty, no whitespace, no control character. The
 * assertion's `scope` claim is space-delimited, so only such tokens survive it unsplit.
 *
 * @example
 * isScopeToken('orders:read') // true
 */
export function isScopeToken(token: string): boolean {
  return token.length > 0 && !NOT_A_SCOPE_TOKEN.test(token);
}

/**
 * A space-delimited scope string (RFC 6749 §3.3: `scope` of a token, an assertion or an exchange request) as its
 * tokens; runs of spaces separate nothing.
 *
 * @example
 * scopeTokens('orders:read  orders:write') // ['orders:read', 'orders:write']
 */
export function scopeTokens(text: string): string[] {
  return text.split(' ').filter((s) => s.length > 0);
}

function scopeToken(claim: string, token: unknown): string {
  if (typeof token !== 'string') throw new TokenError('token_scope_invalid', `claim ${claim} holds a non-string scope`);
  if (!isScopeToken(token))
    throw new TokenError(
      'token_scope_invalid',
      `claim ${claim} holds an empty scope, or one with whitespace or a control character (RFC 6749 §3.3)`,
    );
  return checkedString(claim, token);
}

function scopeList(claim: string, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  // The string form is space-delimited by definition (RFC 6749 §3.3, RFC 8693 §4.2); a list item is one token.
  const items = typeof value === 'string' ? scopeTokens(value) : value;
  if (!Array.isArray(items) || items.length > MAX_CLAIM_ITEMS)
    throw new TokenError('token_claim_invalid', `claim ${claim} must be a string or a list of at most ${MAX_CLAIM_ITEMS} strings`);
  return items.map((token) => scopeToken(claim, token));
}

/**
 * Scopes arrive as `scope` (space-separated, RFC 8693) or `scp` (a list, or a string, as Okta and Entra ID send).
 * A list item with whitespace is refused (`token_scope_invalid`), never split into scopes nobody granted.
 */
export function scopesOf(payload: JwtPayload): string[] {
  if (payload.scope !== undefined) return scopeList('scope', payload.scope);
  return scopeList('scp', payload.scp);
}

/**
 * Builds the identity from a verified payload, using the issuer's claim names.
 * A token is a `service` token when it was issued to a client for itself (client credentials):
 * `sub` equals the client id, Auth0's `<client>@clients` subject, or `gty: client-credentials`.
 *
 * @example
 * // given: declare const issuerConfig: IssuerConfig, verifiedPayload: JwtPayload;
 * const identity = identityFromClaims(issuerConfig, verifiedPayload);
 */
export function identityFromClaims(cfg: IssuerConfig, payload: JwtPayload): VerifiedIdentity {
  const sub = optionalString('sub', payload.sub);
  if (sub === undefined) throw new TokenError('token_claim_invalid', 'token has no sub claim');
  const clientId =
    optionalString(cfg.claims.clientId, payload[cfg.claims.clientId]) ??
    optionalString('azp', payload.azp) ??
    optionalString('cid', payload.cid) ??
    // Only Cognito issuers have a tokenUse (parseIssuers refuses it elsewhere).
    (cfg.tokenUse === 'id' ? optionalString('aud', payload.aud) : undefined);
  const isService = sub === clientId || sub.endsWith('@clients') || payload.gty === 'client-credentials';
  return Object.freeze({
    sub,
    iss: payload.iss as string,
    type: isService ? 'service' : 'user',
    scopes: Object.freeze(scopesOf(payload)),
    groups: Object.freeze(groupsOf(cfg.claims.groups, payload[cfg.claims.groups])),
    tenant: cfg.claims.tenant === undefined ? undefined : optionalString(cfg.claims.tenant, payload[cfg.claims.tenant]),
    clientId,
    exp: payload.exp as number,
  });
}
