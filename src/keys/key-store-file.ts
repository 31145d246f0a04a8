// The local KeyStore: `.meshgate/keys.json`, created by `npm start` only, rotated by `meshgate rotate --local`.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isMeshgateError, MeshgateError } from '../errors';
import { newKeySet, parseKeySet, rotateKeySet, serializeKeySet, type SigningKeySet } from './key-set';
import type { KeyStore } from './key-store';

export const DEFAULT_LOCAL_KEYS_FILE = '.meshgate/keys.json';

/** What a missing key file answers: the path, and how to get one (only `npm start` creates it). */
export function keyFileMissing(path: string): MeshgateError {
  return new MeshgateError(
    'key_file_missing',
    `no key set file at ${path}: \`npm start\` creates .meshgate/keys.json on its first run (or \`meshgate start --keys-file ${path}\` creates this one); check the path`,
  );
}

/**
 * A file-backed key store. Reads the file on every `load()` unless `cacheMs` is set, so a rotation by another
 * process is picked up like a warm Lambda picks up a new `AWSCURRENT`. A missing file is `key_file_missing`, never
 * a new key set: a mistyped path must not publish or sign with keys nobody serves. `createIfMissing` creates it.
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
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw keyFileMissing(this.path);
      throw new MeshgateError('key_set_unavailable', `cannot read ${this.path}`, { cause: err });
    }
    const set = parseKeySet(text);
    this.cached = { set, atMs: Date.now() };
    return set;
  }

  /** Loads the key set, creating the file with a fresh one first if it does not exist (`meshgate start`). */
  async createIfMissing(): Promise<SigningKeySet> {
    try {
      return await this.load();
    } catch (err) {
      if (!(isMeshgateError(err) && err.code === 'key_file_missing')) throw err;
      await this.write(newKeySet());
      return this.load();
    }
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
