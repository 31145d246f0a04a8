// The registry of rotation strategies, chosen per secret by its `meshgate:strategy` tag.
import { MeshgateError } from '../../errors';
import { randomTokenStrategy } from './random-token';
import { createSigningKeySetStrategy, signingKeySetStrategy, type KeySetPublisher } from './signing-key-set';
import type { RotationStrategy } from './strategy';

export type { RotationStrategy, SetContext } from './strategy';
export type { KeySetPublisher } from './signing-key-set';

export const STRATEGY_TAG = 'meshgate:strategy';
export { MANAGED_TAG } from '../managed-tag';

export const BUILT_IN_STRATEGIES: readonly RotationStrategy[] = [signingKeySetStrategy, randomTokenStrategy];

/**
 * The built-in strategies, with the signing key set's `set` step publishing through `publisher` when one is given.
 *
 * @example
 * // given: import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
 * // given: import { publicJwksPublisher } from '../publish-public-jwks';
 * // given: declare const client: SecretsManagerClient, publicJwksSecretId: string, signingKeySecretId: string;
 * const strategies = builtInStrategies(publicJwksPublisher({ client, publicJwksSecretId, signingKeySecretId }));
 */
export function builtInStrategies(publisher?: KeySetPublisher): readonly RotationStrategy[] {
  if (publisher === undefined) return BUILT_IN_STRATEGIES;
  return BUILT_IN_STRATEGIES.map((s) => (s.name === signingKeySetStrategy.name ? createSigningKeySetStrategy(publisher) : s));
}

/**
 * Picks the strategy named by the secret's `meshgate:strategy` tag.
 *
 * @example
 * // given: import type { DescribeSecretCommandOutput } from '@aws-sdk/client-secrets-manager';
 * // given: declare const describe: DescribeSecretCommandOutput; // a secret tagged meshgate:strategy=signing-key-set
 * const strategy = strategyForTags(describe.Tags, BUILT_IN_STRATEGIES); // signing-key-set
 */
export function strategyForTags(
  tags: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined,
  strategies: readonly RotationStrategy[] = BUILT_IN_STRATEGIES,
): RotationStrategy {
  const name = tags?.find((t) => t.Key === STRATEGY_TAG)?.Value;
  const known = strategies.map((s) => s.name).join(', ');
  if (name === undefined) throw new MeshgateError('rotation_step_failed', `secret has no ${STRATEGY_TAG} tag (one of: ${known})`);
  const strategy = strategies.find((s) => s.name === name);
  if (!strategy) throw new MeshgateError('rotation_step_failed', `unknown ${STRATEGY_TAG} "${name.slice(0, 64)}" (one of: ${known})`);
  return strategy;
}
