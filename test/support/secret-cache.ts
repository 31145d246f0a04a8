// Shared set-up for tests of Secrets Manager readers with a cache (key store, public JWKS): a clock, logs, a throttle.
import { afterEach, beforeEach } from 'node:test';
import { GetSecretValueCommand, SecretsManagerServiceException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { captureLogs, type LogCapture } from './logs';

/** What the SDK throws when Secrets Manager throttles a call. */
export const throttled = (): SecretsManagerServiceException =>
  new SecretsManagerServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    message: 'Rate exceeded',
    $metadata: { httpStatusCode: 400 },
  });

export interface SecretCacheTestbed {
  /** Epoch milliseconds the reader under test sees (`now: () => t.clock`); reset to 1 000 000 before each test. */
  clock: number;
  logs: LogCapture;
  /** How many GetSecretValue calls reached the mock. */
  reads(): number;
}

/** Resets `mock`, the clock and the log capture before each test of the calling file, and stops capturing after it. */
export function secretCacheTestbed(mock: AwsClientStub<SecretsManagerClient>): SecretCacheTestbed {
  const t: SecretCacheTestbed = {
    clock: 0,
    logs: undefined as unknown as LogCapture,
    reads: () => mock.commandCalls(GetSecretValueCommand).length,
  };
  beforeEach(() => {
    mock.reset();
    t.clock = 1_000_000;
    t.logs = captureLogs();
  });
  afterEach(() => t.logs.stop());
  return t;
}
