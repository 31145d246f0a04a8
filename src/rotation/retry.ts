// The Secrets Manager client the rotation and scheduled functions use: the SDK's own adaptive retry, no hand-rolled loop.
import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';

/**
 * Attempts per AWS call. Secrets Manager throttles per account (GetSecretValue, PutSecretValue, UpdateSecretVersionStage
 * share quotas with every other caller); the SDK backs off with full jitter between attempts, and adaptive mode also
 * slows this client down after throttling. Six attempts fit well inside the rotate function's 30 s timeout.
 */
export const ROTATION_MAX_ATTEMPTS = 6;

/**
 * A Secrets Manager client with the SDK v3 adaptive retry strategy (exponential backoff with jitter, client-side
 * rate limiting after throttling). A call that still fails surfaces as an error, and the step fails loudly.
 *
 * @example
 * // given: import { runRotationStep, type RotationEvent } from './steps';
 * // given: declare const event: RotationEvent;
 * const client = createRotationClient();
 * await runRotationStep(event, { client });
 */
export function createRotationClient(config: SecretsManagerClientConfig = {}): SecretsManagerClient {
  return new SecretsManagerClient({ maxAttempts: ROTATION_MAX_ATTEMPTS, retryMode: 'adaptive', ...config });
}
