// RemoteJwks on an injected clock against a loopback JWKS: the exact edges of max age, cooldown and max staleness.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { AssertionError, type JwksFetchEvent } from '../src/index.js';
import { RemoteJwks, parseJwks } from '../src/remote-jwks.js';
import { startJwksServer, type JwksServer } from './support/jwks-server.js';
import { generateSigningKey, publicJwk } from './support/keys.js';

const T0 = 1_900_000_000_000;
const MAX_AGE = 300_000;
const COOLDOWN = 30_000;
const MAX_STALE = 3_600_000;

const jwks = (keys: unknown): Buffer => Buffer.from(JSON.stringify({ keys }));
const kidsOf = (body: Buffer): string[] => [...parseJwks(body).keys()];

async function rejectsWithCode(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof AssertionError, `expected an AssertionError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (message !== undefined) assert.match(err.message, message);
    return true;
  });
}

describe('Function: parseJwks', () => {
  const key = publicJwk(generateSigningKey());

  it('refuses a document without a keys array', () => {
    for (const body of ['null', '{}', '{"keys":"EC"}', '{"keys":{"0":{}}}'])
      assert.throws(() => parseJwks(Buffer.from(body)), /no keys array/, body);
  });

  it('takes an ES256 signing key with or without alg and use', () => {
    const { alg: _alg, use: _use, ...bare } = key;
    const keys = [
      { ...bare, kid: 'bare' },
      { ...bare, kid: 'sig', use: 'sig', alg: 'ES256' },
    ];
    assert.deepEqual(kidsOf(jwks(keys)), ['bare', 'sig']);
  });

  it('skips entries that are no ES256 P-256 signing key with a string kid, keeping the rest', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
    const skipped = [
      null,
      7,
      'EC',
      { ...key, kid: 'rsa', kty: 'RSA' },
      { ...key, kid: 'curve', crv: 'P-384' },
      { ...p384, kid: 'p384' },
      { ...key, kid: 42 },
      { ...key, kid: 'enc', use: 'enc' },
      { ...key, kid: 'es384', alg: 'ES384' },
      { ...key, kid: 'no-x', x: undefined },
      { ...key, kid: 'num-y', y: 5 },
    ];
    assert.deepEqual(kidsOf(jwks([...skipped, { ...key, kid: 'good' }])), ['good']);
  });

  it('reads at most the first 100 keys of a set, so a huge set cannot make every key past them usable', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => ({ ...key, kid: `k${i}` }));
    assert.equal(kidsOf(jwks(hundred)).length, 100);
    assert.deepEqual(
      kidsOf(jwks([...hundred, { ...key, kid: 'one-too-many' }])),
      hundred.map((k) => k.kid),
    );
  });

  it('keeps the first of two keys with one kid', () => {
    const other = publicJwk(generateSigningKey());
    const keys = parseJwks(
      jwks([
        { ...key, kid: 'same' },
        { ...other, kid: 'same' },
      ]),
    );
    assert.equal(keys.size, 1);
    assert.equal(keys.get('same')?.export({ format: 'jwk' }).x, key.x);
  });
});

describe('Class: RemoteJwks on an injected clock', () => {
  const first = { ...publicJwk(generateSigningKey()), kid: 'first' };
  let server: JwksServer;
  let clock = T0;
  let events: JwksFetchEvent[] = [];
  const remote = () =>
    new RemoteJwks({
      jwksUri: server.jwksUri,
      timeoutMs: 5000,
      maxBytes: 65_536,
      cacheMaxAgeMs: MAX_AGE,
      cooldownMs: COOLDOWN,
      maxStaleMs: MAX_STALE,
      now: () => clock,
      onFetch: (event) => events.push(event),
    });

  before(async () => {
    server = await startJwksServer([first]);
  });
  afterEach(() => {
    server.keys = [first];
    server.mode = 'ok';
    server.requests = 0;
    clock = T0;
    events = [];
  });
  after(() => server.close());

  it('serves the cached set until exactly the max age, then fetches again', async () => {
    const jwks = remote();
    await jwks.key('first');
    clock = T0 + MAX_AGE - 1;
    await jwks.key('first');
    assert.equal(server.requests, 1);
    clock = T0 + MAX_AGE;
    await jwks.key('first');
    assert.equal(server.requests, 2);
  });

  it('reports each fetch, its kids and its duration on the injected clock', async () => {
    const jwks = remote();
    await jwks.key('first');
    server.mode = 'down';
    clock = T0 + MAX_AGE;
    await jwks.key('first');
    assert.deepEqual(events, [
      { jwksUri: server.jwksUri, ok: true, ms: 0, kids: ['first'] },
      { jwksUri: server.jwksUri, ok: false, ms: 0, error: 'JWKS answered status 503, expected 200' },
    ]);
  });

  it('answers jwks_unavailable when there never was a set', async () => {
    server.mode = 'down';
    await assert.rejects(remote().key('first'), { code: 'jwks_unavailable', reason: 'jwks_unavailable' });
  });

  it('refetches for an unknown kid once the cooldown has passed, to the millisecond', async () => {
    const jwks = remote();
    await jwks.key('first');
    server.keys = [first, { ...publicJwk(generateSigningKey()), kid: 'next' }];
    clock = T0 + COOLDOWN - 1;
    await rejectsWithCode(jwks.key('next'), 'assertion_invalid', /no key with this kid/);
    assert.equal(server.requests, 1);
    clock = T0 + COOLDOWN;
    assert.equal((await jwks.key('next')).type, 'public');
    assert.equal(server.requests, 2);
    clock = T0 + 2 * COOLDOWN;
    await rejectsWithCode(jwks.key('never-published'), 'assertion_invalid');
    assert.equal(server.requests, 3, 'refetched, and still unknown');
  });

  it('answers jwks_unavailable, not kid_unknown, when the refetch for an unknown kid fails', async () => {
    const jwks = remote();
    await jwks.key('first');
    server.mode = 'down';
    clock = T0 + COOLDOWN;
    await rejectsWithCode(jwks.key('next'), 'jwks_unavailable');
    assert.equal(server.requests, 2);
  });

  it('lets a second unknown kid join the refetch already in flight', async () => {
    const jwks = remote();
    await jwks.key('first');
    server.keys = [first, ...['k2', 'k3'].map((kid) => ({ ...publicJwk(generateSigningKey()), kid }))];
    server.mode = 'held';
    clock = T0 + COOLDOWN;
    const both = Promise.allSettled([jwks.key('k2'), jwks.key('k3')]);
    for (let turn = 0; server.waiting === 0; turn++) {
      assert.ok(turn < 10_000, 'the refetch never reached the server');
      await new Promise((resolve) => setImmediate(resolve));
    }
    server.release();
    assert.deepEqual(
      (await both).map((k) => k.status),
      ['fulfilled', 'fulfilled'],
    );
    assert.equal(server.requests, 2);
  });

  it('after a failed refresh serves the stale set, retrying once the cooldown has passed', async () => {
    const jwks = remote();
    await jwks.key('first');
    server.mode = 'down';
    clock = T0 + MAX_AGE;
    await jwks.key('first');
    clock = T0 + MAX_AGE + COOLDOWN - 1;
    await jwks.key('first');
    assert.equal(server.requests, 2, 'cooling down: no request');
    clock = T0 + MAX_AGE + COOLDOWN;
    await jwks.key('first');
    assert.equal(server.requests, 3);
  });

  it('stops serving a stale set at exactly max age plus max staleness', async () => {
    const jwks = remote();
    await jwks.key('first');
    server.mode = 'down';
    clock = T0 + MAX_AGE + MAX_STALE - 1;
    assert.equal((await jwks.key('first')).type, 'public');
    clock = T0 + MAX_AGE + MAX_STALE + COOLDOWN;
    await rejectsWithCode(jwks.key('first'), 'jwks_unavailable');
    const edge = remote();
    server.mode = 'ok';
    await edge.key('first');
    server.mode = 'down';
    clock += MAX_AGE + MAX_STALE;
    await rejectsWithCode(edge.key('first'), 'jwks_unavailable');
  });
});
