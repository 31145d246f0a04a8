// Token exchange Lambda (POST /token): RFC 8693 delegated assertions along declared edges (see src/exchange).
import type { Context } from 'aws-lambda';
import routes from '../../config/routes.json';
import { loadExchangeConfig } from './config';
import type { HttpResult } from '../../src/http/problem';
import { buildExchange, handleExchangeEvent } from '../../src/exchange/exchange';
import { logger, startInvocation } from '../../src/observability';

// Once per cold start: configuration, key store and the actor-token verifier. A bad configuration answers 503.
const exchange = buildExchange(() => loadExchangeConfig(process.env, routes));

export const handler = async (event: unknown, context?: Context): Promise<HttpResult> => {
  startInvocation(context?.awsRequestId);
  if (context) logger.addContext(context);
  return handleExchangeEvent(exchange, event);
};
