// The rotation strategies as data: what random-token and signing-key-set accept, refuse and generate, and how a
// secret's tags pick one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { generateSigningKey, newKeySet, parseKeySet, rotateKeySet, serializeKeySet, type SigningKey } from '../../src/keys/key-set';
import { BUILT_IN_STRATEGIES, builtInStrategies, strategyForTags, STRATEGY_TAG } from '../../src/rotation/strategies';
import { randomTokenStrategy } from '../../src/rotation/strategies/random-token';
import { createSigningKeySetStrategy, signingKeySetStrategy } from '../../src/rotation/strategies/signing-key-set';

const tokenValue = (bytes: number) => JSON.stringify({ token: randomBytes(bytes).toString('base64url') });

describe('random-token strategy', () => {
  it('generates {"token": 32 random bytes, base64url}, different each time', () => {
    const a = JSON.parse(randomTokenStrategy.generate(undefined)) as { token: string };
    const b = JSON.parse(randomTokenStrategy.generate(tokenValue(32))) as { token: string };
    assert.match(a.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(a.token, 'base64url').length, 32);
    assert.notEqual(a.token, b.token);
  });

  it('accepts a fresh 32-byte token, with or without a current value, whatever the current value holds', async () => {
    await randomTokenStrategy.test(tokenValue(32), undefined);
    await randomTokenStrategy.test(tokenValue(32), tokenValue(32));
    await randomTokenStrategy.test(tokenValue(32), 'not json');
  });

  const malformed: [string, string][] = [
    ['not JSON', 'token'],
    ['a JSON string', '"abc"'],
    ['JSON null', 'null'],
    ['an object without token', '{"value":"x"}'],
    ['a numeric token', '{"token":5}'],
    ['an object token', '{"token":{"a":1}}'],
    ['a 16-byte token', tokenValue(16)],
    ['a 33-byte token', tokenValue(33)],
    ['an empty token', '{"token":""}'],
  ];
  for (const [what, value] of malformed) {
    it(`refuses a pending value that is ${what}`, () => {
      assert.throws(() => randomTokenStrategy.test(value, undefined), { message: /^pending value is not \{"token": <32 random bytes/ });
    });
  }

  it('refuses a pending token equal to the current token', () => {
    const same = tokenValue(32);
    assert.throws(() => randomTokenStrategy.test(same, same), { message: 'pending token equals the current token' });
  });
});

/** `key` with the private scalar of another key: parses (kid matches x, y) but cannot sign for its public half. */
function mismatched(key: SigningKey): SigningKey {
  return { ...key, privateJwk: { ...key.privateJwk, d: generateSigningKey().privateJwk.d } };
}

describe('signing-key-set strategy', () => {
  it('creates a fresh key set when the secret has no value, an empty value or only whitespace', async () => {
    for (const current of [undefined, '', '  \n\t']) {
      const set = parseKeySet(signingKeySetStrategy.generate(current));
      assert.equal(set.previous, undefined);
      assert.notEqual(set.current.kid, set.next.kid);
      await signingKeySetStrategy.test(serializeKeySet(set), current);
    }
  });

  it('rotates an existing set: next signs, current stays as previous, a fresh next', async () => {
    const from = newKeySet();
    const set = parseKeySet(signingKeySetStrategy.generate(serializeKeySet(from)));
    assert.equal(set.current.kid, from.next.kid);
    assert.equal(set.previous?.kid, from.current.kid);
    assert.ok(![from.current.kid, from.next.kid].includes(set.next.kid));
    await signingKeySetStrategy.test(serializeKeySet(set), serializeKeySet(from));
  });

  for (const role of ['current', 'next', 'previous'] as const) {
    it(`refuses a pending set whose ${role} key's private half does not match its public half`, () => {
      const pending = rotateKeySet(newKeySet());
      const broken = { ...pending, [role]: mismatched(pending[role]!) };
      assert.throws(() => signingKeySetStrategy.test(serializeKeySet(broken), undefined), {
        message: `the ${role} key (kid ${pending[role]!.kid}) does not verify its own signature`,
      });
    });
  }

  it('refuses a pending set whose current key was not the published next key', () => {
    const current = newKeySet();
    const pending = rotateKeySet(newKeySet());
    assert.throws(() => signingKeySetStrategy.test(serializeKeySet(pending), serializeKeySet(current)), {
      message: 'pending current key is not the published next key',
    });
  });

  it('refuses a pending set that drops or replaces the key that signed until now', () => {
    const current = newKeySet();
    const rotated = rotateKeySet(current);
    for (const previous of [undefined, generateSigningKey()]) {
      const pending = { ...rotated, previous };
      assert.throws(() => signingKeySetStrategy.test(serializeKeySet(pending), serializeKeySet(current)), {
        message: 'pending previous key is not the current signing key',
      });
    }
  });

  it('refuses a pending set whose next key is already published (current, next or previous)', () => {
    const current = rotateKeySet(newKeySet());
    const rotated = rotateKeySet(current);
    for (const reused of [current.previous!, current.current]) {
      const pending = { ...rotated, next: reused };
      assert.throws(() => signingKeySetStrategy.test(serializeKeySet(pending), serializeKeySet(current)), {
        message: 'pending next key is not fresh',
      });
    }
  });

  it('has a set step only with a publisher, which receives the parsed pending set', async () => {
    assert.ok(!('set' in signingKeySetStrategy));
    const seen: string[] = [];
    const strategy = createSigningKeySetStrategy(async (pending, context) => {
      seen.push(`${pending.current.kid} ${context.token}`);
    });
    const pending = newKeySet();
    await strategy.set!(serializeKeySet(pending), { token: 't-1', secretArn: 'arn', secretName: 'name' });
    assert.deepEqual(seen, [`${pending.current.kid} t-1`]);
  });
});

describe('strategyForTags', () => {
  const tag = (Value: string) => [
    { Key: 'meshgate:managed', Value: 'true' },
    { Key: STRATEGY_TAG, Value },
  ];

  it('picks the strategy the meshgate:strategy tag names', () => {
    assert.equal(strategyForTags(tag('random-token')), randomTokenStrategy);
    assert.equal(strategyForTags(tag('signing-key-set'), BUILT_IN_STRATEGIES), signingKeySetStrategy);
  });

  for (const [what, tags] of [
    ['no tags at all', undefined],
    ['no meshgate:strategy tag', [{ Key: 'meshgate:managed', Value: 'true' }]],
  ] as const) {
    it(`refuses a secret with ${what}, naming the known strategies`, () => {
      assert.throws(() => strategyForTags(tags), {
        code: 'rotation_step_failed',
        message: 'secret has no meshgate:strategy tag (one of: signing-key-set, random-token)',
      });
    });
  }

  it('refuses an unknown strategy name, naming the known ones', () => {
    assert.throws(() => strategyForTags(tag('password')), {
      code: 'rotation_step_failed',
      message: 'unknown meshgate:strategy "password" (one of: signing-key-set, random-token)',
    });
  });

  it('builtInStrategies gives the key set a publishing set step and leaves random-token as it is', () => {
    assert.equal(builtInStrategies(), BUILT_IN_STRATEGIES);
    const withPublisher = builtInStrategies(async () => {});
    assert.deepEqual(
      withPublisher.map((s) => s.name),
      ['signing-key-set', 'random-token'],
    );
    assert.equal(withPublisher[1], randomTokenStrategy);
    assert.equal(typeof withPublisher[0]!.set, 'function');
  });
});
