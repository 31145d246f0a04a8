// Splits a compact JWS and checks its (yet unverified) protected header: ES256 only, a meshgate typ, kid, no crit.
import { invalid } from './errors.js';
import { ASSERTION_TYP, DELEGATED_ASSERTION_TYP } from './wire-format.js';

export interface UnverifiedJws {
  /** The protected header, parsed but not trusted until the signature checks out. */
  readonly unverifiedHeader: { readonly alg: 'ES256'; readonly kid: string };
  /** The header says {@link DELEGATED_ASSERTION_TYP} (A calling B for a caller), not a hop-0 assertion. */
  readonly delegated: boolean;
  /** `BASE64URL(header) || '.' || BASE64URL(payload)`: the bytes the signature covers (RFC 7515 §5.2). */
  readonly signingInput: string;
  readonly payloadB64: string;
  /** R || S, 64 bytes for P-256 (RFC 7518 §3.4). */
  readonly signature: Buffer;
}

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
// RFC 7515 §4.1.9: `application/` may be left out of a media type, so both spellings name the same type.
const TYPES = new Map([
  [ASSERTION_TYP, false],
  [`application/${ASSERTION_TYP}`, false],
  [DELEGATED_ASSERTION_TYP, true],
  [`application/${DELEGATED_ASSERTION_TYP}`, true],
]);

/** Parses base64url JSON that must be an object; `typeof` alone would let `null` and arrays through. */
export function decodeJsonObject(b64: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(b64, 'base64url').toString('utf8'));
  } catch {
    throw invalid('malformed', `${what} is not base64url JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('malformed', `${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/**
 * Decomposes a compact JWS and applies the header rules. The header names the key (`kid`) only: `jku`, `x5u`, `jwk`
 * and `x5c` are never read, so a token cannot choose where its key comes from.
 *
 * @example
 * // given: declare const value: string; // the x-identity-assertion header
 * const { unverifiedHeader, signingInput, signature } = decomposeUnverifiedJws(value);
 */
export function decomposeUnverifiedJws(token: string): UnverifiedJws {
  if (!COMPACT.test(token)) throw invalid('malformed', 'assertion is not a compact JWS');
  const [headerB64, payloadB64, signatureB64] = token.split('.') as [string, string, string];
  const header = decodeJsonObject(headerB64, 'JWS header');
  // Exactly one algorithm: `none`, HS* (key confusion with the public key) and RS*/PS* never reach a verifier.
  if (header.alg !== 'ES256') throw invalid('alg_not_allowed', `alg must be ES256, got ${JSON.stringify(header.alg)?.slice(0, 20)}`);
  // RFC 8725 §3.11 explicit typing: an ID token or access token signed by the same keys is not an assertion.
  const delegated = typeof header.typ === 'string' ? TYPES.get(header.typ.toLowerCase()) : undefined;
  if (delegated === undefined) throw invalid('typ_invalid', `typ must be ${ASSERTION_TYP} or ${DELEGATED_ASSERTION_TYP}`);
  if (typeof header.kid !== 'string' || header.kid.length === 0 || header.kid.length > 128)
    throw invalid('kid_missing', 'kid must be a non-empty string');
  // RFC 7515 §4.1.11: a recipient that does not understand a listed extension MUST reject the JWS; we understand none.
  if (header.crit !== undefined) throw invalid('crit_unsupported', 'crit header parameters are not supported');
  const signature = Buffer.from(signatureB64, 'base64url');
  if (signature.length !== 64) throw invalid('signature_invalid', 'ES256 signature must be 64 bytes');
  return {
    unverifiedHeader: { alg: 'ES256', kid: header.kid },
    delegated,
    signingInput: `${headerB64}.${payloadB64}`,
    payloadB64,
    signature,
  };
}
