// Assertion fixtures for the consumer tests: real key sets, a real loopback JWKS server, hand-built JWS for attacks.
import { createPrivateKey, sign } from 'node:crypto';
import { bodyDigest, newJti, requestHash, signAssertion, type AssertionClaims } from '../../src/keys/assertion';
import { newKeySet, publicJwks, type SigningKey, type SigningKeySet } from '../../src/keys/key-set';
import { createAssertionVerifier, type AssertionVerifier, type AssertionVerifierOptions } from '../../src/consumer';
import { startJwksServer, type JwksServer } from '../support/jwks-server';

export const ISSUER = 'https://meshgate.example.com';
export const AUDIENCE = 'orders';

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
export const b64 = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

export function claims(overrides: Partial<Record<keyof AssertionClaims, unknown>> = {}): AssertionClaims {
  const iat = nowSeconds();
  return {
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
    jti: newJti(),
    req: requestHash('GET', '/orders/42'),
    body_sha256: bodyDigest(undefined),
    ...overrides,
  } as AssertionClaims;
}

/** Signs exactly the header and payload given (objects or raw JSON text) with a key set's private key. */
export function signRaw(key: SigningKey, header: object | string, payload: object | string): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const privateKey = createPrivateKey({ key: { ...key.privateJwk }, format: 'jwk' });
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

export const jwksKeys = (set: SigningKeySet): Record<string, string>[] => publicJwks(set).keys as unknown as Record<string, string>[];

export interface Fixture {
  readonly set: SigningKeySet;
  readonly server: JwksServer;
  readonly verifier: AssertionVerifier;
  sign(overrides?: Partial<Record<keyof AssertionClaims, unknown>>, key?: SigningKey): string;
  verify(assertion: string | string[] | undefined, method?: string, path?: string, body?: Uint8Array | string): ReturnType<AssertionVerifier['verify']>;
  close(): Promise<void>;
}

export async function fixture(options: Partial<AssertionVerifierOptions> = {}): Promise<Fixture> {
  const set = newKeySet();
  const server = await startJwksServer(jwksKeys(set));
  const verifier = createAssertionVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: server.jwksUri, ...options });
  return {
    set,
    server,
    verifier,
    sign: (overrides = {}, key = set.current) => signAssertion(claims(overrides), key),
    verify: (assertion, method = 'GET', path = '/orders/42', body = undefined) =>
      verifier.verify({ method, path, headers: assertion === undefined ? {} : { 'x-identity-assertion': assertion }, ...(body === undefined ? {} : { body }) }),
    close: () => server.close(),
  };
}

/** Asserts a promise rejects with this code (and reason, when given), and that the message does not echo the token. */
export async function rejectsWith(promise: Promise<unknown>, code: string, reason?: string, token?: string): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  const err = caught as { code?: string; reason?: string; message?: string } | undefined;
  if (err === undefined) throw new Error(`expected rejection with ${code}${reason ? `/${reason}` : ''}, but it resolved`);
  if (err.code !== code || (reason !== undefined && err.reason !== reason)) {
    throw new Error(`expected ${code}${reason ? `/${reason}` : ''}, got ${err.code}/${err.reason}: ${err.message}`);
  }
  if (token !== undefined && token.length > 20 && err.message?.includes(token.split('.')[1] ?? '')) throw new Error('error message contains the assertion');
}
