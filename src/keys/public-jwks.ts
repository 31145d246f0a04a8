// The public JWKS document: built from a key set for publishing, and checked strictly before it is served.
import { MeshgateError } from '../errors';
import { isPlainObject } from '../config/check';
import { thumbprint, type PublicJwk } from './key-set';

/** The JWKS document meshgate publishes: ES256 P-256 public keys only. */
export interface PublicJwks {
  readonly keys: readonly PublicJwk[];
}

/** Members that carry private key material in any JWK type (RFC 7518 §6.2.2, §6.3.2, §6.4.1). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
const PUBLIC_MEMBERS = ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'];
/** current, next and previous. */
const MAX_KEYS = 3;

function invalid(message: string, details?: Record<string, unknown>): MeshgateError {
  return new MeshgateError('key_set_unavailable', `public JWKS is invalid: ${message}`, { details });
}

/** True when the error is `parsePublicJwks` refusing private key material (the caller logs it as an incident). */
export function isPrivateMaterialError(err: unknown): boolean {
  return err instanceof MeshgateError && typeof err.details.privateMember === 'string';
}

function parseKey(path: string, value: unknown): PublicJwk {
  if (!isPlainObject(value)) throw invalid(`${path} is not a JWK`);
  const secret = PRIVATE_MEMBERS.find((m) => m in value);
  if (secret !== undefined) throw invalid(`${path} holds private key material (member "${secret}")`, { privateMember: secret });
  const extra = Object.keys(value).find((m) => !PUBLIC_MEMBERS.includes(m));
  if (extra !== undefined) throw invalid(`${path} has an unexpected member "${extra.slice(0, 16)}"`);
  const b64 = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9_-]{43}$/.test(v);
  const { kty, crv, x, y, kid, alg, use } = value;
  if (kty !== 'EC' || crv !== 'P-256' || !b64(x) || !b64(y)) throw invalid(`${path} is not a P-256 public JWK`);
  if (alg !== 'ES256' || use !== 'sig') throw invalid(`${path} must have alg ES256 and use sig`);
  if (kid !== thumbprint({ crv, x, y })) throw invalid(`${path}.kid does not match the key's thumbprint`);
  return { kty, crv, x, y, kid, alg, use };
}

/**
 * Parses a stored public JWKS and rebuilds it from the public members only. Refuses a document with any private
 * member (`d`, …), an unknown member, a non-P-256 key, a `kid` that is not the key's thumbprint, or more than
 * three keys. Errors are `key_set_unavailable` and name the member, never a value.
 *
 * @example
 * // given: declare const secretString: string; // the public-JWKS secret's value
 * const jwks = parsePublicJwks(secretString); // { keys: [{ kty: 'EC', crv: 'P-256', x, y, kid, alg: 'ES256', use: 'sig' }, ...] }
 */
export function parsePublicJwks(text: string): PublicJwks {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw invalid('not JSON');
  }
  if (!isPlainObject(value) || !Array.isArray(value.keys)) throw invalid('must be an object with a "keys" list');
  const extra = Object.keys(value).find((m) => m !== 'keys');
  if (extra !== undefined) throw invalid(`unexpected member "${extra.slice(0, 16)}"`);
  if (value.keys.length === 0 || value.keys.length > MAX_KEYS) throw invalid(`"keys" must hold 1 to ${MAX_KEYS} keys`);
  const keys = value.keys.map((k, i) => parseKey(`keys[${i}]`, k));
  if (new Set(keys.map((k) => k.kid)).size !== keys.length) throw invalid('a kid appears twice');
  return { keys };
}
