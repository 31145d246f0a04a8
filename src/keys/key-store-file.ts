// The local KeyStore: `.meshgate/keys.json`, created on first use, rotated by `meshgate rotate --local`.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MeshgateError } from '../errors';
import { newKeySet, parseKeySet, rotateKeySet, serializeKeySet, type SigningKeySet } from './key-set';
import type { KeyStore } from './key-store';

export const DEFAULT_LOCAL_KEYS_FILE = '.meshgate/keys.json';

/**
 * A file-backed key store. Reads the file on every `load()` unless `cacheMs` is set, so a rotation by another
 * process is picked up like a warm Lambda picks up a new `AWSCURRENT`.
 *
 * @example
 * const store = new FileKeyStore('.meshgate/keys.json');
 * const keys = await store.load();
 */
export class FileKeyStore implements KeyStore {
  private cached: { set: SigningKeySet; atMs: number } | undefined;

  constructor(
    readonly path: string = DEFAULT_LOCAL_KEYS_FILE,
    private readonly cacheMs = 0,
  ) {}

  async load(): Promise<SigningKeySet> {
    if (this.cached && Date.now() - this.cached.atMs < this.cacheMs) return this.cached.set;
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new MeshgateError('key_set_unavailable', `cannot read ${this.path}`, { cause: err });
      const created = newKeySet();
      await this.write(created);
      text = serializeKeySet(created);
    }
    const set = parseKeySet(text);
    this.cached = { set, atMs: Date.now() };
    return set;
  }

  /** Rotates the local key set (next → current → previous, fresh next) and returns the new set. */
  async rotate(): Promise<SigningKeySet> {
    const rotated = rotateKeySet(await new FileKeyStore(this.path).load());
    await this.write(rotated);
    this.cached = undefined;
    return rotated;
  }

  // Write to a temporary file then rename: a reader never sees a half-written key set.
  private async write(set: SigningKeySet): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, serializeKeySet(set), { mode: 0o600 });
    await rename(tmp, this.path);
  }
}
