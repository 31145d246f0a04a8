// The signing key set: current (signs), next (published, signs after the next rotation), previous (verifies old assertions).
import { createHash, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { MeshgateError } from '../errors';
import { isPlainObject } from '../config/check';

/** A P-256 private key in JWK form, with its RFC 7638 thumbprint as `kid`. */
export interface SigningKey {
  readonly kid: string;
  readonly privateJwk: Readonly<JsonWebKey> & {
    readonly kty: 'EC';
    readonly crv: 'P-256';
    readonly x: string;
    readonly y: string;
    readonly d: string;
  };
  /** ISO 8601 time the key was generated. */
  readonly createdAt: string;
}

export interface SigningKeySet {
  readonly version: 1;
  readonly current: SigningKey;
  readonly next: SigningKey;
  readonly previous: SigningKey | undefined;
}

/** A public JWK as published in the JWKS. */
export interface PublicJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
  readonly kid: string;
  readonly alg: 'ES256';
  readonly use: 'sig';
}

/** RFC 7638 thumbprint of an EC public key: SHA-256 over the required members in lexicographic order. */
export function thumbprint(jwk: { crv: string; x: string; y: string }): string {
  return createHash('sha256')
    .update(JSON.stringify({ crv: jwk.crv, kty: 'EC', x: jwk.x, y: jwk.y }))
    .digest('base64url');
}

export function generateSigningKey(now: Date = new Date()): SigningKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' }) as SigningKey['privateJwk'];
  const privateJwk = { kty: 'EC' as const, crv: 'P-256' as const, x: jwk.x, y: jwk.y, d: jwk.d };
  return { kid: thumbprint(privateJwk), privateJwk, createdAt: now.toISOString() };
}

/** A fresh key set: a current key and a next key, no previous. */
export function newKeySet(now: Date = new Date()): SigningKeySet {
  return { version: 1, current: generateSigningKey(now), next: generateSigningKey(now), previous: undefined };
}

/** One rotation: next becomes current, current becomes previous, and a fresh next is generated. */
export function rotateKeySet(set: SigningKeySet, now: Date = new Date()): SigningKeySet {
  return { version: 1, previous: set.current, current: set.next, next: generateSigningKey(now) };
}

export function publicJwk(key: SigningKey): PublicJwk {
  const { x, y } = key.privateJwk;
  return { kty: 'EC', crv: 'P-256', x, y, kid: key.kid, alg: 'ES256', use: 'sig' };
}

/** The JWKS to publish: current, next and previous keys (public parts only). */
export function publicJwks(set: SigningKeySet): { keys: PublicJwk[] } {
  return { keys: [set.current, set.next, set.previous].filter((k): k is SigningKey => k !== undefined).map(publicJwk) };
}

function parseKey(path: string, value: unknown): SigningKey {
  if (!isPlainObject(value) || !isPlainObject(value.privateJwk)) throw invalid(`${path} is not a signing key`);
  const j = value.privateJwk;
  const b64 = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9_-]{43}$/.test(v);
  if (j.kty !== 'EC' || j.crv !== 'P-256' || !b64(j.x) || !b64(j.y) || !b64(j.d))
    throw invalid(`${path}.privateJwk is not a P-256 private JWK`);
  const privateJwk = { kty: 'EC' as const, crv: 'P-256' as const, x: j.x, y: j.y, d: j.d };
  const kid = thumbprint(privateJwk);
  if (value.kid !== kid) throw invalid(`${path}.kid does not match the key's thumbprint`);
  const createdAt = typeof value.createdAt === 'string' ? value.createdAt : new Date(0).toISOString();
  return { kid, privateJwk, createdAt };
}

function invalid(message: string): MeshgateError {
  return new MeshgateError('key_set_unavailable', `signing key set is invalid: ${message}`);
}

/** Parses and checks a stored key set (JSON text or object). Error messages never include key material. */
export function parseKeySet(input: unknown): SigningKeySet {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input) as unknown;
    } catch {
      throw invalid('not JSON');
    }
  }
  if (!isPlainObject(value) || value.version !== 1) throw invalid('version must be 1');
  const set: SigningKeySet = {
    version: 1,
    current: parseKey('current', value.current),
    next: parseKey('next', value.next),
    previous: value.previous === undefined || value.previous === null ? undefined : parseKey('previous', value.previous),
  };
  if (set.current.kid === set.next.kid) throw invalid('current and next must be different keys');
  return set;
}

export function serializeKeySet(set: SigningKeySet): string {
  return JSON.stringify(set);
}
