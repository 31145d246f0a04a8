// Test signing keys and a minimal ES256 signer, so the package's tests need nothing of meshgate (the root's
// test/consumer/package.test.ts verifies assertions signed by meshgate's own signer).
import { createPrivateKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { ASSERTION_TYP, DELEGATED_ASSERTION_TYP, bodyDigest, requestHash } from '../../src/index.js';

export interface TestKey {
  readonly kid: string;
  readonly privateJwk: { readonly kty: string; readonly crv: string; readonly x: string; readonly y: string; readonly d: string };
}

/** A published set as meshgate keeps it: the key signing now, the next one, and (after a rotation) the previous one. */
export interface TestKeySet {
  readonly current: TestKey;
  readonly next: TestKey;
  readonly previous?: TestKey;
}

export type Claims = Record<string, unknown>;

export const ISSUER = 'https://meshgate.example.com';
export const AUDIENCE = 'orders';

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
export const b64 = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

export function generateSigningKey(): TestKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid: randomUUID(), privateJwk: privateKey.export({ format: 'jwk' }) as TestKey['privateJwk'] };
}

export const newKeySet = (): TestKeySet => ({ current: generateSigningKey(), next: generateSigningKey() });
export const rotateKeySet = (set: TestKeySet): TestKeySet => ({ previous: set.current, current: set.next, next: generateSigningKey() });

export function publicJwk(key: TestKey): Record<string, string> {
  const { kty, crv, x, y } = key.privateJwk;
  return { kty, crv, x, y, kid: key.kid, alg: 'ES256', use: 'sig' };
}

export const jwksKeys = (set: TestKeySet): Record<string, string>[] =>
  [set.current, set.next, ...(set.previous ? [set.previous] : [])].map(publicJwk);

/** Claims as meshgate issues them for `GET /orders/42` without a body; `overrides` replace (or, as undefined, drop) any. */
export function claims(overrides: Claims = {}): Claims {
  const iat = nowSeconds();
  const all: Claims = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    type: 'user',
    scope: 'orders:read orders:write',
    groups: ['admin', 'ops'],
    tenant: 'acme',
    client_id: 'web',
    src_iss: 'https://idp.example.com/',
    iat,
    exp: iat + 60,
    jti: randomUUID(),
    req: requestHash('GET', '/orders/42'),
    body_sha256: bodyDigest(undefined),
    ...overrides,
  };
  return JSON.parse(JSON.stringify(all)) as Claims;
}

/** Signs exactly the header and payload given (objects or raw JSON text). */
export function signRaw(key: TestKey, header: object | string, payload: object | string): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const privateKey = createPrivateKey({ key: { ...key.privateJwk }, format: 'jwk' });
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/** A well-formed assertion: the header meshgate writes, signed with `key`. */
export const signAssertion = (payload: Claims, key: TestKey): string =>
  signRaw(key, { alg: 'ES256', typ: ASSERTION_TYP, kid: key.kid }, payload);

/** The service a delegated test assertion is for, and the service calling it (caller → orders → payments). */
export const DELEGATED_AUDIENCE = 'payments';
export const ACTOR = 'orders';

/**
 * Claims of a delegated assertion as the exchange issues them for `POST /charges` with body `{"amount":5}`:
 * orders calling payments for user-1. `overrides` replace (or, as undefined, drop) any.
 */
export function delegatedClaims(overrides: Claims = {}): Claims {
  return claims({
    aud: DELEGATED_AUDIENCE,
    scope: 'payments:charge',
    req: requestHash('POST', '/charges'),
    body_sha256: bodyDigest('{"amount":5}'),
    txn: randomUUID(),
    act: { sub: ACTOR },
    act_sub: ACTOR,
    chain: [ACTOR],
    ...overrides,
  });
}

/** A well-formed delegated assertion: the delegated header, signed with `key`. */
export const signDelegated = (payload: Claims, key: TestKey): string =>
  signRaw(key, { alg: 'ES256', typ: DELEGATED_ASSERTION_TYP, kid: key.kid }, payload);
