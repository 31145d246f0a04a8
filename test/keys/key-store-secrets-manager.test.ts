// SecretsManagerKeyStore: AWSCURRENT with a TTL cache, a bounded stale window on errors, key_set_unavailable when empty.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { newKeySet, rotateKeySet, serializeKeySet, type SigningKeySet } from '../../src/keys/key-set';
import { SecretsManagerKeyStore } from '../../src/keys/key-store-secrets-manager';
import type { MeshgateError } from '../../src/errors';
import { assertNoSecretsLogged } from '../support/logs';
import { secretCacheTestbed, throttled } from '../support/secret-cache';

const SECRET_ID = 'meshgate/test/signing-keys';
const TTL = 60_000;
const smMock = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'eu-west-1' });

const t = secretCacheTestbed(smMock);
const store = (opts: { ttlMs?: number; maxStaleMs?: number; retryAfterMs?: number } = {}) =>
  new SecretsManagerKeyStore(SECRET_ID, { client, ttlMs: TTL, now: () => t.clock, ...opts });
const serve = (set: SigningKeySet) => smMock.on(GetSecretValueCommand).resolves({ SecretString: serializeKeySet(set), VersionStages: ['AWSCURRENT'] });

describe('Class: SecretsManagerKeyStore', () => {
  it('reads the AWSCURRENT version of the secret', async () => {
    const set = newKeySet();
    serve(set);

    const loaded = await store().load();

    assert.equal(loaded.current.kid, set.current.kid);
    assert.deepEqual(smMock.commandCalls(GetSecretValueCommand)[0]?.args[0].input, { SecretId: SECRET_ID, VersionStage: 'AWSCURRENT' });
  });

  it('serves from memory within the TTL and picks up a rotated set after it', async () => {
    const before = newKeySet();
    const after = rotateKeySet(before);
    const keys = store();
    serve(before);
    await keys.load();

    serve(after);
    t.clock += TTL - 1;
    assert.equal((await keys.load()).current.kid, before.current.kid);
    assert.equal(t.reads(), 1);

    t.clock += 1;
    assert.equal((await keys.load()).current.kid, after.current.kid);
    assert.equal(t.reads(), 2);
  });

  it('shares one read between concurrent loads on a cold cache', async () => {
    serve(newKeySet());
    const keys = store();

    const sets = await Promise.all(Array.from({ length: 20 }, () => keys.load()));

    assert.equal(t.reads(), 1);
    assert.equal(new Set(sets.map((s) => s.current.kid)).size, 1);
  });

  it('keeps signing with the cached set while Secrets Manager throttles, inside the stale window, and logs it', async () => {
    const set = newKeySet();
    const keys = store({ retryAfterMs: 5_000 });
    serve(set);
    await keys.load();
    smMock.on(GetSecretValueCommand).rejects(throttled());

    t.clock += TTL + 1;
    assert.equal((await keys.load()).current.kid, set.current.kid);
    t.clock += 1_000;
    assert.equal((await keys.load()).current.kid, set.current.kid);
    assert.equal(t.reads(), 2, 'no new read before retryAfterMs, so a throttled API is not hammered');
    t.clock += 5_000;
    await keys.load();
    assert.equal(t.reads(), 3);

    const warning = t.logs.entries().find((e) => e.message === 'key set refresh failed; serving the cached key set');
    assert.equal(warning?.reason, 'ThrottlingException');
  });

  it('stops serving the cached set once the stale window is over', async () => {
    const keys = store();
    serve(newKeySet());
    await keys.load();
    smMock.on(GetSecretValueCommand).rejects(throttled());

    t.clock += TTL + 10 * TTL - 1;
    await keys.load();
    t.clock += 1;
    await assert.rejects(keys.load(), (err: MeshgateError) => err.code === 'key_set_unavailable' && /ThrottlingException/.test(err.message));
  });

  it('recovers with a fresh read once Secrets Manager answers again', async () => {
    const keys = store({ retryAfterMs: 0 });
    serve(newKeySet());
    await keys.load();
    smMock.on(GetSecretValueCommand).rejects(throttled());
    t.clock += TTL;
    await keys.load();
    const rotated = newKeySet();
    serve(rotated);

    assert.equal((await keys.load()).current.kid, rotated.current.kid);
  });

  it('throws key_set_unavailable when nothing is cached and the read fails', async () => {
    smMock.on(GetSecretValueCommand).rejects(throttled());
    await assert.rejects(store().load(), (err: MeshgateError) => {
      assert.equal(err.code, 'key_set_unavailable');
      assert.equal((err.cause as Error).name, 'ThrottlingException');
      return true;
    });
  });

  it('does not replace a good cached set with a corrupted AWSCURRENT value, and never logs key material', async () => {
    const good = newKeySet();
    const keys = store();
    serve(good);
    await keys.load();
    const tampered = JSON.parse(serializeKeySet(newKeySet())) as { current: { kid: string } };
    tampered.current.kid = good.current.kid;
    smMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(tampered) });

    t.clock += TTL;
    assert.equal((await keys.load()).current.privateJwk.d, good.current.privateJwk.d);

    assertNoSecretsLogged(t.logs, [good.current.privateJwk.d, good.next.privateJwk.d, serializeKeySet(good)]);
    assert.match(String(t.logs.entries().at(-1)?.reason), /kid does not match/);
  });

  it('throws key_set_unavailable for an empty secret (rotation has not filled it yet)', async () => {
    smMock.on(GetSecretValueCommand).resolves({});
    await assert.rejects(store().load(), (err: MeshgateError) => err.code === 'key_set_unavailable');
  });

  it('rejects bad options as misuse', () => {
    assert.throws(() => new SecretsManagerKeyStore(''), TypeError);
    assert.throws(() => new SecretsManagerKeyStore(SECRET_ID, { ttlMs: -1 }), /ttlMs must be a non-negative number/);
  });
});
