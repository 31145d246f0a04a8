// In Lambda, every Secrets Manager read of a CachedSecret is its own X-Ray subsegment, named by the operation. Runs in
// its own process (node --test), with the Lambda variables set before src/observability.ts loads.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SecretReader } from '../../src/keys/secret-reader';
import { captureLogs } from '../support/logs';
import { startXrayDaemon, type XrayDaemon } from '../support/xray-daemon';
import { startSecretsManagerDouble, type SecretsManagerDouble } from './support/secrets-manager-double';

describe('CachedSecret spans', () => {
  let daemon: XrayDaemon;
  let sm: SecretsManagerDouble;

  before(async () => {
    daemon = await startXrayDaemon();
    sm = await startSecretsManagerDouble();
  });
  after(async () => {
    daemon.close();
    await sm.close();
  });

  it('traces GetSecretValue, then DescribeSecret when the value is missing', async () => {
    const { CachedSecret } = await import('../../src/keys/cached-secret');
    const { httpSecretReader } = await import('../../src/keys/secrets-manager-http');
    const reader: SecretReader = httpSecretReader({ env: sm.env });
    sm.answer((call) =>
      call.operation === 'DescribeSecret'
        ? { status: 200, body: { Name: 'x' } }
        : { status: 400, body: { __type: 'ResourceNotFoundException', Message: 'no AWSCURRENT' } },
    );
    const cache = new CachedSecret('meshgate/test/traced', { what: 'value', owner: 'Test', parse: (text) => text }, { reader });
    const logs = captureLogs();
    try {
      await assert.rejects(cache.load(), { code: 'key_set_empty' });
    } finally {
      logs.stop();
    }
    await daemon.received(2);
    assert.deepEqual([...daemon.names].sort(), ['### secretsmanager DescribeSecret', '### secretsmanager GetSecretValue']);
  });
});
