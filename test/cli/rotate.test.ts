// `meshgate rotate --local` through the real CLI: the previous key stays published and a fresh next key appears.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newKeySet, parseKeySet, publicJwks, serializeKeySet } from '../../src/keys/key-set';
import { bodyDigest, requestHash } from '@meshgate/consumer';
import { newJti, signAssertion } from '../../src/keys/assertion';

const dir = mkdtempSync(join(tmpdir(), 'meshgate-rotate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, ['bin/meshgate.cjs', 'rotate', ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function verifiesWith(jws: string, jwks: { keys: { kid: string; kty: string; crv: string; x: string; y: string }[] }): boolean {
  const [h, p, s] = jws.split('.') as [string, string, string];
  const { kid } = JSON.parse(Buffer.from(h, 'base64url').toString()) as { kid: string };
  const jwk = jwks.keys.find((k) => k.kid === kid);
  if (!jwk) return false;
  const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
  return verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
}

describe('Command: meshgate rotate --local', () => {
  it('promotes next to current, keeps the old current as previous, adds a new next, and old assertions still verify', () => {
    const file = join(dir, 'keys.json');
    const before = newKeySet();
    writeFileSync(file, serializeKeySet(before), { mode: 0o600 });
    const now = Math.floor(Date.now() / 1000);
    const signedBefore = signAssertion(
      {
        iss: 'http://127.0.0.1:3000',
        aud: 'demo',
        sub: 'alice',
        type: 'user',
        scope: '',
        groups: [],
        src_iss: 'http://127.0.0.1:4010',
        iat: now,
        exp: now + 60,
        jti: newJti(),
        req: requestHash('GET', '/whoami'),
        body_sha256: bodyDigest(undefined),
      },
      before.current,
    );

    const run = cli('--local', '--keys-file', file, '--json');

    assert.equal(run.code, 0, run.stderr);
    const printed = JSON.parse(run.stdout) as { before: Record<string, string | null>; after: Record<string, string | null> };
    const rotated = parseKeySet(readFileSync(file, 'utf8'));
    assert.deepEqual(printed.after, { current: rotated.current.kid, next: rotated.next.kid, previous: rotated.previous?.kid ?? null });
    assert.equal(rotated.current.kid, before.next.kid);
    assert.equal(rotated.previous?.kid, before.current.kid);
    assert.ok(![before.current.kid, before.next.kid].includes(rotated.next.kid));
    assert.ok(verifiesWith(signedBefore, publicJwks(rotated)), 'an assertion signed before the rotation verifies against the new JWKS');
    assert.equal(statSync(file).mode & 0o077, 0, 'the key file stays private to its owner');
  });

  it('prints the kids for people', () => {
    const file = join(dir, 'people.json');
    writeFileSync(file, serializeKeySet(newKeySet()), { mode: 0o600 });
    const run = cli('--local', '--keys-file', file);
    assert.equal(run.code, 0, run.stderr);
    const rotated = parseKeySet(readFileSync(file, 'utf8'));
    assert.match(run.stdout, new RegExp(`previous\\s+${rotated.previous!.kid}`));
    assert.match(run.stdout, new RegExp(`next\\s+${rotated.next.kid}`));
    assert.doesNotMatch(run.stdout, new RegExp(rotated.current.privateJwk.d));
  });

  it('refuses a key file that does not exist (exit 2) instead of creating a key set nobody published', () => {
    const file = join(dir, 'absent', 'keys.json');
    const run = cli('--local', '--keys-file', file);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /no key set file at .*absent\/keys\.json: `npm start` creates/);
    assert.equal(run.stdout, '');
    assert.throws(() => statSync(file), /ENOENT/);
  });

  it('fails (exit 1, no stack trace) on a key file that does not parse, leaving it as it was', () => {
    const file = join(dir, 'garbage.json');
    writeFileSync(file, '{"current":', { mode: 0o600 });
    const run = cli('--local', '--keys-file', file);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^meshgate rotate: /);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
    assert.equal(readFileSync(file, 'utf8'), '{"current":');
  });

  it('exits 2 with the usage on bad usage, 0 on --help', () => {
    for (const args of [[], ['--local', '--secret-id', 'x'], ['--keys-file', 'k.json']]) {
      const run = cli(...args);
      assert.equal(run.code, 2, `args ${args.join(' ')}`);
      assert.match(run.stderr, /usage: meshgate rotate/);
    }
    const help = cli('--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--secret-id <id>/);
  });
});
