// One RFC 8693 exchange against a scripted loopback token endpoint: which answers retry, how RFC 6749 error bodies map.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { DelegationError, JWT_TOKEN_TYPE } from '../src/index.js';
import { exchange, type ExchangeParams } from '../src/exchange.js';
import { jsonAnswer, startScriptedServer, type ScriptedAnswer, type ScriptedServer } from './support/scripted-server.js';

const PARAMS: ExchangeParams = {
  subjectToken: 'subject.jwt.sig',
  audience: 'payments',
  method: 'POST',
  target: '/charges',
  bodySha256: undefined,
  scope: undefined,
  actorToken: undefined,
};
const issued = (overrides: Record<string, unknown> = {}): ScriptedAnswer =>
  jsonAnswer(200, {
    access_token: 'delegated.jwt.sig',
    issued_token_type: JWT_TOKEN_TYPE,
    token_type: 'N_A',
    expires_in: 60,
    ...overrides,
  });

describe('Function: exchange', () => {
  let server: ScriptedServer;
  before(async () => {
    server = await startScriptedServer('/token');
  });
  afterEach(() => {
    server.script.length = 0;
    server.requests.length = 0;
  });
  after(() => server.close());

  const run = (...answers: ScriptedAnswer[]) => {
    server.script.push(...answers);
    return exchange({ endpoint: server.url, fetch: globalThis.fetch, timeoutMs: 2000 }, PARAMS);
  };
  const failure = async (...answers: ScriptedAnswer[]): Promise<DelegationError> => {
    const err = await run(...answers).catch((e: unknown) => e);
    assert.ok(err instanceof DelegationError, `expected a DelegationError, got ${String(err)}`);
    assert.equal(err.name, 'DelegationError');
    return err;
  };

  it('returns the issued token and lifetime, asking for JSON', async () => {
    assert.deepEqual(await run(issued()), { token: 'delegated.jwt.sig', expiresInSeconds: 60 });
    assert.equal(server.requests[0]!.headers.accept, 'application/json');
  });

  it('retries once after a 500 or a dropped connection, and not a third time', async () => {
    assert.equal((await run(jsonAnswer(500, {}), issued())).token, 'delegated.jwt.sig');
    assert.equal((await run('drop', issued())).token, 'delegated.jwt.sig');
    assert.equal(server.requests.length, 4);
    server.requests.length = 0;
    const lost = await failure('drop', 'drop', issued());
    assert.equal(lost.code, 'exchange_failed');
    assert.equal(lost.status, undefined);
    assert.ok(lost.cause instanceof Error, 'the network error is kept as the cause');
    assert.equal(server.requests.length, 2);
  });

  it('answers exchange_failed with the status after two 5xx, without a cause', async () => {
    const err = await failure(jsonAnswer(502, {}), jsonAnswer(500, {}));
    assert.equal(err.code, 'exchange_failed');
    assert.equal(err.status, 500);
    assert.equal('cause' in err, false);
  });

  it('maps a 4xx to exchange_refused with the RFC 6749 code and a bounded description, never retried', async () => {
    const err = await failure(jsonAnswer(400, { error: 'invalid_scope', error_description: 'd'.repeat(500) }), issued());
    assert.equal(err.code, 'exchange_refused');
    assert.equal(err.oauthError, 'invalid_scope');
    assert.equal(err.status, 400);
    assert.equal(err.message, `exchange refused (invalid_scope): ${'d'.repeat(200)}`);
    assert.equal('cause' in err, false);
    assert.equal(server.requests.length, 1);
  });

  it('names the status of a 4xx whose body is no RFC 6749 error', async () => {
    const bodies: ScriptedAnswer[] = [
      { status: 403, body: '<html>Forbidden</html>' },
      jsonAnswer(403, { error: 42, error_description: ['not', 'text'] }),
      jsonAnswer(403, null),
      jsonAnswer(403, 'invalid_target'),
      { status: 403, body: JSON.stringify({ error: 'invalid_target' }).padEnd(65_537, ' ') },
    ];
    for (const answer of bodies) {
      const err = await failure(answer);
      assert.equal(err.code, 'exchange_refused');
      assert.equal(err.oauthError, undefined);
      assert.equal(err.status, 403);
      assert.equal(err.message, 'exchange refused (403)');
    }
    const described = await failure(jsonAnswer(401, { error: 'invalid_client' }));
    assert.equal(described.message, 'exchange refused (invalid_client)');
  });

  it('reads an answer of exactly 64 KiB and refuses one character more', async () => {
    const body = JSON.stringify({ access_token: 'delegated.jwt.sig', issued_token_type: JWT_TOKEN_TYPE, expires_in: 60 });
    assert.equal((await run({ status: 200, body: body.padEnd(65_536, ' ') })).token, 'delegated.jwt.sig');
    assert.equal((await failure({ status: 200, body: body.padEnd(65_537, ' ') })).code, 'exchange_response_invalid');
  });

  it('answers exchange_response_invalid, once, for a 200 without a usable JWT or lifetime', async () => {
    const unusable: ScriptedAnswer[] = [
      { status: 200, body: 'not json' },
      jsonAnswer(200, [issued()]),
      issued({ access_token: '' }),
      issued({ access_token: 7 }),
      issued({ access_token: undefined }),
      issued({ issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' }),
      issued({ expires_in: '60' }),
      issued({ expires_in: 0 }),
      issued({ expires_in: -5 }),
      issued({ expires_in: undefined }),
      {
        status: 200,
        body: '{"access_token":"delegated.jwt.sig","issued_token_type":"urn:ietf:params:oauth:token-type:jwt","expires_in":1e999}',
      },
    ];
    for (const answer of unusable) {
      const err = await failure(answer, issued());
      assert.equal(err.code, 'exchange_response_invalid', JSON.stringify(answer));
      assert.equal(err.status, 200);
      assert.equal(server.requests.length, 1, 'a 200 is never retried');
      server.requests.length = 0;
      server.script.length = 0;
    }
  });
});
