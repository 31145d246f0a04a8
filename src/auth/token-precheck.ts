// Cheap structural checks on an unverified JWT, before any key lookup or signature work.
import type { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import { TokenError } from '../errors';

/** Asymmetric algorithms only: `none` and HMAC (`HS*`) are never accepted, which closes the key-confusion attack. */
export const ALLOWED_ALGORITHMS: ReadonlySet<string> = new Set(['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'EdDSA']);

export const DEFAULT_MAX_TOKEN_BYTES = 8192;

export type DecomposedJwt = ReturnType<typeof decomposeUnverifiedJwt>;

const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Names of the top-level members of a valid JSON object text (callers parse it first), or undefined when one repeats (RFC 7515 §4: a JWS
 * with duplicate header names MUST be rejected or parsed strictly; JSON.parse would silently keep the last).
 */
export function topLevelKeys(json: string): string[] | undefined {
  // A list, not a Set: JWT members are few, and a linear search beats hashing at that size.
  const seen: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      while (j < json.length && json.charCodeAt(j) !== 0x22) {
        if (json.charCodeAt(j) === 0x5c) {
          escaped = true;
          j++;
        }
        j++;
      }
      if (depth === 1 && expectKey) {
        const key = escaped ? (JSON.parse(json.slice(i, j + 1)) as string) : json.slice(i + 1, j);
        if (seen.includes(key)) return undefined;
        seen.push(key);
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
  return seen;
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
  const [headerB64, payloadB64, signatureB64] = token.split('.') as [string, string, string];
  const header = parseMember('header', decodeSegment(headerB64));
  const payload = parseMember('payload', decodeSegment(payloadB64));
  // A non-string alg is never in the set.
  if (!ALLOWED_ALGORITHMS.has(header.alg as string)) {
    throw new TokenError('token_alg_not_allowed', 'token algorithm is not an allowed asymmetric algorithm');
  }
  if ('crit' in header) throw new TokenError('token_crit_unsupported', 'token has a crit header; no extension is supported');
  if (header.kid !== undefined && typeof header.kid !== 'string') throw new TokenError('token_malformed', 'kid must be a string');
  if (payload.exp === undefined) throw new TokenError('token_exp_missing', 'token has no exp claim');
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    const v = payload[claim];
    // Number.isFinite is false for anything but a finite number (1e400 parses to Infinity: a token that never expires).
    if (v !== undefined && !Number.isFinite(v)) throw new TokenError('token_malformed', `${claim} is not a number`);
  }
  for (const claim of ['iss', 'sub', 'scope'] as const) {
    if (payload[claim] !== undefined && typeof payload[claim] !== 'string')
      throw new TokenError('token_malformed', `${claim} is not a string`);
  }
  const aud = payload.aud;
  if (aud !== undefined && typeof aud !== 'string' && !(Array.isArray(aud) && aud.every((a) => typeof a === 'string'))) {
    throw new TokenError('token_malformed', 'aud is not a string or a list of strings');
  }
  return { header, headerB64, payload, payloadB64, signatureB64 } as DecomposedJwt;
}

// One JSON.parse per member, no reviver: duplicates are found by a key scan of the text JSON.parse accepted as an
// object (JSON.parse would silently keep the last), which is cheaper here than aws-jwt-verify's reviver-based parse or
// a re-serialisation check.
function parseMember(part: 'header' | 'payload', text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TokenError('token_malformed', `token ${part} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TokenError('token_malformed', `token ${part} is not a JSON object`);
  if (topLevelKeys(text) === undefined) throw new TokenError('token_malformed', `token ${part} repeats a member name`);
  if (Object.hasOwn(value, '__proto__') || Object.hasOwn(value, 'constructor'))
    throw new TokenError('token_malformed', `token ${part} has a forbidden member name`);
  return value as Record<string, unknown>;
}
