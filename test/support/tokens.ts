// Test keys and hand-built JWTs (real crypto, no libraries), including deliberately broken ones.
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

export interface TestKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256';
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly jwk: Record<string, string>;
}

export function rsaKey(kid: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid,
    alg: 'RS256',
    privateKey,
    publicKey,
    jwk: { ...(publicKey.export({ format: 'jwk' }) as Record<string, string>), kid, alg: 'RS256', use: 'sig' },
  };
}

export function ecKey(kid: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    kid,
    alg: 'ES256',
    privateKey,
    publicKey,
    jwk: { ...(publicKey.export({ format: 'jwk' }) as Record<string, string>), kid, alg: 'ES256', use: 'sig' },
  };
}

export const b64url = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Signs header and payload exactly as given (raw JSON text allowed, to build duplicate-key tokens). */
export function signJwt(key: TestKey, payload: Record<string, unknown> | string, header: Record<string, unknown> | string = {}): string {
  const h = typeof header === 'string' ? header : JSON.stringify({ alg: key.alg, typ: 'JWT', kid: key.kid, ...header });
  const input = `${b64url(h)}.${b64url(payload)}`;
  const sig = sign('sha256', Buffer.from(input), key.alg === 'ES256' ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' } : key.privateKey);
  return `${input}.${sig.toString('base64url')}`;
}

/** HS256 "signed" with bytes the attacker knows, e.g. the RSA public key in PEM (key confusion). */
export function hmacJwt(secret: string | Buffer, payload: Record<string, unknown>, header: Record<string, unknown>): string {
  const input = `${b64url({ alg: 'HS256', typ: 'JWT', ...header })}.${b64url(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export function unsignedJwt(alg: string, payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  return `${b64url({ alg, typ: 'JWT', ...header })}.${b64url(payload)}.`;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
