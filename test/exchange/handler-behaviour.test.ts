// The exchange handler as an operator sees it: one decision line per exchange (fields, level, EMF count), the 503
// paths (bad configuration, key store down, a bug), and buildExchange as a cold start calls it.
import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey, verify } from 'node:crypto';
import { parseIssuers } from '../../src/config/issuers';
import { ConfigError } from '../../src/errors';
import { buildExchange, handleExchangeEvent, type Exchange } from '../../src/exchange/exchange';
import type { ExchangeConfig } from '../../src/exchange/exchange-config';
import type { HttpResult } from '../../src/http/problem';
import { newKeySet, serializeKeySet, type SigningKeySet } from '../../src/keys/key-set';
import { captureLogs, emfMetricsOf, withOneLogLine } from '../support/logs';
import { startJwksServer } from '../support/jwks-server';
import {
  ACCOUNT,
  ACTOR_TOKEN_TYPE,
  IDP,
  actorToken,
  exchangeConfig,
  exchangeEvent,
  exchangeForm,
  hop0Claims,
  idpKey,
  payloadOf,
  roleSession,
  signSubject,
  testExchange,
  type EventSpec,
} from './support';

type Entry = Record<string, unknown>;
const METRICS = ['ExchangeIssued', 'ExchangeRefused', 'ExchangeFailed'];
const ORDERS_PRINCIPAL = `iam aws:${ACCOUNT}:role/orders`;

/** Runs one event; returns the result, its parsed body and its one `exchange decision` line. */
async function decide(exchange: Exchange, event: unknown): Promise<{ res: HttpResult; json: Entry; line: Entry }> {
  const { value: res, line } = await withOneLogLine('exchange decision', () => handleExchangeEvent(exchange, event));
  return { res, json: JSON.parse(res.body) as Entry, line };
}

const decideSpec = (exchange: Exchange, spec: EventSpec) => decide(exchange, exchangeEvent(spec));

/** The metrics the line counts (ExchangeIssued, ExchangeRefused or ExchangeFailed). */
const metricsOf = (line: Entry): string[] => emfMetricsOf(line, METRICS);

const ordersAsksPayments = (): EventSpec => ({
  callerArn: roleSession('orders'),
  form: exchangeForm(signSubject(hop0Claims('orders-service'))),
});

