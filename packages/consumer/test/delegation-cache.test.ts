// The delegation client's cache and pre-mint choice with an injected clock: bounds, exact expiry edges, which pre-mint fits.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  DELEGATED_ASSERTION_TYP,
  DelegationError,
  MAX_PREMINTED_ASSERTIONS,
  createDelegationClient,
  type DelegatedCall,
  type DelegationClientOptions,
} from '../src/index.js';
import { ACTOR, b64, claims, delegatedClaims, newKeySet, signAssertion, signDelegated, signRaw, type Claims } from './support/keys.js';
import { startTokenServer, type TokenServer } from './support/token-server.js';

const BODY = '{"amount":5}';
const T0 = 1_900_000_000_000;

describe('Consumer: delegation client cache bounds and pre-minted assertions', () => {
  const set = newKeySet();
  let endpoint: TokenServer;
  let clock = T0;
  const subject = (overrides: Claims = {}) => signAssertion(claims({ aud: ACTOR, txn: 'txn-1', jti: 'jti-1', ...overrides }), set.current);
  const call = (overrides: Partial<DelegatedCall> = {}): DelegatedCall => ({
    subjectToken: subject(),
    audience: 'payments',
    method: 'POST',
    target: '/charges',
    body: BODY,
    ...overrides,
  });
  const client = (options: Partial<DelegationClientOptions> = {}) =>
    createDelegationClient({ tokenEndpoint: endpoint.url, now: () => clock, ...options });
  /** Issued at T0 for a minute: fresh on the injected clock. */
  const premint = (overrides: Claims = {}) =>
    signDelegated(delegatedClaims({ txn: 'txn-1', iat: T0 / 1000, exp: T0 / 1000 + 60, ...overrides }), set.current);
  const exchanges = () => endpoint.forms.length;

  before(async () => {
    endpoint = await startTokenServer(set.current, ACTOR);
  });
  afterEach(() => {
    endpoint.forms.length = 0;
    endpoint.expiresIn = 60;
    clock = T0;
  });
  after(() => endpoint.close());

  it('refuses out-of-range options when created, naming what is wrong', () => {
    assert.throws(() => createDelegationClient({ tokenEndpoint: 'not a url' }), { name: 'TypeError', message: /absolute URL/ });
    assert.throws(() => createDelegationClient({ tokenEndpoint: 'http://meshgate.example.com/token' }), { message: /https/ });
    for (const bad of [
      { refreshBeforeExpirySeconds: -1 },
      { refreshBeforeExpirySeconds: Number.NaN },
      { maxEntries: 0 },
      { maxEntries: 1.5 },
    ])
      assert.throws(() => client(bad), { name: 'TypeError', message: /out of range/ }, JSON.stringify(bad));
    assert.doesNotThrow(() => client({ refreshBeforeExpirySeconds: 0, maxEntries: 1 }));
  });

  it('keeps at most maxEntries assertions, dropping the oldest', async () => {
    const c = client({ maxEntries: 2 });
    for (const target of ['/a', '/b', '/c']) await c.assertionFor(call({ target }));
    await c.assertionFor(call({ target: '/c' }));
    await c.assertionFor(call({ target: '/b' }));
    assert.equal(exchanges(), 3, '/b and /c are still cached');
    await c.assertionFor(call({ target: '/a' }));
    assert.equal(exchanges(), 4, '/a was dropped to make room');
  });

  it('drops assertions due for refresh before the oldest one', async () => {
    const c = client({ maxEntries: 2, refreshBeforeExpirySeconds: 5 });
    endpoint.expiresIn = 600;
    await c.assertionFor(call({ target: '/long' }));
    endpoint.expiresIn = 60;
    await c.assertionFor(call({ target: '/short' }));
    clock = T0 + 55_000; // exactly when /short is due for refresh
    await c.assertionFor(call({ target: '/new' }));
    await c.assertionFor(call({ target: '/long' }));
    assert.equal(exchanges(), 3, '/long, older but not due, was kept');
  });

  it('exchanges again at the very millisecond the refresh margin begins', async () => {
    const c = client({ refreshBeforeExpirySeconds: 5 });
    await c.assertionFor(call());
    clock = T0 + 54_999;
    await c.assertionFor(call());
    assert.equal(exchanges(), 1);
    clock = T0 + 55_000;
    await c.assertionFor(call());
    assert.equal(exchanges(), 2);
  });

  it('keys the cache on the scope asked for and on the body bytes, not on the buffer holding them', async () => {
    const c = client();
    await c.assertionFor(call({ scope: 'payments:charge' }));
    await c.assertionFor(call({ scope: 'payments:refund' }));
    assert.equal(exchanges(), 2);
    const bytes = new TextEncoder().encode(BODY);
    await c.assertionFor(call({ body: bytes }));
    bytes[bytes.length - 2] = '6'.charCodeAt(0);
    await c.assertionFor(call({ body: bytes }));
    assert.equal(exchanges(), 4);
    assert.notEqual(endpoint.forms[2]!.get('body_sha256'), endpoint.forms[3]!.get('body_sha256'));
  });

  it('refuses a subject whose jti is empty', async () => {
    const err = await client()
      .assertionFor(call({ subjectToken: subject({ jti: '' }) }))
      .catch((e: unknown) => e);
    assert.ok(err instanceof DelegationError);
    assert.equal(err.code, 'subject_invalid');
  });

  it('matches a pre-minted assertion on the subject txn, or on its jti when it has none', async () => {
    const chained = premint({ txn: 'txn-2' });
    const withTxn = call({ subjectToken: subject({ jti: 'jti-2', txn: 'txn-2' }), preminted: chained });
    assert.equal(await client().assertionFor(withTxn), chained);
    const first = premint({ txn: 'jti-3' });
    const withoutTxn = call({ subjectToken: subject({ jti: 'jti-3', txn: undefined }), preminted: first });
    assert.equal(await client().assertionFor(withoutTxn), first);
    assert.equal(exchanges(), 0);
  });

  it('skips unreadable or ill-typed entries of the pre-mint header and takes the one that fits', async () => {
    const match = premint();
    const header = b64({ alg: 'ES256', typ: DELEGATED_ASSERTION_TYP, kid: set.current.kid });
    const entries = [
      'garbage',
      `${header}.%%%.sig`,
      `${header}..sig`,
      signRaw(set.current, { alg: 'ES256', typ: DELEGATED_ASSERTION_TYP, kid: set.current.kid }, 'null'),
      premint({ exp: String(T0 / 1000 + 60) }),
    ];
    for (const junk of entries) {
      assert.equal(await client().assertionFor(call({ preminted: `${junk} , ${match}` })), match, junk);
      assert.equal(
        await client()
          .assertionFor(call({ preminted: junk }))
          .then((t) => t === junk),
        false,
        junk,
      );
    }
    assert.equal(exchanges(), entries.length);
  });

  it(`looks at the first ${MAX_PREMINTED_ASSERTIONS} pre-minted assertions only`, async () => {
    const others = Array.from({ length: MAX_PREMINTED_ASSERTIONS }, () => premint({ aud: 'ledger' }));
    const match = premint();
    assert.notEqual(await client().assertionFor(call({ preminted: [...others, match] })), match);
    assert.equal(await client().assertionFor(call({ preminted: [...others.slice(1), match] })), match);
    assert.equal(exchanges(), 1);
  });

  it('takes a pre-minted assertion whose scope is within the one asked for, and none that lacks a scope', async () => {
    const exact = premint({ scope: 'payments:charge' });
    assert.equal(await client().assertionFor(call({ preminted: exact, scope: 'payments:charge' })), exact);
    const narrower = premint({ scope: 'payments:charge' });
    assert.equal(await client().assertionFor(call({ preminted: narrower, scope: 'payments:read payments:charge' })), narrower);
    const none = premint({ scope: '' });
    assert.equal(await client().assertionFor(call({ preminted: none, scope: 'payments:charge' })), none);
    assert.equal(exchanges(), 0);
    const unscoped = premint({ scope: undefined });
    assert.notEqual(await client().assertionFor(call({ preminted: unscoped, scope: 'payments:charge' })), unscoped);
    assert.equal(exchanges(), 1);
  });

  it('takes a pre-minted assertion until its refresh margin begins, then keeps it cached as long', async () => {
    const exp = T0 / 1000 + 60;
    const token = premint({ iat: exp - 60, exp });
    const c = client({ refreshBeforeExpirySeconds: 5 });
    clock = exp * 1000 - 5000;
    assert.notEqual(await c.assertionFor(call({ preminted: token, target: '/charges' })), token, 'due for refresh: exchanged');
    clock = exp * 1000 - 5001;
    const fresh = client({ refreshBeforeExpirySeconds: 5 });
    assert.equal(await fresh.assertionFor(call({ preminted: token, method: 'post' })), token);
    assert.equal(await fresh.assertionFor(call()), token, 'cached without the header');
    assert.equal(exchanges(), 1);
  });
});
