// Checks a verified assertion's claims against the verifier's pinned configuration and the request being served.
import type { Custody } from './custody.js';
import { AssertionError, invalid } from './errors.js';
import { MAX_ASSERTION_TTL_SECONDS } from './wire-format.js';

export type TrustedIdentityType = 'user' | 'service' | 'iam';

/** The caller, as meshgate vouched for it in a verified assertion: the claims of the caller itself. */
export interface CallerClaims {
  readonly sub: string;
  readonly type: TrustedIdentityType;
  readonly scopes: readonly string[];
  readonly groups: readonly string[];
  readonly tenant: string | undefined;
  readonly clientId: string | undefined;
  /** Issuer of the caller's original credential (`aws:iam` for SigV4 callers). */
  readonly srcIss: string;
  /** meshgate's assertion id: log it, or keep a replay cache keyed on it. */
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
}

/** The caller, as meshgate vouched for it in a verified assertion, and the services it came through (if any). */
export interface TrustedIdentity extends CallerClaims, Custody {}

export interface ClaimExpectations {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly clockSkewSeconds: number;
  readonly nowSeconds: number;
  /** requestHash(method, path, canonical query) of the request being served. */
  readonly requestHash: string;
  /** bodyDigest of the body being served; undefined when the caller did not hand the body over. */
  readonly bodyDigest: string | undefined;
}

const TYPES: readonly string[] = ['user', 'service', 'iam'];
const MAX_LIST = 256;

function str(claims: Record<string, unknown>, name: string): string {
  const v = claims[name];
  if (typeof v !== 'string' || v.length === 0) throw invalid('claim_invalid', `claim ${name} must be a non-empty string`);
  return v;
}

function optionalStr(claims: Record<string, unknown>, name: string): string | undefined {
  const v = claims[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw invalid('claim_invalid', `claim ${name} must be a string`);
  return v;
}

function num(claims: Record<string, unknown>, name: string): number {
  const v = claims[name];
  // Number.isFinite is false for anything but a number, so it checks the type as well.
  if (!Number.isFinite(v)) throw invalid(`${name}_missing`, `claim ${name} must be a number`);
  return v as number;
}

function stringList(claims: Record<string, unknown>, name: string): string[] {
  const v = claims[name];
  if (v === undefined) return [];
  if (Array.isArray(v) && v.length <= MAX_LIST && v.every((s) => typeof s === 'string')) return [...v];
  throw invalid('claim_invalid', `claim ${name} must be a list of strings`);
}

/**
 * Applies the claim rules in order of what a caller can least fake: who signed (`iss`), for whom (`aud`), when
 * (`iat`, `exp`, lifetime), for which request (`req`, then `body_sha256` when the body is given), then the identity's
 * own shape.
 *
 * @example
 * // given: declare const verifiedClaims: Record<string, unknown>, issuer: string, nowSeconds: number, requestHash: string;
 * const identity = checkClaims(verifiedClaims, { issuer, audiences: ['orders'], clockSkewSeconds: 30, nowSeconds, requestHash, bodyDigest: undefined });
 */
export function checkClaims(claims: Record<string, unknown>, expected: ClaimExpectations): CallerClaims {
  if (claims.iss !== expected.issuer)
    throw new AssertionError('assertion_issuer_mismatch', 'iss_mismatch', 'assertion was not issued by the configured issuer');
  const auds: unknown = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
  if (!Array.isArray(auds) || !expected.audiences.some((a) => auds.includes(a)))
    throw new AssertionError('assertion_audience_mismatch', 'aud_mismatch', 'assertion is for another audience');

  const { nowSeconds: now, clockSkewSeconds: skew } = expected;
  const iat = num(claims, 'iat');
  const exp = num(claims, 'exp');
  if (exp - iat > MAX_ASSERTION_TTL_SECONDS)
    throw invalid('lifetime_too_long', `assertion lives longer than ${MAX_ASSERTION_TTL_SECONDS} s`);
  if (exp <= iat) throw invalid('lifetime_invalid', 'exp must be after iat');
  if (iat > now + skew) throw invalid('iat_in_future', 'assertion was issued in the future');
  if (claims.nbf !== undefined && num(claims, 'nbf') > now + skew) throw invalid('not_yet_valid', 'assertion is not valid yet');
  if (now >= exp + skew) throw new AssertionError('assertion_expired', 'expired', 'assertion has expired');

  if (claims.req !== expected.requestHash)
    throw new AssertionError(
      'assertion_request_mismatch',
      'req_mismatch',
      'assertion was issued for another request (method, path or query)',
    );
  const body = str(claims, 'body_sha256');
  if (expected.bodyDigest !== undefined && body !== expected.bodyDigest)
    throw new AssertionError('assertion_request_mismatch', 'body_mismatch', 'assertion was issued for another body');

  const type = str(claims, 'type');
  if (!TYPES.includes(type)) throw invalid('claim_invalid', 'claim type must be user, service or iam');
  const scope = optionalStr(claims, 'scope');
  return {
    sub: str(claims, 'sub'),
    type: type as TrustedIdentityType,
    scopes: Object.freeze(scope === undefined ? [] : scope.split(' ').filter((s) => s.length > 0)),
    groups: Object.freeze(stringList(claims, 'groups')),
    tenant: optionalStr(claims, 'tenant'),
    clientId: optionalStr(claims, 'client_id'),
    srcIss: str(claims, 'src_iss'),
    jti: str(claims, 'jti'),
    iat,
    exp,
  };
}
