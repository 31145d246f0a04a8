// Fixtures for verifying assertions that meshgate's own signer and key sets produce with @meshgate/consumer.
import { bodyDigest, requestHash } from '@meshgate/consumer';
import { newJti, type AssertionClaims } from '../../src/keys/assertion';
import { publicJwks, type SigningKeySet } from '../../src/keys/key-set';

export { rejectsWith } from '../../packages/consumer/test/support/fixture';

export const ISSUER = 'https://meshgate.example.com';
export const AUDIENCE = 'orders';

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

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

export const jwksKeys = (set: SigningKeySet): Record<string, string>[] => publicJwks(set).keys as unknown as Record<string, string>[];
