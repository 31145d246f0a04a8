// The rotate function's configuration, read once: every variable it reads is here.
import { ConfigError } from '../../src/errors';
import type { Env } from '../../src/config/env';
import type { PublicJwksSecrets } from '../../src/rotation/publish-public-jwks';

export interface RotateConfig {
  /** Where the signing key set's `setSecret` publishes its public JWKS; undefined publishes nothing. */
  readonly publicJwks: PublicJwksSecrets | undefined;
}

/**
 * `MESHGATE_PUBLIC_JWKS_SECRET_ID` and `MESHGATE_KEY_SECRET_ID`; without the first, nothing is published (a rotate
 * function serving only other secrets). Throws `ConfigError` when the second is missing.
 *
 * @example
 * // given: import { builtInStrategies } from '../../src/rotation/strategies';
 * // given: import { publicJwksPublisher } from '../../src/rotation/publish-public-jwks';
 * // given: import { createRotationClient } from '../../src/rotation/retry';
 * const client = createRotationClient();
 * const { publicJwks } = loadRotateConfig(process.env);
 * const strategies = builtInStrategies(publicJwks && publicJwksPublisher({ client, ...publicJwks }));
 */
export function loadRotateConfig(env: Env): RotateConfig {
  const publicJwksSecretId = env.MESHGATE_PUBLIC_JWKS_SECRET_ID;
  if (publicJwksSecretId === undefined || publicJwksSecretId === '') return Object.freeze({ publicJwks: undefined });
  const signingKeySecretId = env.MESHGATE_KEY_SECRET_ID;
  if (signingKeySecretId === undefined || signingKeySecretId === '') {
    throw new ConfigError(
      'MESHGATE_KEY_SECRET_ID',
      'is required with MESHGATE_PUBLIC_JWKS_SECRET_ID: it names the key set whose public keys are published',
    );
  }
  return Object.freeze({ publicJwks: Object.freeze({ publicJwksSecretId, signingKeySecretId }) });
}
