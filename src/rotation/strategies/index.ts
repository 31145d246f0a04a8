// The registry of rotation strategies, chosen per secret by its `meshgate:strategy` tag.
import { MeshgateError } from '../../errors';
import { randomTokenStrategy } from './random-token';
import { signingKeySetStrategy } from './signing-key-set';
import type { RotationStrategy } from './strategy';

export type { RotationStrategy } from './strategy';

export const STRATEGY_TAG = 'meshgate:strategy';
export const MANAGED_TAG = 'meshgate:managed';

export const BUILT_IN_STRATEGIES: readonly RotationStrategy[] = [signingKeySetStrategy, randomTokenStrategy];

/**
 * Picks the strategy named by the secret's `meshgate:strategy` tag.
 *
 * @example
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
