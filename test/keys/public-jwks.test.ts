// parsePublicJwks: the public-JWKS secret is served only when it holds ES256 P-256 public keys and nothing else.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { newKeySet, publicJwks, rotateKeySet, serializeKeySet, thumbprint, type SigningKeySet } from '../../src/keys/key-set';
import { isPrivateMaterialError, parsePublicJwks } from '../../src/keys/public-jwks';
import { MeshgateError } from '../../src/errors';

const published = (set: SigningKeySet) => JSON.parse(JSON.stringify(publicJwks(set))) as { keys: Record<string, unknown>[] };

/** Asserts the refusal is key_set_unavailable, names what is wrong, and never echoes a private value. */
function assertRefused(value: unknown, reason: RegExp, privateValues: readonly string[] = []): MeshgateError {
  let caught: MeshgateError | undefined;
  assert.throws(
    () => parsePublicJwks(typeof value === 'string' ? value : JSON.stringify(value)),
    (err: MeshgateError) => {
      caught = err;
      return err.code === 'key_set_unavailable' && reason.test(err.message);
    },
  );
  for (const v of privateValues) assert.ok(!caught!.message.includes(v), 'the error message holds a private value');
  return caught!;
}

describe('Function: parsePublicJwks', () => {
  it('accepts what rotation publishes and rebuilds it from the public members', () => {
    const set = rotateKeySet(newKeySet());
    const parsed = parsePublicJwks(JSON.stringify(publicJwks(set)));
    assert.deepEqual(
      parsed.keys.map((k) => k.kid),
      [set.current.kid, set.next.kid, set.previous!.kid],
    );
    assert.deepEqual(JSON.parse(JSON.stringify(parsed)), published(set));
  });

  it('refuses a key that carries its private scalar d, as an incident, without echoing it', () => {
    const set = newKeySet();
    const doc = published(set);
    doc.keys[1]!.d = set.next.privateJwk.d;
    const err = assertRefused(doc, /keys\[1\] holds private key material \(member "d"\)/, [set.next.privateJwk.d]);
    assert.ok(isPrivateMaterialError(err));
  });

  it('refuses the private key set itself stored by mistake in the public secret', () => {
    const set = newKeySet();
    assertRefused(serializeKeySet(set), /"keys" list/, [set.current.privateJwk.d, set.next.privateJwk.d]);
  });

  it('refuses every private member of RSA, oct and multi-prime keys (p, q, dp, dq, qi, oth, k)', () => {
    for (const member of ['p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) {
      const doc = published(newKeySet());
      doc.keys[0]![member] = 'c2VjcmV0LXZhbHVlLW5vdC10by1iZS1lY2hvZWQ';
      const err = assertRefused(doc, new RegExp(`member "${member}"`), ['c2VjcmV0LXZhbHVlLW5vdC10by1iZS1lY2hvZWQ']);
      assert.ok(isPrivateMaterialError(err), member);
    }
  });

  it('refuses unknown members, top-level extras, a substituted key under a published kid, and wrong key types', () => {
    const set = newKeySet();
    const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const cases: Array<[(doc: { keys: Record<string, unknown>[] } & Record<string, unknown>) => void, RegExp]> = [
      [
        (d) => {
          d.keys[0]!.x5u = 'https://evil.example/cert';
        },
        /unexpected member "x5u"/,
      ],
      [
        (d) => {
          d.private = { d: 'x' };
        },
        /unexpected member "private"/,
      ],
      [
        (d) => {
          d.keys[0]!.x = attacker.x;
          d.keys[0]!.y = attacker.y;
        },
        /kid does not match/,
      ],
      [
        (d) => {
          d.keys[0]!.crv = 'P-384';
        },
        /not a P-256 public JWK/,
      ],
      [
        (d) => {
          d.keys[0]!.alg = 'HS256';
        },
        /alg ES256/,
      ],
      [
        (d) => {
          d.keys[1] = d.keys[0]!;
        },
        /kid appears twice/,
      ],
      [
        (d) => {
          d.keys.push(...published(newKeySet()).keys);
        },
        /1 to 3 keys/,
      ],
      [
        (d) => {
          d.keys.length = 0;
        },
        /1 to 3 keys/,
      ],
    ];
    for (const [tamper, reason] of cases) {
      const doc = published(set) as { keys: Record<string, unknown>[] } & Record<string, unknown>;
      tamper(doc);
      assertRefused(doc, reason);
    }
    assertRefused('not json', /not JSON/);
    assertRefused('', /not JSON/);
    assertRefused([], /"keys" list/);
  });

  it('refuses a key that is not an object, without failing on it', () => {
    for (const key of [null, 'a key', 5, []]) assertRefused({ keys: [key] }, /keys\[0\] is not a JWK/);
  });

  it('refuses a key of another type or use under a matching kid: kty RSA, use enc', () => {
    for (const patch of [{ kty: 'RSA' }, { kty: 'oct' }, { use: 'enc' }, { use: undefined }, { alg: undefined }]) {
      const doc = published(newKeySet());
      Object.assign(doc.keys[0]!, patch);
      assertRefused(doc, /keys\[0\] (is not a P-256 public JWK|must have alg ES256 and use sig)/);
    }
  });

  it('refuses coordinates that are not 43 base64url characters, under the kid they hash to', () => {
    const doc = published(newKeySet());
    const x = doc.keys[0]!.x as string;
    for (const bad of [x.slice(1), `${x}A`, `A${x}`, `${x.slice(0, 42)}=`, [x], 7]) {
      for (const member of ['x', 'y'] as const) {
        const key = { ...doc.keys[0]!, [member]: bad };
        key.kid = thumbprint(key as { crv: string; x: string; y: string });
        assertRefused({ keys: [key] }, /keys\[0\] is not a P-256 public JWK/);
      }
    }
  });

  it('names an unexpected member by its first 16 characters only', () => {
    const long = `x5c${'A'.repeat(200)}`;
    const inKey = published(newKeySet());
    inKey.keys[0]![long] = 'v';
    assert.match(assertRefused(inKey, /unexpected member "x5cAAAAAAAAAAAAA"$/).message, /"x5cA{13}"$/);
    const topLevel = { ...published(newKeySet()), [long]: 'v' };
    assert.match(assertRefused(topLevel, /unexpected member "x5cAAAAAAAAAAAAA"$/).message, /"x5cA{13}"$/);
  });

  it('tells a private-material refusal from every other refusal and from other errors', () => {
    const refusals = [
      () => parsePublicJwks('not json'),
      () => parsePublicJwks(JSON.stringify({ keys: [{ kty: 'RSA' }] })),
      () => parsePublicJwks(JSON.stringify({ keys: [] })),
    ];
    for (const refuse of refusals) {
      assert.throws(refuse, (err: unknown) => err instanceof MeshgateError && !isPrivateMaterialError(err));
    }
    assert.equal(isPrivateMaterialError(new Error('privateMember')), false);
    assert.equal(isPrivateMaterialError(Object.assign(new Error('x'), { details: { privateMember: 'd' } })), false);
    assert.equal(isPrivateMaterialError(new MeshgateError('key_set_unavailable', 'x', { details: { privateMember: 1 } })), false);
  });
});
