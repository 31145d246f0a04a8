// Fixtures for verifying assertions that meshgate's own signer and key sets produce with @meshgate/consumer.
import { newJti, type AssertionClaims } from '../../src/keys/assertion';
import { publicJwks, type SigningKeySet } from '../../src/keys/key-set';
import { claims as packageClaims } from '../../packages/consumer/test/support/keys';

export { rejectsWith } from '../../packages/consumer/test/support/fixture';
export { AUDIENCE, ISSUER } from '../../packages/consumer/test/support/keys';

/** The package's test claims (test/support/keys.ts), with a `jti` as meshgate's signer makes it. */
export function claims(overrides: Partial<Record<keyof AssertionClaims, unknown>> = {}): AssertionClaims {
  return packageClaims({ jti: newJti(), ...overrides }) as unknown as AssertionClaims;
}

export const jwksKeys = (set: SigningKeySet): Record<string, string>[] => publicJwks(set).keys as unknown as Record<string, string>[];
