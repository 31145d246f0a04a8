// The request path's Secrets Manager reader over a loopback double of the wire protocol: the signed request, retries,
// timeouts, error parsing, and the key store's error codes on top of it.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newKeySet, serializeKeySet } from '../../src/keys/key-set';
import { SecretsManagerKeyStore } from '../../src/keys/key-store-secrets-manager';
import {
  httpSecretReader,
  parseAwsJsonError,
  type AwsServiceError,
  type HttpSecretReaderOptions,
} from '../../src/keys/secrets-manager-http';
import type { MeshgateError } from '../../src/errors';
import { closedPort } from '../support/upstream-server';
import { captureLogs } from '../support/logs';
import { awsError, secretValue, startSecretsManagerDouble, type SecretsManagerDouble } from './support/secrets-manager-double';

const SECRET_ID = 'meshgate/test/signing-keys';
let sm: SecretsManagerDouble;
let sleeps: number[];

before(async () => {
  sm = await startSecretsManagerDouble();
});
after(() => sm.close());
beforeEach(() => {
  sm.calls.splice(0);
  sleeps = [];
});

const reader = (options: HttpSecretReaderOptions = {}) =>
  httpSecretReader({
    env: sm.env,
    random: () => 1,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });

async function rejection(promise: Promise<unknown>): Promise<AwsServiceError> {
  try {
    await promise;
  } catch (err) {
    return err as AwsServiceError;
  }
  throw new Error('expected a rejection');
}

