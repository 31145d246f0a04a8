// Attacks on delegated assertions (caller → orders → payments): each ends in its precise code, never in a direct-call identity.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigError, createAssertionVerifier, latticeCallerOf, problemFor, spiffeIdOf } from '../src/index.js';
import { fixture, rejectsWith, type Fixture } from './support/fixture.js';
import {
  ACTOR,
  DELEGATED_AUDIENCE,
  ISSUER,
  b64,
  claims,
  delegatedClaims,
  generateSigningKey,
  nowSeconds,
  signAssertion,
  signDelegated,
  signRaw,
  type Claims,
} from './support/keys.js';

const ORDERS_SPIFFE = 'spiffe://cluster.local/ns/shop/sa/orders';
const BILLING_SPIFFE = 'spiffe://cluster.local/ns/shop/sa/billing';

describe('Consumer: delegated assertions', () => {
  let payments: Fixture;
  let hop0Only: Fixture;
  const charge = (token: string, peer?: string) =>
    payments.verifier.verify({
      method: 'POST',
      path: '/charges',
      headers: { 'x-identity-assertion': token },
      body: '{"amount":5}',
      ...(peer === undefined ? {} : { peer }),
    });
  const signed = (overrides: Claims = {}) => signDelegated(delegatedClaims(overrides), payments.set.current);

  before(async () => {
    payments = await fixture({
      audience: DELEGATED_AUDIENCE,
      acceptActors: [ACTOR, 'checkout'],
      peerAudience: { [ORDERS_SPIFFE]: ACTOR, [BILLING_SPIFFE]: 'billing' },
    });
    hop0Only = await fixture({ audience: DELEGATED_AUDIENCE });
  });
  after(async () => {
    await payments.close();
    await hop0Only.close();
  });

  it('accepts orders calling for user-1: the caller is user-1, the chain and txn are exposed', async () => {
    const txn = 'txn-1';
    const identity = await charge(signed({ txn }));
    assert.equal(identity.sub, 'user-1');
    assert.deepEqual(identity.groups, ['admin', 'ops']);
    assert.deepEqual(identity.scopes, ['payments:charge']);
    assert.equal(identity.actor, ACTOR);
    assert.deepEqual(identity.chain, [ACTOR]);
    assert.equal(identity.txn, txn);
    assert.ok(Object.isFrozen(identity) && Object.isFrozen(identity.chain));
  });

  it('reads a two-actor chain first service first, act outermost = current actor', async () => {
    const identity = await charge(signed({ act: { sub: ACTOR, act: { sub: 'checkout' } }, act_sub: ACTOR, chain: ['checkout', ACTOR] }));
    assert.deepEqual(identity.chain, ['checkout', ACTOR]);
    assert.equal(identity.actor, ACTOR);
  });

  it('still accepts direct calls, as hop 0: no actor, empty chain, txn = the hop-0 txn (or its jti)', async () => {
    const direct = (overrides: Claims) =>
      payments.verifier.verify({
        method: 'GET',
        path: '/orders/42',
        headers: { 'x-identity-assertion': signAssertion(claims({ aud: DELEGATED_AUDIENCE, ...overrides }), payments.set.current) },
      });
    const withTxn = await direct({ jti: 'j-1', txn: 'j-1' });
    assert.equal(withTxn.actor, undefined);
    assert.deepEqual(withTxn.chain, []);
    assert.equal(withTxn.txn, 'j-1');
    assert.equal((await direct({ jti: 'j-2' })).txn, 'j-2', 'an assertion minted before txn existed');
  });

  it('a hop-0-only verifier refuses a delegated assertion with its own code, before fetching any key', async () => {
    const before = hop0Only.server.requests;
    const token = signDelegated(delegatedClaims(), hop0Only.set.current);
    await rejectsWith(
      hop0Only.verifier.verify({ method: 'POST', path: '/charges', headers: { 'x-identity-assertion': token } }),
      'assertion_actor_refused',
      'delegation_not_accepted',
      token,
    );
    assert.equal(hop0Only.server.requests, before);
  });

  it('never reads a delegated assertion as a direct call: relabelled typ breaks the signature, act under hop-0 typ is refused', async () => {
    const [, payload, signature] = signed().split('.');
    const relabelled = `${b64({ alg: 'ES256', typ: 'identity+jwt', kid: payments.set.current.kid })}.${payload}.${signature}`;
    await rejectsWith(charge(relabelled), 'assertion_invalid', 'signature_invalid');
    for (const name of ['act', 'act_sub', 'chain']) {
      const { [name]: kept } = delegatedClaims();
      const hop0WithActor = signAssertion({ ...claims({ aud: DELEGATED_AUDIENCE }), [name]: kept }, payments.set.current);
      await rejectsWith(
        payments.verifier.verify({ method: 'GET', path: '/orders/42', headers: { 'x-identity-assertion': hop0WithActor } }),
        'assertion_invalid',
        'act_unexpected',
      );
    }
  });

  it('refuses an actor it was not told to accept', async () => {
    await rejectsWith(
      charge(signed({ act: { sub: 'billing' }, act_sub: 'billing', chain: ['billing'] })),
      'assertion_actor_refused',
      'actor_not_accepted',
    );
  });

  it('checks the actor against the peer the request came from', async () => {
    assert.equal((await charge(signed(), ORDERS_SPIFFE)).actor, ACTOR);
    await rejectsWith(charge(signed(), BILLING_SPIFFE), 'assertion_actor_refused', 'peer_mismatch');
    await rejectsWith(charge(signed(), 'spiffe://cluster.local/ns/shop/sa/unknown'), 'assertion_actor_refused', 'peer_unknown');
    await rejectsWith(charge(signed(), '__proto__'), 'assertion_actor_refused', 'peer_unknown');
  });

  it('takes a function as peerAudience, and a peer without any mapping is a configuration mistake', async () => {
    const byFunction = createAssertionVerifier({
      issuer: ISSUER,
      audience: DELEGATED_AUDIENCE,
      jwksUri: payments.server.jwksUri,
      acceptActors: [ACTOR],
      peerAudience: (peer) => /\/sa\/([a-z-]+)$/.exec(peer)?.[1],
    });
    const request = (peer: string) => ({
      method: 'POST',
      path: '/charges',
      headers: { 'x-identity-assertion': signed() },
      peer,
    });
    assert.equal((await byFunction.verify(request(ORDERS_SPIFFE))).actor, ACTOR);
    await rejectsWith(byFunction.verify(request(BILLING_SPIFFE)), 'assertion_actor_refused', 'peer_mismatch');
    const unmapped = createAssertionVerifier({
      issuer: ISSUER,
      audience: DELEGATED_AUDIENCE,
      jwksUri: payments.server.jwksUri,
      acceptActors: [ACTOR],
    });
    await assert.rejects(unmapped.verify(request(ORDERS_SPIFFE)), (err) => err instanceof ConfigError && err.path === 'peerAudience');
  });

  it('refuses act, act_sub and chain that disagree (chain splicing, act stripping)', async () => {
    const cases: Array<[string, Claims]> = [
      ['act_missing', { act: undefined }],
      ['act_invalid', { act: 'orders' }],
      ['act_invalid', { act: [{ sub: ACTOR }] }],
      ['act_invalid', { act: { sub: '' } }],
      ['act_invalid', { act: { sub: ACTOR, act: 'checkout' } }],
      ['act_sub_mismatch', { act_sub: 'checkout' }],
      ['act_sub_mismatch', { act_sub: undefined }],
      ['chain_mismatch', { chain: undefined }],
      ['chain_mismatch', { chain: [] }],
      ['chain_mismatch', { chain: ['checkout'] }],
      ['chain_mismatch', { chain: ['checkout', ACTOR] }],
      ['chain_mismatch', { act: { sub: ACTOR, act: { sub: 'checkout' } }, chain: [ACTOR, 'checkout'] }],
      ['chain_cycle', { act: { sub: ACTOR, act: { sub: ACTOR } }, chain: [ACTOR, ACTOR] }],
      ['chain_cycle', { act: { sub: ACTOR, act: { sub: DELEGATED_AUDIENCE } }, chain: [DELEGATED_AUDIENCE, ACTOR] }],
      ['txn_missing', { txn: undefined }],
      ['txn_missing', { txn: 7 }],
    ];
    for (const [reason, overrides] of cases) await rejectsWith(charge(signed(overrides)), 'assertion_invalid', reason);
  });

  it('refuses a chain deeper than 5 actors', async () => {
    const actors = ['s1', 's2', 's3', 's4', 's5', ACTOR];
    const act = actors.reduce<Claims | undefined>((inner, sub) => (inner === undefined ? { sub } : { sub, act: inner }), undefined);
    await rejectsWith(charge(signed({ act, act_sub: ACTOR, chain: actors })), 'assertion_invalid', 'chain_too_deep');
  });

  it('refuses a forged act (claims swapped under a genuine signature) and a foreign key', async () => {
    const [h, , s] = signed().split('.');
    const forged = `${h}.${b64(delegatedClaims({ act: { sub: 'checkout' }, act_sub: 'checkout', chain: ['checkout'] }))}.${s}`;
    await rejectsWith(charge(forged), 'assertion_invalid', 'signature_invalid', forged);
    await rejectsWith(charge(signDelegated(delegatedClaims(), generateSigningKey())), 'assertion_invalid', 'kid_unknown');
    const foreign = generateSigningKey();
    const underPublishedKid = signRaw(
      foreign,
      { alg: 'ES256', typ: 'delegated-identity+jwt', kid: payments.set.current.kid },
      delegatedClaims(),
    );
    await rejectsWith(charge(underPublishedKid), 'assertion_invalid', 'signature_invalid');
  });

  it('refuses a wrong typ, an expired assertion, another audience and another request', async () => {
    for (const typ of ['delegated+jwt', 'JWT', 'token-exchange+jwt']) {
      const token = signRaw(payments.set.current, { alg: 'ES256', typ, kid: payments.set.current.kid }, delegatedClaims());
      await rejectsWith(charge(token), 'assertion_invalid', 'typ_invalid');
    }
    const iat = nowSeconds() - 400;
    await rejectsWith(charge(signed({ iat, exp: iat + 60 })), 'assertion_expired');
    await rejectsWith(charge(signed({ aud: ACTOR })), 'assertion_audience_mismatch');
    const token = signed();
    await rejectsWith(
      payments.verifier.verify({ method: 'POST', path: '/refunds', headers: { 'x-identity-assertion': token } }),
      'assertion_request_mismatch',
    );
    await rejectsWith(
      payments.verifier.verify({ method: 'POST', path: '/charges', headers: { 'x-identity-assertion': token }, body: '{"amount":500}' }),
      'assertion_request_mismatch',
      'body_mismatch',
    );
  });

  it('answers a refused actor with 403 problem+json', async () => {
    const err = await charge(signed({ act: { sub: 'x' }, act_sub: 'x', chain: ['x'] })).then(
      () => assert.fail('accepted an actor outside acceptActors'),
      (e: unknown) => e,
    );
    assert.deepEqual(problemFor(err), {
      status: 403,
      body: {
        type: 'https://meshgate.dev/problems/assertion_actor_refused',
        title: 'Delegated call refused',
        status: 403,
        code: 'assertion_actor_refused',
      },
    });
  });

  it('refuses misconfigured delegation options when the verifier is created', () => {
    const base = { issuer: ISSUER, audience: DELEGATED_AUDIENCE, jwksUri: payments.server.jwksUri };
    for (const acceptActors of [[], [''], 'orders', [7]] as unknown as string[][])
      assert.throws(
        () => createAssertionVerifier({ ...base, acceptActors }),
        (e: ConfigError) => e.path === 'acceptActors',
      );
    assert.throws(
      () => createAssertionVerifier({ ...base, peerAudience: { a: 7 } as unknown as Record<string, string> }),
      (e: ConfigError) => e.path === 'peerAudience',
    );
  });
});

