// Secrets Manager's endpoint per Region and partition, endpoint overrides, and the function's credentials from the environment.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { credentialsFromEnv, secretsManagerTarget } from '../../src/keys/secrets-manager-endpoint';

const endpointFor = (env: Record<string, string>): string => secretsManagerTarget(env).endpoint.href;

describe('Function: secretsManagerTarget', () => {
  it("uses each partition's DNS suffix", () => {
    assert.equal(endpointFor({ AWS_REGION: 'eu-west-1' }), 'https://secretsmanager.eu-west-1.amazonaws.com/');
    assert.equal(endpointFor({ AWS_REGION: 'cn-northwest-1' }), 'https://secretsmanager.cn-northwest-1.amazonaws.com.cn/');
    assert.equal(endpointFor({ AWS_REGION: 'us-gov-west-1' }), 'https://secretsmanager.us-gov-west-1.amazonaws.com/');
    assert.equal(endpointFor({ AWS_REGION: 'us-iso-east-1' }), 'https://secretsmanager.us-iso-east-1.c2s.ic.gov/');
    assert.equal(endpointFor({ AWS_REGION: 'us-isob-east-1' }), 'https://secretsmanager.us-isob-east-1.sc2s.sgov.gov/');
    assert.equal(endpointFor({ AWS_REGION: 'eusc-de-east-1' }), 'https://secretsmanager.eusc-de-east-1.amazonaws.eu/');
  });

  it('honours AWS_USE_FIPS_ENDPOINT and AWS_USE_DUALSTACK_ENDPOINT', () => {
    assert.equal(
      endpointFor({ AWS_REGION: 'us-east-1', AWS_USE_FIPS_ENDPOINT: 'true' }),
      'https://secretsmanager-fips.us-east-1.amazonaws.com/',
    );
    assert.equal(endpointFor({ AWS_REGION: 'us-east-1', AWS_USE_DUALSTACK_ENDPOINT: 'true' }), 'https://secretsmanager.us-east-1.api.aws/');
  });

  it('prefers AWS_ENDPOINT_URL_SECRETS_MANAGER, then AWS_ENDPOINT_URL, unless told to ignore them', () => {
    const env = {
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:6000',
    };
    assert.equal(endpointFor(env), 'http://127.0.0.1:6000/');
    assert.equal(endpointFor({ ...env, AWS_ENDPOINT_URL_SECRETS_MANAGER: '' }), 'http://127.0.0.1:5000/');
    assert.equal(endpointFor({ ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }), 'https://secretsmanager.eu-west-1.amazonaws.com/');
    assert.equal(secretsManagerTarget(env).region, 'eu-west-1');
  });

  it('falls back to AWS_DEFAULT_REGION and names the variable when there is no Region or a bad endpoint', () => {
    assert.equal(secretsManagerTarget({ AWS_DEFAULT_REGION: 'ap-south-2' }).region, 'ap-south-2');
    assert.throws(() => secretsManagerTarget({}), /AWS_REGION/);
    assert.throws(() => secretsManagerTarget({ AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'ftp://x' }), /AWS_ENDPOINT_URL must be/);
  });

  it('refuses a Region that is not only lowercase letters, digits and dashes, so no host can be smuggled in', () => {
    for (const region of ['evil.example/eu-west-1', 'eu-west-1.evil.example', 'eu-west-1#', 'EU-WEST-1', 'eu west 1']) {
      assert.throws(() => secretsManagerTarget({ AWS_REGION: region }), { name: 'TypeError', message: /AWS_REGION/ }, region);
    }
  });

  it('takes only http and https endpoints, naming the variable that holds a bad one', () => {
    for (const url of ['xhttps://127.0.0.1:6000', 'shttp://127.0.0.1:6000', 'ftp://127.0.0.1', 'not a url']) {
      assert.throws(
        () =>
          secretsManagerTarget({
            AWS_REGION: 'eu-west-1',
            AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
            AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
          }),
        { name: 'TypeError', message: 'AWS_ENDPOINT_URL_SECRETS_MANAGER must be an http(s) URL' },
        url,
      );
    }
    assert.equal(endpointFor({ AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'HTTPS://Example.com:8443' }), 'https://example.com:8443/');
  });
});

describe('Function: credentialsFromEnv', () => {
  it("reads the execution role's keys and session token, or nothing when a key is missing", () => {
    assert.deepEqual(credentialsFromEnv({ AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't' }), {
      accessKeyId: 'AKID',
      secretAccessKey: 's',
      sessionToken: 't',
    });
    assert.deepEqual(credentialsFromEnv({ AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 's' }), {
      accessKeyId: 'AKID',
      secretAccessKey: 's',
    });
    assert.equal(credentialsFromEnv({ AWS_ACCESS_KEY_ID: 'AKID' }), undefined);
  });
});
