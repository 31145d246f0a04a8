// `signing-key-set`: meshgate's assertion keys; each rotation promotes next → current → previous and adds a fresh next.
import { createPublicKey, verify } from 'node:crypto';
import { newKeySet, parseKeySet, rotateKeySet, serializeKeySet, type SigningKey, type SigningKeySet } from '../../keys/key-set';
import { bodyDigest, requestHash, MAX_ASSERTION_TTL_SECONDS } from '@meshgate/consumer';
import { newJti, signAssertion } from '../../keys/assertion';
import type { RotationStrategy, SetContext } from './strategy';

// A secret created by CloudFormation without SecretString has no AWSCURRENT yet; an empty string counts the same.
function isEmpty(value: string | undefined): value is undefined {
  return value === undefined || value.trim() === '';
}

/** Signs a probe assertion with `key` and verifies it with the key's public half only, as a consumer would. */
function assertSignsAndVerifies(key: SigningKey, role: string): void {
  const now = Math.floor(Date.now() / 1000);
  const jws = signAssertion(
    {
      iss: 'urn:meshgate:rotation-test',
      aud: 'urn:meshgate:rotation-test',
      sub: 'rotation-test',
      type: 'service',
      scope: '',
      groups: [],
      src_iss: 'urn:meshgate:rotation-test',
      iat: now,
      exp: now + MAX_ASSERTION_TTL_SECONDS,
      jti: newJti(),
      req: requestHash('GET', '/rotation-test'),
      body_sha256: bodyDigest(undefined),
    },
    key,
  );
  const [header, payload, signature] = jws.split('.') as [string, string, string];
  const { kty, crv, x, y } = key.privateJwk;
  const publicKey = createPublicKey({ key: { kty, crv, x, y }, format: 'jwk' });
  const ok = verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  if (!ok) throw new Error(`the ${role} key (kid ${key.kid}) does not verify its own signature`);
}

// The zero-downtime guarantee: the key about to sign was already published as `next`, and the key that signed until
// now stays published as `previous`, so no consumer meets an unknown kid.
function assertContinuity(pending: SigningKeySet, current: SigningKeySet): void {
  if (pending.current.kid !== current.next.kid) throw new Error('pending current key is not the published next key');
  if (pending.previous?.kid !== current.current.kid) throw new Error('pending previous key is not the current signing key');
  if ([current.current.kid, current.next.kid, current.previous?.kid].includes(pending.next.kid))
    throw new Error('pending next key is not fresh');
}

/** Publishes what consumers need of the pending set (its public keys) before `finishSecret` makes it current. */
export type KeySetPublisher = (pending: SigningKeySet, context: SetContext) => Promise<void>;

/**
 * Rotates the signing key set; the first rotation of an empty secret creates a fresh set. With a `publisher`, the
 * `set` step hands it the pending set (meshgate publishes its public JWKS there); without one there is no `set`.
 *
 * @example
 * // given: import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
 * // given: import { publicJwksPublisher } from '../publish-public-jwks';
 * // given: declare const client: SecretsManagerClient, publicJwksSecretId: string, signingKeySecretId: string;
 * // given: declare const currentSecretString: string | undefined; // AWSCURRENT (undefined before the first rotation)
 * const strategy = createSigningKeySetStrategy(publicJwksPublisher({ client, publicJwksSecretId, signingKeySecretId }));
 * const pending = strategy.generate(currentSecretString);
 * await strategy.test(pending, currentSecretString);
 */
export function createSigningKeySetStrategy(publisher?: KeySetPublisher): RotationStrategy {
  return {
    name: 'signing-key-set',
    generate(currentValue) {
      return serializeKeySet(isEmpty(currentValue) ? newKeySet() : rotateKeySet(parseKeySet(currentValue)));
    },
    ...(publisher === undefined
      ? {}
      : { set: (pendingValue: string, context: SetContext) => publisher(parseKeySet(pendingValue), context) }),
    test(pendingValue, currentValue) {
      const pending = parseKeySet(pendingValue);
      for (const [role, key] of [
        ['current', pending.current],
        ['next', pending.next],
        ['previous', pending.previous],
      ] as const) {
        if (key !== undefined) assertSignsAndVerifies(key, role);
      }
      if (!isEmpty(currentValue)) assertContinuity(pending, parseKeySet(currentValue));
    },
  };
}

/** The signing key set strategy without a publisher (secrets whose consumers read the key set itself). */
export const signingKeySetStrategy: RotationStrategy = createSigningKeySetStrategy();
