// Reads the zips `serverless package` writes: entry sizes, and extraction for running a bundle as Lambda would.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  readonly name: string;
  readonly size: number;
  readonly method: number;
  readonly compressedSize: number;
  readonly localHeaderOffset: number;
}

/** Entries from a zip's central directory (APPNOTE 4.3.12). */
export function zipEntries(zip: Buffer): ZipEntry[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'not a zip file');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50, 'bad central directory entry');
    const nameLength = zip.readUInt16LE(at + 28);
    entries.push({
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      method: zip.readUInt16LE(at + 10),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      localHeaderOffset: zip.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}

/** Extracts every file entry (stored or deflated) below `dir`. */
export function extractZip(zip: Buffer, dir: string): void {
  for (const entry of zipEntries(zip)) {
    if (entry.name.endsWith('/')) continue;
    assert.ok(!entry.name.split('/').includes('..'), `unsafe entry name ${entry.name}`);
    const local = entry.localHeaderOffset;
    assert.equal(zip.readUInt32LE(local), 0x04034b50, 'bad local header');
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + entry.compressedSize);
    const data = entry.method === 0 ? raw : inflateRawSync(raw);
    const file = join(dir, entry.name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, data);
  }
}
