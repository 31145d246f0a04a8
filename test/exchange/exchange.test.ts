// The token exchange end to end through its handler core: what an issued delegated assertion says, and its properties.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import fc from 'fast-check';
import { DELEGATED_ASSERTION_TYP, JWT_TOKEN_TYPE, bodyDigest, requestHash } from '@meshgate/consumer';
import { buildExchange } from '../../src/exchange/exchange';
import { loadExchangeConfig } from '../../functions/exchange/config';
import { rotateKeySet } from '../../src/keys/key-set';
import {
  EXCHANGE_ROUTES_JSON,
  exchangeForm,
  hop0Claims,
  keySet,
  payloadOf,
  roleSession,
  runExchange,
  signSubject,
  testExchange,
} from './support';

function verifiesWith(jws: string, set = keySet): boolean {
  const [h, p, s] = jws.split('.') as [string, string, string];
  const { kty, crv, x, y } = set.current.privateJwk;
  const key = createPublicKey({ key: { kty, crv, x, y }, format: 'jwk' });
  return verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
}

const headerOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('Function: handleExchangeEvent', () => {
  it('issues a delegated assertion for the one request asked for, signed with the current key', async () => {
    const hop0 = hop0Claims('orders-service');
    const res = await runExchange(testExchange(), {
      callerArn: roleSession('orders'),
      form: exchangeForm(signSubject(hop0), { request_target: '/charges?b=2&a=x%20y', body_sha256: bodyDigest('{"amount":5}') }),
    });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.equal(res.json.issued_token_type, JWT_TOKEN_TYPE);
    assert.equal(res.json.token_type, 'N_A');
    assert.equal(res.headers['cache-control'], 'no-store');
    const token = res.json.access_token as string;
    assert.deepEqual(headerOf(token), { alg: 'ES256', typ: DELEGATED_ASSERTION_TYP, kid: keySet.current.kid });
    assert.ok(verifiesWith(token));
    const claims = payloadOf(token);
    assert.equal(claims.aud, 'payments-service');
    assert.equal(claims.req, requestHash('POST', '/charges', 'a=x%20y&b=2'));
    assert.equal(claims.body_sha256, bodyDigest('{"amount":5}'));
    assert.equal(claims.scope, 'payments:charge payments:read');
    assert.equal(res.json.scope, 'payments:charge payments:read');
    assert.deepEqual(claims.act, { sub: 'orders-service' });
    assert.equal(claims.act_sub, 'orders-service');
    assert.deepEqual(claims.chain, ['orders-service']);
    assert.equal(claims.txn, hop0.jti);
    for (const k of ['sub', 'type', 'groups', 'tenant', 'client_id', 'src_iss']) assert.deepEqual(claims[k], hop0[k], k);
    assert.notEqual(claims.jti, hop0.jti);
    assert.ok((claims.exp as number) <= (hop0.exp as number));
    assert.equal(res.json.expires_in, (claims.exp as number) - (claims.iat as number));
  });

  it('caps exp at the subject exp and at now + the configured lifetime', async () => {
    const now = Math.floor(Date.now() / 1000);
    const short = await runExchange(testExchange(), {
      callerArn: roleSession('orders'),
      form: exchangeForm(signSubject(hop0Claims('orders-service', { exp: now + 7 }))),
    });
    assert.equal(payloadOf(short.json.access_token as string).exp, now + 7);
    const long = await runExchange(testExchange(), {
      callerArn: roleSession('orders'),
      form: exchangeForm(signSubject(hop0Claims('orders-service', { exp: now + 290 }))),
    });
    const claims = payloadOf(long.json.access_token as string);
    assert.equal((claims.exp as number) - (claims.iat as number), 60);
  });

  it('answers HTTP API (2.0) events and base64 bodies the same way', async () => {
    const res = await runExchange(testExchange(), {
      format: 'http-v2',
      base64: true,
      callerArn: roleSession('orders', 'another-session'),
      form: exchangeForm(signSubject(hop0Claims('orders-service')), {
        scope: 'payments:read',
        request_method: 'GET',
        request_target: '/charges/ch_1',
      }),
    });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.equal(payloadOf(res.json.access_token as string).scope, 'payments:read');
  });

  it('verifies subjects signed before a rotation and signs with the key current after it', async () => {
    const rotated = rotateKeySet(keySet);
    const exchange = testExchange({ store: { load: async () => rotated } });
    const res = await runExchange(exchange, {
      callerArn: roleSession('orders'),
      form: exchangeForm(signSubject(hop0Claims('orders-service'))),
    });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.equal(headerOf(res.json.access_token as string).kid, rotated.current.kid);
    assert.ok(verifiesWith(res.json.access_token as string, rotated));
  });

  it('answers 503 temporarily_unavailable, never a 500 or a token, when the key set cannot be read', async () => {
    const exchange = testExchange({ store: { load: () => Promise.reject(new Error('throttled')) } });
    const res = await runExchange(exchange, {
      callerArn: roleSession('orders'),
      form: exchangeForm(signSubject(hop0Claims('orders-service'))),
    });
    assert.equal(res.status, 503);
    assert.equal(res.json.error, 'temporarily_unavailable');
    assert.equal(res.json.access_token, undefined);
  });

  it('answers 503 to everything when its configuration is invalid, naming the field in the log only', async () => {
    const broken = buildExchange(() =>
      loadExchangeConfig(
        { MESHGATE_ASSERTION_ISSUER: 'https://meshgate.test', MESHGATE_KEY_STORE: 'file' },
        { ...EXCHANGE_ROUTES_JSON, edges: [{ from: 'orders', to: 'nowhere', routes: [{ method: 'GET', path: '/' }] }] },
      ),
    );
    assert.equal(broken.ok, false);
    if (!broken.ok) assert.match(broken.error.message, /routes\.edges\[0\]\.to: unknown upstream "nowhere"/);
    const res = await runExchange(broken, { callerArn: roleSession('orders'), form: exchangeForm('x') });
    assert.equal(res.status, 503);
  });
});

