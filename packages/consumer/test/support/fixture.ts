// A verifier against a real loopback JWKS server, and an assertion helper that checks which failure, not just that it failed.
import { createAssertionVerifier, type AssertionVerifier, type AssertionVerifierOptions } from '../../src/index.js';
import { startJwksServer, type JwksServer } from './jwks-server.js';
import { AUDIENCE, ISSUER, claims, jwksKeys, newKeySet, signAssertion, type Claims, type TestKey, type TestKeySet } from './keys.js';

export interface Fixture {
  readonly set: TestKeySet;
  readonly server: JwksServer;
  readonly verifier: AssertionVerifier;
  sign(overrides?: Claims, key?: TestKey): string;
  verify(
    assertion: string | string[] | undefined,
    method?: string,
    path?: string,
    body?: Uint8Array | string,
  ): ReturnType<AssertionVerifier['verify']>;
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
      verifier.verify({
        method,
        path,
        headers: assertion === undefined ? {} : { 'x-identity-assertion': assertion },
        ...(body === undefined ? {} : { body }),
      }),
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
  if (token !== undefined && token.length > 20 && err.message?.includes(token.split('.')[1] ?? ''))
    throw new Error('error message contains the assertion');
}
