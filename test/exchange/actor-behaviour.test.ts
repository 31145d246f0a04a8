// Who is asking (resolveActor: IAM role or user, client-credentials actor_token) and how a refusal reads on the wire.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveActor, type ActorCredential, type ActorTokenVerifier } from '../../src/exchange/actor';
import { ExchangeRefusal, oauthResult, refusalResult, refuse } from '../../src/exchange/oauth-error';
import { parseRouteTable } from '../../src/routes/route-table';
import { ACCOUNT, IDP, actorToken, exchangeRoutes, idpVerifier, roleSession, testExchange } from './support';
import { assertRejectsWithRefusal } from './refusal';

const exchange = testExchange();
const verifier: ActorTokenVerifier = exchange.ok ? exchange.core.actorTokens! : assert.fail('test exchange is built');

/** A route table of these upstreams (one route, to the first: a table needs one). */
const tableOf = (upstreams: Record<string, unknown>) =>
  parseRouteTable({ upstreams, routes: [{ method: 'GET', path: '/', upstream: Object.keys(upstreams)[0] }] });

const iam = (callerArn: string): ActorCredential => ({ kind: 'iam', callerArn });
const token = (t: string): ActorCredential => ({ kind: 'token', token: t });

describe('Function: resolveActor', () => {
  it('maps an assumed-role session to the upstream listing its role, naming the role as the principal', async () => {
    const actor = await resolveActor(exchangeRoutes, iam(roleSession('payments', 'any-session')), undefined);
    assert.equal(actor.upstream.audience, 'payments-service');
    assert.equal(actor.principal, `iam aws:${ACCOUNT}:role/payments`);
  });

  it('maps an IAM user to the upstream listing that user', async () => {
    const table = tableOf({
      batch: { audience: 'batch-service', principals: { iam: [`arn:aws:iam::${ACCOUNT}:user/ci/batch-runner`] } },
    });
    const actor = await resolveActor(table, iam(`arn:aws:iam::${ACCOUNT}:user/ci/batch-runner`), undefined);
    assert.equal(actor.upstream.audience, 'batch-service');
    assert.equal(actor.principal, `iam aws:${ACCOUNT}:user/batch-runner`);
  });

  it('tells an IAM caller that is neither a role nor a user (root, a federated user) it cannot be an actor', async () => {
    for (const arn of [`arn:aws:iam::${ACCOUNT}:root`, `arn:aws:sts::${ACCOUNT}:federated-user/bob`]) {
      const err = await assertRejectsWithRefusal(resolveActor(exchangeRoutes, iam(arn), verifier), 'invalid_client', 'actor_no_principal');
      assert.equal(err.message, 'the IAM caller is not a role or user', arn);
      assert.equal(err.status, 401);
    }
  });

  it('refuses a role no service lists', async () => {
    const err = await assertRejectsWithRefusal(
      resolveActor(exchangeRoutes, iam(roleSession('stranger')), verifier),
      'invalid_client',
      'actor_no_principal',
    );
    assert.match(err.message, /no service/);
  });

  it('refuses an actor_token whose client two services list, one under the issuer and one under its alias, as ambiguous', async () => {
    const ALIAS = 'https://idp-alias.test/';
    const aliased = idpVerifier([{ issuer: IDP, aliases: [ALIAS], audience: ['meshgate'], jwksUri: 'https://idp.test/jwks' }]);
    const orders = { audience: 'orders-service', principals: { clients: [{ issuer: IDP, clientId: 'shared' }] } };
    const refunds = { audience: 'refunds-service', principals: { clients: [{ issuer: ALIAS, clientId: 'shared' }] } };
    await assertRejectsWithRefusal(
      resolveActor(tableOf({ orders, refunds }), token(actorToken('shared')), aliased),
      'invalid_client',
      'actor_ambiguous',
    );
    const alone = await resolveActor(tableOf({ refunds }), token(actorToken('shared')), aliased);
    assert.equal(alone.upstream.audience, 'refunds-service');
    assert.equal(alone.principal, `client ${IDP} shared`, 'the principal names the issuer, not the alias it matched');
  });

  it('refuses a caller with no credential at all', async () => {
    await assertRejectsWithRefusal(resolveActor(exchangeRoutes, { kind: 'none' }, verifier), 'invalid_client', 'actor_missing');
  });

  it('maps a client-credentials actor_token to the upstream listing its issuer and client id', async () => {
    const actor = await resolveActor(exchangeRoutes, token(actorToken('ledger-service')), verifier);
    assert.equal(actor.upstream.audience, 'ledger-service');
    assert.equal(actor.principal, `client ${IDP} ledger-service`);
  });

  it('refuses an actor_token where no actor-token issuer is configured, without trying to verify it', async () => {
    const err = await assertRejectsWithRefusal(
      resolveActor(exchangeRoutes, token(actorToken('orders-service')), undefined),
      'invalid_client',
      'actor_token_disabled',
    );
    assert.match(err.message, /SigV4/);
  });

  it('refuses an actor_token that does not verify, keeping the verifier error as the cause', async () => {
    const forged = `${actorToken('orders-service').slice(0, -4)}AAAA`;
    const direct = await verifier.verify(forged).then(
      () => assert.fail('a forged token verifies'),
      (e: unknown) => e as Error,
    );
    for (const bad of [forged, 'not-a-jwt']) {
      const err = await assertRejectsWithRefusal(
        resolveActor(exchangeRoutes, token(bad), verifier),
        'invalid_client',
        'actor_token_invalid',
      );
      assert.equal(err.message, 'actor_token does not verify');
      assert.ok(err.cause instanceof Error, 'the cause is kept');
      if (bad === forged) {
        assert.equal(err.cause.constructor, direct.constructor);
        assert.equal(err.cause.message, direct.message);
      }
    }
  });

  it('refuses an actor_token that is not a client-credentials token with a client id', async () => {
    // A user's token: sub is a person, not the client.
    await assertRejectsWithRefusal(
      resolveActor(exchangeRoutes, token(actorToken('orders-service', { sub: 'alice' })), verifier),
      'invalid_client',
      'actor_token_not_client',
    );
    // A service token (sub ends in @clients) that names no client id: nothing to match a principal on.
    await assertRejectsWithRefusal(
      resolveActor(exchangeRoutes, token(actorToken('orders-service', { sub: 'orders@clients', client_id: undefined })), verifier),
      'invalid_client',
      'actor_token_not_client',
    );
  });
});