// One declared path through the test edges: orders → payments → ledger → inventory (each edge allows its depth).
const PATH = [
  { actor: 'orders', audience: 'payments-service', method: 'POST', target: '/charges' },
  { actor: 'payments', audience: 'ledger-service', method: 'POST', target: '/entries' },
] as const;
const SCOPES = ['orders:write', 'payments:charge', 'payments:read', 'ledger:write', 'inventory:read', 'admin'];
const EDGE_SCOPES: Record<string, string[]> = {
  'payments-service': ['payments:charge', 'payments:read'],
  'ledger-service': ['payments:charge', 'ledger:write'],
};

describe('Delegation properties (fast-check)', () => {
  const exchange = testExchange();

  it('along declared edges: identity unchanged, scopes narrowed, exp never increasing, chain = path, txn constant', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          sub: fc.string({ minLength: 1, maxLength: 20 }),
          groups: fc.array(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 4 }),
          tenant: fc.string({ minLength: 1, maxLength: 12 }),
          src_iss: fc.webUrl(),
          scopes: fc.subarray(SCOPES, { minLength: 1 }),
          ttl: fc.integer({ min: 2, max: 300 }),
          steps: fc.integer({ min: 1, max: PATH.length }),
          narrow: fc.array(fc.boolean(), { minLength: PATH.length, maxLength: PATH.length }),
        }),
        async (p) => {
          const now = Math.floor(Date.now() / 1000);
          const hop0 = hop0Claims('orders-service', {
            sub: p.sub,
            groups: p.groups,
            tenant: p.tenant,
            src_iss: p.src_iss,
            scope: p.scopes.join(' '),
            exp: now + p.ttl,
          });
          let subject = signSubject(hop0);
          let held = p.scopes;
          let exp = hop0.exp as number;
          const chain: string[] = [];
          for (let i = 0; i < p.steps; i++) {
            const step = PATH[i]!;
            const allowed = held.filter((s) => EDGE_SCOPES[step.audience]!.includes(s));
            const ask = p.narrow[i] && allowed.length > 1 ? allowed.slice(1) : undefined;
            const res = await runExchange(exchange, {
              callerArn: roleSession(step.actor),
              form: exchangeForm(subject, {
                audience: step.audience,
                request_method: step.method,
                request_target: step.target,
                ...(ask ? { scope: ask.join(' ') } : {}),
              }),
            });
            if (allowed.length === 0) {
              assert.equal(res.status, 400);
              assert.equal(res.json.error, 'invalid_scope');
              assert.equal(res.json.access_token, undefined);
              return;
            }
            assert.equal(res.status, 200, JSON.stringify(res.json));
            subject = res.json.access_token as string;
            const claims = payloadOf(subject);
            chain.push(`${step.actor}-service`);
            for (const k of ['sub', 'groups', 'tenant', 'src_iss', 'type']) assert.deepEqual(claims[k], hop0[k], k);
            const scopes = (claims.scope as string).split(' ').filter(Boolean);
            assert.ok(
              scopes.every((s) => held.includes(s) && EDGE_SCOPES[step.audience]!.includes(s)),
              `${scopes.join(' ')} ⊄ ${held.join(' ')}`,
            );
            assert.ok((claims.exp as number) <= exp);
            assert.deepEqual(claims.chain, chain);
            assert.equal(claims.act_sub, chain[chain.length - 1]);
            assert.equal(claims.txn, hop0.jti);
            held = scopes;
            exp = claims.exp as number;
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('any undeclared step (actor, audience, method or path) yields no token', async () => {
    const actors = ['orders', 'payments', 'ledger', 'inventory', 'mail', 'stranger'];
    const audiences = ['orders-service', 'payments-service', 'ledger-service', 'inventory-service', 'mail-service', 'x'];
    const declared = new Set([
      'orders payments-service POST /charges',
      'orders payments-service GET /charges/c1',
      'orders inventory-service GET /stock',
    ]);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...actors),
        fc.constantFrom(...audiences),
        fc.constantFrom('GET', 'POST', 'DELETE'),
        fc.constantFrom('/charges', '/charges/c1', '/stock', '/entries', '/checkout', '/'),
        async (actor, audience, method, target) => {
          const res = await runExchange(exchange, {
            callerArn: roleSession(actor),
            form: exchangeForm(signSubject(hop0Claims('orders-service')), { audience, request_method: method, request_target: target }),
          });
          const ok = declared.has(`${actor} ${audience} ${method} ${target}`);
          assert.equal(res.status === 200, ok, `${actor} → ${audience} ${method} ${target}: ${JSON.stringify(res.json)}`);
          if (!ok) assert.equal(res.json.access_token, undefined);
          assert.ok(res.status < 500);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('any form body gives a 4xx or a 200, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 300 }),
        fc.option(fc.constantFrom('application/x-www-form-urlencoded', 'text/plain')),
        async (body, ct) => {
          const res = await runExchange(exchange, { callerArn: roleSession('orders'), form: body, contentType: ct });
          assert.ok(res.status >= 400 && res.status < 500, `${res.status}`);
          assert.equal(res.json.access_token, undefined);
        },
      ),
      { numRuns: 200 },
    );
  });
});
