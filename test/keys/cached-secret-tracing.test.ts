// In Lambda, every Secrets Manager read of a CachedSecret is its own X-Ray subsegment, named by the operation. Runs in
// its own process (node --test), with the Lambda variables set before src/observability.ts loads, and a UDP socket
// standing in for the X-Ray daemon.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import type { SecretReader } from '../../src/keys/secret-reader';
import { captureLogs } from '../support/logs';
import { startSecretsManagerDouble, type SecretsManagerDouble } from './support/secrets-manager-double';

describe('CachedSecret spans', () => {
  let daemon: Socket;
  let sm: SecretsManagerDouble;
  const names: string[] = [];

  before(async () => {
    daemon = createSocket('udp4');
    daemon.on('message', (msg) => {
      names.push(String((JSON.parse(msg.toString('utf8').split('\n')[1]!) as { name: unknown }).name));
    });
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
    sm = await startSecretsManagerDouble();
    Object.assign(process.env, {
      AWS_LAMBDA_FUNCTION_NAME: 'meshgate-test',
      AWS_XRAY_DAEMON_ADDRESS: `udp:127.0.0.1:${daemon.address().port} tcp:127.0.0.1:${daemon.address().port}`,
      _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    });
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
    // Loopback UDP arrives in microseconds; the 5 s deadline only guards a busy CI machine.
    const deadline = Date.now() + 5000;
    while (names.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(names.sort(), ['### secretsmanager DescribeSecret', '### secretsmanager GetSecretValue']);
  });
});
