// GET /.well-known/jwks.json (public by design): the signing key set's public keys, cacheable (see src/keys/jwks.ts).
import type { Context } from 'aws-lambda';
import { keyStoreFromEnv } from '../../src/keys/key-store-from-env';
import { jwksResult, keyStoreFailureResult, requestIdOf } from '../../src/keys/jwks';
import type { KeyStore } from '../../src/keys/key-store';
import type { HttpResult } from '../../src/http/problem';
import { countMetric, logger, startInvocation, traced } from '../../src/observability';

let store: KeyStore | undefined;

export const handler = async (event: unknown, context?: Context): Promise<HttpResult> => {
  startInvocation(context?.awsRequestId ?? requestIdOf(event));
  try {
    // Built on first use (not at module scope) so a bad configuration still answers 503 problem+json, logged with the field.
    const keys = (store ??= keyStoreFromEnv(process.env));
    return jwksResult(await traced('### key store load', () => keys.load()), event);
  } catch (err) {
    logger.error('jwks: key set unavailable', { error: { name: (err as Error).name, code: (err as { code?: unknown }).code, message: (err as Error).message } });
    countMetric('JwksKeySetUnavailable');
    return keyStoreFailureResult(err, requestIdOf(event));
  }
};
