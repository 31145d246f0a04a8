import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors';
import { keyStoreFromConfig, readKeyStoreConfig } from '../../src/keys/key-store-from-env';
import { FileKeyStore } from '../../src/keys/key-store-file';
import { SecretsManagerKeyStore } from '../../src/keys/key-store-secrets-manager';
import { newKeySet, serializeKeySet } from '../../src/keys/key-set';
import { secretValue, startSecretsManagerDouble } from './support/secrets-manager-double';

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

  it('reads the kind, the secret id and the cache TTL, with their defaults', () => {
    assert.deepEqual(readKeyStoreConfig({ MESHGATE_KEY_SECRET_ID: 'meshgate/dev/keys' }), {
      kind: 'secrets-manager',
      secretId: 'meshgate/dev/keys',
      cacheMs: 60_000,
    });
    assert.deepEqual(readKeyStoreConfig({ MESHGATE_KEY_SECRET_ID: 'meshgate/dev/keys', MESHGATE_KEY_CACHE_TTL_MS: '5000' }), {
      kind: 'secrets-manager',
      secretId: 'meshgate/dev/keys',
      cacheMs: 5_000,
    });
    assert.deepEqual(readKeyStoreConfig({ MESHGATE_KEY_STORE: 'file' }), { kind: 'file', path: '.meshgate/keys.json', cacheMs: 1000 });
    assert.throws(
      () => readKeyStoreConfig({ MESHGATE_KEY_SECRET_ID: '' }),
      (err: unknown) => err instanceof ConfigError && err.path === 'MESHGATE_KEY_SECRET_ID',
    );
  });

  it('builds a Secrets Manager store that keeps the set for the configured TTL (0: read every time)', async () => {
    const sm = await startSecretsManagerDouble();
    const saved = { ...process.env };
    try {
      Object.assign(process.env, sm.env);
      const set = newKeySet();
      sm.answer(() => secretValue(serializeKeySet(set)));
      const store = keyStoreFromConfig({ kind: 'secrets-manager', secretId: 'meshgate/dev/keys', cacheMs: 0 });
      assert.equal((await store.load()).current.kid, set.current.kid);
      await store.load();
      assert.equal(sm.calls.length, 2);
    } finally {
      process.env = saved;
      await sm.close();
    }
  });
});
