// Secrets Manager rotation function: validates the event and runs one rotation step (see src/rotation/steps.ts).
import type { Context } from 'aws-lambda';
import { parseRotationEvent, runRotationStep } from '../../src/rotation/steps';
import { createRotationClient } from '../../src/rotation/retry';
import { builtInStrategies } from '../../src/rotation/strategies';
import { publicJwksPublisher } from '../../src/rotation/publish-public-jwks';
import { isMeshgateError } from '../../src/errors';
import { logger, startInvocation } from '../../src/observability';
import { loadRotateConfig } from './config';

const client = createRotationClient();
const { publicJwks } = loadRotateConfig(process.env);
// The signing key set's setSecret publishes its public JWKS to the secret the JWKS function reads (docs/rotation.md).
const strategies = builtInStrategies(publicJwks && publicJwksPublisher({ client, ...publicJwks }));

export const handler = async (event: unknown, context?: Context): Promise<void> => {
  startInvocation(context?.awsRequestId);
  const rotation = parseRotationEvent(event);
  // The token is the new version's id, not a secret; secret values never reach the logs.
  logger.appendKeys({ secretId: rotation.SecretId, step: rotation.Step, token: rotation.ClientRequestToken });
  try {
    const outcome = await runRotationStep(rotation, { client, strategies });
    logger.info('rotation step done', { ...outcome });
  } catch (err) {
    // Rethrown so Secrets Manager marks the step failed and retries it.
    logger.error('rotation step failed', { code: isMeshgateError(err) ? err.code : 'internal', error: err as Error });
    throw err;
  }
};
