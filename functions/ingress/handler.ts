// Ingress Lambda: validates the payload, adds the verified identity and a signed assertion, forwards upstream (see src/ingress).
import type { Context } from 'aws-lambda';
import routes from '../../config/routes.json';
import { loadIngressConfig } from './config';
import type { HttpResult } from '../../src/http/problem';
import { buildIngress, handleIngressEvent } from '../../src/ingress/pipeline';
import { logger, startInvocation } from '../../src/observability';

// Once per cold start: configuration, key store and upstream agents. A bad configuration answers 503, never forwards.
const ingress = buildIngress(() => loadIngressConfig(process.env, routes));

export const handler = async (event: unknown, context?: Context): Promise<HttpResult> => {
  startInvocation(context?.awsRequestId);
  if (context) logger.addContext(context);
  return handleIngressEvent(ingress, event);
};