describe('Function: httpSecretReader', () => {
  it('sends one signed AWS JSON 1.1 GetSecretValue and returns SecretString', async () => {
    sm.answer(() => secretValue('the value'));

    assert.equal(await reader().getSecretString(SECRET_ID, 'AWSCURRENT'), 'the value');

    assert.equal(sm.calls.length, 1);
    const [call] = sm.calls;
    assert.equal(call?.operation, 'GetSecretValue');
    assert.deepEqual(call?.input, { SecretId: SECRET_ID, VersionStage: 'AWSCURRENT' });
    assert.equal(call?.seen.method, 'POST');
    assert.equal(call?.seen.url, '/');
    assert.equal(call?.seen.headers['content-type'], 'application/x-amz-json-1.1');
    assert.equal(call?.seen.headers['x-amz-security-token'], sm.env.AWS_SESSION_TOKEN);
    assert.match(String(call?.seen.headers.authorization), /Credential=AKIDSECRETSDOUBLE\/\d{8}\/eu-west-1\/secretsmanager\/aws4_request/);
    assert.equal(call?.signatureValid, true);
  });

  it('answers undefined for a version without SecretString, and DescribeSecret resolves for an existing secret', async () => {
    sm.answer((call) =>
      call.operation === 'GetSecretValue'
        ? { status: 200, body: { Name: 'x', SecretBinary: 'AAE=' } }
        : { status: 200, body: { Name: 'x' } },
    );
    assert.equal(await reader().getSecretString(SECRET_ID, 'AWSCURRENT'), undefined);
    await reader().describeSecret(SECRET_ID);
    assert.deepEqual(
      sm.calls.map((c) => [c.operation, c.signatureValid]),
      [
        ['GetSecretValue', true],
        ['DescribeSecret', true],
      ],
    );
  });

  it('reuses one keep-alive connection across calls', async () => {
    sm.answer(() => secretValue('v'));
    const before = sm.connections();
    const r = reader();
    await r.getSecretString(SECRET_ID, 'AWSCURRENT');
    await r.getSecretString(SECRET_ID, 'AWSCURRENT');
    assert.ok(sm.connections() - before <= 1, 'both calls share one connection (a new one at most for the first)');
  });

  it('retries throttling with full-jitter backoff from 500 ms and succeeds on the third attempt', async () => {
    let n = 0;
    sm.answer(() => (++n < 3 ? awsError(400, 'ThrottlingException', 'Rate exceeded') : secretValue('v')));
    assert.equal(await reader().getSecretString(SECRET_ID, 'AWSCURRENT'), 'v');
    assert.equal(sm.calls.length, 3);
    assert.deepEqual(sleeps, [500, 1000]);
  });

  it('stops after 3 attempts on 5xx and throws the AWS error (backoff from 100 ms)', async () => {
    sm.answer(() => awsError(500, 'InternalServiceError', 'An error occurred on the server side.'));
    const err = await rejection(reader().getSecretString(SECRET_ID, 'AWSCURRENT'));
    assert.equal(err.name, 'InternalServiceError');
    assert.equal(err.message, 'An error occurred on the server side.');
    assert.equal(err.$metadata.httpStatusCode, 500);
    assert.equal(sm.calls.length, 3);
    assert.deepEqual(sleeps, [100, 200]);
  });

  it('retries a dropped connection', async () => {
    let n = 0;
    sm.answer(() => (++n === 1 ? 'reset' : secretValue('v')));
    assert.equal(await reader().getSecretString(SECRET_ID, 'AWSCURRENT'), 'v');
    assert.equal(sm.calls.length, 2);
  });

  it('does not retry a client error such as ResourceNotFoundException or AccessDeniedException', async () => {
    sm.answer(() => awsError(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret."));
    const notFound = await rejection(reader().getSecretString(SECRET_ID, 'AWSCURRENT'));
    assert.equal(notFound.name, 'ResourceNotFoundException');
    sm.answer(() => ({ status: 400, body: { __type: 'AccessDeniedException', message: 'not authorized' } }));
    const denied = await rejection(reader().getSecretString(SECRET_ID, 'AWSCURRENT'));
    assert.equal(denied.name, 'AccessDeniedException');
    assert.equal(denied.message, 'not authorized');
    assert.equal(sm.calls.length, 2);
  });

  it('gives up on an attempt that gets no answer within timeoutMs, with a TimeoutError', async () => {
    sm.answer(() => 'hang');
    // 500 ms leaves a busy CI machine time to connect and send before the attempt gives up.
    const err = await rejection(reader({ timeoutMs: 500, maxAttempts: 2 }).getSecretString(SECRET_ID, 'AWSCURRENT'));
    assert.equal(err.name, 'TimeoutError');
    assert.equal(err.message, 'no answer from Secrets Manager within 500 ms');
    // The double records a call once its body has arrived, which may be just after the client gave up.
    const deadline = Date.now() + 5000;
    while (sm.calls.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(sm.calls.length, 2);
  });

  it('sends nothing without credentials: CredentialsProviderError', async () => {
    const err = await rejection(
      reader({ env: { ...sm.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' } }).getSecretString(SECRET_ID, 'AWSCURRENT'),
    );
    assert.equal(err.name, 'CredentialsProviderError');
    assert.equal(err.message, 'no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)');
    assert.equal(sm.calls.length, 0);
  });
});

describe('Function: httpSecretReader, the wire', () => {
  const MAX_ANSWER_BYTES = 1024 * 1024;
  /** A GetSecretValue answer of exactly `bytes` bytes. */
  const answerOfBytes = (bytes: number) => {
    const raw = `{"SecretString":"${'a'.repeat(bytes - '{"SecretString":""}'.length)}"}`;
    assert.equal(Buffer.byteLength(raw), bytes);
    return { status: 200, raw };
  };

  it('reads an answer of up to 1 MiB, and refuses a larger one without trying again', async () => {
    sm.answer(() => answerOfBytes(MAX_ANSWER_BYTES));
    assert.equal((await reader().getSecretString(SECRET_ID, 'AWSCURRENT'))?.length, MAX_ANSWER_BYTES - 19);
    sm.calls.splice(0);
    sm.answer(() => answerOfBytes(MAX_ANSWER_BYTES + 1));
    const err = await rejection(reader().getSecretString(SECRET_ID, 'AWSCURRENT'));
    assert.match(err.message, /answer exceeds 1048576 bytes/);
    assert.equal(sm.calls.length, 1);
  });

  // The bound only ends a run that would otherwise wait forever for an answer that was dropped unnoticed.
  it('tries again when the connection drops in the middle of the answer', { timeout: 10_000 }, async () => {
    let n = 0;
    sm.answer(() => (++n === 1 ? 'truncate' : secretValue('whole')));
    assert.equal(await reader().getSecretString(SECRET_ID, 'AWSCURRENT'), 'whole');
    assert.equal(sm.calls.length, 2);
    assert.deepEqual(sleeps, [100]);
  });

  it('signs without x-amz-security-token when the environment has no session token', async () => {
    sm.answer(() => secretValue('v'));
    const { AWS_SESSION_TOKEN: _, ...longTerm } = sm.env;
    assert.equal(await reader({ env: longTerm }).getSecretString(SECRET_ID, 'AWSCURRENT'), 'v');
    assert.equal(sm.calls[0]?.seen.headers['x-amz-security-token'], undefined);
    assert.doesNotMatch(String(sm.calls[0]?.seen.headers.authorization), /x-amz-security-token/);
    assert.equal(sm.calls[0]?.signatureValid, true);
  });

  it('treats a 3xx as an error, whatever its body', async () => {
    sm.answer(() => ({ status: 300, body: { SecretString: 'redirected' } }));
    const err = await rejection(reader().getSecretString(SECRET_ID, 'AWSCURRENT'));
    assert.equal(err.name, 'Http300Error');
    assert.equal(sm.calls.length, 1);
  });

  it('answers SerializationError for a 200 that is not JSON, without trying again', async () => {
    sm.answer(() => ({ status: 200, raw: '<html>captive portal</html>' }));
    const err = await rejection(reader().getSecretString(SECRET_ID, 'AWSCURRENT'));
    assert.equal(err.name, 'SerializationError');
    // The log line an operator reads names the call that answered garbage.
    assert.match(err.message, /GetSecretValue answer is not JSON/);
    assert.equal(err.$metadata.httpStatusCode, 200);
    assert.equal(sm.calls.length, 1);
  });

  it('answers undefined for a SecretString that is not text', async () => {
    sm.answer(() => ({ status: 200, body: { Name: 'x', SecretString: 42 } }));
    assert.equal(await reader().getSecretString(SECRET_ID, 'AWSCURRENT'), undefined);
  });

  it('sends DescribeSecret with the secret id', async () => {
    sm.answer(() => ({ status: 200, body: { Name: SECRET_ID } }));
    await reader().describeSecret(SECRET_ID);
    assert.deepEqual(sm.calls[0]?.input, { SecretId: SECRET_ID });
    assert.equal(sm.calls[0]?.operation, 'DescribeSecret');
  });

  it('backs off from 500 ms after a 429 with no throttling code', async () => {
    let n = 0;
    sm.answer(() => (++n === 1 ? { status: 429, raw: '' } : secretValue('v')));
    assert.equal(await reader().getSecretString(SECRET_ID, 'AWSCURRENT'), 'v');
    assert.deepEqual(sleeps, [500]);
  });

  it('connects over TLS to an https endpoint (a closed port: the connection is refused, and retried)', async () => {
    const port = await closedPort();
    const err = await rejection(
      reader({ env: { ...sm.env, AWS_ENDPOINT_URL_SECRETS_MANAGER: `https://127.0.0.1:${port}` } }).getSecretString(
        SECRET_ID,
        'AWSCURRENT',
      ),
    );
    assert.equal((err as unknown as NodeJS.ErrnoException).code, 'ECONNREFUSED');
    assert.deepEqual(sleeps, [100, 200]);
  });
});

describe('Function: parseAwsJsonError', () => {
  it('takes the code from x-amzn-errortype first, then code or __type, dropping namespace and suffix', () => {
    const byHeader = parseAwsJsonError(
      400,
      { 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/' },
      '{"__type":"Other","message":"Rate exceeded"}',
    );
    assert.equal(byHeader.name, 'ThrottlingException');
    assert.equal(byHeader.message, 'Rate exceeded');
    assert.equal(
      parseAwsJsonError(400, {}, '{"__type":"com.amazonaws.secretsmanager#DecryptionFailure","Message":"m"}').name,
      'DecryptionFailure',
    );
    assert.equal(parseAwsJsonError(400, {}, '{"code":"InvalidRequestException"}').message, 'HTTP 400');
  });

  it('names an answer without a code by its status', () => {
    assert.equal(parseAwsJsonError(502, {}, '<html>Bad gateway</html>').name, 'InternalServiceError');
    assert.equal(parseAwsJsonError(403, {}, '').name, 'Http403Error');
  });
});

describe('SecretsManagerKeyStore over the signed request: the same error codes as over the SDK', () => {
  async function failure(store: SecretsManagerKeyStore): Promise<MeshgateError> {
    const logs = captureLogs();
    try {
      await store.load();
    } catch (err) {
      return err as MeshgateError;
    } finally {
      logs.stop();
    }
    throw new Error('load() did not fail');
  }
  const store = (options: HttpSecretReaderOptions = {}) => new SecretsManagerKeyStore(SECRET_ID, { reader: reader(options) });

  it('serves the key set from AWSCURRENT', async () => {
    const set = newKeySet();
    sm.answer(() => secretValue(serializeKeySet(set)));
    assert.equal((await store().load()).current.kid, set.current.kid);
  });

  it('no AWSCURRENT yet (DescribeSecret finds the secret): key_set_empty', async () => {
    sm.answer((call) =>
      call.operation === 'DescribeSecret' ? { status: 200, body: { Name: SECRET_ID } } : awsError(400, 'ResourceNotFoundException'),
    );
    const err = await failure(store());
    assert.equal(err.code, 'key_set_empty');
    assert.match(err.message, /run the first rotation/);
  });

  it('no such secret: key_secret_not_found naming MESHGATE_KEY_SECRET_ID', async () => {
    sm.answer(() => awsError(400, 'ResourceNotFoundException'));
    const err = await failure(store());
    assert.equal(err.code, 'key_secret_not_found');
    assert.equal(err.message, `secret ${SECRET_ID} not found: check MESHGATE_KEY_SECRET_ID (and the Region)`);
  });

  it('still throttled after 3 attempts: key_set_unavailable naming ThrottlingException', async () => {
    sm.answer(() => awsError(400, 'ThrottlingException', 'Rate exceeded'));
    const err = await failure(store());
    assert.equal(err.code, 'key_set_unavailable');
    assert.equal(err.message, 'cannot read the key set from Secrets Manager (ThrottlingException: Rate exceeded)');
    assert.equal(sm.calls.length, 3);
  });

  it('nothing listening: secrets_manager_unreachable with the connection error', async () => {
    const port = await closedPort();
    const err = await failure(store({ env: { ...sm.env, AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${port}` } }));
    assert.equal(err.code, 'secrets_manager_unreachable');
    assert.equal(err.message, `cannot reach Secrets Manager: connect ECONNREFUSED 127.0.0.1:${port}`);
    assert.deepEqual(sleeps, [100, 200]);
  });
});
