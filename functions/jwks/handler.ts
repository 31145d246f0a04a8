// GET /.well-known/jwks.json (public by design): the signing key set's public keys, cacheable (see src/keys/jwks.ts).
import type { Context } from 'aws-lambda';
import { jwksSourceFromConfig, type JwksSource } from '../../src/keys/jwks-source';
import { loadJwksConfig } from './config';
import { jwksResult, keyStoreFailureResult } from '../../src/keys/jwks';
import { requestIdOf } from '../../src/http/request-id';
import type { HttpResult } from '../../src/http/problem';
import { countMetric, logger, startInvocation, traced } from '../../src/observability';

let source: JwksSource | undefined;

export const handler = async (event: unknown, context?: Context): Promise<HttpResult> => {
  startInvocation(context?.awsRequestId ?? requestIdOf(event));
  try {
    // Built on first use (not at module scope) so a bad configuration still answers 503 problem+json, logged with the field.
    // In AWS the source is the public-JWKS secret: this function's role cannot read the private signing keys.
    const jwks = (source ??= jwksSourceFromConfig(loadJwksConfig(process.env)));
    return jwksResult(await traced('### jwks source load', () => jwks.load()), event);
  } catch (err) {
    logger.error('jwks: key set unavailable', {
      error: { name: (err as Error).name, code: (err as { code?: unknown }).code, message: (err as Error).message },
    });
    countMetric('JwksKeySetUnavailable');
    return keyStoreFailureResult(err, requestIdOf(event));
  }
};
