// The node:http helpers over real HTTP: middleware answers 401/503 problem+json, duplicate headers on the wire are caught.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { assertionMiddleware, identityFromRequest, requestHash } from '../src/index.js';
import { fixture, type Fixture } from './support/fixture.js';
import { closeServer, listenOnLoopback } from './support/loopback.js';

function rawRequest(port: number, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(`${lines.join('\r\n')}\r\n\r\n`));
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString()));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

describe('Consumer: node:http middleware and identityFromRequest', () => {
  let f: Fixture;
  let server: Server;
  let url: string;

  before(async () => {
    f = await fixture();
    const middleware = assertionMiddleware(f.verifier);
    server = createServer((req, res) => {
      middleware(req, res, () => {
        const identity = identityFromRequest(req);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sub: identity.sub, scopes: identity.scopes }));
      });
    });
    url = `http://127.0.0.1:${await listenOnLoopback(server)}`;
  });
  after(async () => {
    await closeServer(server);
    await f.close();
  });

  it('lets a verified request through and exposes its identity', async () => {
    const res = await fetch(`${url}/orders/42?x=1`, {
      headers: { 'x-identity-assertion': f.sign({ req: requestHash('GET', '/orders/42', 'x=1') }) },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { sub: 'user-1', scopes: ['orders:read', 'orders:write'] });
  });

  it('answers 401 problem+json with the code when the assertion is missing or bound elsewhere', async () => {
    const missing = await fetch(`${url}/orders/42`);
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('content-type'), 'application/problem+json');
    assert.equal(((await missing.json()) as { code: string }).code, 'assertion_missing');
    const replayed = await fetch(`${url}/orders/42`, {
      method: 'DELETE',
      headers: { 'x-identity-assertion': f.sign({ req: requestHash('GET', '/orders/42') }) },
    });
    assert.equal(replayed.status, 401);
    assert.equal(((await replayed.json()) as { code: string }).code, 'assertion_request_mismatch');
  });

  it('rejects two x-identity-assertion headers sent on the wire', async () => {
    const token = f.sign();
    const { port } = server.address() as AddressInfo;
    const answer = await rawRequest(port, [
      'GET /orders/42 HTTP/1.1',
      'Host: 127.0.0.1',
      `x-identity-assertion: ${token}`,
      `X-Identity-Assertion: ${token}`,
      'Connection: close',
    ]);
    assert.match(answer, /^HTTP\/1\.1 401 /);
    assert.match(answer, /"code":"assertion_invalid"/);
  });

  it('throws assertion_missing from identityFromRequest for a request that was never verified', () => {
    assert.throws(
      () => identityFromRequest({}),
      (err: { code?: string; reason?: string }) => err.code === 'assertion_missing' && err.reason === 'not_verified',
    );
  });
});
