// FileKeyStore: the local stack's key set file, read through a short cache, created only on request, private to its owner.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MeshgateError } from '../../src/errors';
import { DEFAULT_LOCAL_KEYS_FILE, FileKeyStore } from '../../src/keys/key-store-file';
import { newKeySet, serializeKeySet } from '../../src/keys/key-set';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meshgate-key-file-'));
  file = join(dir, 'keys', 'keys.json');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('Class: FileKeyStore', () => {
  it('defaults to .meshgate/keys.json', () => {
    assert.equal(DEFAULT_LOCAL_KEYS_FILE, '.meshgate/keys.json');
    assert.equal(new FileKeyStore().path, '.meshgate/keys.json');
  });

  it('serves the cached set for cacheMs, and re-reads the file on every load without it', async () => {
    const first = newKeySet();
    const second = newKeySet();
    await mkdir(join(dir, 'keys'));
    await writeFile(file, serializeKeySet(first));
    const cached = new FileKeyStore(file, 3_600_000);
    const uncached = new FileKeyStore(file);
    assert.equal((await cached.load()).current.kid, first.current.kid);
    assert.equal((await uncached.load()).current.kid, first.current.kid);
    await writeFile(file, serializeKeySet(second));
    assert.equal((await cached.load()).current.kid, first.current.kid, 'within cacheMs: the set read before');
    assert.equal((await uncached.load()).current.kid, second.current.kid, 'no cache: the file as it is now');
  });

  it('answers key_set_unavailable, with the read error as cause, for a path it cannot read', async () => {
    await mkdir(file, { recursive: true });
    await assert.rejects(new FileKeyStore(file).load(), (err: unknown) => {
      assert.ok(err instanceof MeshgateError);
      assert.equal(err.code, 'key_set_unavailable');
      assert.equal((err.cause as NodeJS.ErrnoException).code, 'EISDIR');
      return true;
    });
  });

  it('creates a missing file readable by its owner only', async () => {
    const store = new FileKeyStore(file);
    await assert.rejects(store.load(), (err: MeshgateError) => err.code === 'key_file_missing');
    const created = await store.createIfMissing();
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await store.load()).current.kid, created.current.kid);
    await store.rotate();
    assert.equal((await stat(file)).mode & 0o777, 0o600, 'the rotated file too');
  });

  it('never replaces a file it cannot parse: createIfMissing only creates what is missing', async () => {
    await mkdir(join(dir, 'keys'));
    const corrupt = '{"version":1,"current":"not a key"}';
    await writeFile(file, corrupt);
    await assert.rejects(new FileKeyStore(file).createIfMissing(), (err: MeshgateError) => err.code === 'key_set_unavailable');
    assert.equal(await readFile(file, 'utf8'), corrupt);
  });
});
