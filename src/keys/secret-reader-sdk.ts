// The SecretReader over the SDK's SecretsManagerClient (tests with aws-sdk-client-mock, callers that already load the SDK).
import { DescribeSecretCommand, GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretReader } from './secret-reader';

/**
 * Reads through `client` (its own retry strategy, credentials chain and endpoint resolution).
 *
 * @example
 * // given: import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
 * const reader = sdkSecretReader(new SecretsManagerClient({}));
 */
export function sdkSecretReader(client: SecretsManagerClient): SecretReader {
  return {
    getSecretString: async (secretId, stage) =>
      (await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }))).SecretString,
    describeSecret: async (secretId) => {
      await client.send(new DescribeSecretCommand({ SecretId: secretId }));
    },
  };
}