describe('Class: ExchangeRefusal', () => {
  it('names itself, carries its code, rule and status, and a cause only when given one', () => {
    const plain = refuse('invalid_scope', 'scope_widened', 'scope payments:refund is not granted');
    assert.equal(plain.name, 'ExchangeRefusal');
    assert.equal(plain.error, 'invalid_scope');
    assert.equal(plain.reason, 'scope_widened');
    assert.equal(plain.status, 400);
    assert.equal(plain.message, 'scope payments:refund is not granted');
    assert.equal(Object.hasOwn(plain, 'cause'), false);
    const root = new Error('jwks down');
    const caused = new ExchangeRefusal('invalid_client', 'actor_token_invalid', 'actor_token does not verify', { cause: root });
    assert.equal(caused.cause, root);
    assert.equal(caused.status, 401);
    assert.equal(new ExchangeRefusal('temporarily_unavailable', 'internal', 'later').status, 503);
  });
});

describe('Function: refusalResult', () => {
  const NEVER_CACHED = {
    'content-type': 'application/json;charset=UTF-8',
    'cache-control': 'no-store',
    pragma: 'no-cache',
    'x-content-type-options': 'nosniff',
  };

  it('answers a JSON error body that is never cached, with only error and error_description', () => {
    const res = refusalResult(refuse('invalid_target', 'edge_undeclared', 'no edge orders → ledger'));
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.headers, NEVER_CACHED);
    assert.equal(res.isBase64Encoded, false);
    assert.deepEqual(JSON.parse(res.body), { error: 'invalid_target', error_description: 'no edge orders ? ledger' });
  });

  it('challenges a 401 with the one scheme the actor can use, and only a 401', () => {
    const unauthorised = refusalResult(refuse('invalid_client', 'actor_missing', 'sign the request'));
    assert.equal(unauthorised.statusCode, 401);
    assert.deepEqual(unauthorised.headers, { ...NEVER_CACHED, 'www-authenticate': 'AWS4-HMAC-SHA256' });
    for (const error of ['invalid_request', 'invalid_scope', 'temporarily_unavailable'] as const) {
      assert.equal(refusalResult(refuse(error, 'x', 'y')).headers['www-authenticate'], undefined, error);
    }
  });

  it('reduces error_description to printable ASCII without " and \\ (RFC 6749 §5.2), at most 300 characters', () => {
    const res = refusalResult(refuse('invalid_request', 'x', 'bad "value" \\ é\r\nX-Injected: 1\t~!#[]'));
    assert.equal(JSON.parse(res.body).error_description, 'bad ?value? ? ???X-Injected: 1?~!#[]');
    const long = refusalResult(refuse('invalid_request', 'x', `${'ab'.repeat(200)}`));
    assert.equal(JSON.parse(long.body).error_description, 'ab'.repeat(150));
  });
});

describe('Function: oauthResult', () => {
  it('sends a success body as JSON, not base64, never cached, with any extra header', () => {
    const res = oauthResult(200, { access_token: 't', token_type: 'N_A' }, { 'x-extra': '1' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.isBase64Encoded, false);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['x-extra'], '1');
    assert.deepEqual(JSON.parse(res.body), { access_token: 't', token_type: 'N_A' });
  });
});