describe('Consumer: peer identities', () => {
  it('reads the one SPIFFE id of a client certificate, and nothing from several or quoted ones', () => {
    assert.equal(spiffeIdOf({ subjectaltname: `DNS:orders.shop, URI:${ORDERS_SPIFFE}` }), ORDERS_SPIFFE);
    assert.equal(spiffeIdOf({ subjectaltname: `URI:${ORDERS_SPIFFE}, URI:${BILLING_SPIFFE}` }), undefined);
    assert.equal(spiffeIdOf({ subjectaltname: `URI:"${ORDERS_SPIFFE}, URI:x"` }), undefined);
    assert.equal(spiffeIdOf({ subjectaltname: 'URI:https://orders.shop' }), undefined);
    assert.equal(spiffeIdOf(undefined), undefined);
  });

  it('reads the VPC Lattice principal from exactly one x-amzn-lattice-identity header', () => {
    const value = 'Principal=arn:aws:sts::123456789012:assumed-role/orders/i-0abc; PrincipalOrgID=o-1; SessionName=i-0abc; Type=AWS_IAM';
    const principal = 'arn:aws:sts::123456789012:assumed-role/orders/i-0abc';
    assert.equal(latticeCallerOf({ 'x-amzn-lattice-identity': value }), principal);
    assert.equal(latticeCallerOf(new Headers({ 'X-Amzn-Lattice-Identity': value })), principal);
    assert.equal(latticeCallerOf({ 'x-amzn-lattice-identity': value, 'X-Amzn-Lattice-Identity': value }), undefined);
    assert.equal(latticeCallerOf({ 'x-amzn-lattice-identity': [value, value] }), undefined);
    assert.equal(latticeCallerOf({ 'x-amzn-lattice-identity': `${value}; Principal=arn:aws:iam::1:role/x` }), undefined);
    assert.equal(latticeCallerOf({ 'x-amzn-lattice-identity': 'Type=AWS_IAM' }), undefined);
    assert.equal(latticeCallerOf({}), undefined);
  });
});
