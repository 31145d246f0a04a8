// verifyRequest on express-style requests, problemFor's answer per error, and the middleware's caching headers.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  AssertionError,
  ConfigError,
  assertionMiddleware,
  bodyDigest,
  problemFor,
  problemType,
  requestHash,
  verifyRequest,
} from '../src/index.js';
import { fixture, type Fixture } from './support/fixture.js';
import { closeServer, listenOnLoopback } from './support/loopback.js';

describe('Consumer: node:http helpers on express-style requests, and the problem answers', () => {
  let f: Fixture;
  let server: Server;
  let url: string;

  before(async () => {
    f = await fixture();
    const middleware = assertionMiddleware(f.verifier);
    server = createServer((req, res) => middleware(req, res, () => res.writeHead(204).end()));
    url = `http://127.0.0.1:${await listenOnLoopback(server)}`;
  });
  after(async () => {
    await closeServer(server);
    await f.close();
  });

  it('verifies a request object with plain headers only, as GET / when it names no method or URL', async () => {
    const token = f.sign({ req: requestHash('GET', '/') });
    const identity = await verifyRequest(f.verifier, { headers: { 'x-identity-assertion': token } });
    assert.equal(identity.sub, 'user-1');
  });

  it('checks the raw body it is given against the assertion', async () => {
    const body = '{"amount":5}';
    const token = f.sign({ req: requestHash('POST', '/charges'), body_sha256: bodyDigest(body) });
    const req = { method: 'POST', url: '/charges', headers: { 'x-identity-assertion': token } };
    assert.equal((await verifyRequest(f.verifier, req, { body })).sub, 'user-1');
    await assert.rejects(verifyRequest(f.verifier, req, { body: '{"amount":500}' }), { code: 'assertion_request_mismatch' });
  });

  it('answers problem+json that no cache keeps', async () => {
    const res = await fetch(`${url}/orders/42`);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });

  it('titles each status, and answers 500 internal for anything that is no AssertionError', () => {
    assert.deepEqual(problemFor(new AssertionError('assertion_invalid', 'malformed', 'm')), {
      status: 401,
      body: { type: problemType('assertion_invalid'), title: 'Identity assertion rejected', status: 401, code: 'assertion_invalid' },
    });
    assert.equal(problemFor(new AssertionError('jwks_unavailable', 'jwks_unavailable', 'm')).body.title, 'Identity keys unavailable');
    assert.deepEqual(problemFor(new TypeError('bug')), {
      status: 500,
      body: { type: problemType('internal'), title: 'Internal error', status: 500, code: 'internal' },
    });
  });

  it('names its errors, keeps a given cause, and prefixes a ConfigError with the option', () => {
    const cause = new Error('underlying');
    const err = new AssertionError('assertion_invalid', 'malformed', 'bad', { cause });
    assert.equal(err.name, 'AssertionError');
    assert.equal(err.cause, cause);
    assert.equal('cause' in new AssertionError('assertion_invalid', 'malformed', 'bad'), false);
    const config = new ConfigError('jwksUri', 'must be https');
    assert.equal(config.name, 'ConfigError');
    assert.equal(config.message, 'jwksUri: must be https');
    assert.equal(config.path, 'jwksUri');
  });
});
