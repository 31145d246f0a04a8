// Cheap structural checks on an unverified JWT, before any key lookup or signature work.
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import { TokenError } from '../errors';

/** Asymmetric algorithms only: `none` and HMAC (`HS*`) are never accepted, which closes the key-confusion attack. */
export const ALLOWED_ALGORITHMS: ReadonlySet<string> = new Set(['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'EdDSA']);

export const DEFAULT_MAX_TOKEN_BYTES = 8192;

export type DecomposedJwt = ReturnType<typeof decomposeUnverifiedJwt>;

const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** True when a JSON object text has the same member name twice at its top level. */
export function hasDuplicateTopLevelKeys(json: string): boolean {
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      while (j < json.length && json.charCodeAt(j) !== 0x22) j += json.charCodeAt(j) === 0x5c ? 2 : 1;
      if (depth === 1 && expectKey) {
        const key = JSON.parse(json.slice(i, j + 1)) as string;
        if (seen.has(key)) return true;
        seen.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth === 1) expectKey = true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    } else if (c === 0x2c /* , */ && depth === 1) {
      expectKey = true;
    }
  }
  return false;
}

function decodeSegment(b64url: string): string {
  return Buffer.from(b64url, 'base64url').toString('utf8');
}

/**
 * Decomposes an unverified JWT and rejects what must never reach signature checks:
 * oversize, not a 3-part JWS, `none`/HMAC algorithms, `crit` (RFC 7515 §4.1.11: a recipient that does not
 * understand a listed extension MUST reject the JWS; meshgate understands none), duplicate member names,
 * and a missing or non-numeric `exp`.
 * `jku`, `x5u`, `x5c` and `jwk` headers are left alone: keys only ever come from the configured JWKS URI.
 */
export function precheckToken(token: string, maxBytes: number): DecomposedJwt {
  if (token.length > maxBytes) throw new TokenError('token_too_large', `token is longer than ${maxBytes} bytes`);
  if (!JWS_SHAPE.test(token)) throw new TokenError('token_malformed', 'token is not a compact JWS (three base64url parts)');
  let jwt: DecomposedJwt;
  try {
    jwt = decomposeUnverifiedJwt(token);
  } catch (err) {
    throw new TokenError('token_malformed', 'token header or payload is not a JSON object', { cause: err });
  }
  if (hasDuplicateTopLevelKeys(decodeSegment(jwt.headerB64)) || hasDuplicateTopLevelKeys(decodeSegment(jwt.payloadB64))) {
    throw new TokenError('token_malformed', 'token header or payload repeats a member name');
  }
  const { header, payload } = jwt;
  if (typeof header.alg !== 'string' || !ALLOWED_ALGORITHMS.has(header.alg)) {
    throw new TokenError('token_alg_not_allowed', 'token algorithm is not an allowed asymmetric algorithm');
  }
  if ('crit' in header) throw new TokenError('token_crit_unsupported', 'token has a crit header; no extension is supported');
  if (payload.exp === undefined) throw new TokenError('token_exp_missing', 'token has no exp claim');
  if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) throw new TokenError('token_claim_invalid', 'exp is not a number');
  return jwt;
}