const dir = mkdtempSync(join(tmpdir(), 'meshgate-exchange-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A key set file as `npm start` writes it, for the default (file) key store. */
function keyFile(name: string, set: SigningKeySet): string {
  const path = join(dir, name);
  writeFileSync(path, serializeKeySet(set));
  return path;
}

function verifiesWith(jws: string, set: SigningKeySet): boolean {
  const [h, p, s] = jws.split('.') as [string, string, string];
  const { kty, crv, x, y } = set.current.privateJwk;
  const key = createPublicKey({ key: { kty, crv, x, y }, format: 'jwk' });
  return verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
}

describe('Exchange decision log line', () => {
  it('logs an issued exchange at info with who asked, for whom, the request and the depth, counted as ExchangeIssued', async () => {
    const hop0 = hop0Claims('orders-service');
    const { res, line } = await decideSpec(testExchange(), {
      callerArn: roleSession('orders'),
      form: exchangeForm(signSubject(hop0)),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(line.level, 'INFO');
    assert.equal(line.outcome, 'issued');
    assert.equal(line.reason, 'ok');
    assert.equal(line.actor, 'orders-service');
    assert.equal(line.principal, ORDERS_PRINCIPAL);
    assert.equal(line.txn, hop0.jti);
    assert.equal(line.sub, 'user-42');
    assert.equal(line.target, 'payments-service');
    assert.equal(line.req, 'POST /charges');
    assert.equal(line.depth, 1);
    assert.equal(line.apiRequestId, 'req-1');
    assert.equal(line.error, undefined);
    assert.deepEqual(metricsOf(line), ['ExchangeIssued']);
  });

  it('logs a refusal at info with its rule and error code and no detail, counted as ExchangeRefused', async () => {
    const { res, json, line } = await decideSpec(testExchange(), {
      callerArn: roleSession('orders'),
      form: exchangeForm(signSubject(hop0Claims('orders-service')), { audience: 'mail-service' }),
    });
    assert.equal(res.statusCode, 400);
    assert.equal(line.level, 'INFO');
    assert.equal(line.outcome, 'refused');
    assert.equal(line.reason, 'edge_undeclared');
    assert.equal(line.error, json.error);
    assert.equal(line.error, 'invalid_target');
    assert.equal(line.detail, undefined);
    assert.equal(line.actor, 'orders-service');
    assert.equal(line.target, 'mail-service');
    assert.deepEqual(metricsOf(line), ['ExchangeRefused']);
  });

  it('keeps the audience it logs to 128 characters and the request to 256', async () => {
    const audience = `x${'a'.repeat(300)}`;
    const refused = await decideSpec(testExchange(), {
      callerArn: roleSession('orders'),
      form: exchangeForm(signSubject(hop0Claims('orders-service')), { audience }),
    });
    assert.equal(refused.res.statusCode, 400);
    assert.equal(refused.line.target, audience.slice(0, 128));

    const id = 'c'.repeat(400);
    const issued = await decideSpec(testExchange(), {
      callerArn: roleSession('orders'),
      form: exchangeForm(signSubject(hop0Claims('orders-service')), {
        scope: 'payments:read',
        request_method: 'GET',
        request_target: `/charges/${id}`,
      }),
    });
    assert.equal(issued.res.statusCode, 200, issued.res.body);
    assert.equal(issued.line.req, `GET /charges/${id}`.slice(0, 256));
  });

  it('names the API Gateway request of each line, and no request for an event without an id', async () => {
    const exchange = testExchange();
    const first = await decideSpec(exchange, ordersAsksPayments());
    assert.equal(first.line.apiRequestId, 'req-1');
    const anonymous = exchangeEvent(ordersAsksPayments()) as { requestContext: Record<string, unknown> };
    delete anonymous.requestContext.requestId;
    const second = await decide(exchange, anonymous);
    assert.equal(second.res.statusCode, 200, second.res.body);
    assert.equal(second.line.apiRequestId, undefined);
  });

  it('refuses a /token event whose own path has a dot segment as a 400 invalid_request (reason path), not a 503', async () => {
    const event = { ...exchangeEvent(ordersAsksPayments()), path: '/x/../token' };
    const { res, json, line } = await decide(testExchange(), event);
    assert.equal(res.statusCode, 400);
    assert.equal(json.error, 'invalid_request');
    assert.equal(line.outcome, 'refused');
    assert.equal(line.reason, 'path');
    assert.deepEqual(metricsOf(line), ['ExchangeRefused']);
  });
});

describe('Exchange 503 paths', () => {
  it('answers 503 when the key file is missing and logs an error line with the store code and its detail, counted as ExchangeFailed', async () => {
    const missing = join(dir, 'no-such-keys.json');
    const exchange = buildExchange(() => exchangeConfig({ keyStore: { kind: 'file', path: missing, cacheMs: 0 } }));
    const { res, json, line } = await decideSpec(exchange, ordersAsksPayments());
    assert.equal(res.statusCode, 503);
    assert.deepEqual(json, {
      error: 'temporarily_unavailable',
      error_description: 'the token exchange cannot sign right now; retry later',
    });
    assert.equal(line.level, 'ERROR');
    assert.equal(line.outcome, 'error');
    assert.equal(line.reason, 'key_file_missing');
    assert.equal(line.error, 'temporarily_unavailable');
    assert.match(line.detail as string, new RegExp(`no key set file at ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.equal(line.actor, 'orders-service', 'what the exchange got to before it failed');
    assert.equal(line.txn, undefined);
    assert.deepEqual(metricsOf(line), ['ExchangeFailed']);
  });

  it('answers 503 with reason internal when something that is no meshgate error breaks (a bug), never a 500', async () => {
    const exchange = testExchange({
      now: () => {
        throw new RangeError('clock unavailable');
      },
    });
    const { res, json, line } = await decideSpec(exchange, ordersAsksPayments());
    assert.equal(res.statusCode, 503);
    assert.equal(json.error, 'temporarily_unavailable');
    assert.equal(line.reason, 'internal');
    assert.equal(line.detail, 'clock unavailable');
    assert.equal(line.level, 'ERROR');
    assert.deepEqual(metricsOf(line), ['ExchangeFailed']);
  });

  it('keeps a bad configuration: logs the consequence once at cold start, then answers every request 503 naming the config code', async () => {
    const logs = captureLogs();
    let broken: Exchange;
    try {
      broken = buildExchange(() => {
        throw new ConfigError('MESHGATE_EXCHANGE_TTL_SECONDS', 'must be 1..300');
      });
    } finally {
      logs.stop();
    }
    const cold = logs.entries().filter((e) => e.level === 'ERROR');
    assert.equal(cold.length, 1);
    assert.equal(cold[0]!.message, 'configuration invalid: every token request is answered 503');
    assert.equal(cold[0]!.code, 'config_invalid');
    const { res, json, line } = await decideSpec(broken, ordersAsksPayments());
    assert.equal(res.statusCode, 503);
    assert.equal(json.access_token, undefined);
    assert.equal(line.reason, 'config_invalid');
    assert.equal(line.detail, 'MESHGATE_EXCHANGE_TTL_SECONDS: must be 1..300');
    assert.equal(line.actor, undefined, 'nothing of the request was read');
    assert.deepEqual(metricsOf(line), ['ExchangeFailed']);
  });
});

describe('Function: buildExchange', () => {
  it('reads the configured key file with the default key store and signs with its current key', async () => {
    const set = newKeySet();
    const exchange = buildExchange(() =>
      exchangeConfig({ keyStore: { kind: 'file', path: keyFile('keys.json', set), cacheMs: 0 }, actorTokenIssuers: undefined }),
    );
    assert.equal(exchange.ok, true);
    const { res, json } = await decideSpec(exchange, {
      callerArn: roleSession('orders'),
      form: exchangeForm(signSubject(hop0Claims('orders-service'), { set })),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(verifiesWith(json.access_token as string, set));
  });

  it('without actor-token issuers: SigV4 actors only, an actor_token is refused as disabled', async () => {
    const set = newKeySet();
    const path = keyFile('sigv4-only.json', set);
    const exchange = buildExchange(() => exchangeConfig({ keyStore: { kind: 'file', path, cacheMs: 0 }, actorTokenIssuers: undefined }));
    assert.ok(exchange.ok);
    assert.equal(exchange.core.actorTokens, undefined);
    const { res, json, line } = await decideSpec(exchange, {
      form: exchangeForm(signSubject(hop0Claims('orders-service'), { set }), {
        actor_token: actorToken('orders-service'),
        actor_token_type: ACTOR_TOKEN_TYPE,
      }),
    });
    assert.equal(res.statusCode, 401);
    assert.equal(json.error, 'invalid_client');
    assert.equal(line.reason, 'actor_token_disabled');
  });

  describe('with actor-token issuers whose JWKS is served over http on loopback', () => {
    const set = newKeySet();
    const path = keyFile('actor-tokens.json', set);
    let jwks: Awaited<ReturnType<typeof startJwksServer>>;
    const config = (overrides: Partial<ExchangeConfig>): ExchangeConfig =>
      exchangeConfig({
        keyStore: { kind: 'file', path, cacheMs: 0 },
        actorTokenIssuers: parseIssuers([{ issuer: IDP, audience: ['meshgate'], jwksUri: jwks.jwksUri }], { allowLoopbackHttp: true }),
        ...overrides,
      });
    const withToken = (): EventSpec => ({
      form: exchangeForm(signSubject(hop0Claims('orders-service'), { set }), {
        actor_token: actorToken('orders-service'),
        actor_token_type: ACTOR_TOKEN_TYPE,
      }),
    });

    before(async () => {
      jwks = await startJwksServer([idpKey.jwk]);
    });
    after(() => jwks.close());

    it('verifies an actor_token through that JWKS when the stage allows loopback http', async () => {
      const exchange = buildExchange(() => config({ allowLoopbackHttp: true }));
      const { res, json, line } = await decideSpec(exchange, withToken());
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(line.principal, `client ${IDP} orders-service`);
      assert.equal(line.actor, 'orders-service');
      assert.equal(payloadOf(json.access_token as string).act_sub, 'orders-service');
      assert.ok(jwks.requests >= 1);
    });

    it('never fetches a JWKS over http when the stage does not say so: the actor_token does not verify', async () => {
      const before = jwks.requests;
      for (const allowLoopbackHttp of [undefined, false]) {
        const exchange = buildExchange(() => config(allowLoopbackHttp === undefined ? {} : { allowLoopbackHttp }));
        const { res, line } = await decideSpec(exchange, withToken());
        assert.equal(res.statusCode, 401, res.body);
        assert.equal(line.reason, 'actor_token_invalid');
      }
      assert.equal(jwks.requests, before);
    });
  });
});
