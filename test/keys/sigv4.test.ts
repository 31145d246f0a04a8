// SigV4 over node:crypto: AWS's published test-suite signatures, and the SDK's own signature for a Secrets Manager call.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { amzDate, signV4 } from '../../src/keys/sigv4';

// aws-sig-v4-test-suite: credentials, Region, service and time shared by every vector.
const SUITE = {
  region: 'us-east-1',
  service: 'service',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  amzDate: '20150830T123600Z',
  body: '',
  method: 'GET',
};
const SUITE_HEADERS = { host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' };
const SUITE_CREDENTIAL = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date';

describe('Function: signV4', () => {
  it('matches the test suite\'s "get-vanilla" signature', () => {
    const authorization = signV4({ ...SUITE, url: new URL('https://example.amazonaws.com/'), headers: SUITE_HEADERS });
    assert.equal(authorization, `${SUITE_CREDENTIAL}, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31`);
  });

  it('matches "get-vanilla-query-order-key-case": query parameters sorted by name', () => {
    const authorization = signV4({
      ...SUITE,
      url: new URL('https://example.amazonaws.com/?Param2=value2&Param1=value1'),
      headers: SUITE_HEADERS,
    });
    assert.equal(authorization, `${SUITE_CREDENTIAL}, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500`);
  });

  it('signs header names in any case, trimmed values, sorted', () => {
    const lower = signV4({ ...SUITE, url: new URL('https://example.amazonaws.com/'), headers: SUITE_HEADERS });
    const mixed = signV4({
      ...SUITE,
      url: new URL('https://example.amazonaws.com/'),
      headers: { 'X-Amz-Date': ' 20150830T123600Z ', Host: 'example.amazonaws.com' },
    });
    assert.equal(mixed, lower);
  });

  it("produces the SDK's Authorization header for the SDK's own GetSecretValue request (session token included)", async () => {
    let captured:
      { protocol: string; hostname: string; path: string; method: string; headers: Record<string, string>; body: string } | undefined;
    const client = new SecretsManagerClient({
      region: 'eu-central-1',
      credentials: { accessKeyId: 'AKIDSDKCHECK', secretAccessKey: 'sdk-check-secret', sessionToken: 'sdk-check-token' },
      maxAttempts: 1,
      requestHandler: {
        handle: (request: typeof captured) => {
          captured = request;
          return Promise.reject(new Error('captured'));
        },
      },
    });
    await assert.rejects(client.send(new GetSecretValueCommand({ SecretId: 'meshgate/prod/signing-keys', VersionStage: 'AWSCURRENT' })));
    assert.ok(captured);
    const sdkAuthorization = captured.headers.authorization!;
    const signed = /SignedHeaders=([^,]+)/.exec(sdkAuthorization)![1]!.split(';');
    assert.ok(signed.includes('x-amz-security-token') && signed.includes('x-amz-target'));

    const ours = signV4({
      method: captured.method,
      url: new URL(`${captured.protocol}//${captured.hostname}${captured.path}`),
      headers: Object.fromEntries(signed.map((name) => [name, captured!.headers[name]!])),
      body: captured.body,
      region: 'eu-central-1',
      service: 'secretsmanager',
      credentials: { accessKeyId: 'AKIDSDKCHECK', secretAccessKey: 'sdk-check-secret' },
      amzDate: captured.headers['x-amz-date']!,
    });
    assert.equal(ours, sdkAuthorization);
  });
});

describe('Function: amzDate', () => {
  it('formats a time as x-amz-date, whole seconds, UTC', () => {
    assert.equal(amzDate(new Date('2015-08-30T12:36:00.987Z')), '20150830T123600Z');
  });
});
