import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadAuthorizerConfig } from '../../../functions/authorizer/config';
import { ConfigError } from '../../../src/errors';
import routes from '../../../config/routes.json';

function rejects(fn: () => unknown, path: string): void {
  assert.throws(fn, (err: unknown) => err instanceof ConfigError && err.path === path && err.message.startsWith(path));
}

describe('Function: loadAuthorizerConfig', () => {
  const issuers = JSON.stringify([{ issuer: 'https://idp.example.com/', audience: ['api'] }]);

  it('reads the repository route table and defaults', () => {
    const cfg = loadAuthorizerConfig({ MESHGATE_ISSUERS: issuers }, routes);
    assert.equal(cfg.clockSkewSeconds, 30);
    assert.equal(cfg.httpApiResponse, 'simple');
    assert.ok(cfg.routes.routes.length >= 3);
    assert.ok(Object.isFrozen(cfg));
  });

  it('names the variable that is missing, not JSON, or out of range', () => {
    rejects(() => loadAuthorizerConfig({}, routes), 'MESHGATE_ISSUERS');
    rejects(() => loadAuthorizerConfig({ MESHGATE_ISSUERS: '[{' }, routes), 'MESHGATE_ISSUERS');
    rejects(
      () => loadAuthorizerConfig({ MESHGATE_ISSUERS: issuers, MESHGATE_CLOCK_SKEW_SECONDS: '9000' }, routes),
      'MESHGATE_CLOCK_SKEW_SECONDS',
    );
    rejects(
      () => loadAuthorizerConfig({ MESHGATE_ISSUERS: issuers, MESHGATE_HTTP_API_RESPONSE: 'maybe' }, routes),
      'MESHGATE_HTTP_API_RESPONSE',
    );
  });

  it('refuses loopback http inside a real Lambda', () => {
    rejects(
      () =>
        loadAuthorizerConfig(
          {
            MESHGATE_ISSUERS: issuers,
            MESHGATE_ALLOW_LOOPBACK_HTTP: 'true',
            AWS_LAMBDA_FUNCTION_NAME: 'f',
            AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
          },
          routes,
        ),
      'MESHGATE_ALLOW_LOOPBACK_HTTP',
    );
  });
});
