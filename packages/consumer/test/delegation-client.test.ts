// The client helper against a real loopback token endpoint: cache, expiry, single flight, retry, typed errors, pre-mint.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  ACCESS_TOKEN_TYPE,
  DelegationError,
  JWT_TOKEN_TYPE,
  TOKEN_EXCHANGE_GRANT_TYPE,
  bodyDigest,
  createAssertionVerifier,
  createDelegationClient,
  requestTargetHash,
  type DelegatedCall,
  type DelegationClientOptions,
  type FetchLike,
} from '../src/index.js';
import { startJwksServer, type JwksServer } from './support/jwks-server.js';
import {
  ACTOR,
  DELEGATED_AUDIENCE,
  ISSUER,
  claims,
  delegatedClaims,
  jwksKeys,
  newKeySet,
  nowSeconds,
  signAssertion,
  signDelegated,
  type Claims,
} from './support/keys.js';
import { startTokenServer, type TokenServer } from './support/token-server.js';

const BODY = '{"amount":5}';

describe('Consumer: delegation client', () => {
  const set = newKeySet();
  let jwks: JwksServer;
  let endpoint: TokenServer;
  const subject = (overrides: Claims = {}) => signAssertion(claims({ aud: ACTOR, txn: 'txn-1', jti: 'txn-1', ...overrides }), set.current);
  const call = (overrides: Partial<DelegatedCall> = {}): DelegatedCall => ({
    subjectToken: subject(),
    audience: DELEGATED_AUDIENCE,
    method: 'POST',
    target: '/charges',
    body: BODY,
    ...overrides,
  });
  const client = (options: Partial<DelegationClientOptions> = {}) =>
    createDelegationClient({ tokenEndpoint: endpoint.url, actorToken: () => 'orders-cc-token', ...options });

  before(async () => {
    jwks = await startJwksServer(jwksKeys(set));
    endpoint = await startTokenServer(set.current, ACTOR);
  });
  afterEach(() => {
    endpoint.forms.length = 0;
    endpoint.headers.length = 0;
    endpoint.mode = 'ok';
    endpoint.expiresIn = 60;
  });
  after(async () => {
    await jwks.close();
    await endpoint.close();
  });

  it('exchanges with the contract form, and payments verifies the assertion it gets', async () => {
    const subjectToken = subject();
    const token = await client({ actorToken: async () => 'orders-cc-token' }).assertionFor(
      call({ subjectToken, target: '/charges?b=2&a=1', scope: 'payments:charge' }),
    );
    const [form] = endpoint.forms;
    assert.deepEqual(Object.fromEntries(form!), {
      grant_type: TOKEN_EXCHANGE_GRANT_TYPE,
      subject_token: subjectToken,
      subject_token_type: JWT_TOKEN_TYPE,
      audience: DELEGATED_AUDIENCE,
      request_method: 'POST',
      request_target: '/charges?b=2&a=1',
      body_sha256: bodyDigest(BODY),
      scope: 'payments:charge',
      actor_token: 'orders-cc-token',
      actor_token_type: ACCESS_TOKEN_TYPE,
    });
    assert.equal(endpoint.headers[0]!['content-type'], 'application/x-www-form-urlencoded');
    const payments = createAssertionVerifier({
      issuer: ISSUER,
      audience: DELEGATED_AUDIENCE,
      jwksUri: jwks.jwksUri,
      acceptActors: [ACTOR],
    });
    const identity = await payments.verify({
      method: 'POST',
      path: '/charges?a=1&b=2',
      headers: { 'x-identity-assertion': token },
      body: BODY,
    });
    assert.equal(identity.sub, 'user-1');
    assert.deepEqual(identity.chain, [ACTOR]);
    assert.equal(identity.txn, 'txn-1');
  });

  it('sends no body_sha256 and no actor_token when there is no body and no actor token', async () => {
    await client({ actorToken: undefined }).assertionFor(call({ method: 'get', target: '/balance', body: undefined }));
    const form = endpoint.forms[0]!;
    assert.equal(form.get('request_method'), 'GET');
    for (const name of ['body_sha256', 'actor_token', 'actor_token_type', 'scope']) assert.equal(form.has(name), false, name);
  });

  it('reuses the assertion for the same subject, audience, request and body; anything else exchanges again', async () => {
    const c = client();
    const first = await c.assertionFor(call());
    assert.equal(await c.assertionFor(call()), first);
    assert.equal(await c.assertionFor(call({ target: '/charges' })), first);
    assert.equal(endpoint.forms.length, 1);
    const others: Partial<DelegatedCall>[] = [
      { subjectToken: subject({ jti: 'other-jti' }) },
      { audience: 'ledger' },
      { target: '/charges?x=1' },
      { method: 'PUT' },
      { body: '{"amount":6}' },
      { body: undefined },
      { scope: 'payments:read' },
    ];
    for (const other of others) assert.notEqual(await c.assertionFor(call(other)), first, JSON.stringify(other));
    assert.equal(endpoint.forms.length, 1 + others.length);
  });

  it('exchanges again shortly before the cached assertion expires', async () => {
    let clock = Date.now();
    const c = client({ now: () => clock, refreshBeforeExpirySeconds: 5 });
    endpoint.expiresIn = 60;
    const first = await c.assertionFor(call());
    clock += 54_000;
    assert.equal(await c.assertionFor(call()), first, 'still 6 s left: cached');
    clock += 2_000;
    await c.assertionFor(call());
    assert.equal(endpoint.forms.length, 2, '4 s left: exchanged again');
  });

  it('100 concurrent identical calls cost one exchange', async () => {
    const c = client();
    const tokens = await Promise.all(Array.from({ length: 100 }, () => c.assertionFor(call())));
    assert.equal(new Set(tokens).size, 1);
    assert.equal(endpoint.forms.length, 1);
  });

  it('retries a 5xx once, and fails typed after the second', async () => {
    endpoint.mode = '5xx-once';
    assert.ok((await client().assertionFor(call())).length > 0);
    assert.equal(endpoint.forms.length, 2);
    endpoint.forms.length = 0;
    endpoint.mode = '5xx';
    const err = await client()
      .assertionFor(call())
      .catch((e: unknown) => e);
    assert.ok(err instanceof DelegationError);
    assert.equal(err.code, 'exchange_failed');
    assert.equal(err.status, 503);
    assert.equal(endpoint.forms.length, 2);
  });

  it('surfaces a 4xx as exchange_refused with the RFC code, without retrying or caching it', async () => {
    endpoint.mode = 'refuse';
    const c = client();
    for (let i = 1; i <= 2; i++) {
      const err = await c.assertionFor(call()).catch((e: unknown) => e);
      assert.ok(err instanceof DelegationError);
      assert.equal(err.code, 'exchange_refused');
      assert.equal(err.oauthError, 'invalid_target');
      assert.equal(err.status, 400);
      assert.match(err.message, /no edge from orders/);
      assert.equal(endpoint.forms.length, i);
    }
  });

  it('answers exchange_response_invalid for a 200 without a token, exchange_failed when nothing listens', async () => {
    endpoint.mode = 'no-token';
    const invalid = await client()
      .assertionFor(call())
      .catch((e: unknown) => e);
    assert.equal((invalid as DelegationError).code, 'exchange_response_invalid');
    const closed = await startTokenServer(set.current, ACTOR);
    await closed.close();
    const unreachable = await client({ tokenEndpoint: closed.url })
      .assertionFor(call())
      .catch((e: unknown) => e);
    assert.equal((unreachable as DelegationError).code, 'exchange_failed');
  });

  it('refuses a subject token it cannot read, before any exchange', async () => {
    for (const subjectToken of ['', 'a.b.c', signAssertion(claims({ jti: undefined }), set.current)]) {
      const err = await client()
        .assertionFor(call({ subjectToken }))
        .catch((e: unknown) => e);
      assert.equal((err as DelegationError).code, 'subject_invalid');
    }
    assert.equal(endpoint.forms.length, 0);
  });

  it('posts through an injected fetch, as a SigV4 signer on AWS does', async () => {
    const signing: FetchLike = (url, init) =>
      globalThis.fetch(url, { ...init, headers: { ...init.headers, authorization: 'AWS4-HMAC-SHA256 test' } });
    await client({ fetch: signing, actorToken: undefined }).assertionFor(call());
    assert.equal(endpoint.headers[0]!.authorization, 'AWS4-HMAC-SHA256 test');
  });

  it('takes a pre-minted assertion for exactly this call, with no exchange; any other exchanges', async () => {
    const preminted = (overrides: Claims = {}) =>
      signDelegated(
        delegatedClaims({ txn: 'txn-1', req: requestTargetHash('POST', '/charges'), body_sha256: bodyDigest(BODY), ...overrides }),
        set.current,
      );
    const match = preminted();
    const ledger = preminted({ aud: 'ledger' });
    assert.equal(await client().assertionFor(call({ preminted: `${ledger},${match}` })), match);
    assert.equal(await client().assertionFor(call({ preminted: [ledger, match] })), match);
    assert.equal(endpoint.forms.length, 0);
    const iat = nowSeconds() - 58;
    const mismatches = [
      preminted({ req: requestTargetHash('POST', '/refunds') }),
      preminted({ body_sha256: bodyDigest('{"amount":500}') }),
      preminted({ txn: 'another-request' }),
      preminted({ iat, exp: iat + 60 }),
      preminted({ scope: 'payments:charge payments:refund' }),
      signAssertion(delegatedClaims({ txn: 'txn-1' }), set.current),
    ];
    for (const token of mismatches) {
      assert.notEqual(await client().assertionFor(call({ preminted: token, scope: 'payments:charge' })), token);
    }
    assert.equal(endpoint.forms.length, mismatches.length);
  });

  it('refuses a token endpoint over plain http to another host', () => {
    assert.throws(() => createDelegationClient({ tokenEndpoint: 'http://meshgate.example.com/token' }), TypeError);
    assert.throws(() => createDelegationClient({ tokenEndpoint: 'not a url' }), TypeError);
  });
});
