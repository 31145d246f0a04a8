// Which failed Secrets Manager calls are tried again, and how long the reader waits first: the SDK's standard retry
// mode (throttling codes and 429 back off from 500 ms; 5xx, timeouts and dropped connections from 100 ms).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AwsServiceError, isRetryable, parseAwsJsonError, retryDelayMs } from '../../src/keys/secrets-manager-http';

// @smithy/service-error-classification's THROTTLING_ERROR_CODES.
const THROTTLING = [
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
];
const always = () => 1;
const networkError = (code: string) => Object.assign(new Error(`connect ${code}`), { code });
const named = (name: string) => Object.assign(new Error('failed'), { name });

describe('Function: isRetryable', () => {
  it('retries every throttling code on a 4xx, backing off from 500 ms', () => {
    for (const code of THROTTLING) {
      const err = new AwsServiceError(code, 'Rate exceeded', 400);
      assert.equal(isRetryable(err), true, code);
      assert.deepEqual(
        [1, 2, 3].map((n) => retryDelayMs(err, n, always)),
        [500, 1000, 2000],
        code,
      );
    }
  });

  it('retries a 429 whatever its code, as throttling', () => {
    const err = new AwsServiceError('Http429Error', 'HTTP 429', 429);
    assert.equal(isRetryable(err), true);
    assert.equal(retryDelayMs(err, 1, always), 500);
  });

  it('retries 5xx and timeouts, backing off from 100 ms', () => {
    for (const err of [
      new AwsServiceError('InternalServiceError', 'm', 500),
      new AwsServiceError('ServiceUnavailable', 'm', 503),
      new AwsServiceError('RequestTimeout', 'm', 408),
      new AwsServiceError('RequestTimeoutException', 'm', 400),
      named('TimeoutError'),
      named('RequestTimeout'),
      named('RequestTimeoutException'),
    ]) {
      assert.equal(isRetryable(err), true, err.name);
      assert.deepEqual(
        [1, 2].map((n) => retryDelayMs(err, n, always)),
        [100, 200],
        err.name,
      );
    }
  });

  it('retries a dropped, refused, broken or timed-out connection', () => {
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']) assert.equal(isRetryable(networkError(code)), true, code);
  });

  it('does not retry a client error, an unknown host, missing credentials or a plain error', () => {
    for (const err of [
      new AwsServiceError('ResourceNotFoundException', 'm', 400),
      new AwsServiceError('AccessDeniedException', 'm', 403),
      new AwsServiceError('Http499Error', 'm', 499),
      new AwsServiceError('SerializationError', 'm', 200),
      networkError('ENOTFOUND'),
      named('CredentialsProviderError'),
      new Error('boom'),
    ]) {
      assert.equal(isRetryable(err), false, err.name);
    }
  });

  it('caps the wait at 20 s and draws it uniformly below the ceiling', () => {
    const err = new AwsServiceError('ThrottlingException', 'm', 400);
    assert.equal(retryDelayMs(err, 10, always), 20_000);
    assert.equal(
      retryDelayMs(err, 2, () => 0.5),
      500,
    );
    assert.equal(
      retryDelayMs(err, 2, () => 0),
      0,
    );
  });
});

describe('Function: parseAwsJsonError, odd answers', () => {
  it('names an answer by its status when the body is JSON null, a bare value, or not JSON', () => {
    assert.equal(parseAwsJsonError(500, {}, 'null').name, 'InternalServiceError');
    assert.equal(parseAwsJsonError(400, {}, 'null').name, 'Http400Error');
    assert.equal(parseAwsJsonError(400, {}, '"ThrottlingException"').name, 'Http400Error');
    assert.equal(parseAwsJsonError(400, {}, '["ThrottlingException"]').name, 'Http400Error');
    assert.equal(parseAwsJsonError(500, {}, 'null').message, 'HTTP 500');
  });

  it('counts exactly 500 as a server error, 499 not', () => {
    assert.equal(parseAwsJsonError(500, {}, '').name, 'InternalServiceError');
    assert.equal(parseAwsJsonError(499, {}, '').name, 'Http499Error');
  });

  it('skips an empty x-amzn-errortype for the body code, and trims the code it takes', () => {
    assert.equal(parseAwsJsonError(400, { 'x-amzn-errortype': '' }, '{"__type":"DecryptionFailure"}').name, 'DecryptionFailure');
    assert.equal(parseAwsJsonError(400, { 'x-amzn-errortype': ' ThrottlingException :http://x/' }, '{}').name, 'ThrottlingException');
    assert.equal(parseAwsJsonError(400, {}, '{"code":"","__type":"ns#InvalidParameterException"}').name, 'InvalidParameterException');
  });
});
