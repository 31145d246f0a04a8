// The signing key set's `set` step: publish the pending set's public JWKS to the public-JWKS secret the JWKS function reads.
import { PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MeshgateError } from '../errors';
import { publicJwks } from '../keys/key-set';
import { logger, traced } from '../observability';
import type { KeySetPublisher, SetContext } from './strategies';

/** Which key set's public keys go where: read by functions/rotate/config.ts at cold start. */
export interface PublicJwksSecrets {
  /** The public-JWKS secret (name or ARN); it only ever receives public members. */
  readonly publicJwksSecretId: string;
  /** The one key set secret (name or ARN) whose public keys go there; other key-set secrets are not published. */
  readonly signingKeySecretId: string;
}

export interface PublicJwksTarget extends PublicJwksSecrets {
  readonly client: SecretsManagerClient;
}

const rotates = (context: SetContext, secretId: string): boolean => context.secretArn === secretId || context.secretName === secretId;

/**
 * Publishes `publicJwks(pending)` (current, next, previous; no private member) as a new `AWSCURRENT` version of the
 * public-JWKS secret, with the rotation's token as `ClientRequestToken`: a re-run stores the same bytes under the
 * same version id, which Secrets Manager ignores, so a retried `setSecret` never makes a second version. A different
 * value already under the token (`ResourceExistsException`) fails the step rather than publish keys that are not
 * the pending set's.
 *
 * @example
 * // given: import type { SigningKeySet } from '../keys/key-set';
 * // given: declare const client: SecretsManagerClient, pendingSet: SigningKeySet;
 * // given: declare const token: string, secretArn: string, secretName: string | undefined;
 * const publish = publicJwksPublisher({ client, publicJwksSecretId: 'meshgate/prod/public-jwks', signingKeySecretId: 'meshgate/prod/signing-keys' });
 * await publish(pendingSet, { token, secretArn, secretName });
 */
export function publicJwksPublisher(target: PublicJwksTarget): KeySetPublisher {
  return async (pending, context) => {
    if (!rotates(context, target.signingKeySecretId)) {
      logger.info('public JWKS not published: not the configured signing key secret', {
        secretArn: context.secretArn,
        token: context.token,
      });
      return;
    }
    const jwks = publicJwks(pending);
    try {
      await traced('### secretsmanager PutSecretValue', () =>
        target.client.send(
          new PutSecretValueCommand({
            SecretId: target.publicJwksSecretId,
            ClientRequestToken: context.token,
            SecretString: JSON.stringify(jwks),
          }),
        ),
      );
    } catch (err) {
      if ((err as { name?: string }).name !== 'ResourceExistsException') throw err;
      throw new MeshgateError(
        'rotation_step_failed',
        `version ${context.token} of ${target.publicJwksSecretId} already holds a different public JWKS; drop the pending rotation and rotate again`,
        { cause: err },
      );
    }
    logger.info('public JWKS published', {
      publicJwksSecretId: target.publicJwksSecretId,
      token: context.token,
      kids: jwks.keys.map((k) => k.kid),
    });
  };
}
