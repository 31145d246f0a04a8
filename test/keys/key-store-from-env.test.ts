import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors';
import { keyStoreFromConfig, readKeyStoreConfig } from '../../src/keys/key-store-from-env';
import { FileKeyStore } from '../../src/keys/key-store-file';
import { SecretsManagerKeyStore } from '../../src/keys/key-store-secrets-manager';

describe('key store from the environment', () => {
  it('builds a Secrets Manager store by default and requires the secret id', () => {
    assert.ok(
      keyStoreFromConfig(
        readKeyStoreConfig({ MESHGATE_KEY_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x' }),
      ) instanceof SecretsManagerKeyStore,
    );
    assert.throws(
      () => readKeyStoreConfig({}),
      (err: unknown) => err instanceof ConfigError && err.path === 'MESHGATE_KEY_SECRET_ID',
    );
  });
  it('builds a file store for the local stack, and refuses it inside AWS', () => {
    assert.ok(
      keyStoreFromConfig(readKeyStoreConfig({ MESHGATE_KEY_STORE: 'file', MESHGATE_KEYS_FILE: '/tmp/k.json' })) instanceof FileKeyStore,
    );
    const inAws = { MESHGATE_KEY_STORE: 'file', AWS_LAMBDA_FUNCTION_NAME: 'f', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' };
    assert.throws(
      () => readKeyStoreConfig(inAws),
      (err: unknown) => err instanceof ConfigError && err.path === 'MESHGATE_KEY_STORE',
    );
    assert.throws(
      () => readKeyStoreConfig({ MESHGATE_KEY_STORE: 'vault' }),
      (err: unknown) => err instanceof ConfigError && err.path === 'MESHGATE_KEY_STORE',
    );
  });
});
