// parseKeySet: the signing key set read from the secret (or the local file) is used only when every key is a well-formed
// P-256 private JWK under its own thumbprint; anything else is key_set_unavailable, naming the key, never its material.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { MeshgateError } from '../../src/errors';
import {
  generateSigningKey,
  newKeySet,
  parseKeySet,
  rotateKeySet,
  serializeKeySet,
  thumbprint,
  type SigningKey,
} from '../../src/keys/key-set';

type RawKey = { kid: unknown; privateJwk: Record<string, unknown>; createdAt?: unknown };

/** A stored key with its JWK members changed, under the kid its (changed) public members hash to. */
function withJwk(key: SigningKey, patch: Record<string, unknown>): RawKey {
  const privateJwk: Record<string, unknown> = { ...key.privateJwk, ...patch };
  const kid = thumbprint(privateJwk as { crv: string; x: string; y: string });
  return { kid, privateJwk, createdAt: key.createdAt };
}

/** The raw stored form of a fresh set, with `patch` laid over it. */
function storedSet(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...(JSON.parse(serializeKeySet(newKeySet())) as Record<string, unknown>), ...patch };
}

/** Asserts the refusal is a key_set_unavailable MeshgateError whose message matches `reason` and holds no private scalar. */
function assertRefused(input: unknown, reason: RegExp, secrets: readonly string[] = []): void {
  assert.throws(
    () => parseKeySet(input),
    (err: unknown) => {
      assert.ok(err instanceof MeshgateError, `a MeshgateError, not ${String(err)}`);
      assert.equal(err.code, 'key_set_unavailable');
      assert.match(err.message, reason);
      for (const s of secrets) assert.ok(!err.message.includes(s), 'the message holds key material');
      return true;
    },
  );
}

describe('Function: thumbprint', () => {
  it('is the RFC 7638 thumbprint of the EC public key: SHA-256 over {crv, kty: "EC", x, y} in that order', () => {
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const canonical = `{"crv":"P-256","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`;
    assert.equal(thumbprint({ crv: 'P-256', x: jwk.x!, y: jwk.y! }), createHash('sha256').update(canonical).digest('base64url'));
  });
});

describe('Function: parseKeySet', () => {
  it('accepts a stored set as JSON text or as an object, keeping every key, its kid and createdAt', () => {
    const set = rotateKeySet(newKeySet(new Date('2026-01-01T00:00:00Z')), new Date('2026-02-01T00:00:00Z'));
    for (const input of [serializeKeySet(set), JSON.parse(serializeKeySet(set)) as unknown]) {
      const parsed = parseKeySet(input);
      assert.deepEqual(parsed, set);
      assert.equal(parsed.previous?.kid, set.previous!.kid);
      assert.equal(parsed.next.createdAt, '2026-02-01T00:00:00.000Z');
    }
  });

  it('reads a missing or null previous key as none', () => {
    assert.equal(parseKeySet(storedSet()).previous, undefined);
    assert.equal(parseKeySet(storedSet({ previous: null })).previous, undefined);
  });

  it('dates a key stored without a createdAt string at the epoch', () => {
    const { current } = newKeySet();
    for (const createdAt of [undefined, 1767225600000]) {
      const parsed = parseKeySet(storedSet({ current: { ...current, createdAt } }));
      assert.equal(parsed.current.createdAt, '1970-01-01T00:00:00.000Z');
    }
  });

  it('refuses text that is not JSON, and anything but a version 1 object', () => {
    assertRefused('{"version":1,', /not JSON/);
    for (const value of [
      'null',
      '[]',
      '5',
      '"text"',
      JSON.stringify(storedSet({ version: 2 })),
      JSON.stringify(storedSet({ version: '1' })),
    ]) {
      assertRefused(value, /version must be 1/);
    }
    assertRefused(null, /version must be 1/);
  });

  it('refuses a missing key, or a key without a privateJwk object, naming which key', () => {
    const { next } = newKeySet();
    assertRefused(storedSet({ current: undefined }), /: current is not a signing key/);
    assertRefused(storedSet({ next: { kid: next.kid, createdAt: next.createdAt } }), /: next is not a signing key/);
    assertRefused(storedSet({ next: { ...next, privateJwk: 'not an object' } }), /: next is not a signing key/);
    assertRefused(storedSet({ previous: null, current: null }), /: current is not a signing key/);
    assertRefused(storedSet({ previous: 'old' }), /: previous is not a signing key/);
  });

  it('refuses a key that is not a P-256 private JWK: another key type, another curve, a missing private scalar', () => {
    const key = generateSigningKey();
    // RSA and oct types, the P-384 and secp256k1 curves, no kty, no private scalar d.
    const patches = [{ kty: 'RSA' }, { kty: 'oct' }, { crv: 'P-384' }, { crv: 'secp256k1' }, { kty: undefined }, { d: undefined }];
    for (const patch of patches) {
      for (const slot of ['current', 'next', 'previous'] as const) {
        assertRefused(storedSet({ [slot]: withJwk(key, patch) }), new RegExp(`: ${slot}\\.privateJwk is not a P-256 private JWK`), [
          key.privateJwk.d,
        ]);
      }
    }
  });

  it('refuses coordinates and scalars that are not 43 base64url characters (32 bytes)', () => {
    const key = generateSigningKey();
    const { x } = key.privateJwk;
    const bad: unknown[] = [
      x.slice(1), // 42 characters: a short coordinate
      `${x}A`, // 44 characters, all base64url
      `A${x}`,
      `${x.slice(0, 42)}=`, // base64 padding
      `${x.slice(0, 42)}+`, // base64, not base64url
      [x], // not a string, though it prints as one
      Buffer.from(x, 'base64url').length, // a number
    ];
    for (const member of ['x', 'y', 'd'] as const) {
      for (const value of bad) {
        assertRefused(storedSet({ next: withJwk(key, { [member]: value }) }), /: next\.privateJwk is not a P-256 private JWK/, [
          key.privateJwk.d,
        ]);
      }
    }
  });

  it("refuses a key whose kid is not its public key's thumbprint", () => {
    const { current, next } = newKeySet();
    assertRefused(storedSet({ current: { ...current, kid: next.kid } }), /: current\.kid does not match the key's thumbprint/);
  });

  it('refuses a set whose current and next keys are the same key', () => {
    const { current } = newKeySet();
    assertRefused(storedSet({ current, next: current }), /current and next must be different keys/, [current.privateJwk.d]);
  });
});
