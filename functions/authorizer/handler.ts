// Lambda authorizer: verifies the bearer JWT and answers a cache-safe policy (see src/auth).
import type { Context } from 'aws-lambda';
import routes from '../../config/routes.json';
import jwksSnapshot from '../../config/jwks-snapshot.json';
import { loadAuthorizerConfig } from './config';
import { authorizeEvent, buildAuthorizer } from '../../src/auth/authorizer';
import { logger, startInvocation } from '../../src/observability';
import type { PolicyResponse, SimpleResponse } from '../../src/auth/authorize';

const authorizer = buildAuthorizer(() => loadAuthorizerConfig(process.env, routes, jwksSnapshot));

export const handler = async (event: unknown, context?: Context): Promise<PolicyResponse | SimpleResponse> => {
  startInvocation(context?.awsRequestId);
  if (context) logger.addContext(context);
  const result = await authorizeEvent(authorizer, event);
  // API Gateway answers 401 only for this exact error message; any other error would become a 500.
  if (result.kind === 'unauthorized') throw new Error('Unauthorized');
  return result.body;
};
