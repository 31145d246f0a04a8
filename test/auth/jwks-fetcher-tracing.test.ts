// In Lambda, every JWKS fetch is its own X-Ray subsegment. Runs in its own process (node --test), with the Lambda
// variables set before src/observability.ts loads.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { captureLogs } from '../support/logs';
import { startJwksServer, type JwksServer } from '../support/jwks-server';
import { startXrayDaemon, type XrayDaemon } from '../support/xray-daemon';

describe('JwksFetcher spans', () => {
  let daemon: XrayDaemon;
  let idp: JwksServer;

  before(async () => {
    daemon = await startXrayDaemon();
    idp = await startJwksServer([]);
  });
  after(async () => {
    daemon.close();
    await idp.close();
  });

  it('traces a JWKS fetch as "### jwks fetch"', async () => {
    const { JwksFetcher } = await import('../../src/auth/jwks-fetcher');
    const logs = captureLogs();
    try {
      await new JwksFetcher({ allowLoopbackHttp: true }).fetch(idp.jwksUri);
    } finally {
      logs.stop();
    }
    await daemon.received(1);
    assert.deepEqual(daemon.names, ['### jwks fetch']);
  });
});
